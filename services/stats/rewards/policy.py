"""The yearly reward policy as validated data.

The city's yearly application guide (年度资金申报指南) sets the real figures, so
the rules live in a YAML/JSON file, not in code. This module defines the file
format (pydantic v2, unknown keys rejected), loads it with precise
``path: message`` errors, and gives the canonical form and SHA-256 a run
records.

Vocabulary:

* **subject** — who receives money: an ``enterprise``, a ``park`` (跨境电商产业园)
  or an ``incubator`` (孵化基地).
* **item** — one reward rule of the policy (platform statistics, RMB settlement, …).
* **matter** — a group of items that reward the *same thing*. For one subject,
  the items of one matter are combined by 就高不重复: the highest is paid, the
  others are recorded as superseded, never summed. Items in different matters add up.
* **tier** — a band ``[min, next tier's min)`` of a figure; the highest tier whose
  ``min`` the figure reaches is matched. A tier pays a fixed ``amount`` or
  ``rate`` × the figure, optionally capped.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from .errors import PolicyValidationError, ValidationIssue
from .money import Money, Number, Rate, Share
from .sources import (
    DocumentFormat,
    DocumentLoader,
    canonical_json,
    sha256_hex,
)

SCHEMA_VERSION = 1

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")]
"""Ids used in explanations and exports: short, ASCII, no spaces."""


class SubjectKind(StrEnum):
    """Who a reward is paid to."""

    ENTERPRISE = "enterprise"
    PARK = "park"
    INCUBATOR = "incubator"
    PAYMENT_INSTITUTION = "payment_institution"


# Figures a condition or a ranking may refer to. Kept as closed sets so a typo
# in the policy file is a validation error, not a silently false condition.
EnterpriseMetric = Literal[
    "transaction_value",
    "transaction_value_prev",
    "transaction_value_increase",
    "transaction_value_growth_rate",
    "order_count",
    "order_count_prev",
    "order_count_increase",
    "order_count_growth_rate",
    "rmb_settlement_amount",
    "intl_logistics_cost",
    "trademark_fees_total",
    "certified_warehouse_count",
    "warehouse_months_reported",
]
ParkMetric = Literal["new_active_enterprises", "new_active_transaction_value"]
InstitutionMetric = Literal["online_volume", "online_transactions"]
Metric = Literal[EnterpriseMetric, ParkMetric, InstitutionMetric]

ENTERPRISE_METRICS: frozenset[str] = frozenset(EnterpriseMetric.__args__)  # type: ignore[attr-defined]
PARK_METRICS: frozenset[str] = frozenset(ParkMetric.__args__)  # type: ignore[attr-defined]
INSTITUTION_METRICS: frozenset[str] = frozenset(InstitutionMetric.__args__)  # type: ignore[attr-defined]


def metrics_for(kind: SubjectKind) -> frozenset[str]:
    """The figures a condition about a subject of ``kind`` may read."""
    if kind is SubjectKind.ENTERPRISE:
        return ENTERPRISE_METRICS
    if kind is SubjectKind.PAYMENT_INSTITUTION:
        return INSTITUTION_METRICS
    return PARK_METRICS


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --------------------------------------------------------------------------- conditions


class Compare(_Model):
    """``metric op value``; e.g. ``transaction_value_growth_rate > 0.30``.

    A growth rate is undefined when the previous year is 0; any comparison with
    an undefined figure is false (so a new enterprise fails a growth gate unless
    the policy lets it through another branch, e.g. ``any_of`` a first-year flag).
    """

    metric: Metric
    op: Literal[">", ">=", "<", "<=", "==", "!="]
    value: Number


class FlagIs(_Model):
    """A yes/no fact about the subject from the snapshot's ``flags``; an absent flag is false."""

    flag: Identifier
    equals: bool = True


class AllOf(_Model):
    """True when every listed condition holds."""

    all_of: list[Condition] = Field(min_length=1)


class AnyOf(_Model):
    """True when at least one listed condition holds."""

    any_of: list[Condition] = Field(min_length=1)


class Not(_Model):
    """True when the inner condition does not hold."""

    model_config = ConfigDict(populate_by_name=True)
    not_: Condition = Field(alias="not")


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for key, tag in (
            ("all_of", "cond:all_of"),
            ("any_of", "cond:any_of"),
            ("not", "cond:not"),
            ("metric", "cond:metric"),
            ("flag", "cond:flag"),
        ):
            if key in value:
                return tag
        return None
    tags: dict[type, str] = {
        AllOf: "cond:all_of",
        AnyOf: "cond:any_of",
        Not: "cond:not",
        Compare: "cond:metric",
        FlagIs: "cond:flag",
    }
    return tags.get(type(value))


