"""DXP transport envelopes: terminal node ``DxpMsg`` and transport node ``DxpMsgSv``.

Interface-spec §4–5 and the official terminal/transport XSDs:

* ``DxpMsg ver="1.0"`` = ``TransInfo`` (CopMsgId ≤255, SenderId ≤16,
  ReceiverIds/ReceiverId 1–5 ≤16, CreatTime ``yyyy-mm-ddThh:mm:ss``, MsgType
  ≤30) + ``Data`` (base64 of the business XML) + optional ``AddInfo``;
* ``DxpMsgSv ver="1.0"`` = ``SvNo Ver="1.0"`` (MsgId = 8-digit node id +
  yyyymmddhh24mmss + 10-digit sequence = 32 chars, SubMsgId (1 char),
  SendTime, EndNode n8, StaNode n8) + the ``DxpMsg``.  This is the form a
  third-party platform such as this one uses towards the e-port.

Times are written as Beijing local time without an offset (the spec's
format); parsed times without an offset are taken as Asia/Shanghai.
:func:`unwrap` accepts a ``DxpMsgSv``, a ``DxpMsg`` or a bare CEB message,
parses with the hardened parser, validates envelopes against their XSD and
decodes ``Data`` strictly.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from services.declaration.ceb.catalogue import CEB_NS
from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.ceb.schemas import EnvelopeSchema, validate
from services.declaration.ceb.xml_security import XmlLimits, secure_parse

DXP_NS = "http://www.chinaport.gov.cn/dxp"
_D = f"{{{DXP_NS}}}"
_NODE_ID = re.compile(r"\d{8}")
# Base64 grows data by 4/3; leave room for the business-message limit inside.
ENVELOPE_LIMITS = XmlLimits(max_bytes=24 * 1024 * 1024)


class EnvelopeError(ValueError):
    """An envelope could not be built or read."""


@dataclass(frozen=True)
class TransInfo:
    """Terminal-node header."""

    cop_msg_id: str
    sender_id: str
    receiver_ids: tuple[str, ...]
    creat_time: datetime
    msg_type: str


@dataclass(frozen=True)
class AddInfo:
    """Optional ``AddInfo``: file name, IC card, up to five business keys."""

    file_name: str | None = None
    ic_card: str | None = None
    biz_keys: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SvNo:
    """Transport-node routing header."""

    msg_id: str
    send_time: datetime
    end_node: str
    sta_node: str
    sub_msg_id: str | None = None


@dataclass(frozen=True)
class Unwrapped:
    """What arrived: the business XML and whichever headers carried it."""

    business_xml: bytes
    kind: str  # "DxpMsgSv", "DxpMsg" or "bare"
    trans_info: TransInfo | None = None
    add_info: AddInfo | None = None
    sv_no: SvNo | None = None
    message_type: str | None = field(default=None)


def msg_id(node_id: str, at: datetime, sequence: int) -> str:
    """``MsgId`` = 8-digit node id + yyyymmddhh24mmss (Beijing time) + 10-digit sequence (32 chars)."""
    if not _NODE_ID.fullmatch(node_id):
        raise EnvelopeError("the transport node id is 8 digits")
    if not 0 <= sequence < 10**10:
        raise EnvelopeError("the MsgId sequence is 0…9999999999")
    return f"{node_id}{_local(at).strftime('%Y%m%d%H%M%S')}{sequence:010d}"


def message_type_of(business_xml: bytes) -> str:
    """``CEB621Message`` etc. from the business document's root (hardened parse)."""
    parsed = secure_parse(business_xml)
    if parsed.root is None:
        raise EnvelopeError(f"business XML unreadable: {parsed.issues[0].message}")
    return etree.QName(parsed.root).localname


def wrap_dxp(business_xml: bytes, trans_info: TransInfo, add_info: AddInfo | None = None) -> bytes:
    """A schema-valid ``DxpMsg`` carrying ``business_xml`` (signed or not) as base64 ``Data``."""
    root = _dxp_element(business_xml, trans_info, add_info)
    return _finish(root, EnvelopeSchema.TERMINAL)


def wrap_dxp_sv(
    business_xml: bytes, trans_info: TransInfo, sv_no: SvNo, add_info: AddInfo | None = None
) -> bytes:
    """A schema-valid ``DxpMsgSv`` (SvNo, then the DxpMsg)."""
    for name, node in (("EndNode", sv_no.end_node), ("StaNode", sv_no.sta_node)):
        if not _NODE_ID.fullmatch(node):
            raise EnvelopeError(f"{name} is an 8-digit node id")
    if len(sv_no.msg_id) != 32:
        raise EnvelopeError("MsgId is 32 characters (see msg_id())")
    root = etree.Element(f"{_D}DxpMsgSv", nsmap={None: DXP_NS})
    root.set("ver", "1.0")
    header = etree.SubElement(root, f"{_D}SvNo", Ver="1.0")
    etree.SubElement(header, f"{_D}MsgId").text = sv_no.msg_id
    if sv_no.sub_msg_id is not None:
        etree.SubElement(header, f"{_D}SubMsgId").text = sv_no.sub_msg_id
    etree.SubElement(header, f"{_D}SendTime").text = _xs_datetime(sv_no.send_time)
    etree.SubElement(header, f"{_D}EndNode").text = sv_no.end_node
    etree.SubElement(header, f"{_D}StaNode").text = sv_no.sta_node
    root.append(_dxp_element(business_xml, trans_info, add_info))
    return _finish(root, EnvelopeSchema.TRANSPORT)


