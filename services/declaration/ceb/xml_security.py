"""Hardened parsing of untrusted customs XML: :mod:`shared.xml_security` in customs terms.

The guard itself (size cap, strict decoding, no DOCTYPE, lxml without entities, DTDs or
network, depth cap) is shared with the payments service's statement intake; here its
refusals become :class:`~services.declaration.ceb.issues.Issue` values carrying the
customs-style codes of :mod:`services.declaration.ceb.codes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from services.declaration.ceb import codes
from services.declaration.ceb.issues import Issue
from shared import xml_security as guard
from shared.xml_security import XmlLimits, hardened_parser

_CODES = {
    guard.XML_EMPTY: codes.XML_EMPTY,
    guard.XML_TOO_LARGE: codes.XML_TOO_LARGE,
    guard.XML_TOO_DEEP: codes.XML_TOO_DEEP,
    guard.XML_DOCTYPE_FORBIDDEN: codes.XML_DOCTYPE_FORBIDDEN,
    guard.XML_BAD_BYTES_FOR_ENCODING: codes.XML_BAD_BYTES_FOR_ENCODING,
    guard.XML_ENCODING_NOT_ALLOWED: codes.XML_ENCODING_NOT_ALLOWED,
    guard.XML_MALFORMED: codes.XML_MALFORMED,
}


@dataclass(frozen=True, slots=True)
class ParsedXml:
    """Outcome of :func:`secure_parse`: a root element or the reasons there is none."""

    root: etree._Element | None
    issues: tuple[Issue, ...] = field(default=())
    encoding: str | None = None

    @property
    def ok(self) -> bool:
        """True when a root element was produced."""
        return self.root is not None


def secure_parse(data: bytes, limits: XmlLimits | None = None) -> ParsedXml:
    """Parse untrusted XML bytes under ``limits`` (see :func:`shared.xml_security.secure_parse`)."""
    parsed = guard.secure_parse(data, limits)
    issues = tuple(Issue(_CODES[i.code], i.message, line=i.line) for i in parsed.issues)
    return ParsedXml(parsed.root, issues, parsed.encoding)


__all__ = ["ParsedXml", "XmlLimits", "hardened_parser", "secure_parse"]
