"""Baseline: the gateway store as ``create_all`` made it before migrations.

The store: agencies and their keys, the audit chain, dossiers and resolutions, the outbox.

Every table and index is created only if missing, so a store made by that ``create_all`` is adopted as
it is, data and all, and a partly made one is completed.

Revision ID: 0001_baseline
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

GENESIS_HASH = "0" * 64

revision = "0001_baseline"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "agency",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("province", sa.String(), nullable=False),
        sa.Column("scopes", sa.String(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("key_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("code"),
        if_not_exists=True,
    )
    op.create_index("ix_agency_key_id", "agency", ["key_id"], unique=True, if_not_exists=True)
    op.create_table(
        "agency_registry_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_table(
        "audit_record",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.String(), nullable=False),
        sa.Column("request_id", sa.String(), nullable=False),
        sa.Column("agency_code", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("procedure_code", sa.String(), nullable=False),
        sa.Column("dossier_id", sa.String(), nullable=False),
        sa.Column("officer_id", sa.String(), nullable=False),
        sa.Column("subject_pseudonym", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("result_id", sa.String(), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_audit_record_subject",
        "audit_record",
        ["subject_pseudonym", "seq"],
        unique=False,
        if_not_exists=True,
    )
    op.create_table(
        "dossier",
        sa.Column("dossier_id", sa.String(length=64), nullable=False),
        sa.Column("agency_code", sa.String(), nullable=False),
        sa.Column("procedure_code", sa.String(), nullable=False),
        sa.Column("applicant_pseudonym", sa.String(), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("receipt_json", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dossier_id"),
        if_not_exists=True,
    )
    op.create_index("ix_dossier_agency_code", "dossier", ["agency_code"], unique=False, if_not_exists=True)
    op.create_table(
        "dossier_resolution",
        sa.Column("dossier_id", sa.String(length=64), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("resolution_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("dossier_id"),
        if_not_exists=True,
    )
    op.create_table(
        "outbox",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=249), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("sent_at", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["id"],
        unique=False,
        postgresql_where=sa.text("sent_at IS NULL"),
        sqlite_where=sa.text("sent_at IS NULL"),
        if_not_exists=True,
    )
    op.create_table(
        "outbox_relay_lease",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
        if_not_exists=True,
    )

    # The single-row heads of the audit chain and of the agency registry.
    op.execute(
        sa.text(
            "INSERT INTO audit_head (id, seq, last_hash) SELECT 1, 0, :genesis "
            "WHERE NOT EXISTS (SELECT 1 FROM audit_head)"
        ).bindparams(genesis=GENESIS_HASH)
    )
    op.execute(
        "INSERT INTO agency_registry_version (id, version) SELECT 1, 0 "
        "WHERE NOT EXISTS (SELECT 1 FROM agency_registry_version)"
    )


def downgrade() -> None:
    op.drop_table("outbox_relay_lease")
    op.drop_table("outbox")
    op.drop_table("dossier_resolution")
    op.drop_table("dossier")
    op.drop_table("audit_record")
    op.drop_table("audit_head")
    op.drop_table("agency_registry_version")
    op.drop_table("agency")
