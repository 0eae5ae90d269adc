"""The tracker's own tables: per-dossier state, lookups, and the aggregate cubes that queries read.

The tracker owns its database and its own SQLModel registry, so ``create_all`` here never creates
another service's tables. The applied-event ids live beside the consume loop in ``onceonly.common``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, Engine, Index, Table
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from onceonly.tracker.cube import DIMENSIONS


class Base(SQLModel, registry=registry()):
    pass


_INSTANT = DateTime(timezone=True)


class Dossier(Base, table=True):
    """One dossier's state (see ``handlers.DossierState``); a row exists from its first event on."""

    __tablename__ = "tracker_dossier"
    __table_args__ = (Index("ix_tracker_dossier_pending", "received", "first_lookup_at"),)

    dossier_id: str = Field(primary_key=True)
    received: bool = False
    agency: str = ""
    procedure: str = ""
    province: str = ""
    channel: str = ""
    jurisdiction: str = ""
    received_at: datetime | None = Field(default=None, sa_type=_INSTANT)
    due_at: datetime | None = Field(default=None, sa_type=_INSTANT)
    fee: int = 0
    paid_online: bool = False
    any_reused: bool = False
    all_digital: bool = False
    population_used: bool = False
    resolved_at: datetime | None = Field(default=None, sa_type=_INSTANT)
    result_electronic: bool = False
    first_lookup_at: datetime | None = Field(default=None, sa_type=_INSTANT)
    lookup_agency: str = ""


class Lookup(Base, table=True):
    """Every DataReused event, kept for the stale-lookups report."""

    __tablename__ = "tracker_lookup"

    event_id: str = Field(primary_key=True)
    dossier_id: str = Field(index=True)
    agency: str = ""
    source: int = 0
    outcome: int = 0
    occurred_at: datetime | None = Field(default=None, sa_type=_INSTANT)


class Measures(SQLModel):
    """The counters of a cube cell (``cube.MEASURES``, same order)."""

    received: int = 0
    reused: int = 0
    population: int = 0
    input_digital: int = 0
    online: int = 0
    fee_carried: int = 0
    paid_online: int = 0
    non_jurisdictional: int = 0
    resolved: int = 0
    output_digital: int = 0
    on_time: int = 0


class CubeCell(Measures, Base, table=True):
    """Counters per (month, agency, procedure, province, channel, jurisdiction)."""

    __tablename__ = "tracker_cube"

    month: str = Field(primary_key=True)
    agency: str = Field(primary_key=True)
    procedure: str = Field(primary_key=True)
    province: str = Field(primary_key=True)
    channel: str = Field(primary_key=True)
    jurisdiction: str = Field(primary_key=True)


class ProvinceCubeCell(Measures, Base, table=True):
    """A roll-up without agency and procedure: national and provincial figures sum far fewer rows."""

    __tablename__ = "tracker_cube_province"

    month: str = Field(primary_key=True)
    province: str = Field(primary_key=True)
    channel: str = Field(primary_key=True)
    jurisdiction: str = Field(primary_key=True)


@dataclass(frozen=True, slots=True)
class Cube:
    table: Table
    dimensions: tuple[str, ...]


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


DOSSIER = _table(Dossier)
LOOKUP = _table(Lookup)
# Coarsest first: a query reads the first cube that holds every dimension it filters or groups by.
CUBES: tuple[Cube, ...] = (
    Cube(_table(ProvinceCubeCell), ("province", "channel", "jurisdiction")),
    Cube(_table(CubeCell), DIMENSIONS),
)


def create_tables(engine: Engine) -> None:
    Base.metadata.create_all(engine)


def drop_tables(engine: Engine) -> None:
    Base.metadata.drop_all(engine)
