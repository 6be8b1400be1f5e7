"""Test data for the CEB domain-core tests: a plain module, so it cannot clash with service conftests.

The linked document set is built here because the official samples are not
linked (their order, payment, waybill and inventory carry different
orderNo/consignee values — customs-domain.md §5.3).  One transaction shares
orderNo / logisticsNo / payTransactionId, consignee, amounts and gnum across
CEB311, CEB411, CEB511 and CEB621, in a bonded (1210) and a direct (9610) flavour.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from lxml import etree

from services.declaration.ceb.model import CebMessage, Record

OFFICIAL = Path(__file__).resolve().parents[1] / "fixtures" / "official"
CEB_NS = "http://www.chinaport.gov.cn/ceb"
SIGNATURE_XML = (
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
    '<ds:SignatureMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"/>'
    '<ds:Reference URI=""><ds:Transforms>'
    '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms>'
    '<ds:DigestMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"/>'
    "<ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo>"
    "<ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>"
)

ORDER_NO = "DDT20240518000001"
EBP = "3207960001"
EBC = "3207960002"
PAY_CODE = "3101960003"
PAY_TX = "PAY202405180000000001"
LOGISTICS_CODE = "3207960004"
LOGISTICS_NO = "YT2024051800000001"
AGENT = "3207960005"
BUYER = {
    "buyerIdType": "1",
    "buyerIdNumber": "320703199001011234",
    "buyerName": "王小明",
    "buyerTelephone": "13812345678",
}
CONSIGNEE = {
    "consignee": "王小明",
    "consigneeTelephone": "13812345678",
    "consigneeAddress": "江苏省连云港市海州区朝阳东路1号",
}
TRANSFER = {"copCode": EBC, "copName": "点点通测试电商", "dxpMode": "DXP", "dxpId": "DXPENT0000000001"}

LINES = (
    # gnum, itemNo, name, gcode, unit, qty, price, total
    (1, "SKU-001", "婴儿配方奶粉", "1901101000", "122", Decimal("2"), Decimal("188.00"), Decimal("376.00")),
    (2, "SKU-002", "面霜", "3304990099", "142", Decimal("1"), Decimal("120.50"), Decimal("120.50")),
    (3, "SKU-GIFT", "试用装", "3304990099", "142", Decimal("1"), Decimal("0"), Decimal("0")),
)
GOODS_VALUE = Decimal("496.50")
FREIGHT = Decimal("10.00")
TAX_TOTAL = Decimal("46.10")
DISCOUNT = Decimal("20.00")
ACTURAL_PAID = GOODS_VALUE + FREIGHT + TAX_TOTAL - DISCOUNT


def guid(n: int) -> str:
    """Deterministic upper-case 36-char guid."""
    return f"DDT00000-0000-4000-8000-{n:012d}"


def order_message() -> CebMessage:
    head = {
        "guid": guid(1),
        "appType": "1",
        "appTime": "20240518103000",
        "appStatus": "2",
        "orderType": "I",
        "orderNo": ORDER_NO,
        "ebpCode": EBP,
        "ebpName": "点点通测试平台",
        "ebcCode": EBC,
        "ebcName": "点点通测试电商",
        "goodsValue": GOODS_VALUE,
        "freight": FREIGHT,
        "discount": DISCOUNT,
        "taxTotal": TAX_TOTAL,
        "acturalPaid": ACTURAL_PAID,
        "currency": "142",
        "buyerRegNo": "U10001",
        "buyerName": BUYER["buyerName"],
        "buyerTelephone": BUYER["buyerTelephone"],
        "buyerIdType": "1",
        "buyerIdNumber": BUYER["buyerIdNumber"],
        "payCode": PAY_CODE,
        "payName": "测试支付",
        "payTransactionId": PAY_TX,
        **CONSIGNEE,
    }
    lines = [
        {
            "gnum": g,
            "itemNo": sku,
            "itemName": name,
            "gmodel": "规格",
            "unit": unit,
            "qty": qty,
            "price": price,
            "totalPrice": total,
            "currency": "142",
            "country": "116",
        }
        for g, sku, name, _gcode, unit, qty, price, total in LINES
    ]
    return CebMessage("CEB311", guid(101), "1.0", [Record(head, lines)], base_transfer=dict(TRANSFER))


def payment_message() -> CebMessage:
    head = {
        "guid": guid(2),
        "appType": "1",
        "appTime": "20240518103100",
        "appStatus": "2",
        "payCode": PAY_CODE,
        "payName": "测试支付",
        "payTransactionId": PAY_TX,
        "orderNo": ORDER_NO,
        "ebpCode": EBP,
        "ebpName": "点点通测试平台",
        "payerIdType": "1",
        "payerIdNumber": BUYER["buyerIdNumber"],
        "payerName": BUYER["buyerName"],
        "telephone": BUYER["buyerTelephone"],
        "amountPaid": ACTURAL_PAID,
        "currency": "142",
        "payTime": "20240518103055",
    }
    return CebMessage("CEB411", guid(102), "1.0", [Record(head)], base_transfer=dict(TRANSFER))


def waybill_message() -> CebMessage:
    head = {
        "guid": guid(3),
        "appType": "1",
        "appTime": "20240518110000",
        "appStatus": "2",
        "logisticsCode": LOGISTICS_CODE,
        "logisticsName": "测试物流",
        "logisticsNo": LOGISTICS_NO,
        "orderNo": ORDER_NO,
        "freight": FREIGHT,
        "insuredFee": Decimal("0"),
        "currency": "142",
        "weight": Decimal("1.5"),
        "packNo": 1,
        **CONSIGNEE,
    }
    return CebMessage("CEB511", guid(103), "1.0", [Record(head)], base_transfer=dict(TRANSFER))


def inventory_message(trade_mode: str = "1210") -> CebMessage:
    bonded = trade_mode in {"1210", "1239"}
    head = {
        "guid": guid(4),
        "appType": "1",
        "appTime": "20240518120000",
        "appStatus": "2",
        "orderNo": ORDER_NO,
        "ebpCode": EBP,
        "ebpName": "点点通测试平台",
        "ebcCode": EBC,
        "ebcName": "点点通测试电商",
        "logisticsNo": LOGISTICS_NO,
        "logisticsCode": LOGISTICS_CODE,
        "logisticsName": "测试物流",
        "copNo": "COP202405180001",
        "assureCode": EBC,
        **({"emsNo": "T2307W000001"} if bonded else {}),
        "ieFlag": "I",
        "declTime": "20240518",
        "customsCode": "2307",
        "portCode": "2307",
        **BUYER,
        "consigneeAddress": CONSIGNEE["consigneeAddress"],
        "agentCode": AGENT,
        "agentName": "测试报关行",
        **({"areaCode": "3207960006", "areaName": "测试保税仓"} if bonded else {}),
        "tradeMode": trade_mode,
        "trafMode": "Y" if bonded else "5",
        **({} if bonded else {"trafNo": "MU5001", "voyageNo": "20240518", "billNo": "781-12345678"}),
        "country": "142" if bonded else "116",
        "freight": FREIGHT,
        "insuredFee": Decimal("0"),
        "currency": "142",
        "packNo": 1,
        "grossWeight": Decimal("1.5"),
        "netWeight": Decimal("1.2"),
    }
    lines = [
        {
            "gnum": g,
            **({"itemRecordNo": f"REC-{g:03d}"} if bonded else {}),
            "itemNo": sku,
            "itemName": name,
            "gcode": gcode,
            "gname": name,
            "gmodel": "规格",
            "barCode": "无",
            "country": "116",
            "currency": "142",
            "qty": qty,
            "unit": unit,
            "qty1": Decimal("0.4") * qty,
            "unit1": "035",
            "price": price,
            "totalPrice": total,
        }
        for g, sku, name, gcode, unit, qty, price, total in LINES
    ]
    return CebMessage(
        "CEB621",
        guid(104),
        "1.0",
        [Record(head, lines)],
        base_transfer=dict(TRANSFER),
        signature=SIGNATURE_XML,
    )


def linked_set(trade_mode: str = "1210") -> dict[str, CebMessage]:
    """A fresh linked order/payment/waybill/inventory set for a trade mode."""
    return {
        "order": order_message(),
        "payment": payment_message(),
        "waybill": waybill_message(),
        "inventory": inventory_message(trade_mode),
    }


def official_bytes(direction: str, code: str) -> bytes:
    """Raw bytes of an official sample."""
    return (OFFICIAL / direction / f"{code}Message.xml").read_bytes()


def drop_duplicate_base_transfer(data: bytes) -> bytes:
    """The export samples repeat BaseTransfer; remove the extra ones (test-only repair)."""
    root = etree.fromstring(data)
    for extra in root.findall(f"{{{CEB_NS}}}BaseTransfer")[1:]:
        root.remove(extra)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
