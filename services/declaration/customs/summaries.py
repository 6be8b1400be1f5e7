"""9610 export monthly summaries (汇总申报, CEB701): preview, submit, status, reminders.

The rules are the pure library's (:mod:`.core.summaries`): a month's export
inventories that customs closed (899, or released 800 with ``customs_summary_basis``
``released``) in that Beijing month, of the summarised trade modes (9610) and
statistics flags (B 汇总申报; A 简化申报 needs no summary — inferred, a setting),
grouped by declaring customs, agent and consignor (``summaryFlag`` 1) or consignor and
producer (2), split into messages of ≤ 100 inventories sharing ``copNo``
(``msgCount``/``msgSeqNo`` 1…n).

* **Preview** builds the applications for the caller's inventories not yet in a live
  summary, and the CEB701 messages they would be — nothing is stored.
* **Submit** files those messages through the intake, as if the enterprise had sent
  them (ownership, rules, duplicates, the inventory checks of :mod:`.references`), so
  they become documents the exchange sends; CEB702 gives each part its ``sumNo`` and
  CEB792 links the declaration back (``entryId`` per inventory, ``gseqno`` per line).
* **Reminders**: from the 10th of the following month, a party whose inventories of the
  month are not all in a live summary gets a ``SummaryApplicationDue`` event
  (``remind``), and after the 15th another (``overdue``) — each once
  (``customs_summary_reminders``), by the background task's periodic check.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.ceb.catalogue import spec_for
from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.json_codec import message_to_json
from services.declaration.ceb.model import CebMessage
from services.declaration.ceb.receipts import new_guid
from services.declaration.customs import references
from services.declaration.customs.core.summaries import (
    ExportInventory,
    Month,
    ReminderStatus,
    SummaryApplication,
    SummaryBasis,
    SummaryParty,
    build_applications,
    deadline,
    reminder_status,
    to_messages,
)
from services.declaration.customs.repository import CUSTOMS_DOCUMENTS, CustomsStateRepository
from services.declaration.documents.records import typed_record
from services.declaration.settings import DeclarationSettings
from shared.events.declaration import SummaryApplicationDue
from shared.kit.pagination import Keyset, PageRequest, page_of
from shared.messaging.outbox import EventPublisher

#: The order of a month's inventories: by customs number (then document, for ties).
MONTH_ORDER = Keyset(
    [CUSTOMS_DOCUMENTS.c.invt_no, CUSTOMS_DOCUMENTS.c.document_id], ["str", "str"], descending=False
)


@dataclass(frozen=True)
class MonthInventory:
    """An export inventory of the month with what the summary needs to know about it."""

    inventory: ExportInventory
    document_id: str
    party_id: str
    summary_id: str | None


def parse_month(text: str) -> Month:
    """``2026-11`` → Month (ValueError otherwise)."""
    year, _, month = text.partition("-")
    if not (year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= int(month) <= 12):
        raise ValueError("month is YYYY-MM")
    return Month(int(year), int(month))


def month_bounds(month: Month) -> tuple[datetime, datetime]:
    """[start, end) of a Beijing month as aware datetimes."""
    start = datetime.combine(month.day(1), time(0), tzinfo=CUSTOMS_TZ)
    following = month.next()
    return start, datetime.combine(following.day(1), time(0), tzinfo=CUSTOMS_TZ)


async def month_inventories(
    session: AsyncSession, settings: DeclarationSettings, month: Month, party_id: str | None = None
) -> list[MonthInventory]:
    """The month's summarisable export inventories (of one party, or all), oldest first."""
    start, end = month_bounds(month)
    basis = SummaryBasis(settings.customs_summary_basis)
    rows = await CustomsStateRepository.from_session(session).month_inventories(
        basis is SummaryBasis.CLOSED, start, end, party_id
    )
    spec = spec_for("CEB603")
    assert spec is not None
    found = []
    live = await references.summarised_elsewhere(session, [row[0].document_id for row in rows])
    for customs, body, mode in rows:
        head = body.get("head", {})
        if mode not in settings.customs_summary_trade_modes:
            continue
        if head.get("statisticsFlag") not in settings.customs_summary_statistics_flags:
            continue
        record = typed_record(spec, body)
        inventory = ExportInventory.from_record(
            record, str(customs.invt_no), customs.released_at, customs.closed_at
        )
        found.append(
            MonthInventory(inventory, customs.document_id, customs.party_id, live.get(customs.document_id))
        )
    return found


@dataclass(frozen=True)
class SummaryRequest:
    """What the enterprise asks for."""

    month: Month
    summary_flag: str
    item_name_flag: str
    decl_agent_code: str
    decl_agent_name: str


def applications_for(
    settings: DeclarationSettings,
    inventories: Sequence[MonthInventory],
    request: SummaryRequest,
    now: datetime,
) -> list[SummaryApplication]:
    """The applications for the inventories not yet in a live summary."""
    pending = [item.inventory for item in inventories if item.summary_id is None]
    prefix = "SUM" + now.astimezone(CUSTOMS_TZ).strftime("%d%H%M%S")
    return build_applications(
        pending,
        request.month,
        request.summary_flag,
        request.item_name_flag,
        SummaryBasis(settings.customs_summary_basis),
        cop_no_prefix=prefix,
    )


