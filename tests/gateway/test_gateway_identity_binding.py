"""A signed, authorised request is never refused by the identity check behind the gateway,
whatever its path and query look like: escaped delimiters (``%23``, ``%3F``, ``%2F``), non-ASCII,
repeated parameters in any order, either hex case.

The gateway binds the internal identity token to the request target; the service checks the
target it received. Both canonicalise the wire form with one function (shared.identity), so
these requests reach the service's own logic (404, 422, 200 …) and never stop at a 401.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.gateway.support import Gateway, PartyKey, running_platform
from tests.support.infra import Broker

_UNRESERVED = string.ascii_letters + string.digits + "-._~"


@pytest.fixture(scope="module")
async def platform(
    module_broker: Broker, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Gateway, PartyKey, PartyKey]]:
    """A gateway in front of the real declaration and stats services; an enterprise and a regulator.

    On a broker of the module's own, so stats does not first catch up on every earlier test's filings.
    """
    var_dir: Path = tmp_path_factory.mktemp("idbind")
    overrides = {"declaration": {"customs_exchange_enabled": False}}
    async with running_platform(module_broker.bootstrap, var_dir, ("declaration", "stats"), overrides) as gw:
        yield gw, await gw.enterprise(), await gw.onboard("regulator")


def _escaped(text: str, rnd: random.Random, keep: str) -> str:
    out = []
    for char in text:
        if char in keep and rnd.random() < 0.5:
            out.append(char)
        else:
            hexed = "".join(f"%{b:02X}" for b in char.encode())
            out.append(hexed.lower() if rnd.random() < 0.5 else hexed)
    return "".join(out)


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=10)
_names = st.sampled_from(["before", "cursor", "limit", "direction", "businessNo", "status", "from", "to"])
_pairs = st.lists(st.tuples(st.one_of(_names, _text), _text), max_size=6)

#: (method, path template, who): operations of each kind of owner, each with a path parameter.
_TARGETS = [
    ("GET", "/v1/customs/export/inventories/{}", "enterprise"),
    ("GET", "/v1/customs/documents/{}/history", "enterprise"),
    ("GET", "/v1/stats/facts/{}", "regulator"),
    ("POST", "/v1/stats/rewards/runs/{}/corrections", "regulator"),
    ("GET", "/v1/audit?operation={}", "regulator"),
]


def _target(template: str, segment: str, pairs: list[tuple[str, str]], rnd: random.Random) -> str:
    # Non-ASCII stays raw or is escaped at random (the HTTP client escapes what it must);
    # '.' is kept out of raw segments (clients resolve dot-segments before sending).
    keep = _UNRESERVED.replace(".", "") + "".join(c for c in segment if ord(c) > 127)
    path = template.format(_escaped(segment, rnd, keep))
    query = "&".join(f"{_escaped(n, rnd, _UNRESERVED)}={_escaped(v, rnd, _UNRESERVED)}" for n, v in pairs)
    return path + ("?" + query if query else "")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_TARGETS), _text, _pairs, st.randoms())
async def test_a_signed_request_is_never_refused_by_the_identity_check(
    platform: tuple[Gateway, PartyKey, PartyKey],
    operation: tuple[str, str, str],
    segment: str,
    pairs: list[tuple[str, str]],
    rnd: random.Random,
) -> None:
    gw, enterprise, regulator = platform
    method, template, who = operation
    target = _target(template, segment, pairs, rnd)
    body = {"subjectKey": "x", "reason": "fuzz"} if method == "POST" else None
    response = await gw.call(method, target, enterprise if who == "enterprise" else regulator, json_body=body)
    assert response.status_code != 401 and response.status_code < 500, (target, response.text)


@pytest.mark.parametrize(
    "target",
    [
        "/v1/customs/export/inventories/%23",
        "/v1/customs/export/inventories/%3F",
        "/v1/customs/export/inventories/%E8%BF%9E",
        "/v1/customs/documents?direction=export&businessNo=%E8%BF%9E%E4%BA%91&businessNo=a",
        "/v1/customs/documents?status=a&direction=import&status=b",
    ],
)
async def test_the_targets_the_fuzzer_was_refused_are_served(
    platform: tuple[Gateway, PartyKey, PartyKey], target: str
) -> None:
    gw, enterprise, _regulator = platform
    response = await gw.call("GET", target, enterprise)
    assert response.status_code in (200, 404, 422), response.text


@pytest.mark.parametrize(
    "target", ["/v1/stats/facts/%23", "/v1/stats/facts/连云港", "/v1/stats/rewards/runs/%23/corrections"]
)
async def test_the_stats_targets_the_fuzzer_was_refused_are_served(
    platform: tuple[Gateway, PartyKey, PartyKey], target: str
) -> None:
    gw, _enterprise, regulator = platform
    method = "POST" if target.endswith("corrections") else "GET"
    body = json.dumps({"subjectKey": "x", "reason": "r"}).encode() if method == "POST" else None
    response = await gw.call(method, target, regulator, content=body)
    assert response.status_code in (404, 422), response.text
