"""The trivial upstream of the gateway benchmark: one GET answering a small JSON document.

It does no identity check, so the direct baseline and the path behind the gateway run the
same upstream code; what differs is only the gateway in between.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/v1/logistics/ping")
async def ping() -> JSONResponse:
    """A constant answer."""
    return JSONResponse({"ok": True, "service": "trivial"})
