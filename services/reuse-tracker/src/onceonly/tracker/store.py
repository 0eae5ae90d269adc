"""The tracker's own tables: per-dossier state, lookups, and the aggregate cubes that queries read.

The tracker owns its database and its own SQLModel registry, so ``create_all`` here never creates
another service's tables. The applied-event ids live beside the consume loop in ``onceonly.common``.

Instants are stored as integer microseconds since the Unix epoch (UTC): the ingest path writes them
through the driver's ``executemany`` without any per-value type processing, and they compare exactly.

Every schema change here ships as a migration in ``onceonly.tracker.migrations`` (a test compares the
two); ``onceonly-tracker rebuild`` still recomputes the content from the topic.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import BigInteger, Boolean, Column, Engine, Index, Integer, String, Table
from sqlalchemy.orm import registry
from sqlmodel import AutoString, Field, SQLModel

from onceonly.common import migrations
from onceonly.tracker.cube import DIMENSIONS, LATER_MEASURES, MEASURES
from onceonly.tracker.handlers import FIELDS, INSTANTS, DossierState, state_row


class Base(SQLModel, registry=registry()):
    pass


# Integer fields that need 64 bits (a fee in đồng); instants are 64-bit too.
_WIDE: dict[str, type[BigInteger]] = {"fee": BigInteger}


def _dossier_table() -> Table:
    """One dossier's state, a row from its first event on: ``handlers.DossierState``'s fields in its
    order, as a state row holds them (``handlers.state_row``): an instant in µs since the epoch (UTC),
    NULL when unknown; a tuple as JSON text, "" when empty."""
    hints = typing.get_type_hints(DossierState)
    defaults = dict(zip(FIELDS, state_row(DossierState("")), strict=True))
    # Columns added after the table was first made (the fields from ``origin`` on: fields are only ever
    # appended) carry a server default, which their migrations needed for the rows already there.
    added_later = set(FIELDS[FIELDS.index("origin") :])
    columns: list[Column[Any]] = []
    for name in FIELDS:
        hint = hints[name]
        if name == "dossier_id":
            columns.append(Column(name, AutoString, primary_key=True, index=False))
        elif name in INSTANTS:
            columns.append(Column(name, BigInteger, nullable=True, index=False))
        else:
            kind: Any = Boolean if hint is bool else (_WIDE.get(name, Integer) if hint is int else AutoString)
            default = defaults[name]
            columns.append(
                Column(
                    name,
                    kind,
                    nullable=False,
                    default=default,
                    server_default=str(default) if name in added_later else None,
                    index=False,
                )
            )
    # On SQLite the rows live in the primary key's B-tree (WITHOUT ROWID): an ingested state is one
    # B-tree write fewer than a rowid table with its key index beside it.
    table = Table("tracker_dossier", Base.metadata, *columns, sqlite_with_rowid=False)
    # Covering for the stale-lookups report: the pending dossiers' ids straight from the index.
    Index("ix_tracker_dossier_pending", table.c.received, table.c.first_lookup_at, table.c.dossier_id)
    return table


DOSSIER = _dossier_table()


class Lookup(Base, table=True):
    """Every DataReused event, kept for the stale-lookups and misuse reports (``occurred_at`` in epoch
    µs, 0 when the event carried no time). ``applicant`` is the dossier's applicant as the gateway had
    it bound at lookup time ("" in events written before the binding), ``subject`` the pseudonym of the
    person looked up, ``relation`` a ``SubjectRelation`` value."""

    __tablename__ = "tracker_lookup"
    # Covering for the stale-lookups report: a pending dossier's lookups without touching the table.
    __table_args__ = (
        Index("ix_tracker_lookup_dossier", "dossier_id", "occurred_at", "agency", "source"),
        {"sqlite_with_rowid": False},
    )

    event_id: str = Field(primary_key=True)
    dossier_id: str
    agency: str = ""
    source: int = 0
    outcome: int = 0
    occurred_at: int = Field(default=0, sa_type=BigInteger)
    procedure: str = Field(default="", sa_column_kwargs={"server_default": ""})
    applicant: str = Field(default="", sa_column_kwargs={"server_default": ""})
    subject: str = Field(default="", sa_column_kwargs={"server_default": ""})
    relation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class CatalogLevel(Base, table=True):
    """The procedure catalog as it stood: one row per procedure of each ``CatalogSnapshot`` (a
    province's whole catalog as of an instant, epoch µs), so the catalog of any past day is the last
    snapshot of that province at or before it. ``level`` is a ``ServiceLevel`` value."""

    __tablename__ = "tracker_catalog_level"
    __table_args__ = ({"sqlite_with_rowid": False},)

    province: str = Field(primary_key=True)
    as_of: int = Field(primary_key=True, sa_type=BigInteger)
    procedure: str = Field(primary_key=True)
    level: int = 0


class Receipt(Base, table=True):
    """What the drill-down lists of a received dossier beyond its state: its components as the last
    receipt gave them (JSON, a list of [code, ``ComponentState``]). Apart from ``tracker_dossier`` so
    that the hot state rows and their reads stay as they were; written once per receipt."""

    __tablename__ = "tracker_receipt"
    __table_args__ = ({"sqlite_with_rowid": False},)

    dossier_id: str = Field(primary_key=True)
    components: str = ""


class Name(Base, table=True):
    """The name beside a code (``kind`` agency or procedure), as the latest receipt (by its time,
    epoch µs) carried it: ``name`` in Vietnamese, ``name_en`` where the catalog has one."""

    __tablename__ = "tracker_name"
    __table_args__ = ({"sqlite_with_rowid": False},)

    kind: str = Field(primary_key=True)
    code: str = Field(primary_key=True)
    name: str = ""
    name_en: str = ""
    as_of: int = Field(default=0, sa_type=BigInteger)


class ReuseFlow(Base, table=True):
    """Where reuse comes from and what could have been reused (``handlers.flows``), summed per receipt
    month: ``kind`` ``reask`` (source ""), ``issuer`` (source: the issuing agency) or ``home`` (source:
    the applicant's home province, non-jurisdictional dossiers), per receiving agency, procedure,
    province of the day and origin; ``dossiers`` and a ``count`` whose meaning is the kind's."""

    __tablename__ = "tracker_reuse_flow"
    __table_args__ = ({"sqlite_with_rowid": False},)

    kind: str = Field(primary_key=True)
    month: str = Field(primary_key=True)
    source: str = Field(primary_key=True)
    agency: str = Field(primary_key=True)
    procedure: str = Field(primary_key=True)
    province: str = Field(primary_key=True)
    origin: str = Field(primary_key=True)
    dossiers: int = 0
    count: int = 0


class ClosedPeriod(Base, table=True):
    """A period an operator closed: its figures as published (JSON) and their SHA-256, never changed
    afterwards; the live figures go on counting later events."""

    __tablename__ = "tracker_closed_period"

    period: str = Field(primary_key=True)
    closed_at: int = Field(sa_type=BigInteger)
    closed_by: str = ""
    content_sha256: str
    body: str


Period = Literal["month", "year"]


@dataclass(frozen=True, slots=True)
class Cube:
    """A summary table: the counters of ``MEASURES`` per ``period`` (a ``month`` column, YYYY-MM, or a
    ``year`` column, YYYY) and the cube's ``dimensions``."""

    table: Table
    dimensions: tuple[str, ...]
    period: Period = "month"

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.period, *self.dimensions)


def _cube(
    name: str,
    dimensions: tuple[str, ...],
    key_order: tuple[str, ...],
    *indexes: tuple[str, ...],
    period: Period = "month",
) -> Cube:
    """``key_order`` orders the primary key (its leading column is the one filters hit most); every
    cube ends its key with ``origin``, so any query can filter or break down by it."""
    dimensions = (*(d for d in dimensions if d != "origin"), "origin")
    key_order = (*key_order, "origin")
    assert set(key_order) == {period, *dimensions}, name
    columns: list[Column[Any]] = [
        Column(k, String, primary_key=True, server_default="live" if k == "origin" else None)
        for k in key_order
    ]
    # Measures added after the cubes were first made carry a server default, which their migration
    # needed to add them to rows already there.
    columns += [
        Column(m, Integer, nullable=False, default=0, server_default="0" if m in LATER_MEASURES else None)
        for m in MEASURES
    ]
    # On SQLite the rows live in the primary key's B-tree (no rowid table beside it), so a scan in key
    # order, which every GROUP BY over the leading column is, reads the cube sequentially.
    table = Table(name, Base.metadata, *columns, sqlite_with_rowid=False)
    for i, index in enumerate(indexes):
        Index(f"ix_{name}_{i}", *(table.c[c] for c in index))
    return Cube(table, dimensions, period)


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


LOOKUP = _table(Lookup)
CATALOG = _table(CatalogLevel)
CLOSED = _table(ClosedPeriod)
REUSE_FLOW = _table(ReuseFlow)
RECEIPT = _table(Receipt)
NAME = _table(Name)

# A query reads the first cube that holds every dimension it filters or groups by: smallest first,
# except where a bigger cube is keyed for the query (procedure × province before agency × procedure).
# Agency implies province (an agency sits in one province), so carrying province beside agency costs
# (almost) no rows. The sizes in the comments are for a national year (34 provinces, ~1,000 agencies,
# a few hundred procedures in use, 20 million dossiers). Every cube keeps its rows in key order, and
# the key leads with what its queries filter or group by, so a breakdown is one range scan grouped in
# key order (no sort, no lookups through a secondary index). Fewer cubes and indexes also mean fewer
# writes per ingested batch: the per-agency and per-procedure cubes leave channel and jurisdiction to
# the finer cubes (a channel cut of one agency or procedure reads a few thousand rows there).
#
# The yearly cubes serve what asks for whole years (a year, or no period), unless it breaks down by
# month or quarter: the wide breakdowns (every agency, every procedure, the procedures of a province,
# the agencies of a procedure) then read one row per key instead of twelve and sum nothing.
# The finest cube's key: province_2025 follows from province, commune from agency, sector from procedure.
_FINEST_KEY = (
    "procedure", "agency", "month", "province_2025", "province", "commune", "sector", "channel",
    "jurisdiction",
)  # fmt: skip
CUBES: tuple[Cube, ...] = (
    # ~70 rows: the national headline and its channel/jurisdiction cuts.
    _cube("tracker_cube_national", ("channel", "jurisdiction"), ("month", "channel", "jurisdiction")),
    # ~2,500 rows: national and provincial figures.
    _cube(
        "tracker_cube_province",
        ("province", "channel", "jurisdiction"),
        ("province", "month", "channel", "jurisdiction"),
    ),
    # ~40,000 rows a year (3,300 communes): per commune within its province, and the provinces on
    # today's map (a function of the province of the day, so it adds no rows).
    _cube(
        "tracker_cube_commune",
        ("province_2025", "province", "commune", "channel", "jurisdiction"),
        ("province_2025", "province", "commune", "month", "channel", "jurisdiction"),
    ),
    # ~10,000 rows a year: per sector (a ministry's area), nationally and per province.
    _cube(
        "tracker_cube_sector",
        ("sector", "province_2025", "province", "channel", "jurisdiction"),
        ("sector", "month", "province_2025", "province", "channel", "jurisdiction"),
    ),
    # ~400 rows a year; then ~5,000 rows: per procedure, nationally.
    _cube("tracker_cube_procedure_year", ("procedure",), ("procedure", "year"), period="year"),
    _cube("tracker_cube_procedure", ("procedure",), ("procedure", "month")),
    # ~1,000 rows a year; then ~12,000 rows: per agency (and so per province).
    _cube("tracker_cube_agency_year", ("agency", "province"), ("agency", "year", "province"), period="year"),
    _cube(
        "tracker_cube_agency", ("agency", "province"), ("agency", "month", "province"), ("province", "month")
    ),
    # ~60,000 rows a year; then ~800,000 rows: procedure × province with the channel and jurisdiction
    # cuts (a procedure within a province, and any mix of procedure, province, channel and jurisdiction
    # filters).
    _cube(
        "tracker_cube_province_procedure_year",
        ("province", "procedure", "channel", "jurisdiction"),
        ("province", "procedure", "year", "channel", "jurisdiction"),
        ("procedure", "year"),
        period="year",
    ),
    _cube(
        "tracker_cube_province_procedure",
        ("province", "procedure", "channel", "jurisdiction"),
        ("province", "procedure", "month", "channel", "jurisdiction"),
        ("procedure", "month"),
    ),
    # ~40,000 rows a year; then ~500,000 rows: agency × procedure without the channel and jurisdiction
    # cuts (the agencies of one procedure, the procedures of one agency). After the procedure × province
    # cube, which serves procedure with province alone.
    _cube(
        "tracker_cube_agency_procedure_year",
        ("agency", "procedure", "province"),
        ("procedure", "agency", "year", "province"),
        ("agency", "year"),
        period="year",
    ),
    _cube(
        "tracker_cube_agency_procedure",
        ("agency", "procedure", "province"),
        ("procedure", "agency", "month", "province"),
        ("agency", "month"),
    ),
    # Every dimension (~2.5 million rows): what no coarser cube answers, i.e. agency with procedure,
    # channel or jurisdiction, or commune or sector with anything else. Led by procedure (agencies of one
    # procedure in one range); agency by index. Commune follows agency and sector procedure, so neither
    # adds rows.
    _cube(
        "tracker_cube",
        DIMENSIONS,
        _FINEST_KEY,
        ("agency", "month"),
    ),
)


# The cube every other one sums up (each is a function of it): the one ``rebuild`` writes per batch.
FINEST = next(c for c in CUBES if c.dimensions == (*DIMENSIONS,) and c.period == "month")


def create_tables(engine: Engine) -> None:
    """Bring the store (with the applied-event ids) to this release's schema, under the migration lock."""
    from onceonly.tracker.migrations import STORE

    migrations.upgrade(engine, STORE)


def drop_tables(engine: Engine) -> None:
    """Drop the store, the applied-event ids and the schema revision: ``create_tables`` starts afresh."""
    from onceonly.tracker.migrations import STORE

    migrations.drop(engine, STORE)
