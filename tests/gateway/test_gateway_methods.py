"""A method a path does not serve is 405 with ``Allow`` (RFC 9110), on gateway and service paths.

Found by the fuzzer (tests/fuzz, Schemathesis ST204): TRACE anywhere and DELETE on a
gateway list answered 404, and a service's own 405 lost its ``Allow`` header in the proxy.
"""

from __future__ import annotations

from pathlib import Path

from tests.gateway.support import running_gateway_with_stats
from tests.support.infra import Broker


async def test_methods_a_path_does_not_serve_answer_405_naming_the_ones_it_does(
    broker: Broker, tmp_path: Path
) -> None:
    async with running_gateway_with_stats(broker.bootstrap, tmp_path) as gw:
        admin = gw.admin
        cases = {
            ("TRACE", "/v1/parties/me"): "GET",  # a gateway route, a method no route has
            ("DELETE", "/v1/admin/webhook-allowlist"): "GET, POST",  # a gateway route, another method
            ("TRACE", "/v1/stats/summary"): "GET",  # a service route, a method no route has
            ("PUT", "/v1/stats/summary"): "GET",  # forwarded: the service's 405 keeps its Allow
        }
        for (method, path), allow in cases.items():
            answer = await gw.call(method, path, admin)
            assert answer.status_code == 405, (method, path, answer.text)
            assert answer.headers["allow"] == allow, (method, path)
            assert answer.json()["code"] == "route.method_not_allowed"
        # A body of a type nobody takes does not turn the wrong method into a 415 (fuzzing, ST204):
        # neither at the gateway's own catch-all nor at a service.
        for path in ("/v1/parties/me", "/v1/stats/summary"):
            odd = await gw.call(
                "PUT", path, admin, content=b"\xff\xd8", headers={"Content-Type": "image/jpeg"}
            )
            assert (odd.status_code, odd.headers.get("allow")) == (405, "GET"), (path, odd.text)
        unknown = await gw.call("TRACE", "/v1/no-such-thing", admin)
        assert unknown.status_code == 404 and unknown.json()["code"] == "route.not_found"
