"""loss and damage claims, their evidence and claim-window reminders

Revision ID: logistics_w005
Revises: logistics_w004
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.sqltypes

revision: str = "logistics_w005"
down_revision: str | None = "logistics_w004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _money(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, shared.sqltypes.Money(precision=19, scale=5), nullable=nullable)


def _time(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, shared.sqltypes.UTCDateTime(timezone=True), nullable=nullable)


def _bigint_pk() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "logistics_claims",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("claimant_party_id", sa.String(length=64), nullable=False),
        sa.Column("created_by_party_id", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("shipment_id", sa.String(length=36), nullable=False),
        sa.Column("leg_id", sa.String(length=36), nullable=False),
        sa.Column("carrier_code", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("product", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        _money("weight_kg"),
        sa.Column("packages", sa.Integer(), nullable=False),
        _money("claimed_amount"),
        sa.Column("claimed_currency", sa.String(length=3), nullable=False),
        _money("claimed_cny"),
        _money("freight_cny", True),
        _money("declared_cny", True),
        _money("insured_cny", True),
        _money("offer_cny"),
        _money("cap_cny"),
        sa.Column("explanation", shared.sqltypes.JSONText(), nullable=False),
        sa.Column("window_opens_on", sa.Date(), nullable=False),
        sa.Column("window_closes_on", sa.Date(), nullable=False),
        _money("approved_cny", True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("documents_requested", sa.Text(), nullable=True),
        sa.Column("paid_fen", sa.BigInteger(), nullable=True),
        sa.Column("payment_reference", sa.String(length=64), nullable=True),
        sa.Column("payout_seconds", sa.BigInteger(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        _time("submitted_at"),
        _time("decided_at", True),
        _time("paid_at", True),
        _time("closed_at", True),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logistics_claims")),
        sa.UniqueConstraint(
            "claimant_party_id", "reference", name=op.f("uq_logistics_claims_claimant_party_id_reference")
        ),
    )
    op.create_index("ix_logistics_claims_claimant", "logistics_claims", ["claimant_party_id", "submitted_at"])
    op.create_index("ix_logistics_claims_carrier", "logistics_claims", ["carrier_code", "submitted_at"])
    op.create_index("ix_logistics_claims_shipment", "logistics_claims", ["shipment_id"])
    op.create_table(
        "logistics_claim_evidence",
        _bigint_pk(),
        sa.Column("claim_id", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_party_id", sa.String(length=64), nullable=False),
        _time("uploaded_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logistics_claim_evidence")),
        sa.UniqueConstraint("claim_id", "sha256", name=op.f("uq_logistics_claim_evidence_claim_id_sha256")),
    )
    op.create_table(
        "logistics_claim_reminders",
        _bigint_pk(),
        sa.Column("shipment_id", sa.String(length=36), nullable=False),
        sa.Column("leg_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("window_closes_on", sa.Date(), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        _time("sent_at"),
        sa.Column("details", shared.sqltypes.JSONText(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logistics_claim_reminders")),
        sa.UniqueConstraint(
            "shipment_id",
            "kind",
            "window_closes_on",
            name=op.f("uq_logistics_claim_reminders_shipment_id_kind_window_closes_on"),
        ),
    )


def downgrade() -> None:
    op.drop_table("logistics_claim_reminders")
    op.drop_table("logistics_claim_evidence")
    op.drop_index("ix_logistics_claims_shipment", table_name="logistics_claims")
    op.drop_index("ix_logistics_claims_carrier", table_name="logistics_claims")
    op.drop_index("ix_logistics_claims_claimant", table_name="logistics_claims")
    op.drop_table("logistics_claims")
