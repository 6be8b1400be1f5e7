"""Outbox event staging: events staged per second, the one-pass encoder beside the validated one.

The customs exchange stages about 16 ``DocumentStatusChanged`` events per import set (the
receipts' status changes); profiles put that at ≈ 1.8 ms a set, most of it three passes
through pydantic per event (the payload dump, the envelope's validation around it, the
envelope's own dump) before ``json.dumps``. :func:`shared.events.envelope.encode_event`
encodes an event in one pass. Measured here, in one run, each beside the others:

* **bare payload** — ``data.model_dump(mode="json")`` and one ``json.dumps`` of it: the floor
  any encoding of the payload costs (the baseline of the encodings);
* **validated envelope** — ``build_event(...)`` then ``to_json_bytes()``: how the outbox
  encoded every event before;
* **one pass** — ``encode_event(...)`` (the envelope object built without validation) and
  ``encode_event_json(...)`` (id and bytes only: what the outbox uses now); the same bytes —
  tests/shared/test_events.py holds both equal to the validated path's;
* **staged on PostgreSQL** — ``EventPublisher.stage_many`` of 16 events per transaction into
  a scratch database's outbox table, committed, with each encoder in turn (the validated
  one patched in as the outbox used it), alternating rounds so that load from other work
  on the host falls on both alike.

The payload objects (facts, status change) are built before the clock: they are the same
for both encoders. Figures are events per second; the median of ``--rounds`` rounds.

    python -m bench.outbox_staging [--events 4000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch_db import create_database, drop_database, sqlalchemy_url  # noqa: E402
from shared.db import Database  # noqa: E402
from shared.events import CloudEvent, EventData, build_event, encode_event, encode_event_json  # noqa: E402
from shared.events.declaration import ChapterValue, DocumentFacts, DocumentStatusChanged  # noqa: E402
from shared.events.statuses import DocumentStatus  # noqa: E402
from shared.messaging import outbox as outbox_module  # noqa: E402
from shared.messaging.outbox import EventPublisher  # noqa: E402
from shared.messaging.tables import messaging_metadata  # noqa: E402

PER_SET = 16
SOURCE = "/ddt/declaration"
STATUSES = (DocumentStatus.MATCHED, DocumentStatus.RELEASED)


def status_changes(count: int) -> list[tuple[EventData, str]]:
    """``count`` status changes of inventories with two HS chapters each, as the exchange stages them."""
    moment = dt.datetime(2026, 12, 8, 1, 0, tzinfo=dt.UTC)
    items: list[tuple[EventData, str]] = []
    for n in range(count):
        facts = DocumentFacts(
            document_id=f"doc-{n:06d}",
            document_kind="inventory",
            message_type="CEB621",
            party_id="party-1",
            mode="1210",
            direction="import",
            business_no=f"INVT{n:012d}",
            ebc_code="3207960001",
            ebp_code="3207960002",
            currency="142",
            value=Decimal("199.00"),
            value_cny=Decimal("199.00"),
            cny_rate=Decimal(1),
            country="502",
            chapters=[
                ChapterValue(chapter="33", value=Decimal("120.00"), value_cny=Decimal("120.00")),
                ChapterValue(
                    chapter="21", value=Decimal("79.00"), value_cny=Decimal("79.00"), quantity_lines=2
                ),
            ],
            order_no=f"ORDER{n:010d}",
            logistics_no=f"LN{n:010d}",
            invt_no=f"3207{n:014d}",
            customs_code="3207",
        )
        change = DocumentStatusChanged(
            document=facts,
            previous_status=STATUSES[0],
            status=STATUSES[1],
            customs_status="800",
            reason="放行",
            occurred_at=moment + dt.timedelta(seconds=n),
        )
        items.append((change, facts.document_id))
    return items


def validated_encoder(data: EventData, **fields: Any) -> tuple[CloudEvent, bytes]:
    """The outbox's encoding before the one-pass encoder: validated envelope, dumped again."""
    event = build_event(data, **fields)
    return event, event.to_json_bytes()


