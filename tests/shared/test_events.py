"""The CloudEvents envelope and versioned payloads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shared.events import EVENT_MODELS, CloudEvent, build_event, parse_data, split_type
from shared.events.declaration import DocumentAccepted, DocumentFacts

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
