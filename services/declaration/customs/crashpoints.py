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

from shared import crashpoints

STEPS = ("staged", "sent", "marked", "applying", "applied")


class CrashPoints(crashpoints.CrashPoints):
    """:class:`shared.crashpoints.CrashPoints` over the exchange's steps."""

    def __init__(self, spec: str | None) -> None:
        super().__init__(spec, STEPS)
