"""Realistic activity of a port city's cross-border e-commerce, for demos and benchmarks.

Seeded and deterministic. A :class:`Population` holds the parties — enterprises of
every role, spread over the city's districts, parks and incubators (the ids of the
platform's reference data) — each enterprise with a trade profile: its customs
mode and direction, partner countries, HS chapters, currency, typical inventory
value and yearly volume. :func:`inventories` draws that many customs inventories
in a period, each with its fate (released, cancelled after release, partly
returned). Two consumers:

* the demo (``make demo``) turns parties into registry entries and inventories into
  the documents the gateway, declaration and customs simulator exchange — or, for the
  statistics alone, :func:`to_events` gives the events the stats consumer reads;
* the benchmark (``bench/stats_dashboard.py``) turns millions of inventories into fact
  rows with :func:`fact_values` and loads them with COPY.

Large enterprises are few and small ones many (a log-normal size), so rankings and
growth look like a real city's rather than a uniform spread.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.stats.rewards.inputs import uscc_check_character

#: District and functional-zone ids of the platform's reference data, with a weight
#: for how much of the city's cross-border trade is registered there (illustrative).
DISTRICTS: dict[str, float] = {
    "haizhou": 0.26,
    "lianyun": 0.10,
    "ganyu": 0.12,
    "donghai": 0.14,
    "guanyun": 0.05,
    "guannan": 0.04,
    "lyg_etdz": 0.13,
    "lyg_hitech_zone": 0.07,
    "xuwei_new_area": 0.02,
    "lyg_comprehensive_bonded_zone": 0.07,
}
#: Parks and incubators of the reference data, and the district each lies in.
PARKS: dict[str, str] = {
    "donghai_crystal_export_incubator": "donghai",
    "lyg_bonded_zone_cbec_park": "lyg_comprehensive_bonded_zone",
    "haizhou_cbec_park": "haizhou",
    "lyg_etdz_cbec_park": "lyg_etdz",
    "ganyu_cbec_incubator": "ganyu",
    "lyg_hitech_cbec_incubator": "lyg_hitech_zone",
}
ROLES = ("ecommerce_platform", "logistics_firm", "payment_institution", "bank", "overseas_warehouse_operator")

# Trade profiles: (mode, direction, weight, partner countries, currencies, chapters,
# median inventory value in CNY, orders per inventory).
_PROFILES = (
    (
        "9610",
        "export",
        0.42,
        ("502", "303", "304", "305", "133", "116", "344", "601"),
        ("502", "300", "142"),
        ("61", "62", "63", "64", "71", "95", "85", "94", "42", "39"),
        260,
        1,
    ),
    (
        "1210",
        "import",
        0.22,
        ("116", "133", "601", "502", "304", "305", "609"),
        ("142",),
        ("33", "04", "19", "21", "30", "96", "85"),
        320,
        1,
    ),
    (
        "9710",
        "export",
        0.14,
        ("502", "304", "303", "133", "132", "122", "136"),
        ("502", "300"),
        ("85", "84", "94", "73", "39", "61", "71"),
        36000,
        6,
    ),
    (
        "9810",
        "export",
        0.12,
        ("502", "304", "303", "116", "601", "501"),
        ("502", "300", "303"),
        ("94", "95", "85", "61", "64", "71"),
        52000,
        8,
    ),
    ("1239", "import", 0.05, ("116", "133", "601", "304"), ("142",), ("33", "04", "30"), 280, 1),
    ("9610", "import", 0.05, ("116", "133", "502", "110"), ("142", "116", "110"), ("33", "61", "95"), 220, 1),
)
_RATES = {
    "142": Decimal(1),
    "502": Decimal("7.1"),
    "300": Decimal("7.8"),
    "303": Decimal("9.0"),
    "116": Decimal("0.048"),
    "110": Decimal("0.91"),
}
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_NAME_PARTS = ("海", "港", "连", "云", "晶", "丰", "润", "达", "通", "华", "远", "盛", "新", "源", "嘉", "瑞")
_TRADES = ("跨境电商", "国际贸易", "供应链", "电子商务", "进出口")


@dataclass(frozen=True)
class Party:
    """A registered party of the demo city."""

    party_id: str
    name: str
    uscc: str
    roles: tuple[str, ...]
    district: str
    park: str | None
    registered_at: dt.datetime


@dataclass(frozen=True)
class TradeProfile:
    """What an enterprise trades, how much and with whom."""

    mode: str
    direction: str
    countries: tuple[str, ...]
    currency: str
    chapters: tuple[str, ...]
    median_value: float
    orders_per_inventory: int
    weight: float  # share of the city's inventories


@dataclass
class Population:
    """The parties and the enterprises' profiles."""

    parties: list[Party]
    profiles: dict[str, TradeProfile] = field(default_factory=dict)

    @property
    def enterprises(self) -> list[Party]:
        return [p for p in self.parties if p.party_id in self.profiles]


