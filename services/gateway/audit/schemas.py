"""API shapes of the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from shared.kit.params import IsoDateTime

_EXAMPLE: dict[str, Any] = {
    "id": 48213,
    "occurred_at": "2026-11-02T01:14:07.512000Z",
    "request_id": "4f0d5b8e9a2c4d6f8a1b3c5d7e9f0a12",
    "client_request_id": "erp-7781",
    "party_id": "pty_mzxw6ytboi2gk3tf",
    "credential_id": "ddt_k_3q7h2m9x4c",
    "auth_method": "hmac",
    "operation": "customs.orders.file",
    "method": "POST",
    "path": "/v1/customs/import/orders",
    "object_id": None,
    "status": 201,
    "outcome": "ok",
    "problem_code": None,
    "duration_us": 18342,
}


class AuditOut(BaseModel):
    """One audited call."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    id: int
    occurred_at: dt.datetime
    request_id: str
    client_request_id: str | None
    party_id: str | None
    credential_id: str | None
    auth_method: str | None
    operation: str
    method: str
    path: str
    object_id: str | None
    status: int
    outcome: str
    problem_code: str | None
    duration_us: int


class AuditFilters(BaseModel):
    """Search criteria."""

    party_id: str | None = None
    operation: str | None = None
    outcome: Literal["ok", "denied", "refused", "error"] | None = None
    request_id: str | None = None
    object_id: str | None = None
    since: IsoDateTime | None = None
    until: IsoDateTime | None = None


#: One line of ``GET /v1/audit/export`` (NDJSON: one :class:`AuditOut` per line).
EXPORT_EXAMPLE = AuditOut.model_validate(_EXAMPLE).model_dump_json() + "\n"
