"""The party registry's use cases: onboarding, codes, delegations, suspension, listing.

Module functions over the unit of work's session; every change stages its event
(PartyRegistered / PartyStatusChanged) in the same transaction, so the registry and
what other services learn never disagree.
"""

from __future__ import annotations

import base64
import secrets

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.parties.models import Party, PartyCode, PartyDelegation
from services.gateway.parties.repository import MilestoneFilingRepository, PartyRepository
from services.gateway.parties.roles import FILER_ROLES, Role
from services.gateway.parties.schemas import (
    CodeIn,
    CodeOut,
    DelegationOut,
    MilestoneFilingIn,
    MilestoneFilingOut,
    PartyIn,
    PartyOut,
    PartyPatch,
    check_codes_fit_roles,
)
from services.gateway.problems import (
    PARTY_CODE_TAKEN,
    PARTY_CUSTOMS_CODE_TAKEN,
    PARTY_INVALID,
    PARTY_USCC_TAKEN,
)
from shared.events.gateway import MilestoneFilingSet, PartyRegistered, PartyStatusChanged
from shared.kit.pagination import Page, PageRequest
from shared.messaging.outbox import EventPublisher
from shared.problems import CONFLICT, NOT_FOUND, ProblemError
from shared.sqltypes import utcnow


def new_party_id() -> str:
    """A random, non-enumerable party id (``pty_`` + 20 base32 characters)."""
    return "pty_" + base64.b32encode(secrets.token_bytes(10)).decode().lower()


async def require(session: AsyncSession, party_id: str) -> Party:
    """The party or 404."""
    party = await PartyRepository(session).get(party_id)
    if party is None:
        raise ProblemError(NOT_FOUND, "No such party.")
    return party


async def onboard(session: AsyncSession, publisher: EventPublisher, data: PartyIn) -> Party:
    """Register a new party with its codes; stages ``PartyRegistered``."""
    repo = PartyRepository(session)
    if await repo.by_uscc(data.uscc):
        raise ProblemError(PARTY_USCC_TAKEN, "A party with this USCC is already registered.")
    if data.customs_code and await repo.by_customs_code(data.customs_code):
        raise ProblemError(PARTY_CUSTOMS_CODE_TAKEN, "A party with this customs code is already registered.")
    for item in data.codes:
        await _ensure_code_free(repo, item.code)
    now = utcnow()
    party = repo.add(
        Party(
            id=new_party_id(),
            name=data.name,
            uscc=data.uscc,
            customs_code=data.customs_code,
            district=data.district,
            park=data.park,
            roles=[str(r) for r in data.roles],
            status="active",
            created_at=now,
            updated_at=now,
        )
    )
    await _flush(repo, "party")
    for item in data.codes:
        repo.add_code(
            PartyCode(
                code=item.code, party_id=party.id, kinds=sorted({str(k) for k in item.kinds}), created_at=now
            )
        )
    await _flush(repo, "code")
    await _announce(session, publisher, party)
    return party


async def update(session: AsyncSession, publisher: EventPublisher, party_id: str, patch: PartyPatch) -> Party:
    """Change name, location or roles; codes must still fit the roles."""
    party = await require(session, party_id)
    if patch.roles is not None:
        codes = (await PartyRepository(session).codes_of([party_id]))[party_id]
        try:
            check_codes_fit_roles(
                [CodeIn(code=c.code, kinds=c.kinds) for c in codes],  # type: ignore[arg-type]
                [str(r) for r in patch.roles],
            )
        except ValueError as exc:
            raise ProblemError(PARTY_INVALID, f"The new roles do not cover a registered code: {exc}") from exc
        party.roles = [str(r) for r in patch.roles]
    for field in ("name", "district", "park"):
        value = getattr(patch, field)
        if value is not None:
            setattr(party, field, value)
    party.updated_at = utcnow()
    await _announce(session, publisher, party)
    return party


