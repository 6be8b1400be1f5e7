"""``/v1/stats/admin/…`` — maintenance for platform administrators."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from services.stats.admin.schemas import RebuildOut
from services.stats.history.rebuild import rebuild_all
from shared.identity import CurrentIdentity
from shared.kit.responses import COMMON_PROBLEMS, problems
from shared.problems import FORBIDDEN, ProblemError
from shared.service import DbSession

router = APIRouter(prefix="/v1/stats/admin", tags=["administration"])


@router.post(
    "/rebuild",
    response_model=RebuildOut,
    responses=problems(*COMMON_PROBLEMS),
    summary="Recompute every statistic from the consumed-event log",
)
async def rebuild(identity: CurrentIdentity, session: DbSession) -> dict[str, Any]:
    """One transaction: the figures switch to the rebuilt ones when it commits."""
    if not identity.is_admin:
        raise ProblemError(FORBIDDEN, "Only platform administrators may rebuild the statistics.")
    return asdict(await rebuild_all(session))
