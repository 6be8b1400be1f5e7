"""The messaging tables every service database has: outbox, inbox, dead letters.

They live on their own MetaData, which each service's ``env.py`` includes so autogenerate
sees them. These are the *live* definitions; each service's first migration creates the
frozen version 1 (:mod:`shared.messaging.ddl_v1`), so a change here needs a migration in
every service (``test_migrations`` fails until it has one).
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text, UniqueConstraint, text

from shared.sqltypes import BigIntPK, JSONText, UTCDateTime

messaging_metadata = MetaData()

outbox = Table(
    "outbox",
    messaging_metadata,
    # seq gives the publication order; event ids are random so cannot.
    Column("seq", BigIntPK, primary_key=True, autoincrement=True),
    Column("event_id", String(128), nullable=False, unique=True),
    Column("topic", String(200), nullable=False),
    Column("key", String(200), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("payload", Text, nullable=False),
    Column("headers", JSONText, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text, nullable=True),
)
Index(
    "ix_outbox_unsent",
    outbox.c.seq,
    postgresql_where=outbox.c.sent_at.is_(None),
    sqlite_where=outbox.c.sent_at.is_(None),
)
Index("ix_outbox_sent_at", outbox.c.sent_at)

inbox = Table(
    "inbox",
    messaging_metadata,
    Column("consumer", String(100), primary_key=True),
    Column("event_id", String(200), primary_key=True),
    Column("event_type", String(200), nullable=True),
    Column("outcome", String(20), nullable=False),
    Column("processed_at", UTCDateTime, nullable=False),
)

dead_letters = Table(
    "dead_letters",
    messaging_metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("consumer", String(100), nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("event_type", String(200), nullable=True),
    Column("topic", String(200), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigIntPK, nullable=False),
    Column("key", Text, nullable=True),
    Column("payload", Text, nullable=False),
    Column("error", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("parked_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime, nullable=True),
    UniqueConstraint("consumer", "event_id", name="uq_dead_letters_consumer_event"),
)
