"""Loss and damage claims through the API: the lifecycle with the carrier answering, who may
claim and answer, evidence files (size, type, never served as HTML), the offer from the rules
file, windows, reminders and the regulator's figures. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from services.logistics.app import create_app
from services.logistics.claims.terms import load_sdr_rates
from services.logistics.housekeeping import run_once
from tests.logistics import support as tracking
from tests.logistics.support import (
    CARRIER,
    ENTERPRISE,
    OTHER_CARRIER,
    OTHER_ENTERPRISE,
    REGULATOR,
    new_tag,
    registered,
)
from tests.logistics.warehousing.conftest import LogisticsApi, logistics_settings
from tests.support.services import running_app

CLAIMS = "/v1/logistics/claims"
UTC = dt.UTC
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


def _ago(days: float) -> str:
    return (dt.datetime.now(UTC) - dt.timedelta(days=days)).isoformat()


async def _shipment(api: LogisticsApi, mode: str = "air", *events: dict[str, Any]) -> dict[str, Any]:
    """A shipment of ENTERPRISE with one linehaul leg of CARRIER's, tracked by ``events``."""
    tag = new_tag()
    await tracking.LogisticsApi(api.app, api.client).feed(
        [registered(CARRIER, 1), registered(OTHER_CARRIER, 2)]
    )
    body = {
        "direction": "export",
        "customs_mode": "9610",
        "order_no": f"CLM{tag}",
        "ebc_code": ENTERPRISE.codes[0].code,
        "legs": [
            {
                "role": "linehaul",
                "mode": mode,
                "carrier_code": CARRIER.codes[0].code,
                "tracking_number": f"T{tag}",
            }
        ],
    }
    made = await api.ok("POST", "/v1/logistics/shipments", ENTERPRISE, 201, json=body)
    if events:
        pushed = await tracking.LogisticsApi(api.app, api.client).push(
            "generic", {"events": [{"tracking_number": f"T{tag}", **e} for e in events]}, CARRIER
        )
        assert pushed.status_code in (200, 202), pushed.text
    return made  # type: ignore[no-any-return]


async def _delivered(api: LogisticsApi, mode: str = "air", days_ago: float = 2) -> dict[str, Any]:
    return await _shipment(
        api,
        mode,
        {"occurred_at": _ago(days_ago + 3), "status": "in_transit"},
        {"occurred_at": _ago(days_ago), "status": "delivered"},
    )


def _claim(shipment_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": "CLM-1",
        "shipment_id": shipment_id,
        "kind": "damaged",
        "description": "Two vases broken on arrival.",
        "weight_kg": "10",
        "packages": 1,
        "currency": "CNY",
        "claimed_amount": "5000.00",
    }
    body.update(overrides)
    return body


def _rate() -> Decimal:
    return load_sdr_rates().on(dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()).cny_per_sdr


async def _submitted(api: LogisticsApi, mode: str = "air", **overrides: Any) -> dict[str, Any]:
    shipment = await _delivered(api, mode)
    return await api.ok("POST", CLAIMS, ENTERPRISE, 201, json=_claim(shipment["id"], **overrides))  # type: ignore[no-any-return]


async def _evidence(
    api: LogisticsApi, claim_id: str, content: bytes, media: str, who: Any = ENTERPRISE
) -> Any:
    return await api.post(
        f"{CLAIMS}/{claim_id}/evidence?filename=photo.png",
        who,
        content=content,
        headers={"content-type": media},
    )


async def test_a_claim_goes_from_submitted_to_closed_with_the_carrier_answering(api: LogisticsApi) -> None:
    claim = await _submitted(api)
    assert (claim["status"], claim["mode"], claim["carrier_code"]) == (
        "submitted",
        "air",
        CARRIER.codes[0].code,
    )
    path = f"{CLAIMS}/{claim['id']}"
    assert (await api.ok("POST", f"{path}/review", CARRIER))["status"] == "under_review"
    asked = await api.ok(
        "POST", f"{path}/request-documents", CARRIER, json={"documents": "commercial invoice"}
    )
    assert asked["status"] == "waiting_on_documents"
    assert (await _evidence(api, claim["id"], PNG, "image/png")).status_code == 201
    assert (await api.ok("GET", path, CARRIER))["status"] == "under_review"
    decided = await api.ok(
        "POST",
        f"{path}/decision",
        CARRIER,
        json={"decision": "approve", "amount_cny": "2000.00", "reason": "one vase"},
    )
    assert (decided["status"], decided["approved_cny"]) == ("approved_partial", "2000.00")
    paid = await api.ok("POST", f"{path}/payment", CARRIER, json={"payment_reference": "PAY-77"})
    assert (paid["status"], paid["paid_cny"]) == ("paid", "2000.00")
    closed = await api.ok("POST", f"{path}/close", ENTERPRISE)
    assert closed["status"] == "closed"
    answered = [e.data["status"] for e in await api.staged("ddt.logistics.claim.answered")]
    assert answered == ["under_review", "waiting_on_documents", "approved_partial", "paid"]
    assert {e.data["party_id"] for e in await api.staged("ddt.logistics.claim.answered")} == {
        ENTERPRISE.party_id
    }


