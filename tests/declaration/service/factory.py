"""Linked document sets for the service tests, one fresh set per call.

The official samples are not linked (customs-domain.md §5.3), so every mode gets its
own set here: import 1210/9610 (order CEB311, payment CEB411, waybill CEB511,
inventory CEB621) and export 9610/9710/9810 (order CEB303, waybill CEB505, inventory
CEB603). ``tag`` makes the numbers unique so many sets can be filed into one database.
Each document's BaseTransfer names the party that files it (its copCode).
"""

from __future__ import annotations

import copy
import uuid
from decimal import Decimal

from services.declaration.ceb.model import CebMessage, Record
from shared.identity import Identity, PartyCode
from tests.declaration.unit.ceb_testdata import (
    SIGNATURE_XML,
    inventory_message,
    order_message,
    payment_message,
    waybill_message,
)

EBP = "3207960001"  # platform
EBC = "3207960002"  # merchant (e-commerce enterprise)
PAY = "3101960003"  # payment firm
CARRIER = "3207960004"  # logistics firm
AGENT = "3207960005"  # customs broker declaring inventories
AREA = "3207960006"  # bonded warehouse

BUYER_ID = "320703199001011234"
BUYER_NAME = "王小明"
BUYER_PHONE = "13812345678"
ADDRESS = "江苏省连云港市海州区朝阳东路1号"


def party(
    party_id: str,
    *codes: tuple[str, list[str]],
    on_behalf_of: list[str] | None = None,
    district: str | None = "320706",
    park: str | None = "lyg-cbec-park",
) -> Identity:
    """An identity holding ``codes`` (code, kinds), in a Lianyungang district and park."""
    return Identity(
        party_id=party_id,
        party_name=party_id,
        roles=["ecommerce_enterprise"],
        codes=[PartyCode(code=code, kinds=kinds) for code, kinds in codes],
        district=district,
        park=park,
        on_behalf_of=on_behalf_of or [],
    )


PLATFORM = party("platform-1", (EBP, ["ebpCode", "copCode"]), on_behalf_of=["merchant-1"])
MERCHANT = party("merchant-1", (EBC, ["ebcCode", "copCode", "agentCode", "assureCode", "ownerCode"]))
PAYER = party("payfirm-1", (PAY, ["payCode", "copCode"]))
CARRIER_PARTY = party("carrier-1", (CARRIER, ["logisticsCode", "copCode", "operatorCode"]))
AGENT_PARTY = party("agent-1", (AGENT, ["agentCode", "assureCode", "copCode"]), on_behalf_of=["merchant-1"])
#: One identity owning every code of the sets (for the strict ownership profile).
EVERYONE = party(
    "all-codes-1",
    *((code, []) for code in (EBP, EBC, PAY, CARRIER, AGENT, AREA)),
)

IMPORT_FILERS = {"order": PLATFORM, "payment": PAYER, "waybill": CARRIER_PARTY, "inventory": AGENT_PARTY}
EXPORT_FILERS = {"order": PLATFORM, "waybill": CARRIER_PARTY, "inventory": AGENT_PARTY}


def new_guid() -> str:
    """A fresh upper-case 36-character guid."""
    return str(uuid.uuid4()).upper()


def _transfer(code: str) -> dict[str, str | int | Decimal]:
    return {"copCode": code, "copName": "测试企业", "dxpMode": "DXP", "dxpId": "DXPENT0000000001"}


def _fresh(message: CebMessage, filer_code: str, **head: str | int | Decimal) -> CebMessage:
    message = copy.deepcopy(message)
    message.guid = new_guid()
    record = message.records[0]
    record.head["guid"] = new_guid()
    record.head.update(head)
    message.base_transfer = _transfer(filer_code)
    return message


def import_set(
    tag: str, mode: str = "1210", *, buyer_id: str = BUYER_ID, price: Decimal | None = None
) -> dict[str, CebMessage]:
    """A linked import set; ``price`` replaces the first line's unit price (qty 2) everywhere."""
    order_no, logistics_no, pay_tx, cop_no = f"O{tag}", f"L{tag}", f"P{tag}", f"C{tag}"[:30]
    order = _fresh(order_message(), EBP, orderNo=order_no, payTransactionId=pay_tx, buyerIdNumber=buyer_id)
    payment = _fresh(
        payment_message(), PAY, orderNo=order_no, payTransactionId=pay_tx, payerIdNumber=buyer_id
    )
    waybill = _fresh(waybill_message(), CARRIER, orderNo=order_no, logisticsNo=logistics_no)
    inventory = _fresh(
        inventory_message(mode),
        AGENT,
        orderNo=order_no,
        logisticsNo=logistics_no,
        copNo=cop_no,
        assureCode=AGENT,
        buyerIdNumber=buyer_id,
    )
    if price is not None:
        _reprice(order, payment, inventory, price)
    return {"order": order, "payment": payment, "waybill": waybill, "inventory": inventory}


def _reprice(order: CebMessage, payment: CebMessage, inventory: CebMessage, price: Decimal) -> None:
    for message in (order, inventory):
        line = message.records[0].lines[0]
        line["price"] = price
        line["totalPrice"] = price * line["qty"]  # type: ignore[operator]
    head = order.records[0].head
    goods = sum((line["totalPrice"] for line in order.records[0].lines), Decimal(0))  # type: ignore[misc]
    head["goodsValue"] = goods
    head["acturalPaid"] = goods + head["freight"] + head["taxTotal"] - head["discount"]  # type: ignore[operator]
    payment.records[0].head["amountPaid"] = head["acturalPaid"]


