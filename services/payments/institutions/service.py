"""Institutions, client relations and grants: load, decide with the rules, store."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.context import PaymentsContext
from services.payments.institutions import rules
from services.payments.institutions.models import AccessGrant, ClientRelation, Institution
from services.payments.institutions.problems import (
    ACCOUNT_TAKEN,
    ENTERPRISE_UNKNOWN,
    INSTITUTION_UNKNOWN,
    LICENCE_INVALID,
    NOT_AN_INSTITUTION,
    NOT_SERVED,
)
from services.payments.institutions.repository import ACTIVE, InstitutionRepository
from services.payments.institutions.schemas import (
    AccountIn,
    AccountOut,
    ClientIn,
    ClientOut,
    GrantOut,
    InstitutionIn,
    InstitutionOut,
)
from services.payments.parties.repository import PartyRepository
from shared.context import current_request_id
from shared.events.payments import InstitutionKind
from shared.identity import Identity
from shared.problems import NOT_FOUND, ProblemError

ENTERPRISE_ROLES = frozenset({"ecommerce_enterprise", "ecommerce_platform"})
ACCOUNT_HASH_PURPOSE = "payments-account"


def institution_kind(identity: Identity) -> InstitutionKind | None:
    """The institution kind the caller's roles make it, if any (a bank role wins)."""
    if identity.has_role("bank"):
        return InstitutionKind.BANK
    if identity.has_role("payment_institution"):
        return InstitutionKind.PAYMENT_INSTITUTION
    return None


def require_institution(identity: Identity) -> InstitutionKind:
    """The caller's kind, or 403."""
    kind = institution_kind(identity)
    if kind is None:
        raise ProblemError(NOT_AN_INSTITUTION, "This operation is for banks and payment institutions.")
    return kind


def licence_of(row: Institution) -> rules.LicenceData:
    """The licence data a stored profile states."""
    return rules.LicenceData(
        kind=InstitutionKind(row.kind),
        pboc_licence_no=row.pboc_licence_no,
        licence_scopes=tuple(row.licence_scopes or ()),
        licence_valid_until=row.licence_valid_until,
        cross_border_rmb=row.cross_border_rmb,
        cross_border_rmb_since=row.cross_border_rmb_since,
        partner_bank_party_id=row.partner_bank_party_id,
    )


def institution_out(row: Institution, today: dt.date) -> InstitutionOut:
    """The public profile of ``row``."""
    licence = licence_of(row)
    return InstitutionOut(
        party_id=row.party_id,
        kind=InstitutionKind(row.kind),
        name=row.name,
        pay_code=row.pay_code,
        swift_bic=row.swift_bic,
        pboc_licence_no=row.pboc_licence_no,
        licence_scopes=list(row.licence_scopes or []),
        licence_valid_until=row.licence_valid_until,
        safe_directory=row.safe_directory,
        cross_border_rmb=row.cross_border_rmb,
        cross_border_rmb_since=row.cross_border_rmb_since,
        partner_bank_party_id=row.partner_bank_party_id,
        headquarters_in_city=row.headquarters_in_city,
        licensed=not rules.licence_issues(licence, today),
        may_settle_rmb=rules.may_settle_rmb(licence, today),
        updated_at=row.updated_at,
    )


async def register(
    session: AsyncSession, identity: Identity, body: InstitutionIn, now: dt.datetime
) -> Institution:
    """Create or update the caller's own profile, after checking its licence data."""
    kind = require_institution(identity)
    licence = rules.LicenceData(
        kind=kind,
        pboc_licence_no=body.pboc_licence_no,
        licence_scopes=tuple(body.licence_scopes),
        licence_valid_until=body.licence_valid_until,
        cross_border_rmb=body.cross_border_rmb,
        cross_border_rmb_since=body.cross_border_rmb_since,
        partner_bank_party_id=body.partner_bank_party_id,
    )
    issues = rules.licence_issues(licence, now.date())
    repo = InstitutionRepository(session)
    if body.partner_bank_party_id:
        partner = await repo.institution(body.partner_bank_party_id)
        if partner is None or partner.kind != InstitutionKind.BANK:
            issues.append(rules.LicenceIssue("/body/partner_bank_party_id", "not a bank on the platform"))
    if issues:
        raise ProblemError(
            LICENCE_INVALID,
            f"{len(issues)} problem(s) with the licence data.",
            errors=[{"pointer": i.pointer, "detail": i.detail, "type": "licence"} for i in issues],
        )
    await repo.save_institution(
        {
            "party_id": identity.party_id,
            "kind": kind.value,
            "name": identity.party_name or identity.party_id,
            **body.model_dump(),
            "created_at": now,
            "updated_at": now,
        }
    )
    row = await repo.institution(identity.party_id)
    assert row is not None
    await session.refresh(row)
    return row


