"""Creating, listing and revoking API credentials (at most two active per party)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sdk.signing import generate_key_id, generate_secret
from services.gateway.credentials.models import ApiCredential
from services.gateway.credentials.repository import CredentialRepository
from services.gateway.credentials.schemas import CredentialCreated, CredentialOut
from services.gateway.credentials.sealing import SecretSealer, fingerprint
from services.gateway.parties.repository import PartyRepository
from services.gateway.problems import CREDENTIAL_LIMIT
from shared.kit.pagination import Page, PageRequest
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


async def create(
    session: AsyncSession, sealer: SecretSealer, party_id: str, label: str = ""
) -> CredentialCreated:
    """A new key id and secret for ``party_id``; the secret leaves the gateway only here."""
    # Lock the party row so two concurrent creations cannot both pass the limit (PostgreSQL;
    # SQLite transactions are already serialised by BEGIN IMMEDIATE).
    if await PartyRepository(session).for_update(party_id) is None:
        raise ProblemError(NOT_FOUND, "No such party.")
    repo = CredentialRepository(session)
    if await repo.active_count(party_id) >= MAX_ACTIVE_CREDENTIALS:
        raise ProblemError(CREDENTIAL_LIMIT, "Revoke one of the two active credentials first.")
    key_id, secret = generate_key_id(), generate_secret()
    row = repo.add(
        ApiCredential(
            key_id=key_id,
            party_id=party_id,
            sealed_secret=sealer.seal(secret, key_id),
            fingerprint=fingerprint(secret),
            label=label,
            status="active",
            created_at=utcnow(),
        )
    )
    await repo.flush()
    return CredentialCreated(**credential_out(row).model_dump(), secret=secret)


async def page(session: AsyncSession, party_id: str, request: PageRequest) -> Page[CredentialOut]:
    """The party's credentials, newest first (never their secrets)."""
    rows, next_cursor = await CredentialRepository(session).of_party(party_id, request)
    return Page[CredentialOut](items=[credential_out(r) for r in rows], next_cursor=next_cursor)


async def revoke(session: AsyncSession, party_id: str, key_id: str) -> CredentialOut:
    """Revoke at once: the next request signed with it gets ``auth.key_revoked``.

    A credential of another party answers 404, exactly like one that does not exist.
    """
    row = await CredentialRepository(session).get(key_id)
    if row is None or row.party_id != party_id:
        raise ProblemError(NOT_FOUND, "No such credential.")
    if row.status != "revoked":
        row.status = "revoked"
        row.revoked_at = utcnow()
    return credential_out(row)
