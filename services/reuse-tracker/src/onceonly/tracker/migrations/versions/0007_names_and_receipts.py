"""Names beside codes and the drill-down's receipts: ``tracker_name`` holds the agency's and the
procedure's names as the latest receipt carried them, ``tracker_receipt`` each received dossier's
components as its last receipt gave them.

Both start empty: receipts stored before carried no names, and their components were not kept
(``onceonly-tracker rebuild`` fills both from the topic). Compatible with the release before, which
neither reads nor writes them.

Revision ID: 0007_names_and_receipts
Revises: 0006_place_and_sector
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_names_and_receipts"
down_revision: str | None = "0006_place_and_sector"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "tracker_receipt",
        sa.Column("dossier_id", sa.String(), nullable=False),
        sa.Column("components", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("dossier_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "tracker_name",
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("as_of", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "code"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("tracker_name")
    op.drop_table("tracker_receipt")
