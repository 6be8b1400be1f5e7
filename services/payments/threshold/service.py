"""The USD 200,000 counters: deciding, counting, SAFE's lists, registrations, alerts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.context import PaymentsContext
from services.payments.institutions.repository import InstitutionRepository
from services.payments.parties.repository import PartyRepository
from services.payments.threshold import rules
from services.payments.threshold.models import ThresholdCounter
from services.payments.threshold.repository import ThresholdRepository
from shared.events.payments import (
    FlowDirection,
    InstitutionKind,
    InstitutionRef,
    ThresholdState,
    ThresholdStateChanged,
)
from shared.messaging.outbox import EventPublisher
from shared.problems import VALIDATION_FAILED, ProblemError

BEIJING = dt.timezone(dt.timedelta(hours=8))
_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
_LIST_NAMES = {"over": "over", "超限": "over", "warning": "warning", "预警": "warning"}
MAX_LIST_ROWS = 100_000


def limits_of(ctx: PaymentsContext) -> rules.Limits:
    """The configured lines."""
    return rules.Limits(ctx.settings.threshold_usd, ctx.settings.warning_usd)


async def institution_ref(session: AsyncSession, party_id: str) -> InstitutionRef:
    """The event reference of an institution."""
    row = await InstitutionRepository(session).institution(party_id)
    kind = InstitutionKind(row.kind) if row is not None else InstitutionKind.BANK
    return InstitutionRef(party_id=party_id, kind=kind)


async def locked(
    session: AsyncSession, enterprise: str, institution: str, year: int, now: dt.datetime
) -> ThresholdCounter:
    """The counter row, created if missing, locked for this unit of work."""
    return await ThresholdRepository(session).locked_counter(
        enterprise,
        institution,
        year,
        {
            "enterprise_party_id": enterprise,
            "institution_party_id": institution,
            "year": year,
            "receipts_usd": Decimal(0),
            "payments_usd": Decimal(0),
            "state": ThresholdState.BELOW.value,
            "safe_list": None,
            "safe_list_month": None,
            "updated_at": now,
        },
    )


async def counter_of(session: AsyncSession, row: ThresholdCounter) -> rules.Counter:
    """The rule's view of a stored counter (registration included)."""
    registered = await ThresholdRepository(session).registration(row.enterprise_party_id) is not None
    return rules.Counter(row.receipts_usd, row.payments_usd, row.safe_list, registered)


async def _restate(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: PaymentsContext,
    row: ThresholdCounter,
    source: str,
    reason: str,
    now: dt.datetime,
) -> None:
    new = rules.state_of(await counter_of(session, row), limits_of(ctx))
    previous = ThresholdState(row.state)
    row.updated_at = now
    if new is previous:
        return
    row.state = new.value
    await publisher.stage(
        session,
        ThresholdStateChanged(
            party_id=row.enterprise_party_id,
            institution=await institution_ref(session, row.institution_party_id),
            year=row.year,
            previous_state=previous,
            state=new,
            receipts_usd=row.receipts_usd,
            payments_usd=row.payments_usd,
            source=source,  # type: ignore[arg-type]
            reason=reason,
            occurred_at=now,
        ),
        subject=f"{row.enterprise_party_id}:{row.institution_party_id}:{row.year}",
    )


async def count(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: PaymentsContext,
    row: ThresholdCounter,
    direction: FlowDirection,
    amount_usd: Decimal,
    now: dt.datetime,
) -> None:
    """Add an applied flow to its (locked) counter; alert on a state change."""
    if direction is FlowDirection.RECEIPT:
        row.receipts_usd = row.receipts_usd + amount_usd
    else:
        row.payments_usd = row.payments_usd + amount_usd
    await _restate(
        session, publisher, ctx, row, "counter", f"{direction.value} of USD {amount_usd:,.2f} counted", now
    )


