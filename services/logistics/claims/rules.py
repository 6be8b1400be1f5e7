"""The claim rules: lifecycle, claim windows and the compensation offer. Pure: no session,
no clock, no files (:mod:`services.logistics.claims.terms` reads the rules file and the SDR
rates and hands them here).

**Lifecycle.** submitted → under_review → waiting_on_documents → approved / approved_partial
/ rejected → paid → closed. :data:`NEXT` is the whole table; :data:`ACTOR` says who takes
each step: the carrier of the claimed leg reviews, asks for documents, decides and pays; the
claimant's documents put a waiting claim back under review, and the claimant may withdraw an
undecided claim or close a rejected or paid one.

**Offer.** min(claimed loss, liability cap), every step an explanation line with its numbers:
the cap comes from the mode's (or the product category's) liability in SDR — per kg, per
package, per item — converted at the SDR rate of the day, or from the freight; an insured
shipment is compensated at its declared value up to the insured amount instead. Amounts are
CNY, Decimal, rounded half-up to the fen only where a figure is stated.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Literal

Kind = Literal["lost", "damaged", "delayed", "delivered_not_received"]
KINDS: tuple[Kind, ...] = ("lost", "damaged", "delayed", "delivered_not_received")
Actor = Literal["carrier", "claimant"]
_FEN = Decimal("0.01")


class Status(StrEnum):
    """Where a claim stands."""

    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    WAITING_ON_DOCUMENTS = "waiting_on_documents"
    APPROVED = "approved"
    APPROVED_PARTIAL = "approved_partial"
    REJECTED = "rejected"
    PAID = "paid"
    CLOSED = "closed"  # final


S = Status
#: Steps each status allows.
NEXT: Mapping[Status, frozenset[Status]] = {
    S.SUBMITTED: frozenset({S.UNDER_REVIEW, S.CLOSED}),
    S.UNDER_REVIEW: frozenset({S.WAITING_ON_DOCUMENTS, S.APPROVED, S.APPROVED_PARTIAL, S.REJECTED, S.CLOSED}),
    S.WAITING_ON_DOCUMENTS: frozenset({S.UNDER_REVIEW, S.CLOSED}),
    S.APPROVED: frozenset({S.PAID}),
    S.APPROVED_PARTIAL: frozenset({S.PAID}),
    S.REJECTED: frozenset({S.CLOSED}),
    S.PAID: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}
#: Who takes each step (a claimant's close of an undecided claim is a withdrawal).
ACTOR: Mapping[tuple[Status, Status], frozenset[Actor]] = {
    (S.SUBMITTED, S.UNDER_REVIEW): frozenset({"carrier"}),
    (S.SUBMITTED, S.CLOSED): frozenset({"claimant"}),
    (S.UNDER_REVIEW, S.WAITING_ON_DOCUMENTS): frozenset({"carrier"}),
    (S.UNDER_REVIEW, S.APPROVED): frozenset({"carrier"}),
    (S.UNDER_REVIEW, S.APPROVED_PARTIAL): frozenset({"carrier"}),
    (S.UNDER_REVIEW, S.REJECTED): frozenset({"carrier"}),
    (S.UNDER_REVIEW, S.CLOSED): frozenset({"claimant"}),
    (S.WAITING_ON_DOCUMENTS, S.UNDER_REVIEW): frozenset({"carrier", "claimant"}),
    (S.WAITING_ON_DOCUMENTS, S.CLOSED): frozenset({"claimant"}),
    (S.APPROVED, S.PAID): frozenset({"carrier"}),
    (S.APPROVED_PARTIAL, S.PAID): frozenset({"carrier"}),
    (S.REJECTED, S.CLOSED): frozenset({"carrier", "claimant"}),
    (S.PAID, S.CLOSED): frozenset({"carrier", "claimant"}),
}
DECIDED = frozenset({S.APPROVED, S.APPROVED_PARTIAL, S.REJECTED})


def may_move(current: str, target: Status, actor: Actor) -> bool:
    """True if ``actor`` may move a claim in ``current`` to ``target``."""
    return target in NEXT[Status(current)] and actor in ACTOR.get((Status(current), target), frozenset())


# --- the rules file -----------------------------------------------------------------------


class TermsError(ValueError):
    """The rules file or the rate file does not say what the service needs."""


@dataclass(frozen=True, slots=True)
class Liability:
    """A carrier's limit: SDR per kg, per package, per item, or a multiple of the freight."""

    per_kg_sdr: Decimal | None = None
    per_package_sdr: Decimal | None = None
    per_item_sdr: Decimal | None = None
    combine: Literal["higher", "sum"] = "higher"
    freight_multiple: Decimal | None = None
    cap_cny: Decimal | None = None
    basis: str = ""  # a product category's own source; the mode's basis when empty


