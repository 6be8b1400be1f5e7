"""Reading the code → party directory (kept by :mod:`.handlers`), for the ownership checks."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.directory.repository import DirectoryRepository


async def parties_of(session: AsyncSession, codes: Iterable[str]) -> dict[str, str]:
    """``{code: party_id}`` for the active codes among ``codes`` (one query)."""
    return await DirectoryRepository.from_session(session).active_parties(codes)


__all__ = ["parties_of"]
