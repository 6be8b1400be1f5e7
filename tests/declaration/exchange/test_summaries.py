"""9610 export monthly summaries: grouping, splitting at 100, due and reminder dates, CEB792 linking."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.model import CebMessage, Record
from services.declaration.ceb.xml_codec import validate_model
from services.declaration.customs.core.summaries import (
    ExportInventory,
    ExportLine,
    Month,
    ReminderStatus,
    SummaryBasis,
    SummaryParty,
    build_applications,
    deadline,
    link_results,
    merge_lines,
    reminder_status,
    to_messages,
)

JAN = Month(2024, 1)
TRANSFER = {
    "copCode": "3207960002",
    "copName": "点点通测试电商",
    "dxpMode": "DXP",
    "dxpId": "DXPENT0000000001",
}


def inventory(
    n: int, ebc: str = "3207960002", owner: str = "3207960010", closed: datetime | None = None
) -> ExportInventory:
    return ExportInventory(
        invt_no=f"2307202400E{n:09d}",
        cop_no=f"C{n}",
        customs_code="2307",
        agent_code="3207960005",
        agent_name="测试报关行",
        ebc_code=ebc,
        ebc_name="电商",
        owner_code=owner,
        logistics_no=f"L{n}",
        gross_weight=Decimal("1.5"),
        net_weight=Decimal("1.2"),
        lines=(ExportLine(1, "6109100021", "T恤", "502", "142", "011", Decimal("2"), Decimal("100")),),
        released_at=closed,
        closed_at=closed or datetime(2024, 1, 15, 12, tzinfo=CUSTOMS_TZ),
    )


@pytest.mark.parametrize(
    ("count", "parts"),
    [(1, [1]), (99, [99]), (100, [100]), (101, [100, 1]), (200, [100, 100]), (201, [100, 100, 1])],
)
def test_an_application_splits_into_messages_of_at_most_100_inventories(count: int, parts: list[int]) -> None:
    [application] = build_applications([inventory(n) for n in range(count)], JAN)
    assert [len(part) for part in application.parts] == parts
    messages = to_messages(
        application,
        SummaryParty("3207960005", "测试报关行"),
        datetime(2024, 2, 5, tzinfo=CUSTOMS_TZ),
        TRANSFER,
        _guids(),
    )
    heads = [m.records[0].head for m in messages]
    assert [h["msgSeqNo"] for h in heads] == list(range(1, len(parts) + 1))
    assert {h["msgCount"] for h in heads} == {len(parts)} and {h["copNo"] for h in heads} == {
        application.cop_no
    }
    assert all(not validate_model(m) for m in messages)


def _guids():  # type: ignore[no-untyped-def]
    counter = iter(range(10**6))
    return lambda: f"DDT00000-0000-4000-8000-{next(counter):012d}"


def test_summary_flag_1_groups_by_consignor_and_2_by_consignor_and_producer() -> None:
    members = [inventory(1, "A", "P1"), inventory(2, "A", "P2"), inventory(3, "B", "P1")]
    by_consignor = build_applications(members, JAN, summary_flag="1")
    assert sorted(len(a.inventories) for a in by_consignor) == [1, 2]
    by_producer = build_applications(members, JAN, summary_flag="2")
    assert sorted((a.key.ebc_code, a.key.owner_code) for a in by_producer) == [
        ("A", "P1"),
        ("A", "P2"),
        ("B", "P1"),
    ]


def test_month_membership_uses_beijing_time_and_the_chosen_basis() -> None:
    edge_utc = datetime(2024, 1, 31, 16, 30, tzinfo=UTC)  # 2024-02-01 00:30 in Beijing
    late = inventory(1, closed=edge_utc)
    assert build_applications([late], JAN) == []
    assert build_applications([late], Month(2024, 2))
    released_only = ExportInventory(
        **{
            **inventory(2).__dict__,
            "closed_at": None,
            "released_at": datetime(2024, 1, 20, tzinfo=CUSTOMS_TZ),
        }
    )
    assert build_applications([released_only], JAN) == []
    assert build_applications([released_only], JAN, basis=SummaryBasis.RELEASED)


@pytest.mark.parametrize(
    ("month", "reminder", "due"),
    [(Month(2024, 1), "2024-02-10", "2024-02-15"), (Month(2024, 12), "2025-01-10", "2025-01-15")],
)
def test_due_on_the_15th_of_the_following_month_with_reminders_from_the_10th(
    month: Month, reminder: str, due: str
) -> None:
    limits = deadline(month)
    assert (limits.reminder_from.isoformat(), limits.due_on.isoformat()) == (reminder, due)
    assert limits.due_at == datetime.fromisoformat(due).replace(tzinfo=CUSTOMS_TZ) + (
        limits.due_at - datetime.fromisoformat(due).replace(tzinfo=CUSTOMS_TZ)
    )


@pytest.mark.parametrize(
    ("moment", "applied", "expected"),
    [
        (datetime(2024, 2, 9, 23, 59, tzinfo=CUSTOMS_TZ), False, ReminderStatus.NOT_YET),
        (datetime(2024, 2, 9, 16, 0, tzinfo=UTC), False, ReminderStatus.REMIND),  # 2024-02-10 00:00 Beijing
        (datetime(2024, 2, 15, 23, 59, tzinfo=CUSTOMS_TZ), False, ReminderStatus.REMIND),
        (datetime(2024, 2, 16, 0, 0, tzinfo=CUSTOMS_TZ), False, ReminderStatus.OVERDUE),
        (datetime(2024, 2, 12, tzinfo=CUSTOMS_TZ), True, ReminderStatus.DONE),
    ],
)
def test_reminder_status_at_the_edges(moment: datetime, applied: bool, expected: ReminderStatus) -> None:
    assert reminder_status(JAN, moment, applied) is expected


def test_lines_merge_by_hs_code_and_optionally_by_item_name() -> None:
    first = inventory(1)
    second = ExportInventory(
        **{
            **inventory(2).__dict__,
            "lines": (ExportLine(1, "6109100021", "衬衫", "502", "142", "011", Decimal("1"), Decimal("50")),),
        }
    )
    assert len(merge_lines([first, second], "")) == 1
    merged = merge_lines([first, second], "1")
    assert [m.gseqno for m in merged] == [1, 2]


def test_ceb792_results_link_entry_ids_and_line_numbers_back() -> None:
    [application] = build_applications([inventory(1), inventory(2), inventory(3)], JAN)
    head = {
        "sumNo": "S20240205000000001",
        "entryId": "230720240000000001",
        "declSeqNo": "S20240205000000002",
        "decState": "A",
    }
    lines = [
        {
            "invtNo": inventory(n).invt_no,
            "logisticsNo": f"L{n}",
            "gseqno": 1,
            "gnum": 1,
            "gcode": "6109100021",
        }
        for n in (1, 2)
    ]
    result = CebMessage("CEB792", "G", "1.0", [Record(head, lines)])  # type: ignore[arg-type]
    report = link_results([result], application)
    assert [(i.invt_no, i.entry_id, dict(i.line_gseqno)) for i in report.inventories] == [
        (inventory(1).invt_no, "230720240000000001", {1: 1}),
        (inventory(2).invt_no, "230720240000000001", {1: 1}),
    ]
    assert report.missing == (inventory(3).invt_no,) and report.unexpected == ()
