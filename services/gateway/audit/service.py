"""Reading the audit log: admins see every call, other parties their own."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.audit.models import AuditEntry
from services.gateway.audit.repository import AuditRepository
from services.gateway.audit.schemas import AuditFilters, AuditOut
from services.gateway.caller import Caller
from shared.kit.pagination import Page, PageRequest


def scoped(caller: Caller, filters: AuditFilters) -> dict[str, Any]:
    """The filters as the caller may apply them: a non-admin's ``party_id`` is its own, whatever it asked."""
    values = filters.model_dump()
    values["party_id"] = filters.party_id if caller.is_admin else caller.party_id
    return values


def audit_out(row: AuditEntry) -> AuditOut:
    """The API view of a row."""
    return AuditOut.model_validate(row, from_attributes=True)


async def search(
    session: AsyncSession, caller: Caller, filters: AuditFilters, request: PageRequest
) -> Page[AuditOut]:
    """One page of the caller's view of the log, newest first."""
    rows, next_cursor = await AuditRepository(session).search(scoped(caller, filters), request)
    return Page[AuditOut](items=[audit_out(r) for r in rows], next_cursor=next_cursor)


async def export_lines(
    session: AsyncSession, caller: Caller, filters: AuditFilters, limit: int
) -> list[bytes]:
    """The caller's view of the log, oldest first, as NDJSON lines."""
    rows = await AuditRepository(session).export(scoped(caller, filters), limit)
    return [(audit_out(r).model_dump_json() + "\n").encode() for r in rows]
