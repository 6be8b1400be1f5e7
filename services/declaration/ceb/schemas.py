"""The official XSDs, compiled once per process, and validation against them.

Compiling the CEB schemas takes tens of milliseconds, so each is compiled on
first use and cached for the life of the process.  ``lxml.etree.XMLSchema``
keeps its error log on the schema object, so validation holds a per-schema
lock: the service may validate from several worker threads at once.
"""

from __future__ import annotations

import re
import threading
from enum import StrEnum
from functools import cache

from lxml import etree

from services.declaration.ceb import codes
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.xsd_fields import XSD_DIR, SchemaEdition

_NAMESPACE_PREFIXES = {
    "http://www.chinaport.gov.cn/ceb": "ceb",
    "http://www.w3.org/2000/09/xmldsig#": "ds",
    "http://www.chinaport.gov.cn/dxp": "dxp",
}
_CLARK = re.compile(r"\{([^}]*)\}")
_ELEMENT_IN_MESSAGE = re.compile(r"Element '([^']+)'")


class EnvelopeSchema(StrEnum):
    """DXP transport envelopes (terminal node ``DxpMsg``, transport node ``DxpMsgSv``)."""

    TERMINAL = "ceb-terminal-202205.xsd"
    TRANSPORT = "ceb-transport-202205.xsd"


@cache
def _compiled(filename: str) -> tuple[etree.XMLSchema, threading.Lock]:
    # XSDs are trusted, local files; they still get a parser that cannot reach
    # the network, and imports resolve relative to the xsd/ folder.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    document = etree.parse(str(XSD_DIR / filename), parser)
    return etree.XMLSchema(document), threading.Lock()


def schema(edition: SchemaEdition | EnvelopeSchema) -> etree.XMLSchema:
    """The compiled XSD for a CEB edition or a DXP envelope (cached)."""
    filename = edition.filename if isinstance(edition, SchemaEdition) else edition.value
    return _compiled(filename)[0]


def validate(root: etree._Element, edition: SchemaEdition | EnvelopeSchema) -> list[Issue]:
    """Validate a parsed document; returns one ``0002`` issue per XSD error (empty = valid)."""
    filename = edition.filename if isinstance(edition, SchemaEdition) else edition.value
    compiled, lock = _compiled(filename)
    with lock:
        if compiled.validate(root.getroottree()):
            return []
        entries = list(compiled.error_log)
    return [
        Issue(
            code=codes.SCHEMA_INVALID,
            message=readable(entry.message),
            line=entry.line or None,
            element=_element_name(entry.message),
            pointer=None,
        )
        for entry in entries
    ]


def readable(message: str) -> str:
    """Replace Clark ``{namespace}name`` notation with the spec's ``ceb:``/``ds:`` prefixes."""
    return _CLARK.sub(lambda m: f"{_NAMESPACE_PREFIXES.get(m.group(1), m.group(1))}:", message)


def _element_name(message: str) -> str | None:
    found = _ELEMENT_IN_MESSAGE.search(message)
    return readable(found.group(1)) if found else None
