"""Baseline: the tracker store as ``create_all`` made it before migrations.

The store: dossier states, lookups, the summary cubes, and the consume loop's applied-event ids.

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
        "tracker_cube",
        sa.Column("procedure", sa.String(), nullable=False),
        sa.Column("agency", sa.String(), nullable=False),
        sa.Column("month", sa.String(), nullable=False),
        sa.Column("province", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("jurisdiction", sa.String(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("reused", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("input_digital", sa.Integer(), nullable=False),
        sa.Column("online", sa.Integer(), nullable=False),
        sa.Column("fee_carried", sa.Integer(), nullable=False),
        sa.Column("paid_online", sa.Integer(), nullable=False),
        sa.Column("non_jurisdictional", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("output_digital", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("procedure", "agency", "month", "province", "channel", "jurisdiction"),
        sqlite_with_rowid=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_tracker_cube_0", "tracker_cube", ["agency", "month"], unique=False, if_not_exists=True
    )
    op.create_table(
        "tracker_cube_agency",
        sa.Column("agency", sa.String(), nullable=False),
        sa.Column("month", sa.String(), nullable=False),
        sa.Column("province", sa.String(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("reused", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("input_digital", sa.Integer(), nullable=False),
        sa.Column("online", sa.Integer(), nullable=False),
        sa.Column("fee_carried", sa.Integer(), nullable=False),
        sa.Column("paid_online", sa.Integer(), nullable=False),
        sa.Column("non_jurisdictional", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("output_digital", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agency", "month", "province"),
        sqlite_with_rowid=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_tracker_cube_agency_0",
        "tracker_cube_agency",
        ["province", "month"],
        unique=False,
        if_not_exists=True,
    )
    op.create_table(
        "tracker_cube_agency_procedure",
        sa.Column("procedure", sa.String(), nullable=False),
        sa.Column("agency", sa.String(), nullable=False),
        sa.Column("month", sa.String(), nullable=False),
        sa.Column("province", sa.String(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("reused", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("input_digital", sa.Integer(), nullable=False),
        sa.Column("online", sa.Integer(), nullable=False),
        sa.Column("fee_carried", sa.Integer(), nullable=False),
        sa.Column("paid_online", sa.Integer(), nullable=False),
        sa.Column("non_jurisdictional", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("output_digital", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("procedure", "agency", "month", "province"),
        sqlite_with_rowid=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_tracker_cube_agency_procedure_0",
        "tracker_cube_agency_procedure",
        ["agency", "month"],
        unique=False,
        if_not_exists=True,
    )
    op.create_table(
        "tracker_cube_agency_procedure_year",
        sa.Column("procedure", sa.String(), nullable=False),
        sa.Column("agency", sa.String(), nullable=False),
        sa.Column("year", sa.String(), nullable=False),
        sa.Column("province", sa.String(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("reused", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("input_digital", sa.Integer(), nullable=False),
        sa.Column("online", sa.Integer(), nullable=False),
        sa.Column("fee_carried", sa.Integer(), nullable=False),
        sa.Column("paid_online", sa.Integer(), nullable=False),
        sa.Column("non_jurisdictional", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("output_digital", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("procedure", "agency", "year", "province"),
        sqlite_with_rowid=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_tracker_cube_agency_procedure_year_0",
        "tracker_cube_agency_procedure_year",
        ["agency", "year"],
        unique=False,
        if_not_exists=True,
    )
    op.create_table(
        "tracker_cube_agency_year",
        sa.Column("agency", sa.String(), nullable=False),
        sa.Column("year", sa.String(), nullable=False),
        sa.Column("province", sa.String(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("reused", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("input_digital", sa.Integer(), nullable=False),
        sa.Column("online", sa.Integer(), nullable=False),
        sa.Column("fee_carried", sa.Integer(), nullable=False),
        sa.Column("paid_online", sa.Integer(), nullable=False),
        sa.Column("non_jurisdictional", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("output_digital", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agency", "year", "province"),
        sqlite_with_rowid=False,
        if_not_exists=True,
    )
    op.create_table(
        "tracker_cube_national",
        sa.Column("month", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("jurisdiction", sa.String(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("reused", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("input_digital", sa.Integer(), nullable=False),
        sa.Column("online", sa.Integer(), nullable=False),
        sa.Column("fee_carried", sa.Integer(), nullable=False),
        sa.Column("paid_online", sa.Integer(), nullable=False),
        sa.Column("non_jurisdictional", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("output_digital", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "channel", "jurisdiction"),
        sqlite_with_rowid=False,
        if_not_exists=True,
    )
    op.create_table(
        "tracker_cube_procedure",
        sa.Column("procedure", sa.String(), nullable=False),
        sa.Column("month", sa.String(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("reused", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("input_digital", sa.Integer(), nullable=False),
        sa.Column("online", sa.Integer(), nullable=False),
        sa.Column("fee_carried", sa.Integer(), nullable=False),
        sa.Column("paid_online", sa.Integer(), nullable=False),
        sa.Column("non_jurisdictional", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("output_digital", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("procedure", "month"),
        sqlite_with_rowid=False,
        if_not_exists=True,
    )
    op.create_table(
        "tracker_cube_procedure_year",
        sa.Column("procedure", sa.String(), nullable=False),
        sa.Column("year", sa.String(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("reused", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("input_digital", sa.Integer(), nullable=False),
        sa.Column("online", sa.Integer(), nullable=False),
        sa.Column("fee_carried", sa.Integer(), nullable=False),
        sa.Column("paid_online", sa.Integer(), nullable=False),
        sa.Column("non_jurisdictional", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("output_digital", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("procedure", "year"),
        sqlite_with_rowid=False,
        if_not_exists=True,
    )
    op.create_table(
        "tracker_cube_province",
        sa.Column("province", sa.String(), nullable=False),
        sa.Column("month", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("jurisdiction", sa.String(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("reused", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("input_digital", sa.Integer(), nullable=False),
        sa.Column("online", sa.Integer(), nullable=False),
        sa.Column("fee_carried", sa.Integer(), nullable=False),
        sa.Column("paid_online", sa.Integer(), nullable=False),
        sa.Column("non_jurisdictional", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("output_digital", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("province", "month", "channel", "jurisdiction"),
        sqlite_with_rowid=False,
        if_not_exists=True,
    )
    op.create_table(
        "tracker_cube_province_procedure",
        sa.Column("province", sa.String(), nullable=False),
        sa.Column("procedure", sa.String(), nullable=False),
        sa.Column("month", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("jurisdiction", sa.String(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("reused", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("input_digital", sa.Integer(), nullable=False),
        sa.Column("online", sa.Integer(), nullable=False),
        sa.Column("fee_carried", sa.Integer(), nullable=False),
        sa.Column("paid_online", sa.Integer(), nullable=False),
        sa.Column("non_jurisdictional", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("output_digital", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("province", "procedure", "month", "channel", "jurisdiction"),
        sqlite_with_rowid=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_tracker_cube_province_procedure_0",
        "tracker_cube_province_procedure",
        ["procedure", "month"],
        unique=False,
        if_not_exists=True,
    )
    op.create_table(
        "tracker_cube_province_procedure_year",
        sa.Column("province", sa.String(), nullable=False),
        sa.Column("procedure", sa.String(), nullable=False),
        sa.Column("year", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("jurisdiction", sa.String(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("reused", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("input_digital", sa.Integer(), nullable=False),
        sa.Column("online", sa.Integer(), nullable=False),
        sa.Column("fee_carried", sa.Integer(), nullable=False),
        sa.Column("paid_online", sa.Integer(), nullable=False),
        sa.Column("non_jurisdictional", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("output_digital", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("province", "procedure", "year", "channel", "jurisdiction"),
        sqlite_with_rowid=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_tracker_cube_province_procedure_year_0",
        "tracker_cube_province_procedure_year",
        ["procedure", "year"],
        unique=False,
        if_not_exists=True,
    )
    op.create_table(
        "tracker_dossier",
        sa.Column("dossier_id", sa.String(), nullable=False),
        sa.Column("received", sa.Boolean(), nullable=False),
        sa.Column("agency", sa.String(), nullable=False),
        sa.Column("procedure", sa.String(), nullable=False),
        sa.Column("province", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("jurisdiction", sa.String(), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=True),
        sa.Column("due_at", sa.BigInteger(), nullable=True),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("paid_online", sa.Boolean(), nullable=False),
        sa.Column("any_reused", sa.Boolean(), nullable=False),
        sa.Column("all_digital", sa.Boolean(), nullable=False),
        sa.Column("population_used", sa.Boolean(), nullable=False),
        sa.Column("resolved_at", sa.BigInteger(), nullable=True),
        sa.Column("result_electronic", sa.Boolean(), nullable=False),
        sa.Column("first_lookup_at", sa.BigInteger(), nullable=True),
        sa.Column("lookup_agency", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("dossier_id"),
        sqlite_with_rowid=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_tracker_dossier_pending",
        "tracker_dossier",
        ["received", "first_lookup_at", "dossier_id"],
        unique=False,
        if_not_exists=True,
    )
    op.create_table(
        "tracker_lookup",
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("dossier_id", sa.String(), nullable=False),
        sa.Column("agency", sa.String(), nullable=False),
        sa.Column("source", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
        sqlite_with_rowid=False,
        if_not_exists=True,
    )
    op.create_index(
        "ix_tracker_lookup_dossier",
        "tracker_lookup",
        ["dossier_id", "occurred_at", "agency", "source"],
        unique=False,
        if_not_exists=True,
    )
    op.create_table(
        "applied_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("applied_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
        sqlite_with_rowid=False,
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_table("applied_events")
    op.drop_table("tracker_lookup")
    op.drop_table("tracker_dossier")
    op.drop_table("tracker_cube_province_procedure_year")
    op.drop_table("tracker_cube_province_procedure")
    op.drop_table("tracker_cube_province")
    op.drop_table("tracker_cube_procedure_year")
    op.drop_table("tracker_cube_procedure")
    op.drop_table("tracker_cube_national")
    op.drop_table("tracker_cube_agency_year")
    op.drop_table("tracker_cube_agency_procedure_year")
    op.drop_table("tracker_cube_agency_procedure")
    op.drop_table("tracker_cube_agency")
    op.drop_table("tracker_cube")
