"""Pure domain core of the customs declaration service (GACC CEB, 202205 edition).

No database, web framework or broker here: plain functions over bytes, typed
dataclasses and Decimals, so the service can wire them in any way.

Typical intake of a declaration::

    result = decode_xml(raw_bytes)                 # hostile-XML guard + XSD
    if not result.ok:
        ceb900 = render_format_receipt(raw_bytes, result.issues, now, cop_msg_id, result.message_type)
    else:
        issues = check_message(result.message)     # single-message business rules
        answer = build_answer(result.message, issues)
        receipt = render_receipt(answer, result.message, now)   # CEB312, CEB622 …

Modules: :mod:`.xml_security` (hardened parse), :mod:`.schemas` (cached XSDs),
:mod:`.xsd_fields` and :mod:`.catalogue` (XSD-derived message catalogue),
:mod:`.model`, :mod:`.xml_codec`, :mod:`.json_codec`, :mod:`.rules`,
:mod:`.keys`, :mod:`.matching`, :mod:`.refunds`, :mod:`.tax`, :mod:`.masking`,
:mod:`.receipts`, :mod:`.receipt_events`, :mod:`.customs_time`, :mod:`.codes`.
"""

from services.declaration.ceb.catalogue import CATALOGUE, MessageSpec, spec_for
from services.declaration.ceb.issues import Issue, Severity
from services.declaration.ceb.json_codec import message_from_json, message_to_json
from services.declaration.ceb.matching import MatchResult, MatchStatus, match_inventory
from services.declaration.ceb.model import CebMessage, ExtendMessage, Record
from services.declaration.ceb.receipt_events import ReceiptEvent, parse_receipt
from services.declaration.ceb.receipts import build_answer, render_format_receipt, render_receipt
from services.declaration.ceb.rules import RuleConfig, check_message
from services.declaration.ceb.tax import LimitConfig, assess_inventory
from services.declaration.ceb.xml_codec import decode_xml, encode_xml
from services.declaration.ceb.xml_security import XmlLimits, secure_parse

__all__ = [
    "CATALOGUE",
    "CebMessage",
    "ExtendMessage",
    "Issue",
    "LimitConfig",
    "MatchResult",
    "MatchStatus",
    "MessageSpec",
    "ReceiptEvent",
    "Record",
    "RuleConfig",
    "Severity",
    "XmlLimits",
    "assess_inventory",
    "build_answer",
    "check_message",
    "decode_xml",
    "encode_xml",
    "match_inventory",
    "message_from_json",
    "message_to_json",
    "parse_receipt",
    "render_format_receipt",
    "render_receipt",
    "secure_parse",
    "spec_for",
]
