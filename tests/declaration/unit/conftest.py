"""Fixtures of the CEB domain-core tests; the data itself lives in ceb_testdata.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from services.declaration.ceb.model import CebMessage
from tests.declaration.unit.ceb_testdata import linked_set


@pytest.fixture
def linked() -> Callable[[str], dict[str, CebMessage]]:
    """Factory for a fresh linked order/payment/waybill/inventory set (1210, 1239 or 9610)."""
    return linked_set
