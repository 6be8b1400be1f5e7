"""The regulator dashboard page and its static files, under ``/v1/stats/dashboard/``.

The page and its scripts hold no data and need no identity; every figure is fetched
by the page from the JSON APIs with the caller's bearer token, through the gateway.
ECharts is served from this package (``static/vendor/echarts``), never from a CDN.
The names the page shows for districts, parks, countries and codes come from
``names.json``: the same :class:`~services.stats.reference.names.Names` the CSV and
XLSX exports write, so screen and file never disagree.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from services.stats.reference.names import Names
from shared.problems import ROUTE_NOT_FOUND, ProblemError
from shared.service import RuntimeDep

STATIC = Path(__file__).with_name("static")
router = APIRouter(prefix="/v1/stats/dashboard", tags=["dashboard"], include_in_schema=False)

_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}
# The page runs only its own scripts and talks only to its own origin.
_SECURITY = {
    # style-src allows inline styles: ECharts writes style attributes into its tooltips. Scripts stay 'self'.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@router.get("", include_in_schema=False)
async def without_slash() -> Response:
    return RedirectResponse("/v1/stats/dashboard/", status_code=308)


@router.get("/", include_in_schema=False)
async def page() -> Response:
    """The dashboard page."""
    return FileResponse(
        STATIC / "index.html", media_type=_TYPES[".html"], headers={**_SECURITY, "Cache-Control": "no-cache"}
    )


@router.get("/names.json", include_in_schema=False)
async def names(runtime: RuntimeDep) -> Response:
    """Names of the coded values the page shows (reference data, no figures): by column and code."""
    found = runtime.components.find(Names)
    return JSONResponse(
        found.to_json() if found is not None else {}, headers={**_SECURITY, "Cache-Control": "no-cache"}
    )


@router.get("/static/{path:path}", include_in_schema=False)
async def static(path: str) -> Response:
    """A static file of the page (no directory listing, no way out of the folder)."""
    target = (STATIC / path).resolve()
    if not target.is_relative_to(STATIC.resolve()) or not target.is_file() or target.suffix not in _TYPES:
        raise ProblemError(ROUTE_NOT_FOUND, "No such file.")
    cache = "public, max-age=86400" if "/vendor/" in f"/{path}" else "no-cache"
    return FileResponse(
        target, media_type=_TYPES[target.suffix], headers={**_SECURITY, "Cache-Control": cache}
    )
