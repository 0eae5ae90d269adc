"""Misuse report: each dossier's applicant and population-database hits, each lookup's procedure,
bound applicant, subject and relation.

Rows written before keep "" and 0 in the new columns (events before the binding carried none).

Revision ID: 0002_misuse_report
Revises: 0001_baseline
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_misuse_report"
down_revision: str | None = "0001_baseline"
branch_labels: str | None = None
depends_on: str | None = None

LOOKUP_TEXT = ("procedure", "applicant", "subject")


def upgrade() -> None:
    # A NOT NULL column needs a default for the rows already there; the model's applicant has none, so
    # it is dropped again once they have it (SQLite by copying the table, kept WITHOUT ROWID).
    op.add_column("tracker_dossier", sa.Column("applicant", sa.String(), nullable=False, server_default=""))
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "tracker_dossier", recreate="always", table_kwargs={"sqlite_with_rowid": False}
        ) as batch:
            batch.alter_column("applicant", server_default=None)
    else:
        op.alter_column("tracker_dossier", "applicant", server_default=None)
    op.add_column(
        "tracker_dossier", sa.Column("population_hits", sa.String(), nullable=False, server_default="")
    )
    for name in LOOKUP_TEXT:
        op.add_column("tracker_lookup", sa.Column(name, sa.String(), nullable=False, server_default=""))
    op.add_column("tracker_lookup", sa.Column("relation", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    for table, column in [
        ("tracker_lookup", "relation"),
        *(("tracker_lookup", name) for name in reversed(LOOKUP_TEXT)),
        ("tracker_dossier", "population_hits"),
        ("tracker_dossier", "applicant"),
    ]:
        # SQLite (3.35+) drops an unindexed column in place: no copy, the table stays WITHOUT ROWID.
        op.execute(f'ALTER TABLE {table} DROP COLUMN "{column}"')
