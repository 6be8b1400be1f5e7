"""Enveloped XML-DSig over CEB messages, as interface-spec §6 defines it.

Signing (two steps, so the private-key operation can happen elsewhere — a
UKey, a signing appliance, :mod:`.remote`):

1. :func:`prepare` parses the document (hardened), computes ``DigestValue``
   over the C14N 1.0 form of the whole document (no comments — a same-document
   ``URI=""`` reference excludes them), builds ``ds:Signature`` with
   ``SignedInfo`` and inserts it at the position the XSD requires (last for
   import messages, before ``ExtendMessage`` for export messages — the
   catalogue knows), then canonicalises ``SignedInfo`` *in place*: inclusive
   C14N carries the namespace declarations in scope (``xmlns:ceb`` from the
   root, ``xmlns:ds``), which is exactly what the other side canonicalises.
2. :func:`complete` writes ``SignatureValue`` and ``KeyInfo`` (``KeyName`` +
   ``X509Data/X509Certificate``) and serialises.  ``KeyInfo`` is outside
   ``SignedInfo`` and inside the enveloped signature, so it is covered by
   neither hash and may be filled after the signature value is known.

The signature element carries no whitespace and no tail, so removing it (the
enveloped-signature transform) gives back the document byte-for-byte as it
was digested.  :func:`inspect` is the reading half used by verification:
it accepts only ``Reference URI=""`` with the enveloped transform (optionally
followed by C14N) on a ``ds:Signature`` that is a direct child of the root, so
the whole document is always what the signature covers (no wrapping attacks).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from lxml import etree

from services.declaration.ceb.catalogue import DS_NS, SIGNATURE, spec_for_root
from services.declaration.ceb.xml_security import XmlLimits, secure_parse
from services.declaration.customs.core.signing.algorithms import (
    C14N,
    C14N_WITH_COMMENTS,
    DIGEST_METHODS,
    ENVELOPED_SIGNATURE,
    SignatureProfile,
    digest_bytes,
)

_DS = f"{{{DS_NS}}}"


class SignatureFormatError(ValueError):
    """The document or its ``ds:Signature`` is not in the form the spec prescribes."""


class AlreadySignedError(ValueError):
    """The document already carries a ``ds:Signature`` at its root."""


class PreparedSignature:
    """A document with its ``ds:Signature`` in place, waiting for ``SignatureValue``."""

    def __init__(self, root: etree._Element, signature: etree._Element, profile: SignatureProfile) -> None:
        self.root = root
        self.signature = signature
        self.profile = profile

    @property
    def signed_info(self) -> bytes:
        """Canonical ``SignedInfo`` — the exact bytes the private key signs."""
        return canonical_signed_info(self.signature)

    @property
    def digest_value(self) -> str:
        """Base64 ``DigestValue`` of the document."""
        return self.signature.findtext(f"{_DS}SignedInfo/{_DS}Reference/{_DS}DigestValue") or ""


def parse_document(document: bytes, limits: XmlLimits | None = None) -> etree._Element:
    """Hardened parse; raises :class:`SignatureFormatError` with the first issue."""
    parsed = secure_parse(document, limits)
    if parsed.root is None:
        raise SignatureFormatError(parsed.issues[0].message if parsed.issues else "unparseable XML")
    return parsed.root


def document_digest(root: etree._Element, profile_digest: type, with_comments: bool = False) -> bytes:
    """Hash of the C14N 1.0 form of the whole document ``root`` belongs to."""
    canonical = etree.tostring(
        root.getroottree(), method="c14n", exclusive=False, with_comments=with_comments
    )
    return digest_bytes(profile_digest, canonical)


def canonical_signed_info(signature: etree._Element, with_comments: bool = False) -> bytes:
    """C14N 1.0 of ``SignedInfo`` in its document context (inherited namespaces included)."""
    signed_info = signature.find(f"{_DS}SignedInfo")
    if signed_info is None:
        raise SignatureFormatError("ds:Signature has no ds:SignedInfo")
    return etree.tostring(signed_info, method="c14n", exclusive=False, with_comments=with_comments)


def prepare(document: bytes, profile: SignatureProfile, limits: XmlLimits | None = None) -> PreparedSignature:
    """Digest the document and place an unsigned ``ds:Signature`` where the XSD wants it."""
    root = parse_document(document, limits)
    if root_signature(root) is not None:
        raise AlreadySignedError("the document is already signed")
    digest = base64.b64encode(document_digest(root, profile.digest)).decode("ascii")
    signature = _signature_element(profile, digest)
    _insert(root, signature)
    return PreparedSignature(root, signature, profile)


def complete(
    prepared: PreparedSignature,
    signature_value: bytes,
    key_name: str | None,
    certificate: bytes | None,
) -> bytes:
    """Write ``SignatureValue`` and ``KeyInfo``; return the signed document (UTF-8, with declaration)."""
    signature = prepared.signature
    value = signature.find(f"{_DS}SignatureValue")
    assert value is not None
    value.text = base64.b64encode(signature_value).decode("ascii")
    for old in signature.findall(f"{_DS}KeyInfo"):
        signature.remove(old)
    if key_name or certificate:
        key_info = etree.SubElement(signature, f"{_DS}KeyInfo")
        if key_name:
            etree.SubElement(key_info, f"{_DS}KeyName").text = key_name
        if certificate:
            data = etree.SubElement(key_info, f"{_DS}X509Data")
            etree.SubElement(data, f"{_DS}X509Certificate").text = base64.b64encode(certificate).decode(
                "ascii"
            )
    return etree.tostring(prepared.root.getroottree(), xml_declaration=True, encoding="UTF-8")


def root_signature(root: etree._Element) -> etree._Element | None:
    """The ``ds:Signature`` that is a direct child of the root; error if there are several."""
    found = [child for child in root if child.tag == f"{_DS}Signature"]
    if len(found) > 1:
        raise SignatureFormatError("more than one ds:Signature under the root")
    return found[0] if found else None


@dataclass(frozen=True)
class SignatureParts:
    """What a received signature says, and what the document actually hashes to."""

    canonicalization: str
    signature_method: str
    digest_method: str
    digest_value: bytes
    computed_digest: bytes
    signature_value: bytes
    signed_info: bytes
    key_name: str | None
    certificate: bytes | None
    certificate_error: str | None


def inspect(signed: bytes, limits: XmlLimits | None = None) -> SignatureParts:
    """Read and check the structure of an enveloped signature; compute the document digest."""
    root = parse_document(signed, limits)
    signature = root_signature(root)
    if signature is None:
        raise SignatureFormatError("the document carries no ds:Signature")
    signed_info = signature.find(f"{_DS}SignedInfo")
    if signed_info is None:
        raise SignatureFormatError("ds:Signature has no ds:SignedInfo")
    canonicalization = _algorithm(signed_info, "CanonicalizationMethod")
    if canonicalization not in (C14N, C14N_WITH_COMMENTS):
        raise SignatureFormatError(f"canonicalization {canonicalization!r} is not C14N 1.0")
    signature_method = _algorithm(signed_info, "SignatureMethod")
    references = signed_info.findall(f"{_DS}Reference")
    if len(references) != 1 or references[0].get("URI") != "":
        raise SignatureFormatError('exactly one ds:Reference with URI="" is required')
    reference = references[0]
    transforms = [t.get("Algorithm") for t in reference.findall(f"{_DS}Transforms/{_DS}Transform")]
    if (
        not transforms
        or transforms[0] != ENVELOPED_SIGNATURE
        or any(t not in (C14N, C14N_WITH_COMMENTS) for t in transforms[1:])
    ):
        raise SignatureFormatError(f"unsupported transforms {transforms}: only enveloped-signature [+ C14N]")
    digest_method = _algorithm(reference, "DigestMethod")
    digest_class = DIGEST_METHODS.get(digest_method)
    if digest_class is None:
        raise SignatureFormatError(f"unsupported DigestMethod {digest_method!r}")
    digest_value = _base64(reference.findtext(f"{_DS}DigestValue"), "DigestValue")
    signature_value = _base64(signature.findtext(f"{_DS}SignatureValue"), "SignatureValue")
    canonical_info = canonical_signed_info(signature, canonicalization == C14N_WITH_COMMENTS)
    key_name = signature.findtext(f"{_DS}KeyInfo/{_DS}KeyName")
    certificate, certificate_error = None, None
    cert_text = signature.findtext(f"{_DS}KeyInfo/{_DS}X509Data/{_DS}X509Certificate")
    if cert_text is not None:
        try:
            certificate = _base64(cert_text, "X509Certificate")
        except SignatureFormatError as exc:
            certificate_error = str(exc)
    _remove_keeping_tail(signature)
    computed = document_digest(root, digest_class, C14N_WITH_COMMENTS in transforms[1:])
    return SignatureParts(
        canonicalization=canonicalization,
        signature_method=signature_method,
        digest_method=digest_method,
        digest_value=digest_value,
        computed_digest=computed,
        signature_value=signature_value,
        signed_info=canonical_info,
        key_name=key_name.strip() if key_name else None,
        certificate=certificate,
        certificate_error=certificate_error,
    )


def _signature_element(profile: SignatureProfile, digest: str) -> etree._Element:
    signature = etree.Element(f"{_DS}Signature", nsmap={"ds": DS_NS})
    signed_info = etree.SubElement(signature, f"{_DS}SignedInfo")
    etree.SubElement(signed_info, f"{_DS}CanonicalizationMethod", Algorithm=C14N)
    etree.SubElement(signed_info, f"{_DS}SignatureMethod", Algorithm=profile.signature_uri)
    reference = etree.SubElement(signed_info, f"{_DS}Reference", URI="")
    transforms = etree.SubElement(reference, f"{_DS}Transforms")
    etree.SubElement(transforms, f"{_DS}Transform", Algorithm=ENVELOPED_SIGNATURE)
    etree.SubElement(reference, f"{_DS}DigestMethod", Algorithm=profile.digest_uri)
    etree.SubElement(reference, f"{_DS}DigestValue").text = digest
    etree.SubElement(signature, f"{_DS}SignatureValue").text = ""
    return signature


def _insert(root: etree._Element, signature: etree._Element) -> None:
    # The XSD fixes where ds:Signature sits among the trailer blocks; anything
    # that must follow it (ExtendMessage in the export XSD) is found by name.
    spec = spec_for_root(etree.QName(root).localname)
    following: set[str] = set()
    if spec is not None:
        names = [child.name for child in spec.trailer]
        if SIGNATURE in names:
            following = {name for name in names[names.index(SIGNATURE) + 1 :]}
    for index, child in enumerate(root):
        if isinstance(child.tag, str) and etree.QName(child).localname in following:
            root.insert(index, signature)
            return
    root.append(signature)


def _remove_keeping_tail(element: etree._Element) -> None:
    # The enveloped-signature transform removes the element, not the text that
    # follows it; lxml keeps that text as the element's tail, so move it over.
    parent = element.getparent()
    assert parent is not None
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _algorithm(parent: etree._Element, name: str) -> str:
    element = parent.find(f"{_DS}{name}")
    if element is None or not element.get("Algorithm"):
        raise SignatureFormatError(f"ds:{name} with an Algorithm is required")
    return str(element.get("Algorithm"))


def _base64(text: str | None, what: str) -> bytes:
    compact = "".join((text or "").split())
    if not compact:
        raise SignatureFormatError(f"ds:{what} is empty")
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureFormatError(f"ds:{what} is not valid base64") from exc
