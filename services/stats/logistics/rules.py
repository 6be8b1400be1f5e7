"""The rules of the transit view: percentiles of transit times, shares, and route names."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

_TENTH = Decimal("0.1")
_PERCENT = Decimal("0.1")

#: The regulator's routes by name (English, Chinese), in the order the view lists them.
ROUTE_NAMES: dict[str, tuple[str, str]] = {
    "ferry_lyg_inc": ("Lianyungang–Incheon ferry", "连云港—仁川海运快线"),
    "sea_other": ("Other sea routes", "其他海运"),
    "rail_khorgos": ("China–Europe train via Khorgos", "中欧班列（霍尔果斯）"),
    "rail_alashankou": ("China–Europe train via Alashankou", "中欧班列（阿拉山口）"),
    "rail_erenhot": ("China–Europe train via Erenhot", "中欧班列（二连浩特）"),
    "rail_manzhouli": ("China–Europe train via Manzhouli", "中欧班列（满洲里）"),
    "rail_other": ("Other rail", "其他铁路"),
    "air": ("Air", "航空"),
    "post": ("Post", "邮政"),
    "express": ("Express", "快递"),
    "road": ("Road", "公路"),
}
ROUTE_ORDER = {route: n for n, route in enumerate(ROUTE_NAMES)}


def percentile(values: Sequence[Decimal], share: int) -> Decimal | None:
    """The nearest-rank ``share``-th percentile (the smallest value with ``share`` % at or
    below it), to a tenth of an hour; None without values.

    Nearest rank rather than interpolation: every figure the view shows is a journey that
    happened, which an analyst can look up.
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered) / 100))
    return ordered[rank - 1].quantize(_TENTH, rounding=ROUND_HALF_UP)


def share_percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent to a tenth; None when ``whole`` is 0 (no basis, not 0 %)."""
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_PERCENT, rounding=ROUND_HALF_UP)
