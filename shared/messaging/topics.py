"""Topic names: one topic per producing service, one dead-letter topic per consumer."""

from __future__ import annotations

SERVICES = ("gateway", "declaration", "logistics", "payments", "stats")


def events_topic(service: str) -> str:
    """The topic ``service`` publishes its events to."""
    return f"ddt.{service}.events"


def dead_letter_topic(consumer: str) -> str:
    """Where ``consumer`` republishes the messages it parked."""
    return f"ddt.{consumer}.deadletter"


def all_topics() -> list[str]:
    """Every topic the platform uses (what the embedded runner and compose create)."""
    return [events_topic(s) for s in SERVICES] + [dead_letter_topic(s) for s in SERVICES]
