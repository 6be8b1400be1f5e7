"""API shapes of webhooks."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

_EVENT_TYPE = re.compile(r"^ddt(\.[a-z0-9_]+)*(\.\*)?$|^\*$")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _check_types(types: list[str]) -> list[str]:
    for item in types:
        if not _EVENT_TYPE.match(item):
            raise ValueError(
                f"{item!r} is not an event type (e.g. ddt.declaration.document.accepted, "
                "ddt.declaration.*, or *)"
            )
    return sorted(set(types))


class SubscriptionIn(_In):
    """A callback URL and the event types (base types without version; ``prefix.*`` or ``*``) it wants."""

    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=2000)]
    event_types: list[Annotated[str, StringConstraints(max_length=200)]] = Field(min_length=1, max_length=50)
    description: Annotated[str, StringConstraints(max_length=200)] = ""

    @field_validator("event_types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        return _check_types(value)


class SubscriptionPatch(_In):
    """Change a subscription."""

    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=2000)] | None = None
    event_types: list[Annotated[str, StringConstraints(max_length=200)]] | None = Field(
        default=None, min_length=1, max_length=50
    )
    description: Annotated[str, StringConstraints(max_length=200)] | None = None
    status: Literal["active", "disabled"] | None = None

    @field_validator("event_types")
    @classmethod
    def _types(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _check_types(value)


class SubscriptionOut(BaseModel):
    """A subscription (never its secret)."""

    id: str
    url: str
    event_types: list[str]
    description: str
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime


class SubscriptionCreated(SubscriptionOut):
    """A new subscription: the only response with its signing secret."""

    secret: str = Field(description="ddtwh_… — verify X-DDT-Webhook-Signature with it; shown once.")


class SubscriptionList(BaseModel):
    """Own subscriptions."""

    items: list[SubscriptionOut]


class AttemptOut(BaseModel):
    """One HTTP attempt."""

    attempt: int
    attempted_at: dt.datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryOut(BaseModel):
    """A delivery and its state."""

    id: str
    subscription_id: str
    event_id: str
    event_type: str
    status: Literal["pending", "delivered", "dead"]
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    dead_at: dt.datetime | None


class DeliveryDetail(DeliveryOut):
    """A delivery with its attempts (the log)."""

    attempt_log: list[AttemptOut]


class DeliveryPage(BaseModel):
    """A page of deliveries, newest first."""

    items: list[DeliveryOut]
    next_cursor: str | None = None


class AllowEntryIn(_In):
    """A host name or network that webhooks may reach although it is not public."""

    entry: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
    note: Annotated[str, StringConstraints(max_length=200)] = ""


class AllowEntryOut(BaseModel):
    """An allow-list entry."""

    entry: str
    note: str
    created_by: str
    created_at: dt.datetime
