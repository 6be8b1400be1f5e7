"""Per-document state machine over customs receipts.

Every document the platform sends (inventory, order, payment, waybill,
cancellation, return, summary …) has a state driven only by the receipts
customs sends back.  Receipts may arrive late, twice, or out of order, so
:func:`apply` is built as a *join*: each status has a rank, and the state is
the highest-ranked status seen so far, ties broken by customs time
(``returnTime``) and then by code.  Hence, for any permutation or
duplication of a set of receipts, the final state is the same — a stale
receipt never moves a document backwards and a duplicate changes nothing.
The full history is returned as entries for the caller to keep.

Ranks (import inventory, CEB622; the other kinds use the subset their
receipt's annotation lists — customs-domain.md §3.1)::

    sent 0 → 1 staged 10 → 2 submitted 20 → 3 sent_to_customs 30 | 4 send_failed 30
      → 120 customs_accepted 40 → [300 manual_review 50] → 399 examination_concluded 60
      → [500 inspection 70] → [501/502/503/599 detained_* 80] → 800 released 90 → 899 closed 100
    exits: 100 rejected 85, negative returnStatus refused 85, CEB900 format_rejected 85,
           700 returned 87, cancelled 95 (an approved CEB624/CEB606), all terminal.

* **300 before 399.** 300 人工审核 is manual review; 399 海关审结 concludes the
  review (CEB622 annotation order, customs-domain.md §1.2 lifecycle), so a 300
  arriving after a 399 is stale.
* Detention ranks above inspection (it is what an inspection can lead to) and
  below release (detained goods may still be released, or returned: 700).
* **Cancelled ranks above released** because a bonded inventory is typically
  cancelled after 放行 but before it leaves the warehouse; only 899 (结关)
  outranks it.
* A move that is not an edge of the kind's graph (a lost receipt: 2 → 399)
  is still applied — receipts are facts — but the decision says
  ``legal=False`` so a person can look.  Leaving a terminal state upwards
  (100 then 800) is likewise applied and flagged.

Resubmission after a rejection starts a new *attempt* (:func:`restart`);
receipts timed before the attempt started are stale.  Receipt guids cannot
tie receipts to attempts: the XSD says the e-port generates them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.model import Record, line_pointer
from services.declaration.ceb.receipt_events import ReceiptEvent
from services.declaration.customs.core.refunds import check_refund_against_inventory
from shared.events.statuses import DocumentStatus


class DocumentKind(StrEnum):
    """What a state machine tracks."""

    IMPORT_INVENTORY = "import_inventory"
    EXPORT_INVENTORY = "export_inventory"
    ORDER = "order"
    PAYMENT = "payment"
    WAYBILL = "waybill"
    WAYBILL_STATUS = "waybill_status"
    ARRIVAL = "arrival"
    DEPARTURE = "departure"
    WAYBILL_BILL = "waybill_bill"
    DELIVERY = "delivery"
    CANCELLATION = "cancellation"
    IMPORT_RETURN = "import_return"
    EXPORT_RETURN = "export_return"
    RETURN_TALLY = "return_tally"
    SUMMARY = "summary"
    TAX_BILL = "tax_bill"


RECEIPT_KIND: Mapping[str, DocumentKind] = {
    "CEB622": DocumentKind.IMPORT_INVENTORY,
    "CEB604": DocumentKind.EXPORT_INVENTORY,
    "CEB312": DocumentKind.ORDER,
    "CEB304": DocumentKind.ORDER,
    "CEB412": DocumentKind.PAYMENT,
    "CEB404": DocumentKind.PAYMENT,
    "CEB512": DocumentKind.WAYBILL,
    "CEB506": DocumentKind.WAYBILL,
    "CEB514": DocumentKind.WAYBILL_STATUS,
    "CEB508": DocumentKind.ARRIVAL,
    "CEB510": DocumentKind.DEPARTURE,
    "CEB608": DocumentKind.WAYBILL_BILL,
    "CEB712": DocumentKind.DELIVERY,
    "CEB624": DocumentKind.CANCELLATION,
    "CEB606": DocumentKind.CANCELLATION,
    "CEB626": DocumentKind.IMPORT_RETURN,
    "CEB214": DocumentKind.EXPORT_RETURN,
    "CEB216": DocumentKind.RETURN_TALLY,
    "CEB702": DocumentKind.SUMMARY,
    "CEB792": DocumentKind.SUMMARY,
    "CEB816": DocumentKind.TAX_BILL,
    "CEB818": DocumentKind.TAX_BILL,
}
"""Which document kind each customs-sent message type is about (CEB900 applies to any)."""

DECLARATION_KIND: Mapping[str, DocumentKind] = {
    "CEB621": DocumentKind.IMPORT_INVENTORY,
    "CEB603": DocumentKind.EXPORT_INVENTORY,
    "CEB311": DocumentKind.ORDER,
    "CEB303": DocumentKind.ORDER,
    "CEB411": DocumentKind.PAYMENT,
    "CEB403": DocumentKind.PAYMENT,
    "CEB511": DocumentKind.WAYBILL,
    "CEB505": DocumentKind.WAYBILL,
    "CEB513": DocumentKind.WAYBILL_STATUS,
    "CEB507": DocumentKind.ARRIVAL,
    "CEB509": DocumentKind.DEPARTURE,
    "CEB607": DocumentKind.WAYBILL_BILL,
    "CEB711": DocumentKind.DELIVERY,
    "CEB623": DocumentKind.CANCELLATION,
    "CEB605": DocumentKind.CANCELLATION,
    "CEB625": DocumentKind.IMPORT_RETURN,
    "CEB213": DocumentKind.EXPORT_RETURN,
    "CEB215": DocumentKind.RETURN_TALLY,
    "CEB701": DocumentKind.SUMMARY,
}
"""Which document kind each declaration starts."""

SENT = "sent"
REFUSED = "refused"
FORMAT_REJECTED = "format_rejected"
CANCELLED = "cancelled"
SUMMARY_RESULT = "summary_result"


@dataclass(frozen=True, slots=True)
class Status:
    """One state: customs code (or platform key), platform name, rank, terminal flag."""

    code: str
    name: DocumentStatus
    terminal: bool = False

    @property
    def rank(self) -> int:
        """The shared vocabulary's rank of :attr:`name` (higher wins)."""
        return self.name.rank


