"""Overload is answered at once with 503 and Retry-After, never by a pool timeout 30 s later."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from services.declaration.intake.admission import Admission
from shared.problems import ProblemError
from tests.declaration.service.conftest import Api
from tests.declaration.service.factory import EVERYONE, import_set


@pytest.fixture(scope="module")
def settings_overrides() -> dict[str, Any]:
    return {"intake_concurrency": 1, "intake_queue_limit": 0}


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


async def test_a_waiter_gives_up_after_its_wait() -> None:
    admission = Admission(concurrency=1, queue_limit=5, wait_seconds=0.05)
    async with admission.slot():
        with pytest.raises(ProblemError) as refused:
            async with admission.slot():
                pass
    assert refused.value.status == 503 and admission.waiting == 0
    async with admission.slot():  # the slot was given back
        pass
