"""The goods lines of filed orders and inventories, published as ``document.goods`` events.

The payments service builds the evidence package of a bank's receipt (SAFE 汇发〔2019〕13号:
goods, quantities, amounts, currencies) from the declarations, and services never read
each other's databases: so each filing of an order or inventory (created or amended) also
stages one event carrying its lines. Lines hold no personal data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.ceb.model import Fields, Record
from services.declaration.documents import lifecycle
from shared.events.declaration import DocumentGoods, GoodsLine
from shared.fx import CNY
from shared.messaging.outbox import EventPublisher

#: Document kinds whose lines are goods.
GOODS_KINDS = frozenset({"order", "inventory"})


def _text(line: Fields, *names: str) -> str | None:
    for name in names:
        value = line.get(name)
        if value not in (None, ""):
            return str(value)
    return None


def _decimal(line: Fields, name: str) -> Decimal | None:
    value = line.get(name)
    return value if isinstance(value, Decimal) else None


def goods_lines(record: Record) -> list[GoodsLine]:
    """The record's lines as goods (lines without a name or a total are skipped)."""
    head_currency = str(record.head.get("currency") or CNY)
    lines = []
    for index, line in enumerate(record.lines, start=1):
        name = _text(line, "itemName", "gname")
        total = _decimal(line, "totalPrice")
        if name is None or total is None:
            continue
        gnum = line.get("gnum")
        lines.append(
            GoodsLine(
                gnum=gnum if isinstance(gnum, int) and gnum >= 1 else index,
                item_no=_text(line, "itemNo"),
                name=name,
                gcode=_text(line, "gcode"),
                quantity=_decimal(line, "qty") or Decimal(0),
                unit=_text(line, "unit"),
                unit_price=_decimal(line, "price"),
                total_price=total,
                currency=str(line.get("currency") or head_currency),
                country=_text(line, "country"),
            )
        )
    return lines


async def publish(
    session: AsyncSession,
    publisher: EventPublisher,
    kind: str,
    filed: Sequence[tuple[Mapping[str, Any], Record, int]],
    now: dt.datetime,
) -> None:
    """Stage one ``document.goods`` per (document columns, record, revision) of a goods kind."""
    if kind not in GOODS_KINDS or not filed:
        return
    events = [
        (
            DocumentGoods(
                document=lifecycle.facts(columns),
                lines=goods_lines(record),
                revision=revision,
                filed_at=now,
            ),
            str(columns["id"]),
        )
        for columns, record, revision in filed
    ]
    await publisher.stage_many(session, events)


__all__ = ["GOODS_KINDS", "goods_lines", "publish"]
