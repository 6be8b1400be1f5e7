"""Receiving statements: read any format, check them ourselves, store once, seal what is personal."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.context import PaymentsContext
from services.payments.institutions import rules as institution_rules
from services.payments.institutions import service as institutions
from services.payments.institutions.models import ClientAccount
from services.payments.institutions.repository import InstitutionRepository
from services.payments.institutions.service import ACCOUNT_HASH_PURPOSE
from services.payments.statements import camt, csv_format, rules, swift
from services.payments.statements.model import ParsedStatement, StatementRefused
from services.payments.statements.models import Statement
from services.payments.statements.problems import (
    STATEMENT_CONFLICT,
    STATEMENT_REFUSED,
    UNKNOWN_ACCOUNT,
    UNSUPPORTED_FORMAT,
)
from services.payments.statements.repository import StatementRepository
from services.payments.threshold.service import institution_ref
from services.payments.transactions.rules import mask_name
from shared.events.payments import StatementAccepted
from shared.identity import Identity
from shared.messaging.outbox import EventPublisher
from shared.problems import NOT_FOUND, ProblemError

XML_TYPES = frozenset({"application/xml", "text/xml"})


def read(data: bytes, media_type: str, ctx: PaymentsContext) -> list[ParsedStatement]:
    """The statements of a file in any accepted format (:class:`StatementRefused` if unreadable)."""
    kind = media_type.split(";")[0].strip().lower()
    if kind in XML_TYPES or (not kind.startswith("text/csv") and data.lstrip()[:1] == b"<"):
        return camt.parse(data, ctx.xml_limits)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StatementRefused(
            "The file is not UTF-8 text.", [{"pointer": "/body", "detail": "invalid UTF-8"}]
        ) from None
    if kind == "text/csv":
        return csv_format.parse(text)
    if swift.looks_like(text):
        return swift.parse(text)
    raise ProblemError(UNSUPPORTED_FORMAT, "Neither camt XML, MT940/MT942 nor the platform's CSV.")


def content_digest(statement: ParsedStatement) -> str:
    """What a statement says (two files saying the same thing are the same statement)."""
    body = {
        "format": statement.format,
        "currency": statement.currency,
        "opening": str(statement.opening),
        "closing": str(statement.closing),
        "entries": [
            [
                str(e.amount),
                e.credit,
                e.status,
                str(e.booking_date),
                str(e.value_date),
                e.bank_reference,
                e.remittance,
            ]
            for e in statement.entries
        ],
    }
    return "sha256:" + hashlib.sha256(json.dumps(body, separators=(",", ":")).encode()).hexdigest()


async def _account(
    repo: InstitutionRepository, ctx: PaymentsContext, institution: str, statement: ParsedStatement
) -> ClientAccount:
    number = institution_rules.normalise_account(statement.account)
    candidates = [number]
    if "/" in number:
        candidates.append(number.rsplit("/", 1)[1])  # MT940 :25: is often BIC/account or bankcode/account
    for candidate in candidates:
        found = await repo.account_by_hash(
            institution, ctx.vault.lookup_hash(ACCOUNT_HASH_PURPOSE, candidate)
        )
        if found is not None:
            return found
    raise ProblemError(
        UNKNOWN_ACCOUNT,
        f"Account {institution_rules.mask_account(statement.account)} is not a client account of yours.",
        errors=[{"pointer": f"{statement.pointer or '/body'}/Acct", "detail": "unknown account"}],
    )


@dataclass
class Received:
    """What a file did: its statements and whether any was new."""

    statements: list[Statement]
    created: bool


async def receive(
    session: AsyncSession,
    ctx: PaymentsContext,
    publisher: EventPublisher,
    identity: Identity,
    data: bytes,
    media_type: str,
    now: dt.datetime,
) -> Received:
    """Store the statements of a file once; 422 naming the entry, 409 on a conflicting resend."""
    institutions.require_institution(identity)
    repo = StatementRepository(session)
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    upload = await repo.upload_by_digest(identity.party_id, digest)
    if upload is not None:
        return Received(await repo.of_upload(upload.id), created=False)
    try:
        parsed = read(data, media_type, ctx)
    except StatementRefused as exc:
        raise ProblemError(STATEMENT_REFUSED, exc.detail, errors=exc.problems) from None
    found = [p for statement in parsed for p in rules.problems(statement)]
    if found:
        raise ProblemError(
            STATEMENT_REFUSED,
            f"{len(found)} problem(s); nothing was stored: {found[0]['detail']}.",
            errors=found[:100],
        )
    accounts = InstitutionRepository(session)
    plans: list[tuple[ParsedStatement, ClientAccount, str]] = []
    reused: list[Statement] = []
    for statement in parsed:
        account = await _account(accounts, ctx, identity.party_id, statement)
        existing = await repo.by_natural_key(
            identity.party_id, account.account_hash, statement.kind, statement.statement_id
        )
        digest_of = content_digest(statement)
        if existing is not None:
            if existing.content_digest != digest_of:
                raise ProblemError(
                    STATEMENT_CONFLICT,
                    f"Statement {statement.statement_id!r} was received before with other content.",
                    errors=[
                        {"pointer": statement.pointer or "/body", "detail": "different content, same id"}
                    ],
                )
            reused.append(existing)
            continue
        plans.append((statement, account, digest_of))
    if not plans:
        return Received(reused, created=False)
    upload_id = f"stu_{uuid.uuid4().hex[:24]}"
    sealed = ctx.vault.seal(data, f"statement-upload:{upload_id}")
    if not await repo.add_upload(
        {
            "id": upload_id,
            "institution_party_id": identity.party_id,
            "digest": digest,
            "media_type": media_type[:64],
            "size": len(data),
            "raw_key_id": sealed.key_id,
            "raw_sealed": sealed.blob,
            "received_at": now,
        }
    ):
        upload = await repo.upload_by_digest(identity.party_id, digest)
        assert upload is not None
        return Received(await repo.of_upload(upload.id), created=False)
    stored = list(reused)
    ref = await institution_ref(session, identity.party_id)
    for statement, account, digest_of in plans:
        statement_id = f"stm_{uuid.uuid4().hex[:24]}"
        await repo.add_statement(
            {
                "id": statement_id,
                "upload_id": upload_id,
                "institution_party_id": identity.party_id,
                "enterprise_party_id": account.enterprise_party_id,
                "account_hash": account.account_hash,
                "account_masked": account.account_masked,
                "format": statement.format,
                "kind": statement.kind,
                "statement_ref": statement.statement_id[:80],
                "currency": statement.currency,
                "opening_balance": statement.opening,
                "closing_balance": statement.closing,
                "from_date": statement.from_date,
                "to_date": statement.to_date,
                "bank_created_at": statement.created_at,
                "entries": len(statement.entries),
                "content_digest": digest_of,
                "received_at": now,
            },
            [_entry_row(ctx, statement_id, account.enterprise_party_id, e) for e in statement.entries],
        )
        row = await repo.get(statement_id)
        assert row is not None
        stored.append(row)
        await publisher.stage(
            session,
            StatementAccepted(
                party_id=account.enterprise_party_id,
                institution=ref,
                statement_id=statement_id,
                format=statement.format,
                currency=statement.currency,
                entries=len(statement.entries),
                opening_balance=statement.opening,
                closing_balance=statement.closing,
                occurred_at=now,
            ),
            subject=statement_id,
        )
    return Received(stored, created=True)


def _entry_row(ctx: PaymentsContext, statement_id: str, enterprise: str, entry: Any) -> dict[str, Any]:
    party = {"name": entry.counterparty_name, "account": entry.counterparty_account}
    sealed = (
        ctx.vault.seal_json(party, f"entry:{statement_id}:{entry.index}") if any(party.values()) else None
    )
    return {
        "statement_id": statement_id,
        "seq": entry.index,
        "enterprise_party_id": enterprise,
        "amount": entry.amount,
        "credit": entry.credit,
        "currency": entry.currency,
        "status": entry.status[:4],
        "booking_date": entry.booking_date,
        "value_date": entry.value_date,
        "bank_reference": (entry.bank_reference or "")[:64] or None,
        "end_to_end_ids": " ".join(entry.end_to_end_ids)[:400],
        "remittance": entry.remittance,
        "counterparty_masked": mask_name(entry.counterparty_name) if entry.counterparty_name else None,
        "counterparty_key_id": sealed.key_id if sealed else None,
        "counterparty_sealed": sealed.blob if sealed else None,
        "reversal": entry.reversal,
        "matched_amount": Decimal(0),
        "match_state": "unmatched",
    }


async def readable(session: AsyncSession, identity: Identity, statement_id: str) -> Statement:
    """A statement the caller may read (the enterprise, or an institution it granted), else 404."""
    row = await StatementRepository(session).get(statement_id)
    if row is None:
        raise ProblemError(NOT_FOUND, "Not found, or not shared with you.")
    await institutions.require_access(session, identity, row.enterprise_party_id)
    return row
