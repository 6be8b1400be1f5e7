"""Request bodies → the typed CEB model, or the precise reasons why not.

XML goes through the pure core's pipeline once: hardened parse (no DOCTYPE, no
entities, no network, size/depth/encoding limits), identification, the compiled XSD,
typed conversion (:func:`ceb.xml_codec.decode_xml`).

JSON is the JSON codec's form of the same message (``ceb.json_codec``): field names
are the XSD element names, decimals are strings. It is decoded defensively (strict
UTF-8, no duplicate members, no NaN/Infinity, numbers never become floats, bounded
nesting), mapped to the model, then rendered as CEB XML and put through the very same
XML pipeline — so both formats meet one schema, and XSD errors in a JSON filing point
at the JSON member (``/records/0/head/orderNo``). A resource may be given a bare
record (``{"head": …, "lines": […]}``) or the message form (``{"records": […]}``);
``messageType`` defaults to the resource's, ``guid`` to a fresh one, ``version`` to 1.0.

When the platform signs outbound messages, a JSON filing of a type whose XSD requires
``ds:Signature`` (CEB621/623/625/711) may omit it: the schema check runs with a
placeholder signature, which is not stored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.declaration.ceb import codes
from services.declaration.ceb.catalogue import SignatureRule, spec_for
from services.declaration.ceb.issues import Issue
from services.declaration.ceb.json_codec import message_from_json, missing_members
from services.declaration.ceb.model import CebMessage
from services.declaration.ceb.receipts import new_guid
from services.declaration.ceb.xml_codec import decode_xml, encode_xml
from services.declaration.ceb.xml_security import XmlLimits

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
JSON_UNDECODABLE = "DDT-J00"  # not UTF-8, not JSON, duplicate members, NaN, nested too deep

#: A structurally complete ds:Signature used only to schema-check unsigned JSON filings.
PLACEHOLDER_SIGNATURE = (
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
    '<ds:SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>'
    '<ds:Reference URI=""><ds:Transforms>'
    '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms>'
    '<ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/>'
    "<ds:DigestValue>AA==</ds:DigestValue></ds:Reference></ds:SignedInfo>"
    "<ds:SignatureValue>AA==</ds:SignatureValue></ds:Signature>"
)


@dataclass(frozen=True)
class Parsed:
    """A parsed body: the message, or the issues and how far parsing got."""

    message: CebMessage | None
    issues: tuple[Issue, ...] = field(default=())
    message_type: str | None = None
    stage: str = "ok"
    """``syntax`` (not well-formed / hostile / undecodable), ``schema`` (XSD or JSON mapping) or ``ok``."""

    @property
    def ok(self) -> bool:
        """True when a schema-valid message was produced."""
        return self.message is not None and not self.issues


def parse_xml(data: bytes, limits: XmlLimits) -> Parsed:
    """Untrusted CEB XML bytes → message."""
    result = decode_xml(data, limits)
    if result.ok:
        return Parsed(result.message, message_type=result.message_type)
    stage = "schema" if any(issue.code == codes.SCHEMA_INVALID for issue in result.issues) else "syntax"
    return Parsed(None, result.issues, result.message_type, stage)


_XSD_ELEMENT = re.compile(r"^Element '(?:\w+:)?(\w+)'(?: \[facet '(\w+)'\])?: ")


def json_issue(issue: Issue) -> Issue:
    """An XSD issue of the XML rendered from a JSON filing, told in the JSON filer's terms.

    The line and element are those of the platform's internal rendering, meaningless to a
    JSON filer: they are dropped, and libxml2's ``Element 'ceb:orderNo': …`` becomes
    ``/records/0/head/orderNo: …`` (the pointer names the member).
    """
    pointer = issue.pointer or ""
    text = issue.message.replace("ceb:", "")
    match = _XSD_ELEMENT.match(text)
    if match is not None:
        where = pointer or match.group(1)
        facet = f"[{match.group(2)}] " if match.group(2) else ""
        text = f"{where}: {facet}{text[match.end() :]}"
    return Issue(issue.code, text, pointer, None, None, issue.severity)


class _Undecodable(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _Undecodable(f"member {key!r} appears twice in one object")
        found[key] = value
    return found


def _no_constants(name: str) -> Any:
    raise _Undecodable(f"{name} is not a JSON number")


def decode_json(data: bytes) -> Any | Issue:
    """Strictly decode a JSON body (UTF-8, no duplicates, no floats, bounded nesting)."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Issue(JSON_UNDECODABLE, f"the body is not UTF-8: bytes at offset {exc.start} are invalid", "")
    if not text.strip():
        return Issue(JSON_UNDECODABLE, "the body is empty", "")
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_int=int,
            parse_constant=_no_constants,
            object_pairs_hook=_no_duplicates,
        )
    except json.JSONDecodeError as exc:
        return Issue(
            JSON_UNDECODABLE,
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            "",
            line=exc.lineno,
        )
    except _Undecodable as exc:
        return Issue(JSON_UNDECODABLE, str(exc), "")
    except RecursionError:
        return Issue(JSON_UNDECODABLE, "the JSON is nested too deeply", "")
    except ValueError as exc:  # e.g. an integer with thousands of digits
        return Issue(JSON_UNDECODABLE, f"not acceptable JSON: {exc}", "")


