"""The CloudEvents 1.0 envelope (structured JSON mode) and versioned event payloads.

An event on the wire::

    {"specversion": "1.0", "id": "…uuid…", "source": "/ddt/declaration",
     "type": "ddt.declaration.document.accepted.v1", "subject": "<aggregate id>",
     "time": "2026-11-25T10:00:00.123456+00:00", "datacontenttype": "application/json",
     "requestid": "…", "data": {…}}

The payload version is the last segment of ``type`` (``.v1``): a consumer knows which
versions it can read and parks the rest instead of misreading them. ``subject`` is
the aggregate id and doubles as the Kafka key, so one aggregate's events stay in
order on one partition.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

_VERSIONED_TYPE = re.compile(r"^(?P<base>[a-z0-9_.]+)\.v(?P<version>[1-9][0-9]*)$")


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 envelope; unknown extension attributes are kept."""

    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=128)
    source: str = Field(min_length=1)
    type: str = Field(min_length=1)
    subject: str | None = None
    time: AwareDatetime
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]

    @property
    def base_type(self) -> str:
        """``type`` without its version suffix."""
        return split_type(self.type)[0]

    @property
    def version(self) -> int:
        """The payload version carried in ``type``."""
        return split_type(self.type)[1]

    def to_json_bytes(self) -> bytes:
        """Canonical JSON bytes (sorted keys, UTF-8) for the wire and the outbox."""
        return json.dumps(
            self.model_dump(mode="json", exclude_none=True),
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        ).encode()

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> CloudEvent:
        """Parse and validate an envelope; raises ``ValueError`` on anything malformed."""
        return cls.model_validate_json(raw)


def split_type(event_type: str) -> tuple[str, int]:
    """``"a.b.c.v2"`` → ``("a.b.c", 2)``; raises ``ValueError`` if unversioned."""
    match = _VERSIONED_TYPE.match(event_type)
    if not match:
        raise ValueError(f"event type {event_type!r} has no .vN version suffix")
    return match["base"], int(match["version"])


class EventData(BaseModel):
    """Base of every event payload: declares its type and version.

    Payloads never carry personal data (names, phones, ID numbers, addresses): events
    fan out to every consumer and into the broker's retention.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    version: ClassVar[int] = 1

    @classmethod
    def type_name(cls) -> str:
        """The versioned CloudEvents ``type``."""
        return f"{cls.event_type}.v{cls.version}"


E = TypeVar("E", bound=EventData)

#: (base type, version) → payload model; filled by :func:`register_event`.
EVENT_MODELS: dict[tuple[str, int], type[EventData]] = {}


def register_event(model: type[E]) -> type[E]:
    """Class decorator: make ``model`` known to consumers."""
    key = (model.event_type, model.version)
    if key in EVENT_MODELS and EVENT_MODELS[key] is not model:
        raise ValueError(f"event {model.type_name()} registered twice")
    EVENT_MODELS[key] = model
    return model


def build_event(
    data: EventData,
    *,
    source: str,
    subject: str,
    event_id: str | None = None,
    time: dt.datetime | None = None,
    **extensions: Any,
) -> CloudEvent:
    """Wrap a payload into an envelope (id and time default to new/now)."""
    return CloudEvent(
        id=event_id or str(uuid.uuid4()),
        source=source,
        type=data.type_name(),
        subject=subject,
        time=time or dt.datetime.now(dt.UTC),
        data=data.model_dump(mode="json"),
        **{k: v for k, v in extensions.items() if v is not None},
    )


#: Extension attribute values the one-pass encoder writes as they are (JSON scalars).
_SCALARS = (str, int, float, bool)


def _wire_time(moment: dt.datetime) -> str:
    """``moment`` as pydantic writes an aware datetime in JSON mode (UTC as ``Z``)."""
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _one_pass(
    data: EventData,
    source: str,
    subject: str | None,
    event_id: str | None,
    time: dt.datetime | None,
    extensions: dict[str, Any],
) -> tuple[dict[str, Any], bytes] | None:
    """The envelope as a plain dict (``time`` still a datetime) and its canonical bytes.

    None when something is out of the ordinary — an id out of bounds, an empty source, a
    naive time or an offset pydantic would write differently, an extension that is not a
    JSON scalar — for the validating path to refuse or encode exactly as before.
    """
    moment = time or dt.datetime.now(dt.UTC)
    eid = event_id or str(uuid.uuid4())
    offset = moment.utcoffset()
    if (
        offset is None
        or offset.microseconds
        or offset.seconds % 60
        or not 0 < len(eid) <= 128
        or not source
        or not all(type(v) in _SCALARS for v in extensions.values())
    ):
        return None
    envelope: dict[str, Any] = {
        "specversion": "1.0",
        "id": eid,
        "source": source,
        "type": data.type_name(),
        "time": _wire_time(moment),
        "datacontenttype": "application/json",
        "data": data.model_dump(mode="json"),
        **extensions,
    }
    if subject is not None:
        envelope["subject"] = subject
    raw = json.dumps(envelope, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    envelope["time"] = moment
    return envelope, raw


def encode_event(
    data: EventData,
    *,
    source: str,
    subject: str | None,
    event_id: str | None = None,
    time: dt.datetime | None = None,
    **extensions: Any,
) -> tuple[CloudEvent, bytes]:
    """Wrap a payload and encode it in one pass: the envelope and its canonical JSON bytes.

    The same event and the same bytes as ``build_event(...)`` then ``to_json_bytes()``
    (tests/shared/test_events.py holds them equal): the payload is dumped once, the
    envelope is a plain dict around it — every field of it is built here, so there is
    nothing to validate but what callers pass in, which is checked — and ``json.dumps``
    runs once. Anything out of the ordinary takes the validating path.
    """
    kept = {k: v for k, v in extensions.items() if v is not None}
    encoded = _one_pass(data, source, subject, event_id, time, kept)
    if encoded is None:
        event = build_event(data, source=source, subject=subject, event_id=event_id, time=time, **kept)  # type: ignore[arg-type]
        return event, event.to_json_bytes()
    envelope, raw = encoded
    return CloudEvent.model_construct(**envelope), raw


def encode_event_json(
    data: EventData,
    *,
    source: str,
    subject: str | None,
    event_id: str | None = None,
    time: dt.datetime | None = None,
    **extensions: Any,
) -> tuple[str, bytes]:
    """The event id and canonical bytes of :func:`encode_event`, without the envelope object.

    For the outbox, which stores the bytes: building the pydantic envelope costs as much as
    a quarter of an event's encoding, and nothing reads it there.
    """
    kept = {k: v for k, v in extensions.items() if v is not None}
    encoded = _one_pass(data, source, subject, event_id, time, kept)
    if encoded is None:
        event = build_event(data, source=source, subject=subject, event_id=event_id, time=time, **kept)  # type: ignore[arg-type]
        return event.id, event.to_json_bytes()
    envelope, raw = encoded
    return envelope["id"], raw


def parse_data(event: CloudEvent, model: type[E]) -> E:
    """Validate the envelope's data against ``model``."""
    return model.model_validate(event.data)
