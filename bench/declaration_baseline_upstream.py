"""Baseline upstream of the declaration intake benchmark: takes the same XML body, does nothing.

Served as the gateway's "logistics" upstream, so a signed POST of an inventory message
through the gateway to here costs everything the real intake costs except the
declaration service's own work (parsing, checks, storage, events).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

# About the size of the declaration's answer to a one-record message.
_ANSWER = (
    b'{"filingId":"00000000-0000-4000-8000-000000000000","messageType":"CEB621","receiptType":"CEB622",'
    b'"accepted":true,"acceptedCount":1,"rejectedCount":0,"records":[{"index":0,"accepted":true,'
    b'"keys":{"copNo":"C0","agentCode":"3207960005"},"errors":[],"review":[],'
    b'"documentId":"00000000-0000-4000-8000-000000000000","status":"matched","preNo":"D20260101000000001"}]}'
)


@app.post("/v1/logistics/intake-baseline")
async def intake_baseline(request: Request) -> Response:
    """Read the whole body (as the intake does) and answer a constant receipt."""
    await request.body()
    return Response(_ANSWER, media_type="application/json")