Condition = Annotated[
    Annotated[Compare, Tag("cond:metric")]
    | Annotated[FlagIs, Tag("cond:flag")]
    | Annotated[AllOf, Tag("cond:all_of")]
    | Annotated[AnyOf, Tag("cond:any_of")]
    | Annotated[Not, Tag("cond:not")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition_kind",
        custom_error_message="a condition is a mapping with one of: metric, flag, all_of, any_of, not",
    ),
]

AllOf.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


class EligibilityRule(_Model):
    """A named gate; a subject failing any rule of an item gets nothing from that item."""

    id: Identifier
    description: str = Field(min_length=1)
    condition: Condition


def iter_metrics(condition: Condition) -> Iterator[tuple[str, str]]:
    """Yield ``(relative path, metric)`` for every metric a condition refers to."""
    if isinstance(condition, Compare):
        yield "metric", condition.metric
    elif isinstance(condition, (AllOf, AnyOf)):
        children = condition.all_of if isinstance(condition, AllOf) else condition.any_of
        name = "all_of" if isinstance(condition, AllOf) else "any_of"
        for index, child in enumerate(children):
            for path, metric in iter_metrics(child):
                yield f"{name}[{index}].{path}", metric
    elif isinstance(condition, Not):
        for path, metric in iter_metrics(condition.not_):
            yield f"not.{path}", metric


# --------------------------------------------------------------------------- tiers


def _non_negative_min(value: Decimal) -> Decimal:
    # Every tiered figure (value, increase, scale) is paid only when positive;
    # a negative bound would let a decline earn money.
    if value < 0:
        raise ValueError("a tier's 'min' cannot be negative")
    return value


class Tier(_Model):
    """One band of a figure: pays ``amount``, or ``rate`` × the figure, capped by ``cap``."""

    min: Number = Field(description="inclusive lower bound of the band, in the figure's unit")
    amount: Money | None = None
    rate: Rate | None = None
    cap: Money | None = Field(default=None, description="upper limit of rate x figure in this band")
    label: str | None = None

    _min_bound = field_validator("min")(classmethod(lambda cls, v: _non_negative_min(v)))

    @model_validator(mode="after")
    def _one_way_to_pay(self) -> Tier:
        if (self.amount is None) == (self.rate is None):
            raise ValueError("a tier has exactly one of 'amount' or 'rate'")
        if self.cap is not None and self.rate is None:
            raise ValueError("'cap' only applies to a 'rate' tier")
        return self


class RateTier(_Model):
    """A band of a *scale* figure that selects the rate applied to a *cost* (logistics)."""

    min: Number
    rate: Share
    cap: Money | None = None
    label: str | None = None

    _min_bound = field_validator("min")(classmethod(lambda cls, v: _non_negative_min(v)))


# --------------------------------------------------------------------------- items


class Combine(StrEnum):
    """How two partial amounts inside one item are combined."""

    MAX = "max"
    SUM = "sum"


class _Item(_Model):
    id: Identifier
    title: str = Field(min_length=1)
    matter: Identifier = Field(description="items of one matter are combined by 就高不重复 per subject")
    basis: str | None = Field(default=None, description="the clause of the policy text this item implements")
    eligibility: list[EligibilityRule] = Field(default_factory=list)

    @property
    def subject_kinds(self) -> tuple[SubjectKind, ...]:
        return (SubjectKind.ENTERPRISE,)


class PlatformStatisticsItem(_Item):
    """纳入服务平台统计企业奖励: by annual transaction value and increase in order count."""

    kind: Literal["platform_statistics"]
    value_tiers: list[Tier] = Field(default_factory=list, description="bands of transaction_value")
    order_increase_tiers: list[Tier] = Field(
        default_factory=list, description="bands of order_count_increase"
    )
    combine: Combine = Combine.MAX
    cap: Money = Field(description="per-enterprise ceiling of this item (policy text: 100,000 CNY)")


class RmbSettlementItem(_Item):
    """人民币结算奖励: tiers of, or a rate on, the yearly RMB-settlement amount, capped."""

    kind: Literal["rmb_settlement"]
    tiers: list[Tier] = Field(default_factory=list, description="bands of rmb_settlement_amount")
    rate: Rate | None = None
    cap: Money | None = None

    @model_validator(mode="after")
    def _tiers_or_rate(self) -> RmbSettlementItem:
        if bool(self.tiers) == (self.rate is not None):
            raise ValueError("rmb_settlement has either 'tiers' or 'rate', not both and not neither")
        return self


