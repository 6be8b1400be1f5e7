"""Response models of the evidence module."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field


class EvidenceOut(BaseModel):
    """A signed evidence package."""

    package_id: str
    transaction_id: str
    version: int
    sha256: str = Field(description="sha256 of the signed payload (the canonical JSON of `package`)")
    kid: str = Field(description="the platform key that signed it (see /v1/payments/evidence/keys)")
    jws: str = Field(description="RFC 7515 compact JWS, EdDSA (Ed25519); its payload is `package`")
    assembled_at: dt.datetime
    package: dict[str, Any]


class EvidenceVersionOut(BaseModel):
    """One kept version."""

    package_id: str
    version: int
    sha256: str
    assembled_at: dt.datetime


class Jwk(BaseModel):
    """A public key (RFC 8037 OKP / Ed25519)."""

    kty: str
    crv: str
    x: str
    kid: str
    use: str
    alg: str


class JwkSet(BaseModel):
    """The platform's evidence-signing public keys."""

    keys: list[Jwk]
