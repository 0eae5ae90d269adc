"""Bench-only national data for the tracker: dossiers drawn from one seeded model, as events (for the
ingest scenario) or written straight into the store's cubes (for the query scenario, where 20 million
dossiers through Kafka would take far too long).

Both paths start from the same dossier facts (:func:`facts`); the direct path writes the finest cube's
cells and sums every other cube from them inside the database, and :func:`check_consistency` proves on
a small size that a store built so holds, cell by cell, what one fed the events through the ledger does.

The model: the 34 provinces of 2025, 30 agencies each, 400 procedures of which each agency handles 40
(Zipf-weighted), live dossiers received over the year 2025 in Vietnam's civil time.
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Engine, select

from onceonly.common.provinces import provinces
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker.cube import LIVE, MEASURES
from onceonly.tracker.handlers import CHANNELS, LOCAL, NON_JURISDICTIONAL
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.store import CUBES, Cube, create_tables, drop_tables

# Bump when the dossier events change (the ingest scenario's topic), or the drawn cubes (the query store).
EVENTS_VERSION = 4
VERSION = 8
AGENCIES_PER_PROVINCE = 30
PROCEDURES = 400
PROCEDURES_PER_AGENCY = 40
YEAR_START = 1_735_664_400  # 2025-01-01 00:00 in Vietnam (UTC+7), epoch seconds
YEAR_SECONDS = 365 * 86_400
DUE_SECONDS = 10 * 86_400
_SLOTS = 1024
_CHANNELS = (ev.CHANNEL_ONLINE, ev.CHANNEL_COUNTER, ev.CHANNEL_POSTAL)


class Model:
    """Provinces, agencies and each agency's procedures with their weights, from a fixed seed."""

    def __init__(self, seed: int = 2025) -> None:
        rng = random.Random(seed)
        self.provinces = sorted({p.province_2025 for p in provinces()})
        self.agencies: list[tuple[str, str]] = [
            (f"CQ{pi:02d}-{k:02d}", province)
            for pi, province in enumerate(self.provinces)
            for k in range(AGENCIES_PER_PROVINCE)
        ]
        self.procedures = [f"{i // 100 + 1}.{i % 100 + 1:03d}" for i in range(PROCEDURES)]
        cumulative = list(itertools.accumulate(1 / (i + 1) ** 0.7 for i in range(PROCEDURES)))
        # Uniform over agencies, by table lookup on 10 random bits.
        self.agency_slots = [i * len(self.agencies) // _SLOTS for i in range(_SLOTS)]
        self.procedure_slots: list[list[int]] = []
        for _ in self.agencies:
            chosen: list[int] = []
            while len(chosen) < PROCEDURES_PER_AGENCY:
                (pick,) = rng.choices(range(PROCEDURES), cum_weights=cumulative)
                if pick not in chosen:
                    chosen.append(pick)
            weights = [1 / (r + 1) for r in range(PROCEDURES_PER_AGENCY)]
            total = sum(weights)
            slots: list[int] = []
            for procedure, weight in zip(chosen, weights, strict=True):
                slots += [procedure] * max(1, round(weight / total * _SLOTS))
            self.procedure_slots.append((slots * 2)[:_SLOTS])


Fact = tuple[int, int, int, int, bool, int, bool, bool, bool, bool, int, bool, int, bool, bool]
# index, agency, procedure, channel (0 online, 1 counter, 2 postal), non-jurisdictional, received_s,
# any_reused, all_digital, population hit, a missed results lookup, fee, paid online, resolved_s (0 =
# not yet), result electronic, ghost (looked up, never received)


def facts(model: Model, count: int, seed: int, start: int = 0) -> Iterator[Fact]:
    """``count`` dossiers numbered from ``start``; the same seed gives the same dossiers."""
    bits = random.Random(seed).getrandbits
    agency_slots, procedure_slots = model.agency_slots, model.procedure_slots
    for index in range(start, start + count):
        a = bits(64)
        b = bits(64)
        agency = agency_slots[a & 1023]
        procedure = procedure_slots[agency][(a >> 10) & 1023]
        c = (a >> 20) & 255
        channel = 0 if c < 140 else (1 if c < 243 else 2)
        received_s = YEAR_START + ((a >> 28) & 0xFFFFFFFF) % YEAR_SECONDS
        fee = 20_000 if (b & 255) < 77 else 0
        resolved = ((b >> 32) & 255) < 235
        yield (
            index,
            agency,
            procedure,
            channel,
            ((a >> 60) & 15) < 2,
            received_s,
            ((b >> 8) & 255) < 94,
            ((b >> 16) & 255) < 160,
            ((b >> 24) & 255) < 115,
            ((b >> 40) & 255) < 13,
            fee,
            fee > 0 and ((b >> 48) & 255) < 154,
            received_s + 3600 + ((b >> 56) & 0xFF) * 5_400 if resolved else 0,
            ((b >> 20) & 15) < 13,
            ((b >> 28) & 511) == 0,
        )


def sector_of(procedure: int) -> str:
    """The sector of the model's procedure: seven areas, as the catalog's (the agencies have no commune)."""
    return _SECTORS[procedure % len(_SECTORS)]


_SECTORS = ("civil_status", "residence", "judicial_records", "land", "business", "construction", "labour")


def dossier_id(index: int) -> str:
    return f"BD{index:010d}"


def _stamp(ts: Any, seconds: int) -> None:
    ts.seconds = seconds


def events_of(model: Model, fact: Fact, rng: random.Random) -> list[ev.Envelope]:
    """The events a gateway would emit for this dossier, in order."""
    (index, agency, procedure, channel, nonjur, received_s, reused, digital, population, miss) = fact[:10]
    fee, paid, resolved_s, electronic, ghost = fact[10:]
    agency_code, province = model.agencies[agency]
    procedure_code = model.procedures[procedure]
    did = dossier_id(index)
    out: list[ev.Envelope] = []

    def envelope(at: int) -> ev.Envelope:
        e = ev.Envelope(event_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), producer="bench")
        _stamp(e.occurred_at, at)
        out.append(e)
        return e

    # Every lookup is bound to the dossier's applicant and reads the applicant, as the gateway's are.
    applicant = f"p{index}"
    if population or ghost:
        u = envelope(received_s - 300).data_reused
        u.dossier_id, u.agency_code, u.procedure_code = did, agency_code, procedure_code
        u.source, u.outcome = ev.DATA_SOURCE_POPULATION_DATABASE, ev.LOOKUP_OUTCOME_HIT
        u.applicant_pseudonym = u.subject_pseudonym = applicant
        u.subject_relation = ev.SUBJECT_RELATION_APPLICANT
    if ghost:
        return out
    if miss:
        u = envelope(received_s - 200).data_reused
        u.dossier_id, u.agency_code, u.procedure_code = did, agency_code, procedure_code
        u.source, u.outcome = ev.DATA_SOURCE_DIGITIZED_RESULT, ev.LOOKUP_OUTCOME_MISS
        u.applicant_pseudonym = u.subject_pseudonym = applicant
        u.subject_relation = ev.SUBJECT_RELATION_APPLICANT
    r = envelope(received_s).dossier_received
    r.dossier_id, r.agency_code, r.agency_province, r.procedure_code = (
        did,
        agency_code,
        province,
        procedure_code,
    )
    r.applicant_pseudonym = applicant
    r.procedure_sector = sector_of(procedure)
    r.origin = ev.DOSSIER_ORIGIN_LIVE
    r.channel = _CHANNELS[channel]
    r.non_jurisdictional = nonjur
    r.fee, r.fee_paid_online = fee, paid
    _stamp(r.received_at, received_s)
    _stamp(r.due_at, received_s + DUE_SECONDS)
    first = ev.COMPONENT_STATE_REUSED_RESULT if reused else ev.COMPONENT_STATE_DIGITIZED
    second = ev.COMPONENT_STATE_DIGITIZED if digital else ev.COMPONENT_STATE_NOT_DIGITIZED
    if not reused and not digital:
        first = ev.COMPONENT_STATE_DIGITIZED
    r.components.add(code="TP1", state=first)
    r.components.add(code="TP2", state=second)
    if resolved_s:
        s = envelope(resolved_s).dossier_resolved
        s.dossier_id, s.result_electronic = did, electronic
        s.outcome = ev.RESOLUTION_OUTCOME_APPROVED
        _stamp(s.resolved_at, resolved_s)
    return out


