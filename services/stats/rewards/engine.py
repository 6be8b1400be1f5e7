"""The reward engine: ``compute(policy, snapshot) -> RunResult``.

Order of the computation, for every subject (enterprise, park, incubator):

1. **Eligibility** — the policy's common rules for the subject kind, then each
   item's own rules. A failed rule makes the item pay nothing.
2. **Items** — each item computes an amount from the snapshot's figures
   (tiers, rates, per-item caps). A ``rate × figure`` product is rounded to the
   fen with the policy's ``rounding.line`` mode (default ROUND_HALF_UP) *before*
   caps are applied; caps and fixed amounts are already whole fen.
3. **就高不重复** — items of one matter are compared; the highest is paid, the
   others are recorded as superseded (never added). Equal amounts: the item that
   comes first in the policy file wins.
4. **Subject ceiling** — the paid items of all matters are summed, then limited
   by ``subject_caps`` for the subject kind.
5. **Budget** — if the sum of all subjects' amounts (the *demand*) fits the
   budget, everyone is paid in full (scale factor 1). Otherwise:

   * ``pro_rata``: in integer fen, ``share_i = floor(A_i × B / S)`` where
     ``A_i`` is the subject's amount, ``B`` the budget and ``S`` the demand.
     The fen left over, ``L = B − Σ share_i`` (always fewer than the number of
     subjects), go one each to the ``L`` subjects with the largest remainders
     ``A_i × B mod S``; ties by subject key (``kind:id``) ascending. The total
     then equals the budget exactly, no subject gets more than ``A_i``, and
     each differs from the exact proportional share by less than one fen.
   * ``ranked``: subjects are ordered by the policy's ``order_by`` keys, then
     by subject key; each is paid in full while the budget lasts, the first one
     that does not fit receives what is left (partial), the rest nothing.

All arithmetic is Decimal in a private context (:func:`money.engine_context`)
or exact integers, so the caller's decimal context cannot change a result, and
the same policy and snapshot always give the same amounts to the fen,
whatever the order of the snapshot's rows.

Cost: one pass over the subjects plus one sort, O(n log n).
"""

from __future__ import annotations

import datetime as dt
import gc
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

from .errors import ComputationError
from .inputs import EnterpriseInput, ParkInput, PaymentInstitutionInput, Snapshot
from .money import FEN, ZERO, engine_context, format_cny, from_fen, to_fen
from .policy import (
    AllOf,
    AnyOf,
    Combine,
    Compare,
    Condition,
    EligibilityRule,
    FlagIs,
    LineRounding,
    LogisticsSubsidyItem,
    Not,
    OverseasWarehouseItem,
    ParkIncubatorItem,
    PaymentInstitutionItem,
    PlatformStatisticsItem,
    Policy,
    ProRataAllocation,
    RankedAllocation,
    RankKey,
    RateTier,
    RewardItem,
    RmbSettlementItem,
    SubjectKind,
    Tier,
    TrademarkItem,
)
from .results import (
    BudgetOutcome,
    ExplanationLine,
    Figure,
    ItemOutcome,
    ItemStatus,
    RunResult,
    Step,
    SubjectResult,
)

ENGINE_VERSION = "rewards-engine/1"
"""Bumped whenever a change could alter an amount; recorded in every result and digest."""

SCALE_FACTOR_PLACES = Decimal("1E-10")
_SHOW_PLACES = Decimal("0.0001")
_MICRO = Decimal("0.000001")

_LINE_ROUNDING = {
    LineRounding.HALF_UP: ROUND_HALF_UP,
    LineRounding.HALF_EVEN: ROUND_HALF_EVEN,
    LineRounding.DOWN: ROUND_DOWN,
}

Subject = EnterpriseInput | ParkInput | PaymentInstitutionInput


# --------------------------------------------------------------------------- figures


def _growth(current: Decimal, previous: Decimal) -> Decimal | None:
    if previous == 0:
        return None  # undefined; every comparison with it is false
    return (current - previous) / previous


_ENTERPRISE_FIGURES: dict[str, Callable[[EnterpriseInput], Decimal | None]] = {
    "transaction_value": lambda e: e.transaction_value,
    "transaction_value_prev": lambda e: e.transaction_value_prev,
    "transaction_value_increase": lambda e: e.transaction_value - e.transaction_value_prev,
    "transaction_value_growth_rate": lambda e: _growth(e.transaction_value, e.transaction_value_prev),
    "order_count": lambda e: Decimal(e.order_count),
    "order_count_prev": lambda e: Decimal(e.order_count_prev),
    "order_count_increase": lambda e: Decimal(e.order_count - e.order_count_prev),
    "order_count_growth_rate": lambda e: _growth(Decimal(e.order_count), Decimal(e.order_count_prev)),
    "rmb_settlement_amount": lambda e: e.rmb_settlement_amount,
    "intl_logistics_cost": lambda e: e.intl_logistics_cost,
    "trademark_fees_total": lambda e: sum((f.fee for f in e.trademark_fees), ZERO),
    "certified_warehouse_count": lambda e: Decimal(len({w.warehouse_id for w in e.certified_warehouses})),
    "warehouse_months_reported": lambda e: Decimal(e.warehouse_months_reported),
}