async def set_status(
    session: AsyncSession, publisher: EventPublisher, party_id: str, status: str, reason: str
) -> Party:
    """Suspend or reactivate; effective on the party's next request."""
    party = await require(session, party_id)
    if party.status == status:
        raise ProblemError(CONFLICT, f"The party is already {status}.")
    if status == "suspended" and Role.PLATFORM_ADMIN in party.roles:
        # Keeps the platform administrable: an admin cannot lock every admin out by accident.
        raise ProblemError(CONFLICT, "Platform administrators are not suspended through the API.")
    now = utcnow()
    party.status = status
    party.status_reason = reason or None
    party.updated_at = now
    await publisher.stage(
        session,
        PartyStatusChanged(party_id=party.id, status=status, occurred_at=now),  # type: ignore[arg-type]
        subject=party.id,
    )
    return party


async def add_code(session: AsyncSession, party_id: str, item: CodeIn) -> Party:
    """Register one more enterprise code to the party, or more kinds of a code it already holds.

    Adding a kind to one's own code (a self-operated seller's ``ebcCode`` becoming its
    ``ebpCode`` too) merges the kinds: the code is not "taken", it is the party's.
    """
    party = await require(session, party_id)
    repo = PartyRepository(session)
    existing = await repo.code(item.code)
    if existing is not None and existing.party_id != party.id:
        raise ProblemError(PARTY_CODE_TAKEN, f"Enterprise code {item.code} is registered to another party.")
    kinds = sorted({*(existing.kinds if existing else []), *(str(k) for k in item.kinds)})
    _check_fit(item.code, kinds, party.roles)
    if existing is not None:
        existing.kinds = kinds
    else:
        repo.add_code(PartyCode(code=item.code, party_id=party.id, kinds=kinds, created_at=utcnow()))
        await _flush(repo, "code")
    party.updated_at = utcnow()
    return party


async def set_code_kinds(session: AsyncSession, party_id: str, code: str, kinds: list[str]) -> Party:
    """Replace the kinds of a code the party holds (the route to change them in place)."""
    party = await require(session, party_id)
    existing = await PartyRepository(session).code(code)
    if existing is None or existing.party_id != party.id:
        raise ProblemError(NOT_FOUND, f"The party has no code {code}.")
    wanted = sorted({str(k) for k in kinds})
    _check_fit(code, wanted, party.roles)
    existing.kinds = wanted
    party.updated_at = utcnow()
    return party


def _check_fit(code: str, kinds: list[str], roles: list[str]) -> None:
    try:
        check_codes_fit_roles([CodeIn(code=code, kinds=kinds)], roles)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ProblemError(
            PARTY_INVALID,
            f"{exc}; give the party that role first (PATCH /v1/parties/{{party_id}} with its roles).",
        ) from exc


async def remove_code(session: AsyncSession, party_id: str, code: str) -> Party:
    """Unregister a code of the party."""
    party = await require(session, party_id)
    if not await PartyRepository(session).remove_code(party_id, code):
        raise ProblemError(NOT_FOUND, "The party has no such code.")
    party.updated_at = utcnow()
    return party


async def delegate(
    session: AsyncSession, agent_id: str, principal_id: str, message_types: list[str] | None = None
) -> Party:
    """Let ``agent_id`` (any filer role) file ``message_types`` (empty: all) for ``principal_id``.

    Posting again replaces the scope. Every call is in the gateway's audit log (who,
    when, which agent and principal), and withdrawing it is :func:`undelegate`.
    """
    agent = await require(session, agent_id)
    principal = await require(session, principal_id)
    if not any(role in FILER_ROLES for role in agent.roles):
        allowed = ", ".join(sorted(FILER_ROLES))
        raise ProblemError(
            PARTY_INVALID, f"The agent must hold a role that files customs messages: {allowed}."
        )
    if Role.ECOMMERCE_ENTERPRISE not in principal.roles or principal.id == agent.id:
        raise ProblemError(
            PARTY_INVALID, "The principal must be another party with the e-commerce enterprise role."
        )
    scope = sorted(set(message_types or []))
    repo = PartyRepository(session)
    existing = await repo.delegation(agent_id, principal_id)
    if existing is None:
        repo.add_delegation(
            PartyDelegation(
                platform_party_id=agent_id,
                merchant_party_id=principal_id,
                message_types=scope,
                created_at=utcnow(),
            )
        )
    else:
        existing.message_types = scope
    return agent


