"""Assembling a reward run's input snapshot from the statistics.

For every enterprise with counted trade in the year or the year before:

* ``transaction_value`` / ``_prev`` — net CNY value of its counted inventories in the
  year and the previous year (Beijing calendar years, from ``stats_agg_party_year``);
  ``order_count`` / ``_prev`` likewise;
* ``certified_warehouses`` and ``warehouse_months_reported`` — the regulator's standing
  certifications of the party's overseas warehouses and their complete monthly reports in the
  year (``services.stats.warehouses``); an operator with them but no trade joins with zero trade;
* ``rmb_settlement_amount`` — the enterprise's yearly cross-border RMB settlement the
  payments service publishes (``stats_rmb_settlement_year``); ``intl_logistics_cost`` —
  the standing international freight incurred in the year, recorded per shipment with the
  logistics service (``services.stats.logistics``);
* name, USCC, district and park from the party registry mirror (district/park fall
  back to where it first traded); a park id listed as an incubation base goes to
  ``incubator_id``;
* flags the platform knows: ``counted_in_platform_statistics`` (trade in the year),
  ``registered_locally`` (a registry entry with a district), ``first_year_cbec``
  (first real transaction in the year), ``first_application`` (no trade the year
  before — an approximation the bureau can override). Flags the platform cannot know
  (``serious_dishonesty``, ``duplicate_application``, ``uses_local_logistics`` …) are
  absent (false) unless the request sets them per party.

Payment institutions (四(十四)): every licensed payment institution (not banks) with a
yearly online volume published by payments, its USCC and district from the registry, and
the flags ``headquarters_in_city`` and ``licensed`` payments knows of.

Parks and incubators: every place of the reference list (certified) and every park
id an enterprise names; ``new_active_enterprises`` counts the snapshot's enterprises
whose first real transaction fell in the year, ``new_active_transaction_value`` sums
their year's value. Parties without a registry entry or a valid USCC cannot be paid
and are listed as excluded.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.stats.aggregates.repository import AggregateRepository
from services.stats.institutions.repository import InstitutionRepository
from services.stats.logistics.service import reward_inputs as logistics_reward_inputs
from services.stats.parties.models import PartyMirror
from services.stats.parties.repository import PartyRepository
from services.stats.reference.places import Place
from services.stats.rewards import Snapshot, parse_snapshot
from services.stats.rewards.inputs import uscc_check_character
from services.stats.settlement.repository import SettlementRepository
from services.stats.warehouses.service import reward_inputs as warehouse_reward_inputs
from shared.sqltypes import utcnow

_ID_OK = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ZERO_CNY = Decimal("0.00")


@dataclass(frozen=True)
class BuiltSnapshot:
    """A snapshot and the parties left out of it."""

    snapshot: Snapshot
    excluded: list[dict[str, str]]


def _valid_uscc(code: str) -> bool:
    code = (code or "").strip().upper()
    return (
        len(code) == 18
        and all(c in _USCC_ALPHABET for c in code)
        and uscc_check_character(code[:17]) == code[17]
    )


def _valid_id(value: str) -> bool:
    return 0 < len(value) <= 64 and value[0].isalnum() and all(c in _ID_OK for c in value)


async def _add_warehouses(
    session: AsyncSession,
    year: int,
    enterprises: list[dict[str, Any]],
    excluded: list[dict[str, str]],
    registry: dict[str, PartyMirror],
    rmb: dict[str, int],
    freight: dict[str, Decimal],
) -> None:
    """Overseas-warehouse operators' certifications and reporting (services.stats.warehouses);
    an operator without counted trade joins the snapshot with zero trade."""
    rows = {row["party_id"]: row for row in enterprises}
    for party_id, inputs in sorted((await warehouse_reward_inputs(session, year)).items()):
        if not inputs.certified and not inputs.months_reported:
            continue
        row = rows.get(party_id)
        if row is None:
            party = registry.get(party_id)
            if party is None or not _valid_uscc(party.uscc) or not _valid_id(party_id):
                excluded.append(
                    {"party": party_id, "reason": "warehouse operator without a valid registry entry"}
                )
                continue
            row = {
                "party_id": party_id,
                "name": party.name,
                "uscc": party.uscc.upper(),
                "district": party.district or "unknown",
                "transaction_value": "0.00",
                "transaction_value_prev": "0.00",
                "order_count": 0,
                "order_count_prev": 0,
                "rmb_settlement_amount": _yuan(rmb.get(party_id, 0)),
                "intl_logistics_cost": str(freight.get(party_id, ZERO_CNY)),
                "flags": {"registered_locally": bool(party.district)},
            }
            enterprises.append(row)
            rows[party_id] = row
        row["certified_warehouses"] = inputs.certified
        row["warehouse_months_reported"] = inputs.months_reported


def _yuan(fen: int) -> str:
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


async def build(
    session: AsyncSession,
    year: int,
    places: dict[str, Place],
    *,
    flags: dict[str, dict[str, bool]] | None = None,
    park_flags: dict[str, dict[str, bool]] | None = None,
    taken_at: dt.datetime | None = None,
) -> BuiltSnapshot:
    """The snapshot of ``year`` from the current facts."""
    flags = flags or {}
    park_flags = park_flags or {}
    aggregates, parties = AggregateRepository.from_session(session), PartyRepository.from_session(session)
    this_year, last_year = (
        await aggregates.party_year_totals(year),
        await aggregates.party_year_totals(year - 1),
    )
    first_days = await parties.first_activities()
    registry = await parties.registry()
    rmb = await SettlementRepository.from_session(session).of_year(year)
    freight = await logistics_reward_inputs(session, year)
    enterprises: list[dict[str, Any]] = []
    excluded: list[dict[str, str]] = []
    for party_id in sorted(set(this_year) | set(last_year)):
        value, orders = this_year.get(party_id, (0, 0))
        value_prev, orders_prev = last_year.get(party_id, (0, 0))
        party = registry.get(party_id)
        if party is None:
            excluded.append({"party": party_id, "reason": "not in the party registry (no name or USCC)"})
            continue
        if not _valid_uscc(party.uscc) or not _valid_id(party_id):
            excluded.append(
                {"party": party_id, "reason": "registry entry has no valid USCC or a malformed id"}
            )
            continue
        first = first_days.get(party_id)
        district = party.district or (first.district if first else "") or "unknown"
        park = party.park or (first.park if first else "") or None
        row: dict[str, Any] = {
            "party_id": party_id,
            "name": party.name,
            "uscc": party.uscc.upper(),
            "district": district,
            "transaction_value": _yuan(value),
            "transaction_value_prev": _yuan(value_prev),
            "order_count": orders,
            "order_count_prev": orders_prev,
            "rmb_settlement_amount": _yuan(rmb.get(party_id, 0)),
            "intl_logistics_cost": str(freight.get(party_id, ZERO_CNY)),
            "flags": {
                "counted_in_platform_statistics": value > 0 or orders > 0,
                "registered_locally": bool(party.district),
                "first_year_cbec": first is not None and first.first_day.year == year,
                "first_application": value_prev == 0 and orders_prev == 0,
                **flags.get(party_id, {}),
            },
        }
        if park and _valid_id(park):
            place = places.get(park)
            row["incubator_id" if place is not None and place.kind == "incubator" else "park_id"] = park
        enterprises.append(row)
    await _add_warehouses(session, year, enterprises, excluded, registry, rmb, freight)
    newly: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in enterprises:
        first = first_days.get(row["party_id"])
        place_id = row.get("park_id") or row.get("incubator_id")
        if place_id and first is not None and first.first_day.year == year:
            newly[place_id].append(row)
    place_ids = set(places) | {r.get("park_id") or r.get("incubator_id") for r in enterprises} - {None}
    parks = []
    for place_id in sorted(p for p in place_ids if p):
        place = places.get(place_id)
        members = newly.get(place_id, [])
        parks.append(
            {
                "park_id": place_id,
                "kind": place.kind if place else "park",
                "name": place.name_zh if place else place_id,
                "district": place.district if place else "unknown",
                "new_active_enterprises": len(members),
                "new_active_transaction_value": str(
                    sum((Decimal(m["transaction_value"]) for m in members), Decimal("0.00"))
                ),
                "flags": {"certified": place is not None, **park_flags.get(place_id, {})},
            }
        )
    institutions = []
    for figure in await InstitutionRepository.from_session(session).of_year(year):
        if figure.kind != "payment_institution":
            continue
        party = registry.get(figure.party_id)
        if party is None or not _valid_uscc(party.uscc) or not _valid_id(figure.party_id):
            excluded.append(
                {"party": figure.party_id, "reason": "payment institution without a valid registry entry"}
            )
            continue
        institutions.append(
            {
                "party_id": figure.party_id,
                "name": party.name,
                "uscc": party.uscc.upper(),
                "district": party.district or "unknown",
                "online_volume": _yuan(figure.volume_fen),
                "online_transactions": figure.transactions,
                "flags": {
                    "headquarters_in_city": figure.headquarters_in_city,
                    "licensed": figure.licensed,
                    **flags.get(figure.party_id, {}),
                },
            }
        )
    now = taken_at or utcnow()
    data = {
        "snapshot_id": f"snap-{year}-{uuid.uuid4().hex[:12]}",
        "year": year,
        "taken_at": now.isoformat(),
        "source": f"stats-service facts as of {now.isoformat()}",
        "enterprises": enterprises,
        "parks": parks,
        "payment_institutions": institutions,
    }
    # Validated like any snapshot file; a SnapshotValidationError here is a bug in this builder.
    return BuiltSnapshot(parse_snapshot(data, source="stats facts"), excluded)
