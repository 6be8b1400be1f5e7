"""API shapes of the token endpoint (RFC 6749 §5.1 and §5.2)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TokenOut(BaseModel):
    """An access token (RFC 6749 §5.1)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.…",
                    "token_type": "Bearer",
                    "expires_in": 900,
                }
            ]
        }
    )

    access_token: str = Field(description="An EdDSA JWT; send it as `Authorization: Bearer <token>`.")
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds the token is valid.")


class OAuthError(BaseModel):
    """A token endpoint error, RFC 6749 §5.2 (OAuth client libraries expect it, not problem+json)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"error": "invalid_client", "error_description": "Unknown, revoked or wrong credential."}
            ]
        }
    )

    error: Literal["invalid_request", "invalid_client", "unsupported_grant_type"]
    error_description: str


#: ``responses=`` of the token endpoint's refusals.
OAUTH_ERRORS: dict[int | str, dict[str, object]] = {
    400: {
        "description": "Malformed grant (`invalid_request`, `unsupported_grant_type`)",
        "model": OAuthError,
    },
    401: {"description": "Client authentication failed (`invalid_client`)", "model": OAuthError},
}