def event_stream(model: Model, dossiers: int, seed: int, window: int = 2_000) -> Iterator[ev.Envelope]:
    """Every event of ``dossiers`` dossiers; within windows of ``window`` dossiers, in time order."""
    rng = random.Random(seed + 1)
    pending: list[tuple[int, int, ev.Envelope]] = []
    for fact in facts(model, dossiers, seed):
        for n, e in enumerate(events_of(model, fact, rng)):
            pending.append((e.occurred_at.seconds, n, e))
        if fact[0] % window == window - 1:
            pending.sort(key=lambda t: (t[0], t[1]))
            yield from (e for _, _, e in pending)
            pending.clear()
    pending.sort(key=lambda t: (t[0], t[1]))
    yield from (e for _, _, e in pending)


# -- the cube, drawn per cell -------------------------------------------------------------------------
#
# The query store holds 20 million dossiers: drawing them one by one in Python would take most of an
# hour, and queries read only the cubes. So the direct path draws counts per receipt cell (procedure,
# agency, channel, jurisdiction, month) from the same model: the number of dossiers from its expected
# value, then every counter as a share of the count it is a part of (reused of received, paid of fee,
# on time of resolved...), each rounded up or down at random so the expectations hold. The counts of a
# cell are consistent by construction (no counter exceeds its denominator), and a cell can be turned
# back into dossiers and their events (:func:`cell_facts`), which is how :func:`check_consistency`
# proves on a small size that the directly written cubes equal the ledger-fed ones.

