"""Request and response models of subscriptions."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Scope = Literal["all", "order_no", "logistics_no", "tracking_number"]
Kind = Literal["status_changed", "eta_changed", "stale", "milestone"]
ALL_KINDS: tuple[Kind, ...] = ("status_changed", "eta_changed", "stale", "milestone")


def _all_kinds() -> list[Kind]:
    return list(ALL_KINDS)


class SubscriptionIn(BaseModel):
    """What to hear about."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"scope": "order_no", "value": "ORD20260501001", "kinds": ["status_changed"]}]
        },
    )

    scope: Scope = Field(description="all of your shipments, or those of one number")
    value: str | None = Field(
        default=None, min_length=1, max_length=64, description="the number (not for `all`)"
    )
    kinds: list[Kind] = Field(
        default_factory=_all_kinds,
        min_length=1,
        max_length=4,
    )

    @model_validator(mode="after")
    def _value_for_scope(self) -> SubscriptionIn:
        if (self.scope == "all") != (self.value is None):
            raise ValueError("`value` is required for a number scope and not allowed for `all`")
        return self


class SubscriptionOut(BaseModel):
    """A subscription."""

    id: str
    scope: Scope
    value: str | None
    kinds: list[str]
    status: str
    created_at: dt.datetime


class TestFired(BaseModel):
    """A test notification was queued for the gateway to deliver to your webhooks."""

    event_id: str
    event_type: str = "ddt.logistics.notification.v1"