async def test_a_paid_claims_change_event_carries_its_dates_for_statistics(api: LogisticsApi) -> None:
    claim = await _submitted(api)
    path = f"{CLAIMS}/{claim['id']}"
    await api.ok("POST", f"{path}/review", CARRIER)
    await api.ok("POST", f"{path}/decision", CARRIER, json={"decision": "approve"})
    paid = await api.ok("POST", f"{path}/payment", CARRIER, json={"payment_reference": "PAY-78"})
    last = (await api.staged("ddt.logistics.claim.changed"))[-1]
    dates = {k: dt.datetime.fromisoformat(last.data[k]) for k in ("submitted_at", "decided_at", "paid_at")}
    assert (last.type, dates) == (
        "ddt.logistics.claim.changed.v2",
        {k: dt.datetime.fromisoformat(paid[k]) for k in ("submitted_at", "decided_at", "paid_at")},
    )


async def test_the_offer_is_26_sdr_per_kg_for_air_with_every_step_explained(api: LogisticsApi) -> None:
    claim = await _submitted(api)
    expected = (Decimal(260) * _rate()).quantize(Decimal("0.01"))
    assert Decimal(claim["offer_cny"]) == expected
    assert claim["explanation"][-1] == f"Offer = min(claimed 5000.00, cap {expected}) = {expected} CNY"
    assert any("26 SDR/kg × 10 kg = 260 SDR" in line for line in claim["explanation"])


async def test_a_sea_claim_takes_666_67_sdr_per_package_when_that_is_higher(api: LogisticsApi) -> None:
    shipment = await _delivered(api, "sea", days_ago=1)
    body = _claim(shipment["id"], weight_kg="100", packages=2, claimed_amount="50000.00")
    claim = await api.ok("POST", CLAIMS, ENTERPRISE, 201, json=body)
    # 666.67 SDR × 2 packages = 1333.34 SDR > 2 SDR × 100 kg; at 9.7500 CNY/SDR 13000.065 → 13000.07
    assert Decimal(claim["offer_cny"]) == (Decimal("1333.34") * _rate()).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )


async def test_approving_the_offer_as_it_is_is_approved(api: LogisticsApi) -> None:
    claim = await _submitted(api)
    path = f"{CLAIMS}/{claim['id']}"
    await api.ok("POST", f"{path}/review", CARRIER)
    decided = await api.ok("POST", f"{path}/decision", CARRIER, json={"decision": "approve"})
    assert (decided["status"], decided["approved_cny"]) == ("approved", claim["offer_cny"])


