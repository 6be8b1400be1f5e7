"""Reference signing server: the :mod:`.protocol` over a software key, as a Starlette app.

Used by the tests and by the platform's embedded mode (mount it, or serve it
with uvicorn, and point a :class:`~.remote.RemoteSigner` at it).  It refuses
to be a general signing oracle: the payload must parse (hardened) as a
``ds:SignedInfo`` whose ``SignatureMethod`` is the server's own.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from typing import Any

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.declaration.ceb.catalogue import DS_NS
from services.declaration.ceb.xml_security import XmlLimits, secure_parse
from services.declaration.customs.core.signing.algorithms import SignatureProfile
from services.declaration.customs.core.signing.certificates import SignerIdentity
from services.declaration.customs.core.signing.protocol import INFO_PATH, MAX_SIGNED_INFO_BYTES, SIGN_PATH


def create_signing_app(
    identity: SignerIdentity, profile: SignatureProfile, token: str | None = None
) -> Starlette:
    """An ASGI app signing canonical ``SignedInfo`` bytes with ``identity``."""
    if profile.key_type is not identity.key.key_type:
        raise ValueError(f"profile {profile.name} needs a {profile.key_type} key")
    certificate = base64.b64encode(identity.certificate).decode("ascii") if identity.certificate else None
    limits = XmlLimits(max_bytes=MAX_SIGNED_INFO_BYTES, max_depth=8)

    def authorised(request: Request) -> bool:
        if token is None:
            return True
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())

    async def info(request: Request) -> JSONResponse:
        if not authorised(request):
            return _error(401, "unauthorized", "missing or wrong bearer token")
        return JSONResponse(
            {
                "signatureMethod": profile.signature_uri,
                "digestMethod": profile.digest_uri,
                "keyName": identity.key_name,
                "certificate": certificate,
            }
        )

    async def sign(request: Request) -> JSONResponse:
        if not authorised(request):
            return _error(401, "unauthorized", "missing or wrong bearer token")
        body = await request.body()
        if len(body) > 4 * MAX_SIGNED_INFO_BYTES:
            return _error(413, "too_large", "request body too large")
        try:
            payload: Any = json.loads(body)
            method = payload["signatureMethod"]
            signed_info = base64.b64decode(payload["signedInfo"], validate=True)
        except (ValueError, KeyError, TypeError, binascii.Error):
            return _error(400, "bad_request", "expected JSON with signatureMethod and base64 signedInfo")
        if method != profile.signature_uri:
            return _error(422, "unsupported_algorithm", f"this key signs {profile.signature_uri} only")
        if len(signed_info) > MAX_SIGNED_INFO_BYTES:
            return _error(413, "too_large", "signedInfo too large")
        problem = _signed_info_problem(signed_info, profile, limits)
        if problem:
            return _error(422, "not_signed_info", problem)
        try:
            value = identity.key.sign(signed_info, profile)
        except Exception as exc:  # noqa: BLE001 - the key backend's own errors become a 500 answer
            return _error(500, "signing_failed", type(exc).__name__)
        return JSONResponse(
            {
                "signatureMethod": profile.signature_uri,
                "signatureValue": base64.b64encode(value).decode("ascii"),
                "keyName": identity.key_name,
                "certificate": certificate,
            }
        )

    return Starlette(
        routes=[Route(INFO_PATH, info, methods=["GET"]), Route(SIGN_PATH, sign, methods=["POST"])]
    )


def _signed_info_problem(data: bytes, profile: SignatureProfile, limits: XmlLimits) -> str | None:
    parsed = secure_parse(data, limits)
    if parsed.root is None:
        return parsed.issues[0].message if parsed.issues else "not XML"
    root = parsed.root
    if root.tag != f"{{{DS_NS}}}SignedInfo":
        return "payload is not a ds:SignedInfo"
    method = root.find(f"{{{DS_NS}}}SignatureMethod")
    if method is None or method.get("Algorithm") != profile.signature_uri:
        return "SignedInfo names a different SignatureMethod"
    if etree.tostring(root, method="c14n") != data:
        return "SignedInfo is not in C14N canonical form"
    return None


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)
