"""The embedded runner (`make run`) as tests drive it: a free port range, start, wait, Ctrl-C."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from deploy.embedded import ROOT, SERVICES, port_free


def free_offset() -> int:
    """A port offset at which every service's port is free."""
    for _ in range(50):
        offset = random.randrange(20000, 50000, 10)
        if all(port_free(port + offset) for _, port in SERVICES):
            return offset
    raise RuntimeError("no free port range")


def start_runner(
    var: Path, offset: int, broker_port: int, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """``python -m deploy.embedded`` on ``var`` with none of this shell's DDT_ or OTEL_ settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DDT_", "OTEL_"))} | (extra_env or {})
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "deploy.embedded",
            "--var",
            str(var),
            "--port-offset",
            str(offset),
            "--broker-port",
            str(broker_port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_line(process: subprocess.Popen[str], needle: str, timeout: float = 180) -> list[str]:
    """The runner's output up to the line containing ``needle`` (fails with all of it)."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if needle in line:
            return lines
    raise AssertionError("runner output:\n" + "".join(lines))


def stop_runner(process: subprocess.Popen[str]) -> tuple[int, list[int]]:
    """Ctrl-C the runner; its exit code and the pids of its children still alive."""
    try:
        children = [c.pid for c in psutil.Process(process.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        children = []
    process.send_signal(signal.SIGINT)  # what Ctrl-C sends
    code = process.wait(60)
    time.sleep(0.5)
    alive = [pid for pid in children if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
    return code, alive