async def test_another_amount_without_a_reason_is_refused(api: LogisticsApi) -> None:
    claim = await _submitted(api)
    path = f"{CLAIMS}/{claim['id']}"
    await api.ok("POST", f"{path}/review", CARRIER)
    answer = await api.post(f"{path}/decision", CARRIER, json={"decision": "approve", "amount_cny": "1.00"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["pointer"] == "/body/reason"


async def test_a_claim_cannot_be_paid_before_it_is_decided(api: LogisticsApi) -> None:
    claim = await _submitted(api)
    answer = await api.post(f"{CLAIMS}/{claim['id']}/payment", CARRIER, json={"payment_reference": "P"})
    assert answer.status_code == 409 and answer.json()["status_now"] == "submitted"


async def test_the_same_claim_sent_twice_is_stored_once(api: LogisticsApi) -> None:
    shipment = await _delivered(api)
    first = await api.ok("POST", CLAIMS, ENTERPRISE, 201, json=_claim(shipment["id"]))
    again = await api.ok("POST", CLAIMS, ENTERPRISE, 200, json=_claim(shipment["id"]))
    listed = await api.ok("GET", CLAIMS, ENTERPRISE)
    assert again["id"] == first["id"] and [c["id"] for c in listed["items"]] == [first["id"]]


async def test_the_same_reference_with_other_content_is_409(api: LogisticsApi) -> None:
    shipment = await _delivered(api)
    await api.ok("POST", CLAIMS, ENTERPRISE, 201, json=_claim(shipment["id"]))
    answer = await api.post(CLAIMS, ENTERPRISE, json=_claim(shipment["id"], claimed_amount="1.00"))
    assert answer.status_code == 409 and answer.json()["code"] == "logistics.claim_reference_taken"


async def test_a_claim_for_another_partys_shipment_is_403(api: LogisticsApi) -> None:
    shipment = await _delivered(api)
    answer = await api.post(CLAIMS, OTHER_ENTERPRISE, json=_claim(shipment["id"]))
    assert answer.status_code == 403 and answer.json()["code"] == "logistics.not_the_claimant"


async def test_a_carrier_cannot_claim_against_its_own_leg(api: LogisticsApi) -> None:
    shipment = await _delivered(api)
    answer = await api.post(CLAIMS, CARRIER, json=_claim(shipment["id"]))
    assert answer.status_code == 403


async def test_the_claimant_cannot_answer_its_own_claim(api: LogisticsApi) -> None:
    claim = await _submitted(api)
    answer = await api.post(f"{CLAIMS}/{claim['id']}/review", ENTERPRISE)
    assert answer.status_code == 403 and answer.json()["code"] == "logistics.not_the_claims_carrier"


@pytest.mark.parametrize("who", [OTHER_ENTERPRISE, OTHER_CARRIER], ids=["other enterprise", "other carrier"])
async def test_a_claim_is_not_found_for_anyone_but_its_parties_and_regulators(
    api: LogisticsApi, who: Any
) -> None:
    claim = await _submitted(api)
    assert (await api.get(f"{CLAIMS}/{claim['id']}", who)).status_code == 404
    assert (await api.get(f"{CLAIMS}/{claim['id']}/evidence/1", who)).status_code == 404
    assert (await api.ok("GET", CLAIMS, who))["items"] == []
    assert (await api.get(f"{CLAIMS}/{claim['id']}", REGULATOR)).status_code == 200


async def test_a_claim_outside_its_window_is_refused_with_the_windows_dates(api: LogisticsApi) -> None:
    shipment = await _delivered(api, "sea", days_ago=10)
    answer = await api.post(CLAIMS, ENTERPRISE, json=_claim(shipment["id"]))
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    delivered = dt.date.fromisoformat(problem["window_opens_on"])
    assert (problem["code"], dt.date.fromisoformat(problem["window_closes_on"]) - delivered) == (
        "logistics.claim_window_closed",
        dt.timedelta(days=3),
    )
    assert "Hague-Visby" in problem["window_basis"]


async def test_a_damage_claim_before_delivery_is_refused_as_not_yet_open(api: LogisticsApi) -> None:
    shipment = await _shipment(api, "air", {"occurred_at": _ago(1), "status": "in_transit"})
    answer = await api.post(CLAIMS, ENTERPRISE, json=_claim(shipment["id"]))
    assert answer.status_code == 409 and answer.json()["code"] == "logistics.claim_window_not_open"


async def test_an_express_claim_without_its_freight_is_refused_precisely(api: LogisticsApi) -> None:
    shipment = await _delivered(api, "express")
    answer = await api.post(CLAIMS, ENTERPRISE, json=_claim(shipment["id"]))
    assert answer.status_code == 422 and answer.json()["code"] == "logistics.claim_terms"


async def test_evidence_over_the_size_limit_is_413(fresh_url: str) -> None:
    app = create_app(logistics_settings(fresh_url, evidence_max_bytes=1024))
    async with running_app(app) as client:
        api = LogisticsApi(app, client)
        claim = await _submitted(api)
        answer = await _evidence(api, claim["id"], PNG + b"\x00" * 1024, "image/png")
    assert (answer.status_code, answer.headers["content-type"]) == (413, "application/problem+json")


@pytest.mark.parametrize("media", ["text/html", "image/gif", "image/svg+xml"])
async def test_evidence_of_a_type_not_allowed_is_415(api: LogisticsApi, media: str) -> None:
    claim = await _submitted(api)
    answer = await _evidence(api, claim["id"], b"<html><script>alert(1)</script></html>", media)
    assert (answer.status_code, answer.headers["content-type"]) == (415, "application/problem+json")


async def test_evidence_whose_bytes_are_not_its_declared_type_is_415(api: LogisticsApi) -> None:
    claim = await _submitted(api)
    answer = await _evidence(api, claim["id"], b"<html><script>alert(1)</script></html>", "image/png")
    assert answer.status_code == 415 and answer.json()["code"] == "logistics.evidence_content_mismatch"


async def test_evidence_is_served_only_as_an_attachment_never_as_html(api: LogisticsApi) -> None:
    claim = await _submitted(api)
    stored = (await _evidence(api, claim["id"], PDF, "application/pdf")).json()
    answer = await api.get(stored["href"], CARRIER)
    assert (answer.content, answer.headers["content-type"]) == (PDF, "application/pdf")
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "html" not in answer.headers["content-type"]


async def test_the_same_evidence_sent_twice_is_stored_once(api: LogisticsApi) -> None:
    claim = await _submitted(api)
    first = await _evidence(api, claim["id"], PNG, "image/png")
    again = await _evidence(api, claim["id"], PNG, "image/png")
    assert (first.status_code, again.status_code, again.json()["id"]) == (201, 200, first.json()["id"])
    assert len((await api.ok("GET", f"{CLAIMS}/{claim['id']}", ENTERPRISE))["evidence"]) == 1


async def test_regulators_see_claim_rates_and_payout_times_per_carrier(api: LogisticsApi) -> None:
    claim = await _submitted(api)
    await _delivered(api)  # a second shipment of the carrier, not claimed
    path = f"{CLAIMS}/{claim['id']}"
    await api.ok("POST", f"{path}/review", CARRIER)
    await api.ok("POST", f"{path}/decision", CARRIER, json={"decision": "approve"})
    await api.ok("POST", f"{path}/payment", CARRIER, json={"payment_reference": "PAY-1"})
    year = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).year
    figures = await api.ok("GET", f"{CLAIMS}/figures?year={year}", REGULATOR)
    [row] = [c for c in figures["carriers"] if c["carrier_code"] == CARRIER.codes[0].code]
    assert (row["shipments"], row["claims"], row["claim_rate"], row["paid"], row["paid_cny"]) == (
        2,
        1,
        "0.5000",
        1,
        claim["offer_cny"],
    )
    assert Decimal(row["average_payout_days"]) >= 0


async def test_claim_figures_are_for_regulators_only(api: LogisticsApi) -> None:
    assert (await api.get(f"{CLAIMS}/figures?year=2026", CARRIER)).status_code == 403


async def test_a_damaged_shipment_without_a_claim_is_reminded_once_before_its_window_closes(
    api: LogisticsApi,
) -> None:
    shipment = await _shipment(
        api,
        "road",
        {"occurred_at": _ago(5), "status": "in_transit"},
        {"occurred_at": _ago(4), "status": "exception", "sub_status": "damaged"},
        {"occurred_at": _ago(3), "status": "delivered"},
    )
    runtime = api.app.state.runtime
    await run_once(runtime)
    await run_once(runtime)
    reminders = await api.staged("ddt.logistics.claim.window_closing")
    assert [(e.data["shipment_id"], e.data["kind"], e.data["party_id"]) for e in reminders] == [
        (shipment["id"], "damaged", ENTERPRISE.party_id)
    ]


async def test_a_shipment_already_claimed_is_not_reminded(api: LogisticsApi) -> None:
    shipment = await _shipment(
        api,
        "road",
        {"occurred_at": _ago(5), "status": "in_transit"},
        {"occurred_at": _ago(4), "status": "exception", "sub_status": "damaged"},
        {"occurred_at": _ago(3), "status": "delivered"},
    )
    await api.ok("POST", CLAIMS, ENTERPRISE, 201, json=_claim(shipment["id"]))
    await run_once(api.app.state.runtime)
    assert await api.staged("ddt.logistics.claim.window_closing") == []


async def test_a_description_with_a_nul_character_is_refused_before_the_database(api: LogisticsApi) -> None:
    shipment = await _delivered(api)
    answer = await api.post(CLAIMS, ENTERPRISE, json=_claim(shipment["id"], description="broken\x00"))
    assert answer.status_code == 422 and answer.json()["errors"][0]["pointer"].endswith("description")


async def test_an_evidence_number_beyond_64_bits_is_422_not_a_database_error(api: LogisticsApi) -> None:
    claim = await _submitted(api)
    answer = await api.get(f"{CLAIMS}/{claim['id']}/evidence/{2**70}", ENTERPRISE)
    assert answer.status_code == 422
