"""The statistics' warehouse module: profiles and monthly reports from the logistics events,
the regulator's certification assessments, and what reward runs read.

Readers keep the highest revision of each profile and month, so late or repeated events
never move figures back. An assessment stores the criteria's evaluation at that moment
beside the regulator's decision; the latest assessment per warehouse and level stands.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.periods import business_day
from services.stats.warehouses import rules
from services.stats.warehouses.models import CertificationAssessment, WarehouseMonth, WarehouseProfile
from services.stats.warehouses.problems import ASSESSMENT_INVALID
from services.stats.warehouses.repository import WarehouseStatsRepository
from services.stats.warehouses.schemas import (
    AssessmentIn,
    AssessmentOut,
    CheckOut,
    LevelEvaluationOut,
    MonthOut,
    MonthTotalsOut,
    WarehouseDetailOut,
    WarehouseFiguresOut,
    WarehouseSummaryOut,
    WarehouseYearOut,
)
from shared.events.warehousing import WarehouseMonthReported, WarehouseProfiled
from shared.identity import Identity
from shared.problems import FORBIDDEN, NOT_FOUND, ProblemError
from shared.sqltypes import utcnow


@dataclass(frozen=True)
class CertificationCriteria:
    """The criteria in force (a typed component of the stats service)."""

    criteria: rules.Criteria


async def apply_profile(session: AsyncSession, data: WarehouseProfiled) -> None:
    """Keep the warehouse's profile at its highest revision."""
    repo = WarehouseStatsRepository(session)
    row = await repo.get(data.warehouse.warehouse_id)
    if row is not None and row.revision >= data.revision:
        return
    w = data.warehouse
    values = {
        "operator_party_id": w.operator_party_id,
        "code": w.code,
        "name": w.name,
        "country": w.country,
        "city": w.city,
        "area_m2": w.area_m2,
        "opened_on": w.opened_on,
        "usage": w.usage,
        "has_api": w.has_api,
        "declared_level": w.certification_level,
        "declared_year": w.certification_year,
        "status": w.status,
        "revision": data.revision,
        "updated_at": data.occurred_at,
    }
    if row is None:
        repo.add(WarehouseProfile(warehouse_id=w.warehouse_id, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)
    await repo.flush()


async def apply_month(session: AsyncSession, data: WarehouseMonthReported) -> None:
    """Keep the month's report at its highest revision."""
    repo = WarehouseStatsRepository(session)
    row = await repo.month(data.warehouse_id, data.month)
    if row is not None and row.revision >= data.revision:
        return
    f = data.figures
    values = {
        "operator_party_id": data.operator_party_id,
        "revision": data.revision,
        "complete": data.complete,
        "filed_by": data.filed_by,
        "inbound_units": f.inbound_units,
        "outbound_orders": f.outbound_orders,
        "outbound_units": f.outbound_units,
        "returns_received": f.returns_received,
        "customers_served": f.customers_served,
        "units_on_hand": f.units_on_hand,
        "figures": f.model_dump_json(),
        "reported_at": data.occurred_at,
    }
    if row is None:
        session.add(WarehouseMonth(warehouse_id=data.warehouse_id, month=data.month, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)
    await session.flush()


def _month_figures(months: Sequence[WarehouseMonth]) -> list[rules.MonthFigures]:
    return [rules.MonthFigures(m.month, m.complete, m.customers_served, m.outbound_orders) for m in months]


def _metrics(
    profile: WarehouseProfile, months: Sequence[WarehouseMonth], today: dt.date
) -> dict[str, Decimal]:
    return rules.metrics(
        usage=profile.usage,
        has_api=profile.has_api,
        opened_on=profile.opened_on,
        area_m2=profile.area_m2,
        months=_month_figures(months),
        today=today,
    )


def standing(assessments: Sequence[CertificationAssessment]) -> dict[str, CertificationAssessment]:
    """The latest assessment per level (later ones supersede earlier ones)."""
    latest: dict[str, CertificationAssessment] = {}
    for a in assessments:  # oldest first
        latest[a.level] = a
    return latest


def certified_level(assessments: Sequence[CertificationAssessment]) -> str | None:
    """The highest level a standing assessment certifies."""
    levels = {level for level, a in standing(assessments).items() if a.decision == "certified"}
    return "provincial" if "provincial" in levels else ("municipal" if "municipal" in levels else None)


def _checks(checks: Sequence[rules.Check]) -> list[CheckOut]:
    return [
        CheckOut(
            id=c.criterion.id,
            description=c.criterion.description,
            metric=c.criterion.metric,
            op=c.criterion.op,
            threshold=c.criterion.value,
            figure=c.figure,
            met=c.met,
        )
        for c in checks
    ]


def _summary(
    profile: WarehouseProfile,
    months: Sequence[WarehouseMonth],
    assessments: Sequence[CertificationAssessment],
    today: dt.date,
) -> WarehouseSummaryOut:
    figures = _metrics(profile, months, today)
    return WarehouseSummaryOut(
        warehouse_id=profile.warehouse_id,
        operator_party_id=profile.operator_party_id,
        name=profile.name,
        country=profile.country,
        city=profile.city,
        usage=profile.usage,
        has_api=profile.has_api,
        area_m2=profile.area_m2.quantize(Decimal("0.01")),
        opened_on=profile.opened_on,
        declared_level=profile.declared_level,  # type: ignore[arg-type]
        declared_year=profile.declared_year,
        certified_level=certified_level(assessments),  # type: ignore[arg-type]
        months_reported_12=int(figures["months_reported_12"]),
        outbound_orders_12=int(figures["outbound_orders_12"]),
        latest_month=months[-1].month if months else None,
    )


def _scope(identity: Identity) -> str | None:
    """Regulators and admins see every warehouse; an operator its own; nobody else any."""
    if identity.is_regulator or identity.is_admin:
        return None
    if identity.has_role("overseas_warehouse_operator"):
        return identity.party_id
    raise ProblemError(FORBIDDEN, "Warehouse figures are for regulators and the warehouses' operators.")


async def overview(session: AsyncSession, identity: Identity) -> list[WarehouseSummaryOut]:
    """The warehouses the caller may see, with their figures of the last 12 months."""
    repo = WarehouseStatsRepository(session)
    profiles = await repo.profiles(_scope(identity))
    ids = [p.warehouse_id for p in profiles]
    months: dict[str, list[WarehouseMonth]] = defaultdict(list)
    for m in await repo.months_of(ids):
        months[m.warehouse_id].append(m)
    assessed: dict[str, list[CertificationAssessment]] = defaultdict(list)
    for a in await repo.assessments(ids):
        assessed[a.warehouse_id].append(a)
    today = business_day(utcnow())
    return [_summary(p, months[p.warehouse_id], assessed[p.warehouse_id], today) for p in profiles]


def _assessment_out(a: CertificationAssessment) -> AssessmentOut:
    return AssessmentOut.model_validate(
        {
            "id": a.id,
            "level": a.level,
            "decision": a.decision,
            "year": a.year,
            "certified_on": a.certified_on,
            "basis": a.basis,
            "criteria_status": a.criteria_status,
            "assessed_by": a.assessed_by,
            "assessed_at": a.assessed_at,
            "checks": json.loads(a.checks),
        }
    )


async def detail(
    session: AsyncSession, identity: Identity, criteria: rules.Criteria, warehouse_id: str
) -> WarehouseDetailOut:
    """One warehouse: figures, the criteria's evaluation today, its filed months and assessments."""
    scope = _scope(identity)
    repo = WarehouseStatsRepository(session)
    profile = await repo.get(warehouse_id)
    if profile is None or (scope is not None and profile.operator_party_id != scope):
        raise ProblemError(NOT_FOUND, f"No warehouse {warehouse_id} in the statistics.")
    months = list(await repo.months_of([warehouse_id]))
    assessments = list(await repo.assessments([warehouse_id]))
    today = business_day(utcnow())
    figures = _metrics(profile, months, today)
    evaluation = []
    for level in ("municipal", "provincial"):
        checks = rules.evaluate(criteria, level, figures)  # type: ignore[arg-type]
        evaluation.append(
            LevelEvaluationOut(level=level, met=all(c.met for c in checks), checks=_checks(checks))
        )  # type: ignore[arg-type]
    return WarehouseDetailOut(
        **_summary(profile, months, assessments, today).model_dump(),
        criteria_status=criteria.status,
        evaluation=evaluation,
        months=[
            MonthOut(
                month=m.month,
                revision=m.revision,
                complete=m.complete,
                filed_by=m.filed_by,
                figures=json.loads(m.figures),
            )
            for m in reversed(months)
        ],
        assessments=[_assessment_out(a) for a in reversed(assessments)],
    )


async def assess(
    session: AsyncSession,
    identity: Identity,
    actor: str,
    criteria: rules.Criteria,
    warehouse_id: str,
    data: AssessmentIn,
) -> AssessmentOut:
    """A regulator records a certification decision; the criteria's evaluation is kept with it."""
    if not identity.is_regulator:
        raise ProblemError(FORBIDDEN, "Only regulators assess certification.")
    repo = WarehouseStatsRepository(session)
    profile = await repo.get(warehouse_id)
    if profile is None:
        raise ProblemError(NOT_FOUND, f"No warehouse {warehouse_id} in the statistics.")
    if data.decision == "certified" and data.certified_on is None:
        raise ProblemError(
            ASSESSMENT_INVALID,
            "A certification names the day it was granted.",
            errors=[{"pointer": "/body/certified_on", "detail": "required when decision is certified"}],
        )
    if data.certified_on is not None and data.certified_on.year != data.year:
        raise ProblemError(
            ASSESSMENT_INVALID,
            f"certified_on {data.certified_on} is not in {data.year}.",
            errors=[{"pointer": "/body/certified_on", "detail": "in the certification year"}],
        )
    today = business_day(utcnow())
    checks = _checks(
        rules.evaluate(criteria, data.level, _metrics(profile, await repo.months_of([warehouse_id]), today))
    )
    row = CertificationAssessment(
        warehouse_id=warehouse_id,
        operator_party_id=profile.operator_party_id,
        level=data.level,
        decision=data.decision,
        certified_on=data.certified_on,
        year=data.year,
        basis=data.basis,
        checks=json.dumps([c.model_dump(mode="json") for c in checks], ensure_ascii=False),
        criteria_status=criteria.status,
        assessed_by=actor,
        assessed_at=utcnow(),
    )
    repo.add_assessment(row)
    await repo.flush()
    return _assessment_out(row)


async def figures(session: AsyncSession, identity: Identity, year: int) -> WarehouseFiguresOut:
    """Monthly totals over every warehouse's filed reports of a year (regulators)."""
    if not (identity.is_regulator or identity.is_admin):
        raise ProblemError(FORBIDDEN, "Platform-wide warehouse figures are for regulators.")
    repo = WarehouseStatsRepository(session)
    by_month: dict[str, list[WarehouseMonth]] = defaultdict(list)
    for m in await repo.months_between(f"{year}-01", f"{year}-12"):
        by_month[m.month].append(m)
    totals = [
        MonthTotalsOut(
            month=month,
            warehouses=len(rows),
            provisional=sum(1 for r in rows if not r.complete),
            inbound_units=sum(r.inbound_units for r in rows),
            outbound_orders=sum(r.outbound_orders for r in rows),
            outbound_units=sum(r.outbound_units for r in rows),
            returns_received=sum(r.returns_received for r in rows),
            customers_served=sum(r.customers_served for r in rows),
            units_on_hand=sum(r.units_on_hand for r in rows),
        )
        for month, rows in sorted(by_month.items())
    ]
    assessed: dict[str, list[CertificationAssessment]] = defaultdict(list)
    for a in await repo.assessments():
        assessed[a.warehouse_id].append(a)
    certified: dict[str, int] = {"municipal": 0, "provincial": 0}
    for rows in assessed.values():
        level = certified_level(rows)
        if level:
            certified[level] += 1
    profiles = await repo.profiles()
    of_warehouse: dict[str, list[WarehouseMonth]] = defaultdict(list)
    for filed in by_month.values():
        for row in filed:
            of_warehouse[row.warehouse_id].append(row)
    return WarehouseFiguresOut(
        months=totals,
        warehouses=len(profiles),
        public=sum(1 for p in profiles if p.usage == "public"),
        certified=certified,
        items=[
            _year(p, sorted(of_warehouse[p.warehouse_id], key=lambda m: m.month), assessed[p.warehouse_id])
            for p in profiles
        ],
    )


def _year(
    profile: WarehouseProfile,
    months: Sequence[WarehouseMonth],
    assessments: Sequence[CertificationAssessment],
) -> WarehouseYearOut:
    """A warehouse's year from its filed months (oldest first)."""
    latest = months[-1] if months else None
    figures = json.loads(latest.figures) if latest is not None else {}
    used = Decimal(figures["area_used_m2"]) if figures.get("area_used_m2") is not None else None
    age = Decimal(figures["average_age_days"]) if figures.get("average_age_days") is not None else None
    return WarehouseYearOut(
        warehouse_id=profile.warehouse_id,
        operator_party_id=profile.operator_party_id,
        name=profile.name,
        country=profile.country,
        city=profile.city,
        usage=profile.usage,
        certified_level=certified_level(assessments),  # type: ignore[arg-type]
        months_reported=len(months),
        inbound_units=sum(m.inbound_units for m in months),
        outbound_orders=sum(m.outbound_orders for m in months),
        outbound_units=sum(m.outbound_units for m in months),
        returns_received=sum(m.returns_received for m in months),
        latest_month=latest.month if latest is not None else None,
        area_m2=profile.area_m2.quantize(Decimal("0.01")),
        area_used_m2=used.quantize(Decimal("0.01")) if used is not None else None,
        area_use_percent=rules.area_use_percent(used, profile.area_m2),
        units_on_hand=latest.units_on_hand if latest is not None else None,
        average_age_days=age.quantize(Decimal("0.1"), ROUND_HALF_UP) if age is not None else None,
    )


@dataclass(frozen=True)
class RewardInputs:
    """What a reward run reads about one operator's warehouses."""

    certified: list[dict[str, str]]  # CertifiedWarehouse rows of the snapshot
    months_reported: int  # the most complete months any of its warehouses filed in the year


async def reward_inputs(session: AsyncSession, year: int) -> dict[str, RewardInputs]:
    """Per operator party: its warehouses' standing certifications and reporting in ``year``."""
    repo = WarehouseStatsRepository(session)
    profiles = {p.warehouse_id: p for p in await repo.profiles()}
    assessed: dict[str, list[CertificationAssessment]] = defaultdict(list)
    for a in await repo.assessments():
        assessed[a.warehouse_id].append(a)
    reported: dict[str, int] = defaultdict(int)
    for m in await repo.months_between(f"{year}-01", f"{year}-12"):
        if m.complete:
            reported[m.warehouse_id] += 1
    out: dict[str, RewardInputs] = {}
    for warehouse_id, profile in sorted(profiles.items()):
        certs = [
            {
                "warehouse_id": warehouse_id,
                "name": profile.name,
                "country": profile.country,
                "level": a.level,
                "certified_on": a.certified_on.isoformat(),
            }
            for a in standing(assessed[warehouse_id]).values()
            if a.decision == "certified" and a.certified_on is not None
        ]
        current = out.get(profile.operator_party_id, RewardInputs([], 0))
        out[profile.operator_party_id] = RewardInputs(
            current.certified + certs, max(current.months_reported, reported[warehouse_id])
        )
    return out
