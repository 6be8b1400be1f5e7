"""Every code the declaration service can put in an answer, a receipt or a document's history.

Two schemes (see :mod:`services.declaration.ceb.codes`):

* **customs** — the codes of the interface spec §7 (pp.112-117), used verbatim where the
  spec defines one for the condition: the data-exchange format codes ``0001``/``0002``
  (table 7-1) and the negative business codes (table 7-2, ``-621005`` …).  Each entry
  carries the spec's Chinese text exactly as printed (``[*]`` and ``*`` are the spec's
  placeholders; its spacing around Latin words and its typos are kept).
* **platform** — ``DDT-…`` codes for the conditions customs publishes no code for.

The catalogue is documentation that the suite keeps honest: a test scans the service's
source for code literals and fails on any the catalogue lacks, and another keeps
``docs/declaration-codes.md`` equal to :func:`render_markdown` (regenerate it with
``python -m services.declaration.ceb.code_catalogue > docs/declaration-codes.md``).
The same entries are served as JSON by ``GET /v1/customs/codes``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from services.declaration.ceb import codes

CUSTOMS_CODE = re.compile(r"000[12]|-\d{6}")
"""The customs codes the service uses: exchange format codes and negative business codes."""
PLATFORM_CODE = re.compile(r"DDT-(X\d{2}|J\d{2}|[123]\d{2}|E\d{2})")
"""The platform's own codes: ``DDT-X..``, ``DDT-J..``, ``DDT-1xx/2xx/3xx``, ``DDT-E..``."""


class Scheme(StrEnum):
    """Whose code it is."""

    CUSTOMS = "customs"
    PLATFORM = "platform"


class Family(StrEnum):
    """What kind of check produces the code; one table of the generated document each."""

    FORMAT = "format"
    HOSTILE_XML = "hostile XML"
    JSON = "JSON input"
    SINGLE_DOCUMENT = "single-document rule"
    CROSS_DOCUMENT = "cross-document"
    LIMITS_AND_TAX = "limits and tax"
    EXCHANGE = "customs exchange"
    REJECTION = "record rejection"


FAMILY_TITLE: dict[Family, str] = {
    Family.FORMAT: "Format (customs data-exchange codes)",
    Family.HOSTILE_XML: "Hostile or undecodable XML (DDT-X..)",
    Family.JSON: "JSON input (DDT-J..)",
    Family.SINGLE_DOCUMENT: "Single-document rules (DDT-1xx)",
    Family.CROSS_DOCUMENT: "Cross-document checks (DDT-2xx)",
    Family.LIMITS_AND_TAX: "Limits and tax (DDT-3xx)",
    Family.EXCHANGE: "Customs exchange (DDT-E..)",
    Family.REJECTION: "Record rejection (returnStatus)",
}
"""The heading of each family's table in the generated document."""
FAMILY_INTRO: dict[Family, str] = {
    Family.FORMAT: (
        "Customs' data-exchange format codes (spec table 7-1). The XML answer to such a "
        "filing is a CEB900 format receipt: `returnStatus` -2 for `0002`, -1 for `0001`."
    ),
    Family.HOSTILE_XML: (
        "XML the platform refuses to parse or cannot place: empty, too large, too deep, a "
        "DOCTYPE, bytes that do not decode, not a CEB message. Answered 400 "
        "`declaration.xml_rejected` (XML: CEB900 -1); in a JSON filing, a body too large is 400 "
        "`declaration.json_rejected` and an unknown messageType 422 `declaration.schema_invalid`."
    ),
    Family.JSON: (
        "JSON filings that do not map onto the message the XSD describes. Pointers name the "
        "JSON member; answered 400 `declaration.json_rejected` (undecodable) or 422 "
        "`declaration.schema_invalid`."
    ),
    Family.SINGLE_DOCUMENT: (
        "Business rules one record can be checked against on its own (`prechecks/rules/`), "
        "and a return's lines against its original inventory. The record is rejected "
        "(422 `declaration.rejected` when every record is)."
    ),
    Family.CROSS_DOCUMENT: (
        "Checks against the documents the platform already holds: duplicates, the "
        "three-document match, amendments and deletions (appType 2/3), the resource a "
        "message was sent to."
    ),
    Family.LIMITS_AND_TAX: (
        "The retail import limits (5,000 CNY per transaction, 26,000 CNY per buyer and year) and valuation."
    ),
    Family.EXCHANGE: (
        "The exchange with customs: cancellations, returns and summaries checked against "
        "the inventories customs answered, signatures, and messages the platform could not "
        "build. They appear in a filing's answer or in the document's history and receipts."
    ),
    Family.REJECTION: (
        "The `returnStatus` of a rejected record whose errors carry no customs code of their "
        "own (its first customs-coded error wins otherwise): customs' validation code of the "
        "document type. It stands beside the DDT codes of the errors, in the JSON answer "
        "(`returnStatus`) and in the XML receipt."
    ),
}


