"""Customs documents of the demo, in the JSON message form the declaration service takes.

One sale becomes the linked documents the parties involved would really send:

* import (1210 bonded, 1239, 9610 direct): the platform's order (CEB311), the payment
  firm's payment record (CEB411), the carrier's waybill (CEB511) and the enterprise's
  inventory (CEB621) — one orderNo, payTransactionId and logisticsNo, the same consignee
  and amounts, so the three-document match passes;
* export (9610 retail, 9710 B2B, 9810 overseas warehouse): the order (CEB303), the
  waybill (CEB505) and the inventory (CEB603); later the site operator's arrival report
  (CEB507) and the carrier's departure report (CEB509).

Amounts are Decimal, written as strings; times are Beijing time, as customs writes them.
Names, phones and ID numbers are invented (and the platform encrypts them at rest).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

BEIJING = dt.timezone(dt.timedelta(hours=8))
CUSTOMS_CODE = "2307"  # the customs office the demo declares at
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

#: HS chapter → goods the demo sells: (10-digit code, name, unit, kg per unit, CNY unit price).
GOODS: dict[str, tuple[str, str, str, Decimal, Decimal]] = {
    "03": ("0306171000", "冻对虾", "035", Decimal("1"), Decimal("68.00")),
    "04": ("0402210000", "全脂奶粉", "122", Decimal("0.9"), Decimal("168.00")),
    "16": ("1604140000", "金枪鱼罐头", "122", Decimal("0.2"), Decimal("18.50")),
    "19": ("1901101000", "婴儿配方奶粉", "122", Decimal("0.8"), Decimal("228.00")),
    "21": ("2106909090", "营养补充剂", "140", Decimal("0.1"), Decimal("156.00")),
    "22": ("2204210000", "葡萄酒", "142", Decimal("0.75"), Decimal("198.00")),
    "30": ("3004909099", "维生素片", "140", Decimal("0.1"), Decimal("89.00")),
    "33": ("3304990099", "护肤面霜", "142", Decimal("0.05"), Decimal("260.00")),
    "42": ("4202221000", "手提包", "011", Decimal("0.6"), Decimal("420.00")),
    "61": ("6109100021", "棉制T恤衫", "011", Decimal("0.2"), Decimal("45.00")),
    "62": ("6204430000", "化纤连衣裙", "011", Decimal("0.3"), Decimal("120.00")),
    "64": ("6404199000", "运动鞋", "025", Decimal("0.8"), Decimal("160.00")),
    "70": ("7013370000", "玻璃器皿", "011", Decimal("0.5"), Decimal("38.00")),
    "71": ("7116200000", "水晶饰品", "011", Decimal("0.05"), Decimal("88.00")),
    "84": ("8471300000", "便携式电脑", "001", Decimal("1.5"), Decimal("2600.00")),
    "85": ("8517130000", "智能手机", "001", Decimal("0.3"), Decimal("1600.00")),
    "87": ("8714920000", "自行车轮圈", "011", Decimal("1.2"), Decimal("95.00")),
    "94": ("9403200000", "金属家具", "011", Decimal("6"), Decimal("350.00")),
    "95": ("9503008900", "玩具", "011", Decimal("0.4"), Decimal("59.00")),
    "96": ("9603210000", "牙刷", "011", Decimal("0.02"), Decimal("12.00")),
}
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
_STREETS = (
    "海州区朝阳东路",
    "连云区中山路",
    "赣榆区黄海路",
    "东海县晶都大道",
    "灌云县伊山路",
    "灌南县新港大道",
)
_DESTINATION_PORTS = {
    "502": "3010",
    "303": "3032",
    "304": "3036",
    "305": "3043",
    "116": "1113",
    "133": "1325",
}


def cny(value: Decimal) -> str:
    """A Decimal as the JSON form wants it (a string, never a float)."""
    return format(value.quantize(Decimal("0.01")), "f")


def guid() -> str:
    """A fresh upper-case 36-character guid, as the XSD wants."""
    return str(uuid.uuid4()).upper()


def customs_time(at: dt.datetime) -> str:
    """``YYYYMMDDhhmmss`` in Beijing time."""
    return at.astimezone(BEIJING).strftime("%Y%m%d%H%M%S")


def customs_date(at: dt.datetime) -> str:
    """``YYYYMMDD`` in Beijing time."""
    return at.astimezone(BEIJING).strftime("%Y%m%d")


@dataclass(frozen=True)
class Company:
    """An enterprise code and name as the documents carry them."""

    code: str
    name: str


@dataclass(frozen=True)
class Buyer:
    """An invented consumer: ID number (with a valid GB 11643 check digit), name, phone, address."""

    id_number: str
    name: str
    phone: str
    address: str


def new_buyer(rng: random.Random, division: str = "320706") -> Buyer:
    """A consumer of the city with a plausible 18-digit resident ID."""
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(365 * 45))
    body = f"{division}{born:%Y%m%d}{rng.randrange(1000):03d}"
    check = _ID_CHECK[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
    phone = "1" + rng.choice("35789") + "".join(str(rng.randrange(10)) for _ in range(9))
    address = f"江苏省连云港市{rng.choice(_STREETS)}{rng.randrange(1, 300)}号"
    return Buyer(body + check, name, phone, address)


@dataclass(frozen=True)
class Line:
    """One goods line of a sale."""

    gnum: int
    chapter: str
    qty: Decimal
    price: Decimal  # in the sale's currency

    @property
    def goods(self) -> tuple[str, str, str, Decimal, Decimal]:
        return GOODS[self.chapter]

    @property
    def total(self) -> Decimal:
        return (self.qty * self.price).quantize(Decimal("0.01"))

    @property
    def kilograms(self) -> Decimal:
        return (self.qty * self.goods[3]).quantize(Decimal("0.001"))


@dataclass(frozen=True)
class Sale:
    """One cross-border sale and everyone involved in it."""

    tag: str
    mode: str
    direction: str
    at: dt.datetime
    enterprise: Company
    platform: Company
    carrier: Company
    payer: Company | None
    lines: tuple[Line, ...]
    currency: str
    country: str
    buyer: Buyer | None

    @property
    def order_no(self) -> str:
        return f"DD{self.tag}"

    @property
    def logistics_no(self) -> str:
        return f"YT{self.tag}"[:32]

    @property
    def pay_transaction_id(self) -> str:
        return f"PAY{self.tag}"

    @property
    def cop_no(self) -> str:
        return f"C{self.tag}"[:20]

    @property
    def goods_value(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal(0))

    @property
    def freight(self) -> Decimal:
        return Decimal("12.00") if self.direction == "import" else Decimal("30.00")

    @property
    def gross_weight(self) -> Decimal:
        return (
            sum((line.kilograms for line in self.lines), Decimal(0)) * Decimal("1.15") + Decimal("0.1")
        ).quantize(Decimal("0.001"))

    @property
    def net_weight(self) -> Decimal:
        return sum((line.kilograms for line in self.lines), Decimal(0))

    @property
    def bonded(self) -> bool:
        return self.mode in ("1210", "1239")


def _transfer(sender: Company) -> dict[str, str]:
    return {"copCode": sender.code, "copName": sender.name, "dxpMode": "DXP", "dxpId": "DXPENT0000000001"}


def message(records: list[dict[str, Any]], sender: Company) -> dict[str, Any]:
    """A JSON message form of up to 100 records, sent by ``sender``."""
    return {"records": records, "baseTransfer": _transfer(sender)}


def _head(at: dt.datetime) -> dict[str, Any]:
    return {"guid": guid(), "appType": "1", "appTime": customs_time(at), "appStatus": "2"}


# --- import -------------------------------------------------------------------------------


def import_order(sale: Sale) -> dict[str, Any]:
    """CEB311, filed by the platform for the merchant."""
    assert sale.buyer is not None and sale.payer is not None
    tax = Decimal(0)  # within the limits customs computes and collects it (CEB816)
    return {
        "head": {
            **_head(sale.at),
            "orderType": "I",
            "orderNo": sale.order_no,
            "ebpCode": sale.platform.code,
            "ebpName": sale.platform.name,
            "ebcCode": sale.enterprise.code,
            "ebcName": sale.enterprise.name,
            "goodsValue": cny(sale.goods_value),
            "freight": cny(sale.freight),
            "discount": "0",
            "taxTotal": cny(tax),
            "acturalPaid": cny(sale.goods_value + sale.freight + tax),
            "currency": "142",
            "buyerRegNo": f"U{sale.tag[-8:]}",
            "buyerName": sale.buyer.name,
            "buyerTelephone": sale.buyer.phone,
            "buyerIdType": "1",
            "buyerIdNumber": sale.buyer.id_number,
            "payCode": sale.payer.code,
            "payName": sale.payer.name,
            "payTransactionId": sale.pay_transaction_id,
            "consignee": sale.buyer.name,
            "consigneeTelephone": sale.buyer.phone,
            "consigneeAddress": sale.buyer.address,
        },
        "lines": [
            {
                "gnum": line.gnum,
                "itemNo": f"SKU-{line.goods[0][:6]}",
                "itemName": line.goods[1],
                "gmodel": f"{line.goods[1]}|标准规格",
                "unit": line.goods[2],
                "qty": format(line.qty, "f"),
                "price": cny(line.price),
                "totalPrice": cny(line.total),
                "currency": "142",
                "country": sale.country,
            }
            for line in sale.lines
        ],
    }


def import_payment(sale: Sale) -> dict[str, Any]:
    """CEB411, filed by the payment firm."""
    assert sale.buyer is not None and sale.payer is not None
    return {
        "head": {
            **_head(sale.at + dt.timedelta(minutes=1)),
            "payCode": sale.payer.code,
            "payName": sale.payer.name,
            "payTransactionId": sale.pay_transaction_id,
            "orderNo": sale.order_no,
            "ebpCode": sale.platform.code,
            "ebpName": sale.platform.name,
            "payerIdType": "1",
            "payerIdNumber": sale.buyer.id_number,
            "payerName": sale.buyer.name,
            "telephone": sale.buyer.phone,
            "amountPaid": cny(sale.goods_value + sale.freight),
            "currency": "142",
            "payTime": customs_time(sale.at),
        }
    }


def import_waybill(sale: Sale) -> dict[str, Any]:
    """CEB511, filed by the carrier."""
    assert sale.buyer is not None
    return {
        "head": {
            **_head(sale.at + dt.timedelta(minutes=30)),
            "logisticsCode": sale.carrier.code,
            "logisticsName": sale.carrier.name,
            "logisticsNo": sale.logistics_no,
            "orderNo": sale.order_no,
            "freight": cny(sale.freight),
            "insuredFee": "0",
            "currency": "142",
            "weight": format(sale.gross_weight, "f"),
            "packNo": 1,
            "consignee": sale.buyer.name,
            "consigneeTelephone": sale.buyer.phone,
            "consigneeAddress": sale.buyer.address,
        }
    }


def import_inventory(sale: Sale, warehouse: Company) -> dict[str, Any]:
    """CEB621, declared by the enterprise itself (the platform signs it when it goes to customs)."""
    assert sale.buyer is not None
    head: dict[str, Any] = {
        **_head(sale.at + dt.timedelta(hours=1)),
        "orderNo": sale.order_no,
        "ebpCode": sale.platform.code,
        "ebpName": sale.platform.name,
        "ebcCode": sale.enterprise.code,
        "ebcName": sale.enterprise.name,
        "logisticsNo": sale.logistics_no,
        "logisticsCode": sale.carrier.code,
        "logisticsName": sale.carrier.name,
        "copNo": sale.cop_no,
        "assureCode": sale.enterprise.code,
        "ieFlag": "I",
        "declTime": customs_date(sale.at),
        "customsCode": CUSTOMS_CODE,
        "portCode": CUSTOMS_CODE,
        "buyerIdType": "1",
        "buyerIdNumber": sale.buyer.id_number,
        "buyerName": sale.buyer.name,
        "buyerTelephone": sale.buyer.phone,
        "consigneeAddress": sale.buyer.address,
        "agentCode": sale.enterprise.code,
        "agentName": sale.enterprise.name,
        "tradeMode": sale.mode,
        "trafMode": "Y" if sale.bonded else "2",
        "country": "142" if sale.bonded else sale.country,
        "freight": cny(sale.freight),
        "insuredFee": "0",
        "currency": "142",
        "packNo": 1,
        "grossWeight": format(sale.gross_weight, "f"),
        "netWeight": format(sale.net_weight, "f"),
    }
    if sale.bonded:
        head.update(emsNo="T2307W000001", areaCode=warehouse.code, areaName=warehouse.name)
    else:
        head.update(trafNo="中韩轮渡 和谐云港", voyageNo=customs_date(sale.at), billNo=f"LYG{sale.tag[-10:]}")
    lines = [
        {
            "gnum": line.gnum,
            **({"itemRecordNo": f"REC-{line.goods[0][:8]}"} if sale.bonded else {}),
            "itemNo": f"SKU-{line.goods[0][:6]}",
            "itemName": line.goods[1],
            "gcode": line.goods[0],
            "gname": line.goods[1],
            "gmodel": f"{line.goods[1]}|标准规格",
            "barCode": "无",
            "country": sale.country,
            "currency": "142",
            "qty": format(line.qty, "f"),
            "unit": line.goods[2],
            "qty1": format(line.kilograms, "f"),
            "unit1": "035",
            "price": cny(line.price),
            "totalPrice": cny(line.total),
        }
        for line in sale.lines
    ]
    return {"head": head, "lines": lines}


# --- export -------------------------------------------------------------------------------

EXPORT_ORDER_TYPE = {"9610": "E", "9710": "B", "9810": "W"}


def export_order(sale: Sale) -> dict[str, Any]:
    """CEB303, filed by the platform for the merchant."""
    return {
        "head": {
            **_head(sale.at),
            "orderType": EXPORT_ORDER_TYPE[sale.mode],
            "orderNo": sale.order_no,
            "ebpCode": sale.platform.code,
            "ebpName": sale.platform.name,
            "ebcCode": sale.enterprise.code,
            "ebcName": sale.enterprise.name,
            "goodsValue": cny(sale.goods_value),
            "freight": cny(sale.freight),
            "currency": sale.currency,
        },
        "lines": [
            {
                "gnum": line.gnum,
                "itemNo": f"SKU-{line.goods[0][:6]}",
                "itemName": line.goods[1],
                "barCode": "无",
                "unit": line.goods[2],
                "currency": sale.currency,
                "qty": format(line.qty, "f"),
                "price": cny(line.price),
                "totalPrice": cny(line.total),
            }
            for line in sale.lines
        ],
    }


def export_waybill(sale: Sale) -> dict[str, Any]:
    """CEB505, filed by the carrier."""
    return {
        "head": {
            **_head(sale.at + dt.timedelta(minutes=30)),
            "logisticsCode": sale.carrier.code,
            "logisticsName": sale.carrier.name,
            "logisticsNo": sale.logistics_no,
            "freight": cny(sale.freight),
            "insuredFee": "0",
            "currency": sale.currency,
            "grossWeight": format(sale.gross_weight, "f"),
            "packNo": 1,
            "goodsInfo": "、".join(line.goods[1] for line in sale.lines)[:200],
            "ebcCode": sale.enterprise.code,
            "ebcName": sale.enterprise.name,
            "ebcTelephone": "051885800000",
        }
    }


def export_inventory(sale: Sale) -> dict[str, Any]:
    """CEB603, declared by the enterprise itself."""
    return {
        "head": {
            **_head(sale.at + dt.timedelta(hours=1)),
            "customsCode": CUSTOMS_CODE,
            "ebpCode": sale.platform.code,
            "ebpName": sale.platform.name,
            "orderNo": sale.order_no,
            "logisticsCode": sale.carrier.code,
            "logisticsName": sale.carrier.name,
            "logisticsNo": sale.logistics_no,
            "copNo": sale.cop_no,
            "ieFlag": "E",
            "portCode": CUSTOMS_CODE,
            "ieDate": customs_date(sale.at),
            "statisticsFlag": "B",
            "agentCode": sale.enterprise.code,
            "agentName": sale.enterprise.name,
            "ebcCode": sale.enterprise.code,
            "ebcName": sale.enterprise.name,
            "ownerCode": sale.enterprise.code,
            "ownerName": sale.enterprise.name,
            "tradeMode": sale.mode,
            "trafMode": "2",
            "trafName": "中远之星",
            "voyageNo": f"V{customs_date(sale.at)[2:]}",
            "billNo": f"COSU{sale.tag[-10:]}",
            "country": sale.country,
            "POD": _DESTINATION_PORTS.get(sale.country, "3010"),
            "freight": cny(sale.freight),
            "fCurrency": sale.currency,
            "fFlag": "3",
            "insuredFee": "0",
            "iCurrency": sale.currency,
            "iFlag": "3",
            "wrapType": "2",
            "packNo": 1,
            "grossWeight": format(sale.gross_weight, "f"),
            "netWeight": format(sale.net_weight, "f"),
        },
        "lines": [
            {
                "gnum": line.gnum,
                "itemNo": f"SKU-{line.goods[0][:6]}",
                "gcode": line.goods[0],
                "gname": line.goods[1],
                "gmodel": f"{line.goods[1]}|标准规格",
                "barCode": "无",
                "country": sale.country,
                "currency": sale.currency,
                "qty": format(line.qty, "f"),
                "qty1": format(line.kilograms, "f"),
                "unit": line.goods[2],
                "unit1": "035",
                "price": cny(line.price),
                "totalPrice": cny(line.total),
            }
            for line in sale.lines
        ],
    }


def arrival(sales: list[Sale], operator: Company, at: dt.datetime) -> dict[str, Any]:
    """CEB507: the supervised site reports the parcels of ``sales`` arrived (one carrier's)."""
    carrier = sales[0].carrier
    return {
        "head": {
            **_head(at),
            "customsCode": CUSTOMS_CODE,
            "copNo": f"A{guid()[:19]}",
            "operatorCode": operator.code,
            "operatorName": operator.name,
            "ieFlag": "E",
            "trafMode": "2",
            "domesticTrafNo": "苏G12345",
            "logisticsCode": carrier.code,
            "logisticsName": carrier.name,
            "msgCount": 1,
            "msgSeqNo": 1,
        },
        "lines": [{"gnum": i, "logisticsNo": sale.logistics_no} for i, sale in enumerate(sales, start=1)],
    }


def departure(sales: list[Sale], at: dt.datetime) -> dict[str, Any]:
    """CEB509: the carrier reports the parcels of ``sales`` left the country."""
    carrier = sales[0].carrier
    return {
        "head": {
            **_head(at),
            "customsCode": CUSTOMS_CODE,
            "copNo": f"D{guid()[:19]}",
            "logisticsCode": carrier.code,
            "logisticsName": carrier.name,
            "trafMode": "2",
            "trafName": "中远之星",
            "voyageNo": f"V{customs_date(at)[2:]}",
            "billNo": f"COSU{guid()[:8]}",
            "leaveTime": customs_time(at),
            "msgCount": 1,
            "msgSeqNo": 1,
        },
        "lines": [{"gnum": i, "logisticsNo": sale.logistics_no} for i, sale in enumerate(sales, start=1)],
    }