class LogisticsSubsidyItem(_Item):
    """物流补贴: rate × international logistics cost, the rate chosen by annual transaction scale."""

    kind: Literal["logistics_subsidy"]
    scale_tiers: list[RateTier] = Field(min_length=1, description="bands of transaction_value")
    cap: Money | None = None


class ParkIncubatorItem(_Item):
    """园区/孵化基地奖励: per newly active enterprise with real transactions, plus scale tiers."""

    kind: Literal["park_incubator"]
    applies_to: list[Literal["park", "incubator"]] = Field(min_length=1)
    per_new_enterprise: Money
    scale_tiers: list[Tier] = Field(default_factory=list, description="bands of new_active_transaction_value")
    combine: Combine = Combine.SUM
    caps: dict[Literal["park", "incubator"], Money] = Field(
        description="ceiling per subject kind (policy text: park 3,000,000 / incubator 1,000,000)"
    )

    @property
    def subject_kinds(self) -> tuple[SubjectKind, ...]:
        return tuple(SubjectKind(kind) for kind in self.applies_to)


class OverseasWarehouseItem(_Item):
    """海外仓扶持: a fixed amount per certified warehouse by level.

    One warehouse certified at several levels is paid once, at its highest level.
    """

    kind: Literal["overseas_warehouse"]
    levels: dict[Literal["municipal", "provincial"], Money] = Field(min_length=1)
    only_certified_in_year: bool = Field(
        default=True, description="count only certifications dated in the policy year"
    )
    cap: Money | None = None


class TrademarkItem(_Item):
    """境外商标注册补助: a share (at most 80 % in the policy text) of the fees paid, capped."""

    kind: Literal["trademark"]
    rate: Share
    per_application_cap: Money | None = None
    only_paid_in_year: bool = Field(default=True, description="count only fees paid in the policy year")
    cap: Money | None = None


class PaymentInstitutionItem(_Item):
    """第三方支付机构奖励 (四(十四)): licensed payment institutions with a national or regional
    headquarters in the city, by their yearly online volume (the policy text names 100,000,000 CNY)."""

    kind: Literal["payment_institution"]
    volume_tiers: list[Tier] = Field(min_length=1, description="bands of online_volume")
    cap: Money | None = None

    @property
    def subject_kinds(self) -> tuple[SubjectKind, ...]:
        return (SubjectKind.PAYMENT_INSTITUTION,)


ITEM_KINDS: dict[str, type[_Item]] = {
    "platform_statistics": PlatformStatisticsItem,
    "rmb_settlement": RmbSettlementItem,
    "logistics_subsidy": LogisticsSubsidyItem,
    "park_incubator": ParkIncubatorItem,
    "overseas_warehouse": OverseasWarehouseItem,
    "trademark": TrademarkItem,
    "payment_institution": PaymentInstitutionItem,
}


def _item_tag(value: Any) -> str | None:
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return f"kind:{kind}" if kind in ITEM_KINDS else None


RewardItem = Annotated[
    Annotated[PlatformStatisticsItem, Tag("kind:platform_statistics")]
    | Annotated[RmbSettlementItem, Tag("kind:rmb_settlement")]
    | Annotated[LogisticsSubsidyItem, Tag("kind:logistics_subsidy")]
    | Annotated[ParkIncubatorItem, Tag("kind:park_incubator")]
    | Annotated[OverseasWarehouseItem, Tag("kind:overseas_warehouse")]
    | Annotated[TrademarkItem, Tag("kind:trademark")]
    | Annotated[PaymentInstitutionItem, Tag("kind:payment_institution")],
    Discriminator(
        _item_tag,
        custom_error_type="item_kind",
        custom_error_message="'kind' must be one of: " + ", ".join(ITEM_KINDS),
    ),
]


# --------------------------------------------------------------------------- budget, rounding, governance


class RankKey(StrEnum):
    """Figures a ranked allocation may order subjects by."""

    AMOUNT = "amount"  # the capped amount before the budget step
    TRANSACTION_VALUE = "transaction_value"  # enterprise: annual value; park: new-active scale
    APPLIED_AT = "applied_at"  # first come, first served; subjects without a time go last
    SUBJECT_ID = "subject_id"


class RankOrder(_Model):
    """One key of the ranking; later keys break ties of earlier ones."""

    key: RankKey
    direction: Literal["asc", "desc"] = "desc"


class ProRataAllocation(_Model):
    """Scale amounts by budget / demand, floor to the fen, give leftover fen by largest remainder."""

    method: Literal["pro_rata"]


