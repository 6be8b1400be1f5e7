"""The README walked literally, as a new user walks it, on the platform `make run` starts (issue 13).

One platform (``python -m deploy.embedded``, what ``make run`` runs, on free ports and a
temporary var folder) serves the module. On it:

* the README's "Your first API call" section runs **as written**: its ``sh`` blocks go to
  bash unchanged but for the gateway's port, in a folder laid out as a clone (``docs/``,
  ``var/`` — the platform's —, ``.venv/bin/python`` and ``.venv/bin/ddt``, which runs this
  tree's ``sdk``). Every ``ddt`` call is recorded, and :data:`WALK` says what each must
  answer, in order. A new README step is one line in the README and one :class:`Step` here;
  a README call with no step (or a step with no call) fails the test;
* every worked example of docs/declaration-examples.md, parsed from the page, is filed as JSON
  and as XML on the resource the page names, and answers what the page shows;
* every request path docs/signing.md and the SDK's docstrings show is one the gateway serves;
* a wrong secret is told to check the secret and the clock.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from deploy.embedded import ROOT
from sdk.client import DdtApiError, DdtClient
from services.declaration.prechecks.ownership import CODE_FIELDS
from services.gateway.parties.roles import FILER_ROLES, EnterpriseCodeKind
from services.gateway.parties.uscc import generate_uscc
from tests.declaration.service.test_examples import ORDER, unique_numbers
from tests.support.embedded import free_offset, start_runner, stop_runner, wait_for_line
from tests.support.infra import free_port

pytestmark = pytest.mark.slow

README = ROOT / "README.md"
EXAMPLES_DOC = ROOT / "docs" / "declaration-examples.md"
SIGNING_DOC = ROOT / "docs" / "signing.md"
README_GATEWAY = "http://127.0.0.1:8000"  # the URL the README exports as DDT_BASE_URL


@dataclass(frozen=True)
class Platform:
    """The running platform and the first-run credentials it wrote."""

    gateway: str
    var: Path
    first_run: dict[str, Any]

    def client(self, who: str) -> DdtClient:
        """A signing client for ``platform_admin`` or ``demo_enterprise``."""
        party = self.first_run[who]
        return DdtClient(self.gateway, party["key_id"], party["secret"])


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """`make run` on free ports and a fresh var folder; stopped (Ctrl-C) however the tests end."""
    var = tmp_path_factory.mktemp("walk") / "var"
    offset, broker_port = free_offset(), free_port()
    process = start_runner(var, offset, broker_port)
    try:
        wait_for_line(process, "Press Ctrl-C")
        first_run = json.loads((var / "gateway-first-run.json").read_text(encoding="utf-8"))
        yield Platform(f"http://127.0.0.1:{8000 + offset}", var, first_run)
    finally:
        code, survivors = stop_runner(process)
    assert (code, survivors) == (0, []), "the runner did not stop cleanly"


# --- the README's first call and first order ----------------------------------------------


@dataclass(frozen=True)
class Call:
    """One ``ddt`` invocation of the README: its arguments, exit code and standard output."""

    argv: list[str]
    returncode: int
    stdout: str

    @property
    def method(self) -> str:
        return self.argv[1] if self.argv[:1] == ["request"] else ""

    @property
    def path(self) -> str:
        return self.argv[2] if self.argv[:1] == ["request"] else ""

    @property
    def data(self) -> str | None:
        return self.argv[self.argv.index("--data") + 1] if "--data" in self.argv else None

    def json(self) -> Any:
        return json.loads(self.stdout)


@dataclass(frozen=True)
class Walked:
    """What the walk has seen so far, for the checks of later steps."""

    platform: Platform
    clone: Path
    calls: list[Call]


@dataclass(frozen=True)
class Step:
    """A README call: its method, path (a prefix), the suffix of its ``--data`` file, and its check."""

    what: str
    method: str
    path: str
    data_suffix: str | None
    check: Callable[[Call, Walked], None]

    def matches(self, call: Call) -> bool:
        return (
            call.method == self.method
            and call.path.startswith(self.path)
            and (self.data_suffix is None or (call.data or "").endswith(self.data_suffix))
        )


def _dry_run(call: Call, walked: Walked) -> None:
    answer = call.json()
    # Accepted, and nothing stored: no filing, no document (the real filing after it is accepted).
    assert (answer["accepted"], answer["dryRun"], answer["filingId"]) == (True, True, None), answer
    assert answer["records"][0].get("documentId") is None, answer


def _is_the_demo_enterprise(call: Call, walked: Walked) -> None:
    me = call.json()
    demo = walked.platform.first_run["demo_enterprise"]
    assert (me["id"], me["customs_code"]) == (demo["party_id"], demo["customs_code"]), me


def _accepted(call: Call, walked: Walked) -> None:
    answer = call.json()
    assert (answer["accepted"], answer["acceptedCount"], answer["rejectedCount"]) == (True, 1, 0), answer
    record = answer["records"][0]
    assert (record["status"], record["action"], record["preNo"][:1]) == ("accepted", "created", "D"), answer


def _filed_json(walked: Walked) -> dict[str, Any]:
    """The README's JSON order as its file has it (the message form)."""
    data = next(c.data for c in walked.calls if c.data and c.data.endswith(".json"))
    assert data is not None
    message: dict[str, Any] = json.loads((walked.clone / data.removeprefix("@")).read_text(encoding="utf-8"))
    return message


