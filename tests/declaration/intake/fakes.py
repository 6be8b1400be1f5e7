"""In-memory stand-ins for the repositories a filing goes through, and a fake unit of work.

Each fake subclasses the real repository and keeps its rows in dictionaries, answering
each method the way its SQL does (conditional updates included: a status change only
from the status it was decided on). The unit of work is ``shared.kit.repository.
fake_unit_of_work``: a session bound to no database, so a statement that bypassed the
repositories fails the test at once. What the fakes cannot show — locking between
concurrent filings, SQLite and PostgreSQL differences — the service tests against the
real databases do (tests/declaration/service/).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.declaration.customs.repository import CustomsStateRepository
from services.declaration.directory.repository import DirectoryRepository
from services.declaration.documents.repository import (
    AMENDABLE,
    DELETED,
    REMATCHABLE,
    DocumentRepository,
)
from services.declaration.matching.repository import MatchRepository
from services.declaration.prechecks.repository import KeyLocks
from services.declaration.quota.repository import HELD, RELEASED, HeldUsage, QuotaRepository
from services.declaration.quota.rules import BuyerYear
from services.declaration.tax.repository import TaxRepository
from shared.events.envelope import EventData
from shared.kit.repository import fake_unit_of_work
from shared.messaging.outbox import EventPublisher


def _row(values: Mapping[str, Any]) -> Any:
    """A snapshot of a stored row with attribute access, like a Core row."""
    return SimpleNamespace(**values)


class FakeDocuments(DocumentRepository):
    def __init__(self) -> None:
        super().__init__(AsyncSession())
        self.rows: dict[str, dict[str, Any]] = {}
        self.filings: dict[str, dict[str, Any]] = {}
        self.changes: list[dict[str, Any]] = []
        self._seq = itertools.count(1)
        self.refuse_changes_to: set[str] = set()
        """Documents the "customs exchange" took meanwhile: conditional writes miss them."""

    def _live(self, document_id: str) -> bool:
        return document_id not in self.refuse_changes_to

    async def add_filing(self, values: Mapping[str, Any]) -> None:
        self.filings[values["id"]] = dict(values)

    async def add_documents(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
        seqs = {}
        for row in rows:
            seq = next(self._seq)
            self.rows[row["id"]] = {**row, "seq": seq}
            seqs[row["id"]] = seq
        return seqs

    async def amend(self, document_id: str, values: Mapping[str, Any], now: dt.datetime) -> bool:
        row = self.rows.get(document_id)
        if row is None or row["status"] not in AMENDABLE or not self._live(document_id):
            return False
        row.update(values, revision=row["revision"] + 1, updated_at=now)
        return True

    async def mark_deleted(self, document_ids: Sequence[str], now: dt.datetime) -> int:
        done = 0
        for doc_id in document_ids:
            row = self.rows.get(doc_id)
            if row is not None and row["status"] in AMENDABLE and self._live(doc_id):
                row.update(status=DELETED, updated_at=now)
                done += 1
        return done

    async def retire_keys(self, document_ids: Iterable[str]) -> None:
        for doc_id in document_ids:
            self.rows[doc_id]["dedup_key"] = None

    async def by_ids(self, ids: Iterable[str]) -> dict[str, Any]:
        return {i: _row(self.rows[i]) for i in set(ids) if i in self.rows}

    async def holding_keys(self, keys: Iterable[str]) -> list[Any]:
        wanted = set(keys)
        return [_row(r) for r in self.rows.values() if r["dedup_key"] in wanted]

    def _partners(self, direction: str, orders: set[str], waybills: set[str]) -> list[dict[str, Any]]:
        return [
            r
            for r in self.rows.values()
            if r["direction"] == direction
            and r["status"] != DELETED
            and (
                (r["kind"] in ("order", "payment") and r["order_ref"] in orders)
                or (r["kind"] == "waybill" and r["waybill_ref"] in waybills)
            )
        ]

    async def keys_and_partners(
        self, keys: Iterable[str], direction: str, order_refs: Iterable[str], waybill_refs: Iterable[str]
    ) -> list[Any]:
        wanted = set(keys)
        found = {r["id"]: r for r in self.rows.values() if r["dedup_key"] in wanted}
        found.update({r["id"]: r for r in self._partners(direction, set(order_refs), set(waybill_refs))})
        return [_row(r) for r in sorted(found.values(), key=lambda r: r["seq"])]

    async def partner_candidates(
        self, direction: str, order_refs: Iterable[str], waybill_refs: Iterable[str]
    ) -> list[Any]:
        rows = self._partners(direction, set(order_refs), set(waybill_refs))
        return [_row(r) for r in sorted(rows, key=lambda r: r["seq"])]

    async def inventories_referencing(
        self, direction: str, order_refs: Iterable[str], waybill_refs: Iterable[str]
    ) -> list[Any]:
        orders, waybills = set(order_refs), set(waybill_refs)
        rows = [
            r
            for r in self.rows.values()
            if r["direction"] == direction
            and r["kind"] == "inventory"
            and r["status"] in REMATCHABLE
            and (r["order_ref"] in orders or r["waybill_ref"] in waybills)
        ]
        return [_row(r) for r in sorted(rows, key=lambda r: r["seq"])]

    async def move(
        self, document_ids: Sequence[str], previous: str | None, values: Mapping[str, Any]
    ) -> list[str]:
        moved = []
        for doc_id in document_ids:
            row = self.rows.get(doc_id)
            if row is not None and row["status"] == previous and self._live(doc_id):
                row.update(values)
                moved.append(doc_id)
        return moved

    async def teach_modes(
        self, document_ids: Iterable[str], mode: str, now: dt.datetime | None = None
    ) -> None:
        for doc_id in document_ids:
            row = self.rows[doc_id]
            if row["mode"] is None:
                row["mode"] = mode

    async def add_status_changes(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self.changes += [dict(row) for row in rows]

    def statuses(self) -> dict[str, str]:
        """Business number → status of every document."""
        return {r["business_no"]: r["status"] for r in self.rows.values()}


class FakeQuota(QuotaRepository):
    def __init__(self) -> None:
        super().__init__(AsyncSession())
        self.totals: dict[BuyerYear, int] = {}
        self.usages: dict[str, dict[str, Any]] = {}

    async def claim_within(
        self, amounts: Mapping[BuyerYear, int], limit_e5: int, now: dt.datetime
    ) -> set[BuyerYear]:
        granted = set()
        for key, units in amounts.items():
            if self.totals.get(key, 0) + units <= limit_e5:
                self.totals[key] = self.totals.get(key, 0) + units
                granted.add(key)
        return granted

    async def lock_totals(self, keys: Iterable[BuyerYear], now: dt.datetime) -> dict[BuyerYear, int]:
        return {key: self.totals.setdefault(key, 0) for key in set(keys)}

    async def write_totals(self, totals: Mapping[BuyerYear, int], now: dt.datetime) -> None:
        self.totals.update(totals)

    async def subtract(self, key: BuyerYear, units: int, now: dt.datetime) -> None:
        self.totals[key] -= units

    async def used_e5(self, key: BuyerYear) -> int:
        return self.totals.get(key, 0)

    async def add_usages(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            assert row["document_id"] not in self.usages, "a usage's primary key is the document"
            self.usages[row["document_id"]] = dict(row)

    async def drop_usages(self, document_ids: Iterable[str]) -> None:
        for doc_id in document_ids:
            self.usages.pop(doc_id, None)

    async def held(self, document_ids: Iterable[str], *, for_update: bool = False) -> list[HeldUsage]:
        return [
            (u["document_id"], u["buyer_hash"], u["year"], u["amount_e5"])
            for doc_id in sorted(set(document_ids))
            if (u := self.usages.get(doc_id)) is not None and u["status"] == HELD
        ]

    async def mark_released(self, document_ids: Sequence[str], reason: str, now: dt.datetime) -> None:
        for doc_id in document_ids:
            self.usages[doc_id].update(status=RELEASED, released_at=now, release_reason=reason)

    async def shrink_usage(self, document_id: str, remaining_e5: int) -> None:
        self.usages[document_id]["amount_e5"] = remaining_e5


class FakeTax(TaxRepository):
    def __init__(self) -> None:
        super().__init__(AsyncSession())
        self.assessments: dict[str, dict[str, Any]] = {}

    async def add_all(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            assert row["document_id"] not in self.assessments
            self.assessments[row["document_id"]] = dict(row)

    async def replace(self, document_id: str, row: Mapping[str, Any]) -> None:
        self.assessments[document_id] = dict(row)


class FakeMatches(MatchRepository):
    def __init__(self) -> None:
        super().__init__(AsyncSession())
        self.matches: dict[str, dict[str, Any]] = {}

    async def store(self, rows: Sequence[Mapping[str, Any]], *, replace: bool = True) -> None:
        for row in rows:
            assert replace or row["inventory_id"] not in self.matches, "a new inventory has no match yet"
            self.matches[row["inventory_id"]] = dict(row)


class FakeDirectory(DirectoryRepository):
    def __init__(self, parties: Mapping[str, str] | None = None) -> None:
        super().__init__(AsyncSession())
        self.parties = dict(parties or {})

    async def active_parties(self, codes: Iterable[str]) -> dict[str, str]:
        return {code: self.parties[code] for code in set(codes) if code in self.parties}


class FakeLocks(KeyLocks):
    def __init__(self) -> None:
        super().__init__(AsyncSession())
        self.locked: list[set[str]] = []

    async def lock(self, keys: Iterable[str]) -> None:
        self.locked.append(set(keys))


class FakeCustomsState(CustomsStateRepository):
    """No document has gone to customs yet."""

    def __init__(self) -> None:
        super().__init__(AsyncSession())

    async def known_inventories(self, invt_nos: Iterable[str]) -> list[Any]:
        return []


class FakePublisher(EventPublisher):
    """Keeps staged events instead of writing them to the outbox table."""

    def __init__(self) -> None:
        super().__init__("declaration")
        self.staged: list[tuple[EventData, str]] = []

    async def stage_many(
        self,
        session: AsyncSession,
        items: Sequence[tuple[EventData, str]],
        *,
        event_ids: Sequence[str | None] | None = None,
        time: dt.datetime | None = None,
    ) -> list[Any]:
        self.staged += list(items)
        return []

    def types(self) -> list[str]:
        """The event types staged so far, in order."""
        return [type(data).__name__ for data, _subject in self.staged]


@dataclass
class FakeStore:
    """Everything a filing can touch, kept between the filings of one test (like a database)."""

    documents: FakeDocuments = field(default_factory=FakeDocuments)
    quota: FakeQuota = field(default_factory=FakeQuota)
    tax: FakeTax = field(default_factory=FakeTax)
    matches: FakeMatches = field(default_factory=FakeMatches)
    directory: FakeDirectory = field(default_factory=FakeDirectory)
    locks: FakeLocks = field(default_factory=FakeLocks)
    customs: FakeCustomsState = field(default_factory=FakeCustomsState)
    publisher: FakePublisher = field(default_factory=FakePublisher)

    def unit_of_work(self) -> AsyncSession:
        """A fresh unit of work over the same stored state."""
        return fake_unit_of_work(
            self.documents, self.quota, self.tax, self.matches, self.directory, self.locks, self.customs
        )