_COMMON: dict[str, Status] = {
    s.code: s
    for s in (
        Status(SENT, DocumentStatus.SENT),
        Status("1", DocumentStatus.STAGED),
        Status("2", DocumentStatus.SUBMITTED),
        Status("3", DocumentStatus.SENT_TO_CUSTOMS),
        Status("4", DocumentStatus.SEND_FAILED),
        Status("120", DocumentStatus.CUSTOMS_ACCEPTED),
        Status("300", DocumentStatus.MANUAL_REVIEW),
        Status("600", DocumentStatus.SUSPENDED),
        Status("399", DocumentStatus.EXAMINATION_CONCLUDED),
        Status("500", DocumentStatus.INSPECTION),
        Status("501", DocumentStatus.DETAINED_CLEARANCE),
        Status("502", DocumentStatus.DETAINED_ANTI_SMUGGLING),
        Status("503", DocumentStatus.DETAINED_LEGAL),
        Status("505", DocumentStatus.TRANSFERRED),
        Status("599", DocumentStatus.DETAINED_OTHER),
        Status("100", DocumentStatus.REJECTED, terminal=True),
        Status(REFUSED, DocumentStatus.REFUSED, terminal=True),
        Status(FORMAT_REJECTED, DocumentStatus.FORMAT_REJECTED, terminal=True),
        Status("700", DocumentStatus.RETURNED, terminal=True),
        Status("800", DocumentStatus.RELEASED),
        Status(CANCELLED, DocumentStatus.CANCELLED, terminal=True),
        Status("899", DocumentStatus.CLOSED, terminal=True),
        Status(SUMMARY_RESULT, DocumentStatus.SUMMARY_RESULT, terminal=True),
    )
}
_TAX: dict[str, Status] = {
    s.code: s
    for s in (
        Status(SENT, DocumentStatus.EXPECTED),
        Status("1", DocumentStatus.TAX_GENERATED),
        Status("2", DocumentStatus.TAX_SUMMARISED),
        Status("3", DocumentStatus.TAX_VOIDED, terminal=True),
    )
}

_EXITS = {"100", REFUSED}
_DETENTION = {"501", "502", "503", "599"}


