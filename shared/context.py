"""Per-request (or per-event) context carried through logs, errors and outgoing calls."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("ddt_request_id", default=None)


def current_request_id() -> str | None:
    """The request id of the unit of work running now, if any."""
    return _request_id.get()


def set_request_id(request_id: str | None) -> object:
    """Bind ``request_id`` to the current context; returns a token for :func:`reset_request_id`."""
    return _request_id.set(request_id)


def reset_request_id(token: object) -> None:
    """Undo :func:`set_request_id`."""
    _request_id.reset(token)  # type: ignore[arg-type]


def new_request_id() -> str:
    """A fresh request id (32 hex characters)."""
    return uuid.uuid4().hex
