"""The input snapshot of a reward run.

A snapshot freezes, for one year, every figure the engine reads: per enterprise
(identity, district, park/incubator membership, transaction value and order
count for the year and the year before, RMB-settlement amount, international
logistics cost, certified overseas warehouses, trademark fees, flags) and per
park/incubator (newly active enterprises with real transactions and their
transaction scale). The stats service assembles it from its own tables; the
engine never reads anything else, so a snapshot plus a policy fully determine
a run.

Lists are sorted on validation, so the canonical JSON and therefore
:meth:`Snapshot.sha256` do not depend on the order the rows were collected in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from .errors import SnapshotValidationError, ValidationIssue
from .money import ZERO, Money
from .sources import (
    DocumentFormat,
    DocumentLoader,
    canonical_json,
    sha256_hex,
)

SubjectId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")]

# GB 32100-2015 统一社会信用代码: 18 characters over this 31-symbol alphabet
# (no I, O, S, V, Z); the last one is a mod-31 check character.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a USCC."""
    total = sum(
        _USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, _USCC_WEIGHTS, strict=True)
    )
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def _check_uscc(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 18 or any(char not in _USCC_ALPHABET for char in code):
        raise ValueError(
            "a unified social credit code has 18 characters from 0-9 and A-Y without I, O, S, V, Z"
        )
    # A wrong code would attach money to the wrong legal person; catch typos here.
    if uscc_check_character(code[:17]) != code[17]:
        raise ValueError(f"check character of unified social credit code {code} is wrong")
    return code


Uscc = Annotated[str, AfterValidator(_check_uscc)]


def _aware_utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("the time must carry a timezone (e.g. 2026-03-01T09:00:00+08:00)")
    return value.astimezone(dt.UTC)


AwareTime = Annotated[dt.datetime, AfterValidator(_aware_utc)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class CertifiedWarehouse(_Model):
    """One certification of an overseas warehouse; a warehouse certified at both levels has two rows."""

    warehouse_id: SubjectId
    name: str = Field(min_length=1)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    level: Literal["municipal", "provincial"]
    certified_on: dt.date


class TrademarkFee(_Model):
    """A foreign trademark registration fee paid by the enterprise, in CNY."""

    application_no: str = Field(min_length=1)
    jurisdiction: str = Field(min_length=1, description="country/region or 'WIPO' for Madrid filings")
    fee: Money
    paid_on: dt.date


class EnterpriseInput(_Model):
    """Everything the engine may read about one enterprise for the year."""

    party_id: SubjectId
    name: str = Field(min_length=1, description="registered Chinese name")
    name_en: str | None = None
    uscc: Uscc
    district: str = Field(min_length=1)
    park_id: SubjectId | None = None
    incubator_id: SubjectId | None = None
    transaction_value: Money = Field(description="annual cross-border e-commerce transaction value, CNY")
    transaction_value_prev: Money = Field(description="the same for the previous year")
    order_count: int = Field(ge=0)
    order_count_prev: int = Field(ge=0)
    rmb_settlement_amount: Money = Field(default=ZERO, description="yearly cross-border RMB settlement, CNY")
    intl_logistics_cost: Money = Field(default=ZERO, description="international logistics cost paid, CNY")
    certified_warehouses: list[CertifiedWarehouse] = Field(default_factory=list)
    warehouse_months_reported: int = Field(
        default=0, ge=0, le=12, description="complete monthly reports its best warehouse filed in the year"
    )
    trademark_fees: list[TrademarkFee] = Field(default_factory=list)
    flags: dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")], bool] = Field(
        default_factory=dict
    )
    applied_at: AwareTime | None = Field(default=None, description="when the application was received")

    @field_validator("certified_warehouses")
    @classmethod
    def _sort_warehouses(cls, value: list[CertifiedWarehouse]) -> list[CertifiedWarehouse]:
        return sorted(value, key=lambda w: (w.warehouse_id, w.level, w.certified_on))

    @field_validator("trademark_fees")
    @classmethod
    def _sort_fees(cls, value: list[TrademarkFee]) -> list[TrademarkFee]:
        return sorted(value, key=lambda f: (f.application_no, f.paid_on, f.jurisdiction, f.fee))


class ParkInput(_Model):
    """A park (产业园) or incubator (孵化基地) and its yearly figures."""

    park_id: SubjectId
    kind: Literal["park", "incubator"]
    name: str = Field(min_length=1)
    district: str = Field(min_length=1)
    uscc: Uscc | None = Field(default=None, description="of the operating entity, when known")
    new_active_enterprises: int = Field(
        ge=0, description="enterprises whose first real transaction (交易实绩) fell in the year"
    )
    new_active_transaction_value: Money = Field(
        description="those enterprises' transaction value in the year"
    )
    flags: dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")], bool] = Field(
        default_factory=dict
    )
    applied_at: AwareTime | None = None


