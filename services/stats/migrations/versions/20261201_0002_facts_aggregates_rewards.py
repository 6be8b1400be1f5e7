"""Facts, aggregates, event log, party mirror, platform figures, exchange rates and reward runs;
drops the foundation's daily_activity slice.

Revision ID: stats_0002
Revises: stats_0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.sqltypes

revision: str = "stats_0002"
down_revision: str | None = "stats_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_accepted_documents",
        sa.Column("document_id", sa.String(length=128), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("document_kind", sa.String(length=20), nullable=False),
        sa.Column("mode", sa.String(length=4), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_stats_accepted_documents")),
    )
    op.create_table(
        "stats_accepted_documents_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("document_kind", sa.String(length=20), nullable=False),
        sa.Column("mode", sa.String(length=4), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("documents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "document_kind", "mode", "direction", name=op.f("pk_stats_accepted_documents_day")
        ),
    )
    op.create_table(
        "stats_agg_chapter_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("chapter", sa.String(length=2), nullable=False),
        sa.Column("mode", sa.String(length=4), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("park", sa.String(length=64), nullable=False),
        sa.Column("documents", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.BigInteger(), nullable=False),
        sa.Column("value_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month",
            "chapter",
            "mode",
            "direction",
            "country",
            "district",
            "park",
            name="pk_stats_agg_chapter_month",
        ),
    )
    op.create_table(
        "stats_agg_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("mode", sa.String(length=4), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("park", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("documents", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.Column("value_fen", sa.BigInteger(), nullable=False),
        sa.Column("returned_fen", sa.BigInteger(), nullable=False),
        sa.Column("value_orig_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "mode", "direction", "country", "district", "park", "currency", name="pk_stats_agg_day"
        ),
    )
    op.create_table(
        "stats_agg_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("mode", sa.String(length=4), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("park", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("documents", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.Column("value_fen", sa.BigInteger(), nullable=False),
        sa.Column("returned_fen", sa.BigInteger(), nullable=False),
        sa.Column("value_orig_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "mode", "direction", "country", "district", "park", "currency", name="pk_stats_agg_month"
        ),
    )
    op.create_table(
        "stats_agg_party_chapter_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("chapter", sa.String(length=2), nullable=False),
        sa.Column("mode", sa.String(length=4), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("park", sa.String(length=64), nullable=False),
        sa.Column("documents", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.BigInteger(), nullable=False),
        sa.Column("value_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "party_id",
            "month",
            "chapter",
            "mode",
            "direction",
            "country",
            "district",
            "park",
            name="pk_stats_agg_party_chapter_month",
        ),
    )
    with op.batch_alter_table("stats_agg_party_chapter_month", schema=None) as batch_op:
        batch_op.create_index("ix_stats_agg_party_chapter_month_month", ["month"], unique=False)

    op.create_table(
        "stats_agg_party_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=4), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("park", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("documents", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.Column("value_fen", sa.BigInteger(), nullable=False),
        sa.Column("returned_fen", sa.BigInteger(), nullable=False),
        sa.Column("value_orig_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "party_id",
            "day",
            "mode",
            "direction",
            "country",
            "district",
            "park",
            "currency",
            name="pk_stats_agg_party_day",
        ),
    )
    with op.batch_alter_table("stats_agg_party_day", schema=None) as batch_op:
        batch_op.create_index("ix_stats_agg_party_day_day", ["day"], unique=False)

    op.create_table(
        "stats_agg_party_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=4), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("park", sa.String(length=64), nullable=False),
        sa.Column("documents", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.Column("value_fen", sa.BigInteger(), nullable=False),
        sa.Column("returned_fen", sa.BigInteger(), nullable=False),
        sa.Column("value_orig_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "party_id", "month", "mode", "direction", "district", "park", name="pk_stats_agg_party_month"
        ),
    )
    with op.batch_alter_table("stats_agg_party_month", schema=None) as batch_op:
        batch_op.create_index("ix_stats_agg_party_month_month", ["month"], unique=False)

    op.create_table(
        "stats_api_traffic_hour",
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("hour_start", shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.Column("errors", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("party_id", "hour_start", name=op.f("pk_stats_api_traffic_hour")),
    )
    with op.batch_alter_table("stats_api_traffic_hour", schema=None) as batch_op:
        batch_op.create_index("ix_stats_api_traffic_hour_day", ["day"], unique=False)

    op.create_table(
        "stats_event_log",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("stream", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=128), nullable=False),
        sa.Column("occurred_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("data", shared.sqltypes.JSONText(), nullable=False),
        sa.Column("logged_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_stats_event_log")),
        sa.UniqueConstraint("event_id", name=op.f("uq_stats_event_log_event_id")),
    )
    with op.batch_alter_table("stats_event_log", schema=None) as batch_op:
        batch_op.create_index("ix_stats_event_log_stream_subject", ["stream", "subject"], unique=False)

    op.create_table(
        "stats_exchange_rates",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("rate", shared.sqltypes.Money(precision=19, scale=5), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("loaded_by", sa.String(length=200), nullable=False),
        sa.Column("loaded_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("currency", "month", name=op.f("pk_stats_exchange_rates")),
    )
    op.create_table(
        "stats_fact_chapters",
        sa.Column("document_id", sa.String(length=128), nullable=False),
        sa.Column("chapter", sa.String(length=2), nullable=False),
        sa.Column("value_fen", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("document_id", "chapter", name=op.f("pk_stats_fact_chapters")),
    )
    op.create_table(
        "stats_facts",
        sa.Column("document_id", sa.String(length=128), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("message_type", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("counted_since", shared.sqltypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column("business_day", sa.Date(), nullable=True),
        sa.Column("mode", sa.String(length=4), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("park", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("value_fen", sa.BigInteger(), nullable=False),
        sa.Column("returned_fen", sa.BigInteger(), nullable=False),
        sa.Column("value_orig_cents", sa.BigInteger(), nullable=False),
        sa.Column("cny_rate", shared.sqltypes.Money(precision=19, scale=5), nullable=True),
        sa.Column("rate_month", sa.String(length=7), nullable=True),
        sa.Column("rate_source", sa.String(length=16), nullable=True),
        sa.Column("updated_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_stats_facts")),
    )
    with op.batch_alter_table("stats_facts", schema=None) as batch_op:
        batch_op.create_index("ix_stats_facts_currency_day", ["currency", "business_day"], unique=False)
        batch_op.create_index("ix_stats_facts_day", ["business_day"], unique=False)
        batch_op.create_index("ix_stats_facts_party_day", ["party_id", "business_day"], unique=False)

    op.create_table(
        "stats_parties",
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("customs_code", sa.String(length=10), nullable=True),
        sa.Column("roles", shared.sqltypes.JSONText(), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=True),
        sa.Column("park", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("registered_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("registered_day", sa.Date(), nullable=False),
        sa.Column("status_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("party_id", name=op.f("pk_stats_parties")),
    )
    with op.batch_alter_table("stats_parties", schema=None) as batch_op:
        batch_op.create_index("ix_stats_parties_registered_day", ["registered_day"], unique=False)

    op.create_table(
        "stats_party_first_activity",
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("first_month", sa.Date(), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("park", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("party_id", name=op.f("pk_stats_party_first_activity")),
    )
    with op.batch_alter_table("stats_party_first_activity", schema=None) as batch_op:
        batch_op.create_index("ix_stats_party_first_activity_day", ["first_day"], unique=False)

    op.create_table(
        "stats_reward_policies",
        sa.Column("sha256", sa.String(length=80), nullable=False),
        sa.Column("policy_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("source_format", sa.String(length=8), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("canonical_json", sa.Text(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_stats_reward_policies")),
    )
    with op.batch_alter_table("stats_reward_policies", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stats_reward_policies_policy_id", ["policy_id", "uploaded_at"], unique=False
        )

    op.create_table(
        "stats_reward_snapshots",
        sa.Column("snapshot_id", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=80), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("taken_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("taken_by", sa.String(length=200), nullable=False),
        sa.Column("enterprises", sa.Integer(), nullable=False),
        sa.Column("parks", sa.Integer(), nullable=False),
        sa.Column("excluded", shared.sqltypes.JSONText(), nullable=False),
        sa.Column("canonical_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("snapshot_id", name=op.f("pk_stats_reward_snapshots")),
        sa.UniqueConstraint("sha256", name=op.f("uq_stats_reward_snapshots_sha256")),
    )
    op.create_table(
        "stats_reward_runs",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("policy_sha256", sa.String(length=80), nullable=False),
        sa.Column("snapshot_id", sa.String(length=64), nullable=False),
        sa.Column("amounts_digest", sa.String(length=80), nullable=False),
        sa.Column("separation_of_duties", sa.Boolean(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("demand_fen", sa.BigInteger(), nullable=False),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("header", shared.sqltypes.JSONText(), nullable=False),
        sa.Column("corrects_run_id", sa.String(length=64), nullable=True),
        sa.Column("correction", shared.sqltypes.JSONText(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["corrects_run_id"],
            ["stats_reward_runs.run_id"],
            name=op.f("fk_stats_reward_runs_corrects_run_id_stats_reward_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_sha256"],
            ["stats_reward_policies.sha256"],
            name=op.f("fk_stats_reward_runs_policy_sha256_stats_reward_policies"),
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["stats_reward_snapshots.snapshot_id"],
            name=op.f("fk_stats_reward_runs_snapshot_id_stats_reward_snapshots"),
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_stats_reward_runs")),
    )
    with op.batch_alter_table("stats_reward_runs", schema=None) as batch_op:
        batch_op.create_index("ix_stats_reward_runs_year", ["year", "created_at"], unique=False)

    op.create_table(
        "stats_export_jobs",
        sa.Column("job_id", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("explanations", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", shared.sqltypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["stats_reward_runs.run_id"],
            name=op.f("fk_stats_export_jobs_run_id_stats_reward_runs"),
        ),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_stats_export_jobs")),
    )
    with op.batch_alter_table("stats_export_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_stats_export_jobs_status", ["status", "requested_at"], unique=False)

    op.create_table(
        "stats_reward_run_history",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", shared.sqltypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["stats_reward_runs.run_id"],
            name=op.f("fk_stats_reward_run_history_run_id_stats_reward_runs"),
        ),
        sa.PrimaryKeyConstraint("run_id", "seq", name=op.f("pk_stats_reward_run_history")),
    )
    op.create_table(
        "stats_reward_run_subjects",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("subject_key", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=400), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("gross_fen", sa.BigInteger(), nullable=False),
        sa.Column("capped_fen", sa.BigInteger(), nullable=False),
        sa.Column("final_fen", sa.BigInteger(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("items", shared.sqltypes.JSONText(), nullable=False),
        sa.Column("lines", shared.sqltypes.JSONText(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["stats_reward_runs.run_id"],
            name=op.f("fk_stats_reward_run_subjects_run_id_stats_reward_runs"),
        ),
        sa.PrimaryKeyConstraint("run_id", "subject_key", name=op.f("pk_stats_reward_run_subjects")),
    )
    op.drop_table("daily_activity")


def downgrade() -> None:
    op.create_table(
        "daily_activity",
        sa.Column("party_id", sa.VARCHAR(length=64), nullable=False),
        sa.Column("day", sa.DATE(), nullable=False),
        sa.Column("mode", sa.VARCHAR(length=4), nullable=False),
        sa.Column("direction", sa.VARCHAR(length=6), nullable=False),
        sa.Column("documents", sa.INTEGER(), nullable=False),
        sa.Column("value_cny_fen", sa.BIGINT(), nullable=False),
        sa.PrimaryKeyConstraint("party_id", "day", "mode", "direction", name=op.f("pk_daily_activity")),
    )
    op.drop_table("stats_reward_run_subjects")
    op.drop_table("stats_reward_run_history")
    with op.batch_alter_table("stats_export_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_export_jobs_status")

    op.drop_table("stats_export_jobs")
    with op.batch_alter_table("stats_reward_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_reward_runs_year")

    op.drop_table("stats_reward_runs")
    op.drop_table("stats_reward_snapshots")
    with op.batch_alter_table("stats_reward_policies", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_reward_policies_policy_id")

    op.drop_table("stats_reward_policies")
    with op.batch_alter_table("stats_party_first_activity", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_party_first_activity_day")

    op.drop_table("stats_party_first_activity")
    with op.batch_alter_table("stats_parties", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_parties_registered_day")

    op.drop_table("stats_parties")
    with op.batch_alter_table("stats_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_facts_party_day")
        batch_op.drop_index("ix_stats_facts_day")
        batch_op.drop_index("ix_stats_facts_currency_day")

    op.drop_table("stats_facts")
    op.drop_table("stats_fact_chapters")
    op.drop_table("stats_exchange_rates")
    with op.batch_alter_table("stats_event_log", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_event_log_stream_subject")

    op.drop_table("stats_event_log")
    with op.batch_alter_table("stats_api_traffic_hour", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_api_traffic_hour_day")

    op.drop_table("stats_api_traffic_hour")
    with op.batch_alter_table("stats_agg_party_month", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_agg_party_month_month")

    op.drop_table("stats_agg_party_month")
    with op.batch_alter_table("stats_agg_party_day", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_agg_party_day_day")

    op.drop_table("stats_agg_party_day")
    with op.batch_alter_table("stats_agg_party_chapter_month", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_agg_party_chapter_month_month")

    op.drop_table("stats_agg_party_chapter_month")
    op.drop_table("stats_agg_month")
    op.drop_table("stats_agg_day")
    op.drop_table("stats_agg_chapter_month")
    op.drop_table("stats_accepted_documents_day")
    op.drop_table("stats_accepted_documents")
