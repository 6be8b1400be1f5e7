"""Export credit insurance rules: the declaration deadline (working days), reminders, buyer matching,
exposure — pure, computed by hand; and a property test of the working-day rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.payments.insurance import rules
from shared.workdays import add_working_days, is_working_day

D = dt.date
# National Day 2026 as the State Council set it: 1–7 October.
NATIONAL_DAY = [D(2026, 10, d) for d in range(1, 8)]


def test_five_working_days_over_a_weekend() -> None:
    # Thu 2026-11-05 → Fri 6 (1), Mon 9 (2), Tue 10 (3), Wed 11 (4), Thu 12 (5).
    assert rules.due_on(D(2026, 11, 5), 5, []) == D(2026, 11, 12)


def test_five_working_days_over_national_day() -> None:
    # Wed 2026-09-30 → 1–7 Oct off → Thu 8 (1), Fri 9 (2), Mon 12 (3), Tue 13 (4), Wed 14 (5).
    assert rules.due_on(D(2026, 9, 30), 5, NATIONAL_DAY) == D(2026, 10, 14)


def test_a_shipment_on_a_saturday_counts_from_monday() -> None:
    # Sat 2026-11-07 → Mon 9 (1) … Fri 13 (5).
    assert rules.due_on(D(2026, 11, 7), 5, []) == D(2026, 11, 13)


def test_reminders_the_working_day_before_on_the_day_and_after() -> None:
    due = D(2026, 10, 14)
    assert rules.reminder_stage(due, D(2026, 10, 12), NATIONAL_DAY) is None
    assert rules.reminder_stage(due, D(2026, 10, 13), NATIONAL_DAY) == "before"
    assert rules.reminder_stage(due, D(2026, 10, 14), NATIONAL_DAY) == "due"
    assert rules.reminder_stage(due, D(2026, 10, 15), NATIONAL_DAY) == "overdue"
    # Due on a Monday: the reminder comes on the Friday before.
    assert rules.reminder_stage(D(2026, 11, 16), D(2026, 11, 13), []) == "before"
    assert rules.reminder_stage(D(2026, 11, 16), D(2026, 11, 12), []) is None


def test_a_prepared_declaration_past_its_deadline_is_overdue() -> None:
    assert rules.effective_status("prepared", D(2026, 10, 14), D(2026, 10, 15)) == "overdue"
    assert rules.effective_status("prepared", D(2026, 10, 14), D(2026, 10, 14)) == "prepared"
    assert rules.effective_status("submitted", D(2026, 10, 14), D(2026, 10, 20)) == "submitted"


def _limit(
    limit_id: str, code: str, name: str, country: str = "502", status: str = "approved"
) -> rules.LimitCandidate:
    return rules.LimitCandidate(limit_id, code, name, country, D(2026, 1, 1), D(2026, 12, 31), status)


def test_the_buyer_is_matched_by_code_else_by_name_in_its_country() -> None:
    limits = [_limit("a", "USA/C1", "Acme Imports LLC"), _limit("b", "GBR/C2", "Brit Co Ltd", "303")]
    shipped = D(2026, 6, 1)
    assert rules.match_limit(limits, "usa/c1", None, "502", shipped) == "a"
    assert rules.match_limit(limits, None, "ACME imports, L.L.C.", "502", shipped) == "a"
    assert rules.match_limit(limits, "USA/C1", None, "303", shipped) is None  # another country
    assert rules.match_limit(limits, "USA/C9", "Acme Imports LLC", "502", shipped) is None  # code decides
    assert rules.match_limit(limits, "USA/C1", None, "502", D(2027, 1, 1)) is None  # limit expired
    assert (
        rules.match_limit([_limit("c", "USA/C1", "Acme", status="suspended")], "USA/C1", None, "502", shipped)
        is None
    )
    assert rules.match_limit(limits, None, None, "502", shipped) is None


def test_the_shipment_that_takes_exposure_beyond_the_limit_is_flagged() -> None:
    items = [
        rules.Exposed("d1", D(2026, 6, 1), Decimal("30000.00")),
        rules.Exposed("d2", D(2026, 6, 2), Decimal("25000.00")),
        rules.Exposed("d0", D(2026, 5, 1), Decimal("0")),  # paid: no exposure
    ]
    total, beyond = rules.exposure(Decimal("50000"), items)
    assert total == Decimal("55000.00") and beyond == {"d2"}
    total, beyond = rules.exposure(Decimal("55000"), items)
    assert beyond == set()


@given(
    start=st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31)),
    days=st.integers(min_value=1, max_value=30),
    holidays=st.sets(st.dates(min_value=D(2020, 1, 1), max_value=D(2036, 3, 31)), max_size=60),
)
def test_the_deadline_is_always_exactly_n_working_days_later_and_never_a_weekend(
    start: dt.date, days: int, holidays: set[dt.date]
) -> None:
    due = add_working_days(start, days, holidays)
    assert due.weekday() < 5 and due not in holidays
    between = [start + dt.timedelta(days=n) for n in range(1, (due - start).days + 1)]
    assert sum(is_working_day(day, holidays) for day in between) == days
