"""Origin dimension: each dossier's origin (``live`` or ``imported``), and ``origin`` ending the key of
every cube.

Everything stored before is live: the dossiers and cube rows get ``live``. A cube's key cannot be
widened in place on SQLite, so each cube is copied into a table with the new key (WITHOUT ROWID, as
the model makes it) and takes its name; PostgreSQL does the same, so both run one path. Down again,
the live and imported rows of one old key are summed into one.

Not compatible with the release before: its upserts name the old key, which no longer has a unique
constraint. Stop the previous release's trackers (scale to zero) before this one migrates.

Revision ID: 0003_origin_dimension
Revises: 0002_misuse_report
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_origin_dimension"
down_revision: str | None = "0002_misuse_report"
branch_labels: str | None = None
depends_on: str | None = None

MEASURES = (
    "received",
    "reused",
    "population",
    "input_digital",
    "online",
    "fee_carried",
    "paid_online",
    "non_jurisdictional",
    "resolved",
    "output_digital",
    "on_time",
)

# Each cube as this revision leaves it: its key before origin was appended, and its indexes.
CUBES: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, ...], ...]], ...] = (
    ("tracker_cube_national", ("month", "channel", "jurisdiction"), ()),
    ("tracker_cube_province", ("province", "month", "channel", "jurisdiction"), ()),
    ("tracker_cube_procedure_year", ("procedure", "year"), ()),
    ("tracker_cube_procedure", ("procedure", "month"), ()),
    ("tracker_cube_agency_year", ("agency", "year", "province"), ()),
    ("tracker_cube_agency", ("agency", "month", "province"), (("province", "month"),)),
    (
        "tracker_cube_province_procedure_year",
        ("province", "procedure", "year", "channel", "jurisdiction"),
        (("procedure", "year"),),
    ),
    (
        "tracker_cube_province_procedure",
        ("province", "procedure", "month", "channel", "jurisdiction"),
        (("procedure", "month"),),
    ),
    (
        "tracker_cube_agency_procedure_year",
        ("procedure", "agency", "year", "province"),
        (("agency", "year"),),
    ),
    ("tracker_cube_agency_procedure", ("procedure", "agency", "month", "province"), (("agency", "month"),)),
    (
        "tracker_cube",
        ("procedure", "agency", "month", "province", "channel", "jurisdiction"),
        (("agency", "month"),),
    ),
)


def _columns(names: tuple[str, ...]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def _recreate(name: str, keys: tuple[str, ...], indexes: tuple[tuple[str, ...], ...], select: str) -> None:
    """Fill a new table keyed by ``keys`` from ``select`` (over the cube ``name``; its columns in the
    order ``keys``, then the measures), drop the cube and give the new table its name and indexes."""
    staging = f"{name}_migrating"
    columns: list[sa.Column[object]] = [
        sa.Column(k, sa.String(), nullable=False, server_default="live" if k == "origin" else None)
        for k in keys
    ]
    columns += [sa.Column(m, sa.Integer(), nullable=False) for m in MEASURES]
    op.create_table(
        staging, *columns, sa.PrimaryKeyConstraint(*keys, name=f"{staging}_pkey"), sqlite_with_rowid=False
    )
    op.execute(f"INSERT INTO {staging} ({_columns((*keys, *MEASURES))}) {select}")
    op.drop_table(name)
    op.rename_table(staging, name)
    if op.get_bind().dialect.name == "postgresql":
        # The key keeps the staging table's constraint name through the rename; give it the usual one.
        op.execute(f'ALTER TABLE {name} RENAME CONSTRAINT "{staging}_pkey" TO "{name}_pkey"')
    for i, index in enumerate(indexes):
        op.create_index(f"ix_{name}_{i}", name, list(index))


def upgrade() -> None:
    op.add_column("tracker_dossier", sa.Column("origin", sa.String(), nullable=False, server_default="live"))
    for name, keys, indexes in CUBES:
        select = f"SELECT {_columns(keys)}, 'live', {_columns(MEASURES)} FROM {name}"  # noqa: S608
        _recreate(name, (*keys, "origin"), indexes, select)


def downgrade() -> None:
    for name, keys, indexes in CUBES:
        sums = ", ".join(f'SUM("{m}")' for m in MEASURES)
        select = f"SELECT {_columns(keys)}, {sums} FROM {name} GROUP BY {_columns(keys)}"  # noqa: S608
        _recreate(name, keys, indexes, select)
    op.execute('ALTER TABLE tracker_dossier DROP COLUMN "origin"')
