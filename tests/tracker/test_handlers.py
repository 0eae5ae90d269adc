"""The pure handlers: exact figures for hand-built event sequences."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from onceonly.common.events import payload_kind
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker.cube import MEASURES, N_MEASURES, CellKey, OutOfRange
from onceonly.tracker.handlers import MISUSE_REASONS, misuse_reason, replay
from onceonly.tracker.indicators import Indicator, compute
from onceonly.tracker.targets import TargetsError, default_targets, load_targets
from tests.tracker.builders import (
    COUNTER,
    DENIED,
    IMPORTED,
    KNOWN_MIX,
    MISS,
    PAPER,
    RELATIVE,
    RESULTS,
    REUSED_COMPONENT,
    STRANGER,
    known_mix,
    pure_context,
    received,
    resolved,
    reused,
)


def totals(cells: dict[CellKey, list[int]], month: str | None = None) -> list[int]:
    out = [0] * N_MEASURES
    for key, vector in cells.items():
        if month is None or key[0] == month:
            out = [a + b for a, b in zip(out, vector, strict=True)]
    return out


def figures(events: list[ev.Envelope], month: str | None = None) -> dict[str, Indicator]:
    _, cells = replay(events)
    return {i.name: i for i in compute(totals(cells, month), default_targets(), pure_context(cells, month))}


def fractions(events: list[ev.Envelope], month: str | None = None) -> dict[str, tuple[int, int]]:
    return {name: (i.numerator, i.denominator) for name, i in figures(events, month).items()}


def test_known_mix_gives_its_figures() -> None:
    assert fractions(known_mix()) == KNOWN_MIX


def test_values_targets_gaps_and_status() -> None:
    result = figures(known_mix())
    reuse = result["reuse_rate"]
    assert (reuse.value, reuse.target, reuse.gap, reuse.met) == (40.0, 50.0, -10.0, False)
    online = result["online_payment_rate"]
    assert (online.value, online.target, online.gap, online.met) == (60.0, 80.0, -20.0, False)
    digital = result["input_digitization_rate"]
    assert (digital.value, digital.target, digital.gap, digital.met) == (70.0, 60.0, 10.0, True)
    # The Bình Dương report sets no 2025 target for on-time resolution.
    on_time = result["on_time_rate"]
    assert (on_time.value, on_time.target, on_time.gap, on_time.met) == (75.0, None, None, None)


def test_empty_denominators_are_no_data_not_zero() -> None:
    result = figures([received("d1", fee=0)])
    payment = result["online_payment_rate"]
    assert (payment.numerator, payment.denominator, payment.value, payment.gap, payment.met) == (
        0,
        0,
        None,
        None,
        None,
    )
    assert result["on_time_rate"].value is None
    assert result["output_digitization_rate"].value is None
    assert result["reuse_rate"].value == 0.0
    nothing = figures([])
    assert all(i.value is None and i.met is None for i in nothing.values())


def test_lookup_before_receipt_counts_once_the_receipt_arrives() -> None:
    lookup = reused("d1", "2025-03-01 08:00")
    assert fractions([lookup])["population_data_use_rate"] == (0, 0)
    assert fractions([lookup, received("d1")])["population_data_use_rate"] == (1, 1)
    assert fractions([received("d1"), lookup])["population_data_use_rate"] == (1, 1)


def test_only_population_hits_count_as_population_data_use() -> None:
    events = [
        received("miss"),
        reused("miss", outcome=MISS),
        received("results"),
        reused("results", source=RESULTS),
        received("hit"),
        reused("hit"),
        reused("hit"),
    ]
    assert fractions(events)["population_data_use_rate"] == (1, 3)


def test_reuse_and_digitization_follow_component_states() -> None:
    events = [
        received("a", components=[REUSED_COMPONENT, PAPER]),
        received("b", components=[]),
        received("c", components=[PAPER]),
    ]
    result = fractions(events)
    assert result["reuse_rate"] == (1, 3)
    # "b" has no input component, so none of its inputs is on paper.
    assert result["input_digitization_rate"] == (1, 3)


def test_duplicated_and_replayed_events_change_nothing() -> None:
    events = known_mix()
    once = replay(events)[1]
    doubled = replay([e for e in events for _ in range(2)])[1]
    replayed = replay(events + events)[1]
    assert totals(doubled) == totals(once) == totals(replayed)
    assert {k: v for k, v in doubled.items() if any(v)} == {k: v for k, v in once.items() if any(v)}


def test_any_order_of_one_dossiers_events_gives_the_same_figures() -> None:
    events = [reused("d1"), received("d1", fee=10_000, paid_online=True), resolved("d1")]
    expected = totals(replay(events)[1])
    for order in itertools.permutations(events):
        assert totals(replay(list(order))[1]) == expected


def test_shuffled_mix_gives_the_same_figures() -> None:
    events = known_mix()
    rng = random.Random(7)
    for _ in range(20):
        shuffled = events[:]
        rng.shuffle(shuffled)
        assert fractions(shuffled) == KNOWN_MIX


def test_periods_use_vietnam_time_and_resolution_counts_in_its_own_month() -> None:
    events = [
        # 23:30 on 31 January in Vietnam is still January, though it is 16:30 UTC.
        received("jan", "2025-01-31 23:30", due="2025-02-10 17:00"),
        resolved("jan", "2025-02-03 09:00"),
        # 18:00 UTC on 31 January is 01:00 on 1 February in Vietnam.
        received("feb", "2025-01-31T18:00:00Z", due=None),
        resolved("feb", "2025-03-02 09:00", electronic=False),
    ]
    jan, feb, mar = (fractions(events, m) for m in ("2025-01", "2025-02", "2025-03"))
    assert jan["online_dossier_rate"] == (1, 1)
    assert jan["on_time_rate"] == (0, 0)
    assert feb["online_dossier_rate"] == (1, 1)
    assert feb["on_time_rate"] == (1, 1)
    assert feb["output_digitization_rate"] == (1, 1)
    # No due date: no deadline to miss.
    assert mar["on_time_rate"] == (1, 1)
    assert mar["output_digitization_rate"] == (0, 1)
    assert mar["online_dossier_rate"] == (0, 0)


def test_late_resolution_and_corrected_receipt_move_counts_by_the_delta() -> None:
    first = received("d1", channel=COUNTER, components=[PAPER])
    corrected = received("d1", "2025-04-02 09:00", components=[REUSED_COMPONENT])
    states, cells = replay([first, resolved("d1", "2025-04-05 09:00"), corrected])
    assert states["d1"].channel == "online"
    assert totals(cells, "2025-03") == [0] * N_MEASURES
    april = dict(zip(MEASURES, totals(cells, "2025-04"), strict=True))
    assert april["received"] == april["reused"] == april["online"] == april["resolved"] == 1
    assert all(v >= 0 for vector in cells.values() for v in vector)


def test_resolution_before_receipt_waits_for_it() -> None:
    only_resolution = fractions([resolved("d1")])
    assert only_resolution["on_time_rate"] == (0, 0)
    assert fractions([resolved("d1"), received("d1")])["on_time_rate"] == (1, 1)


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("reuse_rate", 50.0),
        ("population_data_use_rate", 50.0),
        ("online_dossier_rate", 80.0),
        ("online_payment_rate", 80.0),
        ("input_digitization_rate", 60.0),
        ("output_digitization_rate", 90.0),
    ],
)
def test_default_targets_are_binh_duongs_2025_targets(name: str, target: float) -> None:
    assert default_targets()[name] == target


def test_targets_file_overrides_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "targets.toml"
    path.write_text("[targets]\nreuse_rate = 60\non_time_rate = 95.5\n")
    assert load_targets(path) == {"reuse_rate": 60.0, "on_time_rate": 95.5}
    assert load_targets(None) == default_targets()
    path.write_text("[targets]\nreuse_ratio = 60\n")
    with pytest.raises(TargetsError, match="unknown indicator"):
        load_targets(path)
    path.write_text("[targets]\nreuse_rate = 160\n")
    with pytest.raises(TargetsError, match="percentage"):
        load_targets(path)


# A lookup for dossier "d" (received by SOTP-BD under 1.001 for applicant p-d, resolved on 15 March)
# that does not fit it, for each reason.
MISFITS = {
    "other_agency": reused("d", agency="UBND-X"),
    "other_procedure": reused("d", procedure="2.002"),
    "other_applicant": reused("d", applicant="p-someone-else"),
    "stranger": reused("d", relation=STRANGER, subject="p-stranger"),
    "after_resolution": reused("d", "2025-03-15 10:01"),
    "refused": reused("d", outcome=DENIED),
}


def test_every_reason_has_a_misfit() -> None:
    assert tuple(MISFITS) == MISUSE_REASONS


@pytest.mark.parametrize("reason", MISUSE_REASONS)
def test_a_bound_but_inconsistent_lookup_neither_counts_nor_vanishes(reason: str) -> None:
    lookup = MISFITS[reason]
    dossier = [received("d"), resolved("d", "2025-03-15 10:00")]
    for events in ([lookup, *dossier], [*dossier, lookup], [dossier[0], lookup, dossier[1]]):
        states, _ = replay(events)
        assert fractions(events)["population_data_use_rate"] == (0, 1)
        assert (
            misuse_reason(states["d"], lookup.data_reused, lookup.occurred_at.ToDatetime(tzinfo=UTC))
            == reason
        )
    # A fitting lookup beside it still counts, once.
    fitting = reused("d", "2025-03-10 08:00")
    assert fractions([lookup, fitting, *dossier])["population_data_use_rate"] == (1, 1)


def test_fitting_lookups_count_for_the_applicant_and_relatives() -> None:
    events = [
        received("a"),
        reused("a"),
        received("r"),
        reused("r", relation=RELATIVE, subject="p-spouse"),
        received("at"),  # made at the very instant of the resolution: not after it
        reused("at", "2025-03-15 10:00"),
        resolved("at", "2025-03-15 10:00"),
    ]
    states, _ = replay(events)
    assert fractions(events)["population_data_use_rate"] == (3, 3)
    for e in events:
        if payload_kind(e) == "data_reused":
            u = e.data_reused
            assert misuse_reason(states[u.dossier_id], u, e.occurred_at.ToDatetime(tzinfo=UTC)) is None


def test_lookups_written_before_the_binding_are_checked_on_agency_and_procedure() -> None:
    legacy = [reused("old", applicant="", relation=ev.SUBJECT_RELATION_UNSPECIFIED), received("old")]
    assert fractions(legacy)["population_data_use_rate"] == (1, 1)
    elsewhere = [reused("old", applicant="", agency="UBND-X"), received("old")]
    assert fractions(elsewhere)["population_data_use_rate"] == (0, 1)


def test_a_pending_lookup_is_not_misuse_until_the_receipt_settles_it() -> None:
    lookup = reused("d", agency="UBND-X")
    states, _ = replay([lookup])
    assert misuse_reason(states["d"], lookup.data_reused, None) is None  # the stale report's
    states, _ = replay([lookup, received("d")])
    assert misuse_reason(states["d"], lookup.data_reused, None) == "other_agency"


def test_a_corrected_receipt_or_a_resolution_settles_lookups_again() -> None:
    lookup = reused("d", "2025-03-12 08:00", procedure="2.002")
    first = received("d")
    corrected = received("d", procedure="2.002")
    assert fractions([lookup, first])["population_data_use_rate"] == (0, 1)
    assert fractions([lookup, first, corrected])["population_data_use_rate"] == (1, 1)
    # A resolution dated before the lookup turns it into a lookup after the resolution.
    events = [lookup, corrected, resolved("d", "2025-03-11 09:00")]
    states, cells = replay(events)
    assert fractions(events)["population_data_use_rate"] == (0, 1)
    assert all(v >= 0 for vector in cells.values() for v in vector)
    assert misuse_reason(states["d"], lookup.data_reused, at_of(lookup)) == "after_resolution"


def at_of(envelope: ev.Envelope) -> datetime:
    return envelope.occurred_at.ToDatetime(tzinfo=UTC)


def test_an_imported_dossier_counts_lookups_made_while_migrating_it() -> None:
    """An import's dates are its old system's, its lookups today's: the two calendars are not compared,
    and its figures stay apart from the live ones."""
    lookup = reused("old", "2026-05-01 08:00")
    events = [
        lookup,
        received("old", "2024-03-10 09:00", due="2024-03-20 17:00", origin=IMPORTED),
        resolved("old", "2024-03-15 10:00"),
    ]
    states, cells = replay(events)
    assert states["old"].origin == "imported"
    assert fractions(events)["population_data_use_rate"] == (1, 1)
    assert misuse_reason(states["old"], lookup.data_reused, at_of(lookup)) is None
    assert {key[-1] for key in cells} == {"imported"}
    # The other checks still hold for imports.
    stranger = reused("old", "2026-05-01 08:00", agency="UBND-X")
    assert fractions([stranger, *events[1:]])["population_data_use_rate"] == (0, 1)


@pytest.mark.parametrize(
    "event",
    [
        received("far", "9999-12-31T23:00:00Z"),
        received("far", "0001-01-01T00:00:00Z"),
        resolved("far", "9999-12-31T23:59:59Z"),
        reused("far", "0001-01-01T00:00:00Z"),
        received("far", due="9999-12-31 23:00"),
    ],
)
def test_instants_outside_the_calendar_are_refused_not_overflowed(event: ev.Envelope) -> None:
    with pytest.raises(OutOfRange, match="outside 1900-01-01 to 2200-01-01"):
        replay([event])


def test_the_calendar_bounds_themselves() -> None:
    assert fractions([received("first", "1900-01-01T00:00:00Z", due=None)])["reuse_rate"] == (0, 1)
    assert fractions([received("last", "2199-12-31T16:59:59Z", due=None)])["reuse_rate"] == (0, 1)
    bad = received("nanos")
    bad.dossier_received.received_at.nanos = 1_000_000_000
    with pytest.raises(OutOfRange, match="nanos"):
        replay([bad])
