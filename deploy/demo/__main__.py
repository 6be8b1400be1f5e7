"""``make demo``: drive a realistic simulated month through the running platform.

With ``make run`` going, this:

1. onboards a cast through the gateway's admin API — e-commerce enterprises across the
   city's districts, parks and incubators, platforms (with delegations for their
   merchants), payment firms, carriers, a bonded warehouse and two regulators — each with
   its own credential (kept in ``var/demo-cast.json``, mode 0600, so a second run reuses it);
2. files a month of sales, each as the linked documents its parties really send (import:
   order, payment, waybill, inventory; export: order, waybill, inventory, then arrival and
   departure reports), every request signed by the party that files it;
3. waits for the embedded customs simulator's receipts to carry the inventories through
   review, release and clearance, files the month's 9610 export summary applications;
4. starts a reward run with the example policy as a regulator,

so the dashboard (printed at the end, with a regulator's credentials) shows real numbers
from real flows. Everything goes through the public API, as an ERP would.

    python -m deploy.demo [--enterprises 24] [--sales 240] [--seed 2026]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from deploy.demo import documents as docs
from deploy.demo.documents import BEIJING, Company, Line, Sale
from deploy.embedded import ROOT
from sdk.client import AsyncDdtClient, DdtApiError
from services.gateway.parties.uscc import generate_uscc
from services.stats.demo_data.generator import population
from services.stats.rewards.policy import EXAMPLE_POLICY_PATH

#: Public paths of the declaration service (through the gateway).
IMPORT = {
    "order": "/v1/customs/import/orders",
    "payment": "/v1/customs/import/payments",
    "waybill": "/v1/customs/import/waybills",
    "inventory": "/v1/customs/import/inventories",
}
EXPORT = {
    "order": "/v1/customs/export/orders",
    "waybill": "/v1/customs/export/waybills",
    "inventory": "/v1/customs/export/inventories",
    "arrival": "/v1/customs/export/arrivals",
    "departure": "/v1/customs/export/departures",
}
BATCH = 50  # records per filed message (a message may carry up to 100)
DEMO_POLICY = "lyg-cbec-rewards-2026-example-demo"
DEMO_SCALE = Decimal(100)
#: Policy conditions on money amounts (scaled with the tiers); counts of enterprises are not.
_SCALED_METRICS = frozenset({"transaction_value_increase", "rmb_settlement_amount", "online_volume"})


@dataclass
class Member:
    """A party of the demo cast and its credential."""

    party_id: str
    name: str
    code: str
    roles: list[str]
    key_id: str
    secret: str
    district: str | None = None
    park: str | None = None
    trade: dict[str, Any] | None = None

    @property
    def company(self) -> Company:
        return Company(self.code, self.name)


@dataclass
class Cast:
    """Everyone the demo needs."""

    enterprises: list[Member]
    platforms: list[Member]
    payers: list[Member]
    carriers: list[Member]
    warehouse: Member
    regulators: list[Member]

    def everyone(self) -> list[Member]:
        return [
            *self.enterprises,
            *self.platforms,
            *self.payers,
            *self.carriers,
            self.warehouse,
            *self.regulators,
        ]


def say(text: str) -> None:
    """Progress for the person watching."""
    print(text, flush=True)


# --- the cast -----------------------------------------------------------------------------


def _code(rng: random.Random, kind_digit: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "32079" + kind_digit + "".join(rng.choice(alphabet) for _ in range(4))


async def _onboard(
    admin: AsyncDdtClient,
    rng: random.Random,
    name: str,
    roles: list[str],
    kinds: list[str],
    kind_digit: str,
    district: str | None,
    park: str | None,
) -> Member:
    code = _code(rng, kind_digit)
    body: dict[str, Any] = {
        "name": name,
        "uscc": generate_uscc("320706", f"{name}-{code}"),
        "customs_code": code,
        "roles": roles,
        "codes": [{"code": code, "kinds": kinds}] if kinds else [],
    }
    if district:
        body["district"] = district
    if park:
        body["park"] = park
    party = (await admin.post("/v1/parties", json=body)).json()
    key = (await admin.post(f"/v1/parties/{party['id']}/credentials", json={"label": "demo"})).json()
    return Member(party["id"], name, code, roles, key["key_id"], key["secret"], district, park)


ENTERPRISE_KINDS = ["ebcCode", "agentCode", "assureCode", "ownerCode", "copCode"]


async def onboard_cast(admin: AsyncDdtClient, enterprises: int, seed: int) -> Cast:
    """Register the cast through the admin API (parties, codes, delegations, credentials)."""
    # Codes and USCCs are fresh each time (a registry outlives a lost cast file, and codes
    # and USCCs are unique there); the trade profiles follow the seed.
    rng = random.Random()  # noqa: S311 — demo data
    pop = population(enterprises, others=0, seed=seed)
    enterprise_members = []
    for party in pop.enterprises:
        profile = pop.profiles[party.party_id]
        member = await _onboard(
            admin,
            rng,
            party.name,
            ["ecommerce_enterprise"],
            ENTERPRISE_KINDS,
            "1",
            party.district,
            party.park,
        )
        member.trade = {
            "mode": profile.mode,
            "direction": profile.direction,
            "countries": list(profile.countries),
            "currency": profile.currency,
            "chapters": list(profile.chapters),
            "weight": profile.weight,
        }
        enterprise_members.append(member)
    platforms = [
        await _onboard(admin, rng, name, ["ecommerce_platform"], ["ebpCode", "copCode"], "2", "haizhou", None)
        for name in ("点点通跨境商城", "连云港港城优选平台")
    ]
    payers = [
        await _onboard(
            admin,
            rng,
            "云港支付有限公司",
            ["payment_institution"],
            ["payCode", "copCode"],
            "3",
            "haizhou",
            None,
        ),
        await _onboard(
            admin, rng, "中国银行连云港分行", ["bank"], ["payCode", "copCode"], "3", "lianyun", None
        ),
    ]
    carriers = [
        await _onboard(
            admin,
            rng,
            name,
            ["logistics_firm"],
            ["logisticsCode", "operatorCode", "copCode"],
            "4",
            "lianyun",
            None,
        )
        for name in ("连云港港通国际物流有限公司", "中韩轮渡物流有限公司")
    ]
    warehouse = await _onboard(
        admin,
        rng,
        "连云港综保区保税仓储有限公司",
        ["logistics_firm"],
        ["logisticsCode", "areaCode", "copCode"],
        "5",
        "lyg_comprehensive_bonded_zone",
        None,
    )
    regulators = [
        await _onboard(admin, rng, name, ["regulator"], [], "9", "haizhou", None)
        for name in ("连云港市商务局", "连云港市财政局")
    ]
    for platform in platforms:
        for merchant in enterprise_members:
            await admin.post(
                f"/v1/parties/{platform.party_id}/delegations", json={"merchant_party_id": merchant.party_id}
            )
    return Cast(enterprise_members, platforms, payers, carriers, warehouse, regulators)


def save_cast(cast: Cast, path: Path) -> None:
    """Write the cast and its secrets readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(
            {k: [asdict(m) for m in v] if isinstance(v, list) else asdict(v) for k, v in vars(cast).items()},
            out,
            ensure_ascii=False,
            indent=1,
        )