def _reads_back_as_the_filed_json(call: Call, walked: Walked) -> None:
    # docs/declaration.md: a document reads back as the JSON a JSON filer sends to its resource.
    message = _filed_json(walked)
    document = call.json()
    # Its status is the exchange's by now (accepted, then submitted to customs …), not asserted.
    head = message["records"][0]["head"]
    shown = (document["kind"], document["messageType"], document["businessNo"])
    assert shown == ("order", "CEB311", head["orderNo"])
    assert document["record"] == {**message["records"][0], "baseTransfer": message["baseTransfer"]}


#: The README's ``ddt`` calls, in order. (The dry run, issue 13 item 10, goes here when the
#: README shows it.)
WALK: tuple[Step, ...] = (
    Step("the first call: the demo enterprise", "GET", "/v1/parties/me", None, _is_the_demo_enterprise),
    Step("a dry run of the CEB311", "POST", "/v1/customs/import/orders?dryRun=true", ".json", _dry_run),
    Step("a CEB311 as JSON", "POST", "/v1/customs/import/orders", ".json", _accepted),
    Step("a CEB311 as XML", "POST", "/v1/customs/import/orders", ".xml", _accepted),
    Step("the JSON order read back", "GET", "/v1/customs/documents/", None, _reads_back_as_the_filed_json),
    Step("the read-back filed as a new order", "POST", "/v1/customs/import/orders", ".json", _accepted),
)  # fmt: skip


def readme_section(title: str) -> str:
    """The README's ``## title`` section, up to the next ``## `` heading."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def shell_blocks(markdown: str) -> list[str]:
    """The ``sh`` code blocks of ``markdown``, in order."""
    return re.findall(r"^```sh\n(.*?)^```$", markdown, flags=re.S | re.M)


def _clone(root: Path, var: Path, log: Path) -> Path:
    """A folder laid out as the README's reader has it: the docs, the platform's var/, a .venv."""
    clone = root / "clone"
    (clone / ".venv" / "bin").mkdir(parents=True)
    (clone / "docs").symlink_to(ROOT / "docs")
    (clone / "var").symlink_to(var)
    python = clone / ".venv" / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    # `ddt` is this tree's sdk (the installed entry point may be another checkout's), and it
    # records each call: its arguments, exit code and output.
    ddt = clone / ".venv" / "bin" / "ddt"
    ddt.write_text(
        f"#!{sys.executable}\n"
        "import json, os, subprocess, sys\n"
        f"env = dict(os.environ, PYTHONPATH={str(ROOT)!r})\n"
        "done = subprocess.run([sys.executable, '-m', 'sdk', *sys.argv[1:]], env=env, capture_output=True)\n"
        "sys.stdout.buffer.write(done.stdout)\n"
        "sys.stderr.buffer.write(done.stderr)\n"
        f"with open({str(log)!r}, 'a', encoding='utf-8') as log:\n"
        "    entry = {'argv': sys.argv[1:], 'returncode': done.returncode,\n"
        "             'stdout': done.stdout.decode('utf-8', 'replace')}\n"
        "    log.write(json.dumps(entry) + '\\n')\n"
        "sys.exit(done.returncode)\n",
        encoding="utf-8",
    )
    for script in (python, ddt):
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return clone


def test_the_readme_first_call_and_first_order_as_written(platform: Platform, tmp_path: Path) -> None:
    script = "\n".join(shell_blocks(readme_section("Your first API call")))
    assert README_GATEWAY in script, "the README no longer exports the gateway URL this test replaces"
    log = tmp_path / "ddt-calls.jsonl"
    clone = _clone(tmp_path, platform.var, log)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DDT_", "OTEL_"))}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script.replace(README_GATEWAY, platform.gateway)],
        cwd=clone, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    calls = [Call(**json.loads(line)) for line in log.read_text(encoding="utf-8").splitlines()]
    assert done.returncode == 0, f"the README's commands failed:\n{done.stdout}\n{done.stderr}"
    assert len(calls) == len(WALK), ("the README's ddt calls and WALK differ", [c.argv for c in calls])
    walked = Walked(platform, clone, calls)
    for step, call in zip(WALK, calls, strict=True):
        assert step.matches(call), (step.what, call.argv)
        assert call.returncode == 0, (step.what, call.stdout)
        step.check(call, walked)


def test_the_readme_xml_order_reads_back_as_json(platform: Platform) -> None:
    # The README reads back the JSON order; the XML one reads back as the same JSON form.
    text = (ROOT / "docs" / "first-order" / "CEB311.xml").read_bytes()
    order_no = etree.fromstring(text).findtext(".//{http://www.chinaport.gov.cn/ceb}orderNo")
    with platform.client("demo_enterprise") as demo:
        if not _documents(demo, order_no):  # this test alone: file it first
            demo.post("/v1/customs/import/orders", xml=text)
        (document,) = _documents(demo, order_no)
        record = demo.get(f"/v1/customs/documents/{document['id']}").json()["record"]
    message = json.loads((ROOT / "docs" / "first-order" / "CEB311.json").read_text(encoding="utf-8"))
    head = message["records"][0]["head"]
    # The two files are one order under two numbers (and guids, payment transaction ids).
    expected_head = head | {k: record["head"][k] for k in ("guid", "orderNo", "payTransactionId")}
    assert record == {"head": expected_head, "lines": message["records"][0]["lines"],
                      "baseTransfer": message["baseTransfer"]}  # fmt: skip
    assert record["head"]["orderNo"] == order_no


def _documents(client: DdtClient, business_no: str | None) -> list[dict[str, Any]]:
    answer = client.get("/v1/customs/documents", params={"businessNo": business_no}).json()
    items: list[dict[str, Any]] = answer["items"]
    return items


# --- every worked example of docs/declaration-examples.md ----------------------------------


@dataclass(frozen=True)
class DocExample:
    """One message type's section of docs/declaration-examples.md."""

    message_type: str
    path: str
    request: dict[str, Any]
    xml: str
    answer: dict[str, Any]


