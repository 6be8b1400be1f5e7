"""The public API keeps its OpenAPI contract under Schemathesis fuzzing (issue 16).

Schemathesis reads the gateway's *merged* OpenAPI document — the gateway's own
operations plus every service's — so an operation a service adds is fuzzed the day it
appears, with no list here to update. Each generated request is signed with a real
credential (enterprise, regulator, platform admin in turn) and goes over TCP through
the gateway to the real services. A case fails on:

- any 5xx (``not_a_server_error``);
- any 401 to a request we signed correctly — chiefly ``auth.identity_invalid``, the
  gateway and a service canonicalising a path or query differently;
- a status code or content type the operation does not declare;
- a body or header that does not match the declared schema;
- a method the path does not have that is not answered 405 with ``Allow``.

Two profiles: the quick one runs in ``make test`` (a few examples per operation and a
time cap); ``make fuzz-long`` sets ``FUZZ_EXAMPLES`` / ``FUZZ_MINUTES`` for a long run.
The run's tally (operations, cases, failures by kind) is written as JSON to
``FUZZ_REPORT`` when that is set (docs/testing.md quotes one).
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis import Case, CheckContext, Response
from schemathesis.core.failures import FailureGroup
from schemathesis.pytest.lazy import get_all_tests

from tests.fuzz.platform import running_platform_thread
from tests.fuzz.signing import SigningAdapter, signing_session
from tests.support.infra import Broker

pytestmark = pytest.mark.slow

# The quick profile (``make test``): Schemathesis's examples and a few generated cases per
# operation, under a time cap shared out among the operations so every one is reached.
# ``make fuzz-long`` adds the coverage phase (boundary values, every undeclared method,
# missing parameters) and many more cases; the knobs are the same.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
MINUTES = float(os.environ.get("FUZZ_MINUTES", "2"))
COVERAGE = os.environ.get("FUZZ_COVERAGE", "0") == "1"
REPORT = os.environ.get("FUZZ_REPORT")


def schemathesis_config(base_url: str) -> schemathesis.Config:
    """The run's configuration: what is generated and which checks judge the answers."""
    return schemathesis.Config.from_dict(
        {
            "base-url": base_url,
            "generation": {
                "mode": "all",  # schema-valid and schema-invalid requests
                "max-examples": EXAMPLES,
                # Fresh inputs on every run (no example database): the long profile explores.
                "database": "none",
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": COVERAGE},  # boundary values, unexpected methods
                "fuzzing": {"enabled": True},
                # Chains of calls would reuse ids from answers — among them the fuzzer's own
                # key ids, which a DELETE would revoke mid-run. Single calls only.
                "stateful": {"enabled": False},
            },
            "checks": {
                # Our adapter signs every request, including the ones this check strips of
                # their credentials to prove auth is enforced; it would always "fail".
                # Missing or bad signatures are covered by tests/gateway/test_gateway_authentication.py.
                "ignored_auth": {"enabled": False},
                # A schema-valid request may still be refused by a business rule (an unknown
                # id is 404, a duplicate 409, a customs rule 422); those answers are declared
                # and checked by status_code_conformance instead.
                "positive_data_acceptance": {"enabled": False},
            },
        }
    )


