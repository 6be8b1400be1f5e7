"""Matching statement entries to expected items — pure, no I/O, built for 10⁵ × 10⁶.

Two passes over the entries not yet matched, every amount in integer cents:

1. **Deterministic.** A reference the item carries — the payment transaction id, an
   order number, the payout reference, an EndToEndId — appears in the entry (its
   end-to-end ids, bank reference or remittance text), with the exact amount and
   currency: confidence 1. When the references an entry names point at several items
   whose open amounts add up exactly to it (a batch payout), they match together
   (many-to-one), confidence 0.99. A referenced item larger than the entry takes it as
   a part payment (one-to-many: later entries complete it), confidence 0.97.
2. **Rules**, for what is left:
   * an item of the same currency and direction whose open amount the entry meets
     within the fee **tolerance** (the entry may be short of it by up to ``tolerance``),
     value date within **±N days**; confidence 0.6 + 0.2 × amount closeness + 0.15 × day
     closeness, at most 0.94 — a suggestion for review — unless a reference is shared too
     (+0.1, so it can apply);
   * **many-to-one**: a few items (2–4) in the date window whose open amounts add up,
     within tolerance, to the entry (a batch payout without references): confidence 0.80;
   * **one-to-many**: an item whose open amount equals the sum of several entries of the
     same day window naming it: handled by part payments in pass 1.

A candidate pair rejected by a reviewer is never proposed again. Ties go to the item
expected earliest, then the smallest id, so the same inputs always give the same matches.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-/.]{2,}")
AUTO = 0.95
_MAX_POOL = 24
_AMOUNT_ORDER = operator.attrgetter("open", "id")


def tokens(*texts: str | None) -> frozenset[str]:
    """The reference-like words of some texts (upper case; 3+ characters)."""
    found: set[str] = set()
    for text in texts:
        if text:
            found.update(t.upper().rstrip("./-") for t in _TOKEN.findall(text))
    return frozenset(t for t in found if len(t) >= 3)


@dataclass
class Item:
    """An expected receipt (credit) or payment (debit) and what is still open of it."""

    id: str
    credit: bool
    currency: str
    open: int
    expected_day: int
    """Proleptic ordinal of the expected value date."""
    refs: frozenset[str]


@dataclass(frozen=True)
class EntryIn:
    """A statement entry still open."""

    key: str
    credit: bool
    currency: str
    amount: int
    day: int
    refs: frozenset[str]


@dataclass(frozen=True)
class Proposal:
    """Match an entry with these items (id, cents), with a confidence and the rule that found it."""

    entry: str
    items: tuple[tuple[str, int], ...]
    confidence: float
    rule: str
    residual: int = 0
    """Cents by which the entry is short of its items (fees kept by the payer, within tolerance)."""


@dataclass
class Params:
    """The knobs of a run."""

    tolerance: float = 0.03
    window_days: int = 3
    suggest: float = 0.70
    rejected: frozenset[tuple[str, str]] = field(default_factory=frozenset)


class _Index:
    """Open items by reference, and by (currency, direction, expected day) in amount order.

    Amount queries only look at the days of the window, so a rule-pass lookup costs the
    items of a week, not the whole book. Only references some entry names are indexed:
    with a million items and a hundred thousand entries, most of the book's references
    can never be looked up, and skipping them (a C-level set intersection per item) is
    what keeps building the index a fraction of the run.
    """

    def __init__(self, items: Iterable[Item], wanted: frozenset[str] | None = None) -> None:
        self.items: dict[str, Item] = {}
        self.by_ref: dict[str, list[str]] = defaultdict(list)
        days: dict[tuple[str, bool, int], list[Item]] = defaultdict(list)
        for item in items:
            self.items[item.id] = item
            for ref in item.refs if wanted is None else item.refs & wanted:
                self.by_ref[ref].append(item.id)
            days[(item.currency, item.credit, item.expected_day)].append(item)
        self.days: dict[tuple[str, bool, int], list[Item]] = {}
        self.keys: dict[tuple[str, bool, int], list[int]] = {}
        for key, bucket in days.items():
            # Amount order at indexing time; ties by id, so scans meet items in a fixed order.
            bucket.sort(key=_AMOUNT_ORDER)
            self.days[key] = bucket
            self.keys[key] = [i.open for i in bucket]

    def referenced(self, entry: EntryIn) -> list[Item]:
        ids: set[str] = set()
        for ref in entry.refs:
            found = self.by_ref.get(ref)
            if found:
                ids.update(found)
        items = [self.items[i] for i in ids]
        return sorted(
            (i for i in items if i.open > 0 and i.currency == entry.currency and i.credit == entry.credit),
            key=lambda i: (i.expected_day, i.id),
        )

    def window_size(self, entry: EntryIn, window: int) -> int:
        """How many open items are expected in the entry's window."""
        return sum(
            len(self.keys.get((entry.currency, entry.credit, day), ()))
            for day in range(entry.day - window, entry.day + window + 1)
        )

    def in_day(self, entry: EntryIn, day: int, low: int, high: int) -> list[Item]:
        """Open items of one expected day with an amount in [low, high], in amount order."""
        key = (entry.currency, entry.credit, day)
        keys = self.keys.get(key)
        if not keys:
            return []
        start, end = bisect.bisect_left(keys, low), bisect.bisect_right(keys, high)
        return self.days[key][start:end]

    def consume(self, item_id: str, cents: int) -> None:
        """Take ``cents`` off an item, keeping its day's list in (open amount, id) order.

        An item paid in full leaves the list (amount queries never want it again); one paid
        in part moves to where its open remainder belongs, so later entries can find it.
        """
        item = self.items[item_id]
        key = (item.currency, item.credit, item.expected_day)
        keys, bucket = self.keys[key], self.days[key]
        at = bisect.bisect_left(keys, item.open)
        while bucket[at] is not item:
            at += 1
        del keys[at], bucket[at]
        item.open -= cents
        if item.open <= 0:
            return
        at = bisect.bisect_left(keys, item.open)
        while at < len(keys) and keys[at] == item.open and bucket[at].id < item.id:
            at += 1
        keys.insert(at, item.open)
        bucket.insert(at, item)

    def in_range(self, entry: EntryIn, low: int, high: int, window: int) -> list[Item]:
        """Open items with an amount in [low, high] expected within ``window`` days of the entry."""
        out: list[Item] = []
        for day in range(entry.day - window, entry.day + window + 1):
            out.extend(self.in_day(entry, day, low, high))
        return out


