"""Facts from declaration events: what counts, idempotency, reversals in their own period, late and
out-of-order events, exchange rates — against SQLite and PostgreSQL through the consumer's inbox."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from sqlalchemy import select

from services.stats.aggregates.models import TABLES
from services.stats.exchange_rates.service import parse_rates, store_rates
from services.stats.facts.models import Fact
from services.stats.facts.service import revalue
from services.stats.parties.models import FirstActivity
from shared.db import Database
from tests.stats.support import accepted, aggregate_rows, at, facts, feed, released, returned, status


async def month_totals(db: Database) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(month, party) → (documents, orders, value fen) from the monthly party table."""
    table = TABLES["stats_agg_party_month"]
    async with db.transaction() as session:
        rows = (await session.execute(select(table))).all()
    out: dict[tuple[str, str], tuple[int, int, int]] = {}
    for r in rows:
        key = (f"{r.month:%Y-%m}", r.party_id)
        d, o, v = out.get(key, (0, 0, 0))
        out[key] = (d + r.documents, o + r.orders, v + r.value_fen)
    return out


async def fact(db: Database, document_id: str) -> Fact:
    async with db.transaction() as session:
        row = await session.get(Fact, document_id)
    assert row is not None
    return row


async def test_only_released_or_closed_inventories_count(stats_db: Database) -> None:
    inventory = facts("I1", value="120.00")
    order = facts("O1", value="120.00").model_copy(
        update={"document_kind": "order", "message_type": "CEB303"}
    )
    closed_only = facts("I2", value="30.00")
    in_review = facts("I3", value="999.00")
    await feed(
        stats_db,
        [
            accepted(inventory, at("2026-03-01 08:00")),
            status(inventory, "matched", at("2026-03-01 08:01")),
            released(inventory, at("2026-03-01 10:00")),
            status(order, "released", at("2026-03-01 10:00")),  # an order never becomes a fact
            status(closed_only, "closed", at("2026-03-03 10:00")),  # release receipt lost: closure counts
            status(in_review, "examination_concluded", at("2026-03-04 10:00")),
        ],
    )
    assert await month_totals(stats_db) == {("2026-03", "E1"): (2, 2, 15000)}
    assert ((await fact(stats_db, "I3")).counted, (await fact(stats_db, "I3")).status) == (
        False,
        "examination_concluded",
    )


async def test_a_duplicate_changes_nothing(stats_db: Database) -> None:
    doc = facts("D1", value="10.01")
    first = released(doc, at("2026-03-01 10:00"), event_id="evt-1")
    again_same_id = released(doc, at("2026-03-01 10:00"), event_id="evt-1")
    again_new_id = released(doc, at("2026-03-01 10:00"), event_id="evt-2")  # a re-publication
    ret = returned(doc, "R1", "5.00", at("2026-03-09 10:00"))
    ret_again = returned(doc, "R1", "5.00", at("2026-03-09 10:00"))  # the same return, delivered twice
    outcomes = await feed(stats_db, [first, again_same_id, again_new_id, ret, ret_again])
    assert outcomes == ["applied", "duplicate", "applied", "applied", "applied"]
    assert await month_totals(stats_db) == {("2026-03", "E1"): (1, 1, 501)}


async def test_cancellation_and_return_reverse_in_the_period_of_the_document(stats_db: Database) -> None:
    march = facts("M1", value="200.00")
    april = facts("A1", value="300.00")
    await feed(
        stats_db,
        [
            released(march, at("2026-03-30 10:00")),
            released(april, at("2026-04-02 10:00")),
            # In April: March's inventory is partly returned and April's is cancelled.
            returned(march, "R1", "50.00", at("2026-04-10 10:00")),
            status(april, "cancelled", at("2026-04-11 10:00"), previous="released"),
        ],
    )
    assert await month_totals(stats_db) == {("2026-03", "E1"): (1, 1, 15000)}
    row = await fact(stats_db, "M1")
    assert (row.business_day, row.value_fen, row.returned_fen) == (dt.date(2026, 3, 30), 15000, 5000)


async def test_a_full_return_leaves_no_transaction(stats_db: Database) -> None:
    doc = facts("F1", value="80.00", chapters=[("61", "50.00"), ("95", "30.00")])
    await feed(
        stats_db,
        [
            released(doc, at("2026-05-01 10:00")),
            returned(doc, "R1", "30.00", at("2026-05-05 10:00"), chapters=[("95", "30.00")]),
        ],
    )
    rows = await aggregate_rows(stats_db)
    assert [(r[2], r[-1]) for r in rows["stats_agg_party_chapter_month"]] == [("61", 5000)]
    await feed(stats_db, [returned(doc, "R2", "50.00", at("2026-05-06 10:00"), chapters=[("61", "50.00")])])
    rows = await aggregate_rows(stats_db)
    assert (await month_totals(stats_db), rows["first"], rows["stats_agg_chapter_month"]) == ({}, [], [])