def load_cast(path: Path) -> Cast | None:
    """The cast of an earlier run, if any."""
    if not path.exists():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))

    def members(key: str) -> list[Member]:
        return [Member(**m) for m in raw[key]]

    return Cast(
        enterprises=members("enterprises"),
        platforms=members("platforms"),
        payers=members("payers"),
        carriers=members("carriers"),
        warehouse=Member(**raw["warehouse"]),
        regulators=members("regulators"),
    )


# --- the month's sales ----------------------------------------------------------------------


def plan_sales(cast: Cast, count: int, seed: int, days: int = 30) -> list[Sale]:
    """``count`` sales over the last ``days`` days, enterprises weighted by their size."""
    rng = random.Random(seed + 1)  # noqa: S311 — demo data
    now = dt.datetime.now(BEIJING)
    weights = [m.trade["weight"] for m in cast.enterprises if m.trade]
    run_tag = f"{now:%m%d%H%M}{rng.randrange(100):02d}"
    sales: list[Sale] = []
    for index in range(count):
        member = rng.choices(cast.enterprises, weights=weights)[0]
        trade = member.trade or {}
        direction, mode = trade["direction"], trade["mode"]
        if mode == "1239":
            mode = "1210"  # CEB621 knows 9610 and 1210 (customs-domain.md §1.1)
        at = now - dt.timedelta(days=rng.uniform(0.5, days), hours=rng.uniform(0, 6))
        chapters = [c for c in trade["chapters"] if c in docs.GOODS] or ["95"]
        lines = []
        for gnum, chapter in enumerate(
            rng.sample(chapters, k=min(len(chapters), rng.choice((1, 1, 2)))), start=1
        ):
            unit_price = docs.GOODS[chapter][4]
            qty = Decimal(rng.randint(1, 3 if direction == "import" else 40))
            price = (
                unit_price
                if trade["currency"] == "142"
                else (unit_price / Decimal("7.1")).quantize(Decimal("0.01"))
            )
            lines.append(Line(gnum, chapter, qty, price))
        # Retail import stays well inside the 5,000 CNY single-transaction limit; B2B export
        # through this channel stays within 5,000 CNY too (customs-domain.md §1.3).
        while (
            sum((ln.total for ln in lines), Decimal(0))
            * (Decimal(1) if trade["currency"] == "142" else Decimal("7.1"))
            > 4000
        ):
            lines = [Line(ln.gnum, ln.chapter, max(Decimal(1), ln.qty // 2), ln.price) for ln in lines]
            if all(ln.qty == 1 for ln in lines):
                break
        sales.append(
            Sale(
                tag=f"{run_tag}{index:05d}",
                mode=mode,
                direction=direction,
                at=at,
                enterprise=member.company,
                platform=rng.choice(cast.platforms).company,
                carrier=rng.choice(cast.carriers).company,
                payer=rng.choice(cast.payers).company if direction == "import" else None,
                lines=tuple(lines),
                currency="142" if direction == "import" else trade["currency"],
                country=rng.choice(trade["countries"]),
                buyer=docs.new_buyer(rng) if direction == "import" else None,
            )
        )
    return sorted(sales, key=lambda s: s.at)


# --- filing ---------------------------------------------------------------------------------


class Filer:
    """Signed clients of the cast, one per party, and the outcome counters."""

    def __init__(self, base_url: str, cast: Cast) -> None:
        self.clients = {
            m.code: AsyncDdtClient(base_url, m.key_id, m.secret, max_retries=6) for m in cast.everyone()
        }
        self.accepted = 0
        self.rejected: list[str] = []

    async def file(self, sender: Company, path: str, records: list[dict[str, Any]]) -> None:
        """File ``records`` as messages of up to :data:`BATCH`, signed as ``sender``."""
        client = self.clients[sender.code]
        for start in range(0, len(records), BATCH):
            chunk = records[start : start + BATCH]
            try:
                answer = (await client.post(path, json=docs.message(chunk, sender))).json()
            except DdtApiError as exc:
                self.rejected.append(f"{path}: {exc.status} {exc.code} {exc.detail}")
                continue
            for record in answer.get("records", []):
                if record.get("accepted"):
                    self.accepted += 1
                else:
                    self.rejected.append(f"{path}: {record.get('errors')}")

    async def close(self) -> None:
        await asyncio.gather(*(c.aclose() for c in self.clients.values()))


async def in_parallel(jobs: Iterable[Callable[[], Awaitable[None]]], width: int = 6) -> None:
    """Run ``jobs`` with at most ``width`` at a time."""
    gate = asyncio.Semaphore(width)

    async def one(job: Callable[[], Awaitable[None]]) -> None:
        async with gate:
            await job()

    await asyncio.gather(*(one(j) for j in jobs))


def grouped(sales: list[Sale], key: Callable[[Sale], Company]) -> dict[Company, list[Sale]]:
    """Sales by the party that files a given document of them."""
    groups: dict[Company, list[Sale]] = defaultdict(list)
    for sale in sales:
        groups[key(sale)].append(sale)
    return groups


async def file_sales(filer: Filer, cast: Cast, sales: list[Sale]) -> None:
    """Every document of every sale, each filed by its own party, partners before inventories."""
    imports = [s for s in sales if s.direction == "import"]
    exports = [s for s in sales if s.direction == "export"]
    warehouse = cast.warehouse.company

    def jobs(
        group: dict[Company, list[Sale]], path: str, build: Callable[[Sale], dict[str, Any]]
    ) -> list[Any]:
        return [
            lambda who=who, items=items: filer.file(who, path, [build(s) for s in items])
            for who, items in group.items()
        ]

    say(f"  filing orders, payments and waybills of {len(imports)} import and {len(exports)} export sales …")
    await in_parallel(
        jobs(grouped(imports, lambda s: s.platform), IMPORT["order"], docs.import_order)
        + jobs(grouped(imports, lambda s: s.payer), IMPORT["payment"], docs.import_payment)  # type: ignore[arg-type,return-value]
        + jobs(grouped(imports, lambda s: s.carrier), IMPORT["waybill"], docs.import_waybill)
        + jobs(grouped(exports, lambda s: s.platform), EXPORT["order"], docs.export_order)
        + jobs(grouped(exports, lambda s: s.carrier), EXPORT["waybill"], docs.export_waybill)
    )
    say("  filing the inventories (each enterprise declares its own) …")
    await in_parallel(
        jobs(
            grouped(imports, lambda s: s.enterprise),
            IMPORT["inventory"],
            lambda s: docs.import_inventory(s, warehouse),
        )
        + jobs(grouped(exports, lambda s: s.enterprise), EXPORT["inventory"], docs.export_inventory)
    )


async def report_exports_moving(filer: Filer, cast: Cast, exports: list[Sale]) -> None:
    """Arrival at the supervised site (CEB507), then departure (CEB509), per carrier."""
    operator = cast.carriers[0].company
    for items in grouped(exports, lambda s: s.carrier).values():
        for start in range(0, len(items), BATCH):
            chunk = items[start : start + BATCH]
            arrived = max(s.at for s in chunk) + dt.timedelta(hours=3)
            await filer.file(operator, EXPORT["arrival"], [docs.arrival(chunk, operator, arrived)])
    for carrier, items in grouped(exports, lambda s: s.carrier).items():
        for start in range(0, len(items), BATCH):
            chunk = items[start : start + BATCH]
            left = max(s.at for s in chunk) + dt.timedelta(hours=20)
            await filer.file(carrier, EXPORT["departure"], [docs.departure(chunk, left)])


async def inventory_statuses(filer: Filer, cast: Cast) -> dict[str, int]:
    """How many of the cast's inventories are in each status (as their filers see them)."""
    counts: dict[str, int] = defaultdict(int)
    for member in cast.enterprises:
        client = filer.clients[member.code]
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"kind": "inventory", "limit": 200}
            if cursor:
                params["cursor"] = cursor
            page = (await client.get("/v1/customs/documents", params=params)).json()
            for item in page["items"]:
                counts[item["status"]] += 1
            cursor = page.get("next_cursor")
            if not cursor:
                break
    return dict(counts)


async def tracking_statuses(filer: Filer, cast: Cast) -> dict[str, int]:
    """How many shipments are in each tracking status, as the first regulator sees them."""
    client = filer.clients[cast.regulators[0].code]
    counts: dict[str, int] = defaultdict(int)
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 200}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/logistics/shipments", params=params)).json()
        for item in page["items"]:
            counts[item["status"]] += 1
        cursor = page.get("next_cursor")
        if not cursor:
            break
    return dict(counts)


async def wait_for_customs(filer: Filer, cast: Cast, expected: int, timeout: float) -> bool:
    """Poll until every inventory reached a final status; False if ``timeout`` seconds passed first."""
    # Released (800) is not final: imports clear (899) after a while, exports once departed.
    final = {"closed", "rejected", "returned", "cancelled", "format_rejected", "refused"}
    deadline = time.monotonic() + timeout
    counts: dict[str, int] = {}
    while time.monotonic() < deadline:
        counts = await inventory_statuses(filer, cast)
        done = sum(n for status, n in counts.items() if status in final)
        say(f"  customs receipts: {done}/{expected} inventories final — {dict(sorted(counts.items()))}")
        if done >= expected:
            return True
        await asyncio.sleep(5)
    return False


async def request_summaries(filer: Filer, cast: Cast) -> tuple[int, list[str]]:
    """File this month's 9610 export summary applications (CEB701), each enterprise its own.

    A summary covers the inventories customs *released* in a month; the simulator releases
    them now, so the month is the current one (a real enterprise files it by the 15th of the
    next month). Each enterprise declares for itself (declAgentCode is its own code).
    """
    month = dt.datetime.now(BEIJING).strftime("%Y-%m")
    filed, problems = 0, []
    for member in cast.enterprises:
        if not member.trade or member.trade["mode"] != "9610" or member.trade["direction"] != "export":
            continue
        client = filer.clients[member.code]
        body = {
            "month": month,
            "summaryFlag": "1",
            "declAgentCode": member.code,
            "declAgentName": member.name,
        }
        try:
            answer = (await client.post("/v1/customs/export/summaries", json=body)).json()
        except DdtApiError as exc:
            # 422 with the summary answer: some message of the month was refused.
            answer = exc.body if isinstance(exc.body, dict) else {}
            refused = [item.get("errors") for item in answer.get("filed", []) if not item.get("accepted")]
            problems.append(f"{member.name}: {exc.status} {exc.code or ''} {exc.detail or refused}")
        filed += sum(1 for item in answer.get("filed", []) if item.get("accepted"))
    return filed, problems


def demo_policy(scale: Decimal = DEMO_SCALE) -> dict[str, Any]:
    """The example policy with its thresholds divided by ``scale``.

    A month of demo parcels is a few hundred thousand yuan for the whole cast, far below
    the example's lowest tiers (1 m CNY a year, +10 k orders); at 1/100 the same rules
    pay real amounts out of real flows. Amounts, caps and the budget are left as they are.
    The policy stays ``status: example`` (runs of it cannot be published).
    """
    policy = yaml.safe_load(EXAMPLE_POLICY_PATH.read_text(encoding="utf-8"))

    def scaled(node: Any) -> Any:
        if isinstance(node, dict):
            out = {key: scaled(value) for key, value in node.items()}
            if "min" in out:
                out["min"] = str(Decimal(str(out["min"])) / scale)
                out["label"] = f"≥ {out['min']} (demo scale)"
            if "metric" in out and out["metric"] in _SCALED_METRICS:
                out["value"] = str(Decimal(str(out["value"])) / scale)
            return out
        if isinstance(node, list):
            return [scaled(item) for item in node]
        return node

    policy = scaled(policy)
    policy["policy_id"] = DEMO_POLICY
    policy["title"] = f"{policy['title']} — make demo: thresholds ÷ {scale}"
    return policy


async def start_reward_run(base_url: str, regulator: Member) -> dict[str, Any] | None:
    """Upload the demo policy and start a draft reward run on this year's figures with it."""
    async with AsyncDdtClient(base_url, regulator.key_id, regulator.secret) as client:
        try:
            await client.post("/v1/stats/rewards/policies", json=demo_policy())
            return (await client.post("/v1/stats/rewards/runs", json={"policy": DEMO_POLICY})).json()
        except DdtApiError as exc:
            say(f"  reward run not started: {exc.status} {exc.code} {exc.detail} {exc.errors or ''}")
            return None


async def run(args: argparse.Namespace) -> int:
    """The whole demo; returns the exit code."""
    var = args.var.resolve()
    first_run = var / "gateway-first-run.json"
    if not first_run.exists():
        say(
            f"No {first_run}: start the platform with `make run` first "
            "(its first run writes the admin credential)."
        )
        return 1
    first = json.loads(first_run.read_text(encoding="utf-8"))
    base_url = args.base_url or first["base_url"]
    admin_key = first["platform_admin"]
    cast_file = var / "demo-cast.json"
    cast = load_cast(cast_file)
    async with AsyncDdtClient(base_url, admin_key["key_id"], admin_key["secret"]) as admin:
        try:
            await admin.get("/v1/parties/me")
        except Exception as exc:  # noqa: BLE001 — any failure here means the platform is not reachable
            say(f"The gateway at {base_url} does not answer ({exc!r}); is `make run` going?")
            return 1
        if cast is None:
            say(f"Onboarding {args.enterprises} enterprises and their partners through the admin API …")
            cast = await onboard_cast(admin, args.enterprises, args.seed)
            save_cast(cast, cast_file)
        else:
            say(f"Reusing the cast of an earlier run ({cast_file}).")
    sales = plan_sales(cast, args.sales, args.seed + int(time.time()) % 10_000)
    filer = Filer(base_url, cast)
    try:
        earlier = sum((await inventory_statuses(filer, cast)).values())  # a second run adds to the first
        say(f"Filing a month of trade: {len(sales)} sales …")
        started = time.monotonic()
        await file_sales(filer, cast, sales)
        exports = [s for s in sales if s.direction == "export"]
        if exports:
            say(f"  reporting arrivals and departures of {len(exports)} export parcels …")
            await report_exports_moving(filer, cast, exports)
        say(
            f"  {filer.accepted} documents accepted in {time.monotonic() - started:.0f} s"
            + (
                f"; {len(filer.rejected)} refused (first: {filer.rejected[0][:300]})"
                if filer.rejected
                else ""
            )
        )
        say("Waiting for customs (the embedded simulator) to review, release and clear …")
        finished = await wait_for_customs(filer, cast, earlier + len(sales), args.customs_timeout)
        if not finished:
            say(f"  customs did not finish within {args.customs_timeout:.0f} s (--customs-timeout)")
        # The waybills made shipments; the embedded carrier simulator plays their journeys in
        # each carrier's own format through the tracking adapters (make run: compressed time).
        tracked = await tracking_statuses(filer, cast)
        say(
            f"  {sum(tracked.values())} shipments tracked: "
            + (", ".join(f"{n} {status}" for status, n in sorted(tracked.items())) or "none yet")
        )
        filed, problems = await request_summaries(filer, cast)
        say(
            f"  {filed} monthly 9610 export summary messages (CEB701) filed"
            + (f"; not filed: {'; '.join(problems)[:300]}" if problems else "")
        )
    finally:
        await filer.close()
    say("Starting a draft reward run (for a regulator to review) on a demo variant of the example policy …")
    reward = await start_reward_run(base_url, cast.regulators[0])
    if reward:
        say(
            f"  run {reward.get('runId')} ({reward.get('status')}): {reward.get('total')} CNY "
            f"for {reward.get('subjects')} subjects"
        )
        say(f"  (policy {DEMO_POLICY}: the example's thresholds ÷ {DEMO_SCALE}, for a month of demo trade)")
    regulator = cast.regulators[0]
    say("")
    say("Done. Open the regulator dashboard and sign in as the commerce bureau:")
    say(f"  {base_url}/v1/stats/dashboard/")
    say(f"  key id: {regulator.key_id}")
    say(f"  secret: in {cast_file} (regulators[0].secret)")
    # Every document the demo files is valid: a refusal, or customs not finishing, is a fault.
    return 0 if finished and not filer.rejected and not problems and reward else 1


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run the demo."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--var", type=Path, default=ROOT / "var", help="the running platform's var/ folder")
    parser.add_argument("--base-url", help="the gateway (default: from var/gateway-first-run.json)")
    parser.add_argument("--enterprises", type=int, default=24)
    parser.add_argument("--sales", type=int, default=240)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--customs-timeout", type=float, default=300.0, help="seconds to wait for receipts")
    args = parser.parse_args(argv)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
