"""The Grafana dashboards, one per service, written as provisioned JSON files.

``python -m deploy.monitoring.dashboards`` rewrites ``deploy/monitoring/grafana/dashboards/``;
``tests/deploy/test_monitoring.py`` fails if the committed files differ from what this
writes, or if a panel names a metric the code does not export.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from deploy.catalogue import SERVICES

FOLDER = Path(__file__).resolve().parent / "grafana" / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "ddt-prometheus"}


def _panel(
    panel_id: int, title: str, targets: list[tuple[str, str]], unit: str, x: int, y: int, description: str
) -> dict[str, Any]:
    return {
        "id": panel_id,
        "type": "timeseries",
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "gridPos": {"h": 8, "w": 12, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}},
        "targets": [
            {"refId": chr(ord("A") + i), "datasource": DATASOURCE, "expr": expr, "legendFormat": legend}
            for i, (expr, legend) in enumerate(targets)
        ],
    }


def dashboard(service: str) -> dict[str, Any]:
    """The dashboard of ``service``: traffic, errors, latency, outbox, consumers, dead letters."""
    s = f'service="{service}"'
    rows: list[tuple[str, list[tuple[str, str]], str, str]] = [
        (
            "Request rate",
            [(f"sum by (route) (rate(ddt_http_requests_total{{{s}}}[5m]))", "{{route}}")],
            "reqps",
            "Requests answered per second, by route template.",
        ),
        (
            "Errors",
            [
                (f'sum by (status) (rate(ddt_http_requests_total{{{s},status=~"5.."}}[5m]))', "{{status}}"),
                (
                    f'sum(rate(ddt_http_requests_total{{{s},status=~"5.."}}[5m])) '
                    f"/ clamp_min(sum(rate(ddt_http_requests_total{{{s}}}[5m])), 1e-9)",
                    "5xx ratio",
                ),
            ],
            "short",
            "Server errors per second by status, and their share of all answers.",
        ),
        (
            "Latency",
            [
                (
                    f"histogram_quantile({q}, sum by (le) "
                    f"(rate(ddt_http_request_duration_seconds_bucket{{{s}}}[5m])))",
                    f"p{int(q * 100)}",
                )
                for q in (0.5, 0.95, 0.99)
            ],
            "s",
            "Time to answer, percentiles over every route.",
        ),
        (
            "Outbox lag",
            [
                (f"max(ddt_outbox_pending{{{s}}})", "events waiting"),
                (f"max(ddt_outbox_oldest_unsent_age_seconds{{{s}}})", "oldest waiting (s)"),
                (f"sum(rate(ddt_outbox_publish_failures_total{{{s}}}[5m]))", "publish failures/s"),
                (f"max(ddt_broker_connected{{{s}}})", "relay connected"),
            ],
            "short",
            "Events committed but not yet acknowledged by Kafka (the relay leader reports them).",
        ),
        (
            "Consumer lag",
            [
                (f"sum by (consumer) (ddt_consumer_lag_messages{{{s}}})", "{{consumer}} lag"),
                (f"sum by (consumer) (ddt_consumer_assigned_partitions{{{s}}})", "{{consumer}} partitions"),
                (
                    f"sum by (consumer, outcome) (rate(ddt_events_consumed_total{{{s}}}[5m]))",
                    "{{consumer}} {{outcome}}/s",
                ),
            ],
            "short",
            "Messages on the group's partitions not yet applied, partitions held, events handled.",
        ),
        (
            "Dead letters",
            [(f"sum by (consumer) (increase(ddt_dead_letters_parked_total{{{s}}}[1h]))", "{{consumer}}")],
            "short",
            "Messages parked in the last hour (docs/operations.md: Dead letters).",
        ),
    ]
    panels = [
        _panel(i + 1, title, targets, unit, (i % 2) * 12, (i // 2) * 8, description)
        for i, (title, targets, unit, description) in enumerate(rows)
    ]
    return {
        "uid": f"ddt-{service}",
        "title": f"Diandiantong — {service}",
        "tags": ["diandiantong", service],
        "timezone": "browser",
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "panels": panels,
    }


def render(service: str) -> str:
    """The file content of ``service``'s dashboard."""
    return json.dumps(dashboard(service), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    """Write every service's dashboard."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    for service in SERVICES:
        (FOLDER / f"{service}.json").write_text(render(service), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
