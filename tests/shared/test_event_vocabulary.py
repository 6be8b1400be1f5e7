"""The shared status vocabulary: one enum for producer and readers, unknown statuses parked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.declaration.customs.core.lifecycle import KINDS
from shared.events import build_event
from shared.events.declaration import DocumentFacts, DocumentStatusChanged
from shared.events.statuses import LEGACY_NAMES, STATUS_RANK, DocumentStatus
from shared.messaging.consumer import EventHandlers, UnreadableMessage

FACTS = DocumentFacts(
    document_id="d1",
    document_kind="inventory",
    message_type="CEB621",
    party_id="p1",
    direction="import",
    business_no="I1",
    currency="142",
    value=Decimal("10"),
    value_cny=Decimal("10"),
    cny_rate=Decimal("1"),
)


def test_every_status_has_a_rank() -> None:
    assert set(STATUS_RANK) == set(DocumentStatus)


def test_the_lifecycle_speaks_only_the_shared_vocabulary() -> None:
    names = {status.name for spec in KINDS.values() for status in spec.statuses.values()}
    assert names <= set(DocumentStatus)


def test_an_event_with_an_unknown_status_is_unreadable_not_ranked_zero() -> None:
    handlers = EventHandlers()

    @handlers.on(DocumentStatusChanged)
    async def apply(*_args: object) -> None:
        raise AssertionError("never applied")

    known = DocumentStatusChanged(
        document=FACTS,
        previous_status=None,
        status=DocumentStatus.RELEASED,
        occurred_at=dt.datetime.now(dt.UTC),
    )
    event = build_event(known, source="/ddt/declaration", subject="d1")
    event.data["status"] = "released_by_magic"
    with pytest.raises(UnreadableMessage, match="invalid"):
        handlers.resolve(event)


def test_an_event_published_with_an_old_status_name_reads_with_the_new_one() -> None:
    handlers = EventHandlers()

    @handlers.on(DocumentStatusChanged)
    async def apply(*_args: object) -> None:
        return None

    change = DocumentStatusChanged(
        document=FACTS,
        previous_status=DocumentStatus.CUSTOMS_ACCEPTED,
        status=DocumentStatus.EXAMINATION_CONCLUDED,
        occurred_at=dt.datetime.now(dt.UTC),
    )
    event = build_event(change, source="/ddt/declaration", subject="d1")
    event.data["status"] = "cleared_review"  # as a producer of the earlier version wrote it
    resolved = handlers.resolve(event)
    assert resolved and resolved[1].status is DocumentStatus.EXAMINATION_CONCLUDED  # type: ignore[attr-defined]


def test_every_old_status_name_reads_as_a_status_of_the_same_rank() -> None:
    assert all(DocumentStatus(old).rank == DocumentStatus(new).rank for old, new in LEGACY_NAMES.items())