async def own_profile(session: AsyncSession, identity: Identity) -> Institution:
    """The caller's profile, or 404 (it has not registered yet)."""
    require_institution(identity)
    row = await InstitutionRepository(session).institution(identity.party_id)
    if row is None:
        raise ProblemError(NOT_FOUND, "Register first: PUT /v1/payments/institution.")
    return row


async def profile(session: AsyncSession, party_id: str) -> Institution:
    """Any institution's public profile, or 404."""
    row = await InstitutionRepository(session).institution(party_id)
    if row is None:
        raise ProblemError(NOT_FOUND, "No such institution.")
    return row


async def add_client(
    session: AsyncSession, ctx: PaymentsContext, identity: Identity, body: ClientIn, now: dt.datetime
) -> ClientOut:
    """Record that the caller serves an enterprise, with the enterprise's accounts (sealed)."""
    institution = await own_profile(session, identity)
    enterprise = (await PartyRepository(session).many([body.enterprise_party_id])).get(
        body.enterprise_party_id
    )
    if enterprise is None or not ENTERPRISE_ROLES & set(enterprise.roles) or enterprise.status != ACTIVE:
        raise ProblemError(
            ENTERPRISE_UNKNOWN,
            "No active e-commerce enterprise or platform with this id is known to payments.",
            errors=[{"pointer": "/body/enterprise_party_id", "detail": "unknown enterprise"}],
        )
    repo = InstitutionRepository(session)
    await repo.save_relation(
        {
            "institution_party_id": institution.party_id,
            "enterprise_party_id": enterprise.party_id,
            "status": ACTIVE,
            "since": body.since,
            "created_at": now,
            "ended_at": None,
        }
    )
    for index, account in enumerate(body.accounts):
        await _add_account(repo, ctx, institution.party_id, enterprise.party_id, account, index, now)
    return await client_out(session, institution.party_id, enterprise.party_id)


async def _add_account(
    repo: InstitutionRepository,
    ctx: PaymentsContext,
    institution: str,
    enterprise: str,
    account: AccountIn,
    index: int,
    now: dt.datetime,
) -> None:
    number = rules.normalise_account(account.number)
    digest = ctx.vault.lookup_hash(ACCOUNT_HASH_PURPOSE, number)
    existing = await repo.account_by_hash(institution, digest)
    if existing is not None:
        if existing.enterprise_party_id == enterprise:
            return  # the same account again: nothing to change
        raise ProblemError(
            ACCOUNT_TAKEN,
            "This account number belongs to another client of the institution.",
            errors=[{"pointer": f"/body/accounts/{index}/number", "detail": "already registered"}],
        )
    sealed = ctx.vault.seal(number.encode(), f"account:{institution}:{digest}")
    await repo.add_account(
        {
            "institution_party_id": institution,
            "enterprise_party_id": enterprise,
            "account_hash": digest,
            "account_key_id": sealed.key_id,
            "account_sealed": sealed.blob,
            "account_masked": rules.mask_account(number),
            "currency": account.currency,
            "created_at": now,
        }
    )


async def client_out(session: AsyncSession, institution: str, enterprise: str) -> ClientOut:
    """One relation as the API shows it."""
    repo = InstitutionRepository(session)
    relation = await repo.relation(institution, enterprise)
    if relation is None:
        raise ProblemError(NOT_FOUND, "No such client.")
    return (await clients_out(session, [relation]))[0]


async def clients_out(session: AsyncSession, relations: list[ClientRelation]) -> list[ClientOut]:
    """Relations with names, grant state and masked accounts."""
    repo = InstitutionRepository(session)
    names = await PartyRepository(session).many(
        [r.enterprise_party_id for r in relations] + [r.institution_party_id for r in relations]
    )
    out = []
    for relation in relations:
        accounts = await repo.accounts_of(relation.institution_party_id, [relation.enterprise_party_id])
        _serves, granted = await repo.is_granted(relation.enterprise_party_id, relation.institution_party_id)
        institution = names.get(relation.institution_party_id)
        enterprise = names.get(relation.enterprise_party_id)
        out.append(
            ClientOut(
                institution_party_id=relation.institution_party_id,
                institution_name=institution.name if institution else None,
                enterprise_party_id=relation.enterprise_party_id,
                enterprise_name=enterprise.name if enterprise else None,
                status=relation.status,
                since=relation.since,
                ended_at=relation.ended_at,
                granted=granted,
                accounts=[
                    AccountOut(masked=a.account_masked, currency=a.currency)
                    for a in accounts.get(relation.enterprise_party_id, [])
                ],
            )
        )
    return out


