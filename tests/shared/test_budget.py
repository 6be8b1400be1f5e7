"""One request budget: what the gateway and the services derive from it."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.declaration.settings import DeclarationSettings
from services.gateway.settings import GatewaySettings
from shared.budget import QUEUE_SHARE, RequestBudget
from shared.settings import PlatformSettings

budgets = st.floats(min_value=0.01, max_value=60, allow_nan=False)


@given(budgets)
def test_the_queue_share_and_retry_after_follow_from_the_budget(seconds: float) -> None:
    budget = RequestBudget(seconds)
    assert budget.queue_seconds == pytest.approx(seconds * QUEUE_SHARE)
    assert budget.queue_seconds < seconds  # the rest of the budget is for the work itself
    assert budget.connect_timeout_seconds == budget.queue_seconds
    assert budget.retry_after_seconds == max(1, math.ceil(seconds))


@given(budgets, st.floats(min_value=1e9, max_value=2e9), st.floats(min_value=-5, max_value=5))
def test_a_stamp_can_only_shorten_the_wait(seconds: float, wall: float, skew: float) -> None:
    budget = RequestBudget(seconds)
    stamp = str(int((wall + skew) * 1000))
    start_by = budget.start_by(stamp, wall=lambda: wall, monotonic=lambda: 100.0)
    assert start_by <= 100.0 + budget.queue_seconds
    assert start_by == pytest.approx(min(100.0 + budget.queue_seconds, 100.0 + skew), abs=1e-3)


def test_a_stamp_from_the_gateway_round_trips() -> None:
    budget = RequestBudget(2.0)
    stamp = budget.start_by_stamp(arrived_wall=1_800_000_000.0)
    # Read 0.1 s after arrival, the service may wait the rest of the 0.5 s queue share.
    start_by = budget.start_by(stamp, wall=lambda: 1_800_000_000.1, monotonic=lambda: 50.0)
    assert start_by == pytest.approx(50.4, abs=1e-3)


@pytest.mark.parametrize("stamp", [None, "", "soon", "12.5.3"])
def test_no_or_unreadable_stamp_gets_the_queue_share_from_now(stamp: str | None) -> None:
    budget = RequestBudget(1.0)
    assert budget.start_by(stamp, wall=lambda: 0.0, monotonic=lambda: 7.0) == pytest.approx(7.25)


def test_a_budget_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        RequestBudget(0)


def test_gateway_and_services_read_the_same_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DDT_REQUEST_BUDGET_SECONDS", "2")
    gateway, declaration = GatewaySettings(), DeclarationSettings()
    assert gateway.platform.budget == declaration.platform.budget == RequestBudget(2.0)
    assert PlatformSettings().budget.queue_seconds == 0.5
