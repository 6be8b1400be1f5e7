"""Mapping tables: one CSV per source in ``data/``, one row per native code.

Columns: ``key,status,sub_status,reason,description``. ``key`` is what the parser looks
up (a plain code, or ``kind:code`` where a source has several code families, or
``code@facility`` for a code whose meaning depends on where it happened); the row ``*`` is
the fallback for codes not in the table — the event is kept with its raw code, mapped to
that status, and counted as unmapped. ``sub_status`` ``customs_clearance`` means "customs
clearance, direction decided by the shipment".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

from services.logistics.adapters.model import Mapped
from shared.events.logistics import Reason, SubStatus, TrackingStatus

FALLBACK = "*"
CUSTOMS_CLEARANCE = "customs_clearance"
_COLUMNS = ["key", "status", "sub_status", "reason", "description"]


@dataclass(frozen=True)
class Row:
    """One row of a mapping table."""

    key: str
    mapped: Mapped
    description: str


class MappingTable:
    """A source's codes → the vocabulary, with its fallback."""

    def __init__(self, name: str, rows: Iterable[Row]) -> None:
        self.name = name
        by_key = {row.key: row for row in rows}
        if FALLBACK not in by_key:
            raise ValueError(f"mapping table {name} has no fallback row '*'")
        self.fallback = by_key.pop(FALLBACK).mapped
        self.rows: Mapping[str, Row] = MappingProxyType(by_key)

    def lookup(self, *keys: str | None) -> Mapped:
        """The first key found (most specific first), else the fallback marked unmapped."""
        for key in keys:
            if key is not None and key in self.rows:
                return self.rows[key].mapped
        return Mapped(
            self.fallback.status,
            self.fallback.sub_status,
            self.fallback.reason,
            mapped=False,
            customs_clearance=self.fallback.customs_clearance,
        )

    def find(self, key: str) -> Mapped | None:
        """The row for exactly ``key``, or None."""
        row = self.rows.get(key)
        return row.mapped if row else None

    @property
    def keys(self) -> frozenset[str]:
        """Every code the table maps (the fallback not included)."""
        return frozenset(self.rows)


def parse_table(name: str, text: str) -> MappingTable:
    """Parse a mapping table's CSV text (``#`` lines are comments); errors name the line."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    if reader.fieldnames != _COLUMNS:
        raise ValueError(f"mapping table {name}: columns must be {','.join(_COLUMNS)}")
    rows: list[Row] = []
    seen: set[str] = set()
    for number, raw in enumerate(reader, start=2):
        key = (raw["key"] or "").strip()
        if not key or key in seen:
            raise ValueError(f"mapping table {name} line {number}: empty or repeated key {key!r}")
        seen.add(key)
        try:
            status = TrackingStatus(raw["status"].strip())
            sub_text = (raw["sub_status"] or "").strip()
            clearance = sub_text == CUSTOMS_CLEARANCE
            sub = None if clearance or not sub_text else SubStatus(sub_text)
            reason_text = (raw["reason"] or "").strip()
            reason = Reason(reason_text) if reason_text else None
        except ValueError as exc:
            raise ValueError(f"mapping table {name} line {number}: {exc}") from exc
        if sub is not None and sub.parent is not status:
            raise ValueError(f"mapping table {name} line {number}: {sub} is not under {status}")
        if clearance and status is not TrackingStatus.IN_TRANSIT:
            raise ValueError(f"mapping table {name} line {number}: customs clearance is in_transit")
        rows.append(
            Row(key, Mapped(status, sub, reason, True, clearance), (raw["description"] or "").strip())
        )
    return MappingTable(name, rows)


@cache
def table(name: str) -> MappingTable:
    """The packaged mapping table ``data/<name>.csv`` (read once)."""
    text = resources.files("services.logistics.adapters").joinpath("data", f"{name}.csv").read_text("utf-8")
    return parse_table(name, text)


def resolve_clearance(mapped: Mapped, direction: str | None) -> Mapped:
    """Turn a direction-less customs clearance into the export or import sub-status."""
    if not mapped.customs_clearance:
        return mapped
    sub = SubStatus.CUSTOMS_EXPORT_CLEARANCE if direction == "export" else SubStatus.CUSTOMS_IMPORT_CLEARANCE
    return Mapped(mapped.status, sub, mapped.reason, mapped.mapped, customs_clearance=False)


@cache
def reference(name: str) -> list[dict[str, str]]:
    """A packaged reference CSV (carriers, airports) as rows of text."""
    text = resources.files("services.logistics.adapters").joinpath("data", f"{name}.csv").read_text("utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [
        {k: (v or "").strip() for k, v in row.items()}
        for row in csv.DictReader(io.StringIO("\n".join(lines)))
    ]
