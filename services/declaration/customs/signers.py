"""The XML signer the exchange signs with, built from settings.

* ``software`` — a key held by this service: RSA (PEM PKCS#8 in the credential) or SM2
  (``sm2:<private hex>:<public hex>``), with the certificate of ``customs_signer_certificate``
  in ``KeyInfo``;
* ``remote`` — :class:`~.core.signing.RemoteSigner` at ``customs_remote_signer_url``,
  the credential being its bearer token and the configured certificate pinning its key.

The profile (``rsa-sha1``, ``sm2-sm3``, ``sm2-sha1-eport``) may have its SignatureMethod and
DigestMethod URIs overridden, since real deployments disagree on the SM2 ones.

**Development keys.** With the credential at its development default, a software signer
uses a key generated once into ``<var>/customs-signer/<algorithm>.json`` (file mode 0600)
with a self-signed certificate whose subject says it is a development key. Production
refuses the default credential (a :func:`shared.settings.secret_field`), so it never
reaches this code path, and :func:`check_not_development` refuses a configured
certificate that is a development one.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.declaration.customs.core.signing import (
    RSA_SHA1_PROFILE,
    SM2_SHA1_EPORT_PROFILE,
    SM2_SM3_PROFILE,
    KeyType,
    RemoteSigner,
    RsaSigningKey,
    SignatureProfile,
    SignerIdentity,
    Sm2SigningKey,
    SoftwareXmlSigner,
    XmlSigner,
    generate_rsa_test_identity,
    generate_sm2_test_identity,
    verifying_key_from_certificate,
)
from services.declaration.customs.core.signing.algorithms import DIGEST_METHODS, SIGNATURE_METHODS
from services.declaration.customs.core.signing.certificates import certificate_serial, key_name_for_serial
from services.declaration.settings import DEV_SIGNER_CREDENTIAL, DeclarationSettings
from shared.settings import Environment

DEV_SUBJECT = "DDT DEVELOPMENT SIGNER - NOT FOR CUSTOMS"
PROFILES: dict[str, SignatureProfile] = {
    "rsa-sha1": RSA_SHA1_PROFILE,
    "sm2-sm3": SM2_SM3_PROFILE,
    "sm2-sha1-eport": SM2_SHA1_EPORT_PROFILE,
}


class SignerConfigurationError(ValueError):
    """The signer settings cannot produce a working signer."""


def profile_from(settings: DeclarationSettings) -> SignatureProfile:
    """The configured profile, with its URIs overridden where settings say so.

    An override URI is registered for verification with the algorithm of the profile it
    replaces, so our own self-check (and the simulator's) accepts what we write.
    """
    profile = PROFILES[settings.customs_signature_profile]
    signature_uri = settings.customs_signature_method_uri or profile.signature_uri
    digest_uri = settings.customs_digest_method_uri or profile.digest_uri
    if signature_uri != profile.signature_uri:
        SIGNATURE_METHODS.setdefault(signature_uri, SIGNATURE_METHODS[profile.signature_uri])
    if digest_uri != profile.digest_uri:
        DIGEST_METHODS.setdefault(digest_uri, DIGEST_METHODS[profile.digest_uri])
    if (signature_uri, digest_uri) == (profile.signature_uri, profile.digest_uri):
        return profile
    return dataclasses.replace(
        profile, name=f"{profile.name} (configured URIs)", signature_uri=signature_uri, digest_uri=digest_uri
    )


def build_signer(settings: DeclarationSettings) -> XmlSigner:
    """The signer the settings describe (generating the development key if it is the default)."""
    profile = profile_from(settings)
    credential = settings.customs_signer_credential.get_secret_value()
    certificate = _certificate(settings.customs_signer_certificate)
    if certificate is not None:
        check_not_development(certificate, settings)
    if settings.customs_signer == "remote":
        if not settings.customs_remote_signer_url:
            raise SignerConfigurationError("the remote signer needs customs_remote_signer_url")
        trusted = verifying_key_from_certificate(certificate) if certificate else None
        token = None if credential == DEV_SIGNER_CREDENTIAL else credential
        return RemoteSigner(settings.customs_remote_signer_url, profile, token=token, trusted_key=trusted)
    if credential == DEV_SIGNER_CREDENTIAL:
        identity = development_identity(settings.platform.var_dir, profile.key_type)
    else:
        identity = _configured_identity(credential, certificate, settings.customs_signer_key_name)
    if identity.key.key_type is not profile.key_type:
        raise SignerConfigurationError(
            f"profile {settings.customs_signature_profile} needs a {profile.key_type} key, "
            f"the credential holds a {identity.key.key_type} key"
        )
    return SoftwareXmlSigner(identity, profile)


def check_not_development(certificate: bytes, settings: DeclarationSettings) -> None:
    """Production refuses a development certificate."""
    if settings.environment is not Environment.PRODUCTION:
        return
    try:
        subject = x509.load_der_x509_certificate(certificate).subject.rfc4514_string()
    except ValueError:
        return  # SM2 certificates are not readable by cryptography; they are not ours either
    if DEV_SUBJECT in subject:
        raise SignerConfigurationError("production refuses the development signing certificate")


def development_identity(var_dir: Path, key_type: KeyType) -> SignerIdentity:
    """The development key of ``key_type``, generated into ``var_dir`` on first use."""
    path = Path(var_dir) / "customs-signer" / f"{key_type.value}.json"
    if path.exists():
        return _read_identity(json.loads(path.read_text("utf-8")))
    identity = (
        generate_rsa_test_identity(common_name=DEV_SUBJECT)
        if key_type is KeyType.RSA
        else generate_sm2_test_identity(common_name=DEV_SUBJECT)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(_write_identity(identity), handle)
    os.replace(temporary, path)  # two processes starting at once: one file wins, both are usable
    return _read_identity(json.loads(path.read_text("utf-8")))


def _write_identity(identity: SignerIdentity) -> dict[str, str]:
    key = identity.key
    data = {
        "keyName": identity.key_name,
        "certificate": base64.b64encode(identity.certificate or b"").decode(),
    }
    if isinstance(key, RsaSigningKey):
        data["rsa"] = key.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
    elif isinstance(key, Sm2SigningKey):
        data["sm2"] = f"sm2:{key.private_key.hex()}:{key.public_key.hex()}"
    return data


def _read_identity(data: dict[str, str]) -> SignerIdentity:
    credential = data.get("rsa") or data.get("sm2") or ""
    return _configured_identity(credential, base64.b64decode(data["certificate"]) or None, data["keyName"])


def _configured_identity(credential: str, certificate: bytes | None, key_name: str | None) -> SignerIdentity:
    text = credential.strip()
    if text.startswith("sm2:"):
        try:
            _, private_hex, public_hex = text.split(":")
            key: RsaSigningKey | Sm2SigningKey = Sm2SigningKey(
                bytes.fromhex(private_hex), bytes.fromhex(public_hex)
            )
        except ValueError as exc:
            raise SignerConfigurationError("an SM2 credential is `sm2:<private hex>:<public hex>`") from exc
    else:
        try:
            loaded = serialization.load_pem_private_key(text.encode(), password=None)
        except ValueError as exc:
            raise SignerConfigurationError(
                "the signer credential is neither an RSA PEM key nor sm2:…"
            ) from exc
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise SignerConfigurationError("only RSA PEM keys are supported (SM2 keys use the sm2: form)")
        key = RsaSigningKey(loaded)
    name = key_name or (key_name_for_serial(certificate_serial(certificate)) if certificate else "platform")
    return SignerIdentity(key, certificate, name)


def _certificate(configured: str | None) -> bytes | None:
    if not configured:
        return None
    text = configured.strip()
    if text.startswith("-----BEGIN"):
        return x509.load_pem_x509_certificate(text.encode()).public_bytes(serialization.Encoding.DER)
    return base64.b64decode("".join(text.split()), validate=True)


__all__ = ["PROFILES", "SignerConfigurationError", "build_signer", "development_identity", "profile_from"]
