"""CEB XML ⇄ :class:`~services.declaration.ceb.model.CebMessage`.

Decoding runs the full intake pipeline — hardened parse, message
identification, XSD validation, typed conversion — and reports every problem
as data.  Encoding walks the XSD-derived catalogue, so elements always come
out in schema order (including the export XSD's ``ds:Signature`` before
``ExtendMessage`` quirk) whatever order the model's dicts are in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lxml import etree

from services.declaration.ceb import codes
from services.declaration.ceb.catalogue import CEB_NS, DS_NS, SIGNATURE, MessageSpec, spec_for_root
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.model import CebMessage, ExtendMessage, Fields, FieldValue, Record
from services.declaration.ceb.schemas import validate
from services.declaration.ceb.xml_security import ParsedXml, XmlLimits, secure_parse
from services.declaration.ceb.xsd_fields import FieldSpec, ValueKind

_SEGMENT = re.compile(r"^(?:[A-Za-z]+:)?([A-Za-z0-9_]+)(?:\[(\d+)\])?$")


@dataclass(frozen=True)
class DecodeResult:
    """Outcome of :func:`decode_xml`.

    ``message_type`` is set as soon as the root is recognised, even when the
    XSD then rejects the message, so a CEB900 can name ``oriMessageType``.
    """

    message: CebMessage | None
    issues: tuple[Issue, ...] = field(default=())
    message_type: str | None = None

    @property
    def ok(self) -> bool:
        """True when the message parsed, was recognised and is XSD-valid."""
        return self.message is not None and not self.issues


def decode_xml(data: bytes, limits: XmlLimits | None = None) -> DecodeResult:
    """Parse, identify, schema-validate and convert untrusted CEB XML bytes."""
    parsed: ParsedXml = secure_parse(data, limits)
    if parsed.root is None:
        return DecodeResult(message=None, issues=parsed.issues)
    root = parsed.root
    identified = identify(root)
    if isinstance(identified, Issue):
        return DecodeResult(message=None, issues=(identified,))
    spec = identified
    schema_issues = validate(root, spec.edition)
    if schema_issues:
        located = tuple(_locate(issue, spec, root) for issue in schema_issues)
        return DecodeResult(message=None, issues=located, message_type=spec.code)
    return DecodeResult(message=message_from_element(root, spec), message_type=spec.code)


def identify(root: etree._Element) -> MessageSpec | Issue:
    """The catalogue entry for a parsed root, or the issue explaining why there is none."""
    qname = etree.QName(root)
    if qname.namespace != CEB_NS:
        where = f"namespace {qname.namespace!r}" if qname.namespace else "no namespace"
        return Issue(
            codes.XML_NOT_CEB_NAMESPACE,
            f"root element {qname.localname} is in {where}; CEB messages use {CEB_NS}",
            line=root.sourceline,
            element=qname.localname,
        )
    spec = spec_for_root(qname.localname)
    if spec is None:
        return Issue(
            codes.XML_UNKNOWN_MESSAGE,
            f"root element ceb:{qname.localname} is not a CEBnnnMessage of the 202205 edition",
            line=root.sourceline,
            element=f"ceb:{qname.localname}",
        )
    return spec


def message_from_element(root: etree._Element, spec: MessageSpec) -> CebMessage:
    """Convert a schema-valid root element into the typed model."""
    message = CebMessage(
        message_type=spec.code,
        guid=root.get("guid", ""),
        version=root.get("version", ""),
        records=[],
    )
    for child in _elements(root):
        qname = etree.QName(child)
        if qname.namespace == DS_NS and qname.localname == "Signature":
            message.signature = _verbatim(child)
        elif qname.localname == spec.record_element:
            message.records.append(_record(child, spec))
        elif qname.localname == "BaseTransfer":
            message.base_transfer = _fields(child, spec.block_fields("BaseTransfer"))
        elif qname.localname == "BaseSubscribe":
            message.base_subscribe.append(_fields(child, spec.block_fields("BaseSubscribe")))
        elif qname.localname == "ExtendMessage":
            message.extend_message = _extend(child)
        else:
            raise ValueError(f"unexpected element {qname.localname} in {spec.root}")
    return message


def encode_xml(message: CebMessage, pretty: bool = True) -> bytes:
    """Render the model as UTF-8 CEB XML in the XSD's element order."""
    root = to_element(message)
    if pretty:
        _indent(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def to_element(message: CebMessage) -> etree._Element:
    """Build the lxml tree for a message (no indentation)."""
    spec = message.spec
    root = etree.Element(_ceb(spec.root), nsmap={"ceb": CEB_NS})
    root.set("guid", message.guid)
    root.set("version", message.version)
    for record in message.records:
        _write_record(root, record, spec)
    for block in spec.trailer:
        if block.name == "BaseTransfer" and message.base_transfer is not None:
            _write_fields(
                etree.SubElement(root, _ceb("BaseTransfer")),
                message.base_transfer,
                spec.block_fields("BaseTransfer"),
            )
        elif block.name == "BaseSubscribe":
            for subscribe in message.base_subscribe:
                _write_fields(
                    etree.SubElement(root, _ceb("BaseSubscribe")),
                    subscribe,
                    spec.block_fields("BaseSubscribe"),
                )
        elif block.name == "ExtendMessage" and message.extend_message is not None:
            _write_extend(root, message.extend_message)
        elif block.name == SIGNATURE and message.signature is not None:
            root.append(_parse_fragment(message.signature))
    return root


def validate_model(message: CebMessage) -> list[Issue]:
    """Schema-check a model by rendering it; used for messages built from JSON."""
    root = to_element(message)
    issues = validate(root, message.spec.edition)
    return [_locate(issue, message.spec, root) for issue in issues]


def text_of(value: FieldValue) -> str:
    """XML text for a typed value; decimals never use exponent notation."""
    if isinstance(value, bool):
        raise TypeError("booleans are not CEB values")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"{type(value).__name__} is not a CEB value (floats are never accepted)")