def messages_for(
    settings: DeclarationSettings,
    applications: Sequence[SummaryApplication],
    request: SummaryRequest,
    now: datetime,
) -> list[CebMessage]:
    """The CEB701 messages of the applications (one per part)."""
    party = SummaryParty(request.decl_agent_code, request.decl_agent_name)
    messages = []
    for application in applications:
        transfer: dict[str, str | int | Decimal] = {
            "copCode": application.key.agent_code,
            "copName": application.inventories[0].agent_name or application.key.agent_code,
            "dxpMode": "DXP",
            "dxpId": settings.customs_dxp_sender_id,
        }
        messages += to_messages(application, party, now, transfer, new_guid)
    return messages


def application_view(application: SummaryApplication, messages: Sequence[CebMessage]) -> dict[str, Any]:
    """JSON view of one application and its message parts."""
    key = application.key
    return {
        "copNo": application.cop_no,
        "customsCode": key.customs_code,
        "agentCode": key.agent_code,
        "ebcCode": key.ebc_code,
        "ownerCode": key.owner_code,
        "summaryFlag": application.summary_flag,
        "itemNameFlag": application.item_name_flag or None,
        "msgCount": application.msg_count,
        "inventories": [inv.invt_no for inv in application.inventories],
        "messages": [
            message_to_json(m) for m in messages if m.records[0].head.get("copNo") == application.cop_no
        ],
    }


def deadline_view(month: Month, now: datetime, applied: bool) -> dict[str, Any]:
    """Due date, reminder start and where the enterprise stands."""
    limits = deadline(month)
    return {
        "month": f"{month.year:04d}-{month.month:02d}",
        "reminderFrom": limits.reminder_from.isoformat(),
        "dueOn": limits.due_on.isoformat(),
        "status": reminder_status(month, now, applied).value,
    }


async def results_by_inventory(
    session: AsyncSession, inventory_ids: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """CEB792 links per inventory: declaration number and line numbers."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in await CustomsStateRepository.from_session(session).summary_lines_of(inventory_ids):
        found[line.inventory_id or ""].append(
            {"sumNo": line.sum_no, "entryId": line.entry_id, "gnum": line.gnum, "gseqno": line.gseqno}
        )
    return found


async def status_page(
    session: AsyncSession,
    settings: DeclarationSettings,
    month: Month,
    party_id: str,
    page: PageRequest,
    now: datetime,
) -> dict[str, Any]:
    """A page of the party's summarisable inventories of a month, which summary holds each and
    their CEB792 declarations, with the deadline and how many are still pending (of all pages)."""
    items = await month_inventories(session, settings, month, party_id)
    pending = sum(1 for item in items if item.summary_id is None)
    ordered = sorted(items, key=_month_key)
    if page.cursor is not None:
        after = MONTH_ORDER.decode(page.cursor, page.parameter)
        ordered = [item for item in ordered if _month_key(item) > after]
    shown, next_cursor = page_of(ordered[: page.limit + 1], page, MONTH_ORDER, _month_key)
    links = await results_by_inventory(session, [item.document_id for item in shown])
    return {
        **deadline_view(month, now, applied=not pending),
        "items": [
            {
                "documentId": item.document_id,
                "invtNo": item.inventory.invt_no,
                "summaryId": item.summary_id,
                "declarations": links.get(item.document_id, []),
            }
            for item in shown
        ],
        "next_cursor": next_cursor,
        "pending": pending,
    }


def _month_key(item: MonthInventory) -> tuple[str, str]:
    return (item.inventory.invt_no, item.document_id)


# --- reminders --------------------------------------------------------------------------------------


async def check_reminders(
    session: AsyncSession, settings: DeclarationSettings, publisher: EventPublisher, now: datetime
) -> int:
    """Remind (from the 10th) or flag overdue (after the 15th) last month's unsummarised groups."""
    month = previous_month(Month.of(now))
    state = reminder_status(month, now, applied=False)
    if state not in (ReminderStatus.REMIND, ReminderStatus.OVERDUE):
        return 0
    groups: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for item in await month_inventories(session, settings, month):
        if item.summary_id is None:
            inv = item.inventory
            groups[(item.party_id, inv.customs_code, inv.agent_code, inv.ebc_code)] += 1
    if not groups:
        return 0
    label = f"{month.year:04d}-{month.month:02d}"
    keys = {group: f"{label}|{state.value}|{'|'.join(group)}"[:255] for group in groups}
    repository = CustomsStateRepository.from_session(session)
    given = await repository.reminders_given(keys.values())
    due_on = deadline(month).due_on
    rows, events = [], []
    for group, count in sorted(groups.items()):
        if keys[group] in given:
            continue
        party_id, customs_code, agent_code, ebc_code = group
        rows.append(
            {
                "reminder_key": keys[group],
                "party_id": party_id,
                "month": label,
                "kind": state.value,
                "inventories": count,
                "sent_at": now,
            }
        )
        events.append(
            (
                SummaryApplicationDue(
                    party_id=party_id,
                    month=label,
                    status=state.value,  # type: ignore[arg-type]
                    due_on=due_on,
                    customs_code=customs_code,
                    agent_code=agent_code,
                    ebc_code=ebc_code,
                    inventories=count,
                    occurred_at=now,
                ),
                f"summary:{party_id}:{label}",
            )
        )
    if rows:
        await repository.add_reminders(rows)
        await publisher.stage_many(session, events)
    return len(rows)


def previous_month(month: Month) -> Month:
    """The month before ``month``."""
    return Month(month.year - (month.month == 1), 12 if month.month == 1 else month.month - 1)


__all__ = [
    "MonthInventory",
    "SummaryRequest",
    "application_view",
    "applications_for",
    "check_reminders",
    "deadline_view",
    "messages_for",
    "month_inventories",
    "parse_month",
    "previous_month",
    "results_by_inventory",
    "status_page",
]
