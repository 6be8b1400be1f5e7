"""What authentication needs from the registry, read fresh on every request.

No cache: suspension and revocation take effect on the very next request, on
every replica, at the cost of two indexed reads per request (measured in
docs/performance.md).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.auth.repository import RegistryRepository
from shared.identity import Identity
from shared.identity import PartyCode as IdentityCode


@dataclass(frozen=True, slots=True)
class CredentialRecord:
    """A credential with its party, as one request sees them."""

    key_id: str
    status: str
    expires_at: dt.datetime | None
    sealed_secret: str
    party_status: str
    identity: Identity

    def usable(self, now: dt.datetime) -> bool:
        """Active and not expired."""
        return self.status == "active" and (self.expires_at is None or self.expires_at > now)


def _as_list(kinds: object) -> list[str]:
    # Through a UNION the JSON column may arrive decoded or as its text, depending on the driver.
    if isinstance(kinds, list):
        return [str(k) for k in kinds]
    return [str(k) for k in json.loads(str(kinds))] if kinds else []


async def load_credential(session: AsyncSession, key_id: str) -> CredentialRecord | None:
    """The credential ``key_id`` with its party's identity (two queries), or None."""
    repo = RegistryRepository(session)
    found = await repo.credential(key_id)
    if found is None:
        return None
    credential, party = found
    codes: list[IdentityCode] = []
    merchants: list[str] = []
    scopes: dict[str, list[str]] = {}
    for kind, value, kinds in await repo.codes_and_merchants(party.id):
        if kind == "code":
            codes.append(IdentityCode(code=value, kinds=_as_list(kinds)))
        else:
            merchants.append(value)
            if scope := _as_list(kinds):
                scopes[value] = sorted(scope)
    identity = Identity(
        party_id=party.id,
        party_name=party.name,
        roles=list(party.roles),
        codes=sorted(codes, key=lambda c: c.code),
        district=party.district,
        park=party.park,
        credential_id=credential.key_id,
        on_behalf_of=sorted(merchants),
        delegated_message_types=scopes,
    )
    return CredentialRecord(
        key_id=credential.key_id,
        status=credential.status,
        expires_at=credential.expires_at,
        sealed_secret=credential.sealed_secret,
        party_status=party.status,
        identity=identity,
    )


class RegistryCache:
    """Registry entries kept in process memory, valid only for the generation they were read in.

    Every registry change (suspension, revocation, codes, roles …) bumps a shared
    generation counter after it commits; a request whose guard call reads a newer
    generation than its cached entry's reloads the entry from the database before
    using it. So a change is seen by every replica on the next request, as without a
    cache. ``max_age`` bounds staleness should a bump ever be lost.
    """

    def __init__(self, max_entries: int = 10_000, max_age: float = 60.0) -> None:
        self.max_entries = max_entries
        self.max_age = max_age
        self._entries: dict[str, tuple[CredentialRecord, int, float]] = {}
        #: The newest generation this process has seen (read before a database load, see put).
        self.seen_generation: int | None = None

    def get(self, key_id: str, now: float) -> tuple[CredentialRecord, int] | None:
        """The cached entry and its generation, unless it aged out."""
        found = self._entries.get(key_id)
        if found is None or now - found[2] > self.max_age:
            return None
        return found[0], found[1]

    def put(self, record: CredentialRecord, generation: int, now: float) -> None:
        """Remember ``record`` as current in ``generation`` (the caller guarantees it was read after
        ``generation`` was observed)."""
        if len(self._entries) >= self.max_entries:
            self._entries.pop(next(iter(self._entries)))
        self._entries[record.key_id] = (record, generation, now)

    def forget(self, key_id: str) -> None:
        """Drop one entry."""
        self._entries.pop(key_id, None)
