"""Settings of the customs simulator: rates, delays, identities — all reproducible from ``seed``."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

from services.declaration.quota.rules import QuotaLimits


@dataclass(frozen=True)
class Delays:
    """Simulated customs time between steps (zero is allowed: order is kept by sequence)."""

    eport: timedelta = timedelta(seconds=1)
    """Receipt → 2 (电子口岸申报中) and → 3 (发送海关成功)."""
    accept: timedelta = timedelta(seconds=2)
    """Three-document match → 120."""
    review: timedelta = timedelta(seconds=30)
    """300 人工审核 → conclusion."""
    clearance: timedelta = timedelta(seconds=2)
    """120 → 399."""
    inspection: timedelta = timedelta(seconds=60)
    """399 → 500 result."""
    release: timedelta = timedelta(seconds=2)
    """399 (or inspection, or export arrival) → 800."""
    close: timedelta = timedelta(seconds=60)
    """Import 800 → 899; export departure → 899."""
    summary_result: timedelta = timedelta(seconds=60)
    """CEB702 399 → CEB792."""

    @classmethod
    def none(cls) -> Delays:
        """Everything at once (benchmarks, fast tests)."""
        zero = timedelta(0)
        return cls(zero, zero, zero, zero, zero, zero, zero, zero)


@dataclass(frozen=True)
class SimulatorConfig:
    """Behaviour of the simulator.

    Rates are probabilities drawn per document from an RNG seeded by
    ``seed`` and the document's key, so a document's fate does not depend on
    what else was sent, and replays are identical.
    """

    seed: int = 0
    review_rate: float = 0.1
    inspection_rate: float = 0.05
    detention_rate: float = 0.2
    """Share of inspections that end in detention (501/502/503/599)."""
    detention_return_rate: float = 0.5
    """Share of detentions that end in 700 退运 instead of 800."""
    rejection_rate: float = 0.02
    """Share of reviewed-or-not inventories customs turns back (100) instead of 399, each with a
    reason of :data:`~.refusals.REFUSAL_REASONS` in ``returnInfo`` (seeded per document)."""
    delays: Delays = field(default_factory=Delays)
    import_sender_id: str = "DXPEDCCEB0000002"
    export_sender_id: str = "DXPEDCCEB0000003"
    wrap: bool = True
    """Emit receipts wrapped in DxpMsg (as the e-port delivers them) or as bare CEB XML."""
    check_rules: bool = True
    """Run the single-message business rules (negative e-port codes on failure)."""
    verify_signatures: bool = True
    """Verify signatures of signed-when-declared messages with their embedded certificate."""
    track_annual_quota: bool = True
    limits: QuotaLimits = field(default_factory=QuotaLimits)
    """The retail import limits customs applies (the platform's configured ones, so both agree)."""
    export_requires_payment: bool = False
    """The 2024 reform dropped 收款单 (CEB403) for export; set True to require it for the match."""
    return_window_days: int = 30
    default_customs_code: str = "2307"
    receipts_per_message: int = 1
    """Records per delivered receipt message: 1 delivers each receipt alone; up to 100 lets
    due receipts of one type for one declaring enterprise travel together, as the XSDs allow."""
    scenario_notes: bool = True
    """Honour ``[SIM:review]``-style markers in an inventory's ``note`` (per-document outcomes,
    like a payment sandbox's magic card numbers); see ``CustomsSimulator._scenario``."""

    @classmethod
    def instant(cls, seed: int = 0, **overrides: object) -> SimulatorConfig:
        """No delays, no random review/inspection/rejection unless overridden."""
        base = cls(
            seed=seed,
            review_rate=0.0,
            inspection_rate=0.0,
            detention_rate=0.0,
            rejection_rate=0.0,
            delays=Delays.none(),
        )
        return replace(base, **overrides)  # type: ignore[arg-type]
