"""The signer interface and the software signer (RSA-SHA1 or SM2-with-SM3).

Every signer exposes ``await sign(document) -> signed bytes`` (async because
one implementation, :class:`~.remote.RemoteSigner`, does network I/O) and
``verify(signed) -> Verification`` (always local and synchronous).

Verification trusts, in order: a configured public key (``trusted_key`` —
what customs does with a registered certificate), otherwise, when allowed, the
certificate embedded in ``KeyInfo``.  The latter proves integrity and who
*claims* to have signed, not that the certificate is genuine: checking the
chain to the e-port CA is out of scope here and :attr:`Verification.key_source`
says which key was used.
"""

from __future__ import annotations

import hmac
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Literal, Protocol, runtime_checkable

from services.declaration.ceb.xml_security import XmlLimits
from services.declaration.customs.core.signing.algorithms import (
    DIGEST_METHODS,
    RSA_SHA1_PROFILE,
    SIGNATURE_METHODS,
    SM2_SM3_PROFILE,
    KeyType,
    SignatureProfile,
)
from services.declaration.customs.core.signing.certificates import (
    CertificateError,
    SignerIdentity,
    verifying_key_from_certificate,
)
from services.declaration.customs.core.signing.keys import VerifyingKey
from services.declaration.customs.core.signing.xmldsig import (
    SignatureFormatError,
    SignatureParts,
    complete,
    inspect,
    prepare,
)

KeySource = Literal["configured", "embedded_certificate", "none"]


@dataclass(frozen=True)
class Verification:
    """Outcome of verifying one signed document.

    ``valid`` needs both ``digest_matches`` (the document is what was signed —
    customs ``-621028 加签数据比对失败`` when not) and ``signature_matches``
    (the key signed ``SignedInfo`` — ``-621029 验签失败`` / exchange ``1001``).
    """

    valid: bool
    reason: str | None
    digest_matches: bool = False
    signature_matches: bool = False
    signature_method: str | None = None
    digest_method: str | None = None
    key_name: str | None = None
    certificate: bytes | None = None
    key_source: KeySource = "none"

    @property
    def customs_code(self) -> str | None:
        """The customs business code for a failure (``-621028`` digest, ``-621029`` signature)."""
        if self.valid:
            return None
        return "-621028" if not self.digest_matches else "-621029"


@runtime_checkable
class XmlSigner(Protocol):
    """Signs CEB documents (enveloped XML-DSig) and verifies signed ones."""

    profile: SignatureProfile

    async def sign(self, document: bytes) -> bytes:
        """The document with ``ds:Signature`` inserted at its XSD position."""
        ...

    def verify(self, signed: bytes) -> Verification:
        """Check digest and signature of a signed document."""
        ...


def verify_document(
    signed: bytes,
    trusted_key: VerifyingKey | None = None,
    allow_embedded_certificate: bool = True,
    allowed_signature_methods: Collection[str] | None = None,
    sm2_user_id: bytes | None = None,
    limits: XmlLimits | None = None,
) -> Verification:
    """Verify an enveloped signature with a trusted key or the embedded certificate."""
    try:
        parts = inspect(signed, limits)
    except SignatureFormatError as exc:
        return Verification(False, str(exc))
    base = Verification(
        False,
        None,
        signature_method=parts.signature_method,
        digest_method=parts.digest_method,
        key_name=parts.key_name,
        certificate=parts.certificate,
    )
    digest_ok = hmac.compare_digest(parts.digest_value, parts.computed_digest)
    method = SIGNATURE_METHODS.get(parts.signature_method)
    if method is None or (
        allowed_signature_methods is not None and parts.signature_method not in allowed_signature_methods
    ):
        reason = f"SignatureMethod {parts.signature_method!r} is not accepted"
        return replace(base, reason=reason, digest_matches=digest_ok)
    key_type, signature_hash = method
    key, source, key_error = _resolve_key(parts, trusted_key, allow_embedded_certificate, sm2_user_id)
    if key is None:
        return replace(base, reason=key_error, digest_matches=digest_ok)
    if key.key_type is not key_type:
        reason = f"{parts.signature_method} needs a {key_type} key, got {key.key_type}"
        return replace(base, reason=reason, digest_matches=digest_ok)
    profile = SignatureProfile(
        "received",
        parts.signature_method,
        parts.digest_method,
        key_type,
        DIGEST_METHODS[parts.digest_method],
        signature_hash,
    )
    signature_ok = key.verify(parts.signature_value, parts.signed_info, profile)
    reasons = []
    if not digest_ok:
        reasons.append("DigestValue does not match the document (content changed after signing)")
    if not signature_ok:
        reasons.append("SignatureValue does not verify over SignedInfo with the key")
    return replace(
        base,
        valid=digest_ok and signature_ok,
        reason="; ".join(reasons) or None,
        digest_matches=digest_ok,
        signature_matches=signature_ok,
        key_source=source,
    )


def _resolve_key(
    parts: SignatureParts,
    trusted_key: VerifyingKey | None,
    allow_embedded: bool,
    sm2_user_id: bytes | None,
) -> tuple[VerifyingKey | None, KeySource, str]:
    if trusted_key is not None:
        return trusted_key, "configured", ""
    if not allow_embedded:
        return None, "none", "no trusted key configured and embedded certificates are not accepted"
    certificate = parts.certificate
    if certificate is None:
        return (
            None,
            "none",
            parts.certificate_error or "no X509Certificate in KeyInfo and no trusted key configured",
        )
    try:
        if sm2_user_id is not None:
            return verifying_key_from_certificate(certificate, sm2_user_id), "embedded_certificate", ""
        return verifying_key_from_certificate(certificate), "embedded_certificate", ""
    except CertificateError as exc:
        return None, "none", f"embedded certificate unusable: {exc}"


class SoftwareXmlSigner:
    """Signs with a key held in this process: RSA-SHA1 or SM2-with-SM3 (any :class:`SignatureProfile`).

    ``identity.certificate`` and ``identity.key_name`` fill ``KeyInfo``.  For
    SM2, where ``cryptography`` cannot read the certificate, verification uses
    the key pair's own public key (``trusted_key`` defaults to it), so a
    configured certificate blob never has to be parsed to sign or self-check.
    """

    def __init__(
        self,
        identity: SignerIdentity,
        profile: SignatureProfile | None = None,
        trusted_key: VerifyingKey | None = None,
        limits: XmlLimits | None = None,
    ) -> None:
        self.identity = identity
        self.profile = profile or (
            RSA_SHA1_PROFILE if identity.key.key_type is KeyType.RSA else SM2_SM3_PROFILE
        )
        if self.profile.key_type is not identity.key.key_type:
            raise ValueError(f"profile {self.profile.name} needs a {self.profile.key_type} key")
        self.trusted_key = trusted_key or identity.key.verifying_key()
        self.limits = limits

    def sign_now(self, document: bytes) -> bytes:
        """Synchronous signing (no I/O is involved for a software key)."""
        prepared = prepare(document, self.profile, self.limits)
        value = self.identity.key.sign(prepared.signed_info, self.profile)
        return complete(prepared, value, self.identity.key_name, self.identity.certificate)

    async def sign(self, document: bytes) -> bytes:
        """:meth:`sign_now`, for the :class:`XmlSigner` interface."""
        return self.sign_now(document)

    def verify(self, signed: bytes) -> Verification:
        """Verify with this signer's own public key."""
        return verify_document(signed, self.trusted_key, limits=self.limits)