_PARK_FIGURES: dict[str, Callable[[ParkInput], Decimal | None]] = {
    "new_active_enterprises": lambda p: Decimal(p.new_active_enterprises),
    "new_active_transaction_value": lambda p: p.new_active_transaction_value,
}


_INSTITUTION_FIGURES: dict[str, Callable[[PaymentInstitutionInput], Decimal | None]] = {
    "online_volume": lambda p: p.online_volume,
    "online_transactions": lambda p: Decimal(p.online_transactions),
}


def _figure(subject: Subject, metric: str) -> Decimal | None:
    if isinstance(subject, EnterpriseInput):
        return _ENTERPRISE_FIGURES[metric](subject)
    if isinstance(subject, PaymentInstitutionInput):
        return _INSTITUTION_FIGURES[metric](subject)
    return _PARK_FIGURES[metric](subject)


def _show(value: Decimal | None) -> str:
    if value is None:
        return "undefined"
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    if value.as_tuple().exponent == -2:  # an amount in fen
        return f"{value:,.2f}"
    # Growth rates can have 60 digits; four places are enough to read, the
    # comparison itself used the exact value.
    return f"{value.quantize(_SHOW_PLACES, rounding=ROUND_HALF_EVEN).normalize():,f}"


_OPS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


Evaluator = Callable[[Subject, dict[str, Figure]], tuple[bool, str]]
"""A compiled condition: verdict and readable trace; records the figures it read into the dict."""

_FIGURES: dict[str, Callable[[Any], Decimal | None]] = {
    **_ENTERPRISE_FIGURES,
    **_PARK_FIGURES,
    **_INSTITUTION_FIGURES,
}


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def compile_condition(condition: Condition) -> Evaluator:
    """Turn a condition into a closure once per run, instead of re-dispatching on its type per subject.

    Metric names of enterprises and parks are disjoint, and the policy
    validator has checked that each rule only uses its subject kind's metrics.
    """
    if isinstance(condition, Compare):
        getter, op, threshold, metric = (
            _FIGURES[condition.metric],
            _OPS[condition.op],
            condition.value,
            condition.metric,
        )
        head, tail = f"{metric} = ", f" {condition.op} {_show(threshold)} "

        def compare(subject: Subject, used: dict[str, Figure]) -> tuple[bool, str]:
            value = getter(subject)
            used[metric] = value
            ok = value is not None and op(value, threshold)
            return ok, f"{head}{_show(value)}{tail}{_mark(ok)}"

        return compare
    if isinstance(condition, FlagIs):
        flag, wanted = condition.flag, condition.equals
        key, tail = f"flag.{flag}", f", required {str(wanted).lower()} "

        def flag_is(subject: Subject, used: dict[str, Figure]) -> tuple[bool, str]:
            present = flag in subject.flags
            value = subject.flags.get(flag, False)
            used[key] = value if present else None  # None shows "absent" in the figures
            ok = value == wanted
            shown = str(value).lower() if present else "absent (false)"
            return ok, f"{flag} = {shown}{tail}{_mark(ok)}"

        return flag_is
    if isinstance(condition, (AllOf, AnyOf)):
        is_all = isinstance(condition, AllOf)
        children = [compile_condition(c) for c in (condition.all_of if is_all else condition.any_of)]  # type: ignore[union-attr]
        joiner, combine = (" AND ", all) if is_all else (" OR ", any)

        def group(subject: Subject, used: dict[str, Figure]) -> tuple[bool, str]:
            # Every branch is evaluated, not short-circuited, so the trace shows all figures.
            parts = [child(subject, used) for child in children]
            return combine(ok for ok, _ in parts), "(" + joiner.join(text for _, text in parts) + ")"

        return group
    assert isinstance(condition, Not)
    inner = compile_condition(condition.not_)

    def negate(subject: Subject, used: dict[str, Figure]) -> tuple[bool, str]:
        ok, text = inner(subject, used)
        return not ok, f"NOT {text}"

    return negate


def _check_rules(
    rules: Sequence[tuple[str, str, Evaluator]],
    subject: Subject,
    item_id: str | None,
    lines: list[ExplanationLine],
) -> list[str]:
    """Evaluate every rule (all are recorded, not just the first failure); return the ids that failed."""
    failed: list[str] = []
    for rule_id, description, evaluate in rules:
        used: dict[str, Figure] = {}
        ok, trace = evaluate(subject, used)
        lines.append(
            ExplanationLine(
                Step.ELIGIBILITY,
                item_id,
                rule_id,
                tuple(used.items()),
                f"{description}: {trace}",
                None,
                None,
                "pass" if ok else "fail",
            )
        )
        if not ok:
            failed.append(rule_id)
    return failed


# --------------------------------------------------------------------------- item arithmetic


