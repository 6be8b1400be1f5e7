"""Rebuild: statistics recomputed from the consumed-event log equal the ones built live, event by event."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, delete, select

from services.stats.history.rebuild import REPLAYED, rebuild_all
from services.stats.parties.models import PartyMirror
from services.stats.platform.models import AcceptedDocument, AcceptedDocumentsDay, ApiTrafficHour
from shared.db import Database
from shared.events import CloudEvent
from tests.stats.support import (
    accepted,
    aggregate_rows,
    at,
    facts,
    feed,
    funds_month,
    registered,
    released,
    returned,
    status,
    traffic,
)
from tests.stats.test_claim_figures import claim
from tests.stats.test_logistics_figures import cost, journey
from tests.stats.test_payments_figures import rmb, volume
from tests.stats.test_warehouses import month, profiled

USCC = ["91320700MA1XYZ0001", "91320700MA1XYZ0002", "91320700MA1XYZ0003"]


def random_stream(seed: int, documents: int = 60) -> list[CloudEvent]:
    """A shuffled, duplicated stream over several parties, months, modes, currencies and outcomes."""
    rng = random.Random(seed)
    events: list[CloudEvent] = []
    for index in range(documents):
        party = f"E{rng.randrange(5)}"
        mode, direction = rng.choice(
            [
                ("1210", "import"),
                ("9610", "export"),
                ("9710", "export"),
                ("9810", "export"),
                ("1239", "import"),
                ("9610", "import"),
            ]
        )
        currency, rate = rng.choice([("142", "1"), ("502", "7.1"), ("300", "7.8"), ("116", "0.048")])
        value = f"{rng.randrange(100, 500000) / 100:.2f}"
        half = (Decimal(value) / 2).quantize(Decimal("0.01"))
        doc = facts(
            f"D{index}",
            party,
            mode=mode,
            direction=direction,
            value=value,
            currency=currency,
            rate=rate,
            country=rng.choice(["502", "116", "303", None]),
            district=rng.choice(["haizhou", "donghai"]),
            park=rng.choice([None, "haizhou_cbec_park", "donghai_crystal_export_incubator"]),
            chapters=[("61", str(half)), ("71", str(Decimal(value) - half))],
            order_count=rng.randrange(1, 4),
        )
        release_at = at("2026-01-01 10:00") + dt.timedelta(
            days=rng.randrange(0, 400), minutes=rng.randrange(900)
        )
        events.append(accepted(doc, release_at - dt.timedelta(hours=5)))
        events.append(released(doc, release_at))
        fate = rng.random()
        if fate < 0.15:
            events.append(status(doc, "cancelled", release_at + dt.timedelta(days=3)))
        elif fate < 0.35:
            events.append(
                returned(doc, f"R{index}", half, release_at + dt.timedelta(days=10), chapters=[("61", half)])
            )
        elif fate < 0.45:
            events.append(status(doc, "closed", release_at + dt.timedelta(days=20)))
    for number, uscc in enumerate(USCC):
        events.append(registered(f"E{number}", uscc=uscc, park="haizhou_cbec_park" if number else None))
    for hour in range(6):
        events.append(
            traffic("E1", dt.datetime(2026, 3, 1, hour, tzinfo=dt.UTC), calls=10 + hour, errors=hour % 2)
        )
    rng.shuffle(events)
    duplicates = [rng.choice(events) for _ in range(15)]  # redeliveries with the same event id
    return events + duplicates


async def everything(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    rows = await aggregate_rows(db)
    async with db.transaction() as session:
        for name, table in (
            ("parties", PartyMirror.__table__),
            ("traffic", ApiTrafficHour.__table__),
            ("accepted", AcceptedDocument.__table__),
            ("accepted_day", AcceptedDocumentsDay.__table__),
        ):
            rows[name] = sorted(tuple(r) for r in (await session.execute(select(table))).all())
    return rows


async def test_rebuilt_figures_equal_the_live_ones(stats_db: Database) -> None:
    outcomes = await feed(stats_db, random_stream(seed=20261201))
    live = await everything(stats_db)
    async with stats_db.transaction() as session:
        report = await rebuild_all(session)
    rebuilt = await everything(stats_db)
    assert outcomes.count("duplicate") == 15
    assert report.counted == sum(1 for f in live["facts"] if f[4])  # column 4: counted
    assert all(live[name] for name in ("stats_agg_party_day", "chapters", "first", "parties", "traffic"))
    assert rebuilt == live


def figures_stream(seed: int) -> list[CloudEvent]:
    """Warehouse, logistics and payments figures in several revisions, shuffled and redelivered."""
    rng = random.Random(seed)
    events = [
        profiled("WH1", "OP1"),
        profiled("WH1", "OP1", revision=2, area_m2=Decimal("15000")),
        profiled("WH2", "OP2", usage="own"),
        month("WH1", "OP1", "2026-03", orders=400),
        month("WH1", "OP1", "2026-03", revision=2, orders=700),
        month("WH2", "OP2", "2026-04", customers=9),
        journey("S1", started="2026-03-02 08:00"),
        journey("S1", revision=2, transit="30", customs="4"),
        journey("S2", mode="rail", route="rail_khorgos", transit="400", punctuality="late"),
        cost("C1", "1200.00"),
        cost("C2", "1300.00", supersedes="C1"),
        cost("C3", "80.00", shipment="S2", kind="warehousing", voided=True),
        claim("K1", revision=1),
        claim("K1", revision=4, status="paid", approved="600.00", paid_after_days=10),
        rmb("E1", "100000.00", revision=1),
        rmb("E1", "250000.00", revision=2),
        volume("P1", "120000000.00", revision=1),
        volume("P1", "90000000.00", revision=2, hq=False),
        funds_month("E1", "2026-03", "5000.00", "4000.00"),
        funds_month("E1", "2026-03", "6000.00", "6000.00", revision=2),
    ]
    rng.shuffle(events)
    return events + [rng.choice(events) for _ in range(5)]


def table_of_name(name: str) -> Table:
    return next(m.__table__ for r in REPLAYED for m in r.tables if m.__tablename__ == name)


async def replayed_tables(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    async with db.transaction() as session:
        return {
            model.__tablename__: sorted(
                tuple(str(v) for v in r) for r in (await session.execute(select(model.__table__))).all()
            )
            for replayed in REPLAYED
            for model in replayed.tables
            if replayed.stream in ("warehouse", "logistics", "payments")
        }


async def test_warehouse_logistics_and_payments_figures_rebuild_as_they_were_consumed(
    stats_db: Database,
) -> None:
    await feed(stats_db, figures_stream(seed=20261208))
    live = await replayed_tables(stats_db)
    async with stats_db.transaction() as session:
        # Lose the derived rows first: only a replay of the log can bring them back.
        for table in (
            "stats_warehouses",
            "stats_journeys",
            "stats_claims",
            "stats_rmb_settlement_year",
            "stats_funds_month",
        ):
            await session.execute(delete(table_of_name(table)))
        await rebuild_all(session)
    rebuilt = await replayed_tables(stats_db)
    assert (all(live.values()), rebuilt) == (True, live)
