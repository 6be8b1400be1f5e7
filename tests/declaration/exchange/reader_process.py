"""A platform-side reader run as a separate process by test_transports.py.

Reads receipts through a DirectoryTransport and "applies" each one to a
journal file (the stand-in for the database): one line per applied receipt
hash, appended and fsynced, skipped if already there — the idempotent apply
the service does.  With ``--crash-after N`` it SIGKILLs itself after the
N-th apply and *before* the ack: the worst moment for exactly-once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from pathlib import Path

from services.declaration.customs.core.transports import DirectoryTransport


async def run(root: Path, journal: Path, expected: int, crash_after: int | None) -> None:
    transport = DirectoryTransport(root, settle_seconds=0)
    applied = set(journal.read_text().split()) if journal.exists() else set()  # noqa: ASYNC240
    count = 0
    while len(applied) < expected:
        receipts = await transport.receive()
        if not receipts:
            await asyncio.sleep(0.02)
            continue
        for receipt in receipts:
            if receipt.sha256 not in applied:
                with open(journal, "a") as handle:  # noqa: ASYNC230 - a durable, synchronous apply
                    handle.write(receipt.sha256 + "\n")
                    handle.flush()
                    os.fsync(handle.fileno())
                applied.add(receipt.sha256)
                count += 1
                if crash_after is not None and count >= crash_after:
                    os.kill(os.getpid(), signal.SIGKILL)
            await transport.ack(receipt.id)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--journal", type=Path, required=True)
    parser.add_argument("--expected", type=int, required=True)
    parser.add_argument("--crash-after", type=int, default=None)
    args = parser.parse_args()
    asyncio.run(run(args.root, args.journal, args.expected, args.crash_after))


if __name__ == "__main__":
    main()