def value_of(text: str | None, spec: FieldSpec) -> FieldValue:
    """Typed value for an element's text, per the XSD kind of the field."""
    raw = text or ""
    if spec.kind is ValueKind.DECIMAL:
        try:
            return Decimal(raw.strip())
        except InvalidOperation as exc:
            raise ValueError(f"{spec.name}: {raw!r} is not a decimal") from exc
    if spec.kind is ValueKind.INT:
        return int(raw.strip())
    return raw


def _record(element: etree._Element, spec: MessageSpec) -> Record:
    if spec.head_element is None:
        return Record(head=_fields(element, spec.head_fields))
    head: Fields = {}
    lines: list[Fields] = []
    for child in _elements(element):
        local = etree.QName(child).localname
        if local == spec.head_element:
            head = _fields(child, spec.head_fields)
        elif local == spec.list_element:
            lines.append(_fields(child, spec.line_fields))
    return Record(head=head, lines=lines)


# The field specs are long-lived catalogue tuples; index each once rather than per
# record (a 100-record message decodes ~5,000 fields). The tuple is kept in the
# entry, so its id cannot be reused while the entry exists.
_BY_NAME: dict[int, tuple[tuple[FieldSpec, ...], dict[str, FieldSpec]]] = {}


def _by_name(specs: tuple[FieldSpec, ...]) -> dict[str, FieldSpec]:
    entry = _BY_NAME.get(id(specs))
    if entry is None or entry[0] is not specs:
        entry = _BY_NAME[id(specs)] = (specs, {spec.name: spec for spec in specs})
    return entry[1]


def _fields(element: etree._Element, specs: tuple[FieldSpec, ...]) -> Fields:
    by_name = _by_name(specs)
    values: Fields = {}
    for child in _elements(element):
        # "{namespace}local" → local, without building a QName per element.
        name = child.tag.rpartition("}")[2]
        spec = by_name.get(name)
        if spec is None:
            raise ValueError(f"unexpected field {name}")
        values[name] = value_of(child.text, spec)
    return values


def _extend(element: etree._Element) -> ExtendMessage:
    values = {etree.QName(c).localname: c for c in _elements(element)}
    payload = values.get("Message")
    inner = next(_elements(payload), None) if payload is not None else None
    return ExtendMessage(
        name=values["name"].text or "" if "name" in values else "",
        version=values["version"].text or "" if "version" in values else "",
        message=_verbatim(inner) if inner is not None else None,
    )


def _write_record(root: etree._Element, record: Record, spec: MessageSpec) -> None:
    record_el = etree.SubElement(root, _ceb(spec.record_element))
    if spec.head_element is None:
        _write_fields(record_el, record.head, spec.head_fields)
        return
    _write_fields(etree.SubElement(record_el, _ceb(spec.head_element)), record.head, spec.head_fields)
    if spec.list_element is not None:
        for line in record.lines:
            _write_fields(etree.SubElement(record_el, _ceb(spec.list_element)), line, spec.line_fields)
    elif record.lines:
        raise ValueError(f"{spec.code} records have no list lines")


