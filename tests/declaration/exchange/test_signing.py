"""Enveloped XML-DSig: software RSA-SHA1 and SM2-with-SM3 signers, tampering, placement, policy."""

from __future__ import annotations

import base64

import gmssl_pyx
import pytest
from cryptography.hazmat.primitives import hashes
from lxml import etree

from services.declaration.ceb.catalogue import CEB_NS, DS_NS
from services.declaration.ceb.xml_codec import decode_xml
from services.declaration.customs.core.signing import (
    RSA_SHA1_PROFILE,
    SM2_SHA1_EPORT_PROFILE,
    SM2_SM3_PROFILE,
    Sm2Encoding,
    Sm2SigningKey,
    SoftwareXmlSigner,
    UnsignedMessageError,
    ensure_signed,
    signature_required,
    verify_document,
)
from services.declaration.customs.core.signing.algorithms import SM2_DEFAULT_USER_ID
from services.declaration.customs.core.signing.certificates import SignerIdentity, generate_sm2_test_identity
from services.declaration.customs.core.signing.keys import sm2_der_to_raw, sm2_raw_to_der
from services.declaration.customs.core.signing.xmldsig import AlreadySignedError
from tests.declaration.exchange.exchange_testdata import export_return_with_extend_message, unsigned_inventory

DS = f"{{{DS_NS}}}"

# --- known-answer tests pinning gmssl-pyx 2.1.0 and cryptography's SM3 -------------------------

