"""Status changes of documents: the row, the history and the event, in one transaction.

Every change goes through :func:`apply`: the document's status (and mode, when a
match teaches it) is updated, a history row appended, and a
``ddt.declaration.document.status_changed`` event staged in the outbox — so the
event exists if and only if the change does.

Statuses of part 1 (docs/declaration.md): ``accepted`` (orders, payments, waybills
and the other non-inventory documents), ``waiting`` / ``matched`` / ``mismatched``
(inventories in the three-document match; partners become ``matched`` with their
inventory), ``deleted`` (appType 3 before anything went to customs). Part 2 adds the
customs statuses (``sent`` once in the customs outbox, then the lifecycle names of
:mod:`..customs.core.lifecycle`: ``submitted``, ``customs_accepted`` … ``released``, ``closed``),
with the customs ``returnStatus`` and ``returnTime`` of the receipt that caused each change.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.documents.business_refs import business_references
from services.declaration.documents.repository import DocumentRepository
from shared.context import current_request_id
from shared.events.declaration import (
    ChapterValue,
    DocumentAccepted,
    DocumentFacts,
    DocumentStatusChanged,
    Mode,
)
from shared.events.envelope import EventData
from shared.events.statuses import DocumentStatus
from shared.messaging.outbox import EventPublisher

_FACT_COLUMNS = (
    "id",
    "kind",
    "message_type",
    "party_id",
    "mode",
    "direction",
    "business_no",
    "ebc_code",
    "ebp_code",
    "currency",
    "value",
    "value_cny",
    "cny_rate",
    "country",
    "chapters",
    "district",
    "park",
    "order_ref",
    "waybill_ref",
)


def canonical(value: Any, places: int = 2) -> Decimal:
    """A Decimal without the storage's padding (``532.60000`` → ``532.60``, rate ``1.00000`` → ``1``).

    Stored money comes back at NUMERIC(19,5); an event should read the same whether it
    was built from the request or from the row.
    """
    number = Decimal(str(value))
    rounded = number.quantize(Decimal(1).scaleb(-places))
    if rounded == number:
        return rounded
    return Decimal(format(number, "f").rstrip("0"))


def columns_of(document: Any) -> dict[str, Any]:
    """The fact columns of a stored document (ORM object or Core row)."""
    return {name: getattr(document, name) for name in _FACT_COLUMNS}


def facts(columns: Mapping[str, Any], mode: str | None = None) -> DocumentFacts:
    """Event facts from a document's columns (no personal data is among them)."""
    return DocumentFacts(
        document_id=columns["id"],
        document_kind=columns["kind"],
        message_type=columns["message_type"],
        party_id=columns["party_id"],
        mode=cast("Mode | None", mode or columns["mode"]),
        direction=columns["direction"],
        business_no=columns["business_no"],
        ebc_code=columns["ebc_code"],
        ebp_code=columns["ebp_code"],
        currency=columns["currency"],
        value=canonical(columns["value"]),
        value_cny=canonical(columns["value_cny"]),
        cny_rate=canonical(columns["cny_rate"], places=0),
        country=columns["country"],
        chapters=[
            ChapterValue(
                chapter=chapter["chapter"],
                value=canonical(chapter["value"]),
                value_cny=canonical(chapter["value_cny"]),
                quantity_lines=chapter["quantity_lines"],
            )
            for chapter in columns["chapters"] or []
        ],
        district=columns["district"],
        park=columns["park"],
        **business_references(columns),
    )


@dataclass(frozen=True)
class Transition:
    """One document moving from one status to another (``mode`` set when a match reveals it)."""

    columns: Mapping[str, Any]
    previous: str | None
    status: str
    reason: str | None = None
    mode: str | None = None
    needs_review: bool | None = None
    customs_status: str | None = None
    """The customs ``returnStatus`` when a receipt caused the change."""
    occurred_at: dt.datetime | None = None
    """When it happened, if not now: a receipt's customs ``returnTime`` (statistics date by it)."""


