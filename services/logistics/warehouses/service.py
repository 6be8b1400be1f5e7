"""The warehouse registry's use cases, as functions over the unit of work's session.

Every change stages :class:`~shared.events.warehousing.WarehouseProfiled` in the same
transaction, so statistics (where the regulator assesses certification) never disagree
with the registry.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from services.logistics.identifiers import new_id
from services.logistics.warehouses.models import Warehouse
from services.logistics.warehouses.problems import (
    NOT_THE_OPERATOR,
    WAREHOUSE_CLOSED,
    WAREHOUSE_CODE_TAKEN,
    WAREHOUSE_PROFILE_INVALID,
)
from services.logistics.warehouses.repository import WarehouseRepository
from services.logistics.warehouses.rules import OPERATOR_ROLE, may_manage, profile_issues, years_operating
from services.logistics.warehouses.schemas import WarehouseIn, WarehouseOut, WarehousePatch
from shared.events.warehousing import WarehouseFacts, WarehouseProfiled
from shared.identity import Identity
from shared.messaging.outbox import EventPublisher
from shared.problems import NOT_FOUND, VALIDATION_FAILED, ProblemError
from shared.sqltypes import utcnow

BEIJING = dt.timezone(dt.timedelta(hours=8))


def _today(now: dt.datetime) -> dt.date:
    return now.astimezone(BEIJING).date()


def facts_of(warehouse: Warehouse) -> WarehouseFacts:
    """The warehouse as events carry it."""
    return WarehouseFacts(
        warehouse_id=warehouse.id,
        operator_party_id=warehouse.operator_party_id,
        code=warehouse.code,
        name=warehouse.name,
        country=warehouse.country,
        city=warehouse.city,
        area_m2=warehouse.area_m2,
        opened_on=warehouse.opened_on,
        usage=warehouse.usage,  # type: ignore[arg-type]  # the column holds the Literal's values
        has_api=warehouse.has_api,
        certification_level=warehouse.certification_level,  # type: ignore[arg-type]
        certification_year=warehouse.certification_year,
        status=warehouse.status,  # type: ignore[arg-type]
    )


def describe(warehouse: Warehouse, now: dt.datetime | None = None) -> WarehouseOut:
    """The API view of a warehouse."""
    today = _today(now or utcnow())
    return WarehouseOut.model_validate(
        {
            **{c: getattr(warehouse, c) for c in WarehouseOut.model_fields if hasattr(warehouse, c)},
            "years_operating": years_operating(warehouse.opened_on, today),
        }
    )


def _check_profile(warehouse: Warehouse, now: dt.datetime) -> None:
    issues = profile_issues(
        opened_on=warehouse.opened_on,
        certification_level=warehouse.certification_level,
        certification_year=warehouse.certification_year,
        today=_today(now),
    )
    if issues:
        raise ProblemError(
            WAREHOUSE_PROFILE_INVALID,
            "; ".join(i.detail for i in issues),
            errors=[{"pointer": f"/body/{i.field}", "detail": i.detail} for i in issues],
        )


async def _stage(session: AsyncSession, publisher: EventPublisher, warehouse: Warehouse) -> None:
    await publisher.stage(
        session,
        WarehouseProfiled(
            warehouse=facts_of(warehouse), revision=warehouse.revision, occurred_at=warehouse.updated_at
        ),
        subject=warehouse.id,
    )


async def register(
    session: AsyncSession, publisher: EventPublisher, identity: Identity, data: WarehouseIn
) -> Warehouse:
    """Register a warehouse for its operator (the caller, or the party an admin names)."""
    if identity.is_admin:
        if not data.operator_party_id:
            raise ProblemError(
                VALIDATION_FAILED,
                "An admin registering a warehouse names its operator.",
                errors=[{"pointer": "/body/operator_party_id", "detail": "required for admins"}],
            )
        operator = data.operator_party_id
    elif identity.has_role(OPERATOR_ROLE):
        if data.operator_party_id not in (None, identity.party_id):
            raise ProblemError(NOT_THE_OPERATOR, "An operator registers its own warehouses only.")
        operator = identity.party_id
    else:
        raise ProblemError(NOT_THE_OPERATOR, "Only overseas-warehouse operators register warehouses.")
    repo = WarehouseRepository(session)
    if await repo.by_code(operator, data.code) is not None:
        raise ProblemError(
            WAREHOUSE_CODE_TAKEN,
            f"Operator {operator} already has a warehouse with code {data.code!r}.",
            errors=[{"pointer": "/body/code", "detail": "taken"}],
        )
    now = utcnow()
    warehouse = Warehouse(
        id=new_id("wh"),
        operator_party_id=operator,
        **data.model_dump(exclude={"operator_party_id"}),
        status="active",
        revision=1,
        created_at=now,
        updated_at=now,
    )
    _check_profile(warehouse, now)
    repo.add(warehouse)
    await repo.flush()
    await _stage(session, publisher, warehouse)
    return warehouse


async def get(session: AsyncSession, warehouse_id: str) -> Warehouse:
    """The warehouse, or 404."""
    warehouse = await WarehouseRepository(session).get(warehouse_id)
    if warehouse is None:
        raise ProblemError(NOT_FOUND, f"No warehouse {warehouse_id}.")
    return warehouse


async def managed(session: AsyncSession, identity: Identity, warehouse_id: str) -> Warehouse:
    """The warehouse, if the caller operates it (or is an admin); 404 / 403 otherwise."""
    warehouse = await get(session, warehouse_id)
    if not may_manage(identity, warehouse.operator_party_id):
        raise ProblemError(
            NOT_THE_OPERATOR, f"{identity.party_id} does not operate warehouse {warehouse_id}."
        )
    return warehouse


async def open_for_business(session: AsyncSession, warehouse_id: str) -> Warehouse:
    """An active warehouse (goods can be sent to and shipped from it); 404 / 409 otherwise."""
    warehouse = await get(session, warehouse_id)
    if warehouse.status != "active":
        raise ProblemError(WAREHOUSE_CLOSED, f"Warehouse {warehouse_id} is closed.")
    return warehouse


async def update(
    session: AsyncSession,
    publisher: EventPublisher,
    identity: Identity,
    warehouse_id: str,
    patch: WarehousePatch,
) -> Warehouse:
    """Change the profile; a change stages a new revision, an empty change none."""
    warehouse = await managed(session, identity, warehouse_id)
    changes = patch.model_dump(exclude_unset=True)
    changed = {k: v for k, v in changes.items() if getattr(warehouse, k) != v}
    if not changed:
        return warehouse
    for key, value in changed.items():
        setattr(warehouse, key, value)
    now = utcnow()
    _check_profile(warehouse, now)
    warehouse.revision += 1
    warehouse.updated_at = now
    await session.flush()
    await _stage(session, publisher, warehouse)
    return warehouse


async def operated_ids(session: AsyncSession, identity: Identity) -> list[str]:
    """The warehouses the caller operates (none unless it holds the operator role)."""
    if not identity.has_role(OPERATOR_ROLE):
        return []
    return [w.id for w in await WarehouseRepository(session).of_operator(identity.party_id)]
