"""Pre-aggregated figures: the tables the regulator queries and the dashboard read.

Each table is one :class:`AggregateSpec`: a time grain (day, month or year), a set of
dimensions and the measures. Keys never hold NULL (unknown is ``""``); a row whose
``documents`` falls to zero is deleted, so a table holds exactly the GROUP BY of the
counted facts — which is what a rebuild computes and what the tests compare.

Why several tables: the dashboard asks for a year at a time. The base table (party ×
day × every dimension) is nearly as large as the facts, so coarser tables answer the
common questions from a few hundred thousand rows at most:

============================ ===== ==========================================================
table                        grain dimensions
============================ ===== ==========================================================
stats_agg_party_day          day   party, mode, direction, country, district, park, currency
stats_agg_day                day   mode, direction, country, district, park, currency
stats_agg_month              month mode, direction, country, district, park, currency
stats_agg_party_year         year  party, mode, direction, district, park
stats_agg_party_month        month party, mode, direction, district, park
stats_agg_chapter_month      month chapter, mode, direction, country, district, park
stats_agg_party_chapter_month month party, chapter, mode, direction, country, district, park
============================ ===== ==========================================================

:mod:`services.stats.queries.planner` picks the smallest table that has every
dimension and the grain a query needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, Date, Index, PrimaryKeyConstraint, String, Table

from services.stats.base import metadata

DIMENSION_TYPES = {
    "party_id": String(64),
    "chapter": String(2),
    "mode": String(4),
    "direction": String(6),
    "country": String(3),
    "district": String(64),
    "park": String(64),
    "currency": String(3),
}
FACT_MEASURES = ("documents", "orders", "value_fen", "returned_fen", "value_orig_cents")
CHAPTER_MEASURES = ("documents", "lines", "value_fen")

ALL_FACT_DIMS = ("party_id", "mode", "direction", "country", "district", "park", "currency")


@dataclass(frozen=True)
class AggregateSpec:
    """One aggregate table: grain, dimensions, measures and its SQLAlchemy table."""

    name: str
    grain: str  # "day" | "month" | "year"
    dims: tuple[str, ...]
    chapters: bool = False

    @property
    def time_column(self) -> str:
        return self.grain

    @property
    def measures(self) -> tuple[str, ...]:
        return CHAPTER_MEASURES if self.chapters else FACT_MEASURES

    @property
    def key(self) -> tuple[str, ...]:
        """Primary key columns, in index order (party first where present)."""
        if "party_id" in self.dims:
            return ("party_id", self.time_column, *[d for d in self.dims if d != "party_id"])
        return (self.time_column, *self.dims)

    @property
    def table(self) -> Table:
        return TABLES[self.name]


SPECS: tuple[AggregateSpec, ...] = (
    AggregateSpec(
        "stats_agg_month", "month", ("mode", "direction", "country", "district", "park", "currency")
    ),
    AggregateSpec("stats_agg_party_year", "year", ("party_id", "mode", "direction", "district", "park")),
    AggregateSpec("stats_agg_party_month", "month", ("party_id", "mode", "direction", "district", "park")),
    AggregateSpec("stats_agg_day", "day", ("mode", "direction", "country", "district", "park", "currency")),
    AggregateSpec("stats_agg_party_day", "day", ALL_FACT_DIMS),
    AggregateSpec(
        "stats_agg_chapter_month",
        "month",
        ("chapter", "mode", "direction", "country", "district", "park"),
        chapters=True,
    ),
    AggregateSpec(
        "stats_agg_party_chapter_month",
        "month",
        ("party_id", "chapter", "mode", "direction", "country", "district", "park"),
        chapters=True,
    ),
)
"""Smallest first: the planner takes the first spec that can answer."""

TABLES: dict[str, Table] = {}


def _build(spec: AggregateSpec) -> Table:
    columns: list[Column[Any]] = [Column(spec.time_column, Date, nullable=False)]
    columns += [Column(dim, DIMENSION_TYPES[dim], nullable=False) for dim in spec.dims]
    columns += [Column(measure, BigInteger, nullable=False) for measure in spec.measures]
    table = Table(spec.name, metadata, *columns)
    table.append_constraint(PrimaryKeyConstraint(*spec.key, name=f"pk_{spec.name}"))
    if "party_id" in spec.dims:
        # Regulators rank enterprises over a period: scan by time, not by party.
        Index(f"ix_{spec.name}_{spec.time_column}", table.c[spec.time_column])
    return table


for _spec in SPECS:
    TABLES[_spec.name] = _build(_spec)

SPEC_BY_NAME = {spec.name: spec for spec in SPECS}