def doc_examples() -> dict[str, DocExample]:
    """Every section of the page: its resource, JSON request, XML request and answer."""
    text = EXAMPLES_DOC.read_text(encoding="utf-8")
    sections = re.split(r"^## (CEB\d{3}) — .*$", text, flags=re.M)[1:]
    examples: dict[str, DocExample] = {}
    for message_type, body in zip(sections[::2], sections[1::2], strict=True):
        path = re.search(r"`POST (/v1/customs/[^`]+)`", body)
        blocks = re.findall(r"^```(json|xml)\n(.*?)^```$", body, flags=re.S | re.M)
        assert path and [kind for kind, _ in blocks] == ["json", "xml", "json"], message_type
        examples[message_type] = DocExample(
            message_type, path.group(1), json.loads(blocks[0][1]), blocks[1][1], json.loads(blocks[2][1])
        )
    return examples


def _codes(xml: str) -> set[str]:
    return {
        element.text.strip()
        for element in etree.fromstring(xml.encode()).iter()
        if isinstance(element.tag, str)
        and etree.QName(element).localname in {*CODE_FIELDS, "copCode"}
        and element.text
        and element.text.strip() not in {"", "无"}
    }


#: An inventory the page shows ``waiting`` (for its order, payment and waybill) may answer
#: ``matched`` here: its partners were filed before it, as ORDER files them.
_SAME_VERDICT = {"matched": "waiting"}


def _verdict(answer: dict[str, Any]) -> list[tuple[bool, str]]:
    """Each record's acceptance and status, as the page would show them."""
    status = [str(record.get("status", "")) for record in answer["records"]]
    return [(r["accepted"], _SAME_VERDICT.get(s, s)) for r, s in zip(answer["records"], status, strict=True)]