_P_CHANNEL = (140 / 256, 103 / 256, 13 / 256)
_P_NONJUR = 2 / 16
_MONTH_START = [  # epoch seconds of 00:00 Vietnam time on the 1st, January 2025 to February 2026
    YEAR_START + sum((31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31)[:m]) * 86_400 for m in range(14)
]
_P_MONTH = [(_MONTH_START[m + 1] - _MONTH_START[m]) / YEAR_SECONDS for m in range(12)]
_MONTH_NAMES = [f"{2025 + m // 12}-{m % 12 + 1:02d}" for m in range(13)]
_P_REUSED, _P_POPULATION, _P_DIGITAL = 94 / 256, 115 / 256, 160 / 256
_P_FEE, _P_PAID, _P_RESOLVED = 77 / 256, 154 / 256, 235 / 256
_P_ON_TIME, _P_ELECTRONIC = 160 / 256, 13 / 16
_MEAN_DELAY_DAYS = (3600 + 127.5 * 5400) / 86_400
_DAY = 86_400

# One receipt cell: procedure, agency, channel, non-jurisdictional, month index (0 = January 2025), and
# counts: received, reused, population, all digital, fee, paid online, then resolved in the same month
# (count, on time, electronic) and resolved in the next month (count, on time, electronic).
DrawnCell = tuple[int, int, int, bool, int, tuple[int, ...]]


def _by_procedure(model: Model) -> list[list[tuple[int, float]]]:
    """For each procedure, the agencies handling it and P(agency and procedure)."""
    agency_share = [0.0] * len(model.agencies)
    for a in model.agency_slots:
        agency_share[a] += 1 / _SLOTS
    out: list[list[tuple[int, float]]] = [[] for _ in model.procedures]
    for agency, slots in enumerate(model.procedure_slots):
        counts: dict[int, int] = {}
        for procedure in slots:
            counts[procedure] = counts.get(procedure, 0) + 1
        for procedure, n in counts.items():
            out[procedure].append((agency, agency_share[agency] * n / _SLOTS))
    return out


def draw_cells(
    model: Model, dossiers: int, seed: int, procedures: range | None = None
) -> Iterator[DrawnCell]:
    """The non-empty receipt cells of ``dossiers`` dossiers, procedure by procedure (each procedure from
    its own seed, so any range of procedures draws the same cells)."""
    by_procedure = _by_procedure(model)
    cut = [(c, m, j, pc * pm * pj)
           for m, pm in enumerate(_P_MONTH)
           for c, pc in enumerate(_P_CHANNEL)
           for j, pj in ((False, 1 - _P_NONJUR), (True, _P_NONJUR))]  # fmt: skip
    # A resolution falls in the next month when the delay crosses the month's end.
    spill_share = [min(1.0, _MEAN_DELAY_DAYS * _DAY / (p * YEAR_SECONDS)) for p in _P_MONTH]
    for procedure in procedures if procedures is not None else range(len(model.procedures)):
        rnd = random.Random(seed * 1_000_003 + procedure).random

        def share(n: int, p: float, rnd: Callable[[], float] = rnd) -> int:
            x = n * p
            k = int(x)
            return k + (rnd() < x - k)

        for agency, weight in by_procedure[procedure]:
            base = dossiers * weight
            for channel, month, nonjur, p in cut:
                n = share(1, base * p)
                if not n:
                    continue
                fee = share(n, _P_FEE)
                resolved = share(n, _P_RESOLVED)
                spill = share(resolved, spill_share[month])
                stay = resolved - spill
                yield (procedure, agency, channel, nonjur, month, (
                    n, share(n, _P_REUSED), share(n, _P_POPULATION), share(n, _P_DIGITAL), fee,
                    share(fee, _P_PAID), stay, share(stay, _P_ON_TIME), share(stay, _P_ELECTRONIC),
                    spill, share(spill, _P_ON_TIME), share(spill, _P_ELECTRONIC),
                ))  # fmt: skip


