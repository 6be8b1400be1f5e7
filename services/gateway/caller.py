"""Who is calling, as the gateway's pipeline established it, and route dependencies to read it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from shared.identity import Identity
from shared.problems import ProblemError, problem_type

NOT_AUTHENTICATED = problem_type("auth.unauthenticated", 401, "Authentication required")


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated caller of one request."""

    identity: Identity
    credential_id: str
    auth_method: str  # "hmac" | "bearer"

    @property
    def party_id(self) -> str:
        """The calling party."""
        return self.identity.party_id

    @property
    def is_admin(self) -> bool:
        """Platform administrators manage the registry and read the audit log."""
        return self.identity.is_admin


def current_caller(request: Request) -> Caller:
    """FastAPI dependency: the caller the pipeline authenticated (401 if the pipeline did not run)."""
    caller = getattr(request.state, "caller", None)
    if caller is None:
        raise ProblemError(NOT_AUTHENTICATED, "This request carries no credentials.")
    return caller  # type: ignore[no-any-return]


CurrentCaller = Annotated[Caller, Depends(current_caller)]
