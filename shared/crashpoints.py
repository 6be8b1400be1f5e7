"""Named points where a test may have a process kill itself (kill -9), deterministically.

A reliability test configures ``step`` or ``step:n``: the process SIGKILLs itself the
n-th time (default 1st) it reaches ``step``. No shutdown code runs — exactly like
``kill -9`` or an OOM kill. Each service names its own steps; production settings refuse
the option.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Sequence

log = logging.getLogger("ddt.crashpoints")


class CrashPoints:
    """Counts arrivals at each step and kills the process at the configured one."""

    def __init__(self, spec: str | None, steps: Sequence[str]) -> None:
        self.step: str | None = None
        self.nth = 1
        if spec:
            step, _, nth = spec.partition(":")
            if step not in steps:
                raise ValueError(f"unknown crash step {step!r}; one of {', '.join(steps)}")
            self.step, self.nth = step, int(nth or 1)
        self._seen: dict[str, int] = {}

    def reached(self, step: str) -> None:
        """Note arrival at ``step``; SIGKILL this process if it is the configured arrival."""
        if self.step is None:
            return
        count = self._seen.get(step, 0) + 1
        self._seen[step] = count
        if step == self.step and count == self.nth:
            log.warning("crash point reached: killing the process", extra={"step": step, "nth": count})
            os.kill(os.getpid(), signal.SIGKILL)