class RankedAllocation(_Model):
    """Pay subjects in full in ranking order until the budget runs out; the last one is paid partially."""

    method: Literal["ranked"]
    order_by: list[RankOrder] = Field(min_length=1)


Allocation = Annotated[ProRataAllocation | RankedAllocation, Field(discriminator="method")]


class Budget(_Model):
    """The yearly total (预算管理和总量控制) and how it is shared when demand exceeds it."""

    total: Money
    allocation: Allocation


class SubjectCaps(_Model):
    """A ceiling on the sum of all matters for one subject; ``null`` means no overall ceiling."""

    enterprise: Money | None = None
    park: Money | None = None
    incubator: Money | None = None
    payment_institution: Money | None = None

    def for_kind(self, kind: SubjectKind) -> Money | None:
        return getattr(self, kind.value)  # type: ignore[no-any-return]


class LineRounding(StrEnum):
    """Rounding of a rate × figure product to the fen (before caps)."""

    HALF_UP = "ROUND_HALF_UP"  # 四舍五入, the customary rule for CNY amounts
    HALF_EVEN = "ROUND_HALF_EVEN"
    DOWN = "ROUND_DOWN"


class Rounding(_Model):
    """Rounding rules. The budget step always floors to the fen (see ``engine``), which is not configurable
    because it is what guarantees the total never exceeds the budget."""

    quantum: Literal["0.01"] = "0.01"
    line: LineRounding = LineRounding.HALF_UP


class Governance(_Model):
    """Rules for moving a run through review; copied into each run at creation."""

    separation_of_duties: bool = Field(
        default=True,
        description="reviewer and approver must differ from the creator and from each other",
    )


class CommonEligibility(_Model):
    """Rules applied to every item for the subject kind, before the item's own rules."""

    enterprise: list[EligibilityRule] = Field(default_factory=list)
    park: list[EligibilityRule] = Field(default_factory=list)
    incubator: list[EligibilityRule] = Field(default_factory=list)
    payment_institution: list[EligibilityRule] = Field(default_factory=list)

    def for_kind(self, kind: SubjectKind) -> list[EligibilityRule]:
        return getattr(self, kind.value)  # type: ignore[no-any-return]


class PolicyStatus(StrEnum):
    """``example`` files are illustrative and can never be published; ``final`` mirrors an issued guide."""

    EXAMPLE = "example"
    DRAFT = "draft"
    FINAL = "final"


