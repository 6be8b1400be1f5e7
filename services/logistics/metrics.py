"""Prometheus metrics of the logistics service."""

from __future__ import annotations

from prometheus_client import Counter

TRACKING_EVENTS = Counter(
    "ddt_logistics_tracking_events_total",
    "Tracking events received, by source and outcome (accepted, duplicate, rejected)",
    ["source", "outcome"],
)
UNMAPPED_CODES = Counter(
    "ddt_logistics_unmapped_codes_total",
    "Events whose native code is not in the source's mapping table (kept raw, fallback status)",
    ["source"],
)
STALE_ALERTS = Counter("ddt_logistics_stale_alerts_total", "Legs reported stale, by mode", ["mode"])
