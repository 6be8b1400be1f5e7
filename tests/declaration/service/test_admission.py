"""Overload is refused at the door with 503 and Retry-After: never queued past the request's start-by."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from services.declaration.ceb.xml_codec import encode_xml
from services.declaration.intake.admission import Admission
from shared.budget import START_BY_HEADER, RequestBudget
from shared.problems import ProblemError
from shared.settings import PlatformSettings
from tests.declaration.service.conftest import Api
from tests.declaration.service.factory import EVERYONE, import_set
from tests.support.services import send_as


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def settings_overrides() -> dict[str, Any]:
    # The product's request budget (the test apps' default is the one-loop budget), whose
    # Retry-After the refusals below carry.
    return {
        "intake_concurrency": 1,
        "intake_queue_limit": 0,
        "platform": {"request_budget_seconds": PlatformSettings().request_budget_seconds},
    }


async def test_filings_beyond_the_bound_get_503_with_retry_after(api: Api, tag: str) -> None:
    orders = [import_set(f"{tag}{n}")["order"] for n in range(6)]
    responses = await asyncio.gather(*(api.post_xml(order, EVERYONE) for order in orders))
    statuses = sorted(r.status_code for r in responses)
    assert 200 in statuses and 503 in statuses and set(statuses) <= {200, 503}
    refused = next(r for r in responses if r.status_code == 503)
    assert refused.json()["code"] == "service.overloaded" and refused.headers["retry-after"] == "1"
    # Refused ones were not filed: filing them again later is not a duplicate.
    for order, response in zip(orders, responses, strict=True):
        if response.status_code == 503:
            assert (await api.post_xml(order, EVERYONE)).status_code == 200


async def test_a_filing_stamped_with_a_passed_start_by_is_refused_before_parsing(api: Api, tag: str) -> None:
    order = import_set(f"{tag}late")["order"]
    # The gateway stamped it to start by an instant a minute ago: it waited too long to be worth starting.
    late = await send_as(
        api.client,
        EVERYONE,
        "declaration",
        "POST",
        "/v1/customs/messages",
        content=encode_xml(order),
        headers={"content-type": "application/xml", START_BY_HEADER: "1700000000000"},
    )
    assert late.status_code == 503, late.text
    assert late.json()["code"] == "service.overloaded" and late.headers["retry-after"] == "1"
    assert "start-by" in late.json()["detail"]
    # Nothing was filed: the same message filed in time is accepted, not a duplicate.
    assert (await api.post_xml(order, EVERYONE)).status_code == 200


async def test_a_queue_whose_deadline_has_passed_refuses_without_waiting() -> None:
    clock = Clock()
    admission = Admission(concurrency=4, queue_limit=5, budget=RequestBudget(1.0), clock=clock)
    start_by = admission.start_by(None)  # no gateway stamp: the queue share (0.25 s) from now
    assert start_by == pytest.approx(1000.25)
    clock.now += 0.3  # the request sat in the event loop past it
    with pytest.raises(ProblemError) as refused:
        async with admission.slot(start_by):
            pytest.fail("a request past its start-by must not start")
    assert refused.value.status == 503 and refused.value.headers == {"Retry-After": "1"}
    async with admission.slot(admission.start_by(None)):  # a fresh one is taken at once
        pass


async def test_a_waiter_woken_after_its_start_by_is_refused_and_gives_the_slot_back() -> None:
    clock = Clock()
    admission = Admission(concurrency=1, queue_limit=5, budget=RequestBudget(4.0), clock=clock)
    holder_entered, release = asyncio.Event(), asyncio.Event()

    async def holder() -> None:
        async with admission.slot():
            holder_entered.set()
            await release.wait()

    task = asyncio.create_task(holder())
    await holder_entered.wait()
    waiter = asyncio.create_task(admission.slot(admission.start_by(None)).__aenter__())
    await asyncio.sleep(0)
    assert admission.waiting == 1
    clock.now += 1.5  # past the 1 s queue share of a 4 s budget, before the slot comes free
    release.set()
    await task
    with pytest.raises(ProblemError) as refused:
        await waiter
    assert refused.value.headers == {"Retry-After": "4"} and admission.waiting == 0
    async with admission.slot():  # the slot was given back
        pass


async def test_a_full_queue_refuses_at_once() -> None:
    admission = Admission(concurrency=1, queue_limit=0, budget=RequestBudget(1.0))
    async with admission.slot():
        with pytest.raises(ProblemError) as refused:
            async with admission.slot():
                pass
    assert refused.value.status == 503 and "already waiting" in refused.value.detail