def _allowed(params: Params, entry: EntryIn, item: Item) -> bool:
    return (entry.key, item.id) not in params.rejected


def match(entries: Sequence[EntryIn], items: Iterable[Item], params: Params) -> list[Proposal]:
    """Proposals for ``entries`` against ``items`` (items' open amounts are consumed as matched)."""
    wanted = frozenset().union(*(e.refs for e in entries)) if entries else frozenset()
    index = _Index(items, wanted)
    proposals: list[Proposal] = []
    rest: list[EntryIn] = []
    for entry in entries:
        proposal = _deterministic(index, entry, params)
        if proposal is None:
            rest.append(entry)
        else:
            _consume(index, proposal)
            proposals.append(proposal)
    for entry in rest:
        proposal = _by_rules(index, entry, params)
        if proposal is not None:
            # A suggestion holds its items too, so two entries are never offered the same money.
            _consume(index, proposal)
            proposals.append(proposal)
    return proposals


def _consume(index: _Index, proposal: Proposal) -> None:
    for item_id, cents in proposal.items:
        index.consume(item_id, cents)


def _deterministic(index: _Index, entry: EntryIn, params: Params) -> Proposal | None:
    candidates = [i for i in index.referenced(entry) if _allowed(params, entry, i)]
    if not candidates:
        return None
    exact = [i for i in candidates if i.open == entry.amount]
    if exact:
        return Proposal(entry.key, ((exact[0].id, entry.amount),), 1.0, "reference+amount")
    if len(candidates) > 1 and sum(i.open for i in candidates) == entry.amount:
        return Proposal(
            entry.key, tuple((i.id, i.open) for i in candidates), 0.99, "references+sum (many-to-one)"
        )
    larger = [i for i in candidates if i.open > entry.amount]
    if len(candidates) == 1 and larger:
        return Proposal(
            entry.key, ((larger[0].id, entry.amount),), 0.97, "reference, part payment (one-to-many)"
        )
    return None