def _edges(pairs: Iterable[tuple[str, Iterable[str]]]) -> frozenset[tuple[str, str]]:
    return frozenset((source, target) for source, targets in pairs for target in targets)


_INVENTORY_EDGES = _edges(
    [
        (SENT, {"1", "2", REFUSED, FORMAT_REJECTED}),
        ("1", {"2", REFUSED}),
        ("2", {"3", "4", "120", *_EXITS}),
        ("3", {"120", *_EXITS}),
        ("4", {"3", "120", *_EXITS}),
        ("120", {"300", "399", "100", CANCELLED}),
        ("300", {"399", "100", CANCELLED}),
        ("399", {"500", *_DETENTION, "800", "100", CANCELLED}),
        ("500", {*_DETENTION, "800", "700"}),
        *((code, {*(_DETENTION - {code}), "800", "700"}) for code in _DETENTION),
        ("800", {"899", CANCELLED}),
    ]
)
_SIMPLE_EDGES = _edges(
    [
        (SENT, {"1", "2", REFUSED, FORMAT_REJECTED}),
        ("1", {"2", REFUSED}),
        ("2", {"3", "4", "120", "399", *_EXITS}),
        ("3", {"120", "399", *_EXITS}),
        ("4", {"3", "120", "399", *_EXITS}),
        ("120", {"399", "100"}),
    ]
)
_SUMMARY_EDGES = _SIMPLE_EDGES | _edges([("399", {SUMMARY_RESULT}), ("2", {SUMMARY_RESULT})])
_EXPORT_RETURN_EDGES = _SIMPLE_EDGES | _edges(
    [
        ("120", {"300", "500", "600", "800"}),
        ("300", {"500", "600", "800", "100"}),
        ("600", {"300", "500", "800", "100"}),
        ("500", {"505", "800"}),
    ]
)
_TAX_EDGES = _edges([(SENT, {"1", "2", "3"}), ("1", {"2", "3"}), ("2", {"3"})])


@dataclass(frozen=True, slots=True)
class KindSpec:
    """Statuses a kind's receipts document, its final statuses and its legal moves."""

    statuses: Mapping[str, Status]
    codes: frozenset[str]
    final: frozenset[str]
    edges: frozenset[tuple[str, str]]


_BASE = frozenset({SENT, "1", "2", "3", "4", "100", REFUSED, FORMAT_REJECTED})
_INVENTORY_CODES = _BASE | {"120", "300", "399", "500", *_DETENTION, "700", "800", "899", CANCELLED}
_SIMPLE_FINAL = frozenset({"399", "100", REFUSED, FORMAT_REJECTED})


def _simple(extra: set[str] | None = None) -> KindSpec:
    codes = _BASE | {"120", "399"} | (extra or set())
    return KindSpec(_COMMON, codes, _SIMPLE_FINAL, _SIMPLE_EDGES)


KINDS: Mapping[DocumentKind, KindSpec] = {
    DocumentKind.IMPORT_INVENTORY: KindSpec(
        _COMMON,
        _INVENTORY_CODES,
        frozenset({"899", "100", REFUSED, FORMAT_REJECTED, "700", CANCELLED}),
        _INVENTORY_EDGES,
    ),
    DocumentKind.EXPORT_INVENTORY: KindSpec(
        _COMMON,
        _INVENTORY_CODES,
        frozenset({"899", "100", REFUSED, FORMAT_REJECTED, "700", CANCELLED}),
        _INVENTORY_EDGES,
    ),
    DocumentKind.ORDER: _simple(),
    DocumentKind.PAYMENT: _simple(),
    DocumentKind.WAYBILL: _simple(),
    DocumentKind.WAYBILL_STATUS: _simple(),
    DocumentKind.ARRIVAL: _simple(),
    DocumentKind.DEPARTURE: _simple(),
    DocumentKind.WAYBILL_BILL: _simple(),
    DocumentKind.DELIVERY: _simple(),
    DocumentKind.CANCELLATION: _simple(),
    DocumentKind.IMPORT_RETURN: _simple(),
    DocumentKind.RETURN_TALLY: _simple(),
    DocumentKind.EXPORT_RETURN: KindSpec(
        _COMMON,
        _BASE | {"120", "300", "500", "505", "600", "800"},
        frozenset({"800", "100", REFUSED, FORMAT_REJECTED}),
        _EXPORT_RETURN_EDGES,
    ),
    DocumentKind.SUMMARY: KindSpec(
        _COMMON,
        _BASE | {"399", SUMMARY_RESULT},
        frozenset({SUMMARY_RESULT, "100", REFUSED, FORMAT_REJECTED}),
        _SUMMARY_EDGES,
    ),
    DocumentKind.TAX_BILL: KindSpec(_TAX, frozenset(_TAX), frozenset({"3"}), _TAX_EDGES),
}