def parse_json(data: bytes, expected_type: str | None, limits: XmlLimits, *, platform_signs: bool) -> Parsed:
    """A JSON body → message, checked against the same XSD as XML filings."""
    if len(data) > limits.max_bytes:
        return Parsed(
            None,
            (
                Issue(
                    codes.XML_TOO_LARGE, f"the body is {len(data)} bytes; the limit is {limits.max_bytes}", ""
                ),
            ),
            expected_type,
            "syntax",
        )
    decoded = decode_json(data)
    if isinstance(decoded, Issue):
        return Parsed(None, (decoded,), expected_type, "syntax")
    if not isinstance(decoded, dict):
        return Parsed(
            None,
            (Issue(codes.JSON_BAD_STRUCTURE, "the body must be a JSON object", ""),),
            expected_type,
            "schema",
        )
    document = dict(decoded)
    if "records" not in document and "head" in document:
        document = {"records": [{k: document.pop(k) for k in ("head", "lines") if k in document}], **document}
    given_type = document.get("messageType")
    if given_type is None and expected_type is not None:
        document["messageType"] = expected_type
    document.setdefault("guid", new_guid())
    document.setdefault("version", "1.0")
    message_type = str(document.get("messageType", "")).removesuffix("Message")
    result = message_from_json(document)
    if not result.ok or result.message is None:
        return Parsed(None, result.issues, message_type or None, "schema")
    message = result.message
    unrepresentable = [
        Issue(codes.JSON_BAD_VALUE, "contains characters XML cannot carry (control characters)", pointer)
        for pointer, value in message.values()
        if isinstance(value, str) and _XML_ILLEGAL.search(value)
    ]
    if unrepresentable:
        return Parsed(None, tuple(unrepresentable), message.message_type, "schema")
    missing = missing_members(message)
    if missing:
        return Parsed(None, tuple(missing), message.message_type, "schema")
    spec = spec_for(message.message_type)
    placeholder = (
        platform_signs
        and spec is not None
        and spec.signature is SignatureRule.REQUIRED
        and message.signature is None
    )
    if placeholder:
        message.signature = PLACEHOLDER_SIGNATURE
    # One schema for both formats: render and run the XML pipeline (it also locates errors).
    checked = decode_xml(encode_xml(message, pretty=True), limits)
    if not checked.ok or checked.message is None:
        return Parsed(None, tuple(json_issue(i) for i in checked.issues), message.message_type, "schema")
    if placeholder:
        checked.message.signature = None
    return Parsed(checked.message, message_type=message.message_type)
