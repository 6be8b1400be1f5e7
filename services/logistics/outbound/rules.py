"""Rules of outbound orders: the lifecycle, holds and exceptions, and the buyer's address.

Pure: no session, no clock.

Progress: ``reserved`` → ``picked`` → ``packed`` → ``shipped``; an order whose units are not
free is ``exception`` (``out_of_stock``) and is served again, oldest first, when stock comes
in or another order gives its units back. A hold (merchant's, an address problem …) pauses
an order where it is and keeps its reservation; ``on_hold`` is what the API shows while
held. Cancellation is possible until the order ships.
"""

from __future__ import annotations

from typing import Literal

Progress = Literal["exception", "reserved", "picked", "packed", "shipped", "cancelled"]
Status = Literal["exception", "on_hold", "reserved", "picked", "packed", "shipped", "cancelled"]
HoldReason = Literal[
    "merchant_hold", "address_problem", "missing_customs_data", "battery_restriction", "other"
]
Kind = Literal["b2c", "b2b"]

OPEN = frozenset({"exception", "reserved", "picked", "packed"})

#: Countries whose addresses carry a postal code: a B2C parcel to one without it is held
#: (the carrier would refuse the label). Countries without postal codes are left out.
POSTAL_CODE_COUNTRIES = frozenset(
    {
        "AT", "AU", "BE", "BG", "BR", "CA", "CH", "CN", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB",
        "GR", "HR", "HU", "ID", "IN", "IT", "JP", "KR", "LT", "LU", "LV", "MX", "MY", "NL", "NO", "NZ",
        "PH", "PL", "PT", "RO", "RU", "SE", "SG", "SI", "SK", "TH", "TR", "UA", "US", "VN",
    }
)  # fmt: skip


def shown_status(progress: str, hold_reason: str | None) -> str:
    """What the API calls the order's state: ``on_hold`` while an open order is held."""
    return "on_hold" if hold_reason and progress in OPEN else progress


def may_pick(progress: str, hold_reason: str | None) -> bool:
    """Only a reserved order that is not held is picked."""
    return progress == "reserved" and not hold_reason


def may_pack(progress: str, hold_reason: str | None) -> bool:
    return progress == "picked" and not hold_reason


def may_ship(progress: str, hold_reason: str | None) -> bool:
    """A picked order may be packed and shipped in one step."""
    return progress in {"picked", "packed"} and not hold_reason


def may_hold(progress: str) -> bool:
    return progress in OPEN


def may_cancel(progress: str) -> bool:
    """Until the parcel leaves."""
    return progress in OPEN


def automatic_hold(kind: str, destination_country: str, postal_code: str | None) -> str | None:
    """A hold the order gets on arrival: a B2C address without the postal code its country needs."""
    if kind == "b2c" and destination_country in POSTAL_CODE_COUNTRIES and not (postal_code or "").strip():
        return "address_problem"
    return None


def mask_name(name: str) -> str:
    """``张三丰`` → ``张**``; ``Anna Schmidt`` → ``A*** S***``."""
    parts = name.split()
    if len(parts) > 1:
        return " ".join(p[0] + "***" for p in parts if p)
    return name[:1] + "*" * max(1, len(name) - 1)


def mask_postal_code(code: str | None) -> str:
    """Keep the first two characters (the region), mask the rest."""
    if not code:
        return ""
    return code[:2] + "*" * max(0, len(code) - 2)
