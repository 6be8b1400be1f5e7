"""Rules of inbound: the ASN lifecycle, receiving discrepancies, and what may be put away.

Pure: no session, no clock.

Lifecycle: ``awaiting`` → ``arrived`` → ``receiving`` → ``received`` → ``completed``;
``cancelled`` only while ``awaiting`` (the goods have not reached the dock). A receipt
moves an ASN to ``receiving`` (or, when the operator marks it final, ``received``); when
every counted unit is put away after the final receipt the ASN is ``completed``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

AsnStatus = Literal["awaiting", "arrived", "receiving", "received", "completed", "cancelled"]

_ORDER: dict[str, int] = {
    "awaiting": 0,
    "arrived": 1,
    "receiving": 2,
    "received": 3,
    "completed": 4,
}


def may_arrive(status: str) -> bool:
    """Arrival is noted once, before counting starts."""
    return status == "awaiting"


def may_receive(status: str) -> bool:
    """Counting goes on until the final receipt."""
    return status in {"awaiting", "arrived", "receiving"}


def may_put_away(status: str) -> bool:
    """Counted units can be put away while counting goes on and after it."""
    return status in {"receiving", "received"}


def may_cancel(status: str) -> bool:
    """Only an ASN whose goods have not arrived can be cancelled."""
    return status == "awaiting"


def after_receipt(status: str, final: bool) -> str:
    """The status after a receipt."""
    target = "received" if final else "receiving"
    return target if _ORDER[target] > _ORDER.get(status, -1) else status


@dataclass(frozen=True, slots=True)
class Expected:
    """An announced line: box, product, units."""

    box_no: str
    product_id: str
    units: int


@dataclass(frozen=True, slots=True)
class Counted:
    """A counted line: box, product, sound and damaged units."""

    box_no: str
    product_id: str
    received: int
    damaged: int


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """Expected against counted for one product (or one box and product)."""

    product_id: str
    box_no: str | None
    expected: int
    received: int
    damaged: int

    @property
    def short(self) -> int:
        """Units announced that did not arrive."""
        return max(0, self.expected - self.received - self.damaged)

    @property
    def over(self) -> int:
        """Units that arrived without being announced."""
        return max(0, self.received + self.damaged - self.expected)

    @property
    def kinds(self) -> list[str]:
        """``short``, ``over`` and/or ``damaged`` (empty when everything matched)."""
        return [k for k, n in (("short", self.short), ("over", self.over), ("damaged", self.damaged)) if n]


def discrepancies(
    expected: Iterable[Expected], counted: Iterable[Counted], *, by_box: bool = False
) -> list[Discrepancy]:
    """Expected against counted, per product (or per box and product), sorted."""
    key_of = (lambda box, product: (product, box)) if by_box else (lambda _box, product: (product, None))
    totals: dict[tuple[str, str | None], list[int]] = defaultdict(lambda: [0, 0, 0])
    for line in expected:
        totals[key_of(line.box_no, line.product_id)][0] += line.units
    for count in counted:
        entry = totals[key_of(count.box_no, count.product_id)]
        entry[1] += count.received
        entry[2] += count.damaged
    return [
        Discrepancy(product, box, e, r, d)
        for (product, box), (e, r, d) in sorted(totals.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
    ]


@dataclass(frozen=True, slots=True)
class PutawayRoom:
    """How many counted units of a product are still to put away, by condition."""

    sellable: int
    damaged: int


def putaway_room(counted: Iterable[Counted], put_away: dict[tuple[str, str], int]) -> dict[str, PutawayRoom]:
    """Per product: counted units less what was put away (``put_away[(product, condition)]``)."""
    received: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line in counted:
        received[line.product_id][0] += line.received
        received[line.product_id][1] += line.damaged
    return {
        product: PutawayRoom(
            sellable=good - put_away.get((product, "sellable"), 0),
            damaged=bad - put_away.get((product, "damaged"), 0),
        )
        for product, (good, bad) in received.items()
    }


def completed(status: str, room: dict[str, PutawayRoom]) -> bool:
    """After the final receipt, nothing counted is left to put away."""
    return status == "received" and all(r.sellable == 0 and r.damaged == 0 for r in room.values())
