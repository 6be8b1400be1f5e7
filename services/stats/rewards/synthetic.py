"""Seeded synthetic snapshots for tests, demos and the 20,000-enterprise benchmark.

The figures are invented but shaped like the real population: many small
sellers, a few large ones, some with no previous year, a handful with
warehouses or trademarks. The same seed always gives the same snapshot.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from .inputs import Snapshot, uscc_check_character

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Lianyungang's districts and counties (连云港市 320700).
DISTRICTS = ("海州区", "连云区", "赣榆区", "东海县", "灌云县", "灌南县", "开发区", "徐圩新区")


def synthetic_uscc(rng: random.Random) -> str:
    """A well-formed 统一社会信用代码 for a Lianyungang company (check character computed)."""
    body = "91320700" + "".join(rng.choice(_ALPHABET) for _ in range(9))
    return body + uscc_check_character(body)


def _money(rng: random.Random, low: int, high: int) -> str:
    # Log-uniform in whole yuan plus random fen: a long tail like real sellers.
    yuan = int(10 ** rng.uniform(len(str(low)) - 1, len(str(high)) - 1))
    return str(Decimal(max(low, min(high, yuan))) + Decimal(rng.randrange(100)) / 100)


def synthetic_snapshot_data(
    enterprises: int, *, parks: int = 6, incubators: int = 4, year: int = 2026, seed: int = 1
) -> dict[str, Any]:
    """Plain snapshot data (as a file would hold) with the given number of subjects."""
    rng = random.Random(seed)  # noqa: S311 - test data, not security
    park_ids = [f"PARK-{i:02d}" for i in range(parks)]
    incubator_ids = [f"INC-{i:02d}" for i in range(incubators)]
    rows: list[dict[str, Any]] = []
    for i in range(enterprises):
        new = rng.random() < 0.25
        value = _money(rng, 10_000, 500_000_000)
        prev = "0" if new else _money(rng, 10_000, 400_000_000)
        orders = rng.randrange(0, 2_000_000)
        orders_prev = 0 if new else rng.randrange(0, 1_500_000)
        row: dict[str, Any] = {
            "party_id": f"E{i:06d}",
            "name": f"连云港示例跨境电商企业{i:06d}有限公司",
            "uscc": synthetic_uscc(rng),
            "district": rng.choice(DISTRICTS),
            "transaction_value": value,
            "transaction_value_prev": prev,
            "order_count": orders,
            "order_count_prev": orders_prev,
            "rmb_settlement_amount": _money(rng, 0, 50_000_000) if rng.random() < 0.3 else "0",
            "intl_logistics_cost": _money(rng, 1_000, 20_000_000) if rng.random() < 0.6 else "0",
            "flags": {
                "registered_locally": rng.random() < 0.97,
                "serious_dishonesty": rng.random() < 0.01,
                "duplicate_application": rng.random() < 0.01,
                "counted_in_platform_statistics": rng.random() < 0.9,
                "first_application": new or rng.random() < 0.2,
                "first_year_cbec": new,
                "uses_local_logistics": rng.random() < 0.7,
            },
        }
        if rng.random() < 0.3 and park_ids:
            row["park_id"] = rng.choice(park_ids)
        elif rng.random() < 0.2 and incubator_ids:
            row["incubator_id"] = rng.choice(incubator_ids)
        if rng.random() < 0.01:
            level = rng.choice(["municipal", "provincial"])
            row["certified_warehouses"] = [
                {
                    "warehouse_id": f"OW-{i:06d}",
                    "name": f"海外仓{i}",
                    "country": rng.choice(["DE", "US", "KR", "JP"]),
                    "level": level,
                    "certified_on": f"{year}-{rng.randrange(1, 13):02d}-15",
                }
            ]
        if rng.random() < 0.03:
            row["trademark_fees"] = [
                {
                    "application_no": f"TM-{i}-{k}",
                    "jurisdiction": rng.choice(["US", "EU", "WIPO"]),
                    "fee": _money(rng, 1_000, 60_000),
                    "paid_on": f"{year}-{rng.randrange(1, 13):02d}-01",
                }
                for k in range(rng.randrange(1, 4))
            ]
        if rng.random() < 0.5:
            row["applied_at"] = (
                dt.datetime(year + 1, 1, 5, tzinfo=dt.UTC)
                + dt.timedelta(seconds=rng.randrange(0, 60 * 86400))
            ).isoformat()
        rows.append(row)
    places: list[dict[str, Any]] = []
    for kind, ids in (("park", park_ids), ("incubator", incubator_ids)):
        for pid in ids:
            places.append(
                {
                    "park_id": pid,
                    "kind": kind,
                    "name": f"示例{'产业园' if kind == 'park' else '孵化基地'}{pid}",
                    "district": rng.choice(DISTRICTS),
                    "new_active_enterprises": rng.randrange(0, 120),
                    "new_active_transaction_value": _money(rng, 0, 300_000_000),
                    "flags": {"certified": rng.random() < 0.8},
                }
            )
    return {
        "snapshot_id": f"synthetic-{year}-{enterprises}-{seed}",
        "year": year,
        "taken_at": dt.datetime(year + 1, 3, 1, tzinfo=dt.UTC).isoformat(),
        "source": f"synthetic (seed {seed})",
        "enterprises": rows,
        "parks": places,
    }


def synthetic_snapshot(
    enterprises: int, *, parks: int = 6, incubators: int = 4, year: int = 2026, seed: int = 1
) -> Snapshot:
    """A validated synthetic :class:`Snapshot`."""
    return Snapshot.model_validate(
        synthetic_snapshot_data(enterprises, parks=parks, incubators=incubators, year=year, seed=seed)
    )
