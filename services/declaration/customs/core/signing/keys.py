"""Software keys for XML signatures: RSA through ``cryptography``, SM2 through ``gmssl-pyx``.

Both kinds present the same two small interfaces, :class:`SigningKey` and
:class:`VerifyingKey`, so the XML-DSig code never branches on the algorithm.

SM2 details (GB/T 32918.2, GM/T 0009):

* the signed value is ``e = SM3(Z_A ‖ M)`` with ``Z_A`` computed from the
  signer id — default ``1234567812345678``, the id every e-port UKey uses —
  and the public key; ``M`` is the canonical ``SignedInfo``;
* ``SignatureValue`` encoding is configurable: :attr:`Sm2Encoding.RAW`
  (``r ‖ s``, 32 + 32 bytes, the default) or :attr:`Sm2Encoding.DER`
  (``SEQUENCE {r, s}``).  RAW is the default because a real e-port UKey
  signature (WJ README, 2023) is 64 raw bytes and verifies that way (see
  tests/declaration/exchange/test_signing_interop.py).  Verification accepts
  either form: 64 bytes is RAW, anything else must be DER.

The pure-Python ``gmssl`` package is deliberately not used (non-CSPRNG nonces,
unchecked C3, see peers-and-standards.md §10); ``gmssl-pyx`` wraps the GmSSL C
library and is pinned in constraints.txt with known-answer tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable

import gmssl_pyx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from services.declaration.customs.core.signing import der
from services.declaration.customs.core.signing.algorithms import (
    SM2_DEFAULT_USER_ID,
    KeyType,
    SignatureProfile,
)

SM2_CURVE_OID = "1.2.156.10197.1.301"
EC_PUBLIC_KEY_OID = "1.2.840.10045.2.1"
SM2_WITH_SM3_OID = "1.2.156.10197.1.501"


class Sm2Encoding(StrEnum):
    """How an SM2 signature is written into ``SignatureValue``."""

    RAW = "raw"
    """``r ‖ s``, each 32 bytes big-endian (what e-port UKeys return)."""
    DER = "der"
    """ASN.1 ``SEQUENCE { r INTEGER, s INTEGER }`` (GM/T 0009)."""


@runtime_checkable
class VerifyingKey(Protocol):
    """A public key that checks ``SignatureValue`` bytes over canonical ``SignedInfo``."""

    @property
    def key_type(self) -> KeyType:
        """RSA or SM2."""
        ...

    def verify(self, signature: bytes, data: bytes, profile: SignatureProfile) -> bool:
        """True when ``signature`` is valid for ``data``."""
        ...


@runtime_checkable
class SigningKey(Protocol):
    """A private key that produces ``SignatureValue`` bytes."""

    @property
    def key_type(self) -> KeyType:
        """RSA or SM2."""
        ...

    def sign(self, data: bytes, profile: SignatureProfile) -> bytes:
        """Signature bytes (already in their ``SignatureValue`` encoding) over ``data``."""
        ...

    def verifying_key(self) -> VerifyingKey:
        """The matching public key."""
        ...


@dataclass(frozen=True)
class RsaVerifyingKey:
    """RSASSA-PKCS1-v1_5 public key (XML-DSig ``rsa-sha1``)."""

    public_key: rsa.RSAPublicKey
    key_type: KeyType = field(default=KeyType.RSA, init=False)

    def verify(self, signature: bytes, data: bytes, profile: SignatureProfile) -> bool:
        """PKCS#1 v1.5 verification with the profile's hash."""
        hash_class = profile.signature_hash
        if hash_class is None:
            raise ValueError(f"profile {profile.name} names no RSA hash")
        try:
            self.public_key.verify(signature, data, padding.PKCS1v15(), hash_class())
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class RsaSigningKey:
    """An RSA private key held in software (tests, or a platform-held key)."""

    private_key: rsa.RSAPrivateKey
    key_type: KeyType = field(default=KeyType.RSA, init=False)

    def sign(self, data: bytes, profile: SignatureProfile) -> bytes:
        """PKCS#1 v1.5 signature with the profile's hash (SHA-1 for ``rsa-sha1``)."""
        hash_class = profile.signature_hash
        if hash_class is None:
            raise ValueError(f"profile {profile.name} names no RSA hash")
        return self.private_key.sign(data, padding.PKCS1v15(), hash_class())

    def verifying_key(self) -> RsaVerifyingKey:
        """The public half."""
        return RsaVerifyingKey(self.private_key.public_key())