EXPORT_ORDER_TYPE = {"9610": "E", "9710": "B", "9810": "W"}


def export_set(tag: str, mode: str = "9610", *, currency: str = "502") -> dict[str, CebMessage]:
    """A linked export set: order CEB303, waybill CEB505, inventory CEB603 (two lines, one currency)."""
    order_no, logistics_no, cop_no = f"EO{tag}", f"EL{tag}"[:32], f"EC{tag}"[:30]
    lines = [
        # gnum, itemNo, name, gcode, unit, qty, price
        (1, "LED-01", "LED灯泡", "8539520000", "007", Decimal("10"), Decimal("3.20")),
        (2, "LED-02", "LED灯带", "9405420000", "007", Decimal("5"), Decimal("12.00")),
    ]
    goods = sum((qty * price for *_rest, qty, price in lines), Decimal(0))
    order = CebMessage(
        "CEB303",
        new_guid(),
        "1.0",
        [
            Record(
                {
                    "guid": new_guid(),
                    "appType": "1",
                    "appTime": "20240518103000",
                    "appStatus": "2",
                    "orderType": EXPORT_ORDER_TYPE[mode],
                    "orderNo": order_no,
                    "ebpCode": EBP,
                    "ebpName": "点点通测试平台",
                    "ebcCode": EBC,
                    "ebcName": "点点通测试电商",
                    "goodsValue": goods,
                    "freight": Decimal("5"),
                    "currency": currency,
                },
                [
                    {
                        "gnum": g,
                        "itemNo": sku,
                        "itemName": name,
                        "barCode": "无",
                        "unit": unit,
                        "currency": currency,
                        "qty": qty,
                        "price": price,
                        "totalPrice": qty * price,
                    }
                    for g, sku, name, _gcode, unit, qty, price in lines
                ],
            )
        ],
        base_transfer=_transfer(EBP),
    )
    waybill = CebMessage(
        "CEB505",
        new_guid(),
        "1.0",
        [
            Record(
                {
                    "guid": new_guid(),
                    "appType": "1",
                    "appTime": "20240518110000",
                    "appStatus": "2",
                    "logisticsCode": CARRIER,
                    "logisticsName": "测试物流",
                    "logisticsNo": logistics_no,
                    "freight": Decimal("5"),
                    "insuredFee": Decimal("0"),
                    "currency": currency,
                    "grossWeight": Decimal("3"),
                    "packNo": 1,
                    "goodsInfo": "LED灯",
                    "ebcCode": EBC,
                    "ebcName": "点点通测试电商",
                    "ebcTelephone": "051888888888",
                }
            )
        ],
        base_transfer=_transfer(CARRIER),
    )
    inventory = CebMessage(
        "CEB603",
        new_guid(),
        "1.0",
        [
            Record(
                {
                    "guid": new_guid(),
                    "appType": "1",
                    "appTime": "20240518120000",
                    "appStatus": "2",
                    "customsCode": "2307",
                    "ebpCode": EBP,
                    "ebpName": "点点通测试平台",
                    "orderNo": order_no,
                    "logisticsCode": CARRIER,
                    "logisticsName": "测试物流",
                    "logisticsNo": logistics_no,
                    "copNo": cop_no,
                    "ieFlag": "E",
                    "portCode": "2307",
                    "ieDate": "20240518",
                    "statisticsFlag": "B",
                    "agentCode": AGENT,
                    "agentName": "测试报关行",
                    "ebcCode": EBC,
                    "ebcName": "点点通测试电商",
                    "ownerCode": EBC,
                    "ownerName": "点点通测试电商",
                    "tradeMode": mode,
                    "trafMode": "2",
                    "trafName": "中远之星",
                    "voyageNo": "V2405",
                    "billNo": "COSU0001",
                    "country": "502",
                    "POD": "3010",
                    "freight": Decimal("5"),
                    "fCurrency": currency,
                    "fFlag": "3",
                    "insuredFee": Decimal("0"),
                    "iCurrency": currency,
                    "iFlag": "3",
                    "wrapType": "2",
                    "packNo": 1,
                    "grossWeight": Decimal("3"),
                    "netWeight": Decimal("2.5"),
                },
                [
                    {
                        "gnum": g,
                        "itemNo": sku,
                        "gcode": gcode,
                        "gname": name,
                        "gmodel": "LED",
                        "barCode": "无",
                        "country": "502",
                        "currency": currency,
                        "qty": qty,
                        "qty1": qty,
                        "unit": unit,
                        "unit1": unit,
                        "price": price,
                        "totalPrice": qty * price,
                    }
                    for g, sku, name, gcode, unit, qty, price in lines
                ],
            )
        ],
        base_transfer=_transfer(AGENT),
    )
    return {"order": order, "waybill": waybill, "inventory": inventory}


def signed(message: CebMessage) -> CebMessage:
    """A copy carrying a (structurally valid) signature."""
    message = copy.deepcopy(message)
    message.signature = SIGNATURE_XML
    return message


def with_records(message: CebMessage, count: int, tag: str) -> CebMessage:
    """``message`` repeated ``count`` times with unique keys (for batch tests)."""
    out = copy.deepcopy(message)
    base = out.records[0]
    out.records = []
    for i in range(count):
        record = copy.deepcopy(base)
        record.head["guid"] = new_guid()
        for name in ("orderNo", "copNo", "logisticsNo", "payTransactionId"):
            if name in record.head:
                record.head[name] = f"{record.head[name]}-{tag}{i}"[: 30 if name == "copNo" else 60]
        out.records.append(record)
    return out
