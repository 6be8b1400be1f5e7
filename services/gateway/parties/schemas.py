"""API shapes of the party registry."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
    field_validator,
    model_validator,
)

from services.gateway.parties.customs_code import (
    CustomsCodeError,
    enterprise_code_kind,
    validate_customs_code,
)
from services.gateway.parties.reference import district_by_division_code, get_district, get_park
from services.gateway.parties.roles import EnterpriseCodeKind, Role, may_claim, roles_for_code_kind
from services.gateway.parties.uscc import UsccError, validate_uscc

PartyName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CodeIn(_In):
    """An enterprise code to register to a party, and the customs fields it may fill."""

    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=18)]
    kinds: list[EnterpriseCodeKind] = Field(min_length=1, max_length=12)

    @field_validator("code")
    @classmethod
    def _well_formed(cls, value: str) -> str:
        if enterprise_code_kind(value) is None:
            raise ValueError("must be a well-formed 10-character customs code or 18-character USCC")
        return value


class CodeKindsIn(_In):
    """The kinds a registered code is used as (replacing the ones it had)."""

    kinds: list[EnterpriseCodeKind] = Field(min_length=1, max_length=12)


class PartyIn(_In):
    """Onboarding a party."""

    name: PartyName
    uscc: str = Field(description="Unified social credit code (GB 32100-2015), 18 characters.")
    customs_code: str | None = Field(default=None, description="Customs registration code, 10 characters.")
    district: str | None = Field(
        default=None,
        description="District, county or functional-zone id (haizhou), or a statutory district's "
        "GB/T 2260 code (320706); stored as the id.",
    )
    park: str | None = Field(default=None, description="Industrial park or incubation base id.")
    roles: list[Role] = Field(min_length=1, max_length=8)
    codes: list[CodeIn] = Field(default_factory=list, max_length=50)

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, value: str) -> str:
        try:
            validate_uscc(value)
        except UsccError as exc:
            raise ValueError(f"invalid USCC ({exc.reason}): {exc}") from exc
        return value

    @field_validator("customs_code")
    @classmethod
    def _customs_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            validate_customs_code(value)
        except CustomsCodeError as exc:
            raise ValueError(f"invalid customs code ({exc.reason}): {exc.message}") from exc
        return value

    @field_validator("district")
    @classmethod
    def _district(cls, value: str | None) -> str | None:
        # Either the reference data's id (``haizhou``) or the statutory GB/T 2260 division
        # code (``320706``); stored as the id, which every service's figures are keyed by.
        if value is None:
            return None
        if value.isdigit():
            found = district_by_division_code(value)
            if found is None:
                raise ValueError(
                    f"{value} is not the GB/T 2260 code of a district or county of the reference data"
                )
            return found.id
        if get_district(value) is None:
            raise ValueError("unknown district id (see the reference data, or give its GB/T 2260 code)")
        return value

    @field_validator("park")
    @classmethod
    def _park(cls, value: str | None) -> str | None:
        if value is not None and get_park(value) is None:
            raise ValueError("unknown park id (see the reference data)")
        return value

    @model_validator(mode="after")
    def _codes_fit_roles(self) -> PartyIn:
        check_codes_fit_roles(self.codes, self.roles)
        if len({c.code for c in self.codes}) != len(self.codes):
            raise ValueError("a code is listed twice")
        return self


def check_codes_fit_roles(codes: list[CodeIn], roles: list[Role] | list[str]) -> None:
    """Every code kind must be claimable by one of the party's roles (ValueError otherwise)."""
    for item in codes:
        for kind in item.kinds:
            if not may_claim(roles, kind):
                allowed = ", ".join(sorted(roles_for_code_kind(kind)))
                raise ValueError(f"{item.code}: {kind} codes belong to parties with role {allowed}")


class PartyPatch(_In):
    """Changing a party's registry entry (codes, status and credentials have their own routes)."""

    name: PartyName | None = None
    district: str | None = None
    park: str | None = None
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=8)

    @field_validator("district")
    @classmethod
    def _district(cls, value: str | None) -> str | None:
        return PartyIn._district(value)

    @field_validator("park")
    @classmethod
    def _park(cls, value: str | None) -> str | None:
        return PartyIn._park(value)


class StatusChangeIn(_In):
    """Why a party is suspended or reactivated (kept in the registry and the audit log)."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


MessageTypeName = Annotated[str, StringConstraints(pattern=r"^CEB\d{3}$")]


class DelegationIn(_In):
    """An enterprise authorises the agent (the path's party) to file for it, for some message types."""

    merchant_party_id: Annotated[str, StringConstraints(min_length=1, max_length=40)] = Field(
        description="The authorising e-commerce enterprise (the principal)."
    )
    message_types: list[MessageTypeName] = Field(
        default_factory=list,
        max_length=40,
        description="The message types the agent may file for it (e.g. CEB311, CEB621); "
        "empty: every message type. Posting again replaces the scope.",
    )


class DelegationOut(BaseModel):
    """One delegation the party holds as agent."""

    merchant_party_id: str
    message_types: list[str] = Field(description="Empty: every message type.")
    created_at: dt.datetime


class CodeOut(BaseModel):
    """An enterprise code and its kinds."""

    code: str
    kinds: list[str]


class PartyOut(BaseModel):
    """A registry entry."""

    id: str
    name: str
    uscc: str
    customs_code: str | None
    district: str | None
    park: str | None
    roles: list[str]
    status: Literal["active", "suspended"]
    status_reason: str | None = None
    codes: list[CodeOut]
    on_behalf_of: list[str] = Field(description="Party ids (enterprises) this party may file for.")
    delegations: list[DelegationOut] = Field(
        default_factory=list, description="The same delegations with their message-type scopes."
    )
    created_at: dt.datetime
    updated_at: dt.datetime


class RoleCodeKinds(RootModel[dict[str, list[str]]]):
    """Role → the enterprise-code kinds (customs fields) a party with that role may claim."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"ecommerce_platform": ["ebpCode"], "payment_institution": ["payCode"]}]
        }
    )


MilestoneFilingChoice = Literal["off", "review", "auto"]


class MilestoneFilingIn(BaseModel):
    """How the track files each customs milestone message for the calling logistics firm.

    ``off``: nothing is prepared; ``review``: the declaration service prepares the message
    and the firm signs and releases it itself (``/v1/customs/milestones``); ``auto``: the
    platform files it at once and the platform's signer signs it for the firm.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"CEB507": "auto", "CEB509": "review", "CEB513": "off"}]},
    )

    CEB507: MilestoneFilingChoice = Field(default="off", description="arrival at the supervised site (运抵)")
    CEB509: MilestoneFilingChoice = Field(default="off", description="departure on the conveyance (离境)")
    CEB513: MilestoneFilingChoice = Field(default="off", description="import signed for (签收)")


class MilestoneFilingOut(MilestoneFilingIn):
    """The firm's current choices (all ``off`` until it chose)."""

    model_config = ConfigDict(extra="forbid")

    party_id: str
    updated_at: dt.datetime | None = None
