"""Helpers of the logistics tests: identities, declaration and registry events fed through the
real consumer (inbox and all), calls as any identity, and the outbox read back."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from services.logistics.consumption import CONSUMER
from services.logistics.settings import LogisticsSettings
from shared.db import Database
from shared.events import CloudEvent, build_event
from shared.events.declaration import DocumentAccepted, DocumentFacts, DocumentStatusChanged
from shared.events.gateway import PartyRegistered
from shared.events.statuses import DocumentStatus
from shared.identity import Identity, PartyCode
from shared.messaging.consumer import EventConsumer
from shared.messaging.tables import outbox
from shared.settings import PlatformSettings
from tests.support.infra import free_port
from tests.support.services import send_as, service_settings

UTC = dt.UTC
BEIJING = dt.timezone(dt.timedelta(hours=8))


def party(party_id: str, role: str, *codes: str) -> Identity:
    """An identity of ``role`` holding ``codes``."""
    return Identity(
        party_id=party_id,
        party_name=party_id,
        roles=[role],
        codes=[PartyCode(code=code, kinds=[]) for code in codes],
        credential_id=f"k-{party_id}",
    )


CARRIER = party("carrier-a", "logistics_firm", "3207960004")
OTHER_CARRIER = party("carrier-b", "logistics_firm", "3207960014")
ENTERPRISE = party("ent-a", "ecommerce_enterprise", "3207960001")
OTHER_ENTERPRISE = party("ent-b", "ecommerce_enterprise", "3207960011")
REGULATOR = Identity(party_id="reg-1", party_name="市商务局", roles=["regulator"])
ADMIN = Identity(party_id="admin-1", party_name="admin", roles=["platform_admin"])


def logistics_settings(database_url: str, **overrides: Any) -> LogisticsSettings:
    """Settings whose broker address answers nothing: tests feed events themselves (and the
    carrier simulator is off unless a test drives it)."""
    overrides.setdefault("carrier_simulator_enabled", False)
    return service_settings(LogisticsSettings, database_url, f"127.0.0.1:{free_port()}", **overrides)


def registered(identity: Identity, number: int) -> CloudEvent:
    """The gateway's ``PartyRegistered`` for ``identity`` (its first code as customs code)."""
    data = PartyRegistered(
        party_id=identity.party_id,
        name=identity.party_name,
        uscc=f"91320700MA{number:07d}X",
        customs_code=identity.codes[0].code if identity.codes else None,
        roles=list(identity.roles),
        registered_at=dt.datetime.now(UTC),
    )
    return build_event(data, source="/ddt/gateway", subject=identity.party_id)


def facts(
    kind: str,
    message_type: str,
    tag: str,
    *,
    party_id: str,
    direction: str = "export",
    mode: str | None = "9610",
    **refs: Any,
) -> DocumentFacts:
    """Non-personal facts of a declaration document (what the declaration events carry)."""
    return DocumentFacts(
        document_id=refs.pop("document_id", f"doc-{message_type}-{tag}"),
        document_kind=kind,  # type: ignore[arg-type]
        message_type=message_type,
        party_id=party_id,
        mode=mode,  # type: ignore[arg-type]
        direction=direction,  # type: ignore[arg-type]
        business_no=refs.pop("business_no", f"B{tag}"),
        ebc_code=refs.pop("ebc_code", ENTERPRISE.codes[0].code),
        currency="142",
        value=Decimal("100.00"),
        value_cny=Decimal("100.00"),
        cny_rate=Decimal(1),
        **refs,
    )


def waybill_accepted(
    tag: str, *, direction: str = "export", mode: str | None = "9610", number: str | None = None, **refs: Any
) -> CloudEvent:
    """``DocumentAccepted`` of a customs waybill (CEB505 export, CEB511 import) filed by CARRIER."""
    message_type = "CEB505" if direction == "export" else "CEB511"
    document = facts(
        "waybill",
        message_type,
        tag,
        party_id=CARRIER.party_id,
        direction=direction,
        mode=mode,
        logistics_code=CARRIER.codes[0].code,
        logistics_no=number or f"LN{tag}",
        **refs,
    )
    return build_event(
        DocumentAccepted(document=document, accepted_at=dt.datetime.now(UTC), status=DocumentStatus.ACCEPTED),
        source="/ddt/declaration",
        subject=document.document_id,
    )


def inventory_event(
    tag: str,
    status: DocumentStatus | None = None,
    *,
    direction: str = "export",
    mode: str = "9610",
    occurred_at: dt.datetime | None = None,
    **refs: Any,
) -> CloudEvent:
    """An inventory's acceptance (``status`` None) or a status change, filed by ENTERPRISE."""
    message_type = "CEB603" if direction == "export" else "CEB621"
    defaults = {
        "order_no": f"ON{tag}",
        "traf_mode": "2",
        "customs_code": "2307",
        "voyage_no": "V2605",
        "logistics_code": CARRIER.codes[0].code,
        "logistics_no": f"LN{tag}",
    }
    document = facts(
        "inventory",
        message_type,
        tag,
        party_id=ENTERPRISE.party_id,
        direction=direction,
        mode=mode,
        **(defaults | refs),
    )
    when = occurred_at or dt.datetime.now(UTC)
    data: DocumentAccepted | DocumentStatusChanged
    if status is None:
        data = DocumentAccepted(document=document, accepted_at=when, status=DocumentStatus.WAITING)
    else:
        data = DocumentStatusChanged(document=document, previous_status=None, status=status, occurred_at=when)
    return build_event(data, source="/ddt/declaration", subject=document.document_id)


