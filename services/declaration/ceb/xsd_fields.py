"""Read field definitions straight out of the official 202205 XSDs.

Hand-typing the ~900 leaf elements of the two CEB schemas would drift from the
specification; instead this module walks the schema documents (parsed with
lxml) and derives, for every complex element, the ordered list of leaf fields
with their value kind (``C`` string / ``N19,5`` decimal / ``int``), length and
digit facets, whether they are required, and the official annotation.  Record
structure (record element → head + list, or a flat record) and the trailing
``BaseTransfer``/``ExtendMessage``/``ds:Signature`` order are derived the same
way, so the XML writer reproduces the XSD's element order exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from lxml import etree

XSD_DIR = Path(__file__).with_name("xsd")
XS = "{http://www.w3.org/2001/XMLSchema}"


class SchemaEdition(StrEnum):
    """The two business-node schemas of the 202205 edition."""

    IMPORT = "import"
    EXPORT = "export"

    @property
    def filename(self) -> str:
        """The XSD file holding this edition."""
        return f"ceb-{self.value}-202205.xsd"


class ValueKind(StrEnum):
    """How a leaf value is typed in the model."""

    STRING = "C"
    DECIMAL = "N"
    INT = "int"


class TimeFormat(StrEnum):
    """Customs time formats, recognised from the XSD annotations."""

    DATE = "YYYYMMDD"
    DATETIME = "YYYYMMDDhhmmss"
    DATETIME_MS = "YYYYMMDDhhmmssSSS"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One leaf element as the XSD defines it."""

    name: str
    kind: ValueKind
    required: bool
    min_length: int | None = None
    max_length: int | None = None
    total_digits: int | None = None
    fraction_digits: int | None = None
    time_format: TimeFormat | None = None
    doc: str = ""

    @property
    def notation(self) -> str:
        """The spec's own notation: ``C36``, ``C1..60``, ``C..18``, ``N19,5``, ``int``."""
        if self.kind is ValueKind.DECIMAL:
            return f"N{self.total_digits},{self.fraction_digits}"
        if self.kind is ValueKind.INT:
            return "int"
        if self.min_length is not None and self.min_length == self.max_length:
            return f"C{self.max_length}"
        low = "" if not self.min_length else str(self.min_length)
        high = "" if self.max_length is None else str(self.max_length)
        return f"C{low}..{high}"


@dataclass(frozen=True, slots=True)
class ChildSpec:
    """A child element in a sequence, with its occurrence bounds."""

    name: str
    min_occurs: int
    max_occurs: int | None  # None = unbounded


@dataclass(frozen=True, slots=True)
class RecordShape:
    """How one business record of a message is laid out.

    A record is either *wrapped* (``Order`` → ``OrderHead`` + ``OrderList*``)
    or *flat* (``LogisticsStatus``, ``InvtCancel``, receipts: the leaf fields
    sit directly under the record element, ``head`` is then ``None``).
    """

    record: ChildSpec
    head: str | None
    head_fields: tuple[FieldSpec, ...]
    lines: ChildSpec | None
    line_fields: tuple[FieldSpec, ...]


@dataclass(frozen=True, slots=True)
class MessageShape:
    """Root-level layout of a message: its record plus trailing blocks, in XSD order."""

    root: str
    doc: str
    shape: RecordShape
    trailer: tuple[ChildSpec, ...]


# Export receipts spell it Java-style ("yyyyMMddHHmmssfff"), hence IGNORECASE.
_TIME_PATTERNS = (
    (re.compile(r"YYYYMMDDhhmmss(SSS|fff)", re.IGNORECASE), TimeFormat.DATETIME_MS),
    (re.compile(r"YYYYMMDDhhmmss", re.IGNORECASE), TimeFormat.DATETIME),
    (re.compile(r"YYYYMMDD(?!hh)", re.IGNORECASE), TimeFormat.DATE),
)

# Time fields whose annotation names no format; customs-domain.md §2.2 gives it.
_UNANNOTATED_TIME_FIELDS = {"leaveTime": TimeFormat.DATETIME}


def _time_format(name: str, doc: str, length: int | None) -> TimeFormat | None:
    if name in _UNANNOTATED_TIME_FIELDS:
        return _UNANNOTATED_TIME_FIELDS[name]
    # Annotations name the format; the length facet disambiguates the few
    # annotations that are sloppy (e.g. "YYYYMMDDhhmmss。mss").
    for pattern, fmt in _TIME_PATTERNS:
        if pattern.search(doc):
            if length is not None and length != len(fmt.value):
                by_length = {len(f.value): f for f in TimeFormat}
                return by_length.get(length, fmt)
            return fmt
    return None


