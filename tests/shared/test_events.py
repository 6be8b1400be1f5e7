"""The CloudEvents envelope and versioned payloads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from shared.events import (
    EVENT_MODELS,
    CloudEvent,
    EventData,
    build_event,
    encode_event,
    encode_event_json,
    parse_data,
    split_type,
)
from shared.events.declaration import DocumentAccepted, DocumentFacts, DocumentStatusChanged
from shared.events.statuses import DocumentStatus

FACTS = DocumentFacts(
    document_id="d-1",
    document_kind="inventory",
    message_type="CEB621",
    party_id="p-1",
    mode="1210",
    direction="import",
    business_no="ORDER-1",
    currency="142",
    value=Decimal("99.50"),
    value_cny=Decimal("99.50"),
    cny_rate=Decimal(1),
    country="142",
)


def test_an_event_survives_the_wire_unchanged() -> None:
    event = build_event(
        DocumentAccepted(document=FACTS, accepted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
        source="/ddt/declaration",
        subject="d-1",
    )
    assert CloudEvent.from_json_bytes(event.to_json_bytes()) == event


def test_the_envelope_is_cloudevents_1_0() -> None:
    event = build_event(
        DocumentAccepted(document=FACTS, accepted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
        source="/ddt/declaration",
        subject="d-1",
    )
    body = event.model_dump(mode="json")
    assert {k: body[k] for k in ("specversion", "type", "datacontenttype", "subject")} == {
        "specversion": "1.0",
        "type": "ddt.declaration.document.accepted.v1",
        "datacontenttype": "application/json",
        "subject": "d-1",
    }


def test_money_travels_as_decimal_strings_not_floats() -> None:
    event = build_event(
        DocumentAccepted(document=FACTS, accepted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
        source="/ddt/declaration",
        subject="d-1",
    )
    assert b'"value":"99.50"' in event.to_json_bytes()


def test_payloads_parse_back_to_decimal() -> None:
    event = build_event(
        DocumentAccepted(document=FACTS, accepted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
        source="/ddt/declaration",
        subject="d-1",
    )
    assert parse_data(event, DocumentAccepted).document.value == Decimal("99.50")


def test_the_version_is_the_last_segment_of_the_type() -> None:
    assert split_type("ddt.declaration.document.accepted.v12") == ("ddt.declaration.document.accepted", 12)


def test_an_unversioned_type_is_refused() -> None:
    with pytest.raises(ValueError):
        split_type("ddt.declaration.document.accepted")


def test_payload_models_are_registered_by_type_and_version() -> None:
    assert EVENT_MODELS[("ddt.declaration.document.accepted", 1)] is DocumentAccepted


def test_naive_event_times_are_refused() -> None:
    with pytest.raises(ValueError):
        CloudEvent(id="x", source="/s", type="a.v1", time=dt.datetime(2026, 1, 1), data={})  # noqa: DTZ001


_SHANGHAI = dt.timezone(dt.timedelta(hours=8))
_ENCODED_CASES: list[tuple[EventData, dict[str, Any]]] = [
    (
        DocumentAccepted(document=FACTS, accepted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
        {
            "subject": "d-1",
            "event_id": "e-1",
            "time": dt.datetime(2026, 1, 1, 8, 0, 0, 123456, tzinfo=dt.UTC),
        },
    ),
    (
        DocumentStatusChanged(
            document=FACTS,
            previous_status=None,
            status=DocumentStatus.MATCHED,
            occurred_at=dt.datetime(2026, 1, 1, 9, tzinfo=_SHANGHAI),
        ),
        {"subject": "d-1", "time": dt.datetime(2026, 1, 1, 9, tzinfo=_SHANGHAI), "requestid": "req-1"},
    ),
    (
        DocumentStatusChanged(
            document=FACTS,
            previous_status=DocumentStatus.MATCHED,
            status=DocumentStatus.RELEASED,
            customs_status="800",
            reason="放行",
            occurred_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        ),
        {"subject": None, "time": dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "requestid": None},
    ),
]


@pytest.mark.parametrize(("data", "envelope"), _ENCODED_CASES)
def test_the_one_pass_encoding_is_byte_for_byte_the_validated_envelopes(
    data: EventData, envelope: dict[str, Any]
) -> None:
    fields = {"event_id": "e-2", **envelope}
    built = build_event(data, source="/ddt/declaration", **fields)
    event, raw = encode_event(data, source="/ddt/declaration", **fields)
    assert (event, raw) == (built, built.to_json_bytes())


@pytest.mark.parametrize(("data", "envelope"), _ENCODED_CASES)
def test_the_outbox_encoding_is_the_validated_envelopes_id_and_bytes(
    data: EventData, envelope: dict[str, Any]
) -> None:
    fields = {"event_id": "e-3", **envelope}
    built = build_event(data, source="/ddt/declaration", **fields)
    assert encode_event_json(data, source="/ddt/declaration", **fields) == (built.id, built.to_json_bytes())


def test_the_one_pass_encoding_refuses_a_naive_time_like_the_envelope() -> None:
    with pytest.raises(ValueError):
        encode_event(
            DocumentAccepted(document=FACTS, accepted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
            source="/ddt/declaration",
            subject="d-1",
            time=dt.datetime(2026, 1, 1),  # noqa: DTZ001
        )
