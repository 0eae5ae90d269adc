"""The catalog's history of service levels: per province and procedure, the level from each day on.

A store from before has no history; ``onceonly-lookup seed`` fills it (or any writer of the table).

Revision ID: 0002_procedure_levels
Revises: 0001_baseline
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_procedure_levels"
down_revision: str | None = "0001_baseline"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "procedure_level",
        sa.Column("province", sa.String(length=64), nullable=False),
        sa.Column("procedure_code", sa.String(length=32), nullable=False),
        sa.Column("effective_from", sa.String(length=10), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("province", "procedure_code", "effective_from"),
    )


def downgrade() -> None:
    op.drop_table("procedure_level")