@dataclass
class ListImport:
    """What an import of SAFE's list did."""

    month: str
    list_type: str
    rows: int
    matched: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def parse_safe_list(text: str) -> tuple[list[dict[str, object]], list[dict[str, str]]]:
    """``month,list,uscc,name[,amount_usd]`` rows → (rows, problems naming the line)."""
    problems: list[dict[str, str]] = []
    rows: list[dict[str, object]] = []
    lines = [ln for ln in text.splitlines()]
    reader = csv.reader(io.StringIO("\n".join(lines)))
    for number, record in enumerate(reader, start=1):
        if not record or not "".join(record).strip() or record[0].lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in record]
        if number == 1 and cells[0].lower() == "month":
            continue
        pointer = f"/body/line/{number}"
        if len(cells) not in (4, 5):
            problems.append({"pointer": pointer, "detail": "expected month,list,uscc,name[,amount_usd]"})
            continue
        month, list_name, uscc, name = cells[:4]
        amount: Decimal | None = None
        if len(cells) == 5 and cells[4]:
            try:
                amount = Decimal(cells[4].replace(",", ""))
            except InvalidOperation:
                problems.append({"pointer": pointer, "detail": f"amount {cells[4]!r} is not a number"})
                continue
        if not _MONTH.match(month):
            problems.append({"pointer": pointer, "detail": f"month {month!r} is not YYYY-MM"})
        elif list_name.lower() not in _LIST_NAMES and list_name not in _LIST_NAMES:
            problems.append({"pointer": pointer, "detail": f"list {list_name!r} is neither over nor warning"})
        elif not _USCC.match(uscc.upper()):
            problems.append({"pointer": pointer, "detail": f"{uscc!r} is not a unified social credit code"})
        elif not name:
            problems.append({"pointer": pointer, "detail": "the firm's name is empty"})
        else:
            rows.append(
                {
                    "month": month,
                    "list_type": _LIST_NAMES.get(list_name.lower(), _LIST_NAMES.get(list_name, "")),
                    "uscc": uscc.upper(),
                    "name": name[:200],
                    "amount_usd": amount,
                    "line": number,
                }
            )
        if len(rows) > MAX_LIST_ROWS:
            problems.append({"pointer": pointer, "detail": f"more than {MAX_LIST_ROWS} rows"})
            break
    return rows, problems


async def import_safe_list(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: PaymentsContext,
    institution: str,
    text: str,
    now: dt.datetime,
) -> list[ListImport]:
    """Store SAFE's list(s) for the institution and override its counters; 422 on any bad line."""
    rows, problems = parse_safe_list(text)
    if problems or not rows:
        raise ProblemError(
            VALIDATION_FAILED,
            f"{len(problems)} line(s) of the list are not valid; nothing was imported."
            if problems
            else "The list has no rows.",
            errors=problems[:100] or [{"pointer": "/body", "detail": "no rows"}],
        )
    parties = await PartyRepository(session).by_uscc_or_code(str(r["uscc"]) for r in rows)
    repo = ThresholdRepository(session)
    groups: dict[tuple[str, str], list[dict[str, object]]] = {}
    for row in rows:
        groups.setdefault((str(row["month"]), str(row["list_type"])), []).append(row)
    results = []
    for (month, list_type), members in sorted(groups.items()):
        result = ListImport(month, list_type, len(members))
        stored = []
        for member in members:
            party = parties.get(str(member["uscc"]))
            stored.append(
                {
                    "institution_party_id": institution,
                    "month": month,
                    "list_type": list_type,
                    "uscc": member["uscc"],
                    "name": member["name"],
                    "amount_usd": member["amount_usd"],
                    "enterprise_party_id": party.party_id if party else None,
                    "imported_at": now,
                }
            )
            if party is None:
                result.unknown.append(str(member["uscc"]))
                continue
            result.matched.append(party.party_id)
            counter = await locked(session, party.party_id, institution, int(month[:4]), now)
            # A later month's list overrides an earlier one; "over" beats "warning" within a month.
            newer = counter.safe_list_month is None or month > counter.safe_list_month
            stronger = month == counter.safe_list_month and list_type == "over"
            if newer or stronger:
                counter.safe_list, counter.safe_list_month = list_type, month
                await _restate(
                    session,
                    publisher,
                    ctx,
                    counter,
                    "safe_list",
                    f"on SAFE's {list_type} list of {month}",
                    now,
                )
        await repo.replace_list(institution, month, list_type, stored)
        results.append(result)
    return results


async def register(
    session: AsyncSession,
    publisher: EventPublisher,
    ctx: PaymentsContext,
    institution: str,
    enterprise: str,
    registered_on: dt.date,
    safe_reference: str | None,
    now: dt.datetime,
) -> bool:
    """Record the enterprise's directory registration (once); every counter of it turns registered."""
    repo = ThresholdRepository(session)
    new = await repo.add_registration(
        {
            "enterprise_party_id": enterprise,
            "registered_on": registered_on,
            "recorded_by": institution,
            "safe_reference": safe_reference,
            "recorded_at": now,
        }
    )
    for row in await repo.counters(enterprises=[enterprise], institution=None, year=None):
        await _restate(
            session,
            publisher,
            ctx,
            row,
            "registration",
            f"registered in the directory on {registered_on}",
            now,
        )
    return new


def year_of(value_date: dt.date) -> int:
    """The counter year of a flow: the calendar year of its value date."""
    return value_date.year
