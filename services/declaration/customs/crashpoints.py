"""Named points where a test may have the exchange kill its own process (``customs_crash_at``).

The reliability test (tests/declaration/flows/test_crash_recovery.py) needs kill -9 to
land at chosen places of the exchange, deterministically: ``step`` or ``step:n`` makes
the process SIGKILL itself the n-th time (default 1st) it reaches ``step``. No
shutdown code runs — exactly like ``kill -9``. Production refuses the setting.

Steps, in the order a document meets them:

* ``staged`` — messages and document states committed to the customs outbox, nothing sent;
* ``sent`` — the transport took the messages, the outbox rows are not yet marked sent;
* ``marked`` — outbox rows marked sent;
* ``applying`` — receipts parsed and applied inside the transaction, not committed;
* ``applied`` — receipts committed, not yet acknowledged to the transport.
"""

from __future__ import annotations

import logging
import os
import signal

log = logging.getLogger("ddt.declaration.customs")

STEPS = ("staged", "sent", "marked", "applying", "applied")


class CrashPoints:
    """Counts arrivals at each step and kills the process at the configured one."""

    def __init__(self, spec: str | None) -> None:
        self.step: str | None = None
        self.nth = 1
        if spec:
            step, _, nth = spec.partition(":")
            if step not in STEPS:
                raise ValueError(f"unknown crash step {step!r}; one of {', '.join(STEPS)}")
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
