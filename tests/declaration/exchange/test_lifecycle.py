"""Per-document state machine: ranks, stale and duplicate receipts, cancellations, return windows."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.model import Record
from services.declaration.ceb.receipt_events import ReceiptEvent
from services.declaration.customs.core.lifecycle import (
    CANCEL_NOT_ALLOWED,
    KINDS,
    RETURN_CUMULATIVE_QTY,
    RETURN_NOT_RELEASED,
    RETURN_WINDOW_PASSED,
    SENT,
    DocumentKind,
    DocumentState,
    Outcome,
    apply,
    cancellation_approved,
    cancellation_refusal,
    check_export_return,
    check_import_return,
    fold,
    initial_state,
    mark_cancelled,
    restart,
    return_last_day,
    status_code,
)

T0 = datetime(2024, 5, 18, 10, 0, tzinfo=CUSTOMS_TZ)
RECEIPT_OF = {
    DocumentKind.IMPORT_INVENTORY: "CEB622",
    DocumentKind.EXPORT_INVENTORY: "CEB604",
    DocumentKind.ORDER: "CEB312",
    DocumentKind.PAYMENT: "CEB412",
    DocumentKind.WAYBILL: "CEB512",
    DocumentKind.WAYBILL_STATUS: "CEB514",
    DocumentKind.ARRIVAL: "CEB508",
    DocumentKind.DEPARTURE: "CEB510",
    DocumentKind.WAYBILL_BILL: "CEB608",
    DocumentKind.DELIVERY: "CEB712",
    DocumentKind.CANCELLATION: "CEB624",
    DocumentKind.IMPORT_RETURN: "CEB626",
    DocumentKind.EXPORT_RETURN: "CEB214",
    DocumentKind.RETURN_TALLY: "CEB216",
    DocumentKind.SUMMARY: "CEB702",
    DocumentKind.TAX_BILL: "CEB816",
}


def event(
    code: str, minutes: int, kind: DocumentKind = DocumentKind.IMPORT_INVENTORY, info: str = ""
) -> ReceiptEvent:
    message_type = RECEIPT_OF[kind]
    status = code
    if code == "format_rejected":
        message_type, status = "CEB900", "-2"
    elif code == "refused":
        status = "-621005"
    elif code == "summary_result":
        message_type, status = "CEB792", "A"
    return ReceiptEvent(
        message_type, None, "G", status, T0 + timedelta(minutes=minutes), info or f"{code}@{minutes}"
    )


def test_import_inventory_happy_path_names_every_stage() -> None:
    codes = ["2", "3", "120", "300", "399", "500", "800", "899"]
    names = []
    state = initial_state(DocumentKind.IMPORT_INVENTORY)
    history: list = []
    for minute, code in enumerate(codes, start=1):
        decision = apply(state, history, event(code, minute))
        assert decision.outcome is Outcome.APPLIED and decision.legal
        state = decision.state
        history.append(decision.entry)
        names.append(state.name)
    assert names == [
        "submitted",
        "sent_to_customs",
        "customs_accepted",
        "manual_review",
        "examination_concluded",
        "inspection",
        "released",
        "closed",
    ]
    assert state.final and state.status.terminal


def test_manual_review_after_conclusion_is_stale() -> None:
    state, history = fold(DocumentKind.IMPORT_INVENTORY, [event("2", 1), event("120", 2), event("399", 4)])
    decision = apply(state, history, event("300", 3))
    assert decision.outcome is Outcome.STALE and decision.state == state


def test_duplicate_receipt_changes_nothing() -> None:
    state, history = fold(DocumentKind.IMPORT_INVENTORY, [event("2", 1), event("120", 2)])
    decision = apply(state, history, event("120", 2))
    assert decision.outcome is Outcome.DUPLICATE and decision.state == state


def test_same_status_at_a_later_time_is_unchanged_not_applied() -> None:
    state, history = fold(DocumentKind.IMPORT_INVENTORY, [event("2", 1)])
    decision = apply(state, history, event("2", 5, info="again"))
    assert decision.outcome is Outcome.UNCHANGED and decision.state.code == "2"


def test_a_skipped_stage_is_applied_but_flagged() -> None:
    state, history = fold(DocumentKind.IMPORT_INVENTORY, [event("2", 1)])
    decision = apply(state, history, event("800", 9))
    assert decision.outcome is Outcome.APPLIED and not decision.legal and decision.state.name == "released"


def test_rejection_and_refusal_and_format_rejection_are_terminal_exits() -> None:
    for code, name in (("100", "rejected"), ("refused", "refused"), ("format_rejected", "format_rejected")):
        state, _ = fold(DocumentKind.IMPORT_INVENTORY, [event("2", 1), event(code, 2)])
        assert state.name == name and state.final
    assert status_code(event("refused", 1)) == "refused"


def test_later_send_success_beats_an_earlier_send_failure_at_equal_rank() -> None:
    state, _ = fold(
        DocumentKind.ORDER, [event("4", 1, DocumentKind.ORDER), event("3", 2, DocumentKind.ORDER)]
    )
    assert state.name == "sent_to_customs"
    state, _ = fold(
        DocumentKind.ORDER, [event("3", 2, DocumentKind.ORDER), event("4", 1, DocumentKind.ORDER)]
    )
    assert state.name == "sent_to_customs"


def test_unknown_status_for_a_kind_is_recorded_and_ignored() -> None:
    state = initial_state(DocumentKind.ORDER)
    decision = apply(state, [], event("800", 1, DocumentKind.ORDER))
    assert decision.outcome is Outcome.UNKNOWN and decision.state == state


def test_summary_reaches_its_result_and_tax_bill_can_be_voided() -> None:
    state, _ = fold(
        DocumentKind.SUMMARY,
        [
            event("2", 1, DocumentKind.SUMMARY),
            event("399", 2, DocumentKind.SUMMARY),
            event("summary_result", 3),
        ],
    )
    assert state.name == "summary_result"
    state, _ = fold(
        DocumentKind.TAX_BILL, [event("1", 1, DocumentKind.TAX_BILL), event("3", 2, DocumentKind.TAX_BILL)]
    )
    assert state.name == "tax_voided"


def test_restart_after_rejection_ignores_receipts_of_the_first_attempt() -> None:
    state, history = fold(DocumentKind.IMPORT_INVENTORY, [event("2", 1), event("100", 3)])
    state = restart(state, T0 + timedelta(minutes=10))
    assert state.code == SENT and state.attempt == 2
    late = apply(state, history, event("120", 4))
    assert late.outcome is Outcome.STALE
    fresh = apply(state, history, event("2", 11))
    assert fresh.outcome is Outcome.APPLIED


# --- property: order and duplication never matter --------------------------------------------


@st.composite
def valid_walk(draw: st.DrawFn) -> tuple[DocumentKind, list[ReceiptEvent]]:
    kind = draw(st.sampled_from(list(DocumentKind)))
    spec = KINDS[kind]
    code, minute, events = SENT, 0, []
    for _ in range(draw(st.integers(1, 9))):
        targets = sorted(
            target
            for source, target in spec.edges
            if source == code and spec.statuses[target].rank >= spec.statuses[code].rank and target != SENT
        )
        if not targets:
            break
        code = draw(st.sampled_from(targets))
        minute += draw(st.integers(1, 30))
        events.append(event(code, minute, kind))
    return kind, events


@settings(max_examples=300, deadline=None)
@given(valid_walk(), st.randoms(use_true_random=False), st.data())
def test_any_permutation_or_duplication_ends_in_the_ordered_final_state(walk, rng, data) -> None:  # type: ignore[no-untyped-def]
    kind, events = walk
    ordered, _ = fold(kind, events)
    shuffled = list(events) + data.draw(st.lists(st.sampled_from(events), max_size=5)) if events else []
    rng.shuffle(shuffled)
    final, history = fold(kind, shuffled)
    assert (final.code, final.since) == (ordered.code, ordered.since)
    assert len([h for h in history if h.outcome is Outcome.APPLIED]) <= len(events)


@settings(max_examples=200, deadline=None)
@given(valid_walk(), st.randoms(use_true_random=False))
def test_a_document_never_moves_backwards(walk, rng) -> None:  # type: ignore[no-untyped-def]
    kind, events = walk
    shuffled = list(events)
    rng.shuffle(shuffled)
    state, history = initial_state(kind), []
    for item in shuffled:
        decision = apply(state, history, item)
        assert decision.state.rank >= state.rank
        state = decision.state
        history.append(decision.entry)


# --- cancellations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codes", "allowed"),
    [
        (["2"], False),
        (["2", "120"], True),
        (["2", "120", "300"], True),
        (["2", "120", "399"], True),
        (["2", "120", "399", "500"], False),
        (["2", "120", "399", "599"], False),
        (["2", "120", "399", "800"], True),
        (["2", "120", "399", "800", "899"], False),
        (["2", "100"], False),
    ],
)
def test_cancellation_is_allowed_only_in_the_states_customs_accepts(codes: list[str], allowed: bool) -> None:
    state, _ = fold(DocumentKind.IMPORT_INVENTORY, [event(c, i) for i, c in enumerate(codes, 1)])
    refusal = cancellation_refusal(state)
    assert (refusal is None) is allowed
    if refusal:
        assert refusal.code == CANCEL_NOT_ALLOWED


def test_approved_cancellation_moves_a_released_inventory_to_cancelled() -> None:
    cancel, _ = fold(
        DocumentKind.CANCELLATION,
        [event(c, i, DocumentKind.CANCELLATION) for i, c in enumerate(["2", "120", "399"], 1)],
    )
    assert cancellation_approved(cancel)
    inventory, history = fold(
        DocumentKind.IMPORT_INVENTORY, [event(c, i) for i, c in enumerate(["2", "120", "399", "800"], 1)]
    )
    decision = mark_cancelled(inventory, history, T0 + timedelta(hours=1))
    assert decision.state.name == "cancelled" and decision.legal
    stale_release = apply(decision.state, [*history, decision.entry], event("800", 90, info="late copy"))
    assert stale_release.outcome is Outcome.STALE


# --- returns --------------------------------------------------------------------------------------


def _inventory() -> Record:
    return Record(
        {"invtNo": "23072024I000000001"},
        [{"gnum": 1, "gcode": "1901101000", "gname": "奶粉", "unit": "122", "qty": Decimal("2")}],
    )


def _refund(qty: str) -> Record:
    return Record(
        {"invtNo": "23072024I000000001"},
        [{"gnum": 1, "gcode": "1901101000", "gname": "奶粉", "unit": "122", "qty": Decimal(qty)}],
    )


def _released() -> DocumentState:
    return DocumentState(DocumentKind.IMPORT_INVENTORY, "800", T0)


def test_return_window_is_thirty_days_after_the_release_day() -> None:
    released = datetime(2024, 5, 1, 9, 0, tzinfo=CUSTOMS_TZ)
    last = return_last_day(released)
    assert last.isoformat() == "2024-05-31"
    on_last = datetime(2024, 5, 31, 23, 59, tzinfo=CUSTOMS_TZ)
    day_after = datetime(2024, 6, 1, 0, 0, tzinfo=CUSTOMS_TZ)
    assert check_import_return(_released(), released, on_last, _refund("1"), _inventory()).allowed
    late = check_import_return(_released(), released, day_after, _refund("1"), _inventory())
    assert [i.code for i in late.issues] == [RETURN_WINDOW_PASSED]


def test_return_window_counts_beijing_days_not_utc_days() -> None:
    from datetime import UTC

    released = datetime(2024, 1, 31, 16, 30, tzinfo=UTC)  # 2024-02-01 00:30 in Beijing
    assert return_last_day(released).isoformat() == "2024-03-02"  # leap February
    applied = datetime(2024, 3, 2, 15, 59, tzinfo=UTC)  # 23:59 Beijing, still the last day
    assert check_import_return(_released(), released, applied, _refund("1"), _inventory()).allowed


def test_return_quantity_may_not_exceed_the_original_line_even_cumulatively() -> None:
    released = T0
    assert not check_import_return(_released(), released, T0, _refund("3"), _inventory()).allowed
    partial = check_import_return(_released(), released, T0, _refund("1"), _inventory(), {1: Decimal("1")})
    assert partial.allowed
    over = check_import_return(_released(), released, T0, _refund("2"), _inventory(), {1: Decimal("1")})
    assert [i.code for i in over.issues] == [RETURN_CUMULATIVE_QTY]


def test_return_needs_a_released_inventory() -> None:
    pending = DocumentState(DocumentKind.IMPORT_INVENTORY, "399", T0)
    result = check_import_return(pending, None, T0, _refund("1"), _inventory())
    assert [i.code for i in result.issues] == [RETURN_NOT_RELEASED]


def test_export_return_lines_must_match_and_not_exceed_the_original() -> None:
    closed = DocumentState(DocumentKind.EXPORT_INVENTORY, "899", T0)
    original = Record({}, [{"gnum": 1, "gcode": "3926909090", "qty": Decimal("2"), "qty1": Decimal("0.1")}])
    ok = Record({}, [{"gnum": 1, "gcode": "3926909090", "qty": Decimal("1"), "qty1": Decimal("0.05")}])
    too_many = Record({}, [{"gnum": 1, "gcode": "3926909090", "qty": Decimal("3"), "qty1": Decimal("0.05")}])
    assert check_export_return(closed, ok, original).allowed
    assert not check_export_return(closed, too_many, original).allowed
    assert not check_export_return(DocumentState(DocumentKind.EXPORT_INVENTORY, "120"), ok, original).allowed