class PaymentInstitutionInput(_Model):
    """A bank or payment institution and its yearly online cross-border volume (四(十四))."""

    party_id: SubjectId
    name: str = Field(min_length=1)
    uscc: Uscc
    district: str = Field(min_length=1)
    online_volume: Money = Field(description="yearly online cross-border volume through the platform, CNY")
    online_transactions: int = Field(default=0, ge=0)
    flags: dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")], bool] = Field(
        default_factory=dict
    )
    applied_at: AwareTime | None = None


class Snapshot(_Model):
    """The frozen inputs of one reward run."""

    snapshot_id: SubjectId
    year: int = Field(ge=2000, le=2100)
    currency: Literal["CNY"] = "CNY"
    taken_at: AwareTime
    source: str = Field(
        min_length=1, description="what produced it, e.g. 'stats-service 1.4 / db 2027-01-05'"
    )
    enterprises: list[EnterpriseInput] = Field(default_factory=list)
    parks: list[ParkInput] = Field(default_factory=list)
    payment_institutions: list[PaymentInstitutionInput] = Field(default_factory=list)

    @field_validator("enterprises")
    @classmethod
    def _sort_enterprises(cls, value: list[EnterpriseInput]) -> list[EnterpriseInput]:
        return sorted(value, key=lambda e: e.party_id)

    @field_validator("parks")
    @classmethod
    def _sort_parks(cls, value: list[ParkInput]) -> list[ParkInput]:
        return sorted(value, key=lambda p: p.park_id)

    @field_validator("payment_institutions")
    @classmethod
    def _sort_institutions(cls, value: list[PaymentInstitutionInput]) -> list[PaymentInstitutionInput]:
        return sorted(value, key=lambda p: p.party_id)

    @model_validator(mode="after")
    def _unique_and_linked(self) -> Snapshot:
        issues = list(_snapshot_issues(self))
        if issues:
            raise SnapshotValidationError(issues)
        return self

    def canonical_json(self) -> bytes:
        """Canonical JSON: sorted keys and rows, Decimal as strings, times in UTC.

        A snapshot without payment institutions has no such key, so snapshots taken
        before they were added keep their hash.
        """
        data = self.model_dump(mode="python")
        if not data["payment_institutions"]:
            del data["payment_institutions"]
        return canonical_json(data)

    def sha256(self) -> str:
        """``sha256:<hex>`` of :meth:`canonical_json`; recorded by every run that uses the snapshot."""
        return sha256_hex(self.canonical_json())


def _snapshot_issues(snapshot: Snapshot) -> Iterator[ValidationIssue]:
    # Indexes refer to the sorted lists, which is also what canonical_json shows.
    previous: str | None = None
    for index, enterprise in enumerate(snapshot.enterprises):
        if enterprise.party_id == previous:
            yield ValidationIssue(
                f"enterprises[{index}].party_id", f"duplicate party_id {enterprise.party_id!r}"
            )
        previous = enterprise.party_id
    uscc_seen: dict[str, str] = {}
    for index, enterprise in enumerate(snapshot.enterprises):
        other = uscc_seen.setdefault(enterprise.uscc, enterprise.party_id)
        if other != enterprise.party_id:
            yield ValidationIssue(
                f"enterprises[{index}].uscc", f"USCC {enterprise.uscc} also belongs to party {other!r}"
            )
    previous = None
    for index, institution in enumerate(snapshot.payment_institutions):
        if institution.party_id == previous:
            yield ValidationIssue(
                f"payment_institutions[{index}].party_id", f"duplicate party_id {institution.party_id!r}"
            )
        previous = institution.party_id
    kinds: dict[str, str] = {}
    previous = None
    for index, park in enumerate(snapshot.parks):
        if park.park_id == previous:
            yield ValidationIssue(f"parks[{index}].park_id", f"duplicate park_id {park.park_id!r}")
        previous = park.park_id
        kinds[park.park_id] = park.kind
    for index, enterprise in enumerate(snapshot.enterprises):
        for field, expected in (("park_id", "park"), ("incubator_id", "incubator")):
            ref = getattr(enterprise, field)
            if ref is not None and ref in kinds and kinds[ref] != expected:
                yield ValidationIssue(
                    f"enterprises[{index}].{field}", f"{ref!r} is an {kinds[ref]}, not a {expected}"
                )


_LOADER = DocumentLoader(Snapshot, SnapshotValidationError)


def parse_snapshot(data: Any, *, source: str | None = None) -> Snapshot:
    """Validate already-parsed data as a snapshot; raises :class:`SnapshotValidationError`."""
    return _LOADER.parse(data, source=source)


def loads_snapshot(text: str | bytes, fmt: DocumentFormat = "json", *, source: str | None = None) -> Snapshot:
    """Parse and validate snapshot text (JSON by default, YAML accepted)."""
    return _LOADER.loads(text, fmt, source=source)


def load_snapshot(path: str | Path) -> Snapshot:
    """Read and validate a snapshot file (.json, .yaml or .yml)."""
    return _LOADER.load(Path(path))
