"""Monthly warehouse reports: the figures of a month from the warehouse's own flows, filing
them (the platform files every active warehouse's past month by itself; the operator may
file again, adding the area it used), and the event statistics read.

Figures count in the Beijing calendar. Stock at the month's end is rebuilt from the ledger
(movements that occurred before the month ended), so a report of a past month does not
change when goods move today; ages are counted to the month's last day.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.calendar import business_day, last_day_of_month, month_bounds
from services.logistics.reports import rules
from services.logistics.reports.models import WarehouseReport
from services.logistics.reports.problems import MONTH_INVALID
from services.logistics.reports.repository import ReportRepository
from services.logistics.stock.rules import LotStock, Quantities, ageing, average_age
from services.logistics.warehouses import service as warehouses
from services.logistics.warehouses.models import Warehouse
from services.logistics.warehouses.repository import WarehouseRepository
from shared.events.warehousing import WarehouseMonthFigures, WarehouseMonthReported
from shared.identity import Identity
from shared.messaging.outbox import EventPublisher
from shared.problems import FORBIDDEN, ProblemError
from shared.sqltypes import utcnow

_CENT = Decimal("0.01")


def parse_month(month: str, now: dt.datetime) -> str:
    """A month a report can be asked for (up to the current one); 422 naming it otherwise."""
    if rules.valid_month(month, business_day(now)) is None:
        raise ProblemError(
            MONTH_INVALID,
            f"{month!r} is not a month from 2000-01 to the current one (YYYY-MM).",
            errors=[{"pointer": "/path/month", "detail": "YYYY-MM, not in the future"}],
        )
    return month


async def readable(session: AsyncSession, identity: Identity, warehouse_id: str) -> Warehouse:
    """A warehouse whose reports the caller may read: its operator, regulators and admins."""
    warehouse = await warehouses.get(session, warehouse_id)
    if identity.is_regulator or identity.is_admin or warehouse.operator_party_id == identity.party_id:
        return warehouse
    raise ProblemError(FORBIDDEN, "Warehouse reports are for the warehouse's operator and regulators.")


async def figures(
    session: AsyncSession, warehouse: Warehouse, month: str, area_used_m2: Decimal | None = None
) -> WarehouseMonthFigures:
    """The month's figures from the warehouse's flows."""
    repo = ReportRepository(session)
    start, end = month_bounds(month)
    first, after = business_day(start), business_day(end)
    receipts = await repo.receipts(warehouse.id, first, after)
    closed = await repo.closed_asns(warehouse.id, start, end)
    expected, counted = await repo.expected_and_counted(closed)
    short = sum(max(0, units - counted.get(key, 0)) for key, units in expected.items())
    over = sum(max(0, units - expected.get(key, 0)) for key, units in counted.items())
    shipped = await repo.shipped(warehouse.id, start, end)
    lead_times = [rules.hours_between(r.created_at, r.shipped_at) for r in shipped]
    lots = await repo.lots_at(warehouse.id, end)
    month_end = last_day_of_month(month)
    lot_stocks = [LotStock(r[0], r[3], Quantities(int(r[4]))) for r in lots]
    returned = await repo.returned(warehouse.id, start, end)
    customers = (
        {r.owner_party_id for r in receipts} | {r.owner_party_id for r in shipped} | {r[1] for r in lots}
    )
    return WarehouseMonthFigures(
        inbound_asns=len({r.asn_id for r in receipts}),
        inbound_units=sum(r.received + r.damaged for r in receipts),
        inbound_damaged_units=sum(r.damaged for r in receipts),
        inbound_short_units=short,
        inbound_over_units=over,
        outbound_orders=len(shipped),
        outbound_b2c_orders=sum(1 for r in shipped if r.kind == "b2c"),
        outbound_b2b_orders=sum(1 for r in shipped if r.kind == "b2b"),
        outbound_units=sum(int(r.units) for r in shipped),
        cancelled_orders=await repo.cancelled(warehouse.id, start, end),
        order_to_ship_hours_avg=rules.average(lead_times),
        order_to_ship_hours_p90=rules.percentile(lead_times, 90),
        returns_received=len({r[0] for r in returned}),
        returned_units=sum(int(r[2]) for r in returned),
        customers_served=len(customers),
        skus_in_stock=len({r[2] for r in lots}),
        units_on_hand=sum(int(r[4]) for r in lots),
        stock_volume_m3=rules.volume_m3((int(r[4]), r[5], r[6], r[7]) for r in lots),
        average_age_days=average_age(lot_stocks, month_end),
        ageing=ageing(lot_stocks, month_end),
        area_m2=warehouse.area_m2.quantize(_CENT),
        area_used_m2=None if area_used_m2 is None else area_used_m2.quantize(_CENT),
    )


async def file(
    session: AsyncSession,
    publisher: EventPublisher,
    warehouse: Warehouse,
    month: str,
    *,
    by: Identity | None,
    area_used_m2: Decimal | None = None,
) -> WarehouseReport:
    """File (or file again) a month's report; stages ``WarehouseMonthReported``.

    ``by`` None is the platform's own month-end filing; an operator's filing may add the
    area it used. The current month can be filed too, as provisional figures so far (the
    platform files it complete once it is over). Filing the same figures again changes nothing.
    """
    now = utcnow()
    complete = month < f"{business_day(now):%Y-%m}"
    repo = ReportRepository(session)
    stored = await repo.get(warehouse.id, month)
    area = area_used_m2 if area_used_m2 is not None else (stored.area_used_m2 if stored else None)
    computed = await figures(session, warehouse, month, area)
    text = computed.model_dump_json()
    if stored is not None and stored.figures == text and (stored.complete or not complete):
        return stored
    if stored is None:
        stored = repo.add(
            WarehouseReport(
                warehouse_id=warehouse.id,
                month=month,
                revision=1,
                figures=text,
                complete=complete,
                area_used_m2=area,
                filed_by="platform" if by is None else "operator",
                filed_by_party_id=None if by is None else by.party_id,
                filed_at=now,
            )
        )
    else:
        stored.revision += 1
        stored.figures, stored.area_used_m2, stored.filed_at, stored.complete = text, area, now, complete
        stored.filed_by = "platform" if by is None else "operator"
        stored.filed_by_party_id = None if by is None else by.party_id
    await repo.flush()
    await publisher.stage(
        session,
        WarehouseMonthReported(
            warehouse_id=warehouse.id,
            operator_party_id=warehouse.operator_party_id,
            month=month,
            revision=stored.revision,
            filed_by=stored.filed_by,  # type: ignore[arg-type]  # platform or operator
            complete=complete,
            figures=computed,
            occurred_at=now,
        ),
        subject=f"{warehouse.id}:{month}",
    )
    return stored


def filed_figures(report: WarehouseReport) -> WarehouseMonthFigures:
    """The figures as filed."""
    return WarehouseMonthFigures.model_validate(json.loads(report.figures))


async def file_due(session: AsyncSession, publisher: EventPublisher, now: dt.datetime) -> int:
    """The platform files last month's report of every active warehouse that has none; how many."""
    month = rules.previous_month(business_day(now))
    repo = ReportRepository(session)
    filed = 0
    for warehouse in await WarehouseRepository(session).active():
        if business_day(now) < warehouse.opened_on:
            continue
        if await repo.get(warehouse.id, month) is None:
            await file(session, publisher, warehouse, month, by=None)
            filed += 1
    return filed
