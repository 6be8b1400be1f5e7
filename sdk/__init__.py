"""Diandiantong (点点通) reference client SDK: request signing, HTTP clients, webhook checks.

Self-contained (standard library + httpx) so that ERP integrators can copy it.
The signing rules live in :mod:`sdk.signing` and are documented in docs/signing.md.
"""

from .client import AsyncDdtClient, DdtApiError, DdtClient, IdempotencyProblemCode
from .signing import (
    ALGORITHM,
    AuthProblemCode,
    SignatureError,
    SignedRequest,
    canonical_request,
    prepare_signature,
    sign_request,
    verify_request,
)
from .webhooks import WebhookVerificationError, sign_webhook, verify_webhook

__all__ = [
    "ALGORITHM",
    "AsyncDdtClient",
    "AuthProblemCode",
    "DdtApiError",
    "DdtClient",
    "IdempotencyProblemCode",
    "SignatureError",
    "SignedRequest",
    "WebhookVerificationError",
    "canonical_request",
    "prepare_signature",
    "sign_request",
    "sign_webhook",
    "verify_request",
    "verify_webhook",
]
