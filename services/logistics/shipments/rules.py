"""Who may see what, and what a customs waybill tells about its legs (pure rules).

**Object-level authorisation.** An enterprise sees its own shipments (by the party that
declared or created them, or by its enterprise or platform code on them), a carrier the
shipments it carries and only its own legs of them (by its code on the leg, or as the
filer of the customs waybill, which carries the whole consignment), a regulator (and a
platform administrator) everything. Anything else is "not found", so numbers cannot be
probed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from shared.identity import Identity

#: Customs transport mode (JGS-20 运输方式) → the leg's mode.
TRAF_MODES = {"2": "sea", "3": "rail", "4": "road", "5": "air", "6": "post"}
#: The mode a tracking source implies for a leg nobody has told the mode of.
SOURCE_MODES = {"upu_emsevt": "post", "iata_fsu": "air", "kdniao": "express", "sf": "express"}
EVERYONE_ROLES = frozenset({"regulator", "platform_admin"})


class ShipmentLike(Protocol):
    """What the rules read of a shipment."""

    enterprise_party_id: str | None
    carrier_party_id: str | None
    created_by_party_id: str
    ebc_code: str | None
    ebp_code: str | None
    logistics_code: str | None


class LegLike(Protocol):
    """What the rules read of a leg."""

    id: str
    carrier_code: str


@dataclass(frozen=True)
class Viewer:
    """A party as the visibility rules see it."""

    party_id: str
    codes: frozenset[str]
    roles: frozenset[str]

    @classmethod
    def of(cls, identity: Identity) -> Viewer:
        """The viewer a request's identity is."""
        return cls(identity.party_id, frozenset(c.code for c in identity.codes), frozenset(identity.roles))

    @property
    def everyone(self) -> bool:
        """Regulators and platform administrators see every shipment."""
        return bool(self.roles & EVERYONE_ROLES)


def owns(viewer: Viewer, shipment: ShipmentLike) -> bool:
    """True if the shipment is the viewer's as a whole (every leg of it)."""
    if viewer.everyone:
        return True
    if viewer.party_id in (
        shipment.enterprise_party_id,
        shipment.created_by_party_id,
        shipment.carrier_party_id,
    ):
        return True
    return bool(
        {c for c in (shipment.ebc_code, shipment.ebp_code, shipment.logistics_code) if c} & viewer.codes
    )


def visible_legs(viewer: Viewer, shipment: ShipmentLike, legs: Sequence[LegLike]) -> list[str] | None:
    """The legs the viewer may see: None for all of them, else the ids of its own (maybe none)."""
    if owns(viewer, shipment):
        return None
    return [leg.id for leg in legs if leg.carrier_code in viewer.codes]


def visible(viewer: Viewer, shipment: ShipmentLike, legs: Sequence[LegLike]) -> bool:
    """True if the viewer may see the shipment at all."""
    allowed = visible_legs(viewer, shipment, legs)
    return allowed is None or bool(allowed)


def leg_mode(traf_mode: str | None, default: str) -> tuple[str, str]:
    """A waybill leg's mode and where it came from (the inventory's trafMode, else the default)."""
    mode = TRAF_MODES.get(traf_mode or "")
    return (mode, "customs") if mode else (default, "default")


def waybill_leg_role(direction: str, customs_mode: str | None) -> str:
    """The role of the leg a customs waybill is: bonded imports (1210) go out from the
    warehouse as a last-mile parcel; every other waybill crosses the border."""
    return "last_mile" if direction == "import" and customs_mode == "1210" else "linehaul"


def numbers_of(pairs: Iterable[tuple[str, str | None]]) -> list[tuple[str, str]]:
    """(kind, number) pairs without the empty ones, each number at most 64 characters."""
    return [(kind, value.strip()[:64]) for kind, value in pairs if value and value.strip()]
