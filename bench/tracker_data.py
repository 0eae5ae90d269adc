"""Bench-only national data for the tracker: dossiers drawn from one seeded model, as events (for the
ingest scenario) or written straight into the store's cubes (for the query scenario, where 20 million
dossiers through Kafka would take far too long).

Both paths start from the same dossier facts (:func:`facts`), and the direct path writes its cube
through the ledger's own roll-up (``ledger.add_to_cubes``), so a store built directly holds the same
figures as one fed the events; :func:`check_consistency` verifies that on a small size.

The model: the 34 provinces of 2025, 30 agencies each, 400 procedures of which each agency handles 40
(Zipf-weighted), dossiers received over the year 2025 in Vietnam's civil time.
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from sqlalchemy import Engine, select

from onceonly.common.provinces import provinces
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker.cube import month_of_us
from onceonly.tracker.handlers import CHANNELS, LOCAL, NON_JURISDICTIONAL
from onceonly.tracker.ledger import add_to_cubes, apply_batch
from onceonly.tracker.store import CUBES, create_tables, drop_tables

VERSION = 2
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

    if population or ghost:
        u = envelope(received_s - 300).data_reused
        u.dossier_id, u.agency_code, u.procedure_code = did, agency_code, procedure_code
        u.source, u.outcome = ev.DATA_SOURCE_POPULATION_DATABASE, ev.LOOKUP_OUTCOME_HIT
    if ghost:
        return out
    if miss:
        u = envelope(received_s - 200).data_reused
        u.dossier_id, u.agency_code, u.procedure_code = did, agency_code, procedure_code
        u.source, u.outcome = ev.DATA_SOURCE_DIGITIZED_RESULT, ev.LOOKUP_OUTCOME_MISS
    r = envelope(received_s).dossier_received
    r.dossier_id, r.agency_code, r.agency_province, r.procedure_code = (
        did,
        agency_code,
        province,
        procedure_code,
    )
    r.applicant_pseudonym = f"p{index}"
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


# -- the cube, straight from the facts ---------------------------------------------------------------

CountKey = tuple[Any, ...]


def _months() -> list[int]:
    """Month index (0 = January 2025) of each Vietnam civil day from 2025-01-01 on, for 2 years."""
    out = []
    for day in range(731):
        month = month_of_us((YEAR_START + day * 86_400 + 43_200) * 1_000_000)
        out.append((int(month[:4]) - 2025) * 12 + int(month[5:]) - 1)
    return out


def _count(args: tuple[int, int, int]) -> tuple[dict[CountKey, list[int]], int]:
    """Counters per (agency, procedure, channel, non-jurisdictional, month index) of a slice."""
    count, seed, start = args
    model = Model()
    months = _months()
    cells: dict[CountKey, list[int]] = {}
    ghosts = 0
    for f in facts(model, count, seed, start):
        if f[14]:
            ghosts += 1
            continue
        agency, procedure, channel, nonjur, received_s = f[1:6]
        key = (agency, procedure, channel, nonjur, months[(received_s - YEAR_START) // 86_400])
        v = cells.get(key)
        if v is None:
            v = cells[key] = [0] * 11
        v[0] += 1
        v[1] += f[6]
        v[2] += f[8]
        v[3] += f[7]
        v[4] += channel == 0
        v[5] += f[10] > 0
        v[6] += f[11]
        v[7] += nonjur
        resolved_s = f[12]
        if resolved_s:
            key = (agency, procedure, channel, nonjur, months[(resolved_s - YEAR_START) // 86_400])
            v = cells.get(key)
            if v is None:
                v = cells[key] = [0] * 11
            v[8] += 1
            v[9] += f[13]
            v[10] += resolved_s <= received_s + DUE_SECONDS
    return cells, ghosts


def cube_cells(
    model: Model, dossiers: int, seed: int, workers: int = 2
) -> tuple[dict[tuple[str, str, str, str, str, str], list[int]], int]:
    """The finest cube cells of ``dossiers`` dossiers (as the handlers would count them), and how many
    of them are ghosts (lookups only)."""
    jobs = slices(dossiers, seed, workers)
    if workers > 1 and dossiers > 100_000:
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_count, jobs))
    else:
        results = [_count(job) for job in jobs]
    cells: dict[tuple[str, str, str, str, str, str], list[int]] = {}
    ghosts = 0
    channels = [CHANNELS[c] for c in _CHANNELS]
    month_names = [f"{2025 + i // 12}-{i % 12 + 1:02d}" for i in range(25)]
    for part, g in results:
        ghosts += g
        for (agency, procedure, channel, nonjur, month), counters in part.items():
            code, province = model.agencies[agency]
            cell = (month_names[month], code, model.procedures[procedure], province, channels[channel],
                    NON_JURISDICTIONAL if nonjur else LOCAL)  # fmt: skip
            total = cells.get(cell)
            if total is None:
                cells[cell] = counters
            else:
                for i in range(11):
                    total[i] += counters[i]
    return cells, ghosts


def slices(dossiers: int, seed: int, workers: int = 2) -> list[tuple[int, int, int]]:
    """(count, sub-seed, start) of each slice :func:`cube_cells` draws (the events use the same)."""
    parts = max(1, workers) * 4
    size = -(-dossiers // parts)
    return [
        (min(size, dossiers - i * size), seed * 1_000_003 + i * size, i * size)
        for i in range(parts)
        if i * size < dossiers
    ]


def ghost_events(model: Model, dossiers: int, seed: int, workers: int = 2) -> list[ev.Envelope]:
    """The lookups of the dossiers whose receipt never arrives (for the stale-lookups report)."""
    rng = random.Random(seed + 2)
    out: list[ev.Envelope] = []
    for count, sub, start in slices(dossiers, seed, workers):
        for fact in facts(model, count, sub, start):
            if fact[14]:
                out += events_of(model, fact, rng)
    return out


def all_events(model: Model, dossiers: int, seed: int, workers: int = 2) -> Iterator[ev.Envelope]:
    """Every event of the same dossiers :func:`cube_cells` counts (slice by slice)."""
    rng = random.Random(seed + 3)
    for count, sub, start in slices(dossiers, seed, workers):
        for fact in facts(model, count, sub, start):
            yield from events_of(model, fact, rng)


def write_direct(engine: Engine, model: Model, dossiers: int, seed: int, workers: int = 2) -> int:
    """Empty the store and write the cubes of ``dossiers`` dossiers directly, plus the ghost dossiers'
    lookups through the ledger (received dossiers get no per-dossier row). Returns the ghost count."""
    drop_tables(engine)
    create_tables(engine)
    cells, ghosts = cube_cells(model, dossiers, seed, workers)
    with engine.begin() as conn:
        add_to_cubes(conn, cells)
    events = ghost_events(model, dossiers, seed, workers)
    for start in range(0, len(events), 2_000):
        with engine.begin() as conn:
            apply_batch(conn, events[start : start + 2_000])
    return ghosts


def cube_rows(engine: Engine) -> dict[str, set[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {cube.table.name: {tuple(r) for r in conn.execute(select(cube.table))} for cube in CUBES}


def check_consistency(direct: Engine, replayed: Engine, dossiers: int = 3_000, seed: int = 11) -> bool:
    """Write ``dossiers`` dossiers directly into one store and as events through the ledger into the
    other; True when every cube row is the same."""
    model = Model()
    write_direct(direct, model, dossiers, seed, workers=1)
    drop_tables(replayed)
    create_tables(replayed)
    events = list(all_events(model, dossiers, seed, workers=1))
    for start in range(0, len(events), 2_000):
        with replayed.begin() as conn:
            apply_batch(conn, events[start : start + 2_000])
    return cube_rows(direct) == cube_rows(replayed)
