"""Algorithm identifiers of the customs XML signature (interface-spec §6) and signature profiles.

The 202205 specification fixes the canonicalisation (C14N 1.0), the enveloped
transform with ``Reference URI=""``, and one of two algorithm pairs:

* national: SignatureMethod ``http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3``
  with DigestMethod ``http://www.chinaport.gov.cn/2022/04/xmldsig#sm3`` (preferred);
* general: ``http://www.w3.org/2000/09/xmldsig#rsa-sha1`` with ``…#sha1``.

Real deployments disagree with the national URIs: the e-port UKey bridge used
at the Haikou and Guangzhou e-ports (customs-domain.md §4.5, "WJ") writes
``http://www.w3.org/2000/09/xmldsig#sm2-sm3`` with a *SHA-1* digest.  So a
:class:`SignatureProfile` carries both URIs and the digest hash explicitly and
callers may build their own; verification accepts any URI in
:data:`SIGNATURE_METHODS` / :data:`DIGEST_METHODS` (both extendable).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cryptography.hazmat.primitives import hashes

C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_WITH_COMMENTS = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
ENVELOPED_SIGNATURE = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SM2_SM3 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"
SM2_SM3_W3C_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#sm2-sm3"
"""The URI the WJ UKey bridge writes; not in the spec, accepted by some e-ports."""

SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SM3 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"

SM2_DEFAULT_USER_ID = b"1234567812345678"
"""GB/T 32918 / GM/T 0009 default signer id, used in Z_A by every e-port UKey."""


class KeyType(StrEnum):
    """Kind of key behind a signature method."""

    RSA = "rsa"
    SM2 = "sm2"


@dataclass(frozen=True)
class SignatureProfile:
    """What to write into ``SignedInfo`` and how to compute it.

    ``digest`` hashes the canonical document for ``DigestValue``;
    ``signature_hash`` is the hash inside an RSA signature (SM2 always uses
    SM3 over Z_A ‖ M, so it is ignored there).
    """

    name: str
    signature_uri: str
    digest_uri: str
    key_type: KeyType
    digest: type[hashes.HashAlgorithm]
    signature_hash: type[hashes.HashAlgorithm] | None = None


RSA_SHA1_PROFILE = SignatureProfile("rsa-sha1", RSA_SHA1, SHA1, KeyType.RSA, hashes.SHA1, hashes.SHA1)
SM2_SM3_PROFILE = SignatureProfile("sm2-sm3 (202205 spec)", SM2_SM3, SM3, KeyType.SM2, hashes.SM3)
SM2_SHA1_EPORT_PROFILE = SignatureProfile(
    "sm2-sm3 with sha1 digest (e-port UKey bridge)", SM2_SM3_W3C_NAMESPACE, SHA1, KeyType.SM2, hashes.SHA1
)

# URI → (key type, hash inside the signature).  Verification resolves what a
# received SignedInfo names through these; add entries to accept more.
SIGNATURE_METHODS: dict[str, tuple[KeyType, type[hashes.HashAlgorithm]]] = {
    RSA_SHA1: (KeyType.RSA, hashes.SHA1),
    RSA_SHA256: (KeyType.RSA, hashes.SHA256),
    SM2_SM3: (KeyType.SM2, hashes.SM3),
    SM2_SM3_W3C_NAMESPACE: (KeyType.SM2, hashes.SM3),
}
DIGEST_METHODS: dict[str, type[hashes.HashAlgorithm]] = {
    SHA1: hashes.SHA1,
    SHA256: hashes.SHA256,
    SM3: hashes.SM3,
}


def digest_bytes(algorithm: type[hashes.HashAlgorithm], data: bytes) -> bytes:
    """Hash ``data`` with a cryptography hash class (SM3 included)."""
    context = hashes.Hash(algorithm())
    context.update(data)
    return context.finalize()
