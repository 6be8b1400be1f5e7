"""Event envelope and the versioned payload models of every producing service."""

from shared.events import declaration, gateway, logistics, payments, warehousing  # noqa: F401  (registers the models)
from shared.events.envelope import (
    EVENT_MODELS,
    CloudEvent,
    EventData,
    build_event,
    encode_event,
    encode_event_json,
    parse_data,
    register_event,
    split_type,
)

__all__ = [
    "EVENT_MODELS",
    "CloudEvent",
    "EventData",
    "build_event",
    "encode_event",
    "encode_event_json",
    "parse_data",
    "register_event",
    "split_type",
]
