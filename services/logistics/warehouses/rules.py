"""Rules of the warehouse registry: who may manage a warehouse, and a consistent profile.

Pure: no session, no clock (``today`` is passed in).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from shared.identity import Identity

OPERATOR_ROLE = "overseas_warehouse_operator"

CertificationLevel = Literal["municipal", "provincial"]
Usage = Literal["public", "own"]
WarehouseStatus = Literal["active", "closed"]


@dataclass(frozen=True, slots=True)
class ProfileIssue:
    """One inconsistency of a profile: the field it is about and why."""

    field: str
    detail: str


def may_manage(identity: Identity, operator_party_id: str) -> bool:
    """The warehouse's operator (holding the operator role) and platform admins manage it."""
    if identity.is_admin:
        return True
    return identity.party_id == operator_party_id and identity.has_role(OPERATOR_ROLE)


def profile_issues(
    *,
    opened_on: dt.date,
    certification_level: str | None,
    certification_year: int | None,
    today: dt.date,
) -> list[ProfileIssue]:
    """What is wrong with these profile values together (empty when consistent)."""
    issues: list[ProfileIssue] = []
    if opened_on > today:
        issues.append(ProfileIssue("opened_on", f"start of operations {opened_on} is in the future"))
    if (certification_level is None) != (certification_year is None):
        field = "certification_year" if certification_year is None else "certification_level"
        issues.append(ProfileIssue(field, "a certification needs both its level and its year"))
    if certification_year is not None:
        if certification_year > today.year:
            issues.append(
                ProfileIssue(
                    "certification_year", f"certification year {certification_year} is in the future"
                )
            )
        elif certification_year < opened_on.year:
            issues.append(
                ProfileIssue(
                    "certification_year",
                    f"certified in {certification_year}, before operations started ({opened_on.year})",
                )
            )
    return issues


def years_operating(opened_on: dt.date, on: dt.date) -> int:
    """Whole years of operation on ``on`` (the criterion provinces state as "operating ≥ n years")."""
    years = on.year - opened_on.year - ((on.month, on.day) < (opened_on.month, opened_on.day))
    return max(0, years)
