"""Party roles, and which customs enterprise-code fields each role may claim.

A party registers its codes (10-character customs code or 18-character USCC)
for the *kinds* its roles allow; the declaration service later checks that a
message's ``ebcCode``, ``logisticsCode`` … belong to the sending party or to a
party that authorised it. A party may hold several roles (a logistics firm that
is also a licensed customs broker, a platform that also sells).

Choices (from the field annotations of the 202205 customs messages):

=================== ===================================== ==========================================
kind                meaning                                roles allowed to claim it
=================== ===================================== ==========================================
ebpCode             e-commerce platform (电商平台)         ecommerce_platform
ebcCode             e-commerce enterprise (电商企业)        ecommerce_enterprise
payCode             payment enterprise (支付企业)           payment_institution, bank
logisticsCode       logistics enterprise (物流企业)         logistics_firm
agentCode           declaring enterprise (申报企业)          ecommerce_enterprise, ecommerce_platform,
                                                           logistics_firm, customs_broker — the
                                                           parties that declare inventories in practice
declAgentCode       customs broker on summaries (报关单位)   ecommerce_enterprise, logistics_firm,
                                                           customs_broker
ownerCode           producer/seller (生产销售单位, export)   ecommerce_enterprise
assureCode          tax guarantor (担保企业)                the spec limits it to "清单的申报企业、电商
                                                           企业、物流企业": ecommerce_enterprise,
                                                           ecommerce_platform (as declarer),
                                                           logistics_firm, customs_broker (as declarer)
areaCode            in-zone warehouse firm (区内仓储企业)     logistics_firm, bonded_area_operator
iacCode             in-zone enterprise (区内企业, export)    logistics_firm, ecommerce_enterprise,
                                                           bonded_area_operator
operatorCode        supervised-site operator (监管场所经营人) logistics_firm (postal routes use the
                                                           postal logistics firm),
                                                           supervised_site_operator
copCode             transmitting enterprise (传输企业)       every role that sends customs messages
=================== ===================================== ==========================================

A party may hold one code as several kinds: a self-operated seller (自营, the
platform sells its own goods, so an order's ``ebpCode`` equals its ``ebcCode``)
holds the roles ``ecommerce_platform`` and ``ecommerce_enterprise`` and registers its
code as both ``ebpCode`` and ``ebcCode``.

The filer roles beyond platforms, enterprises and carriers: ``customs_broker``
(报关企业, files inventories and summaries as ``agentCode``/``declAgentCode`` for the
enterprises that authorise it), ``supervised_site_operator`` (监管场所经营人,
``operatorCode`` of arrival and departure messages) and ``bonded_area_operator``
(区内仓储企业 of a bonded zone, ``areaCode``/``iacCode`` of bonded-import inventories).

Not enterprise codes, deliberately absent: ``coElNo`` ("企业内部标识单证的编号" —
the enterprise's own document number), ``customsCode``/``portCode`` (customs
offices), ``dxpId`` (a data-exchange user id). Overseas-warehouse operators,
regulators and platform admins claim no customs codes: 9810 messages name the
exporter and carrier, not the foreign warehouse.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

__all__ = [
    "ENTERPRISE_CODE_KINDS_BY_ROLE",
    "FILER_ROLES",
    "EnterpriseCodeKind",
    "Role",
    "allowed_code_kinds",
    "may_claim",
    "roles_for_code_kind",
]


class Role(StrEnum):
    """What a party is on the platform; drives authorisation and code claims."""

    ECOMMERCE_ENTERPRISE = "ecommerce_enterprise"
    ECOMMERCE_PLATFORM = "ecommerce_platform"
    LOGISTICS_FIRM = "logistics_firm"
    PAYMENT_INSTITUTION = "payment_institution"
    BANK = "bank"
    OVERSEAS_WAREHOUSE_OPERATOR = "overseas_warehouse_operator"
    CUSTOMS_BROKER = "customs_broker"
    SUPERVISED_SITE_OPERATOR = "supervised_site_operator"
    BONDED_AREA_OPERATOR = "bonded_area_operator"
    REGULATOR = "regulator"
    PLATFORM_ADMIN = "platform_admin"


class EnterpriseCodeKind(StrEnum):
    """Enterprise-code fields of the customs messages; values are the XML element names."""

    EBP = "ebpCode"
    EBC = "ebcCode"
    PAY = "payCode"
    LOGISTICS = "logisticsCode"
    AGENT = "agentCode"
    DECL_AGENT = "declAgentCode"
    OWNER = "ownerCode"
    ASSURE = "assureCode"
    AREA = "areaCode"
    IAC = "iacCode"
    OPERATOR = "operatorCode"
    COP = "copCode"


_K = EnterpriseCodeKind
ENTERPRISE_CODE_KINDS_BY_ROLE: dict[Role, frozenset[EnterpriseCodeKind]] = {
    Role.ECOMMERCE_ENTERPRISE: frozenset(
        {_K.EBC, _K.AGENT, _K.DECL_AGENT, _K.OWNER, _K.ASSURE, _K.IAC, _K.COP}
    ),
    Role.ECOMMERCE_PLATFORM: frozenset({_K.EBP, _K.AGENT, _K.ASSURE, _K.COP}),
    Role.LOGISTICS_FIRM: frozenset(
        {_K.LOGISTICS, _K.AGENT, _K.DECL_AGENT, _K.ASSURE, _K.AREA, _K.IAC, _K.OPERATOR, _K.COP}
    ),
    Role.PAYMENT_INSTITUTION: frozenset({_K.PAY, _K.COP}),
    Role.BANK: frozenset({_K.PAY, _K.COP}),
    Role.OVERSEAS_WAREHOUSE_OPERATOR: frozenset(),
    Role.CUSTOMS_BROKER: frozenset({_K.AGENT, _K.DECL_AGENT, _K.ASSURE, _K.COP}),
    Role.SUPERVISED_SITE_OPERATOR: frozenset({_K.OPERATOR, _K.COP}),
    Role.BONDED_AREA_OPERATOR: frozenset({_K.AREA, _K.IAC, _K.COP}),
    Role.REGULATOR: frozenset(),
    Role.PLATFORM_ADMIN: frozenset(),
}

#: Roles that send customs messages, so may be authorised to file for an enterprise.
FILER_ROLES: frozenset[Role] = frozenset(
    role for role, kinds in ENTERPRISE_CODE_KINDS_BY_ROLE.items() if _K.COP in kinds
)


def allowed_code_kinds(roles: Iterable[Role | str]) -> frozenset[EnterpriseCodeKind]:
    """Union of the code kinds a party holding ``roles`` may claim (unknown role → ValueError)."""
    kinds: set[EnterpriseCodeKind] = set()
    for role in roles:
        kinds |= ENTERPRISE_CODE_KINDS_BY_ROLE[Role(role)]
    return frozenset(kinds)


def may_claim(roles: Iterable[Role | str], kind: EnterpriseCodeKind | str) -> bool:
    """Whether a party with ``roles`` may register a code of ``kind``."""
    return EnterpriseCodeKind(kind) in allowed_code_kinds(roles)


def roles_for_code_kind(kind: EnterpriseCodeKind | str) -> frozenset[Role]:
    """The roles that may claim ``kind`` (for error messages and docs)."""
    wanted = EnterpriseCodeKind(kind)
    return frozenset(role for role, kinds in ENTERPRISE_CODE_KINDS_BY_ROLE.items() if wanted in kinds)
