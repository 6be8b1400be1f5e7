"""The shape every query answers with: a titled table that renders as JSON, CSV or XLSX.

Money leaves as exact decimal strings (``"1234.50"``), growth rates as decimal
strings with four places (``"0.1250"`` = +12.5 %) or null when the base is zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal

ColumnKind = Literal["text", "int", "money", "number", "rate", "date"]

LABELS: dict[str, tuple[str, str]] = {
    "bucket": ("期间", "Period"),
    "party_id": ("企业编号", "Enterprise id"),
    "name": ("企业名称", "Enterprise"),
    "mode": ("监管方式", "Customs mode"),
    "direction": ("进出口", "Direction"),
    "country": ("国别(地区)", "Partner country"),
    "district": ("区县/功能区", "District"),
    "park": ("园区/孵化基地", "Park or incubator"),
    "currency": ("币制", "Currency"),
    "chapter": ("HS 章", "HS chapter"),
    "documents": ("清单数", "Inventories"),
    "orders": ("订单数", "Orders"),
    "value": ("交易额(元)", "Value (CNY)"),
    "returned": ("退货额(元)", "Returned (CNY)"),
    "value_orig": ("原币金额", "Value (currency)"),
    "lines": ("商品行数", "Goods lines"),
    "share": ("占比", "Share"),
    "mom": ("环比", "MoM"),
    "yoy": ("同比", "YoY"),
    "previous": ("上期", "Previous period"),
    "last_year": ("去年同期", "Same period last year"),
    "enterprises": ("企业数", "Enterprises"),
    "first_day": ("首次交易日", "First transaction"),
    "rank": ("排名", "Rank"),
    "figure": ("指标", "Figure"),
    "calls": ("API 调用次数", "API calls"),
    "errors": ("API 错误次数", "API errors"),
    "parties": ("接入主体数", "Connected parties"),
    "role": ("角色", "Role"),
    "document_kind": ("单证类型", "Document kind"),
    "registered": ("新接入主体", "Newly connected"),
    "current": ("本期", "This period"),
    "accepted": ("受理单证数", "Accepted documents"),
    "subject_key": ("主体键", "Subject key"),
    "kind": ("类型", "Kind"),
    "subject_id": ("主体编号", "Subject id"),
    "uscc": ("统一社会信用代码", "USCC"),
    "gross": ("就高后合计(元)", "Gross (CNY)"),
    "capped": ("封顶后(元)", "After cap (CNY)"),
    "final": ("实发金额(元)", "Paid (CNY)"),
}


@dataclass(frozen=True)
class Column:
    """A column of a result: key, kind and labels."""

    key: str
    kind: ColumnKind = "text"

    def label(self, lang: str) -> str:
        zh, en = LABELS.get(self.key, (self.key, self.key))
        return en if lang == "en" else zh


@dataclass
class ResultTable:
    """A query's answer."""

    query: str
    title_zh: str
    title_en: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    filters: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_zh

    def to_json(self) -> dict[str, Any]:
        """The JSON body."""
        return {
            "query": self.query,
            "title": {"zh": self.title_zh, "en": self.title_en},
            "filters": self.filters,
            "columns": [
                {"key": c.key, "kind": c.kind, "label": {"zh": c.label("zh"), "en": c.label("en")}}
                for c in self.columns
            ],
            "rows": [{c.key: json_value(row.get(c.key), c.kind) for c in self.columns} for row in self.rows],
            **self.extra,
        }


_CENT = Decimal("0.01")
_RATE = Decimal("0.0001")


def money(fen: int | None) -> Decimal | None:
    """Integer fen → CNY Decimal with two places."""
    return None if fen is None else (Decimal(int(fen)) / 100).quantize(_CENT)


def growth(current: int, base: int) -> Decimal | None:
    """(current − base) / base to four places; None when the base is zero (undefined)."""
    if not base:
        return None
    return (Decimal(current - base) / Decimal(base)).quantize(_RATE, rounding=ROUND_HALF_EVEN)


def ratio(part: int, whole: int) -> Decimal | None:
    """part / whole to four places; None when the whole is zero."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(_RATE, rounding=ROUND_HALF_EVEN)


def json_value(value: Any, kind: ColumnKind) -> Any:
    """How a cell travels in JSON."""
    if value is None:
        return None
    if kind == "money":
        return str(money(value) if isinstance(value, int) else value)
    if kind in ("rate", "number"):
        return str(value)
    if kind == "int":
        return int(value)
    if kind == "date":
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return value
