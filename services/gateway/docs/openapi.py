"""The merged OpenAPI document: the gateway's own routes plus every service's public paths.

Paths keep the same shape on both sides of the gateway, so merging is a union:
each service contributes the paths its routing prefix covers, and its component
schemas (renamed ``<Service><Name>`` where two services use one name for different
shapes, with their ``$ref``s rewritten). A service that does not answer is left
out and listed under ``x-ddt-unavailable``; the merged document is cached briefly.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import time
from typing import Any

import httpx

from services.gateway.routing.table import ROUTES
from shared.kit.responses import ProblemDetails, problems
from shared.problems import CATALOGUE_EXTENSION, PROBLEM_MEDIA_TYPE

log = logging.getLogger("ddt.gateway.docs")

SECURITY_SCHEMES: dict[str, Any] = {
    "ddtSignature": {
        "type": "apiKey",
        "in": "header",
        "name": "X-DDT-Signature",
        "description": "DDT1-HMAC-SHA256 request signing: six X-DDT-* headers "
        "(see docs/signing.md; use the SDK).",
    },
    "oauth2": {
        "type": "oauth2",
        "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": {}}},
        "description": "Client-credentials bearer tokens (HTTP Basic key_id:secret at /oauth/token).",
    },
}


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/schemas/"):
                name = value.rsplit("/", 1)[1]
                out[key] = f"#/components/schemas/{renames.get(name, name)}"
            else:
                out[key] = _rename_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node


HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_WRITE_METHODS = frozenset({"post", "put", "patch"})
_PROBLEM_SCHEMA = {"$ref": "#/components/schemas/ProblemDetails"}

# What the gateway itself (signature check, role check, rate limit, body limit, upstream
# breaker) can answer on any signed operation, before or instead of the service.
_GATEWAY_ANSWERS = (401, 403, 413, 429, 503)
# … on writes: Idempotency-Key missing or malformed (400), the key held by a request
# still in flight (409), or reused for another payload (422).
_WRITE_ANSWERS = (400, 409, 422)
# … on an operation with a body: not JSON (400), not a declared content type (415).
_BODY_ANSWERS = (400, 415)


def _problem_entry(status: int) -> dict[str, Any]:
    entry = problems(status)[status]
    return {"description": entry["description"], "content": entry["content"]}


def declare_platform_answers(document: dict[str, Any]) -> dict[str, Any]:
    """Declare on every operation the problem+json answers the platform gives it (in place).

    A service declares what its own handlers answer; what the gateway and the shared
    problem handlers answer on every operation is added here, once, so the merged
    document lists every status a client can meet. Validation failures (422) answer
    ``application/problem+json``, never FastAPI's default JSON schema; an operation with
    a path parameter can answer 404 (no such resource, or not the caller's).
    """
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in _problem_schemas().items():
        schemas.setdefault(name, schema)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method not in HTTP_METHODS or not isinstance(operation, dict):
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            statuses: set[int] = set()
            if operation.get("security") != []:  # public operations take no credentials
                statuses.update(_GATEWAY_ANSWERS)
                if method in _WRITE_METHODS:
                    statuses.update(_WRITE_ANSWERS)
            if "requestBody" in operation:
                statuses.update(_BODY_ANSWERS)
            if "{" in path or any(p.get("in") == "query" for p in operation.get("parameters", [])):
                statuses.add(422)
            if "{" in path:
                statuses.add(404)
            for status in sorted(statuses):
                responses.setdefault(str(status), _problem_entry(status))
            validation = responses.get("422")
            if validation is not None:
                # Request validation always answers problem+json (shared.problems), whatever
                # else the operation answers with 422 (a customs-style result, say).
                content = validation.setdefault("content", {})
                if "HTTPValidationError" in json.dumps(content.get("application/json", {})):
                    del content["application/json"]
                content.setdefault(PROBLEM_MEDIA_TYPE, {"schema": _PROBLEM_SCHEMA})
    return document


def _problem_schemas() -> dict[str, Any]:
    schema = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
    return {**schema.pop("$defs", {}), "ProblemDetails": schema}


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", template)
    regex = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    return re.compile(f"^{regex}$")


def allowed_methods(document: dict[str, Any], path: str) -> list[str]:
    """The methods ``document`` declares for the concrete ``path`` (for ``Allow``), or []."""
    for template, item in document.get("paths", {}).items():
        if _template_pattern(template).match(path):
            return sorted(m.upper() for m in item if m in HTTP_METHODS)
    return []


def merge_catalogues(catalogues: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One list of problem types, by code, from the gateway's and each service's (first wins).

    The codes every service shares (``request.*``, ``auth.identity_*`` …) come from the same
    module everywhere, so the first entry of a code is as good as any other.
    """
    entries: dict[str, dict[str, Any]] = {}
    for listed in catalogues:
        for entry in listed if isinstance(listed, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("code"), str):
                entries.setdefault(entry["code"], entry)
    return [entries[code] for code in sorted(entries)]


def merge_documents(gateway_doc: dict[str, Any], service_docs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Union of the gateway's document and each service's paths under its prefixes."""
    merged = copy.deepcopy(gateway_doc)
    paths: dict[str, Any] = merged.setdefault("paths", {})
    schemas: dict[str, Any] = merged.setdefault("components", {}).setdefault("schemas", {})
    for service, doc in sorted(service_docs.items()):
        prefixes = [p for p, s in ROUTES if s == service]
        their_schemas = doc.get("components", {}).get("schemas", {})
        renames = {
            name: f"{service.capitalize()}{name}"
            for name, schema in their_schemas.items()
            if name in schemas and schemas[name] != schema
        }
        for name, schema in their_schemas.items():
            schemas[renames.get(name, name)] = _rename_refs(schema, renames)
        for path, item in doc.get("paths", {}).items():
            if any(path.startswith(prefix) for prefix in prefixes):
                paths[path] = _rename_refs(item, renames)
    merged[CATALOGUE_EXTENSION] = merge_catalogues(
        [gateway_doc.get(CATALOGUE_EXTENSION, [])]
        + [doc.get(CATALOGUE_EXTENSION, []) for _, doc in sorted(service_docs.items())]
    )
    merged["components"].setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    merged["security"] = [{"ddtSignature": []}, {"oauth2": []}]
    return declare_platform_answers(merged)


class MergedOpenApi:
    """Builds and caches the merged document."""

    def __init__(
        self, client: httpx.AsyncClient, upstreams: dict[str, str], ttl_seconds: float = 30.0
    ) -> None:
        self.client = client
        self.upstreams = upstreams
        self.ttl = ttl_seconds
        self._cached: tuple[float, bytes] | None = None
        self._parsed: tuple[bytes, dict[str, Any]] | None = None

    async def document(self, gateway_doc: dict[str, Any]) -> bytes:
        """The merged document as JSON bytes."""
        now = time.monotonic()
        if self._cached and now - self._cached[0] < self.ttl:
            return self._cached[1]
        docs: dict[str, dict[str, Any]] = {}
        missing: list[str] = []
        for service, base in self.upstreams.items():
            try:
                response = await self.client.get(f"{base}/openapi.json", timeout=3.0)
                response.raise_for_status()
                docs[service] = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                log.info(
                    "service OpenAPI unavailable", extra={"service": service, "error": type(exc).__name__}
                )
                missing.append(service)
        merged = merge_documents(gateway_doc, docs)
        if missing:
            merged["x-ddt-unavailable"] = sorted(missing)
        raw = json.dumps(merged, ensure_ascii=False).encode()
        # A partial document is cached only briefly, so a service that comes back shows up soon.
        self._cached = (now if not missing else now - self.ttl + 5, raw)
        return raw

    async def parsed(self, gateway_doc: dict[str, Any]) -> dict[str, Any]:
        """The merged document, parsed once per build."""
        raw = await self.document(gateway_doc)
        if self._parsed is None or self._parsed[0] is not raw:
            self._parsed = (raw, json.loads(raw))
        return self._parsed[1]

    async def allowed_methods(self, gateway_doc: dict[str, Any], path: str) -> list[str]:
        """The methods the merged document declares for ``path`` (empty: no such path)."""
        return allowed_methods(await self.parsed(gateway_doc), path)

    async def problems(self, gateway_doc: dict[str, Any]) -> list[dict[str, Any]]:
        """Every problem type of the gateway and of the services that answered, by code."""
        listed: list[dict[str, Any]] = (await self.parsed(gateway_doc)).get(CATALOGUE_EXTENSION, [])
        return listed
