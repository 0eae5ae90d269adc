"""Places over time and sectors: each dossier's province of today beside the province of its receipt's
day, its agency's commune and its procedure's sector; ``commune`` and ``sector`` in the finest cube's
key; a cube per commune and one per sector.

Dossiers stored before get today's province of their recorded province, and no commune or sector (the
receipts did not carry them): their cube rows go under commune and sector "" (``onceonly-tracker
rebuild`` recomputes everything from the topic). The finest cube's key cannot be widened in place on
SQLite, so it is copied into a table with the new key (as ``0003_origin_dimension`` does), measures and
all as they stand; the two new cubes are summed from it.

Not compatible with the release before (its upserts name the finest cube's old key): stop the previous
release's trackers before this one migrates.

Revision ID: 0006_place_and_sector
Revises: 0005_report_indicators
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from onceonly.common.provinces import UnknownProvince, parse_place

revision = "0006_place_and_sector"
down_revision: str | None = "0005_report_indicators"
branch_labels: str | None = None
depends_on: str | None = None

FINEST = "tracker_cube"
OLD_KEY = ("procedure", "agency", "month", "province", "channel", "jurisdiction", "origin")
NEW_KEY = (
    "procedure",
    "agency",
    "month",
    "province_2025",
    "province",
    "commune",
    "sector",
    "channel",
    "jurisdiction",
    "origin",
)
# The new cubes: name, key.
CUBES = (
    (
        "tracker_cube_commune",
        ("province_2025", "province", "commune", "month", "channel", "jurisdiction", "origin"),
    ),
    (
        "tracker_cube_sector",
        ("sector", "month", "province_2025", "province", "channel", "jurisdiction", "origin"),
    ),
)
DOSSIER_COLUMNS = ("province_2025", "commune", "sector")


def _quoted(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


# A counter column: its name and server default.
Measure = tuple[str, str | None]


def _measures() -> list[Measure]:
    """The finest cube's counters as they stand (every column outside its key), defaults and all: the
    revisions before may have added some."""
    return [
        (column["name"], column.get("default"))
        for column in sa.inspect(op.get_bind()).get_columns(FINEST)
        if column["name"] not in NEW_KEY
    ]


def _key_column(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.String(), nullable=False, server_default="live" if name == "origin" else None)


def _create(name: str, keys: tuple[str, ...], measures: list[Measure]) -> None:
    op.create_table(
        name,
        *(_key_column(k) for k in keys),
        *(
            sa.Column(m, sa.Integer(), nullable=False, server_default=None if d is None else sa.text(str(d)))
            for m, d in measures
        ),
        sa.PrimaryKeyConstraint(*keys, name=f"{name}_pkey"),
        sqlite_with_rowid=False,
    )


def _recreate_finest(keys: tuple[str, ...], select: str, measures: list[Measure]) -> None:
    staging = f"{FINEST}_migrating"
    _create(staging, keys, measures)
    names = [m for m, _ in measures]
    op.execute(f"INSERT INTO {staging} ({_quoted([*keys, *names])}) {select}")
    op.drop_table(FINEST)
    op.rename_table(staging, FINEST)
    if op.get_bind().dialect.name == "postgresql":
        # The key keeps the staging table's constraint name through the rename; give it the usual one.
        op.execute(f'ALTER TABLE {FINEST} RENAME CONSTRAINT "{staging}_pkey" TO "{FINEST}_pkey"')
    op.create_index(f"ix_{FINEST}_0", FINEST, ["agency", "month"])


def _today(province: str) -> str:
    try:
        return parse_place(province).province_2025
    except UnknownProvince:
        return province


def _set_today(table_name: str) -> None:
    """``province_2025`` from ``province`` in every row: one update per province (a few dozen)."""
    bind = op.get_bind()
    table = sa.table(table_name, sa.column("province"), sa.column("province_2025"))
    for (province,) in bind.execute(sa.select(table.c.province).distinct()).all():
        bind.execute(
            table.update().where(table.c.province == province).values(province_2025=_today(province))
        )


def upgrade() -> None:
    for column in DOSSIER_COLUMNS:
        op.add_column("tracker_dossier", sa.Column(column, sa.String(), nullable=False, server_default=""))
    _set_today("tracker_dossier")
    measures = _measures()
    names = [m for m, _ in measures]
    # Rows stored before go under commune and sector "", and today's province of their province.
    copied = ", ".join(f'"{k}"' if k in OLD_KEY else "''" for k in NEW_KEY)
    select = f"SELECT {copied}, {_quoted(names)} FROM {FINEST}"  # noqa: S608
    _recreate_finest(NEW_KEY, select, measures)
    _set_today(FINEST)
    sums = ", ".join(f'SUM("{m}")' for m in names)
    for name, keys in CUBES:
        _create(name, keys, measures)
        op.execute(
            f"INSERT INTO {name} ({_quoted([*keys, *names])}) "  # noqa: S608
            f"SELECT {_quoted(keys)}, {sums} FROM {FINEST} GROUP BY {_quoted(keys)}"
        )


def downgrade() -> None:
    for name, _ in CUBES:
        op.drop_table(name)
    measures = _measures()
    names = [m for m, _ in measures]
    sums = ", ".join(f'SUM("{m}")' for m in names)
    select = f"SELECT {_quoted(OLD_KEY)}, {sums} FROM {FINEST} GROUP BY {_quoted(OLD_KEY)}"  # noqa: S608
    _recreate_finest(OLD_KEY, select, measures)
    for column in reversed(DOSSIER_COLUMNS):
        op.drop_column("tracker_dossier", column)
