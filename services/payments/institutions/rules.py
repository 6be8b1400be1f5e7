"""Licence rules and the access decision — pure, no I/O.

Licence data (what makes a party fit to receive and settle cross-border money):

* A **payment institution** holds a PBOC payment business licence (支付业务许可证,
  ``Z`` + 13 digits, e.g. ``Z2004944000010``) whose scope covers Internet payment
  (互联网支付) — GACC 2018 No.194 admits no other payment enterprise — and it must be
  in force.
* A **bank** may carry the cross-border RMB qualification; PBOC 银发〔2022〕139号 lets it
  settle new-form trade in RMB with payment institutions when it has more than three
  years of cross-border RMB experience, so the qualification records since when.

Access to an enterprise's transaction information: the enterprise itself always; an
institution only while it **serves** the enterprise (an active client relation) **and**
the enterprise's **grant** to it is active. Regulators read aggregates (thresholds,
goods–funds consistency), never an enterprise's transactions.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from shared.events.payments import InstitutionKind

PBOC_LICENCE = re.compile(r"^Z[0-9]{13}$")
INTERNET_PAYMENT = "internet_payment"
LICENCE_SCOPES = frozenset({INTERNET_PAYMENT, "mobile_payment", "bank_card_acquiring", "prepaid_card"})
RMB_EXPERIENCE_YEARS = 3


@dataclass(frozen=True)
class LicenceIssue:
    """One reason licence data is refused, at a JSON pointer of the request body."""

    pointer: str
    detail: str


@dataclass(frozen=True)
class LicenceData:
    """What an institution states about its licence."""

    kind: InstitutionKind
    pboc_licence_no: str | None = None
    licence_scopes: tuple[str, ...] = ()
    licence_valid_until: dt.date | None = None
    cross_border_rmb: bool = False
    cross_border_rmb_since: dt.date | None = None
    partner_bank_party_id: str | None = None


def licence_issues(data: LicenceData, today: dt.date) -> list[LicenceIssue]:
    """Everything wrong with ``data`` (empty: acceptable)."""
    issues: list[LicenceIssue] = []

    def refuse(field: str, detail: str) -> None:
        issues.append(LicenceIssue(f"/body/{field}", detail))

    if data.kind is InstitutionKind.PAYMENT_INSTITUTION:
        if not data.pboc_licence_no:
            refuse("pboc_licence_no", "a payment institution needs its PBOC licence")
        elif not PBOC_LICENCE.match(data.pboc_licence_no):
            refuse("pboc_licence_no", "a PBOC payment licence number is Z followed by 13 digits")
        unknown = sorted(set(data.licence_scopes) - LICENCE_SCOPES)
        if unknown:
            refuse("licence_scopes", f"unknown licence scopes {unknown}")
        if INTERNET_PAYMENT not in data.licence_scopes:
            refuse(
                "licence_scopes",
                "the licence must cover internet_payment (GACC 2018 No.194) to serve cross-border trade",
            )
        if data.licence_valid_until is None:
            refuse("licence_valid_until", "the licence's expiry date is required")
        elif data.licence_valid_until < today:
            refuse("licence_valid_until", "the licence has expired")
    else:
        if data.pboc_licence_no:
            refuse("pboc_licence_no", "banks hold no PBOC payment licence")
        if data.cross_border_rmb and data.cross_border_rmb_since is None:
            refuse("cross_border_rmb_since", "say since when the bank settles cross-border RMB")
        if data.cross_border_rmb_since is not None and data.cross_border_rmb_since > today:
            refuse("cross_border_rmb_since", "a qualification cannot start in the future")
        if data.partner_bank_party_id:
            refuse("partner_bank_party_id", "only payment institutions have partner banks")
    return issues


def may_settle_rmb(data: LicenceData, today: dt.date) -> bool:
    """Whether the institution may record a cross-border RMB settlement (PBOC 139号).

    A bank: qualified for more than three years. A payment institution: licensed for
    Internet payment and working through a partner bank.
    """
    if data.kind is InstitutionKind.BANK:
        since = data.cross_border_rmb_since
        if not data.cross_border_rmb or since is None:
            return False
        try:
            threshold = since.replace(year=since.year + RMB_EXPERIENCE_YEARS)
        except ValueError:  # 29 February
            threshold = since.replace(year=since.year + RMB_EXPERIENCE_YEARS, day=28)
        return threshold < today
    licensed = not licence_issues(data, today)
    return licensed and data.partner_bank_party_id is not None


class Access(StrEnum):
    """What a caller may see of one enterprise's transaction information."""

    OWNER = "owner"
    GRANTED = "granted"
    NONE = "none"


def access_to(
    caller_party_id: str,
    caller_is_institution: bool,
    enterprise_party_id: str,
    *,
    serves: bool,
    granted: bool,
) -> Access:
    """The enterprise itself, an institution it serves and granted, or nobody."""
    if caller_party_id == enterprise_party_id:
        return Access.OWNER
    if caller_is_institution and serves and granted:
        return Access.GRANTED
    return Access.NONE


def mask_account(account: str) -> str:
    """An account number as shown back: its last four characters (``****1234``)."""
    compact = "".join(account.split())
    return "****" + compact[-4:] if len(compact) > 4 else "****"


def normalise_account(account: str) -> str:
    """The form keyed hashes are taken of: no spaces or dashes, upper case (IBANs)."""
    return "".join(ch for ch in account if ch not in " -").upper()