_EPOCH = datetime(1970, 1, 1, tzinfo=CUSTOMS_TZ)


@dataclass(frozen=True)
class DocumentState:
    """Where a document stands: status code, since when (customs time), attempt number."""

    kind: DocumentKind
    code: str = SENT
    since: datetime | None = None
    attempt: int = 1
    attempt_started: datetime | None = None

    @property
    def status(self) -> Status:
        """The :class:`Status` record of :attr:`code`."""
        return KINDS[self.kind].statuses[self.code]

    @property
    def name(self) -> str:
        """Platform status name (``released``, ``closed`` …)."""
        return self.status.name

    @property
    def rank(self) -> int:
        """Position in the order receipts are joined by."""
        return self.status.rank

    @property
    def final(self) -> bool:
        """True when no further receipts are expected for this kind."""
        return self.code in KINDS[self.kind].final

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "kind": self.kind.value,
            "code": self.code,
            "name": self.name,
            "since": self.since.isoformat() if self.since else None,
            "attempt": self.attempt,
            "attemptStarted": self.attempt_started.isoformat() if self.attempt_started else None,
        }


class Outcome(StrEnum):
    """What a receipt did."""

    APPLIED = "applied"
    """The state moved forward."""
    UNCHANGED = "unchanged"
    """Same status again at another time (or an equal-rank older one): recorded, state kept."""
    STALE = "stale"
    """Lower rank than the current state (or before the current attempt): ignored."""
    DUPLICATE = "duplicate"
    """Exactly this receipt was already applied: ignored."""
    UNKNOWN = "unknown"
    """A status this kind's receipts do not document: recorded, ignored."""


@dataclass(frozen=True)
class HistoryEntry:
    """One receipt as the state machine saw it."""

    message_type: str
    return_status: str
    return_time: datetime | None
    return_info: str
    code: str
    outcome: Outcome
    state_after: str
    legal: bool = True

    @property
    def identity(self) -> tuple[str, str, datetime | None, str]:
        """What makes two receipts the same receipt."""
        return (self.message_type, self.return_status, self.return_time, self.return_info)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "messageType": self.message_type,
            "returnStatus": self.return_status,
            "returnTime": self.return_time.isoformat() if self.return_time else None,
            "returnInfo": self.return_info,
            "code": self.code,
            "outcome": self.outcome.value,
            "stateAfter": self.state_after,
            "legal": self.legal,
        }


@dataclass(frozen=True)
class Decision:
    """The new state, what happened, and the history entry to append."""

    outcome: Outcome
    state: DocumentState
    entry: HistoryEntry
    legal: bool = True
    note: str = ""

    @property
    def changed(self) -> bool:
        """True when the state moved (the caller emits a status-change event)."""
        return self.outcome is Outcome.APPLIED


def initial_state(kind: DocumentKind, sent_at: datetime | None = None) -> DocumentState:
    """A document just handed to the transport."""
    return DocumentState(kind, SENT, sent_at, 1, sent_at)


def status_code(event: ReceiptEvent) -> str:
    """The state-machine code a receipt event stands for."""
    if event.message_type == "CEB900":
        return FORMAT_REJECTED
    if event.message_type == "CEB792":
        return SUMMARY_RESULT
    if event.is_error:
        return REFUSED
    return event.return_status.strip()


