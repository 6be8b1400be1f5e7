"""Enveloped XML-DSig for CEB messages: software RSA/SM2 signers, a remote signer, and the send policy.

* :mod:`.algorithms` — URIs of interface-spec §6 and :class:`SignatureProfile`;
* :mod:`.xmldsig` — pure signing/reading mechanics (C14N, digest, placement);
* :mod:`.keys` / :mod:`.certificates` — RSA (cryptography) and SM2 (gmssl-pyx)
  keys, test identities, public keys from certificates;
* :mod:`.signer` — :class:`XmlSigner`, :class:`SoftwareXmlSigner`, :func:`verify_document`;
* :mod:`.remote` / :mod:`.server` / :mod:`.protocol` — signing over HTTP;
* :mod:`.policy` — :func:`ensure_signed`.
"""

from services.declaration.customs.core.signing.algorithms import (
    RSA_SHA1_PROFILE,
    SM2_SHA1_EPORT_PROFILE,
    SM2_SM3_PROFILE,
    KeyType,
    SignatureProfile,
)
from services.declaration.customs.core.signing.certificates import (
    SignerIdentity,
    generate_rsa_test_identity,
    generate_sm2_test_identity,
    verifying_key_from_certificate,
)
from services.declaration.customs.core.signing.keys import (
    RsaSigningKey,
    RsaVerifyingKey,
    Sm2Encoding,
    Sm2SigningKey,
    Sm2VerifyingKey,
)
from services.declaration.customs.core.signing.policy import (
    UnsignedMessageError,
    ensure_signed,
    signature_required,
)
from services.declaration.customs.core.signing.remote import RemoteSigner, RemoteSignerError
from services.declaration.customs.core.signing.server import create_signing_app
from services.declaration.customs.core.signing.signer import (
    SoftwareXmlSigner,
    Verification,
    XmlSigner,
    verify_document,
)

__all__ = [
    "RSA_SHA1_PROFILE",
    "SM2_SHA1_EPORT_PROFILE",
    "SM2_SM3_PROFILE",
    "KeyType",
    "RemoteSigner",
    "RemoteSignerError",
    "RsaSigningKey",
    "RsaVerifyingKey",
    "SignatureProfile",
    "SignerIdentity",
    "Sm2Encoding",
    "Sm2SigningKey",
    "Sm2VerifyingKey",
    "SoftwareXmlSigner",
    "UnsignedMessageError",
    "Verification",
    "XmlSigner",
    "create_signing_app",
    "ensure_signed",
    "generate_rsa_test_identity",
    "generate_sm2_test_identity",
    "signature_required",
    "verify_document",
    "verifying_key_from_certificate",
]
