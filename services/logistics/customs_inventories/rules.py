"""What the warehouse side reads from a customs inventory: its state, whose it is, its windows.

Pure: no session, no clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.events.statuses import COUNTING_STATUSES, DocumentStatus
from shared.identity import Identity


@dataclass(frozen=True, slots=True)
class InventoryState:
    """The state kept per inventory."""

    status: str
    rank: int
    released_at: dt.datetime | None


def merged(current: InventoryState | None, status: DocumentStatus, at: dt.datetime) -> InventoryState:
    """The state after an event: the highest-ranked status wins (late or repeated receipts never
    move it back), and the release time is the earliest counting status seen."""
    released = at if status in COUNTING_STATUSES else None
    if current is None:
        return InventoryState(str(status), status.rank, released)
    first_release = min((t for t in (current.released_at, released) if t is not None), default=None)
    if status.rank > current.rank:
        return InventoryState(str(status), status.rank, first_release)
    return InventoryState(current.status, current.rank, first_release)


def belongs_to(identity: Identity, party_id: str, ebc_code: str | None) -> bool:
    """The enterprise's own inventory: it declared it, its e-commerce code is on it, or it acts
    for the party that declared it."""
    return (
        party_id == identity.party_id
        or party_id in identity.on_behalf_of
        or (ebc_code is not None and identity.owns_code(ebc_code))
    )


def is_released(status: str) -> bool:
    """Released (800) or closed (899): the goods have left under customs' control."""
    return status in {str(s) for s in COUNTING_STATUSES}