class _Calc:
    """Per-run helpers bound to the policy's rounding rule and pre-sorted tier bounds."""

    def __init__(self, policy: Policy) -> None:
        self.rounding = _LINE_ROUNDING[policy.rounding.line]
        self.rounding_name = policy.rounding.line.value
        self._bounds: dict[int, list[Decimal]] = {}
        self._rules: dict[int, tuple[tuple[str, str, Evaluator], ...]] = {}

    def rules(self, rules: Sequence[EligibilityRule]) -> tuple[tuple[str, str, Evaluator], ...]:
        """The rules compiled once per run (keyed by the policy's list, which lives as long as the run)."""
        compiled = self._rules.get(id(rules))
        if compiled is None:
            compiled = self._rules[id(rules)] = tuple(
                (rule.id, rule.description, compile_condition(rule.condition)) for rule in rules
            )
        return compiled

    def round_line(self, value: Decimal) -> Decimal:
        return value.quantize(FEN, rounding=self.rounding)

    def match(self, tiers: Sequence[Tier] | Sequence[RateTier], figure: Decimal) -> int | None:
        """Index of the highest tier whose ``min`` the figure reaches (bisect; tiers are increasing)."""
        bounds = self._bounds.get(id(tiers))
        if bounds is None:
            bounds = self._bounds[id(tiers)] = [tier.min for tier in tiers]
        index = bisect_right(bounds, figure) - 1
        return index if index >= 0 else None

    def tier_amount(
        self,
        item_id: str,
        part: str,
        tiers: Sequence[Tier],
        figure_name: str,
        figure: Decimal,
        lines: list[ExplanationLine],
    ) -> Decimal:
        """Amount of the tier the figure falls in (0 if none), with its explanation line."""
        index = self.match(tiers, figure)
        rule = f"{item_id}.{part}"
        if index is None:
            lines.append(
                ExplanationLine(
                    step=Step.TIER,
                    item_id=item_id,
                    rule=rule,
                    figures=((figure_name, figure),),
                    formula=f"{figure_name} = {_show(figure)} is below the first tier "
                    f"({_show(tiers[0].min)})",
                    result=ZERO,
                    verdict="no tier",
                )
            )
            return ZERO
        tier = tiers[index]
        label = tier.label or f"{part}[{index}] ≥ {_show(tier.min)}"
        if tier.amount is not None:
            lines.append(
                ExplanationLine(
                    step=Step.TIER,
                    item_id=item_id,
                    rule=rule,
                    figures=((figure_name, figure),),
                    tier=label,
                    formula=f"{figure_name} = {_show(figure)} ≥ {_show(tier.min)} "
                    f"→ fixed {format_cny(tier.amount)}",
                    result=tier.amount,
                )
            )
            return tier.amount
        assert tier.rate is not None
        raw = tier.rate * figure
        amount = self.round_line(raw)
        formula = (
            f"{figure_name} = {_show(figure)} ≥ {_show(tier.min)} → {tier.rate} × {_show(figure)} = {raw} "
            f"→ {format_cny(amount)} ({self.rounding_name})"
        )
        return _rate_tier_line(
            item_id,
            rule,
            figures=((figure_name, figure), ("rate", tier.rate)),
            label=label,
            formula=formula,
            amount=amount,
            cap=tier.cap,
            lines=lines,
        )


def _rate_tier_line(
    item_id: str,
    rule: str,
    *,
    figures: tuple[tuple[str, Figure], ...],
    label: str,
    formula: str,
    amount: Decimal,
    cap: Decimal | None,
    lines: list[ExplanationLine],
) -> Decimal:
    """Limit a rate tier's rounded amount by the tier's own cap and record its TIER line.

    Shared by a figure's rate tiers and the logistics scale tiers so both cap the same
    way: after rounding to the fen, with the cap named in ``formula`` so the line shows
    why the result is below the rate × figure product. Returns the amount the tier pays.
    """
    if cap is not None and amount > cap:
        formula += f", tier cap {format_cny(cap)}"
        amount = cap
    lines.append(
        ExplanationLine(
            step=Step.TIER,
            item_id=item_id,
            rule=rule,
            figures=figures,
            tier=label,
            formula=formula,
            result=amount,
        )
    )
    return amount


def _combine(
    item_id: str, how: Combine, parts: Sequence[tuple[str, Decimal]], lines: list[ExplanationLine]
) -> Decimal:
    amounts = [amount for _, amount in parts]
    result = max(amounts) if how is Combine.MAX else sum(amounts, ZERO)
    joined = (", " if how is Combine.MAX else " + ").join(f"{name} {format_cny(a)}" for name, a in parts)
    formula = f"max({joined})" if how is Combine.MAX else joined
    lines.append(
        ExplanationLine(
            step=Step.COMBINE,
            item_id=item_id,
            rule=f"{item_id}.combine={how.value}",
            figures=tuple(parts),
            formula=f"{formula} = {format_cny(result)}",
            result=result,
        )
    )
    return result


def _cap(
    item_id: str, rule: str, amount: Decimal, cap: Decimal | None, lines: list[ExplanationLine]
) -> Decimal:
    if cap is None:
        return amount
    capped = min(amount, cap)
    lines.append(
        ExplanationLine(
            step=Step.CAP,
            item_id=item_id,
            rule=rule,
            figures=(("amount", amount), ("cap", cap)),
            formula=f"min({format_cny(amount)}, cap {format_cny(cap)}) = {format_cny(capped)}",
            result=capped,
            verdict="capped" if amount > cap else "within cap",
        )
    )
    return capped


def _platform_statistics(
    item: PlatformStatisticsItem, e: EnterpriseInput, calc: _Calc, lines: list[ExplanationLine]
) -> Decimal:
    parts: list[tuple[str, Decimal]] = []
    if item.value_tiers:
        parts.append(
            (
                "value",
                calc.tier_amount(
                    item.id, "value_tiers", item.value_tiers, "transaction_value", e.transaction_value, lines
                ),
            )
        )
    if item.order_increase_tiers:
        increase = Decimal(e.order_count - e.order_count_prev)
        parts.append(
            (
                "orders",
                calc.tier_amount(
                    item.id,
                    "order_increase_tiers",
                    item.order_increase_tiers,
                    "order_count_increase",
                    increase,
                    lines,
                ),
            )
        )
    amount = parts[0][1] if len(parts) == 1 else _combine(item.id, item.combine, parts, lines)
    return _cap(item.id, f"{item.id}.cap", amount, item.cap, lines)


