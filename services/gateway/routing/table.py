"""Which service answers which public path.

Paths keep the same shape on both sides of the gateway (no rewriting), so the merged
OpenAPI document is the union of the services' documents and a path in the docs is
the path a client calls.
"""

from __future__ import annotations

from dataclasses import dataclass

ROUTES: tuple[tuple[str, str], ...] = (
    ("/v1/customs/", "declaration"),
    ("/v1/logistics/", "logistics"),
    ("/v1/payments/", "payments"),
    ("/v1/stats/", "stats"),
)

UPSTREAM_SERVICES = ("declaration", "logistics", "payments", "stats")


@dataclass(frozen=True)
class Route:
    """The service a public path belongs to."""

    service: str
    path: str


def resolve(path: str) -> Route | None:
    """The upstream service for ``path``, or None if no service serves it."""
    for prefix, service in ROUTES:
        if path.startswith(prefix) or path == prefix.rstrip("/"):
            return Route(service, path)
    return None
