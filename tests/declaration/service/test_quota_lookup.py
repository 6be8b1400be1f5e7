"""POST /v1/customs/quota/lookups: a buyer's annual quota left, for a filer that filed for the buyer.

The numbers are hand-computed from the inventories filed (dutiable value = Σ totalPrice +
freight + insuredFee), the buyer comes back masked, another filer's buyer is the same 404
as an unknown one, and every lookup leaves an audit row with the caller and buyer hash.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select

from services.declaration.context import DeclarationContext
from services.declaration.quota.models import QuotaLookup
from services.declaration.quota.rules import BUYER_HASH_PURPOSE, quota_year
from shared.sqltypes import utcnow
from tests.declaration.service.conftest import Api
from tests.declaration.service.factory import BUYER_NAME, EVERYONE, party
from tests.declaration.service.test_quota_and_tax import INVENTORIES, inventory_worth, new_buyer

LOOKUPS = "/v1/customs/quota/lookups"
OTHER_FILER = party(
    "other-filer-1", *((code, []) for code in ("3207960001", "3207960002", "3207960005", "3207960006"))
)


async def _look_up(api: Api, body: Any, who: Any = EVERYONE) -> httpx.Response:
    return await api.request(
        "POST",
        LOOKUPS,
        who,
        content=json.dumps(body, ensure_ascii=False).encode(),
        content_type="application/json",
    )


def _body(buyer: str, **extra: Any) -> dict[str, Any]:
    return {"buyerIdType": "1", "buyerIdNumber": buyer, "buyerName": BUYER_NAME, **extra}


async def _audit(api: Api, buyer: str) -> list[QuotaLookup]:
    vault = DeclarationContext.from_settings(api.settings).vault
    async with api.db.transaction() as session:
        rows = await session.scalars(
            select(QuotaLookup)
            .where(QuotaLookup.buyer_hash == vault.lookup_hash(BUYER_HASH_PURPOSE, buyer))
            .order_by(QuotaLookup.looked_up_at)
        )
        return list(rows)


async def test_the_quota_left_after_filings_masked_and_audited(api: Api, tag: str) -> None:
    buyer = new_buyer()
    for n, value in enumerate((Decimal("4999.99"), Decimal("130.51"))):
        response = await api.post_xml(inventory_worth(f"{tag}{n}", value, buyer), EVERYONE, path=INVENTORIES)
        assert response.status_code == 200, response.text
    # Refused (over the single limit): uses nothing.
    await api.post_xml(inventory_worth(f"{tag}x", Decimal("5000.01"), buyer), EVERYONE, path=INVENTORIES)

    response = await _look_up(api, _body(buyer))

    assert response.status_code == 200, response.text
    year = quota_year(utcnow())
    # 4999.99 + 130.51 = 5130.50 used; 26000.00 − 5130.50 = 20869.50 left.
    assert response.json() == {
        "year": year,
        "currency": "CNY",
        "limit": "26000.00",
        "used": "5130.50",
        "left": "20869.50",
        "buyerIdType": "1",
        "buyerIdNumber": buyer[:4] + "*" * 10 + buyer[-4:],
        "buyerName": "王**",
    }
    assert buyer not in response.text and BUYER_NAME not in response.text
    (audit,) = await _audit(api, buyer)
    assert (audit.party_id, audit.year, audit.answered) == (EVERYONE.party_id, year, True)
    assert audit.request_id and audit.looked_up_at is not None


async def test_another_year_and_an_unknown_buyer_of_ones_own(api: Api, tag: str) -> None:
    buyer = new_buyer()
    response = await api.post_xml(inventory_worth(tag, Decimal("1000"), buyer), EVERYONE, path=INVENTORIES)
    assert response.status_code == 200, response.text
    last_year = quota_year(utcnow()) - 1
    answer = (await _look_up(api, _body(buyer.lower(), year=last_year))).json()  # the hash ignores case
    assert (answer["year"], answer["used"], answer["left"]) == (last_year, "0.00", "26000.00")


async def test_a_buyer_of_another_filer_is_the_same_404_as_an_unknown_one(api: Api, tag: str) -> None:
    buyer = new_buyer()
    response = await api.post_xml(inventory_worth(tag, Decimal("1000"), buyer), EVERYONE, path=INVENTORIES)
    assert response.status_code == 200, response.text

    theirs = await _look_up(api, _body(buyer), OTHER_FILER)
    unknown = await _look_up(api, _body(new_buyer()), OTHER_FILER)

    assert theirs.status_code == unknown.status_code == 404
    assert theirs.headers["content-type"].startswith("application/problem+json")
    strip = ("detail", "request_id")
    assert {k: v for k, v in theirs.json().items() if k not in strip} == {
        k: v for k, v in unknown.json().items() if k not in strip
    }
    assert theirs.json()["code"] == "declaration.quota_buyer_not_found"
    assert buyer not in theirs.text
    (audit,) = await _audit(api, buyer)
    assert (audit.party_id, audit.answered) == (OTHER_FILER.party_id, False)


async def test_a_malformed_body_is_422(api: Api) -> None:
    cases = [
        {"buyerIdType": "1", "buyerName": BUYER_NAME},  # no ID number
        {**_body(new_buyer()), "buyerIdType": "2"},  # the quota is kept for ID cards only
        {**_body(new_buyer()), "year": "last"},
        {**_body(new_buyer()), "buyerIdNumber": "   "},
        {**_body(new_buyer()), "extra": 1},
    ]
    for body in cases:
        response = await _look_up(api, body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["code"] == "request.validation_failed"
        assert body.get("buyerIdNumber", "#") not in response.text or body.get("buyerIdNumber") == "   "
    response = await api.request("POST", LOOKUPS, EVERYONE, content=b"{", content_type="application/json")
    assert response.status_code in (400, 422) and response.headers["content-type"].startswith(
        "application/problem+json"
    )


async def test_the_lookup_is_declared_in_openapi(api: Api) -> None:
    spec = (await api.client.get("/openapi.json")).json()
    operation = spec["paths"][LOOKUPS]["post"]
    assert {"200", "404", "422"} <= set(operation["responses"])
    assert operation["responses"]["200"]["content"]["application/json"]["example"]["left"] == "20869.50"
    codes = {entry["code"] for entry in spec["x-ddt-problems"]}
    assert "declaration.quota_buyer_not_found" in codes
