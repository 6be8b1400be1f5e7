"""Reward runs through the API: policies as validated data, snapshots from the facts, the review
lifecycle with its actors, immutability once published, corrections, reproducibility, exports."""

from __future__ import annotations

import asyncio
import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from services.stats.rewards import EXAMPLE_POLICY_PATH
from tests.stats.conftest import APPROVER, REGULATOR, REVIEWER, StatsApi, enterprise
from tests.stats.support import at, facts, registered, released, uscc

FINAL_POLICY = (
    EXAMPLE_POLICY_PATH.read_text("utf-8")
    .replace("status: example", "status: final")
    .replace("policy_id: lyg-cbec-rewards-2026-example", "policy_id: lyg-cbec-rewards-2026-test")
)


async def trade(stats: StatsApi) -> None:
    """Three enterprises (one without a registry entry) in 2025 and 2026, in parks and an incubator."""
    events: list[Any] = [
        registered("E1", uscc=uscc(1), park="haizhou_cbec_park"),
        registered("E2", uscc=uscc(2), district="donghai", park="donghai_crystal_export_incubator"),
    ]
    for party, year, month, value, orders in (
        ("E1", 2025, 5, "2000000.00", 10),
        ("E1", 2026, 5, "30000000.00", 40),
        ("E2", 2026, 6, "6000000.00", 20),
        ("E9", 2026, 7, "1000.00", 1),
    ):
        doc = facts(f"{party}-{year}", party, value=value, order_count=orders)
        events.append(released(doc, at(f"{year}-{month:02d}-01 10:00")))
    await stats.feed(events)


async def upload_final(stats: StatsApi) -> str:
    response = await stats.post(
        "/v1/stats/rewards/policies", json={"format": "yaml", "content": FINAL_POLICY}
    )
    assert response.status_code == 201, response.text
    return response.json()["sha256"]  # type: ignore[no-any-return]


async def test_a_run_goes_draft_reviewed_approved_published_then_never_changes(stats: StatsApi) -> None:
    await trade(stats)
    policy = await upload_final(stats)
    created = (await stats.post("/v1/stats/rewards/runs", json={"policy": policy, "note": "first"})).json()
    run = f"/v1/stats/rewards/runs/{created['runId']}"
    by_creator = await stats.post(f"{run}/review", REGULATOR)
    skip_step = await stats.post(f"{run}/approve", APPROVER)
    reviewed = await stats.post(f"{run}/review", REVIEWER, json={"note": "checked"})
    approve_by_reviewer = await stats.post(f"{run}/approve", REVIEWER)
    approved = await stats.post(f"{run}/approve", APPROVER)
    published = await stats.post(f"{run}/publish", APPROVER)
    amounts_before = (await stats.get(f"{run}/amounts")).json()["rows"]
    after = {
        step: (await stats.post(f"{run}/{step}", APPROVER)).json()["code"]
        for step in ("review", "approve", "publish")
    }
    final = (await stats.get(run)).json()
    assert [
        r.status_code for r in (by_creator, skip_step, reviewed, approve_by_reviewer, approved, published)
    ] == [409, 409, 200, 409, 200, 200]
    assert (by_creator.json()["code"], skip_step.json()["code"], approve_by_reviewer.json()["code"]) == (
        "rewards.run.separation_of_duties",
        "rewards.run.illegal_transition",
        "rewards.run.separation_of_duties",
    )
    assert set(after.values()) == {"rewards.run.published_immutable"}
    assert [(h["from"], h["to"], h["actor"]) for h in final["history"]] == [
        (None, "draft", "reg-commerce/k-reg1"),
        ("draft", "reviewed", "reg-commerce/k-reg2"),
        ("reviewed", "approved", "reg-finance/k-fin1"),
        ("approved", "published", "reg-finance/k-fin1"),
    ]
    assert all(h["at"].endswith("+00:00") for h in final["history"])
    assert (await stats.get(f"{run}/amounts")).json()["rows"] == amounts_before


