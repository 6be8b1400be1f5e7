"""The warehousing housekeeping loop: what falls due with time rather than with a request.

Every ``reminder_check_seconds`` (1 h): file last month's report of every active warehouse
that has none (the platform's own records prove the warehouse's information system), and
send the reminders of claim windows about to close (once per shipment, kind and window: the
reminder's key refuses a second). Each pass is one transaction per job;
a pass that fails is logged and tried again at the next one, and two replicas running it
at once file nothing twice (the report's key refuses the second).
"""

from __future__ import annotations

import asyncio
import logging

from services.logistics.claims import service as claims
from services.logistics.claims.service import ClaimTerms
from services.logistics.claims.terms import load_sdr_rates, load_terms
from services.logistics.reports import service as reports
from services.logistics.settings import LogisticsSettings
from shared.leadership import sleep_unless_stopped
from shared.service import Runtime
from shared.sqltypes import utcnow

log = logging.getLogger("ddt.logistics.housekeeping")


async def run_once(runtime: Runtime) -> dict[str, int]:
    """One pass: what each job did."""
    settings = runtime.settings
    assert isinstance(settings, LogisticsSettings)
    done: dict[str, int] = {}
    async with runtime.db.transaction() as session:
        done["reports_filed"] = await reports.file_due(session, runtime.publisher, utcnow())
    terms = ClaimTerms(
        terms=load_terms(settings.compensation_rules_file),
        sdr=load_sdr_rates(settings.sdr_rates_file),
        reminder_days=settings.claim_window_reminder_days,
    )
    async with runtime.db.transaction() as session:
        done["claim_reminders_sent"] = await claims.send_window_reminders(
            session, runtime.publisher, terms, utcnow()
        )
    return done


async def housekeeping_loop(runtime: Runtime, stop: asyncio.Event) -> None:
    """The background task: a pass, then a wait, until stopped."""
    settings = runtime.settings
    assert isinstance(settings, LogisticsSettings)
    if not settings.housekeeping_enabled:
        return
    while not stop.is_set():
        try:
            done = await run_once(runtime)
            if any(done.values()):
                log.info("housekeeping", extra=done)
        except Exception as exc:  # the database is away, or another replica filed first: next pass
            log.warning("housekeeping pass failed; retrying later", extra={"error": repr(exc)})
        await sleep_unless_stopped(stop, settings.reminder_check_seconds)
