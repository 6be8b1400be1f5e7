"""Helpers of the payments tests: identities, registry events, a running app fed through the real consumer."""

from __future__ import annotations

import contextvars
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from services.payments.consumption import handlers
from services.payments.settings import PaymentsSettings
from shared.db import Database
from shared.events import CloudEvent, build_event
from shared.events.gateway import PartyRegistered, PartyStatusChanged
from shared.identity import Identity
from shared.messaging.consumer import EventConsumer
from shared.settings import PlatformSettings
from tests.support.infra import free_port
from tests.support.services import send_as, service_settings

UTC = dt.UTC
BEIJING = dt.timezone(dt.timedelta(hours=8))

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc(number: int) -> str:
    """A valid USCC (GB 32100 check character) for test party ``number``."""
    body = f"91320700MA{number:07d}"
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_ALPHABET[(31 - total % 31) % 31]


_SUFFIX: contextvars.ContextVar[str] = contextvars.ContextVar("payments_test_suffix", default="t")


def new_namespace() -> None:
    """Give the running test its own party ids (tests of a module share one database)."""
    _SUFFIX.set(uuid.uuid4().hex[:8])


def pid(name: str) -> str:
    """The running test's party id for ``name``."""
    return f"{name}-{_SUFFIX.get()}"


def bank(party_id: str = "bank-1") -> Identity:
    """A bank's identity."""
    party_id = pid(party_id)
    return Identity(
        party_id=party_id, party_name=f"Bank {party_id}", roles=["bank"], credential_id=f"k-{party_id}"
    )


def pay_institution(party_id: str = "pi-1") -> Identity:
    """A payment institution's identity."""
    party_id = pid(party_id)
    return Identity(
        party_id=party_id,
        party_name=f"PI {party_id}",
        roles=["payment_institution"],
        credential_id=f"k-{party_id}",
    )


def enterprise(party_id: str = "ent-1") -> Identity:
    """An e-commerce enterprise's identity."""
    party_id = pid(party_id)
    return Identity(
        party_id=party_id,
        party_name=f"Enterprise {party_id}",
        roles=["ecommerce_enterprise"],
        credential_id=f"k-{party_id}",
    )


def regulator(party_id: str = "reg-1") -> Identity:
    """A regulator's identity."""
    return Identity(party_id=party_id, party_name="市商务局", roles=["regulator"])


_NUMBERS: dict[str, int] = {}
_counter = [0]


def registered(identity: Identity, *, status: str = "active") -> CloudEvent:
    """The gateway's ``PartyRegistered`` for ``identity``."""
    if identity.party_id not in _NUMBERS:
        _counter[0] += 1
        _NUMBERS[identity.party_id] = int(uuid.uuid4().int % 9_000_000) + 1_000_000
    number = _NUMBERS[identity.party_id]
    data = PartyRegistered(
        party_id=identity.party_id,
        name=identity.party_name,
        uscc=uscc(number),
        customs_code=f"3207{number:06d}"[:10],
        roles=list(identity.roles),
        status=status,  # type: ignore[arg-type]
        registered_at=dt.datetime.now(UTC),
    )
    return build_event(
        data, source="/ddt/gateway", subject=identity.party_id, event_id=f"reg-{uuid.uuid4().hex}"
    )


def status_changed(party_id: str, status: str) -> CloudEvent:
    """The gateway's ``PartyStatusChanged``."""
    data = PartyStatusChanged(party_id=party_id, status=status, occurred_at=dt.datetime.now(UTC))  # type: ignore[arg-type]
    return build_event(data, source="/ddt/gateway", subject=party_id)


def uscc_of(identity: Identity) -> str:
    """The USCC :func:`registered` gave ``identity``."""
    return uscc(_NUMBERS[identity.party_id])


def payments_settings(database_url: str, **overrides: Any) -> PaymentsSettings:
    """Settings whose broker address answers nothing: tests feed events themselves."""
    return service_settings(PaymentsSettings, database_url, f"127.0.0.1:{free_port()}", **overrides)


def consumer(db: Database) -> EventConsumer:
    """The payments consumer (real inbox); :func:`feed` drives it without the broker."""
    return EventConsumer(
        service="payments", name="payments", db=db, platform=PlatformSettings(), topics=[], handlers=handlers
    )


async def feed(db: Database, events: Iterable[CloudEvent]) -> list[str]:
    """Apply events as the consumer does (inbox row + effect in one transaction); outcomes."""
    worker = consumer(db)
    outcomes = []
    for event in events:
        resolved = handlers.resolve(event)
        assert resolved is not None, event.type
        handler, data = resolved
        outcomes.append(await worker.apply(event, handler, data))
    return outcomes