def _rmb_settlement(
    item: RmbSettlementItem, e: EnterpriseInput, calc: _Calc, lines: list[ExplanationLine]
) -> Decimal:
    figure = e.rmb_settlement_amount
    if item.tiers:
        amount = calc.tier_amount(item.id, "tiers", item.tiers, "rmb_settlement_amount", figure, lines)
    else:
        assert item.rate is not None
        raw = item.rate * figure
        amount = calc.round_line(raw)
        lines.append(
            ExplanationLine(
                step=Step.FORMULA,
                item_id=item.id,
                rule=f"{item.id}.rate",
                figures=(("rmb_settlement_amount", figure), ("rate", item.rate)),
                formula=f"{item.rate} × {format_cny(figure)} = {raw} → {format_cny(amount)} "
                f"({calc.rounding_name})",
                result=amount,
            )
        )
    return _cap(item.id, f"{item.id}.cap", amount, item.cap, lines)


def _logistics(
    item: LogisticsSubsidyItem, e: EnterpriseInput, calc: _Calc, lines: list[ExplanationLine]
) -> Decimal:
    index = calc.match(item.scale_tiers, e.transaction_value)
    if index is None:
        lines.append(
            ExplanationLine(
                step=Step.TIER,
                item_id=item.id,
                rule=f"{item.id}.scale_tiers",
                figures=(("transaction_value", e.transaction_value),),
                formula=f"transaction_value = {_show(e.transaction_value)} is below the first scale tier "
                f"({_show(item.scale_tiers[0].min)})",
                result=ZERO,
                verdict="no tier",
            )
        )
        return ZERO
    tier = item.scale_tiers[index]
    cost = e.intl_logistics_cost
    raw = tier.rate * cost
    amount = calc.round_line(raw)
    formula = (
        f"transaction_value = {_show(e.transaction_value)} ≥ {_show(tier.min)} → rate {tier.rate}; "
        f"{tier.rate} × intl_logistics_cost {format_cny(cost)} = {raw} → {format_cny(amount)} "
        f"({calc.rounding_name})"
    )
    amount = _rate_tier_line(
        item.id,
        f"{item.id}.scale_tiers",
        figures=(
            ("transaction_value", e.transaction_value),
            ("intl_logistics_cost", cost),
            ("rate", tier.rate),
        ),
        label=tier.label or f"scale_tiers[{index}] ≥ {_show(tier.min)}",
        formula=formula,
        amount=amount,
        cap=tier.cap,
        lines=lines,
    )
    return _cap(item.id, f"{item.id}.cap", amount, item.cap, lines)


def _overseas_warehouse(
    item: OverseasWarehouseItem, e: EnterpriseInput, year: int, lines: list[ExplanationLine]
) -> Decimal:
    best: dict[str, tuple[Decimal, str]] = {}
    for cert in e.certified_warehouses:  # sorted by warehouse id, level, date
        figures: tuple[tuple[str, Figure], ...] = (
            ("warehouse_id", cert.warehouse_id),
            ("level", cert.level),
            ("certified_on", cert.certified_on.isoformat()),
        )
        level_amount = item.levels.get(cert.level)
        if item.only_certified_in_year and cert.certified_on.year != year:
            lines.append(
                ExplanationLine(
                    step=Step.FORMULA,
                    item_id=item.id,
                    rule=f"{item.id}.only_certified_in_year",
                    figures=figures,
                    formula=f"{cert.warehouse_id} {cert.level} certified {cert.certified_on} "
                    f"is outside {year}; not counted",
                    result=ZERO,
                    verdict="not counted",
                )
            )
            continue
        if level_amount is None:
            lines.append(
                ExplanationLine(
                    step=Step.FORMULA,
                    item_id=item.id,
                    rule=f"{item.id}.levels",
                    figures=figures,
                    formula=f"the policy pays nothing for level {cert.level}",
                    result=ZERO,
                    verdict="not counted",
                )
            )
            continue
        previous = best.get(cert.warehouse_id)
        verdict = "counted"
        if previous is not None:
            # One warehouse certified at two levels is one matter: pay the higher level once.
            if level_amount > previous[0]:
                verdict = (
                    f"replaces {previous[1]} {format_cny(previous[0])} (就高不重复 within the warehouse)"
                )
            else:
                verdict = f"not added: {previous[1]} {format_cny(previous[0])} is not lower (就高不重复)"
        if previous is None or level_amount > previous[0]:
            best[cert.warehouse_id] = (level_amount, cert.level)
        lines.append(
            ExplanationLine(
                step=Step.FORMULA,
                item_id=item.id,
                rule=f"{item.id}.levels.{cert.level}",
                figures=figures,
                tier=cert.level,
                formula=f"{cert.warehouse_id} ({cert.name}, {cert.country}) {cert.level} "
                f"→ {format_cny(level_amount)}",
                result=level_amount,
                verdict=verdict,
            )
        )
    total = sum((amount for amount, _ in best.values()), ZERO)
    if len(best) > 1:
        lines.append(
            ExplanationLine(
                step=Step.COMBINE,
                item_id=item.id,
                rule=f"{item.id}.per_warehouse",
                figures=tuple((wid, amount) for wid, (amount, _) in sorted(best.items())),
                formula=" + ".join(f"{wid} {format_cny(a)}" for wid, (a, _) in sorted(best.items()))
                + f" = {format_cny(total)}",
                result=total,
            )
        )
    return _cap(item.id, f"{item.id}.cap", total, item.cap, lines)