@dataclass
class LogisticsApi:
    """A running logistics app, its database, and calls as any identity."""

    app: FastAPI
    client: httpx.AsyncClient

    @property
    def db(self) -> Database:
        return self.app.state.runtime.db  # type: ignore[no-any-return]

    async def feed(self, events: Iterable[CloudEvent]) -> list[str]:
        """Apply events as the consumer does (inbox row + effect in one transaction)."""
        runtime = self.app.state.runtime
        spec = next(c for c in runtime.definition.consumers if c.name == CONSUMER)
        worker = EventConsumer(
            service="logistics",
            name=CONSUMER,
            db=self.db,
            platform=PlatformSettings(),
            topics=[],
            handlers=spec.handlers,
        )
        outcomes = []
        for event in events:
            resolved = spec.handlers.resolve(event)
            assert resolved is not None, event.type
            handler, data = resolved
            outcomes.append(await worker.apply(event, handler, data))
        return outcomes

    async def call(self, method: str, path: str, who: Identity, **kwargs: Any) -> httpx.Response:
        return await send_as(self.client, who, "logistics", method, path, **kwargs)

    async def get(self, path: str, who: Identity, **kwargs: Any) -> httpx.Response:
        return await self.call("GET", path, who, **kwargs)

    async def post(self, path: str, who: Identity, **kwargs: Any) -> httpx.Response:
        return await self.call("POST", path, who, **kwargs)

    async def push(
        self,
        source: str,
        body: bytes | str | dict[str, Any] | list[Any],
        who: Identity,
        content_type: str = "application/json",
    ) -> httpx.Response:
        """A native push of ``source`` (``generic`` is /v1/logistics/events)."""
        path = "/v1/logistics/events" if source == "generic" else f"/v1/logistics/push/{source}"
        if isinstance(body, dict | list):
            body = json.dumps(body, ensure_ascii=False)
        content = body.encode() if isinstance(body, str) else body
        return await self.post(path, who, content=content, headers={"content-type": content_type})

    async def shipment_of(
        self, tag: str, who: Identity = CARRIER, number: str | None = None
    ) -> dict[str, Any]:
        """The shipment of waybill ``LN<tag>`` (or ``number``), found by number."""
        found = await self.get(f"/v1/logistics/shipments/search?number={number or 'LN' + tag}", who)
        assert found.status_code == 200, found.text
        items = found.json()["items"]
        assert items, f"no shipment for {number or 'LN' + tag}"
        answer = await self.get(f"/v1/logistics/shipments/{items[0]['shipment_id']}", who)
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    async def timeline(self, shipment_id: str, who: Identity = CARRIER) -> list[dict[str, Any]]:
        answer = await self.get(f"/v1/logistics/shipments/{shipment_id}/timeline?limit=500", who)
        assert answer.status_code == 200, answer.text
        return answer.json()["items"]  # type: ignore[no-any-return]

    async def published(self, event_type: str, subject: str | None = None) -> list[CloudEvent]:
        """Events of ``event_type`` (base type, no version) staged in the outbox, in order."""
        async with self.db.transaction() as session:
            stmt = select(outbox.c.payload).order_by(outbox.c.seq)
            if subject is not None:
                stmt = stmt.where(outbox.c.key == subject)
            rows = (await session.execute(stmt)).all()
        events = [CloudEvent.from_json_bytes(row.payload.encode()) for row in rows]
        return [e for e in events if e.base_type == event_type]


def generic(tag: str, *events: dict[str, Any]) -> dict[str, Any]:
    """A generic batch for waybill ``LN<tag>`` (events give status and time at least)."""
    return {"events": [{"tracking_number": f"LN{tag}", **event} for event in events]}


def at(hours: float, base: dt.datetime | None = None) -> str:
    """An ISO time ``hours`` after a fixed past base (Beijing offset)."""
    start = base or dt.datetime(2026, 5, 1, 8, tzinfo=BEIJING)
    return (start + dt.timedelta(hours=hours)).isoformat()


def new_tag() -> str:
    """A unique number suffix."""
    return uuid.uuid4().hex[:10].upper()


def s10(serial: int, country: str = "CN") -> str:
    """A UPU S10 item id with its check digit."""
    digits = f"{serial % 10**8:08d}"
    total = sum(int(d) * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = {10: 0, 11: 5}.get(11 - total % 11, 11 - total % 11)
    return f"EA{digits}{check}{country}"


def awb(serial7: int, prefix: str = "784") -> str:
    """An IATA air waybill number with its check digit."""
    body = f"{serial7 % 10**7:07d}"
    return f"{prefix}-{body}{int(body) % 7}"
