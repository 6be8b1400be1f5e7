"""The few DER (X.690) pieces SM2 needs that ``cryptography`` cannot provide.

``cryptography`` has no SM2 curve, so it can neither build an SM2 certificate
nor hand out the public key of one.  This module encodes and walks just
enough ASN.1 for that: INTEGER/SEQUENCE for SM2 signatures (GM/T 0009
``SM2Signature ::= SEQUENCE { r INTEGER, s INTEGER }``), and the
Certificate → TBSCertificate → SubjectPublicKeyInfo path.  It is a strict
reader (definite lengths only, no trailing garbage) because certificates
arrive inside untrusted messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

SEQUENCE = 0x30
SET = 0x31
INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06
UTF8_STRING = 0x0C
PRINTABLE_STRING = 0x13
UTC_TIME = 0x17
GENERALIZED_TIME = 0x18


class DerError(ValueError):
    """The bytes are not the DER structure expected."""


def encode_length(length: int) -> bytes:
    """DER length octets."""
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, content: bytes) -> bytes:
    """One tag-length-value."""
    return bytes([tag]) + encode_length(len(content)) + content


def sequence(*items: bytes) -> bytes:
    """SEQUENCE of already-encoded items."""
    return tlv(SEQUENCE, b"".join(items))


def integer(value: int) -> bytes:
    """INTEGER (non-negative values only: serials, r, s, versions)."""
    if value < 0:
        raise ValueError("only non-negative integers are needed here")
    body = value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big")
    return tlv(INTEGER, body)


def oid(dotted: str) -> bytes:
    """OBJECT IDENTIFIER from dotted text."""
    arcs = [int(part) for part in dotted.split(".")]
    body = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return tlv(OID, bytes(body))


def bit_string(data: bytes) -> bytes:
    """BIT STRING with no unused bits."""
    return tlv(BIT_STRING, b"\x00" + data)


def utf8(text: str) -> bytes:
    """UTF8String."""
    return tlv(UTF8_STRING, text.encode("utf-8"))


def utc_time(moment: datetime) -> bytes:
    """UTCTime (YYMMDDhhmmssZ) of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("certificate times must be timezone-aware")
    return tlv(UTC_TIME, moment.astimezone(UTC).strftime("%y%m%d%H%M%SZ").encode("ascii"))


def explicit(number: int, content: bytes) -> bytes:
    """Context-specific constructed tag ``[number] EXPLICIT``."""
    return tlv(0xA0 | number, content)


@dataclass(frozen=True, slots=True)
class Element:
    """One decoded TLV: its tag, content and the full encoding."""

    tag: int
    content: bytes
    encoded: bytes


def read(data: bytes, offset: int = 0) -> tuple[Element, int]:
    """Decode the TLV at ``offset``; returns it and the offset after it."""
    if offset + 2 > len(data):
        raise DerError("truncated DER")
    tag = data[offset]
    first = data[offset + 1]
    position = offset + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or position + count > len(data):
            raise DerError("unsupported or truncated DER length")
        length = int.from_bytes(data[position : position + count], "big")
        position += count
    end = position + length
    if end > len(data):
        raise DerError("DER value runs past the end of the data")
    return Element(tag, data[position:end], data[offset:end]), end


def children(content: bytes) -> list[Element]:
    """Every TLV inside a constructed value."""
    items: list[Element] = []
    offset = 0
    while offset < len(content):
        item, offset = read(content, offset)
        items.append(item)
    return items


def read_single(data: bytes) -> Element:
    """Decode exactly one TLV spanning all of ``data``."""
    item, end = read(data)
    if end != len(data):
        raise DerError("trailing bytes after DER value")
    return item


def decode_oid(content: bytes) -> str:
    """Dotted text of an OBJECT IDENTIFIER's content octets."""
    if not content:
        raise DerError("empty OID")
    arcs = [content[0] // 40, content[0] % 40] if content[0] < 80 else [2, content[0] - 80]
    value = 0
    for byte in content[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    return ".".join(str(arc) for arc in arcs)


def ecdsa_style_signature(r: int, s: int) -> bytes:
    """``SEQUENCE { r INTEGER, s INTEGER }``."""
    return sequence(integer(r), integer(s))


def parse_ecdsa_style_signature(data: bytes) -> tuple[int, int]:
    """(r, s) from ``SEQUENCE { r INTEGER, s INTEGER }``."""
    outer = read_single(data)
    parts = children(outer.content) if outer.tag == SEQUENCE else []
    if len(parts) != 2 or any(part.tag != INTEGER for part in parts):
        raise DerError("not a SEQUENCE of two INTEGERs")
    return int.from_bytes(parts[0].content, "big"), int.from_bytes(parts[1].content, "big")


@dataclass(frozen=True, slots=True)
class SubjectPublicKeyInfo:
    """Algorithm OID, parameters OID (curve) if any, and the key bits."""

    algorithm: str
    parameters: str | None
    key: bytes


def certificate_public_key_info(certificate: bytes) -> SubjectPublicKeyInfo:
    """The SubjectPublicKeyInfo of an X.509 certificate (any algorithm)."""
    cert = read_single(certificate)
    if cert.tag != SEQUENCE:
        raise DerError("certificate is not a SEQUENCE")
    parts = children(cert.content)
    if len(parts) != 3 or parts[0].tag != SEQUENCE:
        raise DerError("certificate must have tbsCertificate, algorithm, signature")
    tbs = children(parts[0].content)
    # version [0] is optional; then serial, signature, issuer, validity, subject, spki.
    index = 1 if tbs and tbs[0].tag == 0xA0 else 0
    if len(tbs) < index + 6:
        raise DerError("tbsCertificate too short")
    spki = tbs[index + 5]
    if spki.tag != SEQUENCE:
        raise DerError("subjectPublicKeyInfo is not a SEQUENCE")
    algorithm, key = children(spki.content)
    algo_parts = children(algorithm.content)
    if not algo_parts or algo_parts[0].tag != OID or key.tag != BIT_STRING or not key.content:
        raise DerError("malformed subjectPublicKeyInfo")
    parameters = (
        decode_oid(algo_parts[1].content) if len(algo_parts) > 1 and algo_parts[1].tag == OID else None
    )
    return SubjectPublicKeyInfo(decode_oid(algo_parts[0].content), parameters, key.content[1:])