def _trademark(
    item: TrademarkItem, e: EnterpriseInput, year: int, calc: _Calc, lines: list[ExplanationLine]
) -> Decimal:
    fees: dict[str, Decimal] = {}
    for fee in e.trademark_fees:  # sorted by application number
        if item.only_paid_in_year and fee.paid_on.year != year:
            lines.append(
                ExplanationLine(
                    step=Step.FORMULA,
                    item_id=item.id,
                    rule=f"{item.id}.only_paid_in_year",
                    figures=(
                        ("application_no", fee.application_no),
                        ("fee", fee.fee),
                        ("paid_on", fee.paid_on.isoformat()),
                    ),
                    formula=f"fee {format_cny(fee.fee)} for {fee.application_no} paid {fee.paid_on} "
                    f"is outside {year}; "
                    "not counted",
                    result=ZERO,
                    verdict="not counted",
                )
            )
            continue
        fees[fee.application_no] = fees.get(fee.application_no, ZERO) + fee.fee
    total = ZERO
    for application_no, paid in fees.items():
        raw = item.rate * paid
        amount = calc.round_line(raw)
        formula = f"{item.rate} × fees {format_cny(paid)} for {application_no} = {raw} → {format_cny(amount)}"
        if item.per_application_cap is not None and amount > item.per_application_cap:
            formula += f", per-application cap {format_cny(item.per_application_cap)}"
            amount = item.per_application_cap
        lines.append(
            ExplanationLine(
                step=Step.FORMULA,
                item_id=item.id,
                rule=f"{item.id}.rate",
                figures=(("application_no", application_no), ("fees", paid), ("rate", item.rate)),
                formula=formula,
                result=amount,
            )
        )
        total += amount
    if not fees:
        lines.append(
            ExplanationLine(
                step=Step.FORMULA,
                item_id=item.id,
                rule=f"{item.id}.rate",
                figures=(),
                formula=f"no trademark fees paid in {year}",
                result=ZERO,
                verdict="nothing to subsidise",
            )
        )
    return _cap(item.id, f"{item.id}.cap", total, item.cap, lines)


def _park_incubator(
    item: ParkIncubatorItem, p: ParkInput, calc: _Calc, lines: list[ExplanationLine]
) -> Decimal:
    per_enterprise = item.per_new_enterprise * p.new_active_enterprises
    lines.append(
        ExplanationLine(
            step=Step.FORMULA,
            item_id=item.id,
            rule=f"{item.id}.per_new_enterprise",
            figures=(
                ("new_active_enterprises", p.new_active_enterprises),
                ("per_new_enterprise", item.per_new_enterprise),
            ),
            formula=f"{p.new_active_enterprises} new enterprises with real transactions × "
            f"{format_cny(item.per_new_enterprise)} = {format_cny(per_enterprise)}",
            result=per_enterprise,
        )
    )
    parts: list[tuple[str, Decimal]] = [("new_enterprises", per_enterprise)]
    if item.scale_tiers:
        parts.append(
            (
                "scale",
                calc.tier_amount(
                    item.id,
                    "scale_tiers",
                    item.scale_tiers,
                    "new_active_transaction_value",
                    p.new_active_transaction_value,
                    lines,
                ),
            )
        )
    amount = parts[0][1] if len(parts) == 1 else _combine(item.id, item.combine, parts, lines)
    return _cap(item.id, f"{item.id}.caps.{p.kind}", amount, item.caps[p.kind], lines)


def _payment_institution(
    item: PaymentInstitutionItem, p: PaymentInstitutionInput, calc: _Calc, lines: list[ExplanationLine]
) -> Decimal:
    amount = calc.tier_amount(
        item.id, "volume_tiers", item.volume_tiers, "online_volume", p.online_volume, lines
    )
    return _cap(item.id, f"{item.id}.cap", amount, item.cap, lines)


def _item_amount(
    item: RewardItem, subject: Subject, year: int, calc: _Calc, lines: list[ExplanationLine]
) -> Decimal:
    if isinstance(subject, PaymentInstitutionInput):
        assert isinstance(item, PaymentInstitutionItem)
        return _payment_institution(item, subject, calc, lines)
    if isinstance(subject, ParkInput):
        assert isinstance(item, ParkIncubatorItem)
        return _park_incubator(item, subject, calc, lines)
    if isinstance(item, PlatformStatisticsItem):
        return _platform_statistics(item, subject, calc, lines)
    if isinstance(item, RmbSettlementItem):
        return _rmb_settlement(item, subject, calc, lines)
    if isinstance(item, LogisticsSubsidyItem):
        return _logistics(item, subject, calc, lines)
    if isinstance(item, OverseasWarehouseItem):
        return _overseas_warehouse(item, subject, year, lines)
    if isinstance(item, TrademarkItem):
        return _trademark(item, subject, year, calc, lines)
    raise AssertionError(f"unhandled item kind {item.kind}")  # pragma: no cover - closed union


