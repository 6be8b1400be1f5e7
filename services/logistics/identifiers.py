"""Random, non-enumerable ids for the logistics service's own objects (``wh_…``, ``sku_…``), and
fingerprints of requests (a repeated request must match the first)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any


def new_id(prefix: str) -> str:
    """``prefix`` + ``_`` + 20 base32 characters (100 random bits): unguessable, URL-safe."""
    return f"{prefix}_" + base64.b32encode(secrets.token_bytes(10)).decode().lower()


def fingerprint(value: Any) -> str:
    """SHA-256 of a JSON-able value's canonical form: what a repeated request must match."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
