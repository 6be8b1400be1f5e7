"""The gateway lets through every body type a service behind it takes.

The gateway checks a body's type before it forwards (415 for a type nobody takes); a type a
service takes but the gateway did not list was refused on its way (claim evidence images,
YAML reward policies).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from services.declaration.app import definition as declaration
from services.gateway.app import FORWARDED_MEDIA_TYPES
from services.logistics.app import definition as logistics
from services.payments.app import definition as payments
from services.stats.app import definition as stats
from shared.service import ServiceDefinition


@pytest.mark.parametrize("service", [declaration, logistics, payments, stats], ids=lambda d: d.__module__)
def test_every_body_type_a_service_takes_passes_the_gateway(service: Callable[[], ServiceDefinition]) -> None:
    assert set(service().accepted_media_types) <= set(FORWARDED_MEDIA_TYPES)