class Policy(_Model):
    """A complete reward policy for one year."""

    schema_version: Literal[1]
    policy_id: Identifier
    title: str = Field(min_length=1)
    status: PolicyStatus
    year: int = Field(ge=2000, le=2100)
    currency: Literal["CNY"]
    sources: list[str] = Field(default_factory=list, description="the policy documents this file encodes")
    notes: str | None = None
    budget: Budget
    subject_caps: SubjectCaps = Field(default_factory=SubjectCaps)
    rounding: Rounding = Field(default_factory=Rounding)
    governance: Governance = Field(default_factory=Governance)
    common_eligibility: CommonEligibility = Field(default_factory=CommonEligibility)
    items: list[RewardItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _semantics(self) -> Policy:
        issues = list(_semantic_issues(self))
        if issues:
            # Not a ValueError on purpose: pydantic would flatten it into one
            # root-level message and lose the exact paths.
            raise PolicyValidationError(issues)
        return self

    def items_for(self, kind: SubjectKind) -> list[RewardItem]:
        """The items that apply to a subject kind, in policy order."""
        return [item for item in self.items if kind in item.subject_kinds]

    def canonical_json(self) -> bytes:
        """Canonical JSON of the validated policy, defaults included.

        Formatting, comments, key order and number spelling (``100000`` vs
        ``1E+5``) of the source file do not change it; item order does (it is
        the tie-break of 就高不重复).
        """
        return canonical_json(self.model_dump(mode="python", by_alias=True))

    def sha256(self) -> str:
        """``sha256:<hex>`` of :meth:`canonical_json`; the identity a run records."""
        return sha256_hex(self.canonical_json())


def _increasing(tiers: Sequence[Tier | RateTier], path: str) -> Iterator[ValidationIssue]:
    for index in range(1, len(tiers)):
        if tiers[index].min <= tiers[index - 1].min:
            yield ValidationIssue(
                f"{path}[{index}].min",
                f"tiers must be in strictly increasing order of 'min'; {tiers[index].min} does not exceed "
                f"{tiers[index - 1].min} of {path}[{index - 1}]",
            )


def _rule_issues(
    rules: Sequence[EligibilityRule], path: str, kinds: Sequence[SubjectKind]
) -> Iterator[ValidationIssue]:
    seen: dict[str, int] = {}
    for index, rule in enumerate(rules):
        if rule.id in seen:
            yield ValidationIssue(
                f"{path}[{index}].id", f"duplicate rule id {rule.id!r} (also {path}[{seen[rule.id]}])"
            )
        seen.setdefault(rule.id, index)
        for relative, metric in iter_metrics(rule.condition):
            for kind in kinds:
                allowed = metrics_for(kind)
                if metric not in allowed:
                    yield ValidationIssue(
                        f"{path}[{index}].condition.{relative}",
                        f"metric {metric!r} is not available for a {kind.value}; "
                        f"use one of {sorted(allowed)}",
                    )
                    break


def _semantic_issues(policy: Policy) -> Iterator[ValidationIssue]:
    """Checks that need more than one field; each issue names the exact offending field."""
    first_index: dict[str, int] = {}
    matter_kinds: dict[str, tuple[int, frozenset[SubjectKind]]] = {}
    for index, item in enumerate(policy.items):
        path = f"items[{index}]"
        if item.id in first_index:
            yield ValidationIssue(
                f"{path}.id", f"duplicate item id {item.id!r} (also items[{first_index[item.id]}])"
            )
        first_index.setdefault(item.id, index)

        kinds = frozenset(item.subject_kinds)
        if item.matter in matter_kinds and matter_kinds[item.matter][1] != kinds:
            other = matter_kinds[item.matter][0]
            yield ValidationIssue(
                f"{path}.matter",
                f"matter {item.matter!r} groups items for different subjects (see items[{other}]); "
                "就高不重复 only compares rewards of the same subject",
            )
        matter_kinds.setdefault(item.matter, (index, kinds))

        yield from _rule_issues(item.eligibility, f"{path}.eligibility", item.subject_kinds)

        if isinstance(item, PlatformStatisticsItem):
            if not item.value_tiers and not item.order_increase_tiers:
                yield ValidationIssue(
                    path, "platform_statistics needs value_tiers, order_increase_tiers or both"
                )
            yield from _increasing(item.value_tiers, f"{path}.value_tiers")
            yield from _increasing(item.order_increase_tiers, f"{path}.order_increase_tiers")
        elif isinstance(item, RmbSettlementItem):
            yield from _increasing(item.tiers, f"{path}.tiers")
        elif isinstance(item, LogisticsSubsidyItem):
            yield from _increasing(item.scale_tiers, f"{path}.scale_tiers")
        elif isinstance(item, PaymentInstitutionItem):
            yield from _increasing(item.volume_tiers, f"{path}.volume_tiers")
        elif isinstance(item, ParkIncubatorItem):
            yield from _increasing(item.scale_tiers, f"{path}.scale_tiers")
            if len(set(item.applies_to)) != len(item.applies_to):
                yield ValidationIssue(f"{path}.applies_to", "a subject kind is listed twice")
            for place in item.applies_to:
                if place not in item.caps:
                    yield ValidationIssue(
                        f"{path}.caps", f"missing the cap for {place!r}, which the item applies to"
                    )

    for kind in SubjectKind:
        yield from _rule_issues(
            policy.common_eligibility.for_kind(kind), f"common_eligibility.{kind.value}", (kind,)
        )

    allocation = policy.budget.allocation
    if isinstance(allocation, RankedAllocation):
        keys = [order.key for order in allocation.order_by]
        for index, key in enumerate(keys):
            if key in keys[:index]:
                yield ValidationIssue(
                    f"budget.allocation.order_by[{index}].key", f"{key.value!r} is listed twice"
                )


# --------------------------------------------------------------------------- loading


_LOADER = DocumentLoader(Policy, PolicyValidationError)


def parse_policy(data: Any, *, source: str | None = None) -> Policy:
    """Validate already-parsed data (dict) as a policy.

    Raises :class:`PolicyValidationError` listing every problem as ``path: message``.
    """
    return _LOADER.parse(data, source=source)


def loads_policy(text: str | bytes, fmt: DocumentFormat = "yaml", *, source: str | None = None) -> Policy:
    """Parse and validate policy text in YAML (default) or JSON."""
    return _LOADER.loads(text, fmt, source=source)


def load_policy(path: str | Path) -> Policy:
    """Read and validate a policy file; the suffix (.yaml/.yml/.json) picks the parser."""
    return _LOADER.load(Path(path))


EXAMPLE_POLICY_PATH = Path(__file__).with_name("policies") / "example-2026.yaml"
"""The shipped illustrative policy (status: example)."""
