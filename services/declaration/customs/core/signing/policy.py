"""Messages customs requires signed are never sent unsigned.

Interface-spec §6 / customs-domain.md §4.5: ``ds:Signature`` is mandatory for
CEB621, CEB623, CEB625, CEB711 and CEB607 when ``appStatus`` is 2 (申报).
The set is the one the business rules already use
(:attr:`RuleConfig.signature_when_declared`), so the two cannot drift.  The
import XSD additionally makes the signature mandatory on 621/623/625/711
whatever the appStatus; that is caught by schema validation.
"""

from __future__ import annotations

from lxml import etree

from services.declaration.ceb.catalogue import CEB_NS, spec_for_root
from services.declaration.ceb.xml_security import XmlLimits
from services.declaration.customs.core.signing.signer import Verification, XmlSigner
from services.declaration.customs.core.signing.xmldsig import parse_document, root_signature
from services.declaration.prechecks.rules.config import RuleConfig

SIGNED_WHEN_DECLARED: frozenset[str] = RuleConfig().signature_when_declared
DECLARED = "2"


class UnsignedMessageError(RuntimeError):
    """A message customs requires signed is about to leave without a (valid) signature."""


def signature_required(document: bytes, limits: XmlLimits | None = None) -> bool:
    """True when the message type needs a signature and any record has appStatus 2."""
    root = parse_document(document, limits)
    return _required(root)


def ensure_signed(
    document: bytes, verifier: XmlSigner | None = None, limits: XmlLimits | None = None
) -> None:
    """Raise :class:`UnsignedMessageError` unless a required signature is present (and verifies).

    Call it on the final bytes just before handing them to a transport.
    """
    root = parse_document(document, limits)
    if not _required(root):
        return
    code = etree.QName(root).localname
    if root_signature(root) is None:
        raise UnsignedMessageError(f"{code} with appStatus 2 must be signed before it is sent")
    if verifier is not None:
        result: Verification = verifier.verify(document)
        if not result.valid:
            raise UnsignedMessageError(f"{code} signature does not verify: {result.reason}")


def _required(root: etree._Element) -> bool:
    spec = spec_for_root(etree.QName(root).localname)
    if spec is None or spec.code not in SIGNED_WHEN_DECLARED:
        return False
    statuses = root.iterfind(f".//{{{CEB_NS}}}appStatus")
    return any((status.text or "").strip() == DECLARED for status in statuses)
