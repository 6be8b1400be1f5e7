"""`make run`'s runner: the whole platform from nothing, URLs that answer, Ctrl-C stops all,
and a second run keeps the first run's data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from deploy.embedded import ROOT
from sdk.client import DdtClient
from tests.support.embedded import free_offset, start_runner, stop_runner, wait_for_line
from tests.support.infra import free_port

pytestmark = pytest.mark.slow


def test_the_runner_prints_urls_that_answer_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    offset, broker_port = free_offset(), free_port()
    process = start_runner(tmp_path / "var", offset, broker_port)
    try:
        output = "".join(wait_for_line(process, "Press Ctrl-C"))
        gateway = f"http://127.0.0.1:{8000 + offset}"
        answers = [httpx.get(f"{gateway}/healthz").status_code, httpx.get(f"{gateway}/docs").status_code]
    finally:
        code, survivors = stop_runner(process)
    assert (f"{gateway}/docs" in output, answers, code, survivors) == (True, [200, 200], 0, [])


def test_the_gateway_documents_the_problem_types_of_every_service(tmp_path: Path) -> None:
    # Real processes: the gateway's own process declares none of the services' codes, so it
    # can only know them from the services themselves.
    offset, broker_port = free_offset(), free_port()
    process = start_runner(tmp_path / "var", offset, broker_port)
    try:
        wait_for_line(process, "Press Ctrl-C")
        gateway = f"http://127.0.0.1:{8000 + offset}"
        codes = (
            "declaration.rejected",
            "declaration.xml_rejected",
            "logistics.asn_state",
            "payments.institution_unknown",
            "stats.assessment_invalid",
        )
        answers = {code: httpx.get(f"{gateway}/problems/{code}").status_code for code in codes}
    finally:
        stop_runner(process)
    assert answers == dict.fromkeys(codes, 200)


def test_a_second_run_keeps_the_data_of_the_first(tmp_path: Path) -> None:
    var = tmp_path / "var"
    offset, broker_port = free_offset(), free_port()
    first = start_runner(var, offset, broker_port)
    try:
        wait_for_line(first, "Press Ctrl-C")
    finally:
        stop_runner(first)
    # The first run's bootstrap registered a demo enterprise and its credential; the second
    # run must still know them (the registry lives in var/gateway.db, not in memory).
    demo = json.loads((var / "gateway-first-run.json").read_text())["demo_enterprise"]
    second = start_runner(var, offset, broker_port)
    try:
        output = "".join(wait_for_line(second, "Press Ctrl-C"))
        with DdtClient(f"http://127.0.0.1:{8000 + offset}", demo["key_id"], demo["secret"]) as client:
            me = client.get("/v1/parties/me").json()
    finally:
        stop_runner(second)
    assert (me["id"], "Diandiantong is running" in output) == (demo["party_id"], True)


def test_make_demo_files_a_month_that_customs_clears_and_regulators_see(tmp_path: Path) -> None:
    var = tmp_path / "var"
    offset, broker_port = free_offset(), free_port()
    # Customs' minutes become seconds: the demo waits for every inventory to be closed.
    fast_customs = {"DDT_DECLARATION_CUSTOMS_SIMULATOR_DELAY_SCALE": "0.05"}
    runner = start_runner(var, offset, broker_port, fast_customs)
    try:
        wait_for_line(runner, "Press Ctrl-C")
        demo = subprocess.run(
            [sys.executable, "-m", "deploy.demo", "--var", str(var), "--enterprises", "4", "--sales", "12",
             "--customs-timeout", "240"],
            cwd=ROOT, env={k: v for k, v in os.environ.items() if not k.startswith("DDT_")},
            capture_output=True, text=True, timeout=400,
        )  # fmt: skip
        regulator = json.loads((var / "demo-cast.json").read_text())["regulators"][0]
        gateway = f"http://127.0.0.1:{8000 + offset}"
        inventories = 0
        with DdtClient(gateway, regulator["key_id"], regulator["secret"]) as client:
            deadline = time.monotonic() + 60  # stats consumes the release events on its own time
            while not inventories and time.monotonic() < deadline:
                rows = client.get("/v1/stats/platform").json()["rows"]
                inventories = int(next(r["current"] for r in rows if r["figure"] == "trade_inventories"))
                time.sleep(1)
            # The carrier simulator (on in make run) has tracked the waybills' parcels.
            tracked = [
                s for s in client.get("/v1/logistics/shipments").json()["items"] if s["status"] != "pending"
            ]
    finally:
        stop_runner(runner)
    assert (demo.returncode, inventories > 0, bool(tracked)) == (0, True, True), demo.stdout + demo.stderr
