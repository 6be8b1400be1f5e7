"""SQL of authentication: the credential and its party's registry entry, and used nonces.

Both are on the request path (the registry read on every request without Redis, or on
a cache miss; nonces without Redis): few statements, no ORM identity work beyond the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, literal, select, union_all, update

from services.gateway.auth.models import UsedNonce
from services.gateway.credentials.models import ApiCredential
from services.gateway.parties.models import Party, PartyCode, PartyDelegation
from shared.kit.repository import Repository
from shared.models import table_of


class RegistryRepository(Repository):
    """The registry as authentication reads it."""

    async def credential(self, key_id: str) -> tuple[ApiCredential, Party] | None:
        """The credential ``key_id`` and its party, or None."""
        row = (
            await self.session.execute(
                select(ApiCredential, Party)
                .join(Party, Party.id == ApiCredential.party_id)
                .where(ApiCredential.key_id == key_id)
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def codes_and_merchants(self, party_id: str) -> Sequence[Any]:
        """``(kind, value, kinds)`` rows: ``("code", code, kinds)`` per registered code and
        ``("merchant", merchant id, message types)`` per delegation — one round trip for both."""
        extras = union_all(  # type: ignore[var-annotated]
            select(literal("code").label("k"), PartyCode.code.label("v"), PartyCode.kinds.label("x")).where(
                PartyCode.party_id == party_id
            ),
            select(
                literal("merchant").label("k"),
                PartyDelegation.merchant_party_id.label("v"),
                PartyDelegation.message_types.label("x"),
            ).where(PartyDelegation.platform_party_id == party_id),
        )
        return (await self.session.execute(select(extras.subquery()))).all()


class NonceRepository(Repository):
    """``used_nonces``: a nonce is taken once per key while its retention lasts."""

    async def take(self, key_id: str, nonce: str, now: dt.datetime, ttl: dt.timedelta) -> bool:
        """Insert-if-absent; a row whose retention has run out may be taken again. True if taken now."""
        if await self.insert_ignore(
            table_of(UsedNonce), {"key_id": key_id, "nonce": nonce, "expires_at": now + ttl}
        ):
            return True
        result = await self.session.execute(
            update(UsedNonce)
            .where(UsedNonce.key_id == key_id, UsedNonce.nonce == nonce, UsedNonce.expires_at < now)
            .values(expires_at=now + ttl)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def purge(self, now: dt.datetime) -> int:
        """Delete expired nonces; how many."""
        result = await self.session.execute(delete(UsedNonce).where(UsedNonce.expires_at < now))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