@dataclass(frozen=True, slots=True)
class CodeEntry:
    """One code: what it means, where it applies and what the filer does about it.

    ``message_types`` is empty when the code applies to every declaration type (or to
    every one carrying the field the meaning names).  ``official_text`` is the spec's
    text for customs codes, ``None`` for platform codes.  ``reserved`` codes are
    defined in :mod:`~services.declaration.ceb.codes` but not emitted by any check yet.
    """

    code: str
    scheme: Scheme
    family: Family
    meaning: str
    action: str
    message_types: tuple[str, ...] = ()
    official_text: str | None = None
    reserved: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON form served by ``GET /v1/customs/codes``."""
        return {
            "code": self.code,
            "scheme": self.scheme.value,
            "family": self.family.value,
            "messageTypes": list(self.message_types),
            "officialText": self.official_text,
            "meaning": self.meaning,
            "action": self.action,
            "reserved": self.reserved,
        }


def _customs(
    code: str,
    family: Family,
    text: str,
    meaning: str,
    action: str,
    types: Iterable[str] = (),
    *,
    reserved: bool = False,
) -> CodeEntry:
    return CodeEntry(code, Scheme.CUSTOMS, family, meaning, action, tuple(types), text, reserved)


def _ddt(
    code: str, family: Family, meaning: str, action: str, types: Iterable[str] = (), *, reserved: bool = False
) -> CodeEntry:
    return CodeEntry(code, Scheme.PLATFORM, family, meaning, action, tuple(types), None, reserved)


_F, _X, _J = Family.FORMAT, Family.HOSTILE_XML, Family.JSON
_S, _C, _L = Family.SINGLE_DOCUMENT, Family.CROSS_DOCUMENT, Family.LIMITS_AND_TAX
_E, _R = Family.EXCHANGE, Family.REJECTION

_ORDERS = ("CEB311", "CEB303")
_INVENTORIES = ("CEB621", "CEB603")
_SIGNED = ("CEB621", "CEB623", "CEB625", "CEB711", "CEB607")
_FIX = "Correct the field the pointer names and file again."

ENTRIES: tuple[CodeEntry, ...] = (
    # --- format (spec table 7-1) ---------------------------------------------------------------
    _customs(
        codes.XML_MALFORMED,
        _F,
        "报文格式错误",
        "The XML is not well-formed (or its DXP envelope cannot be read).",
        "Send well-formed UTF-8 XML; the line and column say where parsing stopped.",
    ),
    _customs(
        codes.SCHEMA_INVALID,
        _F,
        "数据包不能通过 schema 验证",
        "The message fails the 202205 XSD: an element missing, out of order, too long or of the wrong type.",
        "Fix the element named (JSON filings: the member the pointer names) against the XSD.",
    ),
    # --- hostile or undecodable XML --------------------------------------------------------------
    _ddt(codes.XML_EMPTY, _X, "The body is empty.", "Send the message in the request body."),
    _ddt(
        codes.XML_TOO_LARGE,
        _X,
        "The body (XML or JSON) is larger than the intake limit (16 MiB by default).",
        "Send fewer records per message.",
    ),
    _ddt(
        codes.XML_TOO_DEEP,
        _X,
        "Elements are nested deeper than the limit (32 levels); no CEB message needs that.",
        "Send the message as the XSD structures it.",
    ),
    _ddt(
        codes.XML_DOCTYPE_FORBIDDEN,
        _X,
        "The XML carries a DOCTYPE (DTDs and entities are refused outright).",
        "Remove the DOCTYPE declaration.",
    ),
    _ddt(
        codes.XML_BAD_BYTES_FOR_ENCODING,
        _X,
        "Bytes that do not decode in the declared encoding.",
        "Encode the document as it declares (UTF-8).",
    ),
    _ddt(
        codes.XML_ENCODING_NOT_ALLOWED,
        _X,
        "The declared encoding is unknown or not accepted (UTF-8 only).",
        'Encode as UTF-8 and declare encoding="UTF-8".',
    ),
    _ddt(
        codes.XML_NOT_CEB_NAMESPACE,
        _X,
        "The root element is not in the CEB namespace http://www.chinaport.gov.cn/ceb.",
        "Put the message in the ceb namespace, as the official samples do.",
    ),
    _ddt(
        codes.XML_UNKNOWN_MESSAGE,
        _X,
        "Not a CEBnnnMessage of the 202205 edition (root element or JSON messageType); on the "
        "receipt intake, a declaration where a customs receipt was expected.",
        "Send a declaration of the 202205 edition, named by its root element or messageType.",
    ),
    # --- JSON input ------------------------------------------------------------------------------
    _ddt(
        "DDT-J00",
        _J,
        "The body is not acceptable JSON: not UTF-8, empty, a syntax error, duplicate members, "
        "NaN or nested too deeply.",
        "Send one UTF-8 JSON object; the line and column say where decoding stopped.",
    ),
    _ddt(
        codes.JSON_UNKNOWN_FIELD,
        _J,
        "A member the message does not have (misspelt or from another message type).",
        "Remove or rename the member the pointer names.",
    ),
    _ddt(
        codes.JSON_BAD_VALUE,
        _J,
        "A value of the wrong JSON type: decimals and strings must be strings, integers "
        "integers; or characters XML cannot carry.",
        'Send the value as the field\'s type (decimals as strings, e.g. "12.50").',
    ),
    _ddt(
        codes.JSON_BAD_STRUCTURE,
        _J,
        "The shape is wrong: the body, a record or fields not an object, records or lines not an array.",
        "Follow the JSON message form (docs/declaration-examples.md).",
    ),
    _ddt(
        codes.JSON_MISSING_MEMBER,
        _J,
        "A member the XSD requires is absent (or no record / no line at all).",
        "Add the member the pointer names.",
    ),
    # --- single-document rules -------------------------------------------------------------------
    _customs(
        codes.ORDER_DUPLICATE_GNUM,
        _S,
        "订单商品信息内有重复商品序号",
        "Two order lines have the same gnum.",
        "Number the lines 1, 2, 3 … once each.",
        _ORDERS,
    ),
    _customs(
        codes.INVENTORY_DUPLICATE_GNUM,
        _S,
        "请确认表体 gnum 无重复！",
        "Two inventory lines have the same gnum.",
        "Number the lines 1, 2, 3 … once each.",
        _INVENTORIES,
    ),
    _customs(
        codes.SECOND_UNIT_QTY,
        _S,
        "退货申请单[*]表体第[*]项的第二数量与第二单位不符合规则（当第二单位为空时，第二数量应为空；"
        "当第二单位有值时，第二数量应为正数）！",
        "qty2 does not fit unit2: with unit2 empty qty2 must be empty, with unit2 given a "
        "positive qty2 (customs' return-application rule, applied to every list with a second unit).",
        "Give qty2 exactly when unit2 is given.",
        ("CEB621", "CEB603", "CEB213"),
    ),
    _ddt(
        codes.ACTURAL_PAID,
        _S,
        "acturalPaid is not goodsValue + freight + taxTotal − discount.",
        "Recompute acturalPaid (or the parts it is made of).",
        ("CEB311",),
    ),
    _ddt(
        codes.LINE_TOTAL,
        _S,
        "A line's totalPrice is not price × qty (rounded half-up to the XSD's 5 decimals).",
        "Recompute totalPrice from price and qty.",
        ("CEB311", "CEB621", "CEB303", "CEB603"),
    ),
    _ddt(
        codes.GOODS_VALUE_SUM,
        _S,
        "goodsValue is not the sum of the lines' totalPrice. An inferred rule: flagged for "
        "review by default (setting goods_value_sum), not rejected.",
        "Check goodsValue against the lines.",
        ("CEB311",),
    ),
    _ddt(
        codes.IMPORT_CURRENCY,
        _S,
        "An import currency other than 142 (CNY): the import XSD fixes 人民币.",
        "Declare import amounts in CNY, currency 142.",
        ("CEB311", "CEB411", "CEB511", "CEB621"),
    ),
    _ddt(
        codes.PACK_NO,
        _S,
        "An import packNo other than 1 (包裹数量限定为1).",
        "Declare one parcel per waybill and inventory.",
        ("CEB511", "CEB621"),
    ),
    _ddt(
        codes.ID_TYPE,
        _S,
        "buyerIdType / payerIdType other than 1 (the import XSD allows the resident ID card only).",
        "Use id type 1 with the buyer's or payer's ID card number.",
        ("CEB311", "CEB411", "CEB621", "CEB623", "CEB625"),
    ),
    _ddt(
        codes.GCODE_FORMAT,
        _S,
        "An HS code (gcode) that is not all digits of an allowed length: 10; 4 for export "
        "statisticsFlag A, 6 for 9710/9810 simplified declaration.",
        "Declare the full 10-digit HS code.",
        ("CEB621", "CEB625", "CEB603", "CEB213", "CEB215"),
    ),
    _ddt(
        codes.WEIGHTS,
        _S,
        "grossWeight, netWeight or weight not positive, or netWeight above grossWeight (kg).",
        "Declare positive weights in kilograms, net ≤ gross.",
        ("CEB511", "CEB621", "CEB505", "CEB603", "CEB607"),
    ),
    _ddt(
        codes.TIME_FORMAT,
        _S,
        "A time field that is not a real time in its XSD format (YYYYMMDD, YYYYMMDDhhmmss or with "
        "milliseconds).",
        "Send a real date and time in the field's format, Beijing time.",
    ),
    _ddt(
        codes.GNUM_SEQUENCE,
        _S,
        "Line numbers (gnum) do not run 1, 2, 3 … in document order.",
        "Renumber the lines from 1 without gaps (returns keep the inventory's numbers).",
        ("CEB311", "CEB621", "CEB711", "CEB303", "CEB507", "CEB509", "CEB603", "CEB607"),
    ),
    _ddt(
        codes.DUPLICATE_GNUM,
        _S,
        "A duplicate gnum in a list customs publishes no code for.",
        "Number each line once.",
        ("CEB625", "CEB711", "CEB507", "CEB509", "CEB607", "CEB213"),
    ),
    _ddt(
        codes.BONDED_FIELDS,
        _S,
        "A bonded import (1210/1239) without emsNo, areaCode, areaName or each line's itemRecordNo "
        "(保税模式必填).",
        "Add the bonded account, area and item record numbers.",
        ("CEB621",),
    ),
    _ddt(
        codes.DIRECT_IMPORT_FIELDS,
        _S,
        "A direct-purchase import (9610) without trafNo, voyageNo or billNo (直购进口必填).",
        "Add the transport, voyage and bill of lading numbers.",
        ("CEB621",),
    ),
    _ddt(
        codes.TRADE_MODE,
        _S,
        "tradeMode not allowed for the direction (import 9610/1210/1239; export also "
        "9710/9810), or export statisticsFlag not A/B.",
        "Declare the supervision mode the shipment really uses.",
        _INVENTORIES,
    ),
    _ddt(
        codes.ORDER_TYPE,
        _S,
        "orderType not allowed: I on import; E, B or W on export.",
        "Set orderType for the direction and business type.",
        _ORDERS,
    ),
    _ddt(
        codes.IE_FLAG,
        _S,
        "ieFlag not the value the document requires (I for import inventories, warehouse "
        "entries and export returns; E for export inventories).",
        "Set ieFlag as the message requires.",
        ("CEB621", "CEB711", "CEB603", "CEB213", "CEB215"),
    ),
    _ddt(
        codes.LOGISTICS_STATUS,
        _S,
        "A waybill status other than S (signed for), the only one the import XSD allows.",
        "Send logisticsStatus S once the parcel is signed for.",
        ("CEB513",),
    ),
    _ddt(
        codes.CODE_FORMAT,
        _S,
        "A unit, currency or country that is not a 3-digit JGS-20 code (or not in the "
        "loaded code table); or a flag out of its set (CEB603 fFlag/iFlag, CEB701 "
        "summaryFlag/itemNameFlag).",
        "Use the customs code tables' 3-digit codes and the flags' allowed values.",
    ),
    _ddt(
        codes.BLANK_REQUIRED,
        _S,
        "A required string is empty or blank (schema-valid in the export XSD, which dropped "
        "minLength, but meaningless).",
        "Fill the field.",
    ),
    _ddt(
        codes.B2B_CHANNEL,
        _S,
        "A 9710/9810 shipment not eligible for the cross-border channel: above 5,000 CNY, or "
        "needing a licence, duty or inspection (or, for review, a currency without a CNY rate).",
        "Declare it on an ordinary customs declaration (H2018 报关单) instead.",
        ("CEB303", "CEB603"),
    ),
    _ddt(
        codes.APP_TYPE,
        _S,
        "appType not 1/2/3 (cancellations: 1 only) or appStatus not 1/2.",
        "Use appType 1 new, 2 change, 3 delete; appStatus 1 store, 2 declare.",
    ),
    _ddt(
        codes.SIGNATURE_REQUIRED,
        _S,
        "appStatus 2 (申报) on a message type that must be signed, without ds:Signature.",
        "Sign the message (a JSON filing may leave it out when the platform signs what it sends).",
        _SIGNED,
    ),
    _ddt(
        codes.QUANTITY,
        _S,
        "A line's qty not positive, or its price negative (gifts use 0).",
        "Declare a positive quantity and a price of at least 0.",
        ("CEB311", "CEB621", "CEB625", "CEB303", "CEB603", "CEB213"),
    ),
    _ddt(
        codes.LEGAL_QTY,
        _S,
        "unit equals the legal unit unit1 but qty1 differs from qty.",
        "Make qty1 equal qty when the units are the same.",
        ("CEB621", "CEB603", "CEB213"),
    ),
    _ddt(
        codes.GUID_FORMAT,
        _S,
        "A guid with lower-case letters (the XSD annotation: 英文字母大写).",
        "Send guids in upper case.",
    ),
    _ddt(
        codes.BONDED_COUNTRY,
        _S,
        "A bonded import whose head country is not 142: goods leave a bonded area inside China.",
        "Declare country 142 for bonded imports.",
        ("CEB621",),
    ),
    _ddt(
        codes.SUMMARY_WINDOW,
        _S,
        "startTime and endTime not given together, or startTime after endTime.",
        "Give both times, in order, or neither.",
        ("CEB701",),
    ),
    _ddt(
        codes.MSG_SEQUENCE,
        _S,
        "A split message's msgSeqNo outside 1..msgCount.",
        "Number the parts 1..msgCount.",
        ("CEB507", "CEB509", "CEB607", "CEB701"),
    ),
    _customs(
        codes.REFUND_LINE_NOT_FOUND,
        _S,
        "退货申请单[*],在关联的清单中未找到表体序号为[*],商品编号为[*]的数据",
        "A return line whose gnum is not a line of the original inventory.",
        "Return lines by the inventory's own line numbers.",
        ("CEB625",),
    ),
    _ddt(
        codes.REFUND_QTY,
        _S,
        "A returned quantity above the original inventory line's.",
        "Return at most what the inventory line declared.",
        ("CEB625",),
    ),
    _ddt(
        codes.REFUND_LINE_MISMATCH,
        _S,
        "A return whose invtNo is not the original inventory's, or a line whose gcode, gname "
        "or unit differ from the inventory line's.",
        "Copy invtNo and the line's gcode, gname and unit from the inventory.",
        ("CEB625",),
    ),
    # --- cross-document --------------------------------------------------------------------------
    _customs(
        "-301010",
        _C,
        "已存在相同编号的订单",
        "An order with this orderNo exists on this platform (ebpCode), filed before or earlier in "
        "the message.",
        "Use a new orderNo, or appType 2 to change the order filed.",
        _ORDERS,
    ),
    _customs(
        "-401007",
        _C,
        "已存在相同编号的支付单",
        "A payment with this number exists: payTransactionId per payment firm (CEB411), "
        "orderNo per e-commerce enterprise (CEB403).",
        "Use the transaction's own number, or appType 2 to change the one filed.",
        ("CEB411", "CEB403"),
    ),
    _customs(
        "-504012",
        _C,
        "物流运单已存在",
        "The carrier already used this logisticsNo within the reuse window (6 months).",
        "Use a new waybill number, or appType 2 to change the waybill filed.",
        ("CEB511", "CEB505"),
    ),
    _customs(
        "-621004",
        _C,
        "清单[*]已经申报过，请勿重复申报",
        "This declaring agent already filed an inventory with this copNo.",
        "Use a new copNo, or appType 2 to change the inventory filed.",
        _INVENTORIES,
    ),
    _customs(
        "-625033",
        _C,
        "退货申请单[*]已经申报过，请勿重复申报",
        "A return application with this copNo was already filed by this agent.",
        "Use a new copNo, or appType 2 to change the application filed.",
        ("CEB625",),
    ),
    _ddt(
        codes.MATCH_MISMATCH,
        _C,
        "The three-document match failed: a field of the inventory differs from its order, "
        "payment or waybill (the message names the field and both values).",
        "Correct the document that is wrong (appType 2); the inventory is matched again.",
        _INVENTORIES,
    ),
    _ddt(
        codes.MATCH_BUYER_NOT_PAYER,
        _C,
        "The payer is not the buyer. A review flag only: the inventory is not rejected.",
        "Nothing, unless the payment belongs to another order.",
        ("CEB621",),
    ),
    _ddt(
        "DDT-203",
        _C,
        "A duplicate of a document customs publishes no duplicate code for (same catalogue "
        "key; split messages per part).",
        "Use a new business number, or appType 2 to change the document filed.",
        (
            "CEB513",
            "CEB623",
            "CEB711",
            "CEB507",
            "CEB509",
            "CEB605",
            "CEB607",
            "CEB213",
            "CEB215",
            "CEB701",
        ),
    ),
    _ddt(
        "DDT-204",
        _C,
        "appType 2/3 for a document the platform does not hold.",
        "File it with appType 1 first, or check the business key.",
    ),
    _ddt(
        "DDT-205",
        _C,
        "appType 2/3 for a document another party filed.",
        "Only its filer may change or delete it.",
    ),
    _ddt(
        "DDT-206",
        _C,
        "appType 2/3 once the document left the pre-check (it went to customs).",
        "It is with customs now: wait for customs' answer; withdraw an inventory by a cancellation.",
    ),
    _ddt(
        "DDT-207",
        _C,
        "An inventory amendment that would change the buyer or move into another quota year.",
        "Delete the inventory (appType 3) and file a new one.",
        ("CEB621",),
    ),
    _ddt(
        "DDT-208",
        _C,
        "A receipt or customs data (CEB312, CEB816 …) sent in: customs sends those, not enterprises.",
        "File the declaration the receipt answers.",
    ),
    _ddt(
        "DDT-209",
        _C,
        "The message type is not the one the resource takes (e.g. a CEB621 posted to /import/orders).",
        "Post it to its own resource or to /v1/customs/messages.",
    ),
    # --- limits and tax --------------------------------------------------------------------------
    _customs(
        codes.SINGLE_LIMIT,
        _L,
        "清单[*]的购买金额超过单笔限额[[*]]",
        "The inventory's dutiable value is above the single-transaction limit (5,000 CNY), and "
        "it is not one indivisible item.",
        "Keep each purchase within the limit; a larger one is imported as general trade.",
        ("CEB621",),
    ),
    _customs(
        codes.ANNUAL_LIMIT,
        _L,
        "清单[*]中购买人[*]已用购买额度为[*]，本次购买将超过年度限额[*]",
        "The buyer's purchases this calendar year (Beijing) would exceed the annual limit (26,000 CNY).",
        "The buyer cannot buy this cross-border this year; declare it as general trade.",
        ("CEB621",),
    ),
    _customs(
        codes.REFUND_SINGLE_LIMIT,
        _L,
        "退货申请单[*]金额超过单笔限额",
        "A return application above the single-transaction limit. Reserved: no check emits it yet.",
        "—",
        ("CEB625",),
        reserved=True,
    ),
    _ddt(
        codes.NO_TAX_RATE,
        _L,
        "No tax rate for an HS code. Reserved: the shipped rate table has a default row, so it is "
        "not emitted.",
        "—",
        ("CEB621",),
        reserved=True,
    ),
    _ddt(
        "DDT-302",
        _L,
        "No CNY rate for the document's currency in the month's customs rate table: it cannot be valued.",
        "Declare a currency the rate table has, or ask the operator to load the month's rates.",
        ("CEB311", "CEB411", "CEB511", "CEB621", "CEB303", "CEB403", "CEB505", "CEB603"),
    ),
    # --- customs exchange ------------------------------------------------------------------------
    _customs(
        "-623005",
        _E,
        "清单的状态不符合撤单申报要求(清单编号[*])！",
        "The inventory's state does not allow a cancellation (only 120, 300, 399 or 800: "
        "customs has it and it is not closed, inspected or detained).",
        "Wait for the state that allows it; after 899 file a return instead.",
        ("CEB623", "CEB605"),
    ),
    _customs(
        "-621028",
        _E,
        "加签数据比对失败！",
        "The signature's digest does not match the signed content (it changed after signing).",
        "Sign the final bytes and send them unchanged.",
        _SIGNED,
    ),
    _customs(
        "-621029",
        _E,
        "验签失败！",
        "The signature does not verify with the certificate it names.",
        "Sign with the key of the certificate registered with customs.",
        _SIGNED,
    ),
    _ddt(
        "DDT-E01",
        _E,
        "A return of an inventory customs has not released (800) or closed (899).",
        "Wait for the release; before it, cancel the inventory instead.",
        ("CEB625", "CEB213"),
    ),
    _ddt(
        "DDT-E02",
        _E,
        "The return window has passed: 30 Beijing calendar days after the day of release.",
        "Returns are no longer possible through the platform.",
        ("CEB625",),
    ),
    _ddt(
        "DDT-E03",
        _E,
        "Returned quantities above the original line's, counting earlier live returns.",
        "Return at most what is left of the line.",
        ("CEB625", "CEB213"),
    ),
    _ddt(
        "DDT-E04",
        _E,
        "An export return line that is not a line of the original inventory (gnum and gcode).",
        "Return lines by the inventory's line numbers and HS codes.",
        ("CEB213",),
    ),
    _ddt(
        "DDT-E05",
        _E,
        "A summary names an inventory that is not released or closed.",
        "Summarise only released (800) or closed (899) inventories.",
        ("CEB701",),
    ),
    _ddt(
        "DDT-E06",
        _E,
        "A summary names an inventory already in another live summary.",
        "Leave it out, or cancel the other summary first.",
        ("CEB701",),
    ),
    _ddt(
        "DDT-E07",
        _E,
        "The inventory named was declared by another agent or for another enterprise.",
        "Only the inventory's own declaring agent may cancel, return or summarise it.",
        ("CEB623", "CEB625", "CEB605", "CEB213", "CEB701"),
    ),
    _ddt(
        "DDT-E09",
        _E,
        "The platform could not build a valid, signed customs message from the stored "
        "document; it is refused instead of sent.",
        "Contact the platform operator with the document id; file again once fixed.",
    ),
    # --- record rejection (returnStatus) ---------------------------------------------------------
    _customs(
        "-301008",
        _R,
        "参数校验不通过，*",
        "An order record failed validation.",
        "Read the errors beside it and correct them.",
        _ORDERS,
    ),
    _customs(
        "-401009",
        _R,
        "参数校验不通过，[paymentHead,payment]",
        "A payment record failed validation.",
        "Read the errors beside it and correct them.",
        ("CEB411", "CEB403"),
    ),
    _customs(
        "-504011",
        _R,
        "参数校验不通过，*",
        "A waybill record failed validation; the platform also uses it for export arrivals, "
        "departures and 总分单, which §7 gives no code of their own.",
        "Read the errors beside it and correct them.",
        ("CEB511", "CEB505", "CEB507", "CEB509", "CEB607"),
    ),
    _customs(
        "-505011",
        _R,
        "参数校验不通过",
        "A waybill status record failed validation.",
        "Read the errors beside it and correct them.",
        ("CEB513",),
    ),
    _customs(
        "-621001",
        _R,
        "清单报文校验失败，[*]",
        "An inventory record failed validation; the platform also uses it for export summary "
        "applications, which §7 gives no code of their own.",
        "Read the errors beside it and correct them.",
        ("CEB621", "CEB603", "CEB701"),
    ),
    _customs(
        "-623001",
        _R,
        '报文校验失败，[*]"',
        "A cancellation record failed validation.",
        "Read the errors beside it and correct them.",
        ("CEB623", "CEB605"),
    ),
    _customs(
        "-625001",
        _R,
        "退货申请单报文校验失败，[*]",
        "A return record failed validation; the platform also uses it for export returns and "
        "return tallies, which §7 gives no code of their own.",
        "Read the errors beside it and correct them.",
        ("CEB625", "CEB213", "CEB215"),
    ),
    _customs(
        "-800001",
        _R,
        "校验不通过，[错误信息]",
        "A warehouse-entry detail record failed validation.",
        "Read the errors beside it and correct them.",
        ("CEB711",),
    ),
)

BY_CODE: dict[str, CodeEntry] = {entry.code: entry for entry in ENTRIES}


def entry_for(code: str) -> CodeEntry | None:
    """The catalogue entry of ``code``, if the service knows it."""
    return BY_CODE.get(code)


def catalogue_json() -> dict[str, Any]:
    """Every entry as JSON, in catalogue order (``GET /v1/customs/codes``)."""
    return {"codes": [entry.to_dict() for entry in ENTRIES]}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown() -> str:
    """``docs/declaration-codes.md``: an introduction, then one table per family."""
    out = [
        "# Declaration codes",
        "",
        "<!-- Generated by `python -m services.declaration.ceb.code_catalogue > "
        "docs/declaration-codes.md`; edit services/declaration/ceb/code_catalogue.py, "
        "not this file. -->",
        "",
        "Every code the declaration service puts in an answer (`errors[].code`, `returnStatus`), "
        "a receipt (`returnStatus`, `returnInfo`) or a document's history. Two schemes "
        '(docs/declaration.md, "The answer"):',
        "",
        "- **customs** codes, used verbatim where the customs interface spec (202205, §7, "
        "pp.112-117) defines one for the condition: the exchange format codes `0001`/`0002` and "
        "the negative business codes. The Chinese text is the spec's, as printed (`[*]` and `*` "
        "are its placeholders).",
        "- **platform** codes `DDT-…` for what customs publishes no code for: `DDT-X..` hostile "
        "or undecodable XML, `DDT-J..` JSON input, `DDT-1xx` single-document rules, `DDT-2xx` "
        "cross-document checks, `DDT-3xx` limits and tax, `DDT-E..` the exchange with customs.",
        "",
        "A rejected record carries both: its errors' codes and a customs `returnStatus` (its "
        'first customs-coded error, else its type\'s record-rejection code). "Applies to" lists '
        'message types; "all" means every declaration type carrying the fields named. '
        "`GET /v1/customs/codes` serves the same catalogue as JSON.",
        "",
    ]
    for family in Family:
        entries = [entry for entry in ENTRIES if entry.family is family]
        out += [f"## {FAMILY_TITLE[family]}", "", FAMILY_INTRO[family], ""]
        out += [
            "| code | applies to | customs text (spec §7) | meaning | what to do |",
            "|---|---|---|---|---|",
        ]
        for entry in entries:
            types = ", ".join(entry.message_types) or "all"
            out.append(
                f"| `{entry.code}` | {types} | {_cell(entry.official_text or '—')} "
                f"| {_cell(entry.meaning)} | {_cell(entry.action)} |"
            )
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(render_markdown(), end="")
