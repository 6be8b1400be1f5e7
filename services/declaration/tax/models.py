"""The tax assessment of each accepted import inventory, in CEB816 terms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from services.declaration.base import Base
from shared.sqltypes import JSONText, Money, UTCDateTime


class TaxAssessmentRow(Base):
    """CEB816 TaxHeadRd amounts and TaxListRd lines of one inventory."""

    __tablename__ = "tax_assessments"

    document_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    treatment: Mapped[str] = mapped_column(String(24), doc="retail or single_item_general")
    dutiable_value: Mapped[Decimal] = mapped_column(Money)
    customs_tax: Mapped[Decimal] = mapped_column(Money)
    value_added_tax: Mapped[Decimal] = mapped_column(Money)
    consumption_tax: Mapped[Decimal] = mapped_column(Money)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, doc="TaxListRd fields per line")
    assessed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
