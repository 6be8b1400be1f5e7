"""9610 export monthly summaries (CEB701 汇总申请单) and linking CEB792 results back.

Rules (customs-domain.md §4.2, CEB701/CEB792 annotations):

* Inputs are the month's export inventories with customs state 899 (结关) —
  the quoted rule "汇总上月结关的…申报清单" — or, with
  :attr:`SummaryBasis.RELEASED`, 800 (放行) as well, dated by the chosen event
  in Beijing time.
* **Grouping.** One application covers one declaring customs (``customsCode``)
  and one declaring enterprise (``agentCode``), because the CEB701 head has
  exactly one of each; within that, ``summaryFlag`` 1 groups by consignor
  (收发货人 = the e-commerce enterprise, ``ebcCode`` — CEB792 calls it
  "收发货人（电商企业）"), 2 by consignor **and** producer/seller
  (生产销售单位, CEB603 ``ownerCode``).  CEB701 has no ownerCode field, so
  producer grouping is expressed by sending one application per producer.
  ``itemNameFlag`` 1 asks customs to merge lines by the inventories' original
  item name, blank ("0" on the wire, see :data:`ITEM_NAME_FLAG_OFF`) by
  商品综合分类名; it does not change which inventories go together, only
  :func:`merge_lines` (the simulator's CEB792 lines).
* **Splitting.** An application lists at most :data:`MAX_INVENTORIES_PER_MESSAGE`
  (100) inventories per message; a larger one becomes several CEB701
  messages sharing ``copNo`` with ``msgCount`` = n and ``msgSeqNo`` 1…n
  (consecutive, "不得跳号"); an unsplit one carries 1/1 (the XSD requires both).
* **Deadline.** Due by the 15th of the following month (Beijing time, end of
  that day); a reminder is due from the 10th for a (customs, agent, consignor)
  that has not applied; after the 15th it is overdue.
* **Results.** CEB792 carries ``sumNo`` (also on the CEB702 that accepted the
  application), ``entryId`` (报关单号) and per inventory line the ``gseqno`` of
  the declaration line: :func:`link_results` maps them back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

from services.declaration.ceb.customs_time import CUSTOMS_TZ, format_customs_time
from services.declaration.ceb.model import CebMessage, Fields, Record
from services.declaration.ceb.xsd_fields import TimeFormat

MAX_INVENTORIES_PER_MESSAGE = 100
ITEM_NAME_FLAG_OFF = "0"
"""The annotation says "不填" (leave blank) for grouping by 商品综合分类名, but the
XSD makes ``itemNameFlag`` required with length 1, so a blank is not
schema-valid; we write "0" (any value but 1 means "not by item name").
UNVERIFIED against a real e-port; change here if customs expects otherwise."""
DUE_DAY = 15
REMINDER_DAY = 10


class SummaryBasis(StrEnum):
    """Which inventories count for a month."""

    CLOSED = "closed"
    """899 结关 in the month (the quoted rule)."""
    RELEASED = "released"
    """800 放行 in the month (closed ones included), for ports that summarise on release."""


@dataclass(frozen=True)
class ExportLine:
    """One inventory line as the summary needs it."""

    gnum: int
    gcode: str
    item_name: str
    country: str
    currency: str
    unit: str
    qty: Decimal
    total_price: Decimal


@dataclass(frozen=True)
class ExportInventory:
    """An export inventory (CEB603) with its customs numbers and times."""

    invt_no: str
    cop_no: str
    customs_code: str
    agent_code: str
    agent_name: str
    ebc_code: str
    ebc_name: str
    owner_code: str
    logistics_no: str
    gross_weight: Decimal
    net_weight: Decimal
    lines: tuple[ExportLine, ...]
    released_at: datetime | None = None
    closed_at: datetime | None = None

    @classmethod
    def from_record(
        cls, record: Record, invt_no: str, released_at: datetime | None, closed_at: datetime | None
    ) -> ExportInventory:
        """Build from a CEB603 record plus what the receipts told us."""
        head = record.head
        return cls(
            invt_no=invt_no,
            cop_no=_s(head, "copNo"),
            customs_code=_s(head, "customsCode"),
            agent_code=_s(head, "agentCode"),
            agent_name=_s(head, "agentName"),
            ebc_code=_s(head, "ebcCode"),
            ebc_name=_s(head, "ebcName"),
            owner_code=_s(head, "ownerCode"),
            logistics_no=_s(head, "logisticsNo"),
            gross_weight=_d(head, "grossWeight"),
            net_weight=_d(head, "netWeight"),
            lines=tuple(
                ExportLine(
                    gnum=int(line.get("gnum", 0)),
                    gcode=_s(line, "gcode"),
                    item_name=_s(line, "itemName") or _s(line, "gname"),
                    country=_s(line, "country"),
                    currency=_s(line, "currency"),
                    unit=_s(line, "unit"),
                    qty=_d(line, "qty"),
                    total_price=_d(line, "totalPrice"),
                )
                for line in record.lines
            ),
            released_at=released_at,
            closed_at=closed_at,
        )


@dataclass(frozen=True)
class Month:
    """A calendar month in Beijing time."""

    year: int
    month: int

    @classmethod
    def of(cls, moment: datetime) -> Month:
        """The Beijing month a moment falls in."""
        local = moment.astimezone(CUSTOMS_TZ)
        return cls(local.year, local.month)

    def next(self) -> Month:
        """The following month."""
        return Month(self.year + (self.month == 12), 1 if self.month == 12 else self.month + 1)

    def day(self, number: int) -> date:
        """A day of this month."""
        return date(self.year, self.month, number)

    def contains(self, moment: datetime) -> bool:
        """True when ``moment`` falls in this month (Beijing time)."""
        return Month.of(moment) == self


@dataclass(frozen=True)
class SummaryDeadline:
    """When the summary of ``month`` is due, and when reminders start."""

    month: Month
    reminder_from: date
    due_on: date

    @property
    def due_at(self) -> datetime:
        """End of the due day in Beijing: the first instant that is late."""
        return datetime.combine(self.due_on + timedelta(days=1), time(0), tzinfo=CUSTOMS_TZ)


class ReminderStatus(StrEnum):
    """Where an enterprise stands for one month."""

    NOT_YET = "not_yet"
    REMIND = "remind"
    OVERDUE = "overdue"
    DONE = "done"


def deadline(month: Month) -> SummaryDeadline:
    """Due by the 15th of the following month; reminders from the 10th."""
    following = month.next()
    return SummaryDeadline(month, following.day(REMINDER_DAY), following.day(DUE_DAY))


def reminder_status(month: Month, now: datetime, applied: bool) -> ReminderStatus:
    """Whether to remind an enterprise about ``month`` at ``now`` (Beijing calendar)."""
    if applied:
        return ReminderStatus.DONE
    limits = deadline(month)
    today = now.astimezone(CUSTOMS_TZ).date()
    if today > limits.due_on:
        return ReminderStatus.OVERDUE
    if today >= limits.reminder_from:
        return ReminderStatus.REMIND
    return ReminderStatus.NOT_YET


def in_month(inventory: ExportInventory, month: Month, basis: SummaryBasis = SummaryBasis.CLOSED) -> bool:
    """Does the inventory belong to ``month``'s summary?"""
    moment = (
        inventory.closed_at
        if basis is SummaryBasis.CLOSED
        else (inventory.released_at or inventory.closed_at)
    )
    return moment is not None and month.contains(moment)