@dataclass
class PaymentsApi:
    """A running payments app, its database, and calls as any identity."""

    app: FastAPI
    client: httpx.AsyncClient

    @property
    def db(self) -> Database:
        return self.app.state.runtime.db  # type: ignore[no-any-return]

    async def feed(self, events: Iterable[CloudEvent]) -> list[str]:
        return await feed(self.db, events)

    async def register(self, *identities: Identity) -> None:
        """Make the parties known, as the gateway's registry events would."""
        await self.feed([registered(i) for i in identities])

    async def call(self, method: str, path: str, who: Identity, **kwargs: Any) -> httpx.Response:
        return await send_as(self.client, who, "payments", method, path, **kwargs)

    async def get(self, path: str, who: Identity, **kwargs: Any) -> httpx.Response:
        return await self.call("GET", path, who, **kwargs)

    async def post(self, path: str, who: Identity, **kwargs: Any) -> httpx.Response:
        return await self.call("POST", path, who, **kwargs)

    async def put(self, path: str, who: Identity, **kwargs: Any) -> httpx.Response:
        return await self.call("PUT", path, who, **kwargs)

    async def delete(self, path: str, who: Identity, **kwargs: Any) -> httpx.Response:
        return await self.call("DELETE", path, who, **kwargs)


PI_PROFILE = {
    "pay_code": "3207963001",
    "pboc_licence_no": "Z2004944000010",
    "licence_scopes": ["internet_payment"],
    "licence_valid_until": "2031-06-30",
    "safe_directory": True,
    "headquarters_in_city": True,
}
BANK_PROFILE = {
    "pay_code": "3207963002",
    "swift_bic": "BKCHCNBJ95H",
    "cross_border_rmb": True,
    "cross_border_rmb_since": "2012-01-01",
    "safe_directory": True,
}


async def onboard(
    api: PaymentsApi,
    institution: Identity,
    enterprises: Iterable[Identity],
    *,
    grant: bool = True,
    accounts: dict[str, str] | None = None,
) -> None:
    """Register the parties, the institution's profile, its clients (with accounts) and the grants."""
    enterprises = list(enterprises)
    await api.register(institution, *enterprises)
    profile = BANK_PROFILE if "bank" in institution.roles else PI_PROFILE
    answer = await api.put("/v1/payments/institution", institution, json=profile)
    assert answer.status_code == 200, answer.text
    for ent in enterprises:
        number = (accounts or {}).get(ent.party_id)
        body = {
            "enterprise_party_id": ent.party_id,
            "since": "2025-01-01",
            "accounts": [{"number": number, "currency": "USD"}] if number else [],
        }
        answer = await api.post("/v1/payments/institution/clients", institution, json=body)
        assert answer.status_code == 201, answer.text
        if grant:
            answer = await api.post(
                "/v1/payments/grants", ent, json={"institution_party_id": institution.party_id}
            )
            assert answer.status_code == 201, answer.text


async def outbox_events(
    db: Database, event_type: str | None = None, party: str | None = None
) -> list[CloudEvent]:
    """Events the service staged (what its relay publishes), in order; of one type, naming one party."""
    from sqlalchemy import select

    from shared.messaging.tables import outbox

    async with db.transaction() as session:
        rows = (await session.execute(select(outbox.c.payload).order_by(outbox.c.seq))).all()
    events = [CloudEvent.from_json_bytes(row.payload.encode()) for row in rows]
    return [
        e
        for e in events
        if (event_type is None or e.type.startswith(event_type)) and (party is None or party in str(e.data))
    ]


async def outbox_text(db: Database) -> str:
    """The raw bytes of every staged event, as text (to prove what never appears in them)."""
    from sqlalchemy import select

    from shared.messaging.tables import outbox

    async with db.transaction() as session:
        rows = (await session.execute(select(outbox.c.payload))).all()
    return "\n".join(row.payload for row in rows)


def receipt(
    reference: str,
    enterprise_party_id: str,
    amount: str,
    *,
    currency: str = "USD",
    value_date: str = "2026-11-10",
    orders: list[dict[str, Any]] | None = None,
    deductions: list[dict[str, Any]] | None = None,
    direction: str = "receipt",
    **extra: Any,
) -> dict[str, Any]:
    """A transaction report body."""
    return {
        "reference": reference,
        "enterprise_party_id": enterprise_party_id,
        "direction": direction,
        "amount": amount,
        "currency": currency,
        "value_date": value_date,
        "counterparty": {
            "name": "Amazon Payments Europe S.C.A.",
            "account": "LU280019400644750000",
            "country": "LU",
        },
        "payout_reference": f"PAYOUT-{reference}",
        "platform": "Amazon",
        "orders": orders or [],
        "deductions": deductions or [],
        **extra,
    }


