"""Secrets at rest: AES-256-GCM under the gateway's key-encryption key.

HMAC verification needs the secret itself, so it cannot be hashed; it is sealed
instead. A fresh 96-bit nonce per seal, and the owner's id (key id, subscription id)
as associated data, so a ciphertext copied onto another row fails to open.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = "v1"


def _b64d(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


class SealedSecretError(Exception):
    """A sealed secret could not be opened (wrong key, wrong owner, or tampered)."""


class SecretSealer:
    """Seals and opens secrets with one AES-256-GCM key."""

    def __init__(self, key_b64: str) -> None:
        key = _b64d(key_b64)
        if len(key) != 32:
            raise ValueError("the key-encryption key must be 32 bytes")
        self._aead = AESGCM(key)

    def seal(self, secret: str, owner: str) -> str:
        """``v1.<base64url(nonce ‖ ciphertext ‖ tag)>`` bound to ``owner``."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, secret.encode("utf-8"), owner.encode("utf-8"))
        return f"{_VERSION}.{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"

    def open(self, sealed: str, owner: str) -> str:
        """The secret; :class:`SealedSecretError` if it was not sealed for ``owner`` with this key."""
        version, _, payload = sealed.partition(".")
        if version != _VERSION:
            raise SealedSecretError(f"unknown seal version {version!r}")
        raw = _b64d(payload)
        try:
            return self._aead.decrypt(raw[:12], raw[12:], owner.encode("utf-8")).decode("utf-8")
        except InvalidTag as exc:
            raise SealedSecretError("sealed secret does not open for this owner and key") from exc


def fingerprint(secret: str) -> str:
    """First 8 hex characters of SHA-256 of the secret (safe to display)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:8]