@dataclass(frozen=True, slots=True)
class WindowRule:
    """How long after delivery (or dispatch) a claim of one kind is accepted."""

    start: Literal["delivery", "dispatch"]
    days: int = 0
    months: int = 0
    basis: str = ""


@dataclass(frozen=True, slots=True)
class ModeTerms:
    """One mode's liability, its product categories' overrides and its claim windows."""

    basis: str
    liability: Liability
    products: Mapping[str, Liability]
    windows: Mapping[str, WindowRule]


@dataclass(frozen=True, slots=True)
class Terms:
    """The whole rules file."""

    modes: Mapping[str, ModeTerms]
    insurance_basis: str
    limit_to_declared_value: bool

    def mode(self, mode: str) -> ModeTerms:
        """The terms of ``mode``; :class:`TermsError` if the file has none."""
        try:
            return self.modes[mode]
        except KeyError:
            raise TermsError(f"the compensation rules have no terms for mode {mode!r}") from None


def _decimal(raw: Any, where: str) -> Decimal | None:
    if raw is None:
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise TermsError(f"{where}: {raw!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise TermsError(f"{where}: {raw!r} must be a non-negative number")
    return value


def _liability(raw: Mapping[str, Any], where: str) -> Liability:
    known = {
        "per_kg_sdr",
        "per_package_sdr",
        "per_item_sdr",
        "combine",
        "freight_multiple",
        "cap_cny",
        "basis",
    }
    if not isinstance(raw, Mapping) or set(raw) - known:
        raise TermsError(f"{where}: expected a mapping of {sorted(known)}")
    combine = raw.get("combine", "higher")
    if combine not in ("higher", "sum"):
        raise TermsError(f"{where}.combine: 'higher' or 'sum'")
    found = Liability(
        per_kg_sdr=_decimal(raw.get("per_kg_sdr"), f"{where}.per_kg_sdr"),
        per_package_sdr=_decimal(raw.get("per_package_sdr"), f"{where}.per_package_sdr"),
        per_item_sdr=_decimal(raw.get("per_item_sdr"), f"{where}.per_item_sdr"),
        combine=combine,
        freight_multiple=_decimal(raw.get("freight_multiple"), f"{where}.freight_multiple"),
        cap_cny=_decimal(raw.get("cap_cny"), f"{where}.cap_cny"),
        basis=str(raw.get("basis", "")),
    )
    if all(
        v is None
        for v in (found.per_kg_sdr, found.per_package_sdr, found.per_item_sdr, found.freight_multiple)
    ):
        raise TermsError(f"{where}: a liability needs an SDR amount or a freight multiple")
    return found


def _window(raw: Mapping[str, Any], where: str) -> WindowRule:
    if not isinstance(raw, Mapping) or raw.get("from") not in ("delivery", "dispatch"):
        raise TermsError(f"{where}: needs from: delivery or dispatch")
    days, months = raw.get("days", 0), raw.get("months", 0)
    if (
        not isinstance(days, int)
        or not isinstance(months, int)
        or days < 0
        or months < 0
        or days + months == 0
    ):
        raise TermsError(f"{where}: needs a positive whole number of days or months")
    return WindowRule(raw["from"], days, months, str(raw.get("basis", "")))


def parse_terms(raw: Any) -> Terms:
    """The rules file's content (parsed YAML) as :class:`Terms`; :class:`TermsError` if it is not."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("modes"), Mapping) or not raw["modes"]:
        raise TermsError("the compensation rules need a non-empty 'modes' mapping")
    modes: dict[str, ModeTerms] = {}
    for name, body in raw["modes"].items():
        where = f"modes.{name}"
        if not isinstance(body, Mapping):
            raise TermsError(f"{where}: expected a mapping")
        windows = body.get("windows") or {}
        if set(windows) != set(KINDS):
            raise TermsError(f"{where}.windows: one window for each kind {list(KINDS)}")
        modes[str(name)] = ModeTerms(
            basis=str(body.get("basis", "")),
            liability=_liability(body.get("liability") or {}, f"{where}.liability"),
            products={
                str(p): _liability(spec, f"{where}.products.{p}")
                for p, spec in (body.get("products") or {}).items()
            },
            windows={k: _window(w, f"{where}.windows.{k}") for k, w in windows.items()},
        )
    insurance = raw.get("insurance") or {}
    return Terms(
        modes=modes,
        insurance_basis=str(insurance.get("basis", "insured value")),
        limit_to_declared_value=bool(insurance.get("limit_to_declared_value", True)),
    )


@dataclass(frozen=True, slots=True)
class SdrRate:
    """CNY per SDR from a day on, and where the figure came from."""

    on: dt.date
    cny_per_sdr: Decimal
    source: str


@dataclass(frozen=True)
class SdrRates:
    """SDR → CNY rates by date; :meth:`on` takes the latest not after the day."""

    rates: tuple[SdrRate, ...]

    def on(self, day: dt.date) -> SdrRate:
        """The rate applying on ``day``; :class:`TermsError` before the first."""
        found = [r for r in self.rates if r.on <= day]
        if not found:
            raise TermsError(f"no SDR rate on or before {day.isoformat()}")
        return max(found, key=lambda r: r.on)


def parse_sdr_rates(rows: list[dict[str, str]]) -> SdrRates:
    """``date,cny_per_sdr,source`` rows as :class:`SdrRates`."""
    rates: list[SdrRate] = []
    for number, row in enumerate(rows, start=2):
        try:
            day = dt.date.fromisoformat((row.get("date") or "").strip())
            rate = Decimal((row.get("cny_per_sdr") or "").strip())
        except (ValueError, InvalidOperation):
            raise TermsError(f"SDR rates line {number}: expected date,cny_per_sdr,source") from None
        if not rate.is_finite() or rate <= 0:
            raise TermsError(f"SDR rates line {number}: the rate must be positive")
        rates.append(SdrRate(day, rate, (row.get("source") or "").strip()))
    if not rates:
        raise TermsError("the SDR rate file has no rates")
    return SdrRates(tuple(sorted(rates, key=lambda r: r.on)))


# --- windows ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    """The days a claim may be submitted in (both inclusive), and why."""

    opens_on: dt.date
    closes_on: dt.date
    basis: str

    def admits(self, day: dt.date) -> bool:
        """True if a claim may be submitted on ``day``."""
        return self.opens_on <= day <= self.closes_on


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def window(rule: WindowRule, start: dt.date) -> Window:
    """The claim window of ``rule`` for a delivery (or dispatch) on ``start``.

    The day of the event itself is the first day; the window closes ``days`` days after it
    (14 days after a delivery on 1 May closes on 15 May), or ``months`` months after it.
    """
    closes = _add_months(start, rule.months) + dt.timedelta(days=rule.days)
    return Window(start, closes, rule.basis)


# --- the offer ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What the offer is computed from (amounts already in CNY)."""

    mode: str
    product: str | None
    claimed_cny: Decimal
    weight_kg: Decimal
    packages: int
    freight_cny: Decimal | None = None
    declared_cny: Decimal | None = None
    insured_cny: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Offer:
    """The computed compensation and how it was reached."""

    amount_cny: Decimal
    cap_cny: Decimal
    lines: list[str] = field(default_factory=list)


def _fen(value: Decimal) -> Decimal:
    return value.quantize(_FEN, rounding=ROUND_HALF_UP)


def _cap_from_liability(
    liability: Liability, basis: str, facts: ClaimFacts, rate: SdrRate, lines: list[str]
) -> Decimal:
    parts: list[tuple[str, Decimal]] = []
    if liability.per_kg_sdr is not None:
        parts.append(
            (f"{liability.per_kg_sdr} SDR/kg × {facts.weight_kg} kg", liability.per_kg_sdr * facts.weight_kg)
        )
    if liability.per_package_sdr is not None:
        parts.append(
            (
                f"{liability.per_package_sdr} SDR/package × {facts.packages} package(s)",
                liability.per_package_sdr * facts.packages,
            )
        )
    if liability.per_item_sdr is not None:
        parts.append((f"{liability.per_item_sdr} SDR per item", liability.per_item_sdr))
    cap: Decimal | None = None
    if parts:
        for text, sdr in parts:
            lines.append(f"{basis}: {text} = {sdr.normalize():f} SDR")
        if liability.combine == "sum" or len(parts) == 1:
            sdr_cap = sum((sdr for _, sdr in parts), Decimal(0))
            if len(parts) > 1:
                lines.append(f"Sum of the limits: {sdr_cap.normalize():f} SDR")
        else:
            sdr_cap = max(sdr for _, sdr in parts)
            lines.append(f"The higher of the limits: {sdr_cap.normalize():f} SDR")
        cap = _fen(sdr_cap * rate.cny_per_sdr)
        lines.append(
            f"At {rate.cny_per_sdr} CNY/SDR (rate of {rate.on.isoformat()}, {rate.source}): "
            f"{sdr_cap.normalize():f} SDR = {cap} CNY"
        )
    if liability.freight_multiple is not None:
        if facts.freight_cny is None:
            raise TermsError(
                "these terms limit compensation by the freight: the claim must state the freight"
            )
        by_freight = _fen(liability.freight_multiple * facts.freight_cny)
        lines.append(
            f"{basis}: {liability.freight_multiple} × freight {_fen(facts.freight_cny)} CNY"
            f" = {by_freight} CNY"
        )
        cap = by_freight if cap is None else min(cap, by_freight)
    assert cap is not None  # parse_terms refuses a liability with neither
    if liability.cap_cny is not None and liability.cap_cny < cap:
        lines.append(f"Capped at {_fen(liability.cap_cny)} CNY")
        cap = _fen(liability.cap_cny)
    return cap


def offer(terms: Terms, facts: ClaimFacts, rate: SdrRate) -> Offer:
    """The compensation the rules give for ``facts``: min(claimed loss, liability cap)."""
    lines = [f"Claimed loss: {_fen(facts.claimed_cny)} CNY"]
    if facts.insured_cny is not None:
        cap = _fen(facts.insured_cny)
        lines.append(f"Insured ({terms.insurance_basis}): insured amount {cap} CNY")
        if terms.limit_to_declared_value:
            if facts.declared_cny is None:
                raise TermsError("an insured claim must state the declared value")
            if facts.declared_cny < cap:
                cap = _fen(facts.declared_cny)
            lines.append(f"Declared value {_fen(facts.declared_cny)} CNY: cap {cap} CNY")
    else:
        mode = terms.mode(facts.mode)
        liability = mode.liability
        basis = f"{facts.mode}: {mode.basis}"
        if facts.product is not None and facts.product in mode.products:
            liability = mode.products[facts.product]
            basis = f"{facts.mode}, product {facts.product}: {liability.basis or mode.basis}"
        cap = _cap_from_liability(liability, basis, facts, rate, lines)
    amount = min(_fen(facts.claimed_cny), cap)
    lines.append(f"Offer = min(claimed {_fen(facts.claimed_cny)}, cap {cap}) = {amount} CNY")
    return Offer(amount, cap, lines)
