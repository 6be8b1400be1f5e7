"""A tiny event model used only by the shared library's tests."""

from __future__ import annotations

from typing import ClassVar

from shared.events.envelope import EventData, register_event


@register_event
class CounterBumped(EventData):
    """Test event: bump a counter by ``amount``."""

    event_type: ClassVar[str] = "ddt.test.counter.bumped"
    version: ClassVar[int] = 1

    counter: str
    amount: int


@register_event
class CounterBumpedV2(EventData):
    """Version 2 of the same event, which the test consumers do not know."""

    event_type: ClassVar[str] = "ddt.test.counter.bumped"
    version: ClassVar[int] = 2

    counter: str
    amount: int
    unit: str