CellKey = tuple[str, str, str, str, str, str, str, str, str, str]
Cells = dict[CellKey, list[int]]


def cells_of(model: Model, drawn: Iterator[DrawnCell]) -> Cells:
    """The finest cube cells (as the handlers count them) of drawn receipt cells."""
    channels = [CHANNELS[c] for c in _CHANNELS]
    cells: Cells = {}

    def add(key: CellKey, vector: list[int]) -> None:
        total = cells.get(key)
        if total is None:
            cells[key] = vector
        else:
            for i in range(len(MEASURES)):
                total[i] += vector[i]

    for procedure, agency, channel, nonjur, month, k in drawn:
        code, province = model.agencies[agency]
        procedure_code, channel_name = model.procedures[procedure], channels[channel]
        jurisdiction = NON_JURISDICTIONAL if nonjur else LOCAL
        sector = sector_of(procedure)
        n, reused, population, digital, fee, paid, stay, stay_ot, stay_el, spill, spill_ot, spill_el = k
        receipt = [n, reused, population, digital, n if channel == 0 else 0, fee, paid, n if nonjur else 0]
        # The events carry no service level (no full-process dossier), and every on-time resolution of
        # ``cell_facts`` comes days before its due date's day (early).
        # The model's provinces are today's (province_2025 = province); its agencies have no commune.
        dims = (code, procedure_code, province, channel_name, jurisdiction, "", sector, province, LIVE)
        add((_MONTH_NAMES[month], *dims), [*receipt, stay, stay_el, stay_ot, 0, stay_ot])
        if spill:
            add((_MONTH_NAMES[month + 1], *dims), [0] * 8 + [spill, spill_el, spill_ot, 0, spill_ot])
    return cells


def cell_facts(drawn: Iterator[DrawnCell], start: int = 0) -> Iterator[Fact]:
    """Dossiers matching drawn receipt cells exactly (the events of these give the same cube cells)."""
    index = start
    for procedure, agency, channel, nonjur, month, k in drawn:
        n, reused, population, digital, fee, paid, stay, stay_ot, stay_el, spill, spill_ot, spill_el = k
        first_day = _MONTH_START[month] + 10 * 3600
        last_day = _MONTH_START[month + 1] - 14 * 3600
        for i in range(n):
            if i < stay:  # resolved the same month: received on the 1st, on time after 2 days, else 19
                received_s, resolved_s = first_day, first_day + (2 if i < stay_ot else 19) * _DAY
                electronic = i < stay_el
            elif i < stay + spill:  # resolved the next month: received on the last day, +3 or +15 days
                j = i - stay
                received_s, resolved_s = last_day, last_day + (3 if j < spill_ot else 15) * _DAY
                electronic = j < spill_el
            else:
                received_s, resolved_s, electronic = first_day, 0, False
            yield (index, agency, procedure, channel, nonjur, received_s, i < reused, i < digital,
                   i < population, False, 20_000 if i < fee else 0, i < paid, resolved_s, electronic,
                   False)  # fmt: skip
            index += 1