def unwrap(data: bytes, limits: XmlLimits | None = None) -> Unwrapped:
    """The business XML inside a ``DxpMsgSv`` / ``DxpMsg``, or a bare CEB message as is."""
    parsed = secure_parse(data, limits or ENVELOPE_LIMITS)
    if parsed.root is None:
        raise EnvelopeError(parsed.issues[0].message if parsed.issues else "unreadable XML")
    root = parsed.root
    qname = etree.QName(root)
    if qname.namespace == CEB_NS:
        return Unwrapped(data, "bare", message_type=qname.localname)
    if qname.namespace != DXP_NS or qname.localname not in ("DxpMsg", "DxpMsgSv"):
        raise EnvelopeError(f"{qname.localname} is neither a DXP envelope nor a CEB message")
    schema = EnvelopeSchema.TRANSPORT if qname.localname == "DxpMsgSv" else EnvelopeSchema.TERMINAL
    issues = validate(root, schema)
    if issues:
        raise EnvelopeError(f"{qname.localname} fails its XSD: {issues[0].message}")
    sv_no = None
    dxp = root
    if qname.localname == "DxpMsgSv":
        header = root.find(f"{_D}SvNo")
        inner = root.find(f"{_D}DxpMsg")
        assert header is not None and inner is not None  # the XSD guarantees both
        sv_no = SvNo(
            msg_id=header.findtext(f"{_D}MsgId", ""),
            send_time=_parse_xs_datetime(header.findtext(f"{_D}SendTime", "")),
            end_node=header.findtext(f"{_D}EndNode", ""),
            sta_node=header.findtext(f"{_D}StaNode", ""),
            sub_msg_id=header.findtext(f"{_D}SubMsgId"),
        )
        dxp = inner
    trans = dxp.find(f"{_D}TransInfo")
    assert trans is not None
    trans_info = TransInfo(
        cop_msg_id=trans.findtext(f"{_D}CopMsgId", ""),
        sender_id=trans.findtext(f"{_D}SenderId", ""),
        receiver_ids=tuple(r.text or "" for r in trans.iterfind(f"{_D}ReceiverIds/{_D}ReceiverId")),
        creat_time=_parse_xs_datetime(trans.findtext(f"{_D}CreatTime", "")),
        msg_type=trans.findtext(f"{_D}MsgType", ""),
    )
    try:
        business = base64.b64decode("".join(dxp.findtext(f"{_D}Data", "").split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EnvelopeError("Data is not valid base64") from exc
    if not business:
        raise EnvelopeError("Data is empty")
    add = dxp.find(f"{_D}AddInfo")
    add_info = None
    if add is not None:
        add_info = AddInfo(
            file_name=add.findtext(f"{_D}FileName"),
            ic_card=add.findtext(f"{_D}IcCard"),
            biz_keys=tuple((k.get("name", ""), k.text or "") for k in add.iterfind(f"{_D}BizKey/{_D}Key")),
        )
    return Unwrapped(business, qname.localname, trans_info, add_info, sv_no, trans_info.msg_type)


def _dxp_element(business_xml: bytes, trans_info: TransInfo, add_info: AddInfo | None) -> etree._Element:
    if not 1 <= len(trans_info.receiver_ids) <= 5:
        raise EnvelopeError("ReceiverIds holds one to five ReceiverId")
    root = etree.Element(f"{_D}DxpMsg", nsmap={None: DXP_NS})
    root.set("ver", "1.0")
    trans = etree.SubElement(root, f"{_D}TransInfo")
    etree.SubElement(trans, f"{_D}CopMsgId").text = trans_info.cop_msg_id
    etree.SubElement(trans, f"{_D}SenderId").text = trans_info.sender_id
    receivers = etree.SubElement(trans, f"{_D}ReceiverIds")
    for receiver in trans_info.receiver_ids:
        etree.SubElement(receivers, f"{_D}ReceiverId").text = receiver
    etree.SubElement(trans, f"{_D}CreatTime").text = _xs_datetime(trans_info.creat_time)
    etree.SubElement(trans, f"{_D}MsgType").text = trans_info.msg_type
    etree.SubElement(root, f"{_D}Data").text = base64.b64encode(business_xml).decode("ascii")
    if add_info is not None:
        add = etree.SubElement(root, f"{_D}AddInfo")
        if add_info.file_name:
            etree.SubElement(add, f"{_D}FileName").text = add_info.file_name
        if add_info.ic_card:
            etree.SubElement(add, f"{_D}IcCard").text = add_info.ic_card
        if add_info.biz_keys:
            keys = etree.SubElement(add, f"{_D}BizKey")
            for name, value in add_info.biz_keys:
                etree.SubElement(keys, f"{_D}Key", name=name).text = value
    return root


def _finish(root: etree._Element, schema: EnvelopeSchema) -> bytes:
    issues = validate(root, schema)
    if issues:
        raise EnvelopeError(f"envelope would not be XSD-valid: {issues[0].message}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise EnvelopeError("envelope times must be timezone-aware")
    return moment.astimezone(CUSTOMS_TZ)


def _xs_datetime(moment: datetime) -> str:
    return _local(moment).strftime("%Y-%m-%dT%H:%M:%S")


def _parse_xs_datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text.strip())
    return value.replace(tzinfo=CUSTOMS_TZ) if value.tzinfo is None else value.astimezone(CUSTOMS_TZ)
