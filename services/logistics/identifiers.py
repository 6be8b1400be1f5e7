"""Random, non-enumerable ids for the logistics service's own objects (``wh_…``, ``sku_…``)."""

from __future__ import annotations

import base64
import secrets


def new_id(prefix: str) -> str:
    """``prefix`` + ``_`` + 20 base32 characters (100 random bits): unguessable, URL-safe."""
    return f"{prefix}_" + base64.b32encode(secrets.token_bytes(10)).decode().lower()
