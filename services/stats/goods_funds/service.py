"""Building the goods–funds view of a month from the statistics' facts and payments' figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.goods_funds import rules
from services.stats.goods_funds.repository import GoodsFundsRepository
from services.stats.goods_funds.schemas import EnterpriseMonthOut, GoodsFundsOut, ReasonOut
from services.stats.periods import business_day

_HUNDRED = Decimal(100)


def _cny(fen: int) -> Decimal:
    return (Decimal(fen) / _HUNDRED).quantize(Decimal("0.01"))


def is_recent(month: str, now: dt.datetime) -> bool:
    """The current or the previous Beijing month (its money may still be on its way)."""
    today = business_day(now)
    current = today.strftime("%Y-%m")
    previous = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    return month in (current, previous)


async def view(
    session: AsyncSession,
    month: str,
    band: rules.Band,
    now: dt.datetime,
    *,
    parties: list[str] | None = None,
    flagged_only: bool = False,
) -> GoodsFundsOut:
    """Every enterprise with goods or funds in ``month`` (or only ``parties``), assessed."""
    repo = GoodsFundsRepository(session)
    funds = await repo.funds(month, parties)
    declared = await repo.declared(month, parties)
    party_ids = sorted({p for p, _d in declared} | set(funds))
    names = await repo.names(party_ids)
    recent = is_recent(month, now)
    items = []
    for party in party_ids:
        f = funds.get(party)
        figures = rules.MonthFigures(
            declared_exports=declared.get((party, "export"), 0),
            declared_imports=declared.get((party, "import"), 0),
            receipts=f.receipts_fen if f else 0,
            matched_receipts=f.matched_receipts_fen if f else 0,
            netted=f.netted_fen if f else 0,
            payments=f.payments_fen if f else 0,
            matched_payments=f.matched_payments_fen if f else 0,
            unmatched_transactions=f.unmatched_transactions if f else 0,
            held_transactions=f.held_transactions if f else 0,
        )
        assessment = rules.assess(figures, band, recent=recent)
        if flagged_only and not assessment.flagged:
            continue
        entry = names.get(party)
        items.append(
            EnterpriseMonthOut(
                party_id=party,
                name=entry.name if entry else None,
                district=entry.district if entry else None,
                declared_exports_cny=_cny(figures.declared_exports),
                matched_receipts_cny=_cny(figures.matched_receipts),
                receipts_cny=_cny(figures.receipts),
                netted_cny=_cny(figures.netted),
                export_ratio=assessment.export_ratio,
                declared_imports_cny=_cny(figures.declared_imports),
                matched_payments_cny=_cny(figures.matched_payments),
                payments_cny=_cny(figures.payments),
                import_ratio=assessment.import_ratio,
                flagged=assessment.flagged,
                reasons=[ReasonOut(code=r.code, en=r.en, zh=r.zh) for r in assessment.reasons],
            )
        )
    items.sort(key=lambda i: (not i.flagged, i.party_id))
    return GoodsFundsOut(
        month=month,
        band_low=band.low,
        band_high=band.high,
        enterprises=len(items),
        flagged=sum(1 for i in items if i.flagged),
        items=items,
    )