async def test_the_snapshot_is_built_from_the_facts(stats: StatsApi) -> None:
    await trade(stats)
    created = (await stats.post("/v1/stats/rewards/runs", json={"policy": await upload_final(stats)})).json()
    snapshot = (
        await stats.get(f"/v1/stats/rewards/snapshots/{created['snapshotId']}", params={"full": "true"})
    ).json()
    enterprises = {e["party_id"]: e for e in snapshot["content"]["enterprises"]}
    parks = {p["park_id"]: p for p in snapshot["content"]["parks"]}
    e1, e2 = enterprises["E1"], enterprises["E2"]
    assert (
        e1["transaction_value"],
        e1["transaction_value_prev"],
        e1["order_count"],
        e1["order_count_prev"],
        e1["rmb_settlement_amount"],
        e1["park_id"],
        e1["flags"]["first_year_cbec"],
    ) == ("30000000", "2000000", 40, 10, "0", "haizhou_cbec_park", False)
    assert (e2["incubator_id"], e2["flags"]["first_year_cbec"], e2["flags"]["first_application"]) == (
        "donghai_crystal_export_incubator",
        True,
        True,
    )
    assert (
        parks["donghai_crystal_export_incubator"]["kind"],
        parks["donghai_crystal_export_incubator"]["new_active_enterprises"],
        parks["haizhou_cbec_park"]["new_active_enterprises"],
    ) == ("incubator", 1, 0)
    assert snapshot["excluded"] == [{"party": "E9", "reason": "not in the party registry (no name or USCC)"}]


async def test_rerunning_a_snapshot_reproduces_every_amount_to_the_fen(stats: StatsApi) -> None:
    await trade(stats)
    policy = await upload_final(stats)
    first = (await stats.post("/v1/stats/rewards/runs", json={"policy": policy})).json()
    await stats.feed(
        [released(facts("E1-late", "E1", value="99999999.00"), at("2026-12-01 10:00"))]
    )  # facts move on
    again = (
        await stats.post(
            "/v1/stats/rewards/runs", json={"policy": policy, "snapshot_id": first["snapshotId"]}
        )
    ).json()
    fresh = (await stats.post("/v1/stats/rewards/runs", json={"policy": policy})).json()
    verify = (await stats.get(f"/v1/stats/rewards/runs/{first['runId']}/verify")).json()

    async def amounts(run: dict[str, Any]) -> dict[str, str]:
        body = (await stats.get(f"/v1/stats/rewards/runs/{run['runId']}/amounts")).json()
        return {r["subject_key"]: r["final"] for r in body["rows"]}

    assert (again["amountsDigest"], await amounts(again)) == (first["amountsDigest"], await amounts(first))
    assert fresh["amountsDigest"] != first["amountsDigest"]
    assert (verify["reproduced"], Decimal(verify["total"])) == (True, Decimal(first["total"]))


async def test_a_correction_is_a_new_run_referencing_the_published_one(stats: StatsApi) -> None:
    await trade(stats)
    policy = await upload_final(stats)
    original = (await stats.post("/v1/stats/rewards/runs", json={"policy": policy})).json()
    run = f"/v1/stats/rewards/runs/{original['runId']}"
    unpublished = await stats.post(f"{run}/corrections", json={"reason": "too early"})
    for who, step in ((REVIEWER, "review"), (APPROVER, "approve"), (APPROVER, "publish")):
        assert (await stats.post(f"{run}/{step}", who)).status_code == 200
    await stats.feed([released(facts("E2-more", "E2", value="50000000.00"), at("2026-11-01 10:00"))])
    correction = await stats.post(f"{run}/corrections", json={"reason": "late releases of November"})
    body = correction.json()
    assert (unpublished.status_code, unpublished.json()["code"]) == (
        409,
        "rewards.run.correction_target_not_published",
    )
    assert (correction.status_code, body["status"], body["correctsRunId"], body["correction"]["reason"]) == (
        201,
        "draft",
        original["runId"],
        "late releases of November",
    )
    assert body["correction"]["changed"] >= 1
    assert (await stats.get(run)).json()["status"] == "published"


