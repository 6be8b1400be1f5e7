"""Directory transport, as used with the e-port's data-exchange client (Ecom / 智能传输客户端).

Layout under ``root``::

    outbox/     messages for the client to pick up (it removes them)
    inbox/      receipts the client delivers
    processed/  receipts the platform applied (moved here by ack)
    failed/     unreadable receipts, each with ``<name>.reason``
    sent/       ``<name>.sha256`` per sent message id: the durable send ledger
    tmp/        staging for atomic writes (same filesystem)

* **Sending**: ``<message_id>.xml`` (id reduced to ``[A-Za-z0-9._-]``) is
  written to ``tmp/``, fsynced, renamed into ``outbox/`` and the directory
  fsynced, so the client never sees a partial file.  The ledger makes an id
  unusable for other content even after the client consumed the file.
* **Receiving**: files in ``inbox/`` (dot-files ignored) in (mtime, name)
  order.  A readable one is handed out once per transport object; ``ack``
  renames it into ``processed/`` (fsynced) — a crash before that re-delivers
  it after the restart.  A file whose name and hash are already in
  ``processed/`` is a re-delivery and is retired without being handed out;
  same name with new content is a new receipt (stored as ``name.<hash8>``).
  An unreadable file (not a DXP envelope or CEB receipt) goes to ``failed/``
  with a ``.reason`` — unless it is younger than ``settle_seconds``, in which
  case it may still be being written by a client that does not write
  atomically, and is retried on the next call.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import time
import uuid
from pathlib import Path

from services.declaration.ceb.receipt_events import parse_receipt
from services.declaration.customs.core.envelope import EnvelopeError, unwrap
from services.declaration.customs.core.transports.base import (
    InboundReceipt,
    MessageIdReuseError,
    OutboundMessage,
)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
FOLDERS = ("outbox", "inbox", "processed", "failed", "sent", "tmp")


def safe_name(message_id: str) -> str:
    """A file-system-safe, non-hidden name for a message id."""
    name = _UNSAFE.sub("_", message_id).lstrip(".")
    if not name:
        raise ValueError("empty message id")
    return name[:200]


def write_atomically(directory: Path, name: str, data: bytes, staging: Path) -> Path:
    """Write ``data`` to ``directory/name`` via ``staging`` + fsync + rename + directory fsync."""
    staging.mkdir(parents=True, exist_ok=True)
    temporary = staging / f".{name}.{uuid.uuid4().hex}.part"
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    target = directory / name
    os.replace(temporary, target)
    fsync_directory(directory)
    return target


def fsync_directory(directory: Path) -> None:
    """Make a rename durable."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class DirectoryTransport:
    """:class:`~.base.CustomsTransport` over folders shared with a data-exchange client."""

    def __init__(self, root: Path, settle_seconds: float = 5.0) -> None:
        self.root = Path(root)
        self.settle_seconds = settle_seconds
        for folder in FOLDERS:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        self._in_flight: set[str] = set()

    def folder(self, name: str) -> Path:
        """One of :data:`FOLDERS`."""
        return self.root / name

    async def send(self, message: OutboundMessage) -> None:
        """Atomically place ``<id>.xml`` in ``outbox/``."""
        await asyncio.to_thread(self._send, message)

    async def receive(self, limit: int = 100) -> list[InboundReceipt]:
        """Readable, unacknowledged receipts from ``inbox/``."""
        return await asyncio.to_thread(self._receive, limit)

    async def ack(self, receipt_id: str) -> None:
        """Move the receipt into ``processed/`` (idempotent)."""
        await asyncio.to_thread(self._ack, receipt_id)

    async def release(self, receipt_id: str) -> None:
        """Let ``receive`` hand the receipt out again."""
        self._in_flight.discard(receipt_id)

    # --- blocking parts (run in a thread) ---------------------------------------------------------

    def _send(self, message: OutboundMessage) -> None:
        name = safe_name(message.message_id) + ".xml"
        ledger = self.folder("sent") / f"{name}.sha256"
        if ledger.exists():
            if ledger.read_text().strip() != message.sha256:
                raise MessageIdReuseError(f"message id {message.message_id} was sent with other content")
        else:
            write_atomically(self.folder("sent"), ledger.name, message.sha256.encode(), self.folder("tmp"))
        write_atomically(self.folder("outbox"), name, message.payload, self.folder("tmp"))

    def _receive(self, limit: int) -> list[InboundReceipt]:
        inbox = self.folder("inbox")
        entries = []
        for entry in os.scandir(inbox):
            if entry.name.startswith(".") or not entry.is_file() or entry.name in self._in_flight:
                continue
            entries.append((entry.stat().st_mtime_ns, entry.name))
        out: list[InboundReceipt] = []
        for _, name in sorted(entries):
            path = inbox / name
            try:
                payload = path.read_bytes()
            except FileNotFoundError:
                continue
            digest = hashlib.sha256(payload).hexdigest()
            if self._already_processed(name, digest):
                path.unlink(missing_ok=True)
                continue
            receipt = self._read(name, payload, digest)
            if receipt is None:
                continue
            self._in_flight.add(name)
            out.append(receipt)
            if len(out) >= limit:
                break
        return out

    def _read(self, name: str, payload: bytes, digest: str) -> InboundReceipt | None:
        path = self.folder("inbox") / name
        try:
            unwrapped = unwrap(payload)
            parsed = parse_receipt(unwrapped.business_xml)
            if parsed.issues:
                raise EnvelopeError(f"not a customs receipt: {parsed.issues[0].message}")
        except EnvelopeError as exc:
            try:
                age = time.time() - path.stat().st_mtime
            except FileNotFoundError:
                return None
            if age < self.settle_seconds:
                return None  # perhaps still being written; look again later
            self._fail(name, str(exc))
            return None
        message_type = parsed.events[0].message_type if parsed.events else None
        return InboundReceipt(name, payload, unwrapped.business_xml, message_type, digest)

    def _already_processed(self, name: str, digest: str) -> bool:
        for candidate in (name, f"{name}.{digest[:8]}"):
            path = self.folder("processed") / candidate
            if path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == digest:
                return True
        return False

    def _ack(self, receipt_id: str) -> None:
        source = self.folder("inbox") / receipt_id
        self._in_flight.discard(receipt_id)
        if not source.exists():
            return
        target = self.folder("processed") / receipt_id
        if target.exists():
            digest = hashlib.sha256(source.read_bytes()).hexdigest()
            target = self.folder("processed") / f"{receipt_id}.{digest[:8]}"
        os.replace(source, target)
        fsync_directory(self.folder("processed"))
        fsync_directory(self.folder("inbox"))

    def _fail(self, name: str, reason: str) -> None:
        failed = self.folder("failed")
        write_atomically(failed, f"{name}.reason", reason.encode("utf-8"), self.folder("tmp"))
        os.replace(self.folder("inbox") / name, failed / name)
        fsync_directory(failed)
        fsync_directory(self.folder("inbox"))