@dataclass(frozen=True)
class Inventory:
    """One customs inventory and its fate."""

    document_id: str
    party_id: str
    mode: str
    direction: str
    country: str
    currency: str
    value: Decimal  # in ``currency``
    chapters: tuple[tuple[str, Decimal], ...]
    district: str
    park: str | None
    orders: int
    released_at: dt.datetime
    fate: str  # "released" | "cancelled" | "returned"
    returned: Decimal = Decimal(0)


def _uscc(rng: random.Random) -> str:
    body = "91320700" + "".join(rng.choice(_ALPHABET) for _ in range(9))
    return body + uscc_check_character(body)


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def population(
    enterprises: int, *, others: int | None = None, seed: int = 2026, year: int = 2026
) -> Population:
    """``enterprises`` trading enterprises plus platforms, carriers, banks, warehouses and regulators."""
    rng = random.Random(seed)  # noqa: S311 - demo data
    parties: list[Party] = []
    profiles: dict[str, TradeProfile] = {}
    start = dt.datetime(year - 3, 1, 1, tzinfo=dt.UTC)
    span = (dt.datetime(year, 12, 1, tzinfo=dt.UTC) - start).total_seconds()
    for index in range(enterprises):
        district = _pick(rng, DISTRICTS)
        parks_here = [p for p, d in PARKS.items() if d == district]
        park = rng.choice(parks_here) if parks_here and rng.random() < 0.55 else None
        mode, direction, weight, countries, currencies, chapters, median, orders = rng.choices(
            _PROFILES, weights=[p[2] for p in _PROFILES]
        )[0]
        if park == "donghai_crystal_export_incubator":
            chapters = ("71", "70", "96")  # crystal and its jewellery
        elif district == "ganyu" and direction == "export":
            chapters = ("03", "16", "21")  # seafood and food
        size = math.exp(rng.gauss(0, 1.4))  # a long tail of sizes
        party_id = f"ent-{index:06d}"
        name = (
            "连云港"
            + "".join(rng.choice(_NAME_PARTS) for _ in range(2))
            + rng.choice(_TRADES)
            + f"有限公司{index:06d}"
        )
        registered = start + dt.timedelta(seconds=rng.random() * span)
        parties.append(
            Party(party_id, name, _uscc(rng), ("ecommerce_enterprise",), district, park, registered)
        )
        profiles[party_id] = TradeProfile(
            mode,
            direction,
            tuple(rng.sample(countries, k=min(3, len(countries)))),
            rng.choice(currencies),
            tuple(rng.sample(chapters, k=min(2, len(chapters)))),
            median * (0.5 + rng.random()),
            orders,
            size,
        )
    for index in range(others if others is not None else max(12, enterprises // 50)):
        role = ROLES[index % len(ROLES)]
        district = _pick(rng, DISTRICTS)
        parties.append(
            Party(
                f"{role.split('_')[0]}-{index:04d}",
                f"连云港{rng.choice(_NAME_PARTS)}{role}服务有限公司{index}",
                _uscc(rng),
                (role,),
                district,
                None,
                start + dt.timedelta(seconds=rng.random() * span),
            )
        )
    for index in range(2):
        parties.append(
            Party(
                f"regulator-{index}",
                ("连云港市商务局", "连云港市财政局")[index],
                _uscc(rng),
                ("regulator",),
                "haizhou",
                None,
                start,
            )
        )
    return Population(parties, profiles)


def inventories(
    pop: Population,
    first: dt.date,
    last: dt.date,
    count: int,
    *,
    seed: int = 1,
    cancel_rate: float = 0.02,
    return_rate: float = 0.04,
) -> Iterator[Inventory]:
    """``count`` inventories between ``first`` and ``last`` (Beijing days), enterprises weighted by size."""
    rng = random.Random(seed)  # noqa: S311 - demo data
    enterprises = pop.enterprises
    weights = [pop.profiles[p.party_id].weight for p in enterprises]
    cumulative: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    days = (last - first).days + 1
    base = dt.datetime.combine(first, dt.time(0, 0), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    for index in range(count):
        party = enterprises[min(bisect_left(cumulative, rng.random() * total), len(cumulative) - 1)]
        profile = pop.profiles[party.party_id]
        # More trade toward the year's end (11.11, Christmas exports): a gentle seasonal tilt.
        day = min(days - 1, int(days * (rng.random() ** 0.9)))
        released_at = base + dt.timedelta(days=day, seconds=rng.randrange(8 * 3600, 22 * 3600))
        value_cny = Decimal(str(round(profile.median_value * math.exp(rng.gauss(0, 0.6)), 2)))
        rate = _RATES.get(profile.currency, Decimal(1))
        value = (value_cny / rate).quantize(Decimal("0.01"))
        chapter = profile.chapters[0] if rng.random() < 0.7 else profile.chapters[-1]
        fate_draw = rng.random()
        fate = (
            "cancelled"
            if fate_draw < cancel_rate
            else "returned"
            if fate_draw < cancel_rate + return_rate
            else "released"
        )
        yield Inventory(
            document_id=f"inv-{seed}-{index:09d}",
            party_id=party.party_id,
            mode=profile.mode,
            direction=profile.direction,
            country=rng.choice(profile.countries),
            currency=profile.currency,
            value=value,
            chapters=((chapter, value),),
            district=party.district,
            park=party.park,
            orders=max(1, int(profile.orders_per_inventory * (0.5 + rng.random()))),
            released_at=released_at,
            fate=fate,
            returned=(value / 3).quantize(Decimal("0.01")) if fate == "returned" else Decimal(0),
        )


def rate_of(currency: str) -> Decimal:
    """The demo's CNY rate for a currency (the platform's default table has the same values)."""
    return _RATES.get(currency, Decimal(1))


def to_events(inventory: Inventory) -> list[Any]:
    """The declaration events the stats consumer would receive for one inventory."""
    from shared.events import build_event
    from shared.events.declaration import (
        ChapterValue,
        DocumentAccepted,
        DocumentFacts,
        DocumentStatusChanged,
        InventoryReturned,
    )
    from shared.events.statuses import DocumentStatus

    rate = rate_of(inventory.currency)
    facts = DocumentFacts(
        document_id=inventory.document_id,
        document_kind="inventory",
        message_type="CEB603" if inventory.direction == "export" else "CEB621",
        party_id=inventory.party_id,
        mode=inventory.mode,  # type: ignore[arg-type]  # one of the five modes (_PROFILES)
        direction=inventory.direction,  # type: ignore[arg-type]
        business_no=f"INVT{inventory.document_id[-9:]}",
        currency=inventory.currency,
        value=inventory.value,
        value_cny=(inventory.value * rate).quantize(Decimal("0.01")),
        cny_rate=rate,
        country=inventory.country,
        chapters=[
            ChapterValue(chapter=c, value=v, value_cny=(v * rate).quantize(Decimal("0.01")))
            for c, v in inventory.chapters
        ],
        district=inventory.district,
        park=inventory.park,
        order_count=inventory.orders,
    )
    source, subject = "/ddt/declaration", inventory.document_id
    events = [
        build_event(
            DocumentAccepted(
                document=facts,
                accepted_at=inventory.released_at - dt.timedelta(hours=2),
                status=DocumentStatus.MATCHED,
            ),
            source=source,
            subject=subject,
        ),
        build_event(
            DocumentStatusChanged(
                document=facts,
                previous_status=DocumentStatus.EXAMINATION_CONCLUDED,
                status=DocumentStatus.RELEASED,
                occurred_at=inventory.released_at,
            ),
            source=source,
            subject=subject,
        ),
    ]
    if inventory.fate == "cancelled":
        events.append(
            build_event(
                DocumentStatusChanged(
                    document=facts,
                    previous_status=DocumentStatus.RELEASED,
                    status=DocumentStatus.CANCELLED,
                    occurred_at=inventory.released_at + dt.timedelta(days=1),
                ),
                source=source,
                subject=subject,
            )
        )
    elif inventory.fate == "returned":
        chapter = inventory.chapters[0][0]
        events.append(
            build_event(
                InventoryReturned(
                    document=facts,
                    return_id=f"ret-{inventory.document_id}",
                    returned_chapters=[
                        ChapterValue(
                            chapter=chapter,
                            value=inventory.returned,
                            value_cny=(inventory.returned * rate).quantize(Decimal("0.01")),
                        )
                    ],
                    returned_value=inventory.returned,
                    returned_value_cny=(inventory.returned * rate).quantize(Decimal("0.01")),
                    occurred_at=inventory.released_at + dt.timedelta(days=12),
                ),
                source=source,
                subject=subject,
            )
        )
    return events


def party_events(pop: Population) -> list[Any]:
    """The gateway's registry events for the population."""
    from shared.events import build_event
    from shared.events.gateway import PartyRegistered

    return [
        build_event(
            PartyRegistered(
                party_id=p.party_id,
                name=p.name,
                uscc=p.uscc,
                roles=list(p.roles),
                district=p.district,
                park=p.park,
                registered_at=p.registered_at,
            ),
            source="/ddt/gateway",
            subject=p.party_id,
        )
        for p in pop.parties
    ]


_RATE_FRACTIONS = {c: r.as_integer_ratio() for c, r in _RATES.items()}


def fact_rows(
    pop: Population,
    first: dt.date,
    last: dt.date,
    count: int,
    *,
    seed: int = 1,
    cancel_rate: float = 0.02,
    return_rate: float = 0.04,
) -> Iterator[tuple[object, ...]]:
    """Counted-fact rows for bulk loads, millions at a time (integer arithmetic, no objects per row).

    The same population, profiles and distributions as :func:`inventories`; cancelled
    inventories yield nothing (they do not count), returned ones a third less value.
    Columns: document id, party, Beijing day, mode, direction, country, district, park,
    currency, orders, net value fen, returned fen, net value in currency (1/100),
    CNY rate, HS chapter — the same figures :mod:`services.stats.facts.rules` derives.
    """
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    enterprises = pop.enterprises
    cumulative: list[float] = []
    total = 0.0
    for party in enterprises:
        total += pop.profiles[party.party_id].weight
        cumulative.append(total)
    profile_rows = []
    for party in enterprises:
        profile = pop.profiles[party.party_id]
        numerator, denominator = _RATE_FRACTIONS.get(profile.currency, (1, 1))
        profile_rows.append(
            (
                party.party_id,
                profile.mode,
                profile.direction,
                profile.countries,
                party.district,
                party.park or "",
                profile.currency,
                profile.chapters,
                profile.median_value,
                profile.orders_per_inventory,
                numerator,
                denominator,
                _RATES.get(profile.currency, Decimal(1)),
            )
        )
    days = [first + dt.timedelta(days=d) for d in range((last - first).days + 1)]
    n_days = len(days)
    uniform, gauss, exp, choice = rng.random, rng.gauss, math.exp, rng.choice
    prefix = f"inv-{seed}-"
    for index in range(count):
        lo = min(bisect_left(cumulative, uniform() * total), len(cumulative) - 1)
        (
            party_id,
            mode,
            direction,
            countries,
            district,
            park,
            currency,
            chapters,
            median,
            orders,
            numerator,
            denominator,
            rate,
        ) = profile_rows[lo]
        fate = uniform()
        if fate < cancel_rate:
            continue
        day = days[min(n_days - 1, int(n_days * (uniform() ** 0.9)))]
        cny_cents = int(median * exp(gauss(0, 0.6)) * 100)
        cents = max(1, cny_cents * denominator // numerator)  # the value in its currency, 1/100
        returned_cents = cents // 3 if fate < cancel_rate + return_rate else 0
        gross_fen = (cents * numerator * 2 + denominator) // (2 * denominator)  # half-up
        returned_fen = (returned_cents * numerator * 2 + denominator) // (2 * denominator)
        yield (
            prefix + str(index),
            party_id,
            day,
            mode,
            direction,
            choice(countries),
            district,
            park,
            currency,
            max(1, int(orders * (0.5 + uniform()))),
            gross_fen - returned_fen,
            returned_fen,
            cents - returned_cents,
            rate,
            chapters[0] if uniform() < 0.7 else chapters[-1],
        )
