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


def parse_data(event: CloudEvent, model: type[E]) -> E:
    """Validate the envelope's data against ``model``."""
    return model.model_validate(event.data)
