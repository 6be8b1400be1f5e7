"""API shapes of Idempotency-Key records."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict


class IdempotencyOut(BaseModel):
    """What the gateway remembers about a key (not the stored body)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "key": "5b0e7c1a-2f4d-4c1e-9a3b-8d6f0e2c4a71",
                    "method": "POST",
                    "path": "/v1/customs/import/orders",
                    "state": "completed",
                    "response_status": 201,
                    "created_at": "2026-11-02T01:14:07.512000Z",
                    "expires_at": "2026-11-03T01:14:07.512000Z",
                }
            ]
        }
    )

    key: str
    method: str
    path: str
    state: Literal["in_progress", "completed"]
    response_status: int | None
    created_at: dt.datetime
    expires_at: dt.datetime
