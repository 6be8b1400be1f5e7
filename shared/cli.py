"""The admin command every service has: ``python -m services.<name> <command>``.

Commands:
  serve                       run the service (uvicorn, uvloop, httptools)
  migrate                     apply pending Alembic migrations (the production step)
  downgrade [--to REV]        undo migrations down to REV (default -1: the latest one), to roll
                              a release back before starting the previous version
  revision -m MESSAGE         autogenerate a migration (developers)
  deadletters list [--all]    show parked messages of the service's consumers
  deadletters replay ID…|--all  re-run parked messages through the handlers
  deadletters discard ID…     mark parked messages as deliberately dropped
  outbox pending              events not yet acknowledged by the broker
  outbox republish [--since ISO] [--topic T]  publish retained events again
  consumers rewind --to ISO   move the consumer groups back to the first message at or after
                              ISO (after restoring the database from a dump: the events since
                              are read again, the inbox absorbs the ones the dump holds);
                              run it with every replica of the service stopped
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from shared.db import Database
from shared.messaging.consumer import (
    discard_dead_letter,
    list_dead_letters,
    replay_dead_letter,
    rewind_group,
)
from shared.messaging.outbox import pending_count, republish
from shared.migrations import autogenerate_revision, downgrade_to, upgrade_to_head
from shared.service import ServiceDefinition
from shared.settings import ServiceSettings


def _parser(service: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m services.{service}",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the service")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    sub.add_parser("migrate", help="apply pending migrations")
    down = sub.add_parser("downgrade", help="undo migrations (roll a release back)")
    down.add_argument("--to", default="-1")
    rev = sub.add_parser("revision", help="autogenerate a migration")
    rev.add_argument("-m", "--message", required=True)
    dl = sub.add_parser("deadletters", help="parked messages")
    dl_sub = dl.add_subparsers(dest="action", required=True)
    dl_list = dl_sub.add_parser("list")
    dl_list.add_argument("--all", action="store_true", help="include replayed and discarded")
    dl_replay = dl_sub.add_parser("replay")
    dl_replay.add_argument("ids", nargs="*", type=int)
    dl_replay.add_argument("--all", action="store_true")
    dl_discard = dl_sub.add_parser("discard")
    dl_discard.add_argument("ids", nargs="+", type=int)
    ob = sub.add_parser("outbox", help="the transactional outbox")
    ob_sub = ob.add_subparsers(dest="action", required=True)
    ob_sub.add_parser("pending")
    ob_rep = ob_sub.add_parser("republish")
    ob_rep.add_argument("--since", type=dt.datetime.fromisoformat)
    ob_rep.add_argument("--topic")
    cons = sub.add_parser("consumers", help="the service's consumer groups")
    cons_sub = cons.add_subparsers(dest="action", required=True)
    rewind = cons_sub.add_parser("rewind")
    rewind.add_argument("--to", required=True, type=_aware_datetime)
    return parser


def _aware_datetime(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise argparse.ArgumentTypeError("give a time zone (e.g. 2026-11-11T02:00:00+08:00 or …Z)")
    return parsed


def run_cli(
    definition_factory: Callable[[], ServiceDefinition],
    settings_factory: Callable[[], ServiceSettings],
    app_path: str,
    argv: Sequence[str] | None = None,
) -> int:
    """Parse ``argv`` and run one admin command; returns the exit code."""
    definition = definition_factory()
    args = _parser(definition.name).parse_args(argv)
    settings = settings_factory()
    if args.command == "serve":
        import uvicorn

        uvicorn.run(
            app_path,
            factory=True,
            host=args.host or settings.host,
            port=args.port or settings.effective_port,
            loop="uvloop",
            http="httptools",
            log_config=None,
            access_log=False,
            proxy_headers=False,
        )
        return 0
    if args.command == "consumers":
        return asyncio.run(_rewind(definition, settings, args.to))
    return asyncio.run(_run_async(definition, settings, args))


async def _rewind(definition: ServiceDefinition, settings: ServiceSettings, to: dt.datetime) -> int:
    for spec in definition.consumers:
        moved = await rewind_group(settings.platform, spec.name, spec.topics, to)
        _print({"consumer": spec.name, "rewound_to": to.isoformat(), "offsets": moved})
    return 0


async def _run_async(
    definition: ServiceDefinition, settings: ServiceSettings, args: argparse.Namespace
) -> int:
    db = Database(settings.effective_database_url)
    try:
        if args.command == "migrate":
            await upgrade_to_head(db, definition.name)
            _print({"migrated": definition.name})
        elif args.command == "downgrade":
            await downgrade_to(db, definition.name, args.to)
            _print({"downgraded": definition.name, "to": args.to})
        elif args.command == "revision":
            await autogenerate_revision(db, definition.name, args.message)
        elif args.command == "deadletters":
            return await _dead_letters(db, definition, args)
        elif args.command == "outbox":
            if args.action == "pending":
                _print({"pending": await pending_count(db)})
            else:
                _print({"republished": await republish(db, since=args.since, topic=args.topic)})
        return 0
    finally:
        await db.dispose()


async def _dead_letters(db: Database, definition: ServiceDefinition, args: argparse.Namespace) -> int:
    specs = {c.name: c for c in definition.consumers}
    if not specs:
        _print({"error": f"{definition.name} has no consumers"})
        return 1
    failures = 0
    for name, spec in specs.items():
        if args.action == "list":
            for row in await list_dead_letters(db, name, status=None if args.all else "parked"):
                _print({k: v for k, v in row.items() if k != "payload"})
        elif args.action == "replay":
            ids = list(args.ids)
            if args.all:
                ids = [r["id"] for r in await list_dead_letters(db, name)]
            for dl_id in ids:
                result = await replay_dead_letter(db, name, spec.handlers, dl_id)
                if result.status == "not_found":
                    continue
                failures += result.status != "replayed"
                _print({"id": dl_id, "consumer": name, "status": result.status, "error": result.error})
        elif args.action == "discard":
            for dl_id in args.ids:
                if await discard_dead_letter(db, name, dl_id):
                    _print({"id": dl_id, "consumer": name, "status": "discarded"})
    return 1 if failures else 0


def _print(value: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(value, default=str, ensure_ascii=False) + "\n")