@dataclass(frozen=True)
class GroupKey:
    """What one application covers."""

    customs_code: str
    agent_code: str
    ebc_code: str
    owner_code: str | None


@dataclass(frozen=True)
class SummaryApplication:
    """One logical application, split into message parts of ≤ 100 inventories."""

    key: GroupKey
    cop_no: str
    summary_flag: str
    item_name_flag: str
    parts: tuple[tuple[ExportInventory, ...], ...]

    @property
    def msg_count(self) -> int:
        """Number of CEB701 messages."""
        return len(self.parts)

    @property
    def inventories(self) -> tuple[ExportInventory, ...]:
        """Every inventory of the application, in order."""
        return tuple(inventory for part in self.parts for inventory in part)


@dataclass(frozen=True)
class SummaryParty:
    """The application's named parties (names for the head; codes come from the inventories)."""

    decl_agent_code: str
    decl_agent_name: str


def group_key(inventory: ExportInventory, summary_flag: str) -> GroupKey:
    """The grouping key under ``summaryFlag`` 1 (consignor) or 2 (consignor and producer)."""
    if summary_flag not in ("1", "2"):
        raise ValueError("summaryFlag is 1 or 2")
    owner = inventory.owner_code if summary_flag == "2" else None
    return GroupKey(inventory.customs_code, inventory.agent_code, inventory.ebc_code, owner)


