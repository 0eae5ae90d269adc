"""Baseline: the lookup store as ``create_all`` made it before migrations.

The store: the population registry, digitized results, the procedure catalog.

Every table and index is created only if missing, so a store made by that ``create_all`` is adopted as
it is, data and all, and a partly made one is completed.

Revision ID: 0001_baseline
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "citizen",
        sa.Column("personal_id", sa.String(length=12), nullable=False),
        sa.Column("household_id", sa.String(length=16), nullable=False),
        sa.Column("record", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("personal_id"),
        if_not_exists=True,
    )
    op.create_table(
        "procedure",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("record", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
        if_not_exists=True,
    )
    op.create_table(
        "result",
        sa.Column("result_id", sa.String(length=64), nullable=False),
        sa.Column("owner_personal_id", sa.String(length=12), nullable=False),
        sa.Column("result_type", sa.String(length=64), nullable=False),
        sa.Column("issued_on", sa.String(length=10), nullable=False),
        sa.Column("valid_until", sa.String(length=10), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("revoked_at_us", sa.BigInteger(), nullable=True),
        sa.Column("revocation_reason", sa.String(), nullable=True),
        sa.Column("record", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("result_id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_result_owner_issued",
        "result",
        ["owner_personal_id", "issued_on", "result_id"],
        unique=False,
        if_not_exists=True,
    )
    op.create_index("ix_result_sha256", "result", ["content_sha256"], unique=False, if_not_exists=True)


def downgrade() -> None:
    op.drop_table("result")
    op.drop_table("procedure")
    op.drop_table("citizen")
