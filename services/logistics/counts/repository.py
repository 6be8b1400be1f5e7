"""Every SQL statement of stock counts."""

from __future__ import annotations

from services.logistics.counts.models import StockCount
from shared.kit.repository import ModelRepository


class CountRepository(ModelRepository[StockCount]):
    """Counts by (warehouse, key)."""

    model = StockCount
