"""The province's report in full: the receipt's service level on each dossier, two more counters in
every cube (online dossiers of full-process procedures, resolutions before the due date's day), the
catalog's service levels over time, and the closed periods with their published figures.

Counters already in the cubes stay as they were; the new ones start at 0 for the rows there. Dossiers
stored before carry no service level (none was kept), so they count no full-process dossier, and their
resolutions counted before are not early: ``onceonly-tracker rebuild`` recomputes both from the topic.

Revision ID: 0005_report_indicators
Revises: 0004_consumer_offsets
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_report_indicators"
down_revision: str | None = "0004_consumer_offsets"
branch_labels: str | None = None
depends_on: str | None = None

CUBES = (
    "tracker_cube_national",
    "tracker_cube_province",
    "tracker_cube_procedure_year",
    "tracker_cube_procedure",
    "tracker_cube_agency_year",
    "tracker_cube_agency",
    "tracker_cube_province_procedure_year",
    "tracker_cube_province_procedure",
    "tracker_cube_agency_procedure_year",
    "tracker_cube_agency_procedure",
    "tracker_cube",
)
MEASURES = ("full_online", "early")


def upgrade() -> None:
    level = sa.Column("service_level", sa.Integer(), nullable=False, server_default="0")
    op.add_column("tracker_dossier", level)
    for cube in CUBES:
        for measure in MEASURES:
            op.add_column(cube, sa.Column(measure, sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "tracker_catalog_level",
        sa.Column("province", sa.String(), nullable=False),
        sa.Column("as_of", sa.BigInteger(), nullable=False),
        sa.Column("procedure", sa.String(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("province", "as_of", "procedure"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "tracker_closed_period",
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("closed_at", sa.BigInteger(), nullable=False),
        sa.Column("closed_by", sa.String(), nullable=False),
        sa.Column("content_sha256", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("period"),
    )


def downgrade() -> None:
    op.drop_table("tracker_closed_period")
    op.drop_table("tracker_catalog_level")
    for cube in CUBES:
        for measure in MEASURES:
            op.drop_column(cube, measure)
    op.drop_column("tracker_dossier", "service_level")