async def apply(
    session: AsyncSession, publisher: EventPublisher, transitions: Sequence[Transition], now: dt.datetime
) -> None:
    """Persist the transitions, append history and stage their events (a few statements in all)."""
    await publish(session, publisher, now, to_apply=transitions)


async def record(
    session: AsyncSession, publisher: EventPublisher, transitions: Sequence[Transition], now: dt.datetime
) -> None:
    """History rows and events only (for changes whose row was written with its new status)."""
    await publish(session, publisher, now, written=transitions)


async def publish(
    session: AsyncSession,
    publisher: EventPublisher,
    now: dt.datetime,
    *,
    accepted: Sequence[Mapping[str, Any]] = (),
    accepted_reason: str = "filed",
    written: Sequence[Transition] = (),
    to_apply: Sequence[Transition] = (),
) -> None:
    """Everything a filing changed, in one go: new documents, rows already rewritten, rows to move.

    ``accepted`` are new document rows (a ``document.accepted`` event each, carrying
    the status they start in); ``written`` are transitions whose row the caller has
    already rewritten; ``to_apply`` are transitions whose row is updated here. One
    UPDATE per distinct target, one history INSERT and one outbox INSERT in all —
    accepted events first, so a document's acceptance precedes its status changes.
    """
    repository = DocumentRepository.from_session(session)
    groups: dict[tuple[str, str | None, str | None, bool | None], list[str]] = defaultdict(list)
    for change in to_apply:
        key = (change.status, change.previous, change.mode, change.needs_review)
        groups[key].append(change.columns["id"])
    moved: set[str] = set()
    for (status, previous, mode, review), ids in groups.items():
        values: dict[str, Any] = {"status": status, "updated_at": now}
        if mode is not None:
            values["mode"] = mode
        if review is not None:
            values["needs_review"] = review
        # Only from the status the change was decided on: the customs exchange may have
        # taken the document meanwhile (``sent``), and that must not be overwritten.
        moved.update(await repository.move(ids, previous, values))
    skipped = [change for change in to_apply if change.columns["id"] not in moved]
    for change in skipped:
        if change.mode is not None:
            # The document moved on without this change, but the mode it teaches still holds.
            await repository.teach_modes([change.columns["id"]], change.mode)
    changes = [*written, *(change for change in to_apply if change.columns["id"] in moved)]
    if not accepted and not changes:
        return
    request_id = current_request_id()
    await repository.add_status_changes(
        [
            {
                "document_id": row["id"],
                "party_id": row["party_id"],
                "from_status": None,
                "to_status": row["status"],
                "customs_status": None,
                "reason": accepted_reason,
                "occurred_at": now,
                "request_id": request_id,
            }
            for row in accepted
        ]
        + [
            {
                "document_id": change.columns["id"],
                "party_id": change.columns["party_id"],
                "from_status": change.previous,
                "to_status": change.status,
                "customs_status": change.customs_status,
                "reason": change.reason,
                "occurred_at": change.occurred_at or now,
                "request_id": request_id,
            }
            for change in changes
        ],
    )
    events: list[tuple[EventData, str]] = [
        (DocumentAccepted(document=facts(row), accepted_at=now, status=row["status"]), row["id"])
        for row in accepted
    ]
    # A document often changes several times in one go (a batch of customs receipts):
    # its facts are built and validated once.
    known: dict[tuple[str, str | None], DocumentFacts] = {}
    for change in changes:
        fact_key = (str(change.columns["id"]), change.mode)
        document = known.get(fact_key)
        if document is None:
            document = known[fact_key] = facts(change.columns, change.mode)
        events.append(
            (
                DocumentStatusChanged(
                    document=document,
                    previous_status=DocumentStatus(change.previous) if change.previous else None,
                    status=DocumentStatus(change.status),
                    customs_status=change.customs_status,
                    reason=change.reason,
                    occurred_at=change.occurred_at or now,
                ),
                change.columns["id"],
            )
        )
    await publisher.stage_many(session, events)


__all__ = ["Transition", "apply", "columns_of", "facts", "publish", "record"]
