"""The run lifecycle: forward-only transitions, separation of duties, immutability, corrections."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.stats.rewards.engine import compute
from services.stats.rewards.lifecycle import (
    LifecycleErrorCode,
    RewardRun,
    RunLifecycleError,
    RunStatus,
    create_correction,
    create_run,
    run_from_data,
    run_to_data,
)
from services.stats.rewards.policy import parse_policy
from services.stats.rewards.results import RunResult
from tests.stats.unit.rewards_support import enterprise, example_policy_data, snapshot

T0 = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _result(status: str = "final", separation: bool = True, value: str = "25000000") -> RunResult:
    data = example_policy_data()
    data["status"] = status
    data["governance"] = {"separation_of_duties": separation}
    return compute(parse_policy(data), snapshot([enterprise(1, transaction_value=value), enterprise(2)]))


def _published(result: RunResult | None = None) -> RewardRun:
    run = create_run(result or _result(), "clerk", run_id="run-1", at=T0)
    run = run.review("reviewer", at=T0 + dt.timedelta(hours=1))
    run = run.approve("director", at=T0 + dt.timedelta(hours=2))
    return run.publish("clerk", at=T0 + dt.timedelta(hours=3), note="公示")


def _code(excinfo: pytest.ExceptionInfo[RunLifecycleError]) -> LifecycleErrorCode:
    return excinfo.value.error_code


def test_a_run_moves_draft_reviewed_approved_published_recording_who_and_when():
    run = _published()
    assert run.status is RunStatus.PUBLISHED
    assert [(c.from_status, c.to_status, c.actor) for c in run.history] == [
        (None, RunStatus.DRAFT, "clerk"),
        (RunStatus.DRAFT, RunStatus.REVIEWED, "reviewer"),
        (RunStatus.REVIEWED, RunStatus.APPROVED, "director"),
        (RunStatus.APPROVED, RunStatus.PUBLISHED, "clerk"),
    ]
    assert all(c.at.tzinfo is dt.UTC for c in run.history)
    assert run.history[0].at == dt.datetime(2027, 2, 1, 1, 0, tzinfo=dt.UTC)
    assert run.history[-1].note == "公示"


def test_transitions_return_new_runs_and_leave_the_old_one_unchanged():
    draft = create_run(_result(), "clerk", at=T0)
    reviewed = draft.review("reviewer", at=T0)
    assert draft.status is RunStatus.DRAFT and reviewed.status is RunStatus.REVIEWED


def test_default_time_is_now_in_utc():
    before = dt.datetime.now(dt.UTC)
    run = create_run(_result(), "clerk")
    assert before <= run.created_at <= dt.datetime.now(dt.UTC)
    assert run.created_at.tzinfo is dt.UTC


@pytest.mark.parametrize(
    ("steps", "attempt"),
    [
        ([], "approve"),
        ([], "publish"),
        (["review"], "review"),
        (["review"], "publish"),
        (["review", "approve"], "review"),
        (["review", "approve"], "approve"),
    ],
)
def test_illegal_transitions_raise_a_stable_code(steps: list[str], attempt: str):
    run = create_run(_result(), "clerk", at=T0)
    actors = iter(["a1", "a2", "a3"])
    for step in steps:
        run = getattr(run, step)(next(actors), at=T0)
    with pytest.raises(RunLifecycleError) as caught:
        getattr(run, attempt)("someone-else", at=T0)
    assert _code(caught) is LifecycleErrorCode.ILLEGAL_TRANSITION
    assert caught.value.code == "rewards.run.illegal_transition"


@pytest.mark.parametrize("attempt", ["review", "approve", "publish"])
def test_a_published_run_is_immutable(attempt: str):
    run = _published()
    with pytest.raises(RunLifecycleError) as caught:
        getattr(run, attempt)("anyone", at=T0 + dt.timedelta(days=1))
    assert _code(caught) is LifecycleErrorCode.PUBLISHED_IMMUTABLE
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.history = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.result.subjects[0].final = Decimal("1")  # type: ignore[misc]


def test_creator_cannot_review_and_reviewer_cannot_approve():
    run = create_run(_result(), "clerk", at=T0)
    with pytest.raises(RunLifecycleError) as caught:
        run.review("clerk", at=T0)
    assert _code(caught) is LifecycleErrorCode.SEPARATION_OF_DUTIES
    reviewed = run.review("reviewer", at=T0)
    for actor in ("clerk", "reviewer"):
        with pytest.raises(RunLifecycleError) as caught:
            reviewed.approve(actor, at=T0)
        assert _code(caught) is LifecycleErrorCode.SEPARATION_OF_DUTIES


def test_separation_of_duties_can_be_switched_off_in_the_policy():
    run = create_run(_result(separation=False), "solo", at=T0)
    assert run.separation_of_duties is False
    published = run.review("solo", at=T0).approve("solo", at=T0).publish("solo", at=T0)
    assert published.status is RunStatus.PUBLISHED


def test_runs_of_the_example_policy_are_never_published():
    run = create_run(_result(status="example"), "clerk", at=T0).review("r", at=T0).approve("d", at=T0)
    with pytest.raises(RunLifecycleError) as caught:
        run.publish("clerk", at=T0)
    assert _code(caught) is LifecycleErrorCode.EXAMPLE_POLICY


def test_naive_times_blank_actors_and_going_back_in_time_are_refused():
    with pytest.raises(RunLifecycleError) as caught:
        create_run(_result(), "clerk", at=dt.datetime(2027, 2, 1, 9, 0))
    assert _code(caught) is LifecycleErrorCode.NAIVE_TIME
    with pytest.raises(RunLifecycleError) as caught:
        create_run(_result(), "  ", at=T0)
    assert _code(caught) is LifecycleErrorCode.ACTOR_REQUIRED
    run = create_run(_result(), "clerk", at=T0)
    with pytest.raises(RunLifecycleError) as caught:
        run.review("reviewer", at=T0 - dt.timedelta(seconds=1))
    assert _code(caught) is LifecycleErrorCode.TIME_BEFORE_PREVIOUS


def test_a_correction_is_a_new_run_referencing_the_published_one_with_differences():
    published = _published()
    corrected_result = _result(value="60000000")  # E00001 moves from the 20 m tier (40,000) to 50 m (60,000)
    correction = create_correction(
        published,
        corrected_result,
        "clerk",
        "transaction value restated",
        run_id="run-2",
        at=T0 + dt.timedelta(days=3),
    )
    assert correction.status is RunStatus.DRAFT
    assert correction.run_id == "run-2" and correction.correction is not None
    assert correction.correction.corrects_run_id == "run-1"
    assert correction.correction.corrects_amounts_digest == published.amounts_digest
    changed = {d.subject_key: (d.previous, d.current, d.delta) for d in correction.correction.changed}
    assert changed == {"enterprise:E00001": (Decimal("40000.00"), Decimal("60000.00"), Decimal("20000.00"))}
    assert correction.correction.total_delta == Decimal("20000.00")
    assert published.status is RunStatus.PUBLISHED  # untouched


def test_only_a_published_run_of_the_same_year_can_be_corrected():
    draft = create_run(_result(), "clerk", at=T0)
    with pytest.raises(RunLifecycleError) as caught:
        create_correction(draft, _result(), "clerk", "x", at=T0)
    assert _code(caught) is LifecycleErrorCode.CORRECTION_TARGET_NOT_PUBLISHED
    published = _published()
    other_year = dataclasses.replace(_result(), year=2027)
    with pytest.raises(RunLifecycleError) as caught:
        create_correction(published, other_year, "clerk", "x", at=T0 + dt.timedelta(days=1))
    assert _code(caught) is LifecycleErrorCode.CORRECTION_YEAR_MISMATCH
    with pytest.raises(RunLifecycleError) as caught:
        create_correction(published, _result(), "clerk", " ", at=T0 + dt.timedelta(days=1))
    assert _code(caught) is LifecycleErrorCode.REASON_REQUIRED


def test_verify_detects_amounts_changed_behind_the_runs_back():
    run = _published()
    run.verify()
    subject = run.result.subjects[0]
    forged = dataclasses.replace(
        run.result,
        subjects=(dataclasses.replace(subject, final=Decimal("99999.99")), *run.result.subjects[1:]),
    )
    with pytest.raises(Exception) as caught:  # noqa: B017
        dataclasses.replace(run, result=forged).verify()
    assert getattr(caught.value, "code", None) == "rewards.run.tampered"


def test_run_round_trips_through_plain_data():
    published = _published()
    correction = create_correction(
        published, _result(value="60000000"), "clerk", "restated", at=T0 + dt.timedelta(days=1)
    )
    for run in (published, correction):
        assert run_from_data(json.loads(json.dumps(run_to_data(run)))) == run


_ACTIONS = ["review", "approve", "publish"]


@settings(max_examples=60, deadline=None)
@given(
    script=st.lists(
        st.tuples(st.sampled_from(_ACTIONS), st.sampled_from(["clerk", "r", "d", "x"])), max_size=8
    )
)
def test_any_sequence_of_actions_only_ever_moves_one_step_forward(script: list[tuple[str, str]]):
    base = _result()
    run = create_run(base, "clerk", at=T0)
    order = [RunStatus.DRAFT, RunStatus.REVIEWED, RunStatus.APPROVED, RunStatus.PUBLISHED]
    for action, actor in script:
        before = run.status
        try:
            run = getattr(run, action)(actor, at=T0)
        except RunLifecycleError as error:
            assert error.code.startswith("rewards.run.")
            assert run.status is before
            if before is RunStatus.PUBLISHED:
                assert error.error_code is LifecycleErrorCode.PUBLISHED_IMMUTABLE
            continue
        assert order.index(run.status) == order.index(before) + 1
        assert run.result is base  # transitions never touch the amounts
    actors = {c.to_status: c.actor for c in run.history}
    if RunStatus.REVIEWED in actors:
        assert actors[RunStatus.REVIEWED] != actors[RunStatus.DRAFT]
    if RunStatus.APPROVED in actors:
        assert actors[RunStatus.APPROVED] not in {actors[RunStatus.DRAFT], actors[RunStatus.REVIEWED]}
