"""The background task that runs the exchange with customs.

One loop per service (on PostgreSQL, a session advisory lock elects one replica, like
the outbox relay), each pass in this order:

1. **stage** — documents ready for customs become signed, enveloped messages in the
   customs outbox, and move to ``sent`` (:mod:`.outbound`);
2. **dispatch** — pending outbox rows are handed to the transport, exactly as stored,
   then marked sent (:mod:`.dispatch`);
3. **receive** — receipts the transport has are applied in one transaction
   (:mod:`.receipts`), *then* acknowledged to the transport (a crash in between
   re-delivers them, and the re-delivery is recognised by its hash); a failed apply
   releases them for the next pass;
4. **retry** receipts that named documents not known yet, when something new was learnt;
5. **remind** about monthly summaries, every ``customs_reminder_check_seconds``;
6. **snapshot** the embedded simulator's state now and then (:mod:`.embedded`).

When a pass did nothing the loop waits ``customs_poll_seconds`` — or less, when a
filing commits (the intake's commit wakes it) or the simulator's next receipt falls due.
Any error rebuilds the transport (the simulator's state is rebuilt from the database,
so an engine that ran ahead of a failed commit is discarded) and retries with backoff.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from services.declaration.ceb.customs_time import CUSTOMS_TZ
from services.declaration.context import context_of
from services.declaration.customs import outbound
from services.declaration.customs.crashpoints import CrashPoints
from services.declaration.customs.dispatch import Dispatcher
from services.declaration.customs.receipts import ReceiptApplier
from services.declaration.customs.signers import build_signer
from services.declaration.customs.summaries import check_reminders
from services.declaration.customs.transports import ExchangeTransport, open_transport
from services.declaration.settings import DeclarationSettings
from shared.leadership import Leadership, run_while_leading
from shared.service import Runtime
from shared.sqltypes import utcnow

log = logging.getLogger("ddt.declaration.customs")


class CustomsExchange:
    """The exchange's moving parts for one service runtime."""

    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.settings
        assert isinstance(settings, DeclarationSettings)
        self.runtime = runtime
        self.settings = settings
        self.ctx = context_of(runtime)
        self.builder = outbound.MessageBuilder(self.ctx, build_signer(settings))
        self.crash = CrashPoints(settings.customs_crash_at)
        self.exchange: ExchangeTransport | None = None
        self.dispatcher: Dispatcher | None = None
        self.applier: ReceiptApplier | None = None
        self._wake = asyncio.Event()
        self.leadership = Leadership(runtime.db, "ddt-customs-exchange:declaration")
        self._next_reminder_check = datetime.min.replace(tzinfo=CUSTOMS_TZ)
        self._retry_unresolved = True
        self.passes = 0
        runtime.db.on_outbox_commit(self.wake)

    def wake(self) -> None:
        """Run a pass now (a filing committed: there may be documents ready)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Passes until ``stop``; errors rebuild the transport and back off."""

        async def step() -> None:
            if self.exchange is None:
                await self._open()
            if not await self.pass_():
                await self._idle(stop)

        async def on_failure() -> None:
            self.exchange = None  # rebuilt from the database on the next pass

        await run_while_leading(stop, self.leadership, step, on_failure, log, "customs exchange pass")

    async def _open(self) -> None:
        self.exchange = await open_transport(self.settings, self.runtime.db, self.ctx.vault, self.ctx.limits)
        self.dispatcher = Dispatcher(self.runtime.db, self.ctx.vault, self.exchange, self.crash)
        self.applier = ReceiptApplier(self.ctx, self.runtime.publisher, self.exchange.name)
        self._retry_unresolved = True

    async def pass_(self) -> bool:
        """One pass of the loop; True when it did anything."""
        assert self.exchange is not None and self.dispatcher is not None and self.applier is not None
        settings, db = self.settings, self.runtime.db
        now = utcnow()
        messages, documents = await outbound.stage_ready(
            db.transaction,
            self.ctx,
            self.runtime.publisher,
            self.builder,
            settings.customs_batch_documents,
            now,
        )
        if messages:
            self.crash.reached("staged")
        dispatched = await self.dispatcher.pass_(max(1, settings.customs_batch_documents // 10))
        received = await self._receive()
        if documents or received:
            self._retry_unresolved = True
        if self._retry_unresolved:
            async with db.transaction() as session:
                retried = await self.applier.retry_unresolved(session, utcnow())
            self._retry_unresolved = retried.applied > 0
        await self._remind_if_due()
        simulator = self.exchange.simulator
        if simulator is not None and simulator.snapshot_due:
            await simulator.snapshot()
        self.passes += 1
        return bool(messages or dispatched.sent or received)

    async def _receive(self) -> int:
        assert self.exchange is not None and self.applier is not None
        transport = self.exchange.transport
        receipts = await transport.receive(self.settings.customs_batch_receipts)
        if not receipts:
            return 0
        try:
            async with self.runtime.db.transaction() as session:
                result = await self.applier.apply_new(session, receipts, utcnow())
                self.crash.reached("applying")
        except BaseException:
            for receipt in receipts:
                await transport.release(receipt.id)
            raise
        self.crash.reached("applied")
        for receipt_id in result.acknowledge:
            await transport.ack(receipt_id)
        return len(receipts)

    async def _remind_if_due(self) -> None:
        now = datetime.now(CUSTOMS_TZ)
        if now < self._next_reminder_check:
            return
        self._next_reminder_check = now + timedelta(seconds=self.settings.customs_reminder_check_seconds)
        async with self.runtime.db.transaction() as session:
            given = await check_reminders(session, self.settings, self.runtime.publisher, now)
        if given:
            log.info("summary reminders given", extra={"count": given})

    async def _idle(self, stop: asyncio.Event) -> None:
        wait = self.settings.customs_poll_seconds
        simulator = self.exchange.simulator if self.exchange else None
        if simulator is not None:
            due = simulator.engine.next_due()
            if due is not None:
                wait = min(wait, max(0.01, (due - datetime.now(CUSTOMS_TZ)).total_seconds()))
        waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waiters, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
        self._wake.clear()


async def start_exchange(runtime: Runtime) -> None:
    """Start-up hook: build the exchange (the signer fails loudly if misconfigured)."""
    settings = runtime.settings
    assert isinstance(settings, DeclarationSettings)
    if settings.customs_exchange_enabled:
        runtime.components.provide(CustomsExchange(runtime))


async def run_exchange(runtime: Runtime, stop: asyncio.Event) -> None:
    """Background task: the exchange loop, when enabled."""
    exchange = runtime.components.find(CustomsExchange)
    if exchange is not None:
        await exchange.run(stop)