def customs_code_of(identity: Identity) -> str:
    """The customs code :func:`registered` gave ``identity``."""
    return f"3207{_NUMBERS[identity.party_id]:06d}"[:10]


def export_goods(
    enterprise_identity: Identity,
    order_no: str,
    value: str,
    *,
    currency: str = "502",
    status: str = "released",
    at: dt.datetime | None = None,
    lines: list[tuple[str, str, str]] | None = None,
    direction: str = "export",
    logistics_no: str | None = None,
    buyer: tuple[str | None, str | None] | None = None,
    country: str = "502",
) -> list[CloudEvent]:
    """The declaration events of one declared inventory (accepted, goods, released) and its order.

    ``lines`` are (name, quantity, amount); the default is one line of the whole value.
    ``buyer`` is the overseas business buyer (code, name) the *order* names (B2B).
    """
    from decimal import Decimal

    from shared.events.declaration import (
        DocumentAccepted,
        DocumentFacts,
        DocumentGoods,
        DocumentStatusChanged,
        GoodsLine,
    )

    when = at or dt.datetime(2026, 11, 5, 10, tzinfo=UTC)
    code = customs_code_of(enterprise_identity)
    waybill = logistics_no or f"WB{order_no}"
    inventory = DocumentFacts(
        document_id=f"inv-{order_no}-{_SUFFIX.get()}",
        document_kind="inventory",
        message_type="CEB603" if direction == "export" else "CEB621",
        party_id=enterprise_identity.party_id,
        mode="9610",
        direction=direction,  # type: ignore[arg-type]
        business_no=f"COP{order_no}",
        ebc_code=code,
        currency=currency,
        value=Decimal(value),
        value_cny=Decimal(value) * 7,
        cny_rate=Decimal(7),
        country=country,
        order_no=order_no,
        logistics_no=waybill,
        logistics_code="3207940001",
        invt_no=f"INVT{order_no}",
    )
    order = inventory.model_copy(
        update={
            "document_id": f"ord-{order_no}-{_SUFFIX.get()}",
            "document_kind": "order",
            "message_type": "CEB303" if direction == "export" else "CEB311",
            "party_id": f"platform-{_SUFFIX.get()}",
            "business_no": order_no,
            "invt_no": None,
            "buyer_code": buyer[0] if buyer else None,
            "buyer_name": buyer[1] if buyer else None,
        }
    )
    goods = [
        GoodsLine(
            gnum=i,
            name=name,
            gcode="6109100021",
            quantity=Decimal(qty),
            unit="011",
            unit_price=(Decimal(amount) / Decimal(qty)).quantize(Decimal("0.01")),
            total_price=Decimal(amount),
            currency=currency,
            country="142",
        )
        for i, (name, qty, amount) in enumerate(lines or [("T-shirt", "10", value)], start=1)
    ]

    def event(data: Any, subject: str) -> CloudEvent:
        return build_event(
            data, source="/ddt/declaration", subject=subject, event_id=f"dec-{uuid.uuid4().hex}"
        )

    events = [
        event(
            DocumentAccepted(document=order, accepted_at=when - dt.timedelta(days=2), status="accepted"),
            order.document_id,
        ),
        event(
            DocumentGoods(document=order, lines=goods, revision=1, filed_at=when - dt.timedelta(days=2)),
            order.document_id,
        ),
        event(
            DocumentAccepted(document=inventory, accepted_at=when - dt.timedelta(days=1), status="matched"),
            inventory.document_id,
        ),
        event(
            DocumentGoods(document=inventory, lines=goods, revision=1, filed_at=when - dt.timedelta(days=1)),
            inventory.document_id,
        ),
    ]
    if status != "matched":
        events.append(
            event(
                DocumentStatusChanged(
                    document=inventory,
                    previous_status="examination_concluded",
                    status=status,  # type: ignore[arg-type]
                    customs_status={"released": "800", "closed": "899", "cancelled": None}.get(status),
                    occurred_at=when,
                ),
                inventory.document_id,
            )
        )
    return events


def status_event(
    events: list[CloudEvent], status: str, at: dt.datetime, customs_status: str | None = None
) -> CloudEvent:
    """A later status change of the inventory among ``events``."""
    from shared.events.declaration import DocumentAccepted, DocumentStatusChanged

    accepted = next(
        e
        for e in events
        if e.type.startswith("ddt.declaration.document.accepted") and "inv-" in str(e.subject)
    )
    facts = DocumentAccepted.model_validate(accepted.data).document
    data = DocumentStatusChanged(
        document=facts,
        previous_status="released",
        status=status,
        customs_status=customs_status,
        occurred_at=at,  # type: ignore[arg-type]
    )
    return build_event(
        data, source="/ddt/declaration", subject=facts.document_id, event_id=f"dec-{uuid.uuid4().hex}"
    )
