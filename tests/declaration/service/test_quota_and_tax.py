"""Retail import limits and tax: 5,000 CNY a transaction, 26,000 CNY a year per buyer, CEB816 fields.

The annual quota is concurrency-safe: ten inventories of one buyer filed at the same
moment, each fitting alone, are accepted only as far as the year's limit allows —
on PostgreSQL (row locks and advisory locks, real concurrent transactions) and SQLite.
"""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from services.declaration.ceb.model import CebMessage
from services.declaration.context import DeclarationContext
from services.declaration.intake.plans import BUYER_HASH_PURPOSE
from services.declaration.quota.models import BuyerQuota
from services.declaration.quota.rules import from_e5, quota_year
from shared.sqltypes import utcnow
from tests.declaration.service.conftest import Api
from tests.declaration.service.factory import EVERYONE, import_set

INVENTORIES = "/v1/customs/import/inventories"
_OTHER_LINES = Decimal("120.50") + Decimal("10.00")  # line 2 + freight of the factory's inventory


def new_buyer() -> str:
    """A fresh 18-character ID number."""
    return "3207" + str(uuid.uuid4().int)[:13] + "X"


def inventory_worth(tag: str, dutiable: Decimal, buyer_id: str) -> CebMessage:
    """An import inventory whose dutiable value (Σ totalPrice + freight + insuredFee) is ``dutiable``."""
    price = (dutiable - _OTHER_LINES) / 2
    return import_set(tag, "1210", buyer_id=buyer_id, price=price)["inventory"]


async def used(api: Api, buyer_id: str) -> Decimal:
    vault = DeclarationContext.from_settings(api.settings).vault
    async with api.db.transaction() as session:
        units = await session.scalar(
            select(BuyerQuota.used_e5).where(
                BuyerQuota.buyer_hash == vault.lookup_hash(BUYER_HASH_PURPOSE, buyer_id),
                BuyerQuota.year == quota_year(utcnow()),
            )
        )
    return from_e5(units or 0)


async def file(api: Api, message: CebMessage) -> dict[str, Any]:
    response = await api.post_xml(message, EVERYONE, path=INVENTORIES)
    assert response.status_code in (200, 422), response.text
    body = response.json()
    return body if response.status_code == 200 else body["answer"]  # type: ignore[no-any-return]


async def test_single_transaction_limit(api: Api, tag: str) -> None:
    answer = await file(api, inventory_worth(tag, Decimal("5000.01"), new_buyer()))
    errors = answer["records"][0]["errors"]
    assert [(e["code"], e["pointer"]) for e in errors] == [("-621005", "/records/0")]


async def test_annual_limit_counts_every_accepted_inventory_of_the_buyer(api: Api, tag: str) -> None:
    buyer = new_buyer()
    for n in range(5):
        answer = await file(api, inventory_worth(f"{tag}{n}", Decimal("5000"), buyer))
        assert answer["records"][0]["accepted"], answer
    assert await used(api, buyer) == Decimal("25000")
    answer = await file(api, inventory_worth(f"{tag}x", Decimal("1000.01"), buyer))
    error = answer["records"][0]["errors"][0]
    assert (error["code"], error["pointer"]) == ("-621018", "/records/0/head/buyerIdNumber")
    assert buyer not in error["message"] and buyer[:4] in error["message"]  # masked
    assert "已用购买额度为[25000.00]" in error["message"]  # a person reads CNY at fen
    answer = await file(api, inventory_worth(f"{tag}y", Decimal("1000"), buyer))
    assert answer["records"][0]["accepted"]
    assert await used(api, buyer) == Decimal("26000")


