"""Signed requests as raw HTTP/1.1 bytes, for the load generators that write them to sockets."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sdk.signing import prepare_signature


@dataclass(frozen=True)
class Credential:
    """An API key of a provisioned party."""

    key_id: str
    secret: str


def signed_request(
    host: str, method: str, path: str, body: bytes, credential: Credential, content_type: str
) -> bytes:
    """One DDT1-signed request as bytes on the wire (fresh nonce and Idempotency-Key)."""
    signature = prepare_signature(
        key_id=credential.key_id, secret=credential.secret, method=method, path=path, body=body
    )
    headers = {
        "Host": host,
        "Content-Type": content_type,
        "Accept": "application/json",
        "Content-Length": str(len(body)),
        "Idempotency-Key": str(uuid.uuid4()),
        **signature.headers,
    }
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode("latin-1") + body
