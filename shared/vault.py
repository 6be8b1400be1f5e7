"""AES-256-GCM encryption of personal and financial data at rest, and keyed lookup hashes.

Used by declaration (buyer and payer data) and payments (account numbers, remitters and payers).

* Every ciphertext is stored with the id of the key that wrote it, so keys can be
  rotated: new rows use the active key, old rows stay readable while their key is in
  the keyring (retire a key only after re-encrypting its rows).
* The associated data binds a ciphertext to the row it belongs to (document id,
  filing id): a ciphertext copied onto another row fails authentication instead of
  silently showing someone else's data.
* Lookups never decrypt: the annual quota finds a buyer by
  ``HMAC-SHA256(hash_key, purpose ‖ normalised ID number)``. The purpose label keeps
  hashes of different kinds of value from being comparable with each other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12


class VaultError(Exception):
    """A ciphertext cannot be opened (unknown key id, tampered data or wrong row)."""


def _b64decode(value: str) -> bytes:
    value = value.strip()
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def parse_keyring(text: str) -> dict[str, bytes]:
    """``"k2:base64url,k1:base64url"`` → ``{"k2": b"…", "k1": b"…"}``; every key must be 32 bytes."""
    keys: dict[str, bytes] = {}
    for entry in text.split(","):
        if not entry.strip():
            continue
        key_id, sep, material = entry.partition(":")
        if not sep:
            raise ValueError("keyring entries are `key_id:base64url-key`")
        raw = _b64decode(material)
        if len(raw) != 32:
            raise ValueError(f"key {key_id.strip()!r} must be 32 bytes (AES-256), not {len(raw)}")
        keys[key_id.strip()] = raw
    if not keys:
        raise ValueError("the keyring is empty")
    return keys


@dataclass(frozen=True, slots=True)
class Sealed:
    """A ciphertext and the id of the key that sealed it."""

    key_id: str
    blob: bytes


class Vault:
    """Seals and opens personal data; computes lookup hashes."""

    def __init__(self, keys: dict[str, bytes], active_key_id: str, hash_key: bytes) -> None:
        if active_key_id not in keys:
            raise ValueError(f"active key {active_key_id!r} is not in the keyring")
        if len(hash_key) < 32:
            raise ValueError("the lookup-hash key must be at least 32 bytes")
        self._ciphers = {key_id: AESGCM(material) for key_id, material in keys.items()}
        self.active_key_id = active_key_id
        self._hash_key = hash_key

    @classmethod
    def from_text(cls, keyring: str, active_key_id: str, hash_key_b64: str) -> Vault:
        """Build from the settings' text forms."""
        return cls(parse_keyring(keyring), active_key_id, _b64decode(hash_key_b64))

    def seal(self, plaintext: bytes, associated: str) -> Sealed:
        """Encrypt with the active key; ``associated`` (e.g. the row id) is authenticated, not stored."""
        nonce = os.urandom(_NONCE_BYTES)
        blob = nonce + self._ciphers[self.active_key_id].encrypt(nonce, plaintext, associated.encode())
        return Sealed(self.active_key_id, blob)

    def open(self, sealed: Sealed, associated: str) -> bytes:
        """Decrypt; :class:`VaultError` if the key is gone or the data or row do not match."""
        cipher = self._ciphers.get(sealed.key_id)
        if cipher is None:
            raise VaultError(f"key {sealed.key_id!r} is not in the keyring")
        try:
            return cipher.decrypt(sealed.blob[:_NONCE_BYTES], sealed.blob[_NONCE_BYTES:], associated.encode())
        except InvalidTag as exc:
            raise VaultError("ciphertext failed authentication") from exc

    def seal_json(self, value: Any, associated: str) -> Sealed:
        """Encrypt a JSON-able value."""
        return self.seal(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(), associated)

    def open_json(self, sealed: Sealed, associated: str) -> Any:
        """Decrypt a value sealed by :meth:`seal_json`."""
        return json.loads(self.open(sealed, associated))

    def lookup_hash(self, purpose: str, value: str) -> str:
        """Keyed hash of a normalised value (trimmed, upper-case: ID numbers end in X or x)."""
        message = f"{purpose}\x00{value.strip().upper()}".encode()
        return hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()