async def end_client(session: AsyncSession, identity: Identity, enterprise: str, now: dt.datetime) -> None:
    """The caller no longer serves ``enterprise`` (404 if it did not)."""
    require_institution(identity)
    if not await InstitutionRepository(session).end_relation(identity.party_id, enterprise, now):
        raise ProblemError(NOT_FOUND, "No active client relation with this enterprise.")


def _grant_log(identity: Identity, institution: str, action: str, now: dt.datetime) -> dict[str, object]:
    return {
        "enterprise_party_id": identity.party_id,
        "institution_party_id": institution,
        "action": action,
        "credential_id": identity.credential_id,
        "request_id": current_request_id(),
        "at": now,
    }


async def grant(session: AsyncSession, identity: Identity, institution: str, now: dt.datetime) -> AccessGrant:
    """The caller (an enterprise) lets ``institution`` read its transaction information."""
    repo = InstitutionRepository(session)
    profile_row = await repo.institution(institution)
    party = (await PartyRepository(session).many([institution])).get(institution)
    if profile_row is None or (party is not None and party.status != ACTIVE):
        raise ProblemError(
            INSTITUTION_UNKNOWN,
            "Grant access only to a registered, active bank or payment institution.",
            errors=[
                {"pointer": "/body/institution_party_id", "detail": "not an institution on the platform"}
            ],
        )
    serves, granted = await repo.is_granted(identity.party_id, institution)
    if not serves:
        raise ProblemError(
            NOT_SERVED,
            "The institution must first record that it serves you (its client relation).",
            errors=[{"pointer": "/body/institution_party_id", "detail": "no client relation"}],
        )
    if not granted:
        await repo.save_grant(
            {
                "enterprise_party_id": identity.party_id,
                "institution_party_id": institution,
                "status": ACTIVE,
                "granted_at": now,
                "revoked_at": None,
            }
        )
        await repo.log_grant_change(_grant_log(identity, institution, "grant", now))
    row = await repo.grant(identity.party_id, institution)
    assert row is not None
    await session.refresh(row)
    return row


async def revoke(session: AsyncSession, identity: Identity, institution: str, now: dt.datetime) -> None:
    """The caller withdraws ``institution``'s access (404 if none was active)."""
    repo = InstitutionRepository(session)
    if not await repo.revoke_grant(identity.party_id, institution, now):
        raise ProblemError(NOT_FOUND, "No active grant to this institution.")
    await repo.log_grant_change(_grant_log(identity, institution, "revoke", now))


async def grants_out(session: AsyncSession, grants: list[AccessGrant]) -> list[GrantOut]:
    """Grants with the institutions' names."""
    names = await PartyRepository(session).many([g.institution_party_id for g in grants])
    return [
        GrantOut(
            enterprise_party_id=g.enterprise_party_id,
            institution_party_id=g.institution_party_id,
            institution_name=names[g.institution_party_id].name if g.institution_party_id in names else None,
            status=g.status,
            granted_at=g.granted_at,
            revoked_at=g.revoked_at,
        )
        for g in grants
    ]


async def access(session: AsyncSession, identity: Identity, enterprise: str) -> rules.Access:
    """What the caller may see of ``enterprise``'s transaction information (checked on every read)."""
    kind = institution_kind(identity)
    serves = granted = False
    if kind is not None and identity.party_id != enterprise:
        serves, granted = await InstitutionRepository(session).is_granted(enterprise, identity.party_id)
    return rules.access_to(identity.party_id, kind is not None, enterprise, serves=serves, granted=granted)


async def require_access(session: AsyncSession, identity: Identity, enterprise: str) -> rules.Access:
    """:func:`access`, or 404: another party's data is "not found", so ids cannot be probed."""
    found = await access(session, identity, enterprise)
    if found is rules.Access.NONE:
        raise ProblemError(NOT_FOUND, "Not found, or not shared with you.")
    return found


async def visible_enterprises(session: AsyncSession, identity: Identity) -> list[str]:
    """The enterprises whose transaction information the caller may read (itself, or its grants)."""
    if institution_kind(identity) is None:
        return [identity.party_id]
    return await InstitutionRepository(session).granted_enterprises(identity.party_id)
