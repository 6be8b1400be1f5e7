"""``python -m services.gateway.admin`` — the registry from the command line (operators).

Commands (JSON lines on stdout; secrets only where a credential is created):
  bootstrap [--name N] [--uscc U] [--district D]
                              the first platform administrator of a new deployment, once:
                              prints its credential (the only time the secret is shown);
                              exits 3, changing nothing, if a platform administrator exists
  parties list [--status active|suspended]
  parties show PARTY_ID
  parties create --name N --uscc U --role R [--role R …] [--customs-code C] [--district D] [--park P]
                 [--code CODE=kind,kind …]
  parties suspend PARTY_ID [--reason TEXT]
  parties reactivate PARTY_ID [--reason TEXT]
  parties delegate PLATFORM_ID MERCHANT_ID
  credentials create PARTY_ID [--label L]
  credentials list PARTY_ID
  credentials revoke PARTY_ID KEY_ID
  allowlist list | add ENTRY [--note N] | remove ENTRY
  audit purge                 delete audit rows older than the retention
  traffic count               publish ApiTrafficCounted for finished hours

Every change goes through the same services as the admin API (events staged in the
outbox, published by the running gateway's relay) and is written to the audit log
with ``auth_method = cli``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.audit.retention import purge_audit
from services.gateway.audit.writer import AuditRecord, AuditWriter
from services.gateway.auth.guard import bump_generation
from services.gateway.credentials import service as credentials
from services.gateway.credentials.repository import CredentialRepository
from services.gateway.credentials.sealing import SecretSealer
from services.gateway.parties import service as parties
from services.gateway.parties.repository import PartyRepository
from services.gateway.parties.roles import Role
from services.gateway.parties.schemas import CodeIn, PartyIn, StatusChangeIn
from services.gateway.parties.uscc import generate_uscc
from services.gateway.settings import GatewaySettings
from services.gateway.traffic.counter import count_traffic
from services.gateway.webhooks import service as webhooks
from services.gateway.webhooks.schemas import AllowEntryIn
from services.gateway.webhooks.ssrf import validate_entry
from shared.db import Database
from shared.messaging.outbox import EventPublisher
from shared.migrations import upgrade_to_head
from shared.problems import ProblemError
from shared.sqltypes import utcnow


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services.gateway.admin",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="area", required=True)
    boot = sub.add_parser("bootstrap", help="the first platform administrator (once)")
    boot.add_argument("--name", default="Platform operator")
    boot.add_argument("--uscc", help="the operator's USCC (default: a valid one derived from the name)")
    boot.add_argument("--district", default="haizhou")
    parties = sub.add_parser("parties").add_subparsers(dest="action", required=True)
    listing = parties.add_parser("list")
    listing.add_argument("--status", choices=["active", "suspended"])
    parties.add_parser("show").add_argument("party_id")
    create = parties.add_parser("create")
    create.add_argument("--name", required=True)
    create.add_argument("--uscc", required=True)
    create.add_argument("--role", action="append", required=True, dest="roles")
    create.add_argument("--customs-code")
    create.add_argument("--district")
    create.add_argument("--park")
    create.add_argument(
        "--code", action="append", default=[], help="CODE=kind,kind (e.g. 3207960001=ebcCode)"
    )
    for name in ("suspend", "reactivate"):
        change = parties.add_parser(name)
        change.add_argument("party_id")
        change.add_argument("--reason", default="")
    delegate = parties.add_parser("delegate")
    delegate.add_argument("platform_id")
    delegate.add_argument("merchant_id")
    creds = sub.add_parser("credentials").add_subparsers(dest="action", required=True)
    cred_create = creds.add_parser("create")
    cred_create.add_argument("party_id")
    cred_create.add_argument("--label", default="")
    creds.add_parser("list").add_argument("party_id")
    revoke = creds.add_parser("revoke")
    revoke.add_argument("party_id")
    revoke.add_argument("key_id")
    allow = sub.add_parser("allowlist").add_subparsers(dest="action", required=True)
    allow.add_parser("list")
    add = allow.add_parser("add")
    add.add_argument("entry")
    add.add_argument("--note", default="")
    allow.add_parser("remove").add_argument("entry")
    sub.add_parser("audit").add_subparsers(dest="action", required=True).add_parser("purge")
    sub.add_parser("traffic").add_subparsers(dest="action", required=True).add_parser("count")
    return parser


def _emit(value: Any) -> None:
    sys.stdout.write(json.dumps(value, default=str, ensure_ascii=False) + "\n")


def _codes(items: list[str]) -> list[CodeIn]:
    codes = []
    for item in items:
        code, _, kinds = item.partition("=")
        codes.append(CodeIn(code=code, kinds=[k for k in kinds.split(",") if k]))  # type: ignore[misc]
    return codes


async def _run(args: argparse.Namespace, settings: GatewaySettings) -> int:
    db = Database(settings.effective_database_url)
    audit = AuditWriter(db)
    try:
        if settings.should_migrate_on_start:
            await upgrade_to_head(db, "gateway")
        result, operation, object_id = await _dispatch(args, settings, db)
        registry_changed = operation.startswith(("cli.parties.", "cli.credentials.", "cli.bootstrap"))
        if registry_changed and settings.platform.redis_url:
            # Running gateways serve the registry from a cache checked against this generation.
            client = aioredis.Redis.from_url(settings.platform.redis_url)
            try:
                await bump_generation(client, settings.redis_key_prefix)
            finally:
                await client.aclose()
        if operation:
            audit.record(
                AuditRecord(
                    occurred_at=utcnow(),
                    request_id=f"cli-{uuid.uuid4().hex}",
                    client_request_id=None,
                    party_id=None,
                    credential_id=None,
                    auth_method="cli",
                    operation=operation,
                    method="CLI",
                    path=" ".join(sys.argv[1:3]),
                    object_id=object_id,
                    status=0,
                    outcome="ok",
                    problem_code=None,
                    duration_us=0,
                )
            )
            await audit.flush()
        for item in result if isinstance(result, list) else [result]:
            _emit(item)
        return 0
    except ProblemError as exc:
        _emit(exc.to_body())
        return 1
    except AdminExists as exc:
        _emit(
            {
                "error": "a platform administrator exists; nothing was created",
                "party_id": exc.party_id,
                "hint": "create further administrators and credentials through the admin API",
            }
        )
        return 3
    except ValidationError as exc:
        _emit({"error": "invalid input", "details": exc.errors(include_url=False, include_input=False)})
        return 2
    finally:
        await db.dispose()


async def _dispatch(
    args: argparse.Namespace, settings: GatewaySettings, db: Database
) -> tuple[Any, str, str | None]:
    publisher = EventPublisher("gateway")
    sealer = SecretSealer(settings.credential_encryption_key.get_secret_value())
    async with db.transaction() as session:
        if args.area == "bootstrap":
            return await _bootstrap(args, session, publisher, sealer)
        if args.area == "parties":
            if args.action == "list":
                every = await PartyRepository(session).every(status=args.status)
                return [p.model_dump(mode="json") for p in await parties.describe(session, every)], "", None
            if args.action == "show":
                party = await parties.require(session, args.party_id)
                return (await parties.view(session, party)).model_dump(mode="json"), "", None
            if args.action == "create":
                data = PartyIn(
                    name=args.name,
                    uscc=args.uscc,
                    roles=args.roles,
                    customs_code=args.customs_code,
                    district=args.district,
                    park=args.park,
                    codes=_codes(args.code),
                )
                party = await parties.onboard(session, publisher, data)
                return (
                    (await parties.view(session, party)).model_dump(mode="json"),
                    "cli.parties.create",
                    party.id,
                )
            if args.action in ("suspend", "reactivate"):
                reason = StatusChangeIn(reason=args.reason).reason
                status = "suspended" if args.action == "suspend" else "active"
                party = await parties.set_status(session, publisher, args.party_id, status, reason)
                return {"id": party.id, "status": party.status}, f"cli.parties.{args.action}", party.id
            if args.action == "delegate":
                await parties.delegate(session, args.platform_id, args.merchant_id)
                return (
                    {"platform": args.platform_id, "merchant": args.merchant_id},
                    "cli.parties.delegate",
                    args.platform_id,
                )
        if args.area == "credentials":
            if args.action == "create":
                created = await credentials.create(session, sealer, args.party_id, args.label)
                return created.model_dump(mode="json"), "cli.credentials.create", created.key_id
            if args.action == "list":
                rows = await CredentialRepository(session).every_of(args.party_id)
                return [credentials.credential_out(c).model_dump(mode="json") for c in rows], "", None
            if args.action == "revoke":
                revoked = await credentials.revoke(session, args.party_id, args.key_id)
                return revoked.model_dump(mode="json"), "cli.credentials.revoke", args.key_id
        if args.area == "allowlist":
            if args.action == "list":
                entries = await webhooks.every_allow_entry(session)
                return [{"entry": e.entry, "note": e.note} for e in entries], "", None
            entry = validate_entry(args.entry)
            if args.action == "add":
                await webhooks.allow(session, AllowEntryIn(entry=entry, note=args.note), "cli")
                return {"entry": entry, "added": True}, "cli.allowlist.add", entry
            removed = await webhooks.disallow(session, entry)
            return {"entry": entry, "removed": removed}, "cli.allowlist.remove", entry
    if args.area == "audit":
        return {"purged": await purge_audit(db, settings.audit_retention_days)}, "cli.audit.purge", None
    return {"staged": await count_traffic(db, publisher)}, "cli.traffic.count", None


class AdminExists(Exception):
    """``bootstrap`` found a platform administrator: nothing is created."""

    def __init__(self, party_id: str) -> None:
        super().__init__(party_id)
        self.party_id = party_id


async def _bootstrap(
    args: argparse.Namespace, session: AsyncSession, publisher: EventPublisher, sealer: SecretSealer
) -> tuple[Any, str, str | None]:
    """Create the first platform administrator and its credential, unless one exists."""
    repo = PartyRepository(session)
    # Two operators (or two Job retries) at once: the second waits, then finds the first's admin.
    await repo.lock_transaction(_BOOTSTRAP_LOCK)
    existing = await repo.first_with_role(Role.PLATFORM_ADMIN)
    if existing is not None:
        raise AdminExists(existing)
    admin = await parties.onboard(
        session,
        publisher,
        PartyIn(
            name=args.name,
            uscc=args.uscc or generate_uscc("320700", f"ddt-bootstrap:{args.name}"),
            roles=[Role.PLATFORM_ADMIN],
            district=args.district,
        ),
    )
    created = await credentials.create(session, sealer, admin.id, "bootstrap platform admin")
    return (
        {
            "party_id": admin.id,
            "key_id": created.key_id,
            "secret": created.secret,
            "note": "The secret is shown this once; store it in your secret manager now. "
            "Create further administrators and credentials through the admin API.",
        },
        "cli.bootstrap",
        admin.id,
    )


_BOOTSTRAP_LOCK = 0x44445442  # "DDTB": one bootstrap at a time


def main(argv: Sequence[str] | None = None) -> int:
    """Run one admin command; returns the exit code."""
    args = _parser().parse_args(argv)
    return asyncio.run(_run(args, GatewaySettings()))


if __name__ == "__main__":
    sys.exit(main())
