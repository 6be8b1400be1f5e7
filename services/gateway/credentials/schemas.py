"""API shapes of credentials."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class CredentialIn(BaseModel):
    """A new credential; the label is for humans (e.g. "ERP production")."""

    model_config = ConfigDict(extra="forbid")

    label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""


class CredentialOut(BaseModel):
    """A credential without its secret."""

    key_id: str
    party_id: str
    label: str
    fingerprint: str = Field(description="First 8 hex characters of SHA-256 of the secret.")
    status: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None


class CredentialCreated(CredentialOut):
    """A new credential: the only response that ever contains the secret."""

    secret: str = Field(description="Shown once. Store it in your secret manager now.")