async def test_policy_errors_are_problems_with_paths(stats: StatsApi) -> None:
    broken_yaml = await stats.post(
        "/v1/stats/rewards/policies", json={"format": "yaml", "content": "a: [1, 2"}
    )
    bad_field = FINAL_POLICY.replace("rate: 0.8 ", "rate: 1.8 ")  # a share above 100 %
    bad_tiers = FINAL_POLICY.replace("{min: 5000000, amount: 20000", "{min: 500, amount: 20000")
    invalid = await stats.post("/v1/stats/rewards/policies", json={"format": "yaml", "content": bad_field})
    unordered = await stats.post("/v1/stats/rewards/policies", json={"format": "yaml", "content": bad_tiers})
    as_json = await stats.post("/v1/stats/rewards/policies", json={"schema_version": 1, "policy_id": "x"})
    by_enterprise = await stats.post(
        "/v1/stats/rewards/policies", enterprise("E1"), json={"format": "yaml", "content": FINAL_POLICY}
    )
    body = invalid.json()
    assert (broken_yaml.status_code, broken_yaml.json()["code"]) == (422, "rewards.policy.invalid")
    assert (invalid.status_code, invalid.headers["content-type"], body["code"]) == (
        422,
        "application/problem+json",
        "rewards.policy.invalid",
    )
    assert [(e["path"], e["pointer"]) for e in body["errors"]] == [("items[5].rate", "/items/5/rate")]
    assert [(e["path"], e["pointer"]) for e in unordered.json()["errors"]] == [
        ("items[0].value_tiers[1].min", "/items/0/value_tiers/1/min")
    ]
    assert as_json.status_code == 422 and any(e["path"] == "title" for e in as_json.json()["errors"])
    assert by_enterprise.status_code == 403


async def test_runs_export_to_xlsx_with_explanations(stats: StatsApi) -> None:
    await trade(stats)
    created = (await stats.post("/v1/stats/rewards/runs", json={"policy": await upload_final(stats)})).json()
    run = f"/v1/stats/rewards/runs/{created['runId']}"
    job = (await stats.post(f"{run}/exports", json={"explanations": "all"})).json()
    status = job
    for _ in range(200):
        status = (await stats.get(f"/v1/stats/rewards/exports/{job['jobId']}")).json()
        if status["status"] in ("done", "failed"):
            break
        await asyncio.sleep(0.05)
    book = load_workbook(io.BytesIO((await stats.get(status["download"])).content), read_only=True)
    explained = {row[0] for row in book["Explanations"].iter_rows(min_row=2, values_only=True)}
    quick = await stats.get(f"{run}/export.xlsx", params={"explanations": "none"})
    csv = await stats.get(f"{run}/amounts", params={"format": "csv"})
    assert status["status"] == "done"
    assert {"enterprise:E1", "enterprise:E2"} <= explained
    assert (quick.status_code, "Explanations" in load_workbook(io.BytesIO(quick.content)).sheetnames) == (
        200,
        False,
    )
    assert "enterprise:E1" in csv.content.decode("utf-8-sig")


async def test_a_runs_amounts_page_by_cursor_to_the_same_rows_as_one_answer(stats: StatsApi) -> None:
    await trade(stats)
    created = (await stats.post("/v1/stats/rewards/runs", json={"policy": await upload_final(stats)})).json()
    amounts = f"/v1/stats/rewards/runs/{created['runId']}/amounts"
    whole = (await stats.get(amounts)).json()
    paged: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(len(whole["rows"]) + 1):
        page = (await stats.get(amounts, params={"limit": 2} | ({"cursor": cursor} if cursor else {}))).json()
        paged += page["rows"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    tampered = await stats.get(amounts, params={"cursor": "bm90LWEtY3Vyc29y"})
    assert len(whole["rows"]) > 2 and whole["next_cursor"] is None
    assert paged == whole["rows"]
    assert (tampered.status_code, tampered.json()["errors"][0]["pointer"]) == (422, "/query/cursor")
