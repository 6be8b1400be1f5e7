"""Catalogue of every message of the 202205 unified edition.

The business facts (direction, who answers whom, business keys, the customs
error family used when we reject a record) are written here by hand from
customs-domain.md §2.1; everything structural — record/head/list element names,
field order, types, lengths, required flags, whether ``ds:Signature`` is
mandatory and where it sits relative to ``ExtendMessage`` — is derived from
the XSD by :mod:`services.declaration.ceb.xsd_fields`, so it cannot drift from
the schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from services.declaration.ceb.xsd_fields import (
    ChildSpec,
    FieldSpec,
    MessageShape,
    SchemaEdition,
    block_fields,
    message_shape,
)

CEB_NS = "http://www.chinaport.gov.cn/ceb"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
SIGNATURE = "ds:Signature"


class Direction(StrEnum):
    """Import/export side of a message (``*`` for the edition-wide CEB900)."""

    IMPORT = "I"
    EXPORT = "E"
    BOTH = "*"


class Role(StrEnum):
    """Who sends the message and why."""

    DECLARATION = "declaration"
    """Enterprise → customs business data (CEB311, CEB603 …)."""
    RECEIPT = "receipt"
    """Customs/e-port answer to one declaration type (CEB312, CEB604 …)."""
    CUSTOMS_DATA = "customs_data"
    """Customs-originated data: tax bills CEB816/818, summary result CEB792."""
    FORMAT_RECEIPT = "format_receipt"
    """CEB900: the message failed format (schema) checks."""


class SignatureRule(StrEnum):
    """What the XSD says about ``ds:Signature`` on the message root."""

    REQUIRED = "required"
    OPTIONAL = "optional"
    ABSENT = "absent"


@dataclass(frozen=True, slots=True)
class _Facts:
    code: str
    edition: SchemaEdition
    direction: Direction
    role: Role
    title: str
    key_fields: tuple[str, ...]
    pair: str | None = None
    rejection_status: str | None = None


@dataclass(frozen=True)
class MessageSpec:
    """Everything known about one message type.

    ``key_fields`` are the fields that identify a record of this type to
    customs (see :mod:`services.declaration.ceb.keys` for the cross-document
    link keys).  ``answered_by``/``answers`` pair declarations with receipts.
    ``rejection_status`` is the negative returnStatus we put on a receipt when
    our own checks reject a record and no more specific customs code applies
    (the "参数校验不通过 / 报文校验失败" family of interface-spec §7).
    """

    code: str
    edition: SchemaEdition
    direction: Direction
    role: Role
    title: str
    key_fields: tuple[str, ...]
    answered_by: str | None
    answers: str | None
    rejection_status: str | None

    @property
    def root(self) -> str:
        """Root element local name, e.g. ``CEB311Message``."""
        return f"{self.code}Message"

    @cached_property
    def shape(self) -> MessageShape:
        """XSD-derived layout of the message."""
        return message_shape(self.edition, self.root)

    @property
    def record_element(self) -> str:
        """Element repeated once per business record (``Order``, ``LogisticsStatus`` …)."""
        return self.shape.shape.record.name

    @property
    def head_element(self) -> str | None:
        """Head element inside a wrapped record, ``None`` for flat records."""
        return self.shape.shape.head

    @property
    def list_element(self) -> str | None:
        """Repeating list element inside a wrapped record, if any."""
        lines = self.shape.shape.lines
        return lines.name if lines else None

    @property
    def head_fields(self) -> tuple[FieldSpec, ...]:
        """Leaf fields of the head (or of the flat record), in XSD order."""
        return self.shape.shape.head_fields

    @property
    def line_fields(self) -> tuple[FieldSpec, ...]:
        """Leaf fields of one list line, in XSD order."""
        return self.shape.shape.line_fields

    @property
    def trailer(self) -> tuple[ChildSpec, ...]:
        """``BaseTransfer``/``BaseSubscribe``/``ExtendMessage``/``ds:Signature`` in XSD order."""
        return self.shape.trailer

    @property
    def signature(self) -> SignatureRule:
        """Whether the XSD requires, allows or omits ``ds:Signature``."""
        for child in self.trailer:
            if child.name == SIGNATURE:
                return SignatureRule.REQUIRED if child.min_occurs else SignatureRule.OPTIONAL
        return SignatureRule.ABSENT

    @cached_property
    def head_field_map(self) -> dict[str, FieldSpec]:
        """Head fields by name."""
        return {spec.name: spec for spec in self.head_fields}

    @cached_property
    def line_field_map(self) -> dict[str, FieldSpec]:
        """Line fields by name."""
        return {spec.name: spec for spec in self.line_fields}

    def block_fields(self, block: str) -> tuple[FieldSpec, ...]:
        """Leaf fields of ``BaseTransfer``, ``BaseSubscribe`` or ``ExtendMessage``."""
        return block_fields(self.edition, block)


_I, _E = SchemaEdition.IMPORT, SchemaEdition.EXPORT
_DI, _DE = Direction.IMPORT, Direction.EXPORT
_DECL, _RCPT, _CUST = Role.DECLARATION, Role.RECEIPT, Role.CUSTOMS_DATA

# Rejection families: import codes are from interface-spec §7 (订单 -301008,
# 支付单 -401009, 运单 -504011, 运单状态 -505011, 清单 -621001, 撤单 -623001,
# 退货 -625001, 入库明细 -800001).  §7 publishes no families for the
# export-only documents, so those reuse the family of the nearest import
# document (arrival/departure/总分单 → waybill, summary → inventory, export
# return/tally → return).  That mapping is our assumption.
_FACTS: tuple[_Facts, ...] = (
    _Facts("CEB311", _I, _DI, _DECL, "import order", ("orderNo", "ebpCode"), "CEB312", "-301008"),
    _Facts("CEB312", _I, _DI, _RCPT, "import order receipt", ("orderNo", "ebpCode"), "CEB311"),
    _Facts(
        "CEB411",
        _I,
        _DI,
        _DECL,
        "import payment voucher",
        ("payTransactionId", "payCode"),
        "CEB412",
        "-401009",
    ),
    _Facts("CEB412", _I, _DI, _RCPT, "import payment receipt", ("payTransactionId", "payCode"), "CEB411"),
    _Facts("CEB511", _I, _DI, _DECL, "import waybill", ("logisticsNo", "logisticsCode"), "CEB512", "-504011"),
    _Facts("CEB512", _I, _DI, _RCPT, "import waybill receipt", ("logisticsNo", "logisticsCode"), "CEB511"),
    _Facts(
        "CEB513",
        _I,
        _DI,
        _DECL,
        "import waybill status (signed-for)",
        ("logisticsNo", "logisticsCode"),
        "CEB514",
        "-505011",
    ),
    _Facts(
        "CEB514", _I, _DI, _RCPT, "import waybill status receipt", ("logisticsNo", "logisticsCode"), "CEB513"
    ),
    _Facts("CEB621", _I, _DI, _DECL, "import inventory", ("copNo", "agentCode"), "CEB622", "-621001"),
    _Facts("CEB622", _I, _DI, _RCPT, "import inventory receipt", ("copNo", "agentCode"), "CEB621"),
    _Facts("CEB623", _I, _DI, _DECL, "import inventory cancel", ("copNo", "agentCode"), "CEB624", "-623001"),
    _Facts("CEB624", _I, _DI, _RCPT, "import inventory cancel receipt", ("copNo", "agentCode"), "CEB623"),
    _Facts("CEB625", _I, _DI, _DECL, "import return (refund)", ("copNo", "agentCode"), "CEB626", "-625001"),
    _Facts("CEB626", _I, _DI, _RCPT, "import return receipt", ("copNo", "agentCode"), "CEB625"),
    _Facts(
        "CEB711", _I, _DI, _DECL, "warehouse-entry detail", ("copNo", "operatorCode"), "CEB712", "-800001"
    ),
    _Facts("CEB712", _I, _DI, _RCPT, "warehouse-entry detail receipt", ("copNo", "operatorCode"), "CEB711"),
    _Facts("CEB816", _I, _DI, _CUST, "electronic tax bill", ("taxNo", "invtNo")),
    _Facts("CEB818", _I, _DI, _CUST, "electronic tax bill status", ("taxNo", "invtNo")),
    _Facts("CEB900", _I, Direction.BOTH, Role.FORMAT_RECEIPT, "format-check receipt", ("oriCopMsgId",)),
    _Facts("CEB303", _E, _DE, _DECL, "export order", ("orderNo", "ebpCode"), "CEB304", "-301008"),
    _Facts("CEB304", _E, _DE, _RCPT, "export order receipt", ("orderNo", "ebpCode"), "CEB303"),
    _Facts(
        "CEB403",
        _E,
        _DE,
        _DECL,
        "export payment collection (收款单)",
        ("orderNo", "ebcCode"),
        "CEB404",
        "-401009",
    ),
    _Facts("CEB404", _E, _DE, _RCPT, "export payment collection receipt", ("orderNo", "ebcCode"), "CEB403"),
    _Facts("CEB505", _E, _DE, _DECL, "export waybill", ("logisticsNo", "logisticsCode"), "CEB506", "-504011"),
    _Facts("CEB506", _E, _DE, _RCPT, "export waybill receipt", ("logisticsNo", "logisticsCode"), "CEB505"),
    _Facts(
        "CEB507", _E, _DE, _DECL, "export arrival (运抵单)", ("copNo", "operatorCode"), "CEB508", "-504011"
    ),
    _Facts("CEB508", _E, _DE, _RCPT, "export arrival receipt", ("copNo", "operatorCode"), "CEB507"),
    _Facts(
        "CEB509", _E, _DE, _DECL, "export departure (离境单)", ("copNo", "logisticsCode"), "CEB510", "-504011"
    ),
    _Facts("CEB510", _E, _DE, _RCPT, "export departure receipt", ("copNo", "logisticsCode"), "CEB509"),
    _Facts("CEB603", _E, _DE, _DECL, "export inventory", ("copNo", "agentCode"), "CEB604", "-621001"),
    _Facts("CEB604", _E, _DE, _RCPT, "export inventory receipt", ("copNo", "agentCode"), "CEB603"),
    _Facts("CEB605", _E, _DE, _DECL, "export inventory cancel", ("copNo", "agentCode"), "CEB606", "-623001"),
    _Facts("CEB606", _E, _DE, _RCPT, "export inventory cancel receipt", ("copNo", "agentCode"), "CEB605"),
    _Facts(
        "CEB607",
        _E,
        _DE,
        _DECL,
        "export inventory master/sub waybill (总分单)",
        ("copNo", "agentCode"),
        "CEB608",
        "-504011",
    ),
    _Facts("CEB608", _E, _DE, _RCPT, "export 总分单 receipt", ("copNo", "agentCode"), "CEB607"),
    _Facts("CEB213", _E, _DE, _DECL, "export return application", ("coElNo", "invtNo"), "CEB214", "-625001"),
    _Facts("CEB214", _E, _DE, _RCPT, "export return receipt", ("coElNo", "invtNo"), "CEB213"),
    _Facts(
        "CEB215", _E, _DE, _DECL, "export return tally detail", ("coElNo", "logisticsNo"), "CEB216", "-625001"
    ),
    _Facts("CEB216", _E, _DE, _RCPT, "export return tally receipt", ("coElNo", "logisticsNo"), "CEB215"),
    _Facts(
        "CEB701", _E, _DE, _DECL, "export summary application", ("copNo", "agentCode"), "CEB702", "-621001"
    ),
    _Facts("CEB702", _E, _DE, _RCPT, "export summary application receipt", ("copNo", "agentCode"), "CEB701"),
    _Facts("CEB792", _E, _DE, _CUST, "export summary result", ("sumNo",)),
)


def _build() -> dict[str, MessageSpec]:
    specs: dict[str, MessageSpec] = {}
    for facts in _FACTS:
        declaration = facts.role is Role.DECLARATION
        specs[facts.code] = MessageSpec(
            code=facts.code,
            edition=facts.edition,
            direction=facts.direction,
            role=facts.role,
            title=facts.title,
            key_fields=facts.key_fields,
            answered_by=facts.pair if declaration else None,
            answers=facts.pair if facts.role is Role.RECEIPT else None,
            rejection_status=facts.rejection_status,
        )
    return specs


CATALOGUE: dict[str, MessageSpec] = _build()


def spec_for(message_type: str) -> MessageSpec | None:
    """Look a message up by ``CEB311`` or ``CEB311Message``; ``None`` if unknown."""
    code = message_type.removesuffix("Message")
    return CATALOGUE.get(code)


def spec_for_root(local_name: str) -> MessageSpec | None:
    """Look a message up by its XML root local name; only exact ``CEBnnnMessage`` names match."""
    if not local_name.endswith("Message"):
        return None
    return CATALOGUE.get(local_name.removesuffix("Message"))
