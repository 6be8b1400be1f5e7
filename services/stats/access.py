"""Who may see what: regulators see every party's figures, anyone else only their own.

Every query goes through :func:`scope_for`, which turns the caller into a forced
party filter; asking for another party's figures is refused (403), not silently
emptied, so a client cannot mistake "no access" for "no trade".
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.identity import Identity
from shared.problems import FORBIDDEN, ProblemError


@dataclass(frozen=True)
class Scope:
    """The parties a caller's query may cover (None: all of them)."""

    party_id: str | None

    @property
    def everything(self) -> bool:
        return self.party_id is None


def scope_for(identity: Identity, requested_parties: tuple[str, ...] = ()) -> Scope:
    """The caller's scope; 403 if a non-regulator names a party that is not itself."""
    if identity.is_regulator:
        return Scope(None)
    foreign = [p for p in requested_parties if p != identity.party_id]
    if foreign:
        raise ProblemError(FORBIDDEN, "Enterprises may only query their own figures.")
    return Scope(identity.party_id)


def require_regulator(identity: Identity) -> None:
    """Figures about other enterprises (activity counts, the platform, reward runs) are for regulators."""
    if not identity.is_regulator:
        raise ProblemError(FORBIDDEN, "Only regulators may read these figures.")


def require_rates_admin(identity: Identity) -> None:
    """Loading exchange rates: regulators and platform administrators."""
    if not (identity.is_regulator or identity.is_admin):
        raise ProblemError(FORBIDDEN, "Only regulators and platform administrators may load exchange rates.")


def actor_of(identity: Identity) -> str:
    """The name recorded for an action: the party and, when known, the credential used.

    The gateway identifies parties and their credentials, not persons; a credential
    per official is the closest to a person, so separation of duties compares these.
    """
    return f"{identity.party_id}/{identity.credential_id}" if identity.credential_id else identity.party_id
