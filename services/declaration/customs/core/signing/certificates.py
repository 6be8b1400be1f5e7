"""Signer identities: a key, its certificate (``X509Certificate``) and ``KeyName``.

``KeyInfo`` carries ``KeyName`` — the certificate number (证书编号) — and the
DER certificate in base64.  In the real signed CEB621 sample the KeyName
``01691fe9`` is the certificate's serial number in hex, and the e-port UKey
bridge reports ``certNo`` the same way, so :func:`key_name_for_serial` is the
default; a configured name always wins.

Test identities are generated here, never committed: RSA certificates through
``cryptography``; SM2 certificates, which ``cryptography`` cannot build (no SM2
curve), by encoding the X.509 structure with :mod:`.der` and signing it with
SM2-with-SM3 (OID 1.2.156.10197.1.501) through ``gmssl-pyx``.  A production
SM2 certificate is issued by the local 数据分中心 and configured as a blob.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import gmssl_pyx
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from services.declaration.customs.core.signing import der
from services.declaration.customs.core.signing.algorithms import SM2_DEFAULT_USER_ID
from services.declaration.customs.core.signing.keys import (
    EC_PUBLIC_KEY_OID,
    SM2_CURVE_OID,
    SM2_WITH_SM3_OID,
    RsaSigningKey,
    RsaVerifyingKey,
    SigningKey,
    Sm2Encoding,
    Sm2SigningKey,
    Sm2VerifyingKey,
    VerifyingKey,
)


class CertificateError(ValueError):
    """A certificate could not be read or holds an unsupported key."""


@dataclass(frozen=True)
class SignerIdentity:
    """Everything a software signer needs: key, DER certificate (optional) and KeyName."""

    key: SigningKey
    certificate: bytes | None
    key_name: str


def key_name_for_serial(serial: int) -> str:
    """Certificate number as the e-port writes it: the serial's big-endian bytes in lower-case hex."""
    return serial.to_bytes(max(1, (serial.bit_length() + 7) // 8), "big").hex()


def certificate_serial(certificate: bytes) -> int:
    """Serial number of a DER certificate (RSA or SM2)."""
    try:
        return x509.load_der_x509_certificate(certificate).serial_number
    except ValueError as exc:
        raise CertificateError(f"not a DER X.509 certificate: {exc}") from exc


def verifying_key_from_certificate(
    certificate: bytes, sm2_user_id: bytes = SM2_DEFAULT_USER_ID
) -> VerifyingKey:
    """The public key inside a DER certificate: RSA via ``cryptography``, SM2 via the DER walker."""
    try:
        parsed = x509.load_der_x509_certificate(certificate)
    except ValueError as exc:
        raise CertificateError(f"not a DER X.509 certificate: {exc}") from exc
    if parsed.public_key_algorithm_oid.dotted_string == EC_PUBLIC_KEY_OID:
        try:
            info = der.certificate_public_key_info(certificate)
        except der.DerError as exc:
            raise CertificateError(f"unreadable subjectPublicKeyInfo: {exc}") from exc
        if info.parameters != SM2_CURVE_OID:
            raise CertificateError(f"EC curve {info.parameters} is not SM2")
        try:
            return Sm2VerifyingKey(info.key, sm2_user_id)
        except ValueError as exc:
            raise CertificateError(f"invalid SM2 public key: {exc}") from exc
    key = parsed.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return RsaVerifyingKey(key)
    raise CertificateError(f"unsupported certificate key {parsed.public_key_algorithm_oid.dotted_string}")


def generate_rsa_test_identity(
    common_name: str = "DDT TEST SIGNER",
    key_size: int = 2048,
    valid_for: timedelta = timedelta(days=365),
    now: datetime | None = None,
) -> SignerIdentity:
    """A fresh RSA key with a self-signed certificate — for tests and local runs only."""
    now = now or datetime.now(UTC)
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    serial = x509.random_serial_number() >> 96  # short serials, like e-port certificate numbers
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(serial or 1)
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + valid_for)
        .sign(private_key, hashes.SHA256())
    )
    der_bytes = certificate.public_bytes(encoding=Encoding.DER)
    return SignerIdentity(
        RsaSigningKey(private_key), der_bytes, key_name_for_serial(certificate.serial_number)
    )


def generate_sm2_test_identity(
    common_name: str = "DDT TEST SM2 SIGNER",
    valid_for: timedelta = timedelta(days=365),
    now: datetime | None = None,
    encoding: Sm2Encoding = Sm2Encoding.RAW,
    user_id: bytes = SM2_DEFAULT_USER_ID,
) -> SignerIdentity:
    """A fresh SM2 key with a self-signed SM2-with-SM3 certificate — tests and local runs only."""
    now = now or datetime.now(UTC)
    key = Sm2SigningKey.generate(encoding=encoding, user_id=user_id)
    serial = int.from_bytes(secrets.token_bytes(8), "big") >> 1 or 1
    algorithm = der.sequence(der.oid(SM2_WITH_SM3_OID))
    name = der.sequence(
        der.tlv(der.SET, der.sequence(der.oid("2.5.4.3"), der.utf8(common_name))),
    )
    spki = der.sequence(
        der.sequence(der.oid(EC_PUBLIC_KEY_OID), der.oid(SM2_CURVE_OID)),
        der.bit_string(b"\x04" + key.public_key),
    )
    tbs = der.sequence(
        der.explicit(0, der.integer(2)),
        der.integer(serial),
        algorithm,
        name,
        der.sequence(der.utc_time(now - timedelta(minutes=5)), der.utc_time(now + valid_for)),
        name,
        spki,
    )
    # X.509 carries SM2 signatures DER-encoded whatever the XML encoding is.
    signature = gmssl_pyx.sm2_sign(key.private_key, key.public_key, tbs, user_id)
    certificate = der.sequence(tbs, algorithm, der.bit_string(signature))
    return SignerIdentity(key, certificate, key_name_for_serial(serial))