def test_every_example_of_the_docs_is_accepted_through_the_platform(platform: Platform) -> None:
    examples = doc_examples()
    assert set(examples) == set(ORDER)
    demo = platform.first_run["demo_enterprise"]
    codes = sorted(set().union(*(_codes(e.xml) for e in examples.values())))
    kinds = [kind.value for kind in EnterpriseCodeKind]
    # The examples name the demo cast's parties (platform, merchant, payment firm, carrier,
    # broker …) and the official samples' enterprises: one filer holding all their codes files
    # them, as each sender would. The demo enterprise lends it its code for the while.
    with platform.client("platform_admin") as admin:
        admin.delete(f"/v1/parties/{demo['party_id']}/codes/{demo['customs_code']}")
        owner = admin.post("/v1/parties", json={
            "name": "Docs examples filer", "uscc": generate_uscc("320706", "ddt-docs-examples"),
            "district": "haizhou", "roles": sorted(role.value for role in FILER_ROLES),
            "codes": [{"code": code, "kinds": kinds} for code in codes],
        }).json()  # fmt: skip
        key = admin.post(f"/v1/parties/{owner['id']}/credentials", json={"label": "docs examples"}).json()
        answers: dict[str, tuple[Any, Any]] = {}
        try:
            with DdtClient(platform.gateway, key["key_id"], key["secret"]) as filer:
                for message_type in ORDER:
                    example = examples[message_type]
                    answers[message_type] = (
                        _file(filer, example.path, json=example.request),
                        _file(filer, example.path, xml=unique_numbers(example.xml, message_type)),
                    )
        finally:
            admin.delete(f"/v1/parties/{owner['id']}/codes/{demo['customs_code']}")
            admin.post(f"/v1/parties/{demo['party_id']}/codes", json={
                "code": demo["customs_code"], "kinds": ["ebpCode", "ebcCode", "agentCode", "copCode"]
            })  # fmt: skip
    expected = {t: (_verdict(e.answer), _verdict(e.answer)) for t, e in examples.items()}
    got = {t: tuple(_verdict(a) if isinstance(a, dict) else a for a in pair) for t, pair in answers.items()}
    assert got == expected
    for message_type, (json_answer, _) in answers.items():
        shown = examples[message_type].answer
        assert (json_answer["messageType"], json_answer["receiptType"]) == (
            shown["messageType"],
            shown["receiptType"],
        )
        assert [r["keys"] for r in json_answer["records"]] == [r["keys"] for r in shown["records"]]


def _file(client: DdtClient, path: str, **body: Any) -> Any:
    """The answer to a filing, or its refusal (status, code, detail, errors) to show in the diff."""
    try:
        return client.post(path, **body).json()
    except DdtApiError as refused:
        return (refused.status, refused.code, refused.detail, refused.errors)


# --- the documented requests of docs/signing.md and the SDK -------------------------------

_SDK_CALL = re.compile(r"""ddt\.(get|post|put|patch|delete)\(\s*"(/[^"]*)\"""")
_CLI_REQUEST = re.compile(r"ddt request (GET|POST|PUT|PATCH|DELETE) '?(/[^\s']+)'?")
_CLI_SIGN = re.compile(r"ddt sign --method (\w+) --path '?(/[^\s']+)'?")


def documented_requests() -> set[tuple[str, str]]:
    """Every (method, path) the signing page, the README and the SDK's sources show a client send."""
    found: set[tuple[str, str]] = set()
    sources = [SIGNING_DOC, README, *sorted((ROOT / "sdk").glob("*.py"))]
    for source in sources:
        text = source.read_text(encoding="utf-8")
        found |= {(m.upper(), p) for m, p in _SDK_CALL.findall(text)}
        found |= {(m, p) for pattern in (_CLI_REQUEST, _CLI_SIGN) for m, p in pattern.findall(text)}
    # A path with a shell variable ($DOC_ID) is one the README walk calls with its value.
    return {(method, path) for method, path in found if "$" not in path}


def test_every_documented_request_is_one_the_gateway_serves(platform: Platform) -> None:
    requests = documented_requests()
    assert {("POST", "/v1/customs/import/orders"), ("POST", "/v1/customs/messages")} <= {
        (m, p.split("?")[0]) for m, p in requests
    }
    with platform.client("demo_enterprise") as demo:
        # The check can fail: the path the docs used to show answers 404.
        assert _status(demo, "POST", "/v1/declarations/orders") == 404
        statuses = {(method, path): _status(demo, method, path) for method, path in sorted(requests)}
    assert {r: s for r, s in statuses.items() if s in (404, 405)} == {}


def _status(client: DdtClient, method: str, path: str) -> int:
    try:
        body: dict[str, Any] | None = {} if method in {"POST", "PUT", "PATCH"} else None
        return client.request(method, path, json=body).status_code
    except DdtApiError as refused:
        return refused.status


def test_a_wrong_secret_is_told_to_check_the_secret_and_the_clock(platform: Platform) -> None:
    demo = platform.first_run["demo_enterprise"]
    wrong = "ddts_" + uuid.uuid4().hex + "A" * 11
    with DdtClient(platform.gateway, demo["key_id"], wrong) as client:
        with pytest.raises(DdtApiError) as refused:
            client.get("/v1/parties/me")
    detail = refused.value.detail or ""
    assert (refused.value.status, refused.value.code) == (401, "auth.bad_signature")
    assert all(hint in detail for hint in ("secret", demo["key_id"], "clock")), detail
