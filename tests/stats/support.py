"""Helpers of the stats tests: event builders and feeding events through the real consumer path."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from services.stats.aggregates.models import SPECS
from services.stats.consumption import handlers
from services.stats.exchange_rates.service import seed_default_rates
from shared.db import Database
from shared.events import CloudEvent, build_event
from shared.events.declaration import (
    ChapterValue,
    DocumentAccepted,
    DocumentFacts,
    DocumentStatusChanged,
    InventoryReturned,
)
from shared.events.gateway import ApiTrafficCounted, PartyRegistered
from shared.messaging.consumer import EventConsumer
from shared.migrations import upgrade_to_head
from shared.settings import PlatformSettings

UTC = dt.UTC
BEIJING = dt.timezone(dt.timedelta(hours=8))


def uscc(number: int) -> str:
    """A valid unified social credit code (GB 32100 check character) for test party ``number``."""
    from services.stats.rewards.inputs import uscc_check_character

    body = f"91320700MA{number:07d}"
    return body + uscc_check_character(body)


def at(text: str) -> dt.datetime:
    """A Beijing wall-clock time ('2026-03-01 10:00') as an aware datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def facts(
    document_id: str,
    party: str = "E1",
    *,
    mode: str = "9610",
    direction: str = "export",
    value: str = "100.00",
    currency: str = "142",
    rate: str = "1",
    country: str | None = "502",
    district: str | None = "haizhou",
    park: str | None = "haizhou_cbec_park",
    chapters: Iterable[tuple[str, str]] | None = None,
    order_count: int = 1,
) -> DocumentFacts:
    """Inventory facts; chapters default to one chapter holding the whole value."""
    chapter_list = [
        ChapterValue(chapter=c, value=Decimal(v), value_cny=Decimal(v) * Decimal(rate))
        for c, v in (chapters if chapters is not None else [("61", value)])
    ]
    return DocumentFacts(
        document_id=document_id,
        document_kind="inventory",
        message_type="CEB603" if direction == "export" else "CEB621",
        party_id=party,
        mode=mode,
        direction=direction,
        business_no=f"INV-{document_id}",
        currency=currency,
        value=Decimal(value),
        value_cny=Decimal(value) * Decimal(rate),
        cny_rate=Decimal(rate),
        country=country,
        chapters=chapter_list,
        district=district,
        park=park,
        order_count=order_count,
    )


def status(
    doc: DocumentFacts,
    new_status: str,
    when: dt.datetime,
    previous: str | None = None,
    event_id: str | None = None,
) -> CloudEvent:
    data = DocumentStatusChanged(document=doc, previous_status=previous, status=new_status, occurred_at=when)
    return build_event(
        data,
        source="/ddt/declaration",
        subject=doc.document_id,
        event_id=event_id or f"st-{uuid.uuid4().hex}",
    )


def released(doc: DocumentFacts, when: dt.datetime, event_id: str | None = None) -> CloudEvent:
    return status(doc, "released", when, "examination_concluded", event_id)


def returned(
    doc: DocumentFacts,
    return_id: str,
    value: str,
    when: dt.datetime,
    chapters: Iterable[tuple[str, str]] | None = None,
    event_id: str | None = None,
) -> CloudEvent:
    chapter_list = [
        ChapterValue(chapter=c, value=Decimal(v), value_cny=Decimal(v))
        for c, v in (chapters if chapters is not None else [(doc.chapters[0].chapter, value)])
    ]
    data = InventoryReturned(
        document=doc,
        return_id=return_id,
        returned_chapters=chapter_list,
        returned_value=Decimal(value),
        returned_value_cny=Decimal(value),
        occurred_at=when,
    )
    return build_event(
        data,
        source="/ddt/declaration",
        subject=doc.document_id,
        event_id=event_id or f"rt-{uuid.uuid4().hex}",
    )


def accepted(doc: DocumentFacts, when: dt.datetime, event_id: str | None = None) -> CloudEvent:
    data = DocumentAccepted(document=doc, accepted_at=when, status="waiting")
    return build_event(
        data,
        source="/ddt/declaration",
        subject=doc.document_id,
        event_id=event_id or f"ac-{uuid.uuid4().hex}",
    )


def registered(
    party: str,
    *,
    name: str | None = None,
    uscc: str,
    district: str | None = "haizhou",
    park: str | None = None,
    roles: list[str] | None = None,
    when: dt.datetime | None = None,
) -> CloudEvent:
    data = PartyRegistered(
        party_id=party,
        name=name or f"连云港{party}跨境电商有限公司",
        uscc=uscc,
        roles=roles or ["ecommerce_enterprise"],
        district=district,
        park=park,
        registered_at=when or at("2025-06-01 09:00"),
    )
    return build_event(data, source="/ddt/gateway", subject=party)


def funds_month(
    party: str, month: str, receipts: str, matched: str, *, revision: int = 1, held: int = 0
) -> CloudEvent:
    """The payments service's ``FundsMonth`` for an enterprise (receipts only)."""
    from shared.events.payments import FundsMonth

    data = FundsMonth(
        party_id=party,
        month=month,
        receipts_cny=Decimal(receipts),
        matched_receipts_cny=Decimal(matched),
        netted_cny=Decimal(0),
        payments_cny=Decimal(0),
        matched_payments_cny=Decimal(0),
        unmatched_transactions=1 if Decimal(receipts) > Decimal(matched) else 0,
        held_transactions=held,
        revision=revision,
        as_of=at("2026-11-20 10:00"),
    )
    return build_event(data, source="/ddt/payments", subject=f"funds:{party}:{month}")


def traffic(party: str, hour: dt.datetime, calls: int, errors: int = 0) -> CloudEvent:
    data = ApiTrafficCounted(party_id=party, hour_start=hour, calls=calls, errors=errors)
    return build_event(data, source="/ddt/gateway", subject=party)


async def migrated(url: str) -> Database:
    """A stats database at head with the default rates."""
    db = Database(url)
    await upgrade_to_head(db, "stats")
    async with db.transaction() as session:
        await seed_default_rates(session)
    return db


def consumer(db: Database) -> EventConsumer:
    """The stats consumer (real inbox); :func:`feed` drives it without the broker."""
    return EventConsumer(
        service="stats", name="stats", db=db, platform=PlatformSettings(), topics=[], handlers=handlers
    )


async def feed(db: Database, events: Iterable[CloudEvent]) -> list[str]:
    """Apply events as the consumer does (inbox row + effect in one transaction); outcomes."""
    worker = consumer(db)
    outcomes = []
    for event in events:
        resolved = handlers.resolve(event)
        assert resolved is not None, event.type
        handler, data = resolved
        outcomes.append(await worker.apply(event, handler, data))
    return outcomes


async def aggregate_rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every aggregate table's rows (sorted), plus facts, chapters and first activity."""
    from services.stats.facts.models import Fact, FactChapter
    from services.stats.parties.models import FirstActivity

    out: dict[str, list[tuple[Any, ...]]] = {}
    async with db.transaction() as session:
        for spec in SPECS:
            rows = (await session.execute(select(spec.table))).all()
            out[spec.name] = sorted(tuple(r) for r in rows)
        fact_columns = [c for c in Fact.__table__.c if c.name != "updated_at"]
        out["facts"] = sorted(tuple(r) for r in (await session.execute(select(*fact_columns))).all())
        out["chapters"] = sorted(
            tuple(r) for r in (await session.execute(select(FactChapter.__table__))).all()
        )
        out["first"] = sorted(
            tuple(r) for r in (await session.execute(select(FirstActivity.__table__))).all()
        )
    return out