def build_applications(
    inventories: Iterable[ExportInventory],
    month: Month,
    summary_flag: str = "1",
    item_name_flag: str = "",
    basis: SummaryBasis = SummaryBasis.CLOSED,
    cop_no_prefix: str = "SUM",
    max_per_message: int = MAX_INVENTORIES_PER_MESSAGE,
) -> list[SummaryApplication]:
    """Group the month's inventories and split each group into ≤ ``max_per_message`` parts.

    Order is deterministic (groups by key, inventories by invtNo) so a rebuilt
    application after a crash is identical.  ``copNo`` is
    ``{prefix}{yyyymm}{n:04d}`` per group (≤ 30 chars, the XSD limit).
    """
    if item_name_flag not in ("", ITEM_NAME_FLAG_OFF, "1"):
        raise ValueError("itemNameFlag is 1 or blank")
    groups: dict[GroupKey, list[ExportInventory]] = defaultdict(list)
    seen: set[str] = set()
    for inventory in inventories:
        if not in_month(inventory, month, basis) or inventory.invt_no in seen:
            continue
        seen.add(inventory.invt_no)
        groups[group_key(inventory, summary_flag)].append(inventory)
    applications = []
    for number, key in enumerate(
        sorted(groups, key=lambda k: (k.customs_code, k.agent_code, k.ebc_code, k.owner_code or "")), 1
    ):
        members = sorted(groups[key], key=lambda inv: inv.invt_no)
        parts = tuple(
            tuple(members[i : i + max_per_message]) for i in range(0, len(members), max_per_message)
        )
        cop_no = f"{cop_no_prefix}{month.year:04d}{month.month:02d}{number:04d}"
        applications.append(SummaryApplication(key, cop_no, summary_flag, item_name_flag, parts))
    return applications


def to_messages(
    application: SummaryApplication,
    party: SummaryParty,
    now: datetime,
    base_transfer: Fields,
    guid_factory: Callable[[], str],
) -> list[CebMessage]:
    """One CEB701 message per part, ``msgCount``/``msgSeqNo`` consecutive from 1."""
    factory = guid_factory
    first = application.inventories[0]
    messages = []
    for sequence, part in enumerate(application.parts, 1):
        head: Fields = {
            "guid": factory(),
            "appType": "1",
            "appTime": format_customs_time(now, TimeFormat.DATETIME),
            "appStatus": "2",
            "customsCode": application.key.customs_code,
            "copNo": application.cop_no,
            "agentCode": application.key.agent_code,
            "agentName": first.agent_name,
            "ebcCode": application.key.ebc_code,
            "ebcName": first.ebc_name,
            "declAgentCode": party.decl_agent_code,
            "declAgentName": party.decl_agent_name,
            "summaryFlag": application.summary_flag,
            "itemNameFlag": "1" if application.item_name_flag == "1" else ITEM_NAME_FLAG_OFF,
            "msgCount": application.msg_count,
            "msgSeqNo": sequence,
        }
        lines: list[Fields] = [{"invtNo": inventory.invt_no} for inventory in part]
        messages.append(
            CebMessage("CEB701", factory(), "1.0", [Record(head, lines)], base_transfer=dict(base_transfer))
        )
    return messages