# --------------------------------------------------------------------------- one subject


class _Draft:
    """A subject's figures before the budget step (mutable only inside compute)."""

    __slots__ = ("kind", "subject", "items", "gross", "capped", "lines", "final", "rank")

    def __init__(self, kind: SubjectKind, subject: Subject) -> None:
        self.kind = kind
        self.subject = subject
        self.items: list[ItemOutcome] = []
        self.gross = ZERO
        self.capped = ZERO
        self.lines: list[ExplanationLine] = []
        self.final = ZERO
        self.rank: int | None = None

    @property
    def subject_id(self) -> str:
        s = self.subject
        return s.park_id if isinstance(s, ParkInput) else s.party_id

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.subject_id}"


def _evaluate_subject(policy: Policy, draft: _Draft, items: Sequence[RewardItem], calc: _Calc) -> None:
    subject, lines = draft.subject, draft.lines
    common_failed = _check_rules(
        calc.rules(policy.common_eligibility.for_kind(draft.kind)), subject, None, lines
    )

    amounts: list[tuple[RewardItem, Decimal, ItemStatus]] = []
    for item in items:
        failed = list(common_failed)
        failed += _check_rules(calc.rules(item.eligibility), subject, item.id, lines)
        if failed:
            lines.append(
                ExplanationLine(
                    step=Step.ITEM,
                    item_id=item.id,
                    rule=item.id,
                    figures=(("failed_rules", ", ".join(failed)),),
                    formula=f"{item.title}: not eligible (failed: {', '.join(failed)})",
                    result=ZERO,
                    verdict="ineligible",
                )
            )
            amounts.append((item, ZERO, ItemStatus.INELIGIBLE))
            continue
        amount = _item_amount(item, subject, policy.year, calc, lines)
        lines.append(
            ExplanationLine(
                step=Step.ITEM,
                item_id=item.id,
                rule=item.id,
                figures=(("matter", item.matter),),
                formula=f"{item.title}: {format_cny(amount)}",
                result=amount,
                verdict="computed" if amount > 0 else "nil",
            )
        )
        amounts.append((item, amount, ItemStatus.PAID if amount > 0 else ItemStatus.NIL))

    # 就高不重复: per matter, the highest amount wins; on a tie the first item in the policy.
    by_matter: dict[str, list[tuple[RewardItem, Decimal, ItemStatus]]] = {}
    for entry in amounts:
        by_matter.setdefault(entry[0].matter, []).append(entry)
    outcomes: dict[str, ItemOutcome] = {}
    matter_totals: list[tuple[str, Decimal]] = []
    for matter, entries in by_matter.items():
        winner_item, winner_amount, _ = max(
            entries, key=lambda entry: entry[1]
        )  # max keeps the first of equals
        paying = [entry for entry in entries if entry[2] is ItemStatus.PAID]
        for item, amount, status in entries:
            if status is ItemStatus.PAID and item is not winner_item:
                relation = "<" if amount < winner_amount else "= (earlier item in the policy wins)"
                lines.append(
                    ExplanationLine(
                        step=Step.MATTER,
                        item_id=item.id,
                        rule="就高不重复",
                        figures=(("matter", matter), (item.id, amount), (winner_item.id, winner_amount)),
                        formula=f"matter {matter}: {item.id} {format_cny(amount)} {relation} "
                        f"{winner_item.id} "
                        f"{format_cny(winner_amount)}; the highest is paid, not the sum",
                        result=ZERO,
                        verdict=f"superseded by {winner_item.id}",
                    )
                )
                outcomes[item.id] = ItemOutcome(
                    item.id, item.kind, matter, ItemStatus.SUPERSEDED, amount, winner_item.id
                )
            else:
                outcomes[item.id] = ItemOutcome(item.id, item.kind, matter, status, amount)
        if len(paying) > 1:
            lines.append(
                ExplanationLine(
                    step=Step.MATTER,
                    item_id=winner_item.id,
                    rule="就高不重复",
                    figures=(("matter", matter), *((item.id, amount) for item, amount, _ in paying)),
                    formula=f"matter {matter}: max("
                    + ", ".join(f"{item.id} {format_cny(amount)}" for item, amount, _ in paying)
                    + f") = {format_cny(winner_amount)}",
                    result=winner_amount,
                    verdict="paid",
                )
            )
        matter_totals.append((matter, winner_amount if paying else ZERO))

    draft.items = [outcomes[item.id] for item in items]
    draft.gross = sum((amount for _, amount in matter_totals), ZERO)
    cap = policy.subject_caps.for_kind(draft.kind)
    draft.capped = draft.gross if cap is None else min(draft.gross, cap)
    summed = (
        " + ".join(f"{matter} {format_cny(amount)}" for matter, amount in matter_totals if amount > 0)
        or "nothing"
    )
    cap_text = "no subject cap" if cap is None else f"subject cap {format_cny(cap)}"
    lines.append(
        ExplanationLine(
            step=Step.SUBJECT_CAP,
            item_id=None,
            rule=f"subject_caps.{draft.kind.value}",
            figures=(*matter_totals, ("gross", draft.gross), ("cap", cap)),
            formula=f"{summed} = {format_cny(draft.gross)}; {cap_text} → {format_cny(draft.capped)}",
            result=draft.capped,
            verdict="capped" if draft.capped < draft.gross else "within cap",
        )
    )


