"""Export credit insurance: policies and buyer limits, shipment declarations (出运申报) prepared from
released exports, deadlines over weekends and holidays, reminders, exposure, financing, and who may
see and change what — on SQLite and PostgreSQL, fed through the real consumer path."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.payments.app import create_app
from services.payments.context import PaymentsContext
from services.payments.insurance import service as insurance
from shared.identity import Identity
from shared.sqltypes import utcnow
from tests.payments.support import (
    PaymentsApi,
    bank,
    enterprise,
    export_goods,
    new_namespace,
    onboard,
    outbox_events,
    payments_settings,
    receipt,
    regulator,
    status_event,
)
from tests.support.services import running_app

UTC = dt.UTC
NATIONAL_DAY = [dt.date(2026, 10, d) for d in range(1, 8)]
BUYER = ("USA/C123456", "Acme Imports LLC")
BASE = "/v1/payments/insurance"


@pytest.fixture(scope="module")
async def insured_app(payments_url: str) -> AsyncIterator[PaymentsApi]:
    """The payments app with National Day 2026 configured as public holidays."""
    app = create_app(payments_settings(payments_url, public_holidays=NATIONAL_DAY))
    async with running_app(app) as client:
        yield PaymentsApi(app, client)


@pytest.fixture
async def world(insured_app: PaymentsApi) -> PaymentsApi:
    """An enterprise with a granted bank, and a second enterprise."""
    new_namespace()
    await onboard(insured_app, bank("bank-1"), [enterprise("ent-1")])
    await insured_app.register(enterprise("ent-2"), bank("bank-2"))
    return insured_app


def _limit(**over: Any) -> dict[str, Any]:
    return {
        "buyer_code": BUYER[0],
        "buyer_name": BUYER[1],
        "buyer_country": "502",
        "approved_limit": "50000.00",
        "currency": "USD",
        "payment_terms": "OA",
        "credit_days": 90,
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        **over,
    }


def _policy(**over: Any) -> dict[str, Any]:
    return {
        "insurer": "中国出口信用保险公司 (Sinosure)",
        "policy_no": "SCH2026-0001",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "currency": "USD",
        "coverage_pct": "90",
        "max_liability": "500000.00",
        "buyer_limits": [_limit()],
        **over,
    }


async def _insure(api: PaymentsApi, who: Identity | None = None) -> dict[str, Any]:
    answer = await api.post(f"{BASE}/policies", who or enterprise("ent-1"), json=_policy())
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def _ship(api: PaymentsApi, order: str, value: str, at: dt.datetime, buyer: Any = BUYER) -> list[Any]:
    events = export_goods(enterprise("ent-1"), order, value, at=at, buyer=buyer)
    await api.feed(events)
    return events


async def _declarations(api: PaymentsApi, who: Identity | None = None) -> list[dict[str, Any]]:
    answer = await api.get(f"{BASE}/declarations", who or enterprise("ent-1"))
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]  # type: ignore[no-any-return]


# --- policies and limits -------------------------------------------------------------------------


async def test_the_policy_list_is_paged_and_a_walk_sees_every_policy_once(world: PaymentsApi) -> None:
    made = []
    for n in range(5):
        answer = await world.post(
            f"{BASE}/policies", enterprise("ent-1"), json=_policy(policy_no=f"SCH2026-{n:04}")
        )
        made.append(answer.json()["id"])
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await world.get(f"{BASE}/policies", enterprise("ent-1"), params=params)).json()
        seen += [p["id"] for p in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert (sorted(seen), len(seen), pages) == (sorted(made), 5, 3)


async def test_a_policy_is_recorded_with_its_buyer_limits(world: PaymentsApi) -> None:
    policy = await _insure(world)
    assert policy["policy_no"] == "SCH2026-0001" and policy["coverage_pct"] == "90.00"
    [limit] = policy["buyer_limits"]
    assert limit["approved_limit"] == "50000.00" and limit["exposure"] == "0.00"
    assert limit["available"] == "50000.00" and limit["beyond_limit"] is False
    answer = await world.get(f"{BASE}/policies/{policy['id']}", enterprise("ent-1"))
    assert answer.status_code == 200 and answer.json()["id"] == policy["id"]

    again = await world.post(f"{BASE}/policies", enterprise("ent-1"), json=_policy())
    assert again.status_code == 409 and again.json()["errors"][0]["pointer"] == "/body/policy_no"

    second = _limit(buyer_code="GBR/C777", buyer_name="Brit Co Ltd", buyer_country="303", currency="GBP")
    added = await world.post(f"{BASE}/policies/{policy['id']}/limits", enterprise("ent-1"), json=second)
    assert added.status_code == 201 and len(added.json()["buyer_limits"]) == 2
    twice = await world.post(f"{BASE}/policies/{policy['id']}/limits", enterprise("ent-1"), json=second)
    assert twice.status_code == 409 and twice.json()["errors"][0]["pointer"] == "/body/buyer_code"
    revised = await world.put(
        f"{BASE}/policies/{policy['id']}/limits", enterprise("ent-1"), json=_limit(approved_limit="20000.00")
    )
    assert revised.status_code == 200
    by_code = {lim["buyer_code"]: lim for lim in revised.json()["buyer_limits"]}
    assert by_code[BUYER[0]]["approved_limit"] == "20000.00"


async def test_refusals_name_every_field_at_fault(world: PaymentsApi) -> None:
    body = _policy(
        period_end="2025-12-31",
        buyer_limits=[_limit(valid_from="2026-06-01", valid_until="2026-05-01"), _limit()],
    )
    answer = await world.post(f"{BASE}/policies", enterprise("ent-1"), json=body)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    pointers = {e["pointer"] for e in answer.json()["errors"]}
    # The period ends before it starts, so both limits also lie outside it.
    assert pointers == {
        "/body/period_end",
        "/body/buyer_limits/0/valid_until",
        "/body/buyer_limits/0/valid_from",
        "/body/buyer_limits/1/valid_from",
        "/body/buyer_limits/1/buyer_code",
    }

    answer = await world.post(f"{BASE}/policies", enterprise("ent-1"), json=_policy(coverage_pct="120"))
    assert answer.status_code == 422 and answer.json()["errors"][0]["pointer"] == "/body/coverage_pct"
    answer = await world.post(
        f"{BASE}/policies", enterprise("ent-1"), json=_policy(buyer_limits=[_limit(approved_limit="-5")])
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["pointer"] == "/body/buyer_limits/0/approved_limit"
    answer = await world.post(f"{BASE}/policies", enterprise("ent-1"), json=_policy(currency="XYZ"))
    assert answer.status_code == 422 and answer.json()["errors"][0]["pointer"] == "/body/currency"


# --- declarations from released exports ---------------------------------------------------------


async def test_a_released_export_prepares_exactly_one_declaration(world: PaymentsApi) -> None:
    policy = await _insure(world)
    now = utcnow().replace(microsecond=0)
    events = await _ship(world, "SO-NOW-1", "30000", now)
    # The same events delivered again, and the release re-sent under a new event id.
    await world.feed(events)
    await world.feed([status_event(events, "released", now, "800")])
    [declaration] = await _declarations(world)
    assert declaration["policy_id"] == policy["id"] and declaration["policy_no"] == "SCH2026-0001"
    assert declaration["buyer_code"] == BUYER[0] and declaration["order_no"] == "SO-NOW-1"
    assert declaration["invoice_amount"] == "30000.00" and declaration["currency"] == "USD"
    assert declaration["payment_terms"] == "OA"
    assert declaration["status"] == "prepared" and declaration["beyond_limit"] is False
    shipped = dt.date.fromisoformat(declaration["shipment_date"])
    assert shipped == insurance.beijing_day(now)
    assert dt.date.fromisoformat(declaration["payment_due_date"]) == shipped + dt.timedelta(days=90)
    assert dt.date.fromisoformat(declaration["due_on"]).weekday() < 5


async def test_exports_to_other_buyers_or_without_a_policy_prepare_nothing(world: PaymentsApi) -> None:
    await _ship(world, "SO-NOPOL", "100", dt.datetime(2026, 11, 5, 2, tzinfo=UTC))
    await _insure(world)
    await _ship(
        world, "SO-OTHER", "100", dt.datetime(2026, 11, 5, 2, tzinfo=UTC), buyer=("USA/C999", "Other")
    )
    await _ship(world, "SO-RETAIL", "100", dt.datetime(2026, 11, 5, 2, tzinfo=UTC), buyer=None)
    assert await _declarations(world) == []


def _inventory_id(events: list[Any]) -> str:
    return next(str(e.subject) for e in events if "inv-" in str(e.subject))


async def test_the_enterprise_declares_an_export_to_the_buyer_it_names(world: PaymentsApi) -> None:
    # Customs messages name no overseas buyer: an export with none in its events matches no limit,
    # and the enterprise names the limit itself.
    policy = await _insure(world)
    [limit] = policy["buyer_limits"]
    events = await _ship(world, "SO-NAMED", "12000", utcnow().replace(microsecond=0), buyer=None)
    assert await _declarations(world) == []
    body = {"document_id": _inventory_id(events), "limit_id": limit["id"]}
    made = await world.post(f"{BASE}/declarations", enterprise("ent-1"), json=body)
    assert made.status_code == 201, made.text
    assert (made.json()["buyer_code"], made.json()["invoice_amount"], made.json()["status"]) == (
        BUYER[0],
        "12000.00",
        "prepared",
    )
    again = await world.post(f"{BASE}/declarations", enterprise("ent-1"), json=body)
    assert (again.status_code, again.json()["code"]) == (409, "payments.declaration_exists")


async def test_a_named_buyer_is_refused_where_its_limit_does_not_cover_the_shipment(
    world: PaymentsApi,
) -> None:
    policy = await _insure(world)
    [limit] = policy["buyer_limits"]
    to_britain = export_goods(enterprise("ent-1"), "SO-GB", "100", buyer=None, country="303")
    await world.feed(to_britain)
    body = {"document_id": _inventory_id(to_britain), "limit_id": limit["id"]}
    refused = await world.post(f"{BASE}/declarations", enterprise("ent-1"), json=body)
    assert (refused.status_code, refused.json()["errors"][0]["pointer"]) == (422, "/body/limit_id")
    foreign = await world.post(f"{BASE}/declarations", enterprise("ent-2"), json=body)
    assert (foreign.status_code, foreign.json()["errors"][0]["pointer"]) == (404, "/body/document_id")


async def test_a_cancelled_export_withdraws_its_declaration_and_a_cancelled_policy_prepares_none(
    world: PaymentsApi,
) -> None:
    policy = await _insure(world)
    events = await _ship(world, "SO-CX", "40000", dt.datetime(2026, 11, 2, 2, tzinfo=UTC))
    await world.feed([status_event(events, "cancelled", dt.datetime(2026, 11, 3, 2, tzinfo=UTC))])
    [declaration] = await _declarations(world)
    assert declaration["status"] == "withdrawn" and declaration["unpaid"] == "0.00"
    [limit] = (await world.get(f"{BASE}/policies/{policy['id']}", enterprise("ent-1"))).json()["buyer_limits"]
    assert limit["exposure"] == "0.00"

    cancelled = await world.call(
        "PATCH", f"{BASE}/policies/{policy['id']}", enterprise("ent-1"), json={"status": "cancelled"}
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    await _ship(world, "SO-CX2", "100", dt.datetime(2026, 11, 4, 2, tzinfo=UTC))
    assert [d["order_no"] for d in await _declarations(world)] == ["SO-CX"]
    other = await world.call(
        "PATCH", f"{BASE}/policies/{policy['id']}", enterprise("ent-2"), json={"status": "active"}
    )
    assert other.status_code == 404


async def test_the_deadline_skips_national_day_and_the_weekend(world: PaymentsApi) -> None:
    await _insure(world)
    # Released Wed 2026-09-30 11:00 Beijing; 1–7 October are holidays; Sat/Sun 10–11 October.
    await _ship(world, "SO-ND", "1000", dt.datetime(2026, 9, 30, 3, tzinfo=UTC))
    [declaration] = await _declarations(world)
    assert declaration["shipment_date"] == "2026-09-30"
    assert declaration["due_on"] == "2026-10-14"  # Thu 8, Fri 9, Mon 12, Tue 13, Wed 14


async def test_reminders_before_and_on_the_deadline_then_overdue(world: PaymentsApi) -> None:
    await _insure(world)
    await _ship(world, "SO-REM", "1000", dt.datetime(2026, 9, 30, 3, tzinfo=UTC))
    ctx = world.app.state.runtime.components.get(PaymentsContext)
    publisher = world.app.state.runtime.publisher
    party = enterprise("ent-1").party_id

    async def check(day: int) -> list[str]:
        async with world.db.transaction() as session:
            await insurance.check_reminders(
                session, ctx, publisher, dt.datetime(2026, 10, day, 2, tzinfo=UTC)
            )
        found = await outbox_events(world.db, "ddt.payments.shipment_declaration.due", party=party)
        return [str(e.data["status"]) for e in found]  # type: ignore[index]

    assert await check(12) == []
    assert await check(13) == ["remind"]  # the working day before
    assert await check(13) == ["remind"]  # once
    assert await check(14) == ["remind", "remind"]  # on the deadline
    assert await check(15) == ["remind", "remind", "overdue"]
    assert await check(16) == ["remind", "remind", "overdue"]
    [declaration] = await _declarations(world)
    assert declaration["status"] == "overdue"
    event = (await outbox_events(world.db, "ddt.payments.shipment_declaration.due", party=party))[-1]
    assert event.data["due_on"] == "2026-10-14" and event.data["policy_no"] == "SCH2026-0001"  # type: ignore[index]

    # Declared late, with the insurer's reference: submitted; the same confirmation again is a replay.
    body = {"insurer_reference": "SINO-2026-778899"}
    answer = await world.post(
        f"{BASE}/declarations/{declaration['id']}/submit", enterprise("ent-1"), json=body
    )
    assert answer.status_code == 200 and answer.json()["status"] == "submitted"
    assert answer.json()["insurer_reference"] == "SINO-2026-778899"
    again = await world.post(
        f"{BASE}/declarations/{declaration['id']}/submit", enterprise("ent-1"), json=body
    )
    assert again.status_code == 200
    other = await world.post(
        f"{BASE}/declarations/{declaration['id']}/submit",
        enterprise("ent-1"),
        json={"insurer_reference": "X"},
    )
    assert other.status_code == 409


async def test_a_shipment_beyond_the_buyer_limit_is_flagged(world: PaymentsApi) -> None:
    policy = await _insure(world)
    await _ship(world, "SO-L1", "30000", dt.datetime(2026, 11, 2, 2, tzinfo=UTC))
    await _ship(world, "SO-L2", "25000", dt.datetime(2026, 11, 3, 2, tzinfo=UTC))
    first, second = await _declarations(world)
    assert (first["order_no"], first["beyond_limit"]) == ("SO-L1", False)
    assert (second["order_no"], second["beyond_limit"]) == ("SO-L2", True)
    [limit] = (await world.get(f"{BASE}/policies/{policy['id']}", enterprise("ent-1"))).json()["buyer_limits"]
    assert limit["exposure"] == "55000.00" and limit["available"] == "0.00" and limit["beyond_limit"] is True

    # The buyer pays the first shipment: exposure falls back under the limit.
    answer = await world.post(
        "/v1/payments/transactions",
        bank("bank-1"),
        json=receipt("R-L1", enterprise("ent-1").party_id, "30000.00", orders=[{"order_no": "SO-L1"}]),
    )
    assert answer.status_code == 201, answer.text
    [limit] = (await world.get(f"{BASE}/policies/{policy['id']}", enterprise("ent-1"))).json()["buyer_limits"]
    assert limit["exposure"] == "25000.00" and limit["beyond_limit"] is False
    paid, unpaid = await _declarations(world)
    assert paid["unpaid"] == "0.00" and unpaid["beyond_limit"] is False


# --- financing --------------------------------------------------------------------------------------


async def test_policy_financing_is_recorded(world: PaymentsApi) -> None:
    policy = await _insure(world)
    await _ship(world, "SO-F1", "8000", dt.datetime(2026, 11, 2, 2, tzinfo=UTC))
    [declaration] = await _declarations(world)
    body = {
        "kind": "indemnity_assignment",
        "bank_party_id": bank("bank-1").party_id,
        "agreement_no": "BOC-TF-2026-01",
        "amount": "7200.00",
        "currency": "USD",
        "start_date": "2026-11-03",
        "end_date": "2027-02-28",
        "declaration_ids": [declaration["id"]],
    }
    url = f"{BASE}/policies/{policy['id']}/financings"
    answer = await world.post(url, enterprise("ent-1"), json=body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["declaration_ids"] == [declaration["id"]] and answer.json()["amount"] == "7200.00"
    assert (await world.post(url, enterprise("ent-1"), json=body)).status_code == 409

    bad = body | {
        "agreement_no": "X2",
        "bank_party_id": enterprise("ent-2").party_id,
        "declaration_ids": ["nope"],
    }
    answer = await world.post(url, enterprise("ent-1"), json=bad)
    assert answer.status_code == 422
    assert {e["pointer"] for e in answer.json()["errors"]} == {
        "/body/bank_party_id",
        "/body/declaration_ids/0",
    }
    early = body | {"agreement_no": "X3", "kind": "receivable_assignment", "end_date": "2026-01-01"}
    answer = await world.post(url, enterprise("ent-1"), json=early)
    assert answer.status_code == 422 and answer.json()["errors"][0]["pointer"] == "/body/end_date"

    listed = await world.get(url, bank("bank-1"))
    assert listed.status_code == 200 and [f["agreement_no"] for f in listed.json()] == ["BOC-TF-2026-01"]


# --- who may see and change what ----------------------------------------------------------------


async def test_another_enterprise_and_ungranted_institutions_see_nothing(world: PaymentsApi) -> None:
    policy = await _insure(world)
    await _ship(world, "SO-A1", "100", dt.datetime(2026, 11, 2, 2, tzinfo=UTC))
    [declaration] = await _declarations(world)
    policy_url, declaration_url = (
        f"{BASE}/policies/{policy['id']}",
        f"{BASE}/declarations/{declaration['id']}",
    )
    for outsider in (enterprise("ent-2"), bank("bank-2")):
        assert (await world.get(policy_url, outsider)).status_code == 404
        assert (await world.get(declaration_url, outsider)).status_code == 404
        assert (await world.get(f"{policy_url}/financings", outsider)).status_code == 404
        assert (await world.get(f"{BASE}/policies", outsider)).json()["items"] == []
        assert await _declarations(world, outsider) == []
    other = enterprise("ent-2")
    assert (await world.post(f"{policy_url}/limits", other, json=_limit(buyer_code="X"))).status_code == 404
    submit = await world.post(f"{declaration_url}/submit", other, json={"insurer_reference": "R"})
    assert submit.status_code == 404
    # Institutions and regulators never write an enterprise's insurance.
    for reader in (bank("bank-1"), regulator()):
        assert (await world.post(f"{BASE}/policies", reader, json=_policy())).status_code == 403
        assert (
            await world.post(f"{declaration_url}/submit", reader, json={"insurer_reference": "R"})
        ).status_code == 403


async def test_the_granted_bank_and_regulators_read_until_the_grant_is_revoked(world: PaymentsApi) -> None:
    policy = await _insure(world)
    await _ship(world, "SO-G1", "100", dt.datetime(2026, 11, 2, 2, tzinfo=UTC))
    policy_url = f"{BASE}/policies/{policy['id']}"
    assert (await world.get(policy_url, bank("bank-1"))).status_code == 200
    assert len(await _declarations(world, bank("bank-1"))) == 1
    assert (await world.get(policy_url, regulator())).status_code == 200
    assert policy["id"] in {
        p["id"] for p in (await world.get(f"{BASE}/policies", regulator())).json()["items"]
    }
    revoked = await world.delete(f"/v1/payments/grants/{bank('bank-1').party_id}", enterprise("ent-1"))
    assert revoked.status_code == 204, revoked.text
    assert (await world.get(policy_url, bank("bank-1"))).status_code == 404
    assert await _declarations(world, bank("bank-1")) == []
