"""Untrusted XML of carrier pushes, through the platform's hardened parser (shared.xml_security)."""

from __future__ import annotations

from lxml import etree

from services.logistics.adapters.model import HOSTILE_XML, MALFORMED_PUSH, PushError
from shared.xml_security import XmlLimits, secure_parse


def parse_xml(body: bytes, limits: XmlLimits) -> etree._Element:
    """The root element; DOCTYPE, entities, bad encodings, depth and size are refused first."""
    parsed = secure_parse(body, limits)
    if parsed.root is None:
        issue = parsed.issues[0]
        kind = MALFORMED_PUSH if issue.code == "xml.malformed" else HOSTILE_XML
        where = f" (line {issue.line})" if issue.line else ""
        raise PushError(kind, f"{issue.code}: {issue.message}{where}")
    return parsed.root


def local(element: etree._Element) -> str:
    """An element's name without its namespace."""
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def child_text(element: etree._Element, name: str) -> str | None:
    """The stripped text of the first child called ``name`` (any namespace), or None."""
    for child in element:
        if local(child) == name:
            value = (child.text or "").strip()
            return value or None
    return None