async def undelegate(session: AsyncSession, platform_id: str, merchant_id: str) -> Party:
    """Withdraw a delegation."""
    platform = await require(session, platform_id)
    if not await PartyRepository(session).remove_delegation(platform_id, merchant_id):
        raise ProblemError(NOT_FOUND, "No such delegation.")
    return platform


async def describe(session: AsyncSession, parties: list[Party]) -> list[PartyOut]:
    """API views of ``parties`` (codes and delegations in two queries, not N)."""
    repo = PartyRepository(session)
    ids = [p.id for p in parties]
    codes = await repo.codes_of(ids)
    merchants = await repo.merchants_of(ids)
    return [
        PartyOut(
            id=p.id,
            name=p.name,
            uscc=p.uscc,
            customs_code=p.customs_code,
            district=p.district,
            park=p.park,
            roles=p.roles,
            status=p.status,  # type: ignore[arg-type]
            status_reason=p.status_reason,
            codes=[CodeOut(code=c.code, kinds=c.kinds) for c in codes[p.id]],
            on_behalf_of=[d.merchant_party_id for d in merchants[p.id]],
            delegations=[
                DelegationOut(
                    merchant_party_id=d.merchant_party_id,
                    message_types=list(d.message_types or []),
                    created_at=d.created_at,
                )
                for d in merchants[p.id]
            ],
            created_at=p.created_at,
            updated_at=p.updated_at,
        )
        for p in parties
    ]


async def view(session: AsyncSession, party: Party) -> PartyOut:
    """The API view of one party."""
    return (await describe(session, [party]))[0]


async def page(
    session: AsyncSession, request: PageRequest, *, status: str | None = None, role: str | None = None
) -> Page[PartyOut]:
    """One page of the registry by id, filtered by status and role."""
    parties, next_cursor = await PartyRepository(session).search(request, status=status, role=role)
    return Page[PartyOut](items=await describe(session, parties), next_cursor=next_cursor)


async def _ensure_code_free(repo: PartyRepository, code: str) -> None:
    if await repo.code(code) is not None:
        raise ProblemError(PARTY_CODE_TAKEN, f"Enterprise code {code} is registered to another party.")


async def _flush(repo: PartyRepository, what: str) -> None:
    # The pre-checks above give precise answers; the unique constraints settle races.
    try:
        await repo.flush()
    except IntegrityError as exc:
        kind = PARTY_CODE_TAKEN if what == "code" else PARTY_USCC_TAKEN
        raise ProblemError(kind, "A concurrent registration took this code or USCC.") from exc


async def _announce(session: AsyncSession, publisher: EventPublisher, party: Party) -> None:
    await publisher.stage(
        session,
        PartyRegistered(
            party_id=party.id,
            name=party.name,
            uscc=party.uscc,
            customs_code=party.customs_code,
            roles=list(party.roles),
            district=party.district,
            park=party.park,
            status=party.status,  # type: ignore[arg-type]
            registered_at=party.created_at,
        ),
        subject=party.id,
    )


async def milestone_filing(session: AsyncSession, party_id: str) -> MilestoneFilingOut:
    """The firm's milestone filing choices (all ``off`` until it chose)."""
    row = await MilestoneFilingRepository.from_session(session).settings_of(party_id)
    if row is None:
        return MilestoneFilingOut(party_id=party_id)
    # The stored choices are validated again on the way out (a row written by an older version).
    return MilestoneFilingOut.model_validate(
        {"party_id": party_id, "updated_at": row.updated_at, **row.settings}
    )


async def set_milestone_filing(
    session: AsyncSession, publisher: EventPublisher, party_id: str, choice: MilestoneFilingIn
) -> MilestoneFilingOut:
    """Replace the firm's choices and tell the declaration service (same transaction)."""
    now = utcnow()
    settings = choice.model_dump()
    await MilestoneFilingRepository.from_session(session).store(party_id, settings, now)
    await publisher.stage(
        session,
        MilestoneFilingSet.model_validate({"party_id": party_id, "settings": settings, "occurred_at": now}),
        subject=party_id,
    )
    return MilestoneFilingOut.model_validate({"party_id": party_id, "updated_at": now, **settings})