def sm2_raw_to_der(signature: bytes) -> bytes:
    """``r ‖ s`` (64 bytes) → DER ``SEQUENCE {r, s}``."""
    if len(signature) != 64:
        raise ValueError("a raw SM2 signature is exactly 64 bytes")
    return der.ecdsa_style_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )


def sm2_der_to_raw(signature: bytes) -> bytes:
    """DER ``SEQUENCE {r, s}`` → ``r ‖ s`` (64 bytes)."""
    r, s = der.parse_ecdsa_style_signature(signature)
    if r.bit_length() > 256 or s.bit_length() > 256:
        raise ValueError("SM2 signature components exceed 256 bits")
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


@dataclass(frozen=True)
class Sm2VerifyingKey:
    """SM2 public key: 64 bytes ``x ‖ y`` (an 0x04-prefixed 65-byte point is accepted)."""

    public_key: bytes
    user_id: bytes = SM2_DEFAULT_USER_ID
    key_type: KeyType = field(default=KeyType.SM2, init=False)

    def __post_init__(self) -> None:
        # normalize_sm2_public_key checks the point is on the curve.
        object.__setattr__(self, "public_key", gmssl_pyx.normalize_sm2_public_key(bytes(self.public_key)))

    def verify(self, signature: bytes, data: bytes, profile: SignatureProfile) -> bool:
        """SM2 verification of ``data`` with Z_A over :attr:`user_id`; RAW or DER signatures."""
        try:
            encoded = sm2_raw_to_der(signature) if len(signature) == 64 else signature
            der.parse_ecdsa_style_signature(encoded)
            return bool(gmssl_pyx.sm2_verify(self.public_key, data, encoded, self.user_id))
        except (ValueError, gmssl_pyx.GmsslInnerError):
            return False


@dataclass(frozen=True)
class Sm2SigningKey:
    """An SM2 key pair held in software (32-byte private key, 64-byte public key)."""

    private_key: bytes
    public_key: bytes
    user_id: bytes = SM2_DEFAULT_USER_ID
    encoding: Sm2Encoding = Sm2Encoding.RAW
    key_type: KeyType = field(default=KeyType.SM2, init=False)

    def __post_init__(self) -> None:
        if len(self.private_key) != 32:
            raise ValueError("an SM2 private key is 32 bytes")
        object.__setattr__(self, "public_key", gmssl_pyx.normalize_sm2_public_key(bytes(self.public_key)))

    @classmethod
    def generate(
        cls, encoding: Sm2Encoding = Sm2Encoding.RAW, user_id: bytes = SM2_DEFAULT_USER_ID
    ) -> Sm2SigningKey:
        """A fresh key pair from GmSSL's CSPRNG."""
        public, private = gmssl_pyx.sm2_key_generate()
        return cls(private, public, user_id, encoding)

    def sign(self, data: bytes, profile: SignatureProfile) -> bytes:
        """SM2 signature over SM3(Z_A ‖ data), in the configured encoding."""
        signature = gmssl_pyx.sm2_sign(self.private_key, self.public_key, data, self.user_id)
        return sm2_der_to_raw(signature) if self.encoding is Sm2Encoding.RAW else signature

    def verifying_key(self) -> Sm2VerifyingKey:
        """The public half."""
        return Sm2VerifyingKey(self.public_key, self.user_id)