SM3_VECTORS = [
    # GB/T 32905-2016 Appendix A.1 and A.2
    (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
    (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
]
# OpenSSL test/recipes/30-test_evp_data/evppkey_sm2.txt, key "SM2_key1" (Apache-2.0 test data).
OPENSSL_SM2_PRIVATE = bytes.fromhex("d09156733017bdad809fd9bbd8c693f60230593169b6f94aaf1c8ee138cc99b5")
OPENSSL_SM2_PUBLIC = bytes.fromhex(
    "393a2ad9e27e43acaaab85a19d3b85591e14406157175addd37bf77ff0caf9ed"
    "37fcf3a8b4f55c038523261fca6636afe6a7afa2a1482a606f5cb3a18b2e2a1e"
)
OPENSSL_SM2_VERIFY = [
    (
        "D7AD397F6FFA5D4F7F11E7217F241607DC30618C236D2C09C1B9EA8FDADEE2E8",
        "3046022100AB1DB64DE7C40EDBDE6651C9B8EBDB804673DB836E5D5C7FE15DCF9ED2725037"
        "022100EBA714451FF69B0BB930B379E192E7CD5FA6E3C41C7FBD8303B799AB54A54621",
    ),
    (
        "B1139602C6ECC9E15E2F3F9C635A1AFE737058BC15387479C1EA0D0B3D90E9E5",
        "3045022100E6E0414EBD3A656C35602AF14AB20287DBF30D57AF75C49A188ED4B42391F224"
        "02202F54F277C606F4605E1CE9514947FFDDF94C67A539804A4ED17F852288BDBE2E",
    ),
]
OPENSSL_SM2_CIPHERTEXT = (
    "30818A0220466BE2EF5C11782EC77864A0055417F407A5AFC11D653C6BCE69E417BB1D05B6022062B572E21FF0DDF5"
    "C726BD3F9FF2EAE56E6294713A607E9B9525628965F62CC804203C1B5713B5DB2728EB7BF775E44F4689FC32668BDC"
    "564F52EA45B09E8DF2A5F40422084A9D0CC2997092B7D3C404FCE95956EB604D732B2307A8E5B8900ED6608CA5B197"
)
# GB/T 32918.5 recommended curve parameters, for an independent Z_A computation.
SM2_A = bytes.fromhex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC")
SM2_B = bytes.fromhex("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93")
SM2_GX = bytes.fromhex("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7")
SM2_GY = bytes.fromhex("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0")


def _sm3(data: bytes) -> bytes:
    context = hashes.Hash(hashes.SM3())
    context.update(data)
    return context.finalize()


@pytest.mark.parametrize(("message", "expected"), SM3_VECTORS)
def test_sm3_known_answers_match_in_cryptography_and_gmssl_pyx(message: bytes, expected: str) -> None:
    assert _sm3(message).hex() == expected
    assert gmssl_pyx.sm3_hash(message).hex() == expected


@pytest.mark.parametrize(("digest", "signature"), OPENSSL_SM2_VERIFY)
def test_gmssl_pyx_verifies_openssl_sm2_known_answer_signatures(digest: str, signature: str) -> None:
    e, sig = bytes.fromhex(digest), bytes.fromhex(signature)
    assert gmssl_pyx.sm2_verify_sm3_digest(OPENSSL_SM2_PUBLIC, e, sig)
    assert not gmssl_pyx.sm2_verify_sm3_digest(OPENSSL_SM2_PUBLIC, bytes([e[0] ^ 1]) + e[1:], sig)


def test_gmssl_pyx_decrypts_the_openssl_sm2_known_answer_ciphertext() -> None:
    plain = gmssl_pyx.sm2_decrypt(OPENSSL_SM2_PRIVATE, bytes.fromhex(OPENSSL_SM2_CIPHERTEXT))
    assert plain == b"The floofy bunnies hop at midnight"


def test_sm2_signature_is_over_sm3_of_za_and_message_with_the_default_user_id() -> None:
    # Z_A computed here independently (GB/T 32918.2 §5.5) must be what gmssl-pyx uses.
    key = Sm2SigningKey.generate(encoding=Sm2Encoding.DER)
    message = b"<ds:SignedInfo>...</ds:SignedInfo>"
    entl = (len(SM2_DEFAULT_USER_ID) * 8).to_bytes(2, "big")
    z_a = _sm3(entl + SM2_DEFAULT_USER_ID + SM2_A + SM2_B + SM2_GX + SM2_GY + key.public_key)
    e = _sm3(z_a + message)
    signature = key.sign(message, SM2_SM3_PROFILE)
    assert gmssl_pyx.sm2_verify_sm3_digest(key.public_key, e, signature)
    assert not gmssl_pyx.sm2_verify_sm3_digest(key.public_key, _sm3(message), signature)


def test_sm2_raw_and_der_encodings_convert_losslessly_and_both_verify() -> None:
    key = Sm2SigningKey.generate(encoding=Sm2Encoding.RAW)
    raw = key.sign(b"data", SM2_SM3_PROFILE)
    assert len(raw) == 64
    assert sm2_der_to_raw(sm2_raw_to_der(raw)) == raw
    public = key.verifying_key()
    assert public.verify(raw, b"data", SM2_SM3_PROFILE)
    assert public.verify(sm2_raw_to_der(raw), b"data", SM2_SM3_PROFILE)
    assert not public.verify(raw, b"datb", SM2_SM3_PROFILE)
    assert not public.verify(b"\x30\x02garbage", b"data", SM2_SM3_PROFILE)


# --- XML signing -------------------------------------------------------------------------------


def _signers(rsa_identity: SignerIdentity, sm2_identity: SignerIdentity) -> list[SoftwareXmlSigner]:
    return [
        SoftwareXmlSigner(rsa_identity, RSA_SHA1_PROFILE),
        SoftwareXmlSigner(sm2_identity, SM2_SM3_PROFILE),
        SoftwareXmlSigner(sm2_identity, SM2_SHA1_EPORT_PROFILE),
    ]


@pytest.fixture
def signers(rsa_identity: SignerIdentity, sm2_identity: SignerIdentity) -> list[SoftwareXmlSigner]:
    return _signers(rsa_identity, sm2_identity)


def test_each_software_signer_round_trips_and_output_stays_xsd_valid(
    signers: list[SoftwareXmlSigner],
) -> None:
    document = unsigned_inventory()
    for signer in signers:
        signed = signer.sign_now(document)
        result = signer.verify(signed)
        assert result.valid, (signer.profile.name, result.reason)
        assert result.signature_method == signer.profile.signature_uri
        assert result.digest_method == signer.profile.digest_uri
        assert result.key_name == signer.identity.key_name
        assert result.certificate == signer.identity.certificate
        decoded = decode_xml(signed)
        assert decoded.ok, decoded.issues


def test_verification_with_the_embedded_certificate_works_for_rsa_and_sm2(
    signers: list[SoftwareXmlSigner],
) -> None:
    for signer in signers:
        result = verify_document(signer.sign_now(unsigned_inventory()))
        assert result.valid and result.key_source == "embedded_certificate", signer.profile.name


def test_import_signature_is_the_last_child_of_the_root(rsa_identity: SignerIdentity) -> None:
    signed = SoftwareXmlSigner(rsa_identity).sign_now(unsigned_inventory())
    root = etree.fromstring(signed)
    assert root[-1].tag == f"{DS}Signature"
    signed_info = root[-1].find(f"{DS}SignedInfo")
    assert signed_info is not None
    canonical = etree.tostring(signed_info, method="c14n")
    assert canonical.startswith(f'<ds:SignedInfo xmlns:ceb="{CEB_NS}" xmlns:ds="{DS_NS}">'.encode())


def test_export_signature_is_placed_before_extend_message(sm2_identity: SignerIdentity) -> None:
    signed = SoftwareXmlSigner(sm2_identity).sign_now(export_return_with_extend_message())
    names = [etree.QName(child).localname for child in etree.fromstring(signed)]
    assert names[-2:] == ["Signature", "ExtendMessage"]
    assert decode_xml(signed).ok


def test_tampering_one_byte_of_the_body_fails_the_digest(signers: list[SoftwareXmlSigner]) -> None:
    for signer in signers:
        signed = signer.sign_now(unsigned_inventory())
        tampered = signed.replace(b"<ceb:qty>2</ceb:qty>", b"<ceb:qty>3</ceb:qty>", 1)
        assert tampered != signed
        result = signer.verify(tampered)
        assert not result.valid and not result.digest_matches and result.signature_matches
        assert result.customs_code == "-621028"


def test_tampering_signed_info_fails_the_signature(signers: list[SoftwareXmlSigner]) -> None:
    for signer in signers:
        signed = signer.sign_now(unsigned_inventory())
        tampered = signed.replace(b'<ds:Reference URI="">', b'<ds:Reference URI="" Id="x">', 1)
        result = signer.verify(tampered)
        assert result.digest_matches and not result.signature_matches
        assert result.customs_code == "-621029"


def test_tampering_the_signature_value_fails(signers: list[SoftwareXmlSigner]) -> None:
    for signer in signers:
        signed = signer.sign_now(unsigned_inventory())
        root = etree.fromstring(signed)
        value = root.find(f"{DS}Signature/{DS}SignatureValue")
        assert value is not None and value.text
        raw = bytearray(base64.b64decode(value.text))
        raw[10] ^= 0x01
        value.text = base64.b64encode(bytes(raw)).decode()
        assert not signer.verify(etree.tostring(root)).valid


def test_a_document_signed_with_another_key_fails_with_the_configured_key(
    sm2_identity: SignerIdentity,
) -> None:
    other = SoftwareXmlSigner(generate_sm2_test_identity())
    signed = other.sign_now(unsigned_inventory())
    result = SoftwareXmlSigner(sm2_identity).verify(signed)
    assert not result.valid and result.key_source == "configured"


def test_signing_twice_is_refused(rsa_identity: SignerIdentity) -> None:
    signer = SoftwareXmlSigner(rsa_identity)
    with pytest.raises(AlreadySignedError):
        signer.sign_now(signer.sign_now(unsigned_inventory()))


def test_a_second_signature_or_a_foreign_transform_is_rejected(rsa_identity: SignerIdentity) -> None:
    signer = SoftwareXmlSigner(rsa_identity)
    signed = signer.sign_now(unsigned_inventory())
    root = etree.fromstring(signed)
    root.append(etree.fromstring(etree.tostring(root[-1])))
    assert "more than one" in (signer.verify(etree.tostring(root)).reason or "")
    xpath = signed.replace(
        b'<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>',
        b'<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"/>',
    )
    assert "transforms" in (signer.verify(xpath).reason or "")


def test_unsigned_document_verifies_as_invalid_with_a_reason(rsa_identity: SignerIdentity) -> None:
    result = SoftwareXmlSigner(rsa_identity).verify(unsigned_inventory())
    assert not result.valid and "no ds:Signature" in (result.reason or "")


# --- send policy --------------------------------------------------------------------------------


def test_declared_inventory_is_never_sent_unsigned(rsa_identity: SignerIdentity) -> None:
    document = unsigned_inventory(app_status="2")
    assert signature_required(document)
    with pytest.raises(UnsignedMessageError):
        ensure_signed(document)
    signer = SoftwareXmlSigner(rsa_identity)
    signed = signer.sign_now(document)
    ensure_signed(signed, signer)
    with pytest.raises(UnsignedMessageError):
        ensure_signed(signed.replace(b"<ceb:qty>2</ceb:qty>", b"<ceb:qty>3</ceb:qty>", 1), signer)


def test_staged_inventory_and_unsigned_order_need_no_signature() -> None:
    assert not signature_required(unsigned_inventory(app_status="1"))
    ensure_signed(unsigned_inventory(app_status="1"))
    from services.declaration.ceb.xml_codec import encode_xml
    from tests.declaration.unit.ceb_testdata import order_message

    order = encode_xml(order_message())
    assert not signature_required(order)
    ensure_signed(order)