# --------------------------------------------------------------------------- budget


def _allocate_pro_rata(drafts: Sequence[_Draft], budget_fen: int, demand_fen: int) -> int:
    """Largest-remainder apportionment in integer fen; returns the number of leftover fen handed out."""
    shares: list[tuple[int, int, str, _Draft]] = []
    allocated = 0
    for draft in drafts:
        amount_fen = to_fen(draft.capped)
        share, remainder = divmod(amount_fen * budget_fen, demand_fen)
        shares.append((share, remainder, draft.key, draft))
        allocated += share
    leftover = budget_fen - allocated
    # Σ remainders = leftover × demand exactly, so leftover < len(drafts):
    # one fen each, largest remainder first.
    bonus = sorted(range(len(shares)), key=lambda i: (-shares[i][1], shares[i][2]))[:leftover]
    bonus_set = set(bonus)
    budget, demand = from_fen(budget_fen), from_fen(demand_fen)
    scale = (budget / demand).quantize(SCALE_FACTOR_PLACES, rounding=ROUND_DOWN)  # display only
    budget_text, demand_text = format_cny(budget), format_cny(demand)
    for index, (share, remainder, _key, draft) in enumerate(shares):
        extra = 1 if index in bonus_set else 0
        draft.final = from_fen(share + extra)
        exact = (draft.capped * budget / demand).quantize(_MICRO, rounding=ROUND_DOWN)
        draft.lines.append(
            ExplanationLine(
                step=Step.BUDGET,
                item_id=None,
                rule="budget.pro_rata",
                figures=(
                    ("amount", draft.capped),
                    ("budget", budget),
                    ("demand", demand),
                    ("scale_factor", scale),
                    (
                        "remainder_fen",
                        (Decimal(remainder) / demand_fen).quantize(_MICRO, rounding=ROUND_DOWN),
                    ),
                    ("leftover_fen", extra),
                ),
                formula=(
                    f"{format_cny(draft.capped)} × {budget_text} / {demand_text} = {exact}… "
                    f"→ floor to the fen {format_cny(from_fen(share))}"
                    + (" + 0.01 (largest remainder)" if extra else "")
                    + f" = {format_cny(draft.final)}"
                ),
                result=draft.final,
                verdict="scaled +0.01" if extra else "scaled",
            )
        )
    return leftover


_EPOCH = dt.datetime.min.replace(tzinfo=dt.UTC)


def _transaction_value(draft: _Draft) -> Decimal:
    subject = draft.subject
    if isinstance(subject, EnterpriseInput):
        return subject.transaction_value
    if isinstance(subject, PaymentInstitutionInput):
        return subject.online_volume
    return subject.new_active_transaction_value


def _rank_key(key: RankKey, descending: bool) -> Callable[[_Draft], Any]:
    if key is RankKey.AMOUNT:
        return lambda d: d.capped
    if key is RankKey.TRANSACTION_VALUE:
        return _transaction_value
    if key is RankKey.SUBJECT_ID:
        return lambda d: d.key
    # applied_at: subjects that never applied go last, whichever the direction.
    if descending:
        return lambda d: (d.subject.applied_at is not None, d.subject.applied_at or _EPOCH)
    return lambda d: (d.subject.applied_at is None, d.subject.applied_at or _EPOCH)


def _rank_sort(drafts: list[_Draft], allocation: RankedAllocation) -> list[_Draft]:
    ordered = sorted(drafts, key=lambda d: d.key)  # final tie-break: subject key ascending
    # Stable sorts from the least to the most significant key give a lexicographic order
    # with a direction per key (reverse=True keeps stability in Python).
    for order in reversed(allocation.order_by):
        descending = order.direction == "desc"
        ordered.sort(key=_rank_key(order.key, descending), reverse=descending)
    return ordered


def _allocate_ranked(drafts: list[_Draft], allocation: RankedAllocation, budget: Decimal) -> None:
    ordering = ", ".join(f"{o.key.value} {o.direction}" for o in allocation.order_by) + ", subject key asc"
    remaining = budget
    for rank, draft in enumerate(_rank_sort(drafts, allocation), start=1):
        draft.rank = rank
        paid = min(draft.capped, remaining)
        if paid == draft.capped:
            verdict, how = "paid in full", "paid in full"
        elif paid > 0:
            verdict, how = "partial", "budget runs out here: paid the remainder"
        else:
            verdict, how = "budget exhausted", "budget exhausted before this rank"
        draft.final = paid
        draft.lines.append(
            ExplanationLine(
                step=Step.BUDGET,
                item_id=None,
                rule="budget.ranked",
                figures=(("rank", rank), ("amount", draft.capped), ("remaining_before", remaining)),
                formula=f"rank {rank} by ({ordering}); remaining budget {format_cny(remaining)}; {how}: "
                f"{format_cny(paid)} of {format_cny(draft.capped)}",
                result=paid,
                verdict=verdict,
            )
        )
        remaining -= paid


