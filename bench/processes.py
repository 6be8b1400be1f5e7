"""Stopping the processes a benchmark started."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable


def stop_processes(processes: Iterable[subprocess.Popen[bytes]], timeout: float = 15) -> None:
    """Terminate each process (in the order given), killing any that outlives ``timeout`` seconds."""
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
