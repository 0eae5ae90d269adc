"""Dossier bindings: the agency, procedure and applicant a dossier serves, fixed when it is opened.

Revision ID: 0002_dossier_binding
Revises: 0001_baseline
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_dossier_binding"
down_revision: str | None = "0001_baseline"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "dossier_binding",
        sa.Column("dossier_id", sa.String(length=64), nullable=False),
        sa.Column("agency_code", sa.String(length=64), nullable=False),
        sa.Column("procedure_code", sa.String(length=64), nullable=False),
        sa.Column("applicant_personal_id", sa.String(length=12), nullable=False),
        sa.Column("applicant_pseudonym", sa.String(length=64), nullable=False),
        sa.Column("officer_id", sa.String(length=128), nullable=False),
        sa.Column("opened_by", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dossier_id"),
        if_not_exists=True,
    )
    op.create_index(
        "ix_dossier_binding_agency_code", "dossier_binding", ["agency_code"], unique=False, if_not_exists=True
    )


def downgrade() -> None:
    op.drop_index("ix_dossier_binding_agency_code", table_name="dossier_binding")
    op.drop_table("dossier_binding")