def _apply_budget(policy: Policy, drafts: list[_Draft]) -> BudgetOutcome:
    budget = policy.budget.total
    allocation = policy.budget.allocation
    claiming = [d for d in drafts if d.capped > 0]
    demand = sum((d.capped for d in claiming), ZERO)
    method = allocation.method
    if demand <= budget:
        for draft in claiming:
            draft.final = draft.capped
            draft.lines.append(
                ExplanationLine(
                    step=Step.BUDGET,
                    item_id=None,
                    rule=f"budget.{method}",
                    figures=(("amount", draft.capped), ("budget", budget), ("demand", demand)),
                    formula=f"demand {format_cny(demand)} ≤ budget {format_cny(budget)}: paid in full",
                    result=draft.final,
                    verdict="paid in full",
                )
            )
        return BudgetOutcome(
            method,
            budget,
            demand,
            demand,
            Decimal(1),
            0,
            f"demand {format_cny(demand)} fits the budget {format_cny(budget)}; no scaling",
        )
    leftover = 0
    if isinstance(allocation, ProRataAllocation):
        leftover = _allocate_pro_rata(claiming, to_fen(budget), to_fen(demand))
        explanation = (
            f"demand {format_cny(demand)} exceeds the budget {format_cny(budget)}: every amount × "
            f"{format_cny(budget)} / {format_cny(demand)}, floored to the fen; {leftover} leftover fen "
            "given one each by largest remainder (ties: subject key ascending)"
        )
    else:
        assert isinstance(allocation, RankedAllocation)
        _allocate_ranked(claiming, allocation, budget)
        explanation = (
            f"demand {format_cny(demand)} exceeds the budget {format_cny(budget)}: paid in full in ranking "
            "order until the budget runs out; the last paid subject may be partial"
        )
    allocated = sum((d.final for d in claiming), ZERO)
    scale = (allocated / demand).quantize(SCALE_FACTOR_PLACES, rounding=ROUND_DOWN)
    return BudgetOutcome(method, budget, demand, allocated, scale, leftover, explanation)


# --------------------------------------------------------------------------- entry point


@contextmanager
def _cyclic_gc_paused(pause: bool) -> Iterator[None]:
    # A run keeps ~20 small objects per subject alive until it ends; the cyclic
    # collector would rescan them again and again (a third of the run time at
    # 20,000 enterprises) though none of them forms a cycle. Reference counting
    # still frees garbage meanwhile; the previous state is restored.
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def compute(policy: Policy, snapshot: Snapshot, *, pause_gc: bool = True) -> RunResult:
    """Compute every subject's reward for the policy year from the snapshot.

    Pure and deterministic: no I/O, no clock, no randomness; results do not
    depend on the order of the snapshot's rows or on the caller's decimal
    context. Raises :class:`ComputationError` when policy and snapshot do not
    belong together (different year or currency).

    ``pause_gc`` pauses Python's *cyclic* garbage collector for the duration
    (process-wide, restored afterwards); pass False if that is unwelcome in
    the calling process.
    """
    if policy.year != snapshot.year:
        raise ComputationError(
            f"policy {policy.policy_id} is for {policy.year}, snapshot {snapshot.snapshot_id} "
            f"for {snapshot.year}",
            code="rewards.compute.year_mismatch",
        )
    if policy.currency != snapshot.currency:
        raise ComputationError(
            "policy and snapshot currencies differ", code="rewards.compute.currency_mismatch"
        )

    with engine_context(), _cyclic_gc_paused(pause_gc):
        calc = _Calc(policy)
        drafts: list[_Draft] = []
        enterprise_items = policy.items_for(SubjectKind.ENTERPRISE)
        for enterprise in sorted(snapshot.enterprises, key=lambda e: e.party_id):
            draft = _Draft(SubjectKind.ENTERPRISE, enterprise)
            _evaluate_subject(policy, draft, enterprise_items, calc)
            drafts.append(draft)
        for park in sorted(snapshot.parks, key=lambda p: p.park_id):
            kind = SubjectKind(park.kind)
            draft = _Draft(kind, park)
            _evaluate_subject(policy, draft, policy.items_for(kind), calc)
            drafts.append(draft)
        institution_items = policy.items_for(SubjectKind.PAYMENT_INSTITUTION)
        for institution in sorted(snapshot.payment_institutions, key=lambda p: p.party_id):
            draft = _Draft(SubjectKind.PAYMENT_INSTITUTION, institution)
            _evaluate_subject(policy, draft, institution_items, calc)
            drafts.append(draft)
        drafts.sort(key=lambda d: d.key)
        budget = _apply_budget(policy, drafts)
        policy_hash, snapshot_hash = policy.sha256(), snapshot.sha256()
        subjects = tuple(
            SubjectResult(
                kind=d.kind,
                subject_id=d.subject_id,
                name=d.subject.name,
                district=d.subject.district,
                uscc=d.subject.uscc,
                items=tuple(d.items),
                gross=d.gross,
                capped=d.capped,
                final=d.final,
                lines=tuple(d.lines),
                rank=d.rank,
            )
            for d in drafts
        )

    return RunResult(
        engine_version=ENGINE_VERSION,
        policy_id=policy.policy_id,
        policy_hash=policy_hash,
        policy_status=policy.status.value,
        year=policy.year,
        currency=policy.currency,
        snapshot_id=snapshot.snapshot_id,
        snapshot_hash=snapshot_hash,
        separation_of_duties=policy.governance.separation_of_duties,
        budget=budget,
        subjects=subjects,
    )
