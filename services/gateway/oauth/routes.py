"""``POST /oauth/token`` — the OAuth2 client-credentials grant (RFC 6749 §4.4).

Client authentication is HTTP Basic with the key id and secret (§2.3.1,
``client_secret_basic``), or the same pair as ``client_id`` / ``client_secret`` in the
form body (``client_secret_post``, also §2.3.1) — never both in one request (§2.3).
Errors use the RFC 6749 §5.2 JSON form, not problem+json, because OAuth client
libraries expect it. A refused client gets ``WWW-Authenticate: Basic`` only when it
authenticated with the Authorization header (§5.2 requires the challenge then); a
body-authenticated client such as the dashboard's sign-in form gets the 401 without
one, so a browser never opens its own login dialog over the page. The endpoint is
exempt from Idempotency-Key: OAuth clients do not send one, and asking twice simply
yields two tokens.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.gateway.components import GatewayComponents
from services.gateway.oauth.schemas import OAUTH_ERRORS, TokenOut

router = APIRouter(tags=["oauth"])

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _error(status: int, error: str, description: str, *, basic: bool = False) -> JSONResponse:
    headers = dict(_NO_STORE)
    if basic:
        headers["WWW-Authenticate"] = 'Basic realm="ddt"'
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    key_id, sep, secret = decoded.partition(":")
    return (key_id, secret) if sep and key_id and secret else None


def _post_credentials(form: dict[str, list[str]]) -> tuple[str, str] | None:
    ids, secrets = form.get("client_id", []), form.get("client_secret", [])
    if len(ids) != 1 or len(secrets) != 1 or not ids[0] or not secrets[0]:
        return None
    return ids[0], secrets[0]


@router.post(
    "/oauth/token",
    summary="Exchange a credential for a short-lived access token",
    response_model=TokenOut,
    responses=OAUTH_ERRORS,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {"const": "client_credentials"},
                            "client_id": {
                                "type": "string",
                                "description": "The key id, when not sent with HTTP Basic "
                                "(client_secret_post).",
                            },
                            "client_secret": {
                                "type": "string",
                                "description": "The secret, with client_id.",
                            },
                        },
                    }
                }
            }
        }
    },
)
async def token(request: Request) -> JSONResponse:
    """``grant_type=client_credentials`` with ``key_id:secret`` (HTTP Basic or form body) → a bearer JWT."""
    gw = request.app.state.runtime.components.get(GatewayComponents)
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return _error(400, "invalid_request", "Send the grant as application/x-www-form-urlencoded.")
    form = parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    grant = form.get("grant_type", [])
    if len(grant) != 1:
        return _error(400, "invalid_request", "grant_type is required once.")
    header = request.headers.get("authorization")
    in_body = "client_id" in form or "client_secret" in form
    if header is not None and in_body:
        return _error(
            400,
            "invalid_request",
            "Authenticate one way only: HTTP Basic or client_id and client_secret in the body.",
        )
    if in_body:
        credentials = _post_credentials(form)
        if credentials is None:
            return _error(
                401, "invalid_client", "Send client_id and client_secret once each, both non-empty."
            )
    else:
        credentials = _basic_credentials(header)
        if credentials is None:
            return _error(
                401,
                "invalid_client",
                "Authenticate with HTTP Basic key_id:secret (or client_id and client_secret in the body).",
                basic=True,
            )
    basic = not in_body
    record = await gw.authenticator.check_client_secret(*credentials)
    if record is None:
        return _error(401, "invalid_client", "Unknown, revoked or wrong credential.", basic=basic)
    if record.party_status != "active":
        return _error(401, "invalid_client", "The party is suspended.", basic=basic)
    if grant[0] != "client_credentials":
        return _error(400, "unsupported_grant_type", "Only client_credentials is supported.")
    issued = gw.tokens.issue(party_id=record.identity.party_id, key_id=record.key_id)
    return JSONResponse(
        {"access_token": issued.token, "token_type": "Bearer", "expires_in": issued.expires_in},
        headers=_NO_STORE,
    )
