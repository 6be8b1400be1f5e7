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
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-/.]{2,}")
AUTO = 0.95
_MAX_POOL = 24


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
    items of a week, not the whole book.
    """

    def __init__(self, items: Iterable[Item]) -> None:
        self.items: dict[str, Item] = {}
        self.by_ref: dict[str, list[str]] = defaultdict(list)
        days: dict[tuple[str, bool, int], list[tuple[int, str]]] = defaultdict(list)
        for item in items:
            self.items[item.id] = item
            for ref in item.refs:
                self.by_ref[ref].append(item.id)
            days[(item.currency, item.credit, item.expected_day)].append((item.open, item.id))
        self.days = {k: sorted(v) for k, v in days.items()}
        self.keys = {k: [a for a, _i in v] for k, v in self.days.items()}

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
        """How many items (open or not) are expected in the entry's window."""
        return sum(
            len(self.keys.get((entry.currency, entry.credit, day), ()))
            for day in range(entry.day - window, entry.day + window + 1)
        )

    def in_range(self, entry: EntryIn, low: int, high: int, window: int) -> list[Item]:
        """Open items with an amount in [low, high] expected within ``window`` days of the entry."""
        out = []
        for day in range(entry.day - window, entry.day + window + 1):
            key = (entry.currency, entry.credit, day)
            keys = self.keys.get(key)
            if not keys:
                continue
            rows = self.days[key]
            start, end = bisect.bisect_left(keys, low), bisect.bisect_right(keys, high)
            for _amount, item_id in rows[start:end]:
                item = self.items[item_id]
                if low <= item.open <= high:
                    out.append(item)
        return out


def _allowed(params: Params, entry: EntryIn, item: Item) -> bool:
    return (entry.key, item.id) not in params.rejected


def match(entries: Sequence[EntryIn], items: Iterable[Item], params: Params) -> list[Proposal]:
    """Proposals for ``entries`` against ``items`` (items' open amounts are consumed as matched)."""
    index = _Index(items)
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
        index.items[item_id].open -= cents


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


def _day_score(entry: EntryIn, item: Item, window: int) -> float | None:
    gap = abs(entry.day - item.expected_day)
    if gap > window:
        return None
    return 1.0 - gap / (window + 1)


def _by_rules(index: _Index, entry: EntryIn, params: Params) -> Proposal | None:
    # The entry may be short of the item by fees: item.open in [amount, amount / (1 - tolerance)].
    high = int(entry.amount / (1 - params.tolerance)) if params.tolerance < 1 else entry.amount * 100
    best: tuple[float, int, str, Item] | None = None
    for item in index.in_range(entry, entry.amount, high, params.window_days):
        if not _allowed(params, entry, item):
            continue
        day = _day_score(entry, item, params.window_days)
        if day is None:
            continue
        gap = (item.open - entry.amount) / item.open if item.open else 1.0
        amount_score = 1.0 - (gap / params.tolerance if params.tolerance else 0.0)
        overlap = 1.0 if entry.refs & item.refs else 0.0
        # Without a shared reference a pair is at most a suggestion; with one, a fee-short amount applies.
        confidence = min(0.94, 0.6 + 0.2 * amount_score + 0.15 * day) + 0.1 * overlap
        candidate = (confidence, -item.expected_day, item.id, item)
        if best is None or candidate[:2] > best[:2] or (candidate[:2] == best[:2] and item.id < best[2]):
            best = candidate
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
