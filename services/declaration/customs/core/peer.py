"""A data-exchange peer for the directory transport: answers ``outbox/`` with receipt files in ``inbox/``.

Stands in for the e-port client + customs when the platform runs with the
directory transport (development, the transport's tests).  It polls
``outbox/``, feeds each message to a :class:`CustomsSimulator`, moves the
message into ``consumed/``, and writes every due receipt atomically into
``inbox/`` as ``<receipt id>_<type>.xml`` before acknowledging it in the
engine.  The engine state is saved (atomically) to ``--state`` after each
step so the peer itself can be restarted; a crash between writing a receipt
and saving only rewrites the same file, which the reading side retires as
a re-delivery.

Run: ``python -m services.declaration.customs.core.peer --root DIR [--seed N] [--state FILE]``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from datetime import datetime
from pathlib import Path

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.customs.core.simulator import CustomsSimulator, SimulatorConfig
from services.declaration.customs.core.transports.directory import FOLDERS, fsync_directory, write_atomically


class DirectoryPeer:
    """One polling step at a time, so tests can also drive it in-process."""

    def __init__(self, root: Path, config: SimulatorConfig, state_file: Path | None = None) -> None:
        self.root = root
        for folder in (*FOLDERS, "consumed"):
            (root / folder).mkdir(parents=True, exist_ok=True)
        self.state_file = state_file
        if state_file is not None and state_file.exists():
            self.engine = CustomsSimulator.from_state(json.loads(state_file.read_text("utf-8")), config)
        else:
            self.engine = CustomsSimulator(config)

    def step(self, now: datetime | None = None) -> int:
        """Consume the outbox, emit due receipts; returns how many files moved."""
        now = now or datetime.now(CUSTOMS_TZ)
        moved = 0
        outbox = self.root / "outbox"
        for name in sorted(n for n in os.listdir(outbox) if not n.startswith(".")):
            payload = (outbox / name).read_bytes()
            self.engine.receive(payload, now)
            self._save()
            os.replace(outbox / name, self.root / "consumed" / name)
            fsync_directory(outbox)
            moved += 1
        for receipt in self.engine.due_receipts(now):
            write_atomically(
                self.root / "inbox",
                f"{receipt.id}_{receipt.message_type}.xml",
                receipt.payload,
                self.root / "tmp",
            )
            self.engine.acknowledge(receipt.id)
            self._save()
            moved += 1
        return moved

    def _save(self) -> None:
        if self.state_file is None:
            return
        data = json.dumps(self.engine.to_state(), ensure_ascii=False).encode("utf-8")
        write_atomically(self.state_file.parent, self.state_file.name, data, self.root / "tmp")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: poll until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--state", type=Path, default=None)
    parser.add_argument("--poll", type=float, default=0.05)
    parser.add_argument("--realistic", action="store_true", help="use the default delays and rates")
    args = parser.parse_args(argv)
    config = SimulatorConfig(seed=args.seed) if args.realistic else SimulatorConfig.instant(args.seed)
    peer = DirectoryPeer(args.root, config, args.state)
    running = True

    def stop(*_: object) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("peer ready", flush=True)
    while running:
        if not peer.step():
            time.sleep(args.poll)
    return 0


if __name__ == "__main__":
    sys.exit(main())
