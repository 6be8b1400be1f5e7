"""Every error code this package can emit, in one place.

Customs codes are used verbatim where the interface spec (§7, pp.112-117)
defines one for the condition: the data-exchange format codes ``0001``/``0002``
and the negative business codes (``-621005`` …).  Conditions customs publishes
no code for get a ``DDT-`` code: ``DDT-X..`` hostile/undecodable XML,
``DDT-J..`` malformed JSON input, ``DDT-1xx`` single-document business rules,
``DDT-2xx`` cross-document checks, ``DDT-3xx`` limits and tax.
"""

from __future__ import annotations

from typing import Final

# --- transport / format (interface-spec table 7-1) ---------------------------
XML_MALFORMED: Final = "0001"  # 报文格式错误
SCHEMA_INVALID: Final = "0002"  # 数据包不能通过schema验证

# --- hostile or undecodable XML (ours) ----------------------------------------
XML_EMPTY: Final = "DDT-X00"
XML_TOO_LARGE: Final = "DDT-X01"
XML_TOO_DEEP: Final = "DDT-X02"
XML_DOCTYPE_FORBIDDEN: Final = "DDT-X03"
XML_BAD_BYTES_FOR_ENCODING: Final = "DDT-X04"
XML_ENCODING_NOT_ALLOWED: Final = "DDT-X05"
XML_NOT_CEB_NAMESPACE: Final = "DDT-X06"
XML_UNKNOWN_MESSAGE: Final = "DDT-X07"

# --- JSON input (ours) ---------------------------------------------------------
JSON_UNKNOWN_FIELD: Final = "DDT-J01"
JSON_BAD_VALUE: Final = "DDT-J02"
JSON_BAD_STRUCTURE: Final = "DDT-J03"
JSON_MISSING_MEMBER: Final = "DDT-J04"  # a member the XSD requires is absent from the JSON

# --- single-document business rules --------------------------------------------
ORDER_DUPLICATE_GNUM: Final = "-301002"  # 订单商品信息内有重复商品序号
INVENTORY_DUPLICATE_GNUM: Final = "-621027"  # 请确认表体gnum无重复
SECOND_UNIT_QTY: Final = "-625009"  # 第二数量与第二单位不符合规则
ACTURAL_PAID: Final = "DDT-101"  # acturalPaid ≠ goodsValue + freight + taxTotal − discount
LINE_TOTAL: Final = "DDT-102"  # totalPrice ≠ price × qty
GOODS_VALUE_SUM: Final = "DDT-103"  # Σ line totalPrice ≠ goodsValue (configurable, inferred rule)
IMPORT_CURRENCY: Final = "DDT-104"  # import currency must be 142
PACK_NO: Final = "DDT-105"  # import packNo must be 1
ID_TYPE: Final = "DDT-106"  # buyerIdType / payerIdType must be 1
GCODE_FORMAT: Final = "DDT-107"  # HS code digit count
WEIGHTS: Final = "DDT-108"  # netWeight > 0, grossWeight > 0, netWeight ≤ grossWeight
TIME_FORMAT: Final = "DDT-109"  # not a real YYYYMMDD[hhmmss[SSS]] time
GNUM_SEQUENCE: Final = "DDT-110"  # gnum not consecutive from 1
DUPLICATE_GNUM: Final = "DDT-111"  # duplicate gnum in lists customs gives no code for
BONDED_FIELDS: Final = "DDT-112"  # 1210/1239 need emsNo, areaCode(+Name), itemRecordNo
DIRECT_IMPORT_FIELDS: Final = "DDT-113"  # 9610 import needs trafNo, voyageNo, billNo
TRADE_MODE: Final = "DDT-114"  # tradeMode not allowed for the direction
ORDER_TYPE: Final = "DDT-115"  # orderType not allowed (I import; E/B/W export)
IE_FLAG: Final = "DDT-116"  # ieFlag not the value the document requires
LOGISTICS_STATUS: Final = "DDT-117"  # CEB513 logisticsStatus must be S
CODE_FORMAT: Final = "DDT-118"  # unit/currency/country must be 3-digit JGS-20 codes
BLANK_REQUIRED: Final = "DDT-119"  # required string is empty/blank
B2B_CHANNEL: Final = "DDT-120"  # 9710/9810 shipment not eligible for the unified-edition channel
APP_TYPE: Final = "DDT-121"  # appType / appStatus value
SIGNATURE_REQUIRED: Final = "DDT-122"  # appStatus 2 without ds:Signature
QUANTITY: Final = "DDT-123"  # qty must be > 0, price ≥ 0
LEGAL_QTY: Final = "DDT-124"  # unit == unit1 but qty ≠ qty1
GUID_FORMAT: Final = "DDT-125"  # guid must be upper-case
BONDED_COUNTRY: Final = "DDT-126"  # bonded import head country must be 142
SUMMARY_WINDOW: Final = "DDT-127"  # CEB701 startTime/endTime must be paired and ordered
MSG_SEQUENCE: Final = "DDT-128"  # msgSeqNo must be within 1..msgCount
REFUND_LINE_NOT_FOUND: Final = "-625209"  # 在关联的清单中未找到表体序号为[*]的数据
REFUND_QTY: Final = "DDT-129"  # returned qty exceeds the original inventory line
REFUND_LINE_MISMATCH: Final = "DDT-130"  # gcode/gname differ from the original inventory line

# --- cross-document (three-document match) --------------------------------------
MATCH_MISMATCH: Final = "DDT-201"
MATCH_BUYER_NOT_PAYER: Final = "DDT-202"  # review flag only

# --- limits and tax --------------------------------------------------------------
SINGLE_LIMIT: Final = "-621005"  # 清单[*]的购买金额超过单笔限额
ANNUAL_LIMIT: Final = "-621018"  # 本次购买将超过年度限额
REFUND_SINGLE_LIMIT: Final = "-625014"  # 退货申请单金额超过单笔限额
NO_TAX_RATE: Final = "DDT-301"  # no rate found for an HS code (only when no default rate)
