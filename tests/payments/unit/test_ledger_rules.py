"""TigerBeetle semantics, decided without a database: ids, pending → post/void, once."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.payments.ledger.rules import Flag, PendingState, Result, Transfer, deltas, plan

ACCOUNTS = {1: "USD", 2: "USD", 3: "USD", 9: "EUR"}


def t(
    tid: str,
    amount: int = 100,
    flag: Flag = Flag.POSTED,
    pending: str | None = None,
    dr: int = 1,
    cr: int = 2,
) -> Transfer:
    return Transfer(tid, dr, cr, amount, "USD", "test", flag, pending)


def test_a_replayed_id_is_exists_and_a_changed_one_is_exists_with_different_fields() -> None:
    first = plan([t("a")], {}, ACCOUNTS, {})
    assert first.results == {"a": Result.OK}
    changed = plan([t("a", amount=5)], {"a": t("a")}, ACCOUNTS, {})
    assert (changed.results, changed.accepted) == ({"a": Result.EXISTS_WITH_DIFFERENT_FIELDS}, [])
    assert plan([t("a")], {"a": t("a")}, ACCOUNTS, {}).results == {"a": Result.EXISTS}


def test_the_same_id_twice_in_one_batch_is_created_once() -> None:
    decided = plan([t("a"), t("a")], {}, ACCOUNTS, {})
    assert [x.id for x in decided.accepted] == ["a"]


def test_pending_then_post_moves_the_amount_from_pending_to_posted() -> None:
    decided = plan([t("p", 100, Flag.PENDING), t("p:post", 60, Flag.POST_PENDING, "p")], {}, ACCOUNTS, {})
    balance = deltas(decided.accepted, decided.releases)
    assert (balance[1].debits_pending, balance[1].debits_posted) == (0, 60)
    assert (balance[2].credits_pending, balance[2].credits_posted) == (0, 60)


def test_a_pending_transfer_is_resolved_at_most_once() -> None:
    pending = PendingState(t("p", 100, Flag.PENDING))
    decided = plan(
        [t("p:post", 0, Flag.POST_PENDING, "p"), t("p:void", 0, Flag.VOID_PENDING, "p")],
        {},
        ACCOUNTS,
        {"p": pending},
    )
    assert decided.results == {"p:post": Result.OK, "p:void": Result.PENDING_ALREADY_POSTED}
    voided = PendingState(t("p", 100, Flag.PENDING), Flag.VOID_PENDING)
    assert plan([t("x", 0, Flag.POST_PENDING, "p")], {}, ACCOUNTS, {"p": voided}).results == {
        "x": Result.PENDING_ALREADY_VOIDED
    }


def test_refusals() -> None:
    pending = {"p": PendingState(t("p", 100, Flag.PENDING))}
    decided = plan(
        [
            t("same", dr=1, cr=1),
            t("zero", amount=0),
            t("cross", dr=1, cr=9),
            t("ghost", dr=1, cr=77),
            t("over", 101, Flag.POST_PENDING, "p"),
            t("nothing", 1, Flag.POST_PENDING, "missing"),
            t("notpending", 1, Flag.POST_PENDING, "q"),
        ],
        {},
        ACCOUNTS,
        {**pending, "q": PendingState(t("q"))},
    )
    assert decided.results == {
        "same": Result.ACCOUNTS_MUST_BE_DIFFERENT,
        "zero": Result.AMOUNT_MUST_NOT_BE_ZERO,
        "cross": Result.LEDGER_MISMATCH,
        "ghost": Result.ACCOUNT_NOT_FOUND,
        "over": Result.EXCEEDS_PENDING_AMOUNT,
        "nothing": Result.PENDING_NOT_FOUND,
        "notpending": Result.PENDING_NOT_PENDING,
    }
    assert decided.accepted == []


@given(
    st.lists(
        st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(0, 500), st.sampled_from(list(Flag))),
        max_size=30,
    )
)
def test_debits_always_equal_credits(spec: list[tuple[int, int, int, Flag]]) -> None:
    batch = []
    for i, (dr, cr, amount, flag) in enumerate(spec):
        pending = f"t{i - 1}" if flag in (Flag.POST_PENDING, Flag.VOID_PENDING) and i else None
        batch.append(t(f"t{i}", amount, flag, pending, dr, cr))
    decided = plan(batch, {}, ACCOUNTS, {})
    balance = deltas(decided.accepted, decided.releases)
    assert sum(d.debits_posted for d in balance.values()) == sum(d.credits_posted for d in balance.values())
    assert sum(d.debits_pending for d in balance.values()) == sum(d.credits_pending for d in balance.values())
