"""Avoidable re-asks and where reuse comes from: each dossier's re-asked components, the issuers of the
results it reused and the applicant's home province (``tracker_dossier``), and their sums per month
(``tracker_reuse_flow``).

Dossiers stored before read as none of either (their receipts did not carry them);
``onceonly-tracker rebuild`` recomputes both from the topic.

Revision ID: 0008_reuse_flows
Revises: 0007_names_and_receipts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_reuse_flows"
down_revision: str | None = "0007_names_and_receipts"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Added in place (a rebuilt table would lose SQLite's WITHOUT ROWID).
    op.add_column("tracker_dossier", sa.Column("reasks", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("tracker_dossier", sa.Column("issuers", sa.String(), nullable=False, server_default=""))
    op.add_column("tracker_dossier", sa.Column("residence", sa.String(), nullable=False, server_default=""))
    op.create_table(
        "tracker_reuse_flow",
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("month", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("agency", sa.String(), nullable=False),
        sa.Column("procedure", sa.String(), nullable=False),
        sa.Column("province", sa.String(), nullable=False),
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("dossiers", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "month", "source", "agency", "procedure", "province", "origin"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("tracker_reuse_flow")
    for column in ("residence", "issuers", "reasks"):
        op.drop_column("tracker_dossier", column)
