"""How a document's events fold into its state — pure, no I/O.

* The effective status is the highest-ranked status seen (the shared vocabulary's ranks),
  so a late or duplicated receipt never moves a document back.
* ``released_at`` is the earliest release (customs 800), ``closed_at`` the earliest
  clearance (899); a document closed without a release receipt counts as released then.
* An export is *declared* (money is owed for it) once its inventory is released or closed,
  and stops being owed if it is cancelled (a cancellation ranks above release).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.events.statuses import DocumentStatus

RELEASED = frozenset({DocumentStatus.RELEASED})
CLOSED = frozenset({DocumentStatus.CLOSED, DocumentStatus.CLEARED})
#: Statuses after which the goods really left (or entered) the country.
DECLARED = frozenset({DocumentStatus.RELEASED, DocumentStatus.CLOSED, DocumentStatus.CLEARED})


@dataclass(frozen=True)
class StatusState:
    """The part of a document's state its status events decide."""

    status: str
    rank: int
    released_at: dt.datetime | None
    closed_at: dt.datetime | None


def advance(state: StatusState, status: DocumentStatus, at: dt.datetime) -> StatusState:
    """``state`` after one more status event (order-independent: max rank, earliest times)."""
    rank = status.rank
    new_status, new_rank = (status.value, rank) if rank > state.rank else (state.status, state.rank)
    released = state.released_at
    closed = state.closed_at
    if status in RELEASED:
        released = at if released is None else min(released, at)
    if status in CLOSED:
        closed = at if closed is None else min(closed, at)
    return StatusState(new_status, new_rank, released, closed)


def is_declared(status: str) -> bool:
    """True if goods in ``status`` crossed the border (released or closed, not cancelled)."""
    return status in DECLARED


def declared_at(released_at: dt.datetime | None, closed_at: dt.datetime | None) -> dt.datetime | None:
    """When the goods count as declared: the release, or the clearance without one."""
    return released_at or closed_at
