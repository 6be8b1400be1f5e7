"""The matching engine: deterministic pass, rule pass, batches, part payments, rejections, determinism."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from services.payments.reconciliation.rules import EntryIn, Item, Params, match, tokens

DAY = 739_000


def item(iid: str, cents: int, refs: str = "", day: int = DAY, credit: bool = True) -> Item:
    return Item(iid, credit, "USD", cents, day, tokens(refs))


def entry(key: str, cents: int, text: str = "", day: int = DAY, credit: bool = True) -> EntryIn:
    return EntryIn(key, credit, "USD", cents, day, tokens(text))


def test_a_reference_and_the_exact_amount_match_with_full_confidence() -> None:
    (proposal,) = match(
        [entry("e1", 95_000, "PAYOUT TXN-77")], [item("i1", 95_000, "TXN-77"), item("i2", 95_000)], Params()
    )
    assert (proposal.items, proposal.confidence) == ((("i1", 95_000),), 1.0)


def test_a_batch_payout_naming_its_orders_matches_them_all() -> None:
    items = [item("i1", 60_000, "SO-1"), item("i2", 40_000, "SO-2"), item("i3", 40_000, "SO-3")]
    (proposal,) = match([entry("e1", 100_000, "AMAZON SO-1 SO-2")], items, Params())
    assert {i for i, _ in proposal.items} == {"i1", "i2"} and proposal.confidence == 0.99


def test_two_part_payments_complete_one_item() -> None:
    proposals = match(
        [entry("e1", 30_000, "INV-9"), entry("e2", 70_000, "INV-9")], [item("i1", 100_000, "INV-9")], Params()
    )
    assert [(p.entry, p.items, p.confidence) for p in proposals] == [
        ("e1", (("i1", 30_000),), 0.97),
        ("e2", (("i1", 70_000),), 1.0),
    ]


def test_a_short_payment_within_the_fee_tolerance_is_suggested_not_applied() -> None:
    (proposal,) = match([entry("e1", 97_500, day=DAY + 2)], [item("i1", 100_000)], Params(tolerance=0.03))
    assert proposal.items == (("i1", 100_000),) and proposal.residual == 2_500
    assert 0.70 <= proposal.confidence < 0.95


def test_outside_the_date_window_or_the_tolerance_nothing_matches() -> None:
    assert match([entry("e1", 100_000, day=DAY + 9)], [item("i1", 100_000)], Params(window_days=3)) == []
    assert match([entry("e1", 90_000)], [item("i1", 100_000)], Params(tolerance=0.03)) == []


def test_items_adding_up_to_an_unreferenced_entry_are_suggested_together() -> None:
    items = [item("i1", 30_000), item("i2", 45_000), item("i3", 99_000)]
    (proposal,) = match([entry("e1", 75_000)], items, Params())
    assert {i for i, _ in proposal.items} == {"i1", "i2"} and proposal.confidence == 0.80


def test_a_rejected_pair_is_never_proposed_again() -> None:
    params = Params(rejected=frozenset({("e1", "i1")}))
    assert match([entry("e1", 100_000, "TXN-1")], [item("i1", 100_000, "TXN-1")], params) == []


def test_debits_never_match_credits() -> None:
    assert (
        match([entry("e1", 100_000, "TXN-1", credit=False)], [item("i1", 100_000, "TXN-1")], Params()) == []
    )


@settings(max_examples=50)
@given(st.integers(min_value=0, max_value=2**31))
def test_the_same_inputs_in_any_item_order_give_the_same_matches(seed: int) -> None:
    rng = random.Random(seed)
    items = [
        item(f"i{n}", rng.randrange(1, 50) * 1000, f"REF-{n % 7}", DAY + rng.randrange(-3, 4))
        for n in range(40)
    ]
    entries = [entry(f"e{n}", rng.randrange(1, 50) * 1000, f"REF-{rng.randrange(7)}", DAY) for n in range(20)]
    shuffled = items[:]
    rng.shuffle(shuffled)

    def fresh(rows: list[Item]) -> list[Item]:
        return [Item(i.id, i.credit, i.currency, i.open, i.expected_day, i.refs) for i in rows]

    assert match(entries, fresh(items), Params()) == match(entries, fresh(shuffled), Params())


@settings(max_examples=50)
@given(st.integers(min_value=0, max_value=2**31))
def test_no_item_is_ever_matched_beyond_its_amount(seed: int) -> None:
    rng = random.Random(seed)
    items = [item(f"i{n}", rng.randrange(1, 30) * 500, f"R{n % 5}") for n in range(30)]
    amounts = {i.id: i.open for i in items}
    entries = [entry(f"e{n}", rng.randrange(1, 30) * 500, f"R{rng.randrange(5)}") for n in range(30)]
    used: dict[str, int] = {}
    for proposal in match(entries, items, Params()):
        for iid, cents in proposal.items:
            used[iid] = used.get(iid, 0) + cents
    assert all(used[i] <= amounts[i] for i in used)