class _SchemaDocument:
    def __init__(self, edition: SchemaEdition) -> None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        self.tree = etree.parse(str(XSD_DIR / edition.filename), parser)
        self.globals = {
            el.get("name"): el for el in self.tree.getroot().findall(f"{XS}element") if el.get("name")
        }

    def resolve(self, el: etree._Element) -> etree._Element:
        ref = el.get("ref")
        if ref is None:
            return el
        return self.globals[ref.split(":", 1)[-1]]

    @staticmethod
    def doc_of(el: etree._Element) -> str:
        doc = el.find(f"{XS}annotation/{XS}documentation")
        return (doc.text or "").strip() if doc is not None else ""

    def sequence(self, el: etree._Element) -> list[etree._Element]:
        seq = el.find(f"{XS}complexType/{XS}sequence")
        return [] if seq is None else [c for c in seq if c.tag == f"{XS}element"]

    def is_leaf(self, el: etree._Element) -> bool:
        target = self.resolve(el)
        return target.find(f"{XS}complexType") is None

    @staticmethod
    def child_spec(el: etree._Element) -> ChildSpec:
        name = el.get("name") or el.get("ref", "")
        if name.startswith("ceb:"):
            name = name[4:]
        max_occurs = el.get("maxOccurs", "1")
        return ChildSpec(
            name=name,
            min_occurs=int(el.get("minOccurs", "1")),
            max_occurs=None if max_occurs == "unbounded" else int(max_occurs),
        )

    def field_spec(self, el: etree._Element) -> FieldSpec:
        el = self.resolve(el)
        doc = self.doc_of(el)
        required = int(el.get("minOccurs", "1")) > 0
        type_attr = el.get("type")
        facets: dict[str, int] = {}
        if type_attr is not None:
            base = type_attr
        else:
            restriction = el.find(f"{XS}simpleType/{XS}restriction")
            if restriction is None:
                raise ValueError(f"element {el.get('name')} has no simple type")
            base = restriction.get("base", "xs:string")
            for facet in restriction:
                if not isinstance(facet.tag, str):
                    continue
                local = etree.QName(facet).localname
                if local in {"length", "minLength", "maxLength", "totalDigits", "fractionDigits"}:
                    facets[local] = int(facet.get("value", "0"))
        kind = {"xs:decimal": ValueKind.DECIMAL, "xs:int": ValueKind.INT}.get(base, ValueKind.STRING)
        min_length = facets.get("length", facets.get("minLength"))
        max_length = facets.get("length", facets.get("maxLength"))
        return FieldSpec(
            name=el.get("name", ""),
            kind=kind,
            required=required,
            min_length=min_length,
            max_length=max_length,
            total_digits=facets.get("totalDigits"),
            fraction_digits=facets.get("fractionDigits"),
            time_format=_time_format(el.get("name", ""), doc, max_length)
            if kind is ValueKind.STRING
            else None,
            doc=doc,
        )

    def fields_of(self, el: etree._Element) -> tuple[FieldSpec, ...]:
        return tuple(self.field_spec(child) for child in self.sequence(self.resolve(el)))

    def message_shape(self, root_name: str) -> MessageShape:
        root = self.globals[root_name]
        children = self.sequence(root)
        record_el, trailer = children[0], children[1:]
        record = self.resolve(record_el)
        parts = self.sequence(record)
        if all(self.is_leaf(part) for part in parts):
            shape = RecordShape(
                record=self.child_spec(record_el),
                head=None,
                head_fields=self.fields_of(record),
                lines=None,
                line_fields=(),
            )
        else:
            head_el = parts[0]
            list_el = parts[1] if len(parts) > 1 else None
            shape = RecordShape(
                record=self.child_spec(record_el),
                head=self.child_spec(head_el).name,
                head_fields=self.fields_of(head_el),
                lines=self.child_spec(list_el) if list_el is not None else None,
                line_fields=self.fields_of(list_el) if list_el is not None else (),
            )
        return MessageShape(
            root=root_name,
            doc=self.doc_of(root),
            shape=shape,
            trailer=tuple(self.child_spec(el) for el in trailer),
        )

    def block_fields(self, name: str) -> tuple[FieldSpec, ...]:
        return self.fields_of(self.globals[name])


@cache
def _document(edition: SchemaEdition) -> _SchemaDocument:
    return _SchemaDocument(edition)


def message_shape(edition: SchemaEdition, root_name: str) -> MessageShape:
    """The XSD-derived layout of message ``root_name`` (e.g. ``"CEB311Message"``)."""
    return _document(edition).message_shape(root_name)


@cache  # called for every decoded and encoded message; deriving it walks the XSD each time
def block_fields(edition: SchemaEdition, name: str) -> tuple[FieldSpec, ...]:
    """Leaf fields of a shared block such as ``BaseTransfer`` or ``BaseSubscribe``."""
    return _document(edition).block_fields(name)


def root_names(edition: SchemaEdition) -> tuple[str, ...]:
    """Every ``CEBnnnMessage`` root the edition declares."""
    return tuple(name for name in _document(edition).globals if re.fullmatch(r"CEB\d{3}Message", name))
