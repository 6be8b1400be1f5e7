"""Publishing the figures statistics aggregate (whole figures with a growing revision)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.figures.repository import FigureRepository
from services.payments.institutions import rules as licence_rules
from services.payments.institutions.repository import InstitutionRepository
from services.payments.institutions.service import licence_of
from services.payments.transactions.models import Transaction
from shared.events.payments import FundsMonth, InstitutionKind, InstitutionVolumeYear, RmbSettlementYear
from shared.messaging.outbox import EventPublisher

BEIJING = dt.timezone(dt.timedelta(hours=8))
CENT = Decimal("0.01")
APPLIED = ("applied", "reconciled")


def beijing_year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a Beijing calendar year, as aware times."""
    return dt.datetime(year, 1, 1, tzinfo=BEIJING), dt.datetime(year + 1, 1, 1, tzinfo=BEIJING)


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """[first day, first day of the next month) of ``YYYY-MM``."""
    year, number = int(month[:4]), int(month[5:7])
    start = dt.date(year, number, 1)
    end = dt.date(year + (number == 12), number % 12 + 1, 1)
    return start, end


async def publish_rmb_year(
    session: AsyncSession, publisher: EventPublisher, enterprise: str, year: int, now: dt.datetime
) -> None:
    """An enterprise's cross-border RMB settlement of the year, as a whole."""
    repo = FigureRepository(session)
    start, end = beijing_year_bounds(year)
    amounts = await repo.rmb_settlements(enterprise, start, end)
    await publisher.stage(
        session,
        RmbSettlementYear(
            party_id=enterprise,
            year=year,
            amount_cny=sum(amounts, Decimal(0)).quantize(CENT),
            settlements=len(amounts),
            revision=await repo.next_revision("rmb_year", enterprise, str(year), now),
            as_of=now,
        ),
        subject=f"rmb:{enterprise}:{year}",
    )


async def publish_volume(
    session: AsyncSession, publisher: EventPublisher, institution: str, year: int, now: dt.datetime
) -> None:
    """An institution's online cross-border volume of the year, as a whole."""
    repo = FigureRepository(session)
    profile = await InstitutionRepository(session).institution(institution)
    amounts = await repo.online_volume(institution, year)
    await publisher.stage(
        session,
        InstitutionVolumeYear(
            party_id=institution,
            kind=InstitutionKind(profile.kind) if profile else InstitutionKind.PAYMENT_INSTITUTION,
            year=year,
            volume_cny=sum(amounts, Decimal(0)).quantize(CENT),
            transactions=len(amounts),
            revision=await repo.next_revision("volume_year", institution, str(year), now),
            as_of=now,
            name=profile.name if profile else None,
            headquarters_in_city=bool(profile and profile.headquarters_in_city),
            licensed=profile is not None
            and not licence_rules.licence_issues(licence_of(profile), now.date()),
        ),
        subject=f"volume:{institution}:{year}",
    )


def _cny(txn: Transaction, amount: Decimal) -> Decimal:
    """A part of a transaction in CNY, at the transaction's own conversion."""
    if txn.amount == 0:
        return Decimal(0)
    return amount * txn.amount_cny / txn.amount


async def publish_funds(
    session: AsyncSession, publisher: EventPublisher, enterprise: str, month: str, now: dt.datetime
) -> None:
    """The funds side of an enterprise's month: receipts and payments, matched to goods or not."""
    repo = FigureRepository(session)
    start, end = month_bounds(month)
    rows = await repo.transactions_of(enterprise, start, end)
    applied = [t for t in rows if t.status in APPLIED]
    receipts = [t for t in applied if t.direction == "receipt"]
    payments = [t for t in applied if t.direction == "payment"]

    def total(items: list[Transaction], part: str) -> Decimal:
        return sum((_cny(t, getattr(t, part)) for t in items), Decimal(0)).quantize(CENT)

    await publisher.stage(
        session,
        FundsMonth(
            party_id=enterprise,
            month=month,
            receipts_cny=total(receipts, "amount"),
            matched_receipts_cny=total(receipts, "allocated"),
            netted_cny=total(receipts, "netted"),
            payments_cny=total(payments, "amount"),
            matched_payments_cny=total(payments, "allocated"),
            unmatched_transactions=sum(1 for t in applied if t.remainder > 0),
            held_transactions=sum(1 for t in rows if t.status == "held"),
            revision=await repo.next_revision("funds_month", enterprise, month, now),
            as_of=now,
        ),
        subject=f"funds:{enterprise}:{month}",
    )


async def transaction_changed(
    session: AsyncSession, publisher: EventPublisher, txn: Transaction, now: dt.datetime
) -> None:
    """A transaction was reported, applied, released, reconciled or voided: its figures again."""
    await publish_funds(session, publisher, txn.enterprise_party_id, txn.value_date.strftime("%Y-%m"), now)
    await publish_volume(session, publisher, txn.institution_party_id, txn.year, now)
