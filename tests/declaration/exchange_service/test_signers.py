"""The signer the exchange builds from settings; what customs needs signed never leaves unsigned."""

from __future__ import annotations

import base64
import datetime as dt
import stat
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from services.declaration.context import DeclarationContext
from services.declaration.customs.core.signing import (
    RemoteSigner,
    RsaSigningKey,
    SoftwareXmlSigner,
    UnsignedMessageError,
    create_signing_app,
    generate_rsa_test_identity,
    generate_sm2_test_identity,
    verify_document,
)
from services.declaration.customs.core.signing.algorithms import SM2_SM3_PROFILE, SM2_SM3_W3C_NAMESPACE
from services.declaration.customs.outbound import MessageBuilder, OutboundPlan
from services.declaration.customs.signers import (
    DEV_SUBJECT,
    SignerConfigurationError,
    build_signer,
    check_not_development,
)
from services.declaration.settings import DeclarationSettings
from shared.settings import Environment, PlatformSettings
from tests.declaration.exchange.exchange_testdata import unsigned_inventory
from tests.declaration.unit.ceb_testdata import inventory_message
from tests.support.services import served


def _settings(tmp_path: Path, **overrides: Any) -> DeclarationSettings:
    return DeclarationSettings(platform=PlatformSettings(var_dir=tmp_path), **overrides)


def test_the_development_key_is_generated_once_private_and_reused(tmp_path: Path) -> None:
    first = build_signer(_settings(tmp_path))
    again = build_signer(_settings(tmp_path))
    assert isinstance(first, SoftwareXmlSigner) and isinstance(again, SoftwareXmlSigner)
    key_file = tmp_path / "customs-signer" / "rsa.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.identity.certificate == again.identity.certificate
    signed = again.sign_now(unsigned_inventory())
    assert verify_document(signed).valid


def test_sm2_with_the_uris_a_deployment_uses(tmp_path: Path) -> None:
    signer = build_signer(
        _settings(
            tmp_path, customs_signature_profile="sm2-sm3", customs_signature_method_uri=SM2_SM3_W3C_NAMESPACE
        )
    )
    signed = signer.sign_now(unsigned_inventory())  # type: ignore[attr-defined]
    assert SM2_SM3_W3C_NAMESPACE.encode() in signed
    result = verify_document(signed)
    assert result.valid and result.signature_method == SM2_SM3_W3C_NAMESPACE


def test_a_configured_rsa_key_and_certificate_are_used_with_the_certificate_serial_as_key_name(
    tmp_path: Path,
) -> None:
    identity = generate_rsa_test_identity(common_name="DDT PLATFORM")
    assert isinstance(identity.key, RsaSigningKey)
    pem = identity.key.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    signer = build_signer(
        _settings(
            tmp_path,
            customs_signer_credential=pem,
            customs_signer_certificate=base64.b64encode(identity.certificate or b"").decode(),
        )
    )
    signed = signer.sign_now(unsigned_inventory())  # type: ignore[attr-defined]
    assert f"<ds:KeyName>{identity.key_name}</ds:KeyName>".encode() in signed
    assert verify_document(signed).valid
    assert not (tmp_path / "customs-signer").exists()  # nothing generated


def test_a_key_that_does_not_fit_the_profile_is_refused(tmp_path: Path) -> None:
    identity = generate_rsa_test_identity()
    pem = identity.key.private_key.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    with pytest.raises(SignerConfigurationError):
        build_signer(_settings(tmp_path, customs_signer_credential=pem, customs_signature_profile="sm2-sm3"))
    with pytest.raises(SignerConfigurationError):
        build_signer(_settings(tmp_path, customs_signer_credential="not a key"))


def test_production_refuses_development_keys_and_the_simulator(tmp_path: Path) -> None:
    production = PlatformSettings(environment=Environment.PRODUCTION, identity_public_key="x" * 43)
    keys = {
        "pii_keys": "k1:" + "A" * 43,
        "pii_hash_key": "B" * 43,
        "database_url": "postgresql+asyncpg://db/x",
    }
    with pytest.raises(ValueError, match="DDT_DECLARATION_CUSTOMS_SIGNER_CREDENTIAL"):
        DeclarationSettings(platform=production, customs_transport="directory", **keys)
    with pytest.raises(ValueError, match="simulator"):
        DeclarationSettings(platform=production, customs_signer_credential="real", **keys)
    settings = DeclarationSettings(
        platform=production, customs_transport="directory", customs_signer_credential="real", **keys
    )
    development = generate_rsa_test_identity(common_name=DEV_SUBJECT)
    with pytest.raises(SignerConfigurationError, match="development"):
        check_not_development(development.certificate or b"", settings)


async def test_the_remote_signer_signs_through_the_signing_server_and_pins_its_key(tmp_path: Path) -> None:
    identity = generate_sm2_test_identity()
    app = create_signing_app(identity, SM2_SM3_PROFILE, token="secret-token")
    async with served(app) as url:
        signer = build_signer(
            _settings(
                tmp_path,
                customs_signer="remote",
                customs_remote_signer_url=url,
                customs_signature_profile="sm2-sm3",
                customs_signer_credential="secret-token",
                customs_signer_certificate=base64.b64encode(identity.certificate or b"").decode(),
            )
        )
        assert isinstance(signer, RemoteSigner)
        signed = await signer.sign(unsigned_inventory())
    assert verify_document(signed, identity.key.verifying_key()).valid


class _NotSigning:
    """A signer that forgets to sign."""

    profile = SM2_SM3_PROFILE

    async def sign(self, document: bytes) -> bytes:
        return document

    def verify(self, signed: bytes) -> Any:
        raise AssertionError("the builder checks for a signature element; it never verifies")


async def test_a_declared_inventory_is_never_staged_unsigned(tmp_path: Path) -> None:
    ctx = DeclarationContext.from_settings(_settings(tmp_path))
    record = inventory_message("1210").records[0]
    document = SimpleNamespace(
        id="d1", body={"head": {k: _json(v) for k, v in record.head.items()},
                       "lines": [{k: _json(v) for k, v in line.items()} for line in record.lines]},
        pii_cipher=None, pii_key_id=None, revision=1, app_type="1", record_index=0,
    )  # fmt: skip
    filing = SimpleNamespace(
        id="f1", envelope={"baseTransfer": {"copCode": "3207960005", "copName": "x", "dxpMode": "DXP",
                                              "dxpId": "DXPENT0000000001"}},
        content_format="json", accepted_count=1, record_count=1, direction="import", party_id="p",
    )  # fmt: skip
    builder = MessageBuilder(ctx, _NotSigning())  # type: ignore[arg-type]
    plan = OutboundPlan(filing, "CEB621", [document])  # type: ignore[arg-type]
    with pytest.raises(UnsignedMessageError):
        await builder.build(plan, dt.datetime.now(dt.UTC))


def _json(value: Any) -> Any:
    from services.declaration.ceb.json_codec import json_value

    return json_value(value)