def _by_rules(index: _Index, entry: EntryIn, params: Params) -> Proposal | None:
    """The best single item for an entry without a usable reference, else a batch (or nothing).

    Confidence = min(0.94, 0.6 + 0.2 × amount closeness + 0.15 × day closeness), + 0.1 if
    the entry and the item share a reference. On one day, without the shared reference,
    it only falls as the item's amount grows; each day's items are in amount order, so a
    day's scan stops at the first item that cannot beat the best so far. Items sharing a
    reference are looked up by it and scored first, so stopping early never misses one.
    """
    # The entry may be short of the item by fees: item.open in [amount, amount / (1 - tolerance)].
    high = int(entry.amount / (1 - params.tolerance)) if params.tolerance < 1 else entry.amount * 100
    window, tolerance, rejected = params.window_days, params.tolerance, params.rejected
    amount = entry.amount
    best: tuple[float, int, str, Item] | None = None
    for item in index.referenced(entry):
        day = item.expected_day
        if abs(entry.day - day) > window or not amount <= item.open <= high:
            continue
        if rejected and (entry.key, item.id) in rejected:
            continue
        amount_score = 1.0 - ((item.open - amount) / item.open / tolerance if tolerance else 0.0)
        day_score = 1.0 - abs(entry.day - day) / (window + 1)
        confidence = min(0.94, 0.6 + 0.2 * amount_score + 0.15 * day_score) + 0.1
        if (
            best is None
            or (confidence, -day) > best[:2]
            or ((confidence, -day) == best[:2] and item.id < best[2])
        ):
            best = (confidence, -day, item.id, item)
    for day in range(entry.day - window, entry.day + window + 1):
        found = index.in_day(entry, day, amount, high)
        if not found:
            continue
        # The day score is the same for every item of the day: computed once, not per item.
        day_score = 1.0 - abs(entry.day - day) / (window + 1)
        for item in found:
            amount_score = 1.0 - ((item.open - amount) / item.open / tolerance if tolerance else 0.0)
            base = min(0.94, 0.6 + 0.2 * amount_score + 0.15 * day_score)
            if best is not None and (base, -day) < best[:2]:
                break  # every later item of this day scores at most ``base`` (or was scored above)
            if rejected and (entry.key, item.id) in rejected:
                continue
            # Without a shared reference a pair is at most a suggestion; with one, a fee-short amount applies.
            confidence = base + (0.1 if entry.refs and not entry.refs.isdisjoint(item.refs) else 0.0)
            if (
                best is None
                or (confidence, -day) > best[:2]
                or ((confidence, -day) == best[:2] and item.id < best[2])
            ):
                best = (confidence, -day, item.id, item)
    if best is not None:
        confidence, _day, _id, item = best
        if confidence >= params.suggest:
            rule = "amount within tolerance, date in window"
            # The item is settled whole; what the entry is short of it is the fee (the residual).
            return Proposal(
                entry.key, ((item.id, item.open),), round(confidence, 4), rule, item.open - entry.amount
            )
    return _batch(index, entry, params, high)


def _batch(index: _Index, entry: EntryIn, params: Params, high: int) -> Proposal | None:
    """Many-to-one without references: 2–4 items in the window adding up to the entry (net of fees)."""
    if index.window_size(entry, params.window_days) > 4 * _MAX_POOL:
        return None  # too many candidates to search combinations of
    pool = [i for i in index.in_range(entry, 1, high, params.window_days) if _allowed(params, entry, i)]
    if len(pool) < 2 or len(pool) > _MAX_POOL:
        return None
    pool.sort(key=lambda i: (i.expected_day, i.id))
    for size in (2, 3, 4):
        for combo in itertools.combinations(pool, size):
            total = sum(i.open for i in combo)
            if entry.amount <= total <= high:
                return Proposal(
                    entry.key,
                    tuple((i.id, i.open) for i in combo),
                    0.80,
                    f"{size} items add up to the entry (many-to-one)",
                    total - entry.amount,
                )
    return None
