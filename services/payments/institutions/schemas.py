"""Request and response models of the institutions module."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from shared.events.payments import InstitutionKind


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class InstitutionIn(_In):
    """What a bank or payment institution states about itself."""

    pay_code: str | None = Field(default=None, pattern=r"^[0-9A-Z]{10}$|^[0-9A-Z]{18}$")
    swift_bic: str | None = Field(default=None, pattern=r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")
    pboc_licence_no: str | None = Field(default=None, max_length=14, description="支付业务许可证 (PIs)")
    licence_scopes: list[str] = Field(default_factory=list, max_length=8, examples=[["internet_payment"]])
    licence_valid_until: dt.date | None = None
    safe_directory: bool = Field(default=False, description="on SAFE's directory for FX business (汇发13号)")
    cross_border_rmb: bool = Field(default=False, description="a bank's cross-border RMB qualification")
    cross_border_rmb_since: dt.date | None = None
    partner_bank_party_id: str | None = Field(default=None, max_length=64)
    headquarters_in_city: bool = Field(default=False, description="national or regional HQ in the city")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "pay_code": "3207963001",
                    "pboc_licence_no": "Z2004944000010",
                    "licence_scopes": ["internet_payment"],
                    "licence_valid_until": "2029-06-30",
                    "safe_directory": True,
                    "partner_bank_party_id": "pty_bank",
                    "headquarters_in_city": True,
                }
            ]
        },
    )


class InstitutionOut(BaseModel):
    """An institution's public profile."""

    party_id: str
    kind: InstitutionKind
    name: str
    pay_code: str | None
    swift_bic: str | None
    pboc_licence_no: str | None
    licence_scopes: list[str]
    licence_valid_until: dt.date | None
    safe_directory: bool
    cross_border_rmb: bool
    cross_border_rmb_since: dt.date | None
    partner_bank_party_id: str | None
    headquarters_in_city: bool
    licensed: bool = Field(description="the licence data passes the platform's rules today")
    may_settle_rmb: bool = Field(description="may record cross-border RMB settlements (PBOC 139号)")
    updated_at: dt.datetime


class AccountIn(_In):
    """An account the enterprise holds at the institution (sealed at rest, shown masked)."""

    number: str = Field(min_length=4, max_length=34, pattern=r"^[0-9A-Za-z \-]+$")
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["USD"])


class ClientIn(_In):
    """An institution records that it serves an enterprise."""

    enterprise_party_id: str = Field(min_length=1, max_length=64)
    since: dt.date
    accounts: list[AccountIn] = Field(default_factory=list, max_length=20)


class AccountOut(BaseModel):
    """An account as anyone sees it: masked."""

    masked: str
    currency: str


class ClientOut(BaseModel):
    """A client relation."""

    institution_party_id: str
    institution_name: str | None
    enterprise_party_id: str
    enterprise_name: str | None
    status: str
    since: dt.date
    ended_at: dt.datetime | None
    granted: bool = Field(description="the enterprise's grant to the institution is active")
    accounts: list[AccountOut]


class GrantIn(_In):
    """An enterprise lets an institution read its transaction information."""

    institution_party_id: str = Field(min_length=1, max_length=64)


class GrantOut(BaseModel):
    """A grant."""

    enterprise_party_id: str
    institution_party_id: str
    institution_name: str | None
    status: str
    granted_at: dt.datetime
    revoked_at: dt.datetime | None


class GrantChangeOut(BaseModel):
    """One grant or revocation."""

    institution_party_id: str
    action: str
    at: dt.datetime
    credential_id: str | None
    request_id: str | None