def apply(state: DocumentState, history: Sequence[HistoryEntry], event: ReceiptEvent) -> Decision:
    """Apply one receipt event to a document's state (pure)."""
    spec = KINDS[state.kind]
    code = status_code(event)

    def entry(outcome: Outcome, after: DocumentState, legal: bool = True) -> HistoryEntry:
        return HistoryEntry(
            event.message_type,
            event.return_status,
            event.return_time,
            event.return_info,
            code,
            outcome,
            after.code,
            legal,
        )

    identity = (event.message_type, event.return_status, event.return_time, event.return_info)
    if any(past.identity == identity for past in history):
        return Decision(Outcome.DUPLICATE, state, entry(Outcome.DUPLICATE, state), note="already applied")
    if code not in spec.codes or code not in spec.statuses:
        return Decision(
            Outcome.UNKNOWN, state, entry(Outcome.UNKNOWN, state), note=f"status {code} not expected"
        )
    if (
        state.attempt > 1
        and state.attempt_started
        and event.return_time
        and event.return_time < state.attempt_started
    ):
        return Decision(
            Outcome.STALE, state, entry(Outcome.STALE, state), note="receipt predates the current attempt"
        )
    new = spec.statuses[code]
    current_key = (state.rank, state.since or _EPOCH, state.code)
    new_key = (new.rank, event.return_time or _EPOCH, code)
    if new.rank < state.rank:
        return Decision(
            Outcome.STALE, state, entry(Outcome.STALE, state), note="lower rank than the current state"
        )
    if code == state.code:
        # The same status again: nothing moves; only the governing time follows
        # the join (the latest customs time), so every order ends identically.
        kept = (
            replace(state, since=max(state.since or _EPOCH, event.return_time or _EPOCH))
            if event.return_time
            else state
        )
        return Decision(Outcome.UNCHANGED, kept, entry(Outcome.UNCHANGED, kept))
    if new_key < current_key:
        # Same rank, earlier customs time (e.g. a late 4 after a 3): the later one stands.
        return Decision(
            Outcome.STALE, state, entry(Outcome.STALE, state), note="older than the current status"
        )
    moved = replace(state, code=code, since=event.return_time or state.since)
    legal = (state.code, code) in spec.edges
    note = "" if legal else f"unexpected move {state.code} → {code}"
    return Decision(Outcome.APPLIED, moved, entry(Outcome.APPLIED, moved, legal), legal, note)


def fold(
    kind: DocumentKind, events: Iterable[ReceiptEvent], start: DocumentState | None = None
) -> tuple[DocumentState, list[HistoryEntry]]:
    """Apply events in the order given; returns the final state and the history."""
    state = start or initial_state(kind)
    history: list[HistoryEntry] = []
    for event in events:
        decision = apply(state, history, event)
        state = decision.state
        if decision.outcome is not Outcome.DUPLICATE:
            history.append(decision.entry)
    return state, history


def restart(state: DocumentState, at: datetime) -> DocumentState:
    """A new attempt after the document was rejected/refused and is sent again."""
    return DocumentState(state.kind, SENT, at, state.attempt + 1, at)


# --- cancellations -------------------------------------------------------------------------------

CANCEL_NOT_ALLOWED = "-623005"  # 清单的状态不符合撤单申报要求
CANCELLABLE: frozenset[str] = frozenset({"120", "300", "399", "800"})
"""Inventory states a cancellation (CEB623 import / CEB605 export) may be filed in.

"未办结通关手续的清单可申请撤销" (customs-domain.md §4.4): not after 899.  The
cancel message names ``invtNo``, which customs assigns on 120, so not before
it; not during inspection or detention (customs holds the goods) and not in
an exit state.  Our reading, not an official list — hence a constant.
"""


def cancellation_refusal(inventory: DocumentState) -> Issue | None:
    """``-623005`` when the inventory's state does not allow a cancellation."""
    if inventory.code in CANCELLABLE:
        return None
    allowed = ", ".join(sorted(KINDS[inventory.kind].statuses[c].name for c in CANCELLABLE))
    return Issue(
        CANCEL_NOT_ALLOWED,
        f"清单的状态不符合撤单申报要求: inventory is {inventory.name}, cancellable only when {allowed}",
    )


def cancellation_approved(cancellation: DocumentState) -> bool:
    """True once customs concluded the cancellation (399) — the inventory is then cancelled."""
    return cancellation.code == "399"


def mark_cancelled(inventory: DocumentState, history: Sequence[HistoryEntry], at: datetime) -> Decision:
    """Move an inventory to ``cancelled`` after its cancellation was approved."""
    event = ReceiptEvent(
        message_type="CEB624",
        answers=None,
        guid="",
        return_status=CANCELLED,
        return_time=at,
        return_info="cancellation approved",
    )
    return apply(inventory, history, event)