def ghost_facts(model: Model, dossiers: int, start: int) -> Iterator[Fact]:
    """Dossiers looked up whose receipt never arrives (1 in 512), spread over agencies and the year."""
    count = dossiers // 512
    for g in range(count):
        agency = g * len(model.agencies) // count
        received_s = YEAR_START + g * (YEAR_SECONDS // count)
        yield (start + g, agency, model.procedure_slots[agency][0], 0, False, received_s,
               False, False, True, False, 0, False, 0, False, True)  # fmt: skip


def _apply_events(engine: Engine, events: list[ev.Envelope]) -> None:
    for start in range(0, len(events), 2_000):
        with engine.begin() as conn:
            apply_batch(conn, events[start : start + 2_000])


# ``cells_of`` keys
_CELL = (
    "month", "agency", "procedure", "province", "channel", "jurisdiction", "commune", "sector",
    "province_2025", "origin",
)  # fmt: skip


def _columns(cube: Cube) -> list[str]:
    return [c.name for c in cube.table.primary_key.columns]


def _roll_up(cube: Cube, built: list[Cube]) -> str:
    """The INSERT that sums ``cube`` from the smallest cube in ``built`` holding its keys (a year is its
    month's first four characters)."""

    def holds(source: Cube) -> bool:
        wanted = {("month" if k == "year" and source.period == "month" else k) for k in cube.keys}
        return wanted <= set(source.keys)

    source = min((c for c in built if holds(c)), key=lambda c: len(c.keys))
    keys = _columns(cube)
    exprs = ", ".join("substr(month, 1, 4)" if k == "year" and source.period == "month" else k for k in keys)
    sums = ", ".join(f"SUM({m})" for m in MEASURES)
    return (
        f"INSERT INTO {cube.table.name} ({', '.join((*keys, *MEASURES))}) "
        f"SELECT {exprs}, {sums} FROM {source.table.name} GROUP BY {exprs}"
    )


def write_direct(engine: Engine, model: Model, dossiers: int, seed: int) -> int:
    """Empty the store and write the cubes of ``dossiers`` dossiers directly, plus the ghost dossiers'
    lookups through the ledger (received dossiers get no per-dossier row). Returns the ghost count.

    The finest cube's cells go in in key order, procedure by procedure; every other cube is then summed
    once from the smallest one already written (INSERT ... SELECT ... GROUP BY), rather than upserted
    chunk by chunk through the ledger's per-batch roll-up."""
    drop_tables(engine)
    create_tables(engine)
    finest = next(c for c in CUBES if len(c.dimensions) == len(_CELL) - 1 and c.period == "month")
    order = [_CELL.index(k) for k in _columns(finest)]
    insert = (
        f"INSERT INTO {finest.table.name} ({', '.join((*_columns(finest), *MEASURES))}) "
        f"VALUES ({', '.join('?' * (len(order) + len(MEASURES)))})"
    )
    step = 20
    for first in range(0, len(model.procedures), step):
        procedures = range(first, min(first + step, len(model.procedures)))
        cells = cells_of(model, draw_cells(model, dossiers, seed, procedures))
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA cache_size = -262144")
            conn.exec_driver_sql(insert, sorted((*(key[i] for i in order), *v) for key, v in cells.items()))
    built = [finest]
    with engine.begin() as conn:
        for cube in sorted(CUBES, key=lambda c: (c.period == "year", -len(c.keys))):
            if cube is not finest:
                conn.exec_driver_sql(_roll_up(cube, built))
                built.append(cube)
    rng = random.Random(seed + 2)
    ghosts = [e for f in ghost_facts(model, dossiers, 10 * dossiers) for e in events_of(model, f, rng)]
    _apply_events(engine, ghosts)
    return dossiers // 512


def cube_rows(engine: Engine) -> dict[str, set[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {cube.table.name: {tuple(r) for r in conn.execute(select(cube.table))} for cube in CUBES}


def check_consistency(direct: Engine, replayed: Engine, dossiers: int = 3_000, seed: int = 11) -> bool:
    """Write ``dossiers`` dossiers' cubes directly into one store and feed the events of the same drawn
    cells through the ledger into the other; True when every cube row is the same (and not empty)."""
    model = Model()
    write_direct(direct, model, dossiers, seed)
    drop_tables(replayed)
    create_tables(replayed)
    rng = random.Random(seed + 3)
    facts_ = itertools.chain(
        cell_facts(draw_cells(model, dossiers, seed)), ghost_facts(model, dossiers, 10 * dossiers)
    )
    _apply_events(replayed, [e for f in facts_ for e in events_of(model, f, rng)])
    rows = cube_rows(direct)
    return all(rows.values()) and rows == cube_rows(replayed)
