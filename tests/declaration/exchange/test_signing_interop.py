"""Interoperability with real e-port signatures.

1. The real signed CEB621 of customs-domain.md §5.2 (copied to
   fixtures/CEB621Message_signed_wj.xml) parses, validates, and its structure
   reads.  Its DigestValue can **not** be recomputed: the copy was re-indented
   and lost the root's ``xmlns:xsi`` declaration (the signing service's own
   ``SignedInfo`` printout shows it was in scope), so the signed bytes are not
   available.  The certificate in the copy is its own base64 lines shuffled
   (so it is not DER).  Restoring the line order and the ``xmlns:xsi`` context
   and compacting ``SignedInfo`` makes the SignatureValue verify — which proves
   our ``SignedInfo`` canonicalisation and RSA-SHA1 check match what the e-port
   UKey produced.
2. An SM2 signature produced by an e-port UKey (WJ README, 2023): 64 raw bytes
   ``r ‖ s``, over canonical ``SignedInfo``, Z_A with the default user id —
   verifies with our SM2 key class.  This is why RAW is the default encoding.
"""

from __future__ import annotations

import base64
import re

from cryptography import x509
from lxml import etree

from services.declaration.ceb.catalogue import DS_NS
from services.declaration.ceb.xml_codec import decode_xml
from services.declaration.customs.core.signing import SM2_SHA1_EPORT_PROFILE, Sm2VerifyingKey, verify_document
from services.declaration.customs.core.signing.algorithms import RSA_SHA1_PROFILE, SM2_SM3_W3C_NAMESPACE
from services.declaration.customs.core.signing.certificates import (
    key_name_for_serial,
    verifying_key_from_certificate,
)
from services.declaration.customs.core.signing.xmldsig import canonical_signed_info, inspect
from tests.declaration.exchange.exchange_testdata import FIXTURES

SAMPLE = FIXTURES / "CEB621Message_signed_wj.xml"
# Where each 64-character certificate line of the sample belongs (found by matching
# the lines against the certificate the same signing service printed in its README).
CERTIFICATE_LINE_ORDER = [
    1,
    3,
    0,
    2,
    5,
    7,
    4,
    8,
    6,
    10,
    12,
    13,
    9,
    11,
    14,
    15,
    16,
    18,
    17,
    20,
    19,
    22,
    21,
    24,
    23,
    25,
    26,
]
XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'

# e-port UKey SM2 signature (WJ README "XML加签响应示例", 2023-07-15): the public
# key of certificate 03000000000cde6f, the SignedInfo it signed, the signature.
EPORT_SM2_PUBLIC = bytes.fromhex(
    "d2f3909a9940afd8a03d9ac0f05d66b2a9c577453efba1ba3611b9acdb885167"
    "edd01c109fb792264b79fdfbd24a87bba54836fdac075163e7ce479e41cee856"
)
EPORT_SM2_SIGNED_INFO = (
    '<ds:SignedInfo xmlns:ceb="http://www.chinaport.gov.cn/ceb" '
    'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" '
    f"{XSI}>"
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"></ds:CanonicalizationMethod>'
    '<ds:SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sm2-sm3"></ds:SignatureMethod>'
    '<ds:Reference URI=""><ds:Transforms>'
    '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"></ds:Transform>'
    '</ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"></ds:DigestMethod>'
    "<ds:DigestValue>b2FtM/jHvW4fnJpMMPWk/177RwA=</ds:DigestValue></ds:Reference></ds:SignedInfo>"
).encode()
EPORT_SM2_SIGNATURE = base64.b64decode(
    "Pa2Ge3A1iH9e+85jIraVccvf2MB4ykjgC1MjObNd/MbPOSZRWTaizlnfReH3ErRMH5Wc3m60ZM6h56v7t7lIWg=="
)


def test_real_signed_sample_parses_validates_and_its_signature_structure_reads() -> None:
    data = SAMPLE.read_bytes()
    assert decode_xml(data).ok
    parts = inspect(data)
    assert parts.signature_method == RSA_SHA1_PROFILE.signature_uri
    assert parts.digest_value == base64.b64decode("b2FtM/jHvW4fnJpMMPWk/177RwA=")
    assert parts.key_name == "01691fe9"


def test_real_sample_digest_cannot_be_recomputed_and_its_certificate_is_scrambled() -> None:
    result = verify_document(SAMPLE.read_bytes())
    assert not result.valid
    assert "embedded certificate unusable" in (result.reason or "")
    assert not result.digest_matches  # re-indented copy: the signed bytes are gone


def test_real_sample_signature_value_verifies_once_its_context_is_restored() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    lines = re.search(r"<ds:X509Certificate>(.*?)</ds:X509Certificate>", text, re.S).group(1).split()  # type: ignore[union-attr]
    ordered = [""] * len(lines)
    for position, line in zip(CERTIFICATE_LINE_ORDER, lines, strict=True):
        ordered[position] = line
    certificate = base64.b64decode("".join(ordered))
    parsed = x509.load_der_x509_certificate(certificate)
    assert key_name_for_serial(parsed.serial_number) == "01691fe9"  # KeyName is the serial in hex
    key = verifying_key_from_certificate(certificate)

    restored = text.replace(
        'xmlns:ceb="http://www.chinaport.gov.cn/ceb"', f'xmlns:ceb="http://www.chinaport.gov.cn/ceb" {XSI}', 1
    )
    root = etree.fromstring(restored.encode())
    signature = root.find(f"{{{DS_NS}}}Signature")
    assert signature is not None
    for element in signature.iter():
        if element.text is not None and not element.text.strip():
            element.text = None
        element.tail = None if element is not signature else element.tail
    value = base64.b64decode("".join(signature.findtext(f"{{{DS_NS}}}SignatureValue", "").split()))
    assert key.verify(value, canonical_signed_info(signature), RSA_SHA1_PROFILE)
    assert not key.verify(value, canonical_signed_info(signature).replace(b"b2Ft", b"b2Fu"), RSA_SHA1_PROFILE)


def test_eport_ukey_sm2_signature_verifies_as_raw_r_s_with_the_default_user_id() -> None:
    assert len(EPORT_SM2_SIGNATURE) == 64
    assert SM2_SHA1_EPORT_PROFILE.signature_uri == SM2_SM3_W3C_NAMESPACE
    key = Sm2VerifyingKey(EPORT_SM2_PUBLIC)
    assert key.verify(EPORT_SM2_SIGNATURE, EPORT_SM2_SIGNED_INFO, SM2_SHA1_EPORT_PROFILE)
    assert not key.verify(
        EPORT_SM2_SIGNATURE, EPORT_SM2_SIGNED_INFO.replace(b"b2Ft", b"b2Fu"), SM2_SHA1_EPORT_PROFILE
    )
    assert not Sm2VerifyingKey(EPORT_SM2_PUBLIC, user_id=b"other").verify(
        EPORT_SM2_SIGNATURE, EPORT_SM2_SIGNED_INFO, SM2_SHA1_EPORT_PROFILE
    )
