"""The messaging tables (outbox, inbox, dead letters) as version 1 created them — frozen.

Every service's ``0001`` migration creates these with :func:`create_messaging_tables_v1`.
This is a snapshot, not the live definition (:mod:`shared.messaging.tables`): a change
to the live tables comes with a migration in every service (alter the v1 tables), so a
fresh database and an upgraded old one reach the same schema. ``test_migrations`` checks
that head matches the live definitions on both databases. Never edit this file.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)


def _v1_metadata() -> MetaData:
    metadata = MetaData()
    big_pk = BigInteger().with_variant(Integer(), "sqlite")
    outbox = Table(
        "outbox",
        metadata,
        Column("seq", big_pk, primary_key=True, autoincrement=True),
        Column("event_id", String(128), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("payload", Text, nullable=False),
        Column("headers", Text, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True), nullable=True),
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
    Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(200), primary_key=True),
        Column("event_type", String(200), nullable=True),
        Column("outcome", String(20), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "dead_letters",
        metadata,
        Column("id", big_pk, primary_key=True, autoincrement=True),
        Column("consumer", String(100), nullable=False),
        Column("event_id", String(200), nullable=False),
        Column("event_type", String(200), nullable=True),
        Column("topic", String(200), nullable=False),
        Column("partition", Integer, nullable=False),
        Column("offset", big_pk, nullable=False),
        Column("key", Text, nullable=True),
        Column("payload", Text, nullable=False),
        Column("error", Text, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("status", String(20), nullable=False),
        Column("parked_at", DateTime(timezone=True), nullable=False),
        Column("resolved_at", DateTime(timezone=True), nullable=True),
        UniqueConstraint("consumer", "event_id", name="uq_dead_letters_consumer_event"),
    )
    return metadata


def create_messaging_tables_v1() -> None:
    """Create the v1 outbox, inbox and dead-letter tables (a ``0001`` migration's upgrade)."""
    _v1_metadata().create_all(op.get_bind(), checkfirst=False)


def drop_messaging_tables_v1() -> None:
    """Drop them (a ``0001`` migration's downgrade)."""
    _v1_metadata().drop_all(op.get_bind(), checkfirst=True)