async def test_inventories_of_one_buyer_in_one_message_count_in_order(api: Api, tag: str) -> None:
    buyer = new_buyer()
    first = inventory_worth(f"{tag}a", Decimal("20000") / 4, buyer)
    message = first
    for n, value in enumerate(("5000", "5000", "5000", "4000", "3000", "2000")):
        other = inventory_worth(f"{tag}{n}", Decimal(value), buyer)
        message.records.append(other.records[0])
    answer = await file(api, message)
    accepted = [r["accepted"] for r in answer["records"]]
    # 5000 ×4 = 20000, +4000 = 24000, +3000 would be 27000 (refused), +2000 = 26000.
    assert accepted == [True, True, True, True, True, False, True]
    assert await used(api, buyer) == Decimal("26000")


async def test_simultaneous_inventories_of_one_buyer_never_overrun_the_year(api: Api, tag: str) -> None:
    buyer = new_buyer()
    messages = [inventory_worth(f"{tag}{n}", Decimal("4000"), buyer) for n in range(10)]
    answers = await asyncio.gather(*(file(api, message) for message in messages))
    accepted = sum(1 for answer in answers if answer["records"][0]["accepted"])
    refused = [
        answer["records"][0]["errors"][0]["code"]
        for answer in answers
        if not answer["records"][0]["accepted"]
    ]
    assert accepted == 6  # 6 × 4000 = 24000; a seventh would make 28000
    assert refused == ["-621018"] * 4
    assert await used(api, buyer) == Decimal("24000")


async def test_single_indivisible_item_above_the_limit_is_taxed_in_full(api: Api, tag: str) -> None:
    message = import_set(tag, "1210", buyer_id=new_buyer())["inventory"]
    record = message.records[0]
    line = record.lines[0]
    line.update(
        qty=Decimal("1"),
        qty1=Decimal("0.4"),
        price=Decimal("6000"),
        totalPrice=Decimal("6000"),
        gcode="2204210000",
    )
    record.lines = [line]
    record.head["freight"] = Decimal("0")
    answer = await file(api, message)
    assert answer["records"][0]["accepted"], answer
    view = await api.document(answer["records"][0]["documentId"], EVERYONE)
    tax = view["tax"]
    assert tax["treatment"] == "single_item_general"
    # Wine (illustrative rates: tariff 14 %, VAT 13 %, consumption 10 %), full general rates:
    # tariff 840; consumption (6000+840)×0.1/0.9 = 760; VAT (6000+840+760)×0.13 = 988.
    assert tax["taxHeadRd"]["customsTax"] == "840.00"
    assert tax["taxHeadRd"]["consumptionTax"] == "760.00"
    assert tax["taxHeadRd"]["valueAddedTax"] == "988.00"


async def test_retail_tax_has_the_ceb816_fields(api: Api, tag: str) -> None:
    message = import_set(tag, "1210", buyer_id=new_buyer())["inventory"]
    record = message.records[0]
    record.lines = [record.lines[0]]
    record.lines[0].update(
        qty=Decimal("1"), qty1=Decimal("0.4"), price=Decimal("100"), totalPrice=Decimal("100")
    )
    record.head["freight"] = Decimal("0")
    answer = await file(api, message)
    view = await api.document(answer["records"][0]["documentId"], EVERYONE)
    tax = view["tax"]
    assert tax["treatment"] == "retail"
    assert tax["dutiableValue"] == "100.00"
    # Infant formula 1901 (VAT 13 %, no consumption tax): 100 × 13 % × 70 % = 9.10, tariff 0.
    assert tax["taxHeadRd"]["customsTax"] == "0.00"
    assert tax["taxHeadRd"]["valueAddedTax"] == "9.10"
    assert tax["taxHeadRd"]["consumptionTax"] == "0.00"
    assert tax["taxHeadRd"]["ebcCode"] == record.head["ebcCode"]
    assert tax["taxHeadRd"]["assureCode"] == record.head["assureCode"]
    assert tax["taxListRd"] == [
        {
            "gnum": 1,
            "gcode": "1901101000",
            "taxPrice": "100",
            "customsTax": "0.00",
            "valueAddedTax": "9.10",
            "consumptionTax": "0.00",
        }
    ]