def validated_outbox_encoder(data: EventData, **fields: Any) -> tuple[str, bytes]:
    """:func:`validated_encoder` in the shape the outbox calls its encoder with."""
    event, raw = validated_encoder(data, **fields)
    return event.id, raw


def rate(run: Callable[[], Any], count: int) -> float:
    """Events per second of one call of ``run`` over ``count`` events."""
    began = time.perf_counter()
    run()
    return count / (time.perf_counter() - began)


def encodings(items: list[tuple[EventData, str]], rounds: int) -> dict[str, float]:
    """Median events/s of the bare payload dump, the validated envelope and the one-pass encoder."""
    now = dt.datetime.now(dt.UTC)

    def bare() -> None:
        for data, _subject in items:
            json.dumps(
                data.model_dump(mode="json"), ensure_ascii=False, sort_keys=True, separators=(",", ":")
            )

    def with_(encoder: Callable[..., tuple[CloudEvent, bytes]]) -> Callable[[], None]:
        def run() -> None:
            for data, subject in items:
                encoder(data, source=SOURCE, subject=subject, time=now, requestid="req-bench")

        return run

    runs = {
        "bare payload": bare,
        "validated envelope": with_(validated_encoder),
        "one pass": with_(encode_event),
    }
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            samples[name].append(rate(run, len(items)))
    return {name: statistics.median(values) for name, values in samples.items()}


async def staged(items: list[tuple[EventData, str]], rounds: int) -> dict[str, float]:
    """Median events/s of ``stage_many`` (16 per committed transaction) with each encoder."""
    name = await create_database("ddt_bench_outbox")
    db = Database(sqlalchemy_url(name), pre_ping=False)
    publisher = EventPublisher("declaration")
    encoders: dict[str, Callable[..., tuple[str, bytes]]] = {
        "validated envelope": validated_outbox_encoder,
        "one pass, bytes only": encode_event_json,
    }
    samples: dict[str, list[float]] = {label: [] for label in encoders}
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(messaging_metadata.create_all)
        for round_no in range(rounds):
            for label, encoder in encoders.items():
                outbox_module.encode_event_json = encoder  # type: ignore[assignment]
                # A fresh id per event and round: the outbox's event_id is unique.
                ids = [f"{label[:3]}-{round_no}-{n}" for n in range(len(items))]
                began = time.perf_counter()
                for start in range(0, len(items), PER_SET):
                    async with db.transaction() as session:
                        await publisher.stage_many(
                            session, items[start : start + PER_SET], event_ids=ids[start : start + PER_SET]
                        )
                samples[label].append(len(items) / (time.perf_counter() - began))
    finally:
        outbox_module.encode_event_json = encode_event_json
        await db.dispose()
        await drop_database(name)
    return {label: statistics.median(values) for label, values in samples.items()}


def main() -> None:
    """Run the measurements and print them as a table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    load = os.getloadavg()
    items = status_changes(args.events)
    encoded = encodings(items, args.rounds)
    stored = asyncio.run(staged(items, args.rounds))
    bare = encoded["bare payload"]
    print(f"load average at the start: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
    print(f"{args.events} DocumentStatusChanged events, median of {args.rounds} rounds\n")
    print("| measurement | events/s | ÷ bare payload | µs/event |")
    print("|---|---|---|---|")
    for label, value in encoded.items():
        print(f"| encode: {label} | {value:,.0f} | {value / bare:.2f} | {1e6 / value:.1f} |")
    for label, value in stored.items():
        print(
            f"| staged on PostgreSQL, {PER_SET}/transaction: {label} | {value:,.0f} | {value / bare:.2f} "
            f"| {1e6 / value:.1f} |"
        )
    print(
        json.dumps(
            {"load": load, "events": args.events, "rounds": args.rounds, "encode": encoded, "staged": stored},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