# --- returns --------------------------------------------------------------------------------------

RETURN_WINDOW_DAYS = 30
RETURN_NOT_RELEASED = "DDT-E01"
RETURN_WINDOW_PASSED = "DDT-E02"
RETURN_CUMULATIVE_QTY = "DDT-E03"
RETURN_LINE_MISMATCH = "DDT-E04"


@dataclass(frozen=True)
class ReturnCheck:
    """Verdict on a return application before it is sent."""

    issues: tuple[Issue, ...] = ()
    last_day: date | None = None

    @property
    def allowed(self) -> bool:
        """True when nothing blocks the return."""
        return not self.issues


def return_last_day(released_at: datetime, window_days: int = RETURN_WINDOW_DAYS) -> date:
    """Last Beijing calendar day to apply: "自放行之日起30日内".

    As Chinese law counts periods (民法典 art. 201), the day of release is not
    counted: released on D, the window ends with day D + 30.
    """
    return released_at.astimezone(CUSTOMS_TZ).date() + timedelta(days=window_days)


def check_import_return(
    inventory_state: DocumentState,
    released_at: datetime | None,
    applied_at: datetime,
    refund: Record,
    inventory: Record,
    already_returned: Mapping[Any, Decimal] | None = None,
    window_days: int = RETURN_WINDOW_DAYS,
) -> ReturnCheck:
    """CEB625 checks: released (800/899), within the window, lines ≤ the original (cumulatively)."""
    issues: list[Issue] = []
    if inventory_state.code not in {"800", "899"} or released_at is None:
        issues.append(
            Issue(RETURN_NOT_RELEASED, f"only a released inventory can be returned ({inventory_state.name})")
        )
        return ReturnCheck(tuple(issues))
    last_day = return_last_day(released_at, window_days)
    if applied_at.astimezone(CUSTOMS_TZ).date() > last_day:
        issues.append(Issue(RETURN_WINDOW_PASSED, f"return window ended on {last_day.isoformat()}"))
    issues += check_refund_against_inventory(refund, inventory)
    originals = {line.get("gnum"): line for line in inventory.lines}
    for index, line in enumerate(refund.lines):
        original = originals.get(line.get("gnum"))
        before = (already_returned or {}).get(line.get("gnum"), Decimal(0))
        qty = line.get("qty")
        if original is None or not isinstance(qty, Decimal) or not before:
            continue
        original_qty = original.get("qty")
        if isinstance(original_qty, Decimal) and qty + before > original_qty:
            issues.append(
                Issue(
                    RETURN_CUMULATIVE_QTY,
                    f"returning {qty} after {before} already returned exceeds the inventory's {original_qty}",
                    line_pointer(0, index, "qty"),
                )
            )
    return ReturnCheck(tuple(issues), last_day)


def check_export_return(inventory_state: DocumentState, refund: Record, inventory: Record) -> ReturnCheck:
    """CEB213 checks: the export inventory was released or closed; lines match and qty ≤ original.

    Export returns (2020 No.44) name no time window in our sources, so none is enforced.
    """
    issues: list[Issue] = []
    if inventory_state.code not in {"800", "899"}:
        issues.append(
            Issue(
                RETURN_NOT_RELEASED,
                f"only a released export inventory can be returned ({inventory_state.name})",
            )
        )
    originals = {line.get("gnum"): line for line in inventory.lines}
    for index, line in enumerate(refund.lines):
        original = originals.get(line.get("gnum"))
        if original is None or line.get("gcode") != original.get("gcode"):
            issues.append(
                Issue(
                    RETURN_LINE_MISMATCH, "line not in the original inventory", line_pointer(0, index, "gnum")
                )
            )
            continue
        for name in ("qty", "qty1", "qty2"):
            value, limit = line.get(name), original.get(name)
            if isinstance(value, Decimal) and isinstance(limit, Decimal) and value > limit:
                issues.append(
                    Issue(
                        RETURN_CUMULATIVE_QTY,
                        f"{name} {value} exceeds the original {limit}",
                        line_pointer(0, index, name),
                    )
                )
    return ReturnCheck(tuple(issues))
