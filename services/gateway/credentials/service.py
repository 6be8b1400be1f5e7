"""Creating, listing and revoking API credentials (at most two active per party)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sdk.signing import generate_key_id, generate_secret
from services.gateway.credentials.models import ApiCredential
from services.gateway.credentials.schemas import CredentialCreated, CredentialOut
from services.gateway.credentials.sealing import SecretSealer, fingerprint
from services.gateway.parties.models import Party
from services.gateway.problems import CREDENTIAL_LIMIT
from shared.problems import NOT_FOUND, ProblemError
from shared.sqltypes import utcnow

MAX_ACTIVE_CREDENTIALS = 2


def credential_out(row: ApiCredential) -> CredentialOut:
    """The public view of a credential."""
    return CredentialOut(
        key_id=row.key_id,
        party_id=row.party_id,
        label=row.label,
        fingerprint=row.fingerprint,
        status=row.status,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


class CredentialService:
    """Credential use cases in the caller's transaction."""

    def __init__(self, session: AsyncSession, sealer: SecretSealer) -> None:
        self.session = session
        self.sealer = sealer

    async def create(self, party_id: str, label: str = "") -> CredentialCreated:
        """A new key id and secret for ``party_id``; the secret leaves the gateway only here."""
        # Lock the party row so two concurrent creations cannot both pass the limit (PostgreSQL;
        # SQLite transactions are already serialised by BEGIN IMMEDIATE).
        party = await self.session.scalar(select(Party).where(Party.id == party_id).with_for_update())
        if party is None:
            raise ProblemError(NOT_FOUND, "No such party.")
        active = await self.session.scalar(
            select(func.count())
            .select_from(ApiCredential)
            .where(ApiCredential.party_id == party_id, ApiCredential.status == "active")
        )
        if (active or 0) >= MAX_ACTIVE_CREDENTIALS:
            raise ProblemError(CREDENTIAL_LIMIT, "Revoke one of the two active credentials first.")
        key_id, secret = generate_key_id(), generate_secret()
        row = ApiCredential(
            key_id=key_id,
            party_id=party_id,
            sealed_secret=self.sealer.seal(secret, key_id),
            fingerprint=fingerprint(secret),
            label=label,
            status="active",
            created_at=utcnow(),
        )
        self.session.add(row)
        await self.session.flush()
        return CredentialCreated(**credential_out(row).model_dump(), secret=secret)

    async def list(self, party_id: str) -> list[CredentialOut]:
        """The party's credentials, newest first."""
        rows = await self.session.scalars(
            select(ApiCredential)
            .where(ApiCredential.party_id == party_id)
            .order_by(ApiCredential.created_at.desc())
        )
        return [credential_out(r) for r in rows]

    async def revoke(self, party_id: str, key_id: str) -> CredentialOut:
        """Revoke at once: the next request signed with it gets ``auth.key_revoked``.

        A credential of another party answers 404, exactly like one that does not exist.
        """
        row = await self.session.get(ApiCredential, key_id)
        if row is None or row.party_id != party_id:
            raise ProblemError(NOT_FOUND, "No such credential.")
        if row.status != "revoked":
            row.status = "revoked"
            row.revoked_at = utcnow()
        return credential_out(row)
