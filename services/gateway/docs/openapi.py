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
import time
from typing import Any

import httpx

from services.gateway.routing.table import ROUTES

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
    merged["components"].setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    merged["security"] = [{"ddtSignature": []}, {"oauth2": []}]
    return merged


class MergedOpenApi:
    """Builds and caches the merged document."""

    def __init__(
        self, client: httpx.AsyncClient, upstreams: dict[str, str], ttl_seconds: float = 30.0
    ) -> None:
        self.client = client
        self.upstreams = upstreams
        self.ttl = ttl_seconds
        self._cached: tuple[float, bytes] | None = None

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