def _write_fields(parent: etree._Element, values: Fields, specs: tuple[FieldSpec, ...]) -> None:
    known = {spec.name for spec in specs}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"fields not in the XSD for {etree.QName(parent).localname}: {sorted(unknown)}")
    for spec in specs:
        if spec.name in values:
            etree.SubElement(parent, _ceb(spec.name)).text = text_of(values[spec.name])


def _write_extend(root: etree._Element, extend: ExtendMessage) -> None:
    element = etree.SubElement(root, _ceb("ExtendMessage"))
    etree.SubElement(element, _ceb("name")).text = extend.name
    etree.SubElement(element, _ceb("version")).text = extend.version
    payload = etree.SubElement(element, _ceb("Message"))
    if extend.message is not None:
        payload.append(_parse_fragment(extend.message))


def _verbatim(element: etree._Element) -> str:
    # Serialise a detached copy so the string carries exactly the namespace
    # declarations the fragment needs, independent of where it sat.
    copy = etree.fromstring(etree.tostring(element, with_tail=False))
    etree.cleanup_namespaces(copy)
    return etree.tostring(copy, encoding="unicode", with_tail=False)


def _parse_fragment(text: str) -> etree._Element:
    parsed = secure_parse(text.encode("utf-8"))
    if parsed.root is None:
        raise ValueError(f"embedded XML fragment is not acceptable: {parsed.issues[0].message}")
    return parsed.root


def _locate(issue: Issue, spec: MessageSpec, root: etree._Element) -> Issue:
    """Add a JSON pointer to a schema issue when its line pins down one element."""
    if issue.line is None or issue.element is None:
        return issue
    local = issue.element.split(":", 1)[-1]
    for element in root.iter():
        if not isinstance(element.tag, str) or element.sourceline != issue.line:
            continue
        if etree.QName(element).localname != local:
            continue
        pointer = _pointer(element, spec, root)
        if pointer is not None:
            return Issue(issue.code, issue.message, pointer, issue.line, issue.element, issue.severity)
    return issue


def _pointer(element: etree._Element, spec: MessageSpec, root: etree._Element) -> str | None:
    chain: list[etree._Element] = []
    node: etree._Element | None = element
    while node is not None and node is not root:
        chain.append(node)
        node = node.getparent()
    chain.reverse()
    if not chain:
        return ""
    top = chain[0]
    top_name = etree.QName(top).localname
    if top_name in {"BaseTransfer", "BaseSubscribe", "ExtendMessage"}:
        key = top_name[0].lower() + top_name[1:]
        if top_name == "BaseSubscribe":
            key += f"/{_position(top)}"
        return "/" + "/".join([key, *(etree.QName(e).localname for e in chain[1:2])])
    if top_name != spec.record_element:
        return None
    pointer = f"/records/{_position(top)}"
    rest = chain[1:]
    if spec.head_element is None:
        return pointer + (f"/head/{etree.QName(rest[0]).localname}" if rest else "")
    if not rest:
        return pointer
    part = etree.QName(rest[0]).localname
    leaf = f"/{etree.QName(rest[1]).localname}" if len(rest) > 1 else ""
    if part == spec.head_element:
        return f"{pointer}/head{leaf}"
    if part == spec.list_element:
        return f"{pointer}/lines/{_position(rest[0])}{leaf}"
    return pointer


def _position(element: etree._Element) -> int:
    tag = element.tag
    return sum(1 for sibling in element.itersiblings(preceding=True) if sibling.tag == tag)


def _elements(element: etree._Element) -> etree._ElementIterator:
    return element.iterchildren(tag=etree.Element)


def _ceb(local: str) -> str:
    return f"{{{CEB_NS}}}{local}"


_VERBATIM = {f"{{{DS_NS}}}Signature", f"{{{CEB_NS}}}Message"}


def _indent(element: etree._Element, level: int = 0) -> None:
    # Like etree.indent, but leaves ds:Signature and ExtendMessage payloads
    # byte-for-byte as they were: their whitespace is part of what was signed.
    children = list(_elements(element))
    if not children or element.tag in _VERBATIM:
        return
    inner = "\n" + "  " * (level + 1)
    element.text = inner
    for child in children:
        _indent(child, level + 1)
        child.tail = inner
    children[-1].tail = "\n" + "  " * level