async def test_late_and_out_of_order_events_land_in_their_period(stats_db: Database) -> None:
    # Beijing midnight: 2026-12-31 16:30 UTC is already 2027-01-01 in Beijing.
    new_year = facts("N1", value="10.00")
    late = facts("L1", value="20.00")
    cancelled_first = facts("C1", value="40.00")
    await feed(
        stats_db,
        [
            released(new_year, dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)),
            released(facts("X1", value="1.00"), at("2027-02-01 10:00")),
            released(late, at("2026-06-15 10:00")),  # arrives after February's events
            status(cancelled_first, "cancelled", at("2026-07-02 10:00")),  # the cancellation overtakes
            released(cancelled_first, at("2026-07-01 10:00")),  # ...its release
            status(late, "closed", at("2026-07-20 10:00")),  # closure later: still June
        ],
    )
    assert await month_totals(stats_db) == {
        ("2027-01", "E1"): (1, 1, 1000),
        ("2027-02", "E1"): (1, 1, 100),
        ("2026-06", "E1"): (1, 1, 2000),
    }


async def test_any_order_of_a_documents_events_gives_the_same_figures(stats_db: Database) -> None:
    def events(document_id: str) -> list:  # type: ignore[type-arg]
        doc = facts(document_id, value="100.00", currency="502", rate="7.1")
        return [
            status(doc, "matched", at("2026-08-01 09:00")),
            released(doc, at("2026-08-01 10:00")),
            returned(doc, "R1", "10.00", at("2026-08-03 10:00")),
            returned(doc, "R1", "10.00", at("2026-08-03 10:00")),  # the same return again
            status(doc, "closed", at("2026-08-20 10:00")),
        ]

    orders = list(itertools.permutations(range(5)))[::7]  # 18 orders, every event in every position
    for index, order in enumerate(orders):
        stream = events(f"P{index}")
        await feed(stats_db, [stream[i] for i in order])
    seen = set()
    for index in range(len(orders)):
        row = await fact(stats_db, f"P{index}")
        seen.add((row.business_day, row.value_fen, row.returned_fen, row.status))
    assert seen == {(dt.date(2026, 8, 1), 63900, 7100, "closed")}


async def test_the_rate_used_is_recorded_and_new_rates_revalue(stats_db: Database) -> None:
    doc = facts("U1", value="100.00", currency="502", rate="6.5")  # the declaration used 6.5
    await feed(stats_db, [released(doc, at("2026-09-10 10:00"))])
    before = await fact(stats_db, "U1")
    async with stats_db.transaction() as session:
        await store_rates(session, parse_rates("502,2026-09,7.2345\n"), source="GACC 2026-09", actor="test")
        changed = await revalue(session, {"502"}, dt.date(2026, 9, 1))
    after = await fact(stats_db, "U1")
    assert (before.cny_rate, before.rate_month, before.rate_source, before.value_fen) == (
        Decimal("7.1"),
        "2020-01",
        "table",
        71000,
    )
    assert (changed, after.cny_rate, after.rate_month, after.value_fen, after.value_orig_cents) == (
        1,
        Decimal("7.2345"),
        "2026-09",
        72345,
        10000,
    )
    assert await month_totals(stats_db) == {("2026-09", "E1"): (1, 1, 72345)}


async def test_first_activity_moves_when_the_first_fact_is_cancelled(stats_db: Database) -> None:
    first = facts("F1", "E9", value="10.00", park="ganyu_cbec_incubator", district="ganyu")
    second = facts("F2", "E9", value="10.00", park="ganyu_cbec_incubator", district="ganyu")
    await feed(stats_db, [released(first, at("2026-02-01 10:00")), released(second, at("2026-05-01 10:00"))])
    async with stats_db.transaction() as session:
        assert (await session.get(FirstActivity, "E9")).first_day == dt.date(2026, 2, 1)  # type: ignore[union-attr]
    await feed(stats_db, [status(first, "cancelled", at("2026-02-02 10:00"))])
    async with stats_db.transaction() as session:
        row = await session.get(FirstActivity, "E9")
    assert (row.first_day, row.park) == (dt.date(2026, 5, 1), "ganyu_cbec_incubator")  # type: ignore[union-attr]