@dataclass(frozen=True)
class MergedLine:
    """One predicted declaration line and the inventory lines merged into it."""

    gseqno: int
    gcode: str
    item_name: str | None
    country: str
    currency: str
    unit: str
    qty: Decimal
    total_price: Decimal
    members: tuple[tuple[str, int], ...]


def merge_lines(inventories: Sequence[ExportInventory], item_name_flag: str) -> list[MergedLine]:
    """Merge inventory lines into declaration lines, numbered ``gseqno`` from 1.

    Lines merge when HS code, final destination country, currency and unit
    agree and — with itemNameFlag 1 — the original item name too.  The HS /
    country / currency keys follow the (UNVERIFIED, customs-domain.md §4.2)
    2018 No.194 merge rule; without itemNameFlag customs merges by its own
    commodity classification name, which we approximate by the HS code.
    """
    merged: dict[tuple[str, str | None, str, str, str], list[tuple[ExportInventory, ExportLine]]] = {}
    for inventory in inventories:
        for line in inventory.lines:
            key = (
                line.gcode,
                line.item_name if item_name_flag == "1" else None,
                line.country,
                line.currency,
                line.unit,
            )
            merged.setdefault(key, []).append((inventory, line))
    result = []
    for gseqno, (key, members) in enumerate(merged.items(), 1):
        result.append(
            MergedLine(
                gseqno=gseqno,
                gcode=key[0],
                item_name=key[1],
                country=key[2],
                currency=key[3],
                unit=key[4],
                qty=sum((line.qty for _, line in members), Decimal(0)),
                total_price=sum((line.total_price for _, line in members), Decimal(0)),
                members=tuple((inventory.invt_no, line.gnum) for inventory, line in members),
            )
        )
    return result


@dataclass(frozen=True)
class InventoryDeclaration:
    """What a CEB792 says about one inventory: its declaration and line numbers."""

    invt_no: str
    sum_no: str
    entry_id: str | None
    decl_seq_no: str
    dec_state: str
    line_gseqno: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkReport:
    """Results linked to an application, and what does not fit."""

    inventories: tuple[InventoryDeclaration, ...]
    missing: tuple[str, ...]
    unexpected: tuple[str, ...]


def link_results(results: Iterable[CebMessage], application: SummaryApplication | None = None) -> LinkReport:
    """Map CEB792 records to inventories; compare with the application when given."""
    found: dict[str, InventoryDeclaration] = {}
    for message in results:
        if message.message_type != "CEB792":
            raise ValueError(f"{message.message_type} is not a summary result")
        for record in message.records:
            head = record.head
            per_invt: dict[str, dict[int, int]] = defaultdict(dict)
            for line in record.lines:
                per_invt[str(line.get("invtNo", ""))][int(line.get("gnum", 0))] = int(line.get("gseqno", 0))
            for invt_no, mapping in per_invt.items():
                previous = found.get(invt_no)
                merged = {**(previous.line_gseqno if previous else {}), **mapping}
                found[invt_no] = InventoryDeclaration(
                    invt_no=invt_no,
                    sum_no=str(head.get("sumNo", "")),
                    entry_id=str(head["entryId"]) if head.get("entryId") else None,
                    decl_seq_no=str(head.get("declSeqNo", "")),
                    dec_state=str(head.get("decState", "")),
                    line_gseqno=merged,
                )
    expected = {inv.invt_no for inv in application.inventories} if application else set(found)
    return LinkReport(
        inventories=tuple(found[k] for k in sorted(found)),
        missing=tuple(sorted(expected - set(found))),
        unexpected=tuple(sorted(set(found) - expected)),
    )


def _s(fields: Fields, name: str) -> str:
    return str(fields.get(name, "") or "")


def _d(fields: Fields, name: str) -> Decimal:
    value = fields.get(name)
    return value if isinstance(value, Decimal) else Decimal(str(value or "0"))
