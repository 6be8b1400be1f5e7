"""SQL of shipments, legs and their numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, delete, or_, select, update

from services.logistics.base import table_of
from services.logistics.shipments.models import Leg, LegNumber, Shipment, ShipmentLink, ShipmentNumber
from shared.kit.pagination import Keyset, PageRequest
from shared.kit.repository import Repository

SHIPMENT_KEYSET = Keyset([table_of(Shipment).c.created_at, table_of(Shipment).c.id], ["datetime", "str"])


class ShipmentRepository(Repository):
    """Reads and writes of shipments and legs."""

    async def get(self, shipment_id: str) -> Shipment | None:
        """One shipment."""
        return await self.session.get(Shipment, shipment_id)

    async def many(self, ids: Iterable[str]) -> dict[str, Shipment]:
        """Shipments by id."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = await self.session.scalars(select(Shipment).where(Shipment.id.in_(wanted)))
        return {row.id: row for row in rows}

    async def lock(self, ids: Iterable[str]) -> dict[str, Shipment]:
        """Shipments by id, locked for this transaction in id order (no deadlock between batches).

        Two pushes for one shipment then derive one after the other, each from every event
        the other committed — the derived state never misses an event.
        """
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = await self.session.scalars(
            select(Shipment).where(Shipment.id.in_(wanted)).order_by(Shipment.id).with_for_update()
        )
        return {row.id: row for row in rows}

    async def by_source_document(self, document_id: str) -> Shipment | None:
        """The shipment made from a customs waybill."""
        return await self.session.scalar(select(Shipment).where(Shipment.source_document_id == document_id))

    async def by_waybill(self, logistics_code: str, logistics_no: str) -> Shipment | None:
        """The latest shipment of a customs waybill (numbers may be reused after six months)."""
        return await self.session.scalar(
            select(Shipment)
            .where(Shipment.logistics_code == logistics_code, Shipment.logistics_no == logistics_no)
            .order_by(Shipment.created_at.desc(), Shipment.id.desc())
            .limit(1)
        )

    def add(self, row: Shipment | Leg) -> None:
        """Stage a new shipment or leg."""
        self.session.add(row)

    async def flush(self) -> None:
        """Write staged rows now."""
        await self.session.flush()

    async def legs_of(self, shipment_ids: Iterable[str]) -> dict[str, list[Leg]]:
        """Legs by shipment, in sequence."""
        wanted = sorted(set(shipment_ids))
        found: dict[str, list[Leg]] = {sid: [] for sid in wanted}
        if not wanted:
            return found
        rows = await self.session.scalars(
            select(Leg).where(Leg.shipment_id.in_(wanted)).order_by(Leg.shipment_id, Leg.sequence)
        )
        for leg in rows:
            found[leg.shipment_id].append(leg)
        return found

    async def leg(self, leg_id: str) -> Leg | None:
        """One leg."""
        return await self.session.get(Leg, leg_id)

    async def add_leg_numbers(self, rows: Sequence[dict[str, Any]]) -> None:
        """Numbers legs are known by (a number a leg already has is ignored)."""
        await self.insert_ignore(table_of(LegNumber), rows, conflict=("leg_id", "number"))

    async def rename_number_kind(self, leg_id: str, number: str, kind: str) -> None:
        """A number the leg keeps under another kind (a replaced tracking number becomes an alias)."""
        await self.session.execute(
            update(LegNumber).where(LegNumber.leg_id == leg_id, LegNumber.number == number).values(kind=kind)
        )

    async def add_shipment_numbers(self, rows: Sequence[dict[str, Any]]) -> None:
        """The shipment's own numbers (duplicates ignored)."""
        await self.insert_ignore(table_of(ShipmentNumber), rows, conflict=("shipment_id", "kind", "number"))

    async def legs_by_numbers(self, numbers: Iterable[str]) -> dict[str, list[tuple[Leg, str]]]:
        """number → the legs known by it, with the kind of number, newest leg first."""
        wanted = sorted(set(numbers))
        found: dict[str, list[tuple[Leg, str]]] = {}
        if not wanted:
            return found
        rows = await self.session.execute(
            select(LegNumber.number, LegNumber.kind, Leg)
            .join(Leg, Leg.id == LegNumber.leg_id)
            .where(LegNumber.number.in_(wanted))
            .order_by(Leg.created_at.desc(), Leg.id.desc())
        )
        for number, kind, leg in rows.all():
            found.setdefault(number, []).append((leg, kind))
        return found

    async def numbers_of_legs(self, leg_ids: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
        """leg id → its (kind, number) pairs."""
        wanted = sorted(set(leg_ids))
        found: dict[str, list[tuple[str, str]]] = {lid: [] for lid in wanted}
        if not wanted:
            return found
        rows = await self.session.execute(
            select(LegNumber.leg_id, LegNumber.kind, LegNumber.number)
            .where(LegNumber.leg_id.in_(wanted))
            .order_by(LegNumber.id)
        )
        for leg_id, kind, number in rows.all():
            found[leg_id].append((kind, number))
        return found

    async def shipments_by_number(self, number: str, limit: int = 50) -> list[str]:
        """Ids of shipments any of whose numbers (or their legs') is ``number``."""
        own = select(ShipmentNumber.shipment_id).where(ShipmentNumber.number == number)
        legs = select(LegNumber.shipment_id).where(LegNumber.number == number)
        ids = set((await self.session.scalars(own.limit(limit))).all())
        ids |= set((await self.session.scalars(legs.limit(limit))).all())
        return sorted(ids)[:limit]

    async def page(  # type: ignore[override]
        self, stmt: Select[Any], request: PageRequest
    ) -> tuple[list[Shipment], str | None]:
        """One page of shipments, newest first."""
        return await super().page(stmt, SHIPMENT_KEYSET, request, key=lambda s: (s.created_at, s.id))

    @staticmethod
    def listing(
        *,
        party_id: str | None,
        codes: Sequence[str],
        everyone: bool,
        status: str | None = None,
        direction: str | None = None,
        created_from: dt.datetime | None = None,
        created_to: dt.datetime | None = None,
    ) -> Select[Any]:
        """Shipments a caller may see (its own by party or code; everything for a regulator)."""
        stmt = select(Shipment)
        if not everyone:
            carried = select(Leg.shipment_id).where(Leg.carrier_code.in_(list(codes) or [""]))
            stmt = stmt.where(
                or_(
                    Shipment.enterprise_party_id == party_id,
                    Shipment.carrier_party_id == party_id,
                    Shipment.created_by_party_id == party_id,
                    Shipment.ebc_code.in_(list(codes) or [""]),
                    Shipment.ebp_code.in_(list(codes) or [""]),
                    Shipment.logistics_code.in_(list(codes) or [""]),
                    Shipment.id.in_(carried),
                )
            )
        if status:
            stmt = stmt.where(Shipment.status == status)
        if direction:
            stmt = stmt.where(Shipment.direction == direction)
        if created_from:
            stmt = stmt.where(Shipment.created_at >= created_from)
        if created_to:
            stmt = stmt.where(Shipment.created_at < created_to)
        return stmt

    async def save_link(self, waybill_ref: str, facts: dict[str, Any], at: dt.datetime) -> None:
        """Keep an inventory's references until its waybill's shipment appears."""
        await self.upsert(
            table_of(ShipmentLink),
            {"waybill_ref": waybill_ref, "facts": facts, "updated_at": at},
            ("waybill_ref",),
        )

    async def take_link(self, waybill_ref: str) -> dict[str, Any] | None:
        """The waiting references of a waybill, removed."""
        row = await self.session.get(ShipmentLink, waybill_ref)
        if row is None:
            return None
        facts = dict(row.facts)
        await self.session.execute(delete(ShipmentLink).where(ShipmentLink.waybill_ref == waybill_ref))
        return facts

    async def stale_legs(self, mode: str, before: dt.datetime, limit: int) -> list[Leg]:
        """Open legs of ``mode`` silent since ``before`` and not yet alerted for that silence."""
        final = ("delivered", "returned", "cancelled")
        silent_since = Leg.last_event_at
        return list(
            (
                await self.session.scalars(
                    select(Leg)
                    .where(
                        Leg.mode == mode,
                        Leg.status.not_in(final),
                        or_(
                            (silent_since.is_not(None)) & (silent_since < before),
                            (silent_since.is_(None)) & (Leg.created_at < before),
                        ),
                        or_(
                            Leg.stale_alerted_at.is_(None),
                            (silent_since.is_not(None)) & (Leg.stale_alerted_at < silent_since),
                        ),
                    )
                    .order_by(Leg.id)
                    .limit(limit)
                )
            ).all()
        )

    async def mark_stale_alerted(self, leg_ids: Sequence[str], at: dt.datetime) -> None:
        """Remember that these legs were reported stale."""
        if leg_ids:
            await self.session.execute(
                update(Leg).where(Leg.id.in_(list(leg_ids))).values(stale_alerted_at=at)
            )
