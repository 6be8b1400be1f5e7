"""Signing evidence packages: JWS (RFC 7515) compact serialisation, EdDSA over Ed25519.

The payload is the package's canonical JSON (UTF-8, sorted keys, no spaces), so its
SHA-256 names the package and any party can recompute it. The protected header carries
``kid`` (which platform key signed), ``typ`` ``ddt-evidence+jws`` and ``cty``
``application/json``. The public keys are published as a JWK Set (RFC 7517) at
``/v1/payments/evidence/keys``; a bank verifies with any JOSE library.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

TYP = "ddt-evidence+jws"
_JWS = jwt.api_jws.PyJWS()


def canonical_json(value: Any) -> bytes:
    """The bytes a package is signed and hashed as."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def digest(value: Any) -> str:
    """``sha256:<hex>`` of the canonical JSON."""
    return "sha256:" + hashlib.sha256(canonical_json(value)).hexdigest()


def sign(package: dict[str, Any], key: Ed25519PrivateKey, kid: str) -> str:
    """The package as a compact JWS."""
    return _JWS.encode(
        canonical_json(package),
        key,
        algorithm="EdDSA",
        headers={"kid": kid, "typ": TYP, "cty": "application/json"},
    )


def verify(token: str, public_key: Ed25519PublicKey) -> dict[str, Any]:
    """The package a JWS carries, if the signature holds (raises ``jwt.InvalidSignatureError``)."""
    decoded = _JWS.decode_complete(token, public_key, algorithms=["EdDSA"])
    payload: dict[str, Any] = json.loads(decoded["payload"])
    return payload


def jwk(key: Ed25519PrivateKey, kid: str) -> dict[str, str]:
    """The public half of ``key`` as a JWK."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),
        "kid": kid,
        "use": "sig",
        "alg": "EdDSA",
    }
