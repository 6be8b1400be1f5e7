"""``/openapi.json`` (merged), ``/docs`` (Swagger UI served from the platform itself, no CDN)
and ``/problems/{code}`` (documentation of every problem type)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import swagger_ui
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from services.gateway.docs.openapi import MergedOpenApi
from shared.problems import NOT_FOUND, ProblemError

router = APIRouter(include_in_schema=False)

#: Swagger UI's distribution files, from the ``swagger-ui-py`` package (Swagger UI 5.x).
SWAGGER_STATIC = Path(swagger_ui.__file__).parent / "static"
_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}

_DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Diandiantong API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/static/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/static/favicon-32x32.png"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>
"""
# In a file of its own so a Content-Security-Policy without 'unsafe-inline' can hold.
_INIT_JS = """window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout"});
"""
_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'"


@router.get("/openapi.json")
async def openapi(request: Request) -> Response:
    """Every public operation of the platform in one document."""
    merged = request.app.state.runtime.components.get(MergedOpenApi)
    return Response(await merged.document(request.app.openapi()), media_type="application/json")


@router.get("/docs")
async def docs() -> HTMLResponse:
    """Interactive documentation."""
    return HTMLResponse(_DOCS_HTML, headers={"Content-Security-Policy": _CSP})


@router.get("/docs/init.js")
async def docs_init() -> Response:
    """Swagger UI's start-up script."""
    return Response(_INIT_JS, media_type="text/javascript")


@router.get("/docs/static/{name}")
async def docs_asset(name: str) -> FileResponse:
    """Swagger UI assets (a fixed list: nothing else of the package directory is served)."""
    if name not in _ASSETS:
        raise ProblemError(NOT_FOUND, "No such asset.")
    return FileResponse(
        SWAGGER_STATIC / name, media_type=_ASSETS[name], headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get("/problems")
async def problem_index(request: Request) -> list[dict[str, Any]]:
    """Every problem code the platform answers with: the gateway's and every service's."""
    return await _catalogue(request)


@router.get("/problems/{code}")
async def problem(code: str, request: Request) -> dict[str, Any]:
    """What one problem code means (the ``type`` URI of every problem points here)."""
    for entry in await _catalogue(request):
        if entry["code"] == code:
            return entry
    raise ProblemError(NOT_FOUND, "No such problem type.")


async def _catalogue(request: Request) -> list[dict[str, Any]]:
    # The services' codes come with their OpenAPI documents (a service that is down is
    # missing from both until it is back); the gateway's own are always there.
    merged = request.app.state.runtime.components.get(MergedOpenApi)
    return await merged.problems(request.app.openapi())