@pytest.fixture(scope="module")
def fuzz_platform(module_broker: Broker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The gateway and every service, running for the whole module.

    On a broker of their own: on the session's, the services' consumers would first work
    through every event the earlier tests published (thousands of filings, into the SQLite
    files the fuzzed requests write to), and requests would time out behind that backlog.
    """
    with running_platform_thread(module_broker.bootstrap, tmp_path_factory.mktemp("fuzz")) as platform:
        yield platform


@pytest.fixture(scope="module")
def fuzz_session(fuzz_platform: Any) -> Iterator[tuple[requests.Session, SigningAdapter]]:
    """The signing session, rotating enterprise, regulator and admin."""
    session, adapter = signing_session(list(fuzz_platform.credentials.items()))
    yield session, adapter
    session.close()


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_platform: Any) -> Any:
    """The merged OpenAPI document as Schemathesis sees it."""
    return schemathesis.openapi.from_dict(
        fuzz_platform.openapi, config=schemathesis_config(fuzz_platform.base_url)
    )


class Tally:
    """What the run did: cases per operation, failures by check, statuses seen."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + MINUTES * 60
        self.operation_deadline = self.deadline
        self.cases: Counter[str] = Counter()
        self.skipped_after_deadline = 0
        self.statuses: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.failing_cases: list[dict[str, Any]] = []

    def report(self, adapter: SigningAdapter | None) -> dict[str, Any]:
        """The JSON written to ``FUZZ_REPORT``."""
        return {
            "schemathesis": schemathesis.__version__,
            "examples_per_operation": EXAMPLES,
            "minutes_cap": MINUTES,
            "seconds": round(time.monotonic() - self.started, 1),
            "operations": len(self.cases),
            "cases": sum(self.cases.values()),
            "cases_not_sent_after_deadline": self.skipped_after_deadline,
            "signed_by": dict(adapter.sent) if adapter else {},
            "statuses": dict(sorted(self.statuses.items())),
            "failures_by_kind": dict(self.failures),
            "failing_cases": self.failing_cases[:200],
            "per_operation": dict(sorted(self.cases.items())),
        }


TALLY = Tally()


@pytest.fixture(scope="module", autouse=True)
def _write_report(fuzz_session: tuple[requests.Session, SigningAdapter]) -> Iterator[None]:
    yield
    report = TALLY.report(fuzz_session[1])
    print(
        "\nfuzz:",
        json.dumps({k: v for k, v in report.items() if k not in ("per_operation", "failing_cases")}),
    )
    if REPORT:
        Path(REPORT).write_text(json.dumps(report, ensure_ascii=False, indent=1))


@schemathesis.check
def signed_requests_are_accepted(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A correctly signed request is never refused as unauthenticated (issue 16, item 2).

    ``auth.identity_invalid`` is the symptom of the gateway and a service canonicalising
    a target differently; any other 401 means the signature check and the SDK disagree.
    """
    if response.status_code != 401 or case.path.startswith("/oauth/"):
        return None  # /oauth/token takes HTTP Basic credentials, which the fuzzer invents
    try:
        code = response.json().get("code")
    except ValueError:
        code = None
    raise AssertionError(f"signed request refused with 401 {code}: {response.text[:300]}")


def send_and_judge(case: Case, session: requests.Session) -> None:
    """One generated case: sent signed, its answer judged by every enabled check."""
    label = f"{case.method.upper()} {case.path}"
    if TALLY.cases[label] and time.monotonic() > TALLY.operation_deadline:
        TALLY.skipped_after_deadline += 1  # past the operation's share of the time cap: not sent
        return
    TALLY.cases[label] += 1
    try:
        response = case.call_and_validate(session=session, additional_checks=[signed_requests_are_accepted])
    except FailureGroup as group:
        for failure in group.exceptions:
            TALLY.failures[failure.title] += 1
        TALLY.failing_cases.append({"operation": label, "failures": [f.title for f in group.exceptions]})
        raise
    TALLY.statuses[f"{response.status_code}"] += 1


def test_every_operation_keeps_its_contract(
    fuzz_schema: Any, fuzz_session: tuple[requests.Session, SigningAdapter]
) -> None:
    """Every generated request to every operation gets a declared, schema-valid answer, no 5xx."""
    session, _ = fuzz_session
    failed: dict[str, str] = {}
    operations = 0
    # One Hypothesis test per operation, with Schemathesis's examples, coverage (boundary
    # values, unexpected methods) and fuzzing phases — what `@schema.parametrize()` builds;
    # driven here because its lazy-fixture wrapper does not run on pytest 9.
    tests = [
        r.ok()
        for r in get_all_tests(schema=fuzz_schema, test_func=send_and_judge, settings=None, given_kwargs={})
    ]
    for index, (operation, run) in enumerate(tests):
        operations += 1
        now = time.monotonic()
        TALLY.operation_deadline = now + max(TALLY.deadline - now, 0) / (len(tests) - index)
        try:
            run(session=session)
        except FailureGroup as group:
            failed[operation.label] = str(group)[:4000]
        except Exception as exc:  # a transport error or Hypothesis's own verdict
            failed[operation.label] = f"{type(exc).__name__}: {exc}"[:4000]
    assert operations >= 100, f"only {operations} operations in the merged OpenAPI"
    unreached = [op.label for op, _ in tests if not any(k.endswith(" " + op.path) for k in TALLY.cases)]
    assert not unreached, f"operations no case reached: {unreached}"
    assert not failed, f"{len(failed)} of {operations} operations broke their contract:\n" + "\n\n".join(
        f"--- {label}\n{text}" for label, text in failed.items()
    )
