"""Hand-built dossier events for the tracker's tests; times are Vietnam civil time unless given."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from onceonly.common.events import new_envelope
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker.cube import MEASURES, CellKey
from onceonly.tracker.indicators import Context

ONLINE, COUNTER, POSTAL = ev.CHANNEL_ONLINE, ev.CHANNEL_COUNTER, ev.CHANNEL_POSTAL
PAPER = ev.COMPONENT_STATE_NOT_DIGITIZED
DIGITIZED = ev.COMPONENT_STATE_DIGITIZED
REUSED_COMPONENT = ev.COMPONENT_STATE_REUSED_COMPONENT
REUSED_RESULT = ev.COMPONENT_STATE_REUSED_RESULT
POPULATION = ev.DATA_SOURCE_POPULATION_DATABASE
RESULTS = ev.DATA_SOURCE_DIGITIZED_RESULT
HIT, MISS, DENIED = ev.LOOKUP_OUTCOME_HIT, ev.LOOKUP_OUTCOME_MISS, ev.LOOKUP_OUTCOME_DENIED
APPLICANT = ev.SUBJECT_RELATION_APPLICANT
RELATIVE = ev.SUBJECT_RELATION_RELATIVE
STRANGER = ev.SUBJECT_RELATION_STRANGER
LIVE, IMPORTED = ev.DOSSIER_ORIGIN_LIVE, ev.DOSSIER_ORIGIN_IMPORTED


def at(text: str) -> datetime:
    """``2025-03-10 09:00`` in Vietnam time (UTC+7)."""
    return datetime.fromisoformat(text if "+" in text or text.endswith("Z") else f"{text}+07:00")


def received(
    dossier_id: str,
    when: str = "2025-03-10 09:00",
    *,
    agency: str = "SOTP-BD",
    procedure: str = "1.001",
    province: str = "Thành phố Hồ Chí Minh",
    channel: ev.Channel.ValueType = ONLINE,
    components: Sequence[ev.ComponentState.ValueType | ev.DossierComponent] = (DIGITIZED,),
    fee: int = 0,
    paid_online: bool = False,
    non_jurisdictional: bool = False,
    due: str | None = "2025-03-20 17:00",
    applicant: str | None = None,
    origin: ev.DossierOrigin.ValueType = ev.DOSSIER_ORIGIN_UNSPECIFIED,
    service_level: ev.ServiceLevel.ValueType = ev.SERVICE_LEVEL_FULL_ONLINE,
    province_then: str = "",
    commune: str = "",
    sector: str = "",
    residence: str = "",
) -> ev.Envelope:
    """A receipt; components are states, or whole components (a re-ask, a result's issuer). The
    applicant's pseudonym is ``p-<dossier id>`` unless given. ``province`` is the agency's as of 2025,
    ``province_then`` its province on the day of receipt (unset: as before it was carried)."""
    payload = ev.DossierReceived(
        dossier_id=dossier_id,
        agency_code=agency,
        agency_province=province,
        procedure_code=procedure,
        applicant_pseudonym="p-" + dossier_id if applicant is None else applicant,
        channel=channel,
        service_level=service_level,
        fee=fee,
        fee_paid_online=paid_online,
        non_jurisdictional=non_jurisdictional,
        origin=origin,
        components=[
            c if isinstance(c, ev.DossierComponent) else ev.DossierComponent(code=f"C{i}", state=c)
            for i, c in enumerate(components)
        ],
        applicant_residence_province=residence,
        agency_province_at_receipt=province_then,
        agency_commune=commune,
        procedure_sector=sector,
    )
    payload.received_at.FromDatetime(at(when))
    if due is not None:
        payload.due_at.FromDatetime(at(due))
    return new_envelope(payload, producer="test", occurred_at=at(when))


def reused(
    dossier_id: str,
    when: str = "2025-03-10 08:55",
    *,
    agency: str = "SOTP-BD",
    source: ev.DataSource.ValueType = POPULATION,
    outcome: ev.LookupOutcome.ValueType = HIT,
    procedure: str = "1.001",
    applicant: str | None = None,
    relation: ev.SubjectRelation.ValueType = APPLICANT,
    subject: str | None = None,
) -> ev.Envelope:
    """A lookup bound to the applicant ``p-<dossier id>`` (as ``received`` names it) unless given;
    the subject is the applicant unless given."""
    bound = "p-" + dossier_id if applicant is None else applicant
    payload = ev.DataReused(
        dossier_id=dossier_id,
        agency_code=agency,
        procedure_code=procedure,
        source=source,
        outcome=outcome,
        applicant_pseudonym=bound,
        subject_relation=relation,
        subject_pseudonym=bound if subject is None else subject,
    )
    return new_envelope(payload, producer="test", occurred_at=at(when))


def resolved(dossier_id: str, when: str = "2025-03-15 10:00", *, electronic: bool = True) -> ev.Envelope:
    payload = ev.DossierResolved(
        dossier_id=dossier_id, result_electronic=electronic, outcome=ev.RESOLUTION_OUTCOME_APPROVED
    )
    payload.resolved_at.FromDatetime(at(when))
    return new_envelope(payload, producer="test", occurred_at=at(when))


def known_mix() -> list[ev.Envelope]:
    """Ten dossiers in March 2025 with figures worked out by hand (see ``KNOWN_MIX``)."""
    events: list[ev.Envelope] = []
    for i in range(10):
        d = f"mix-{i}"
        agency = "SOTP-BD" if i < 6 else "CA-BD"
        procedure = "1.001" if i % 2 == 0 else "2.002"
        components = [REUSED_RESULT, DIGITIZED] if i < 4 else ([DIGITIZED] if i < 7 else [PAPER, DIGITIZED])
        if i < 5:  # population data used by 5, one of them looked up before the receipt
            when = "2025-03-05 08:00" if i == 0 else "2025-03-10 08:55"
            events.append(reused(d, when, agency=agency, procedure=procedure))
        events.append(
            received(
                d,
                agency=agency,
                procedure=procedure,
                channel=ONLINE if i < 7 else COUNTER,
                components=components,
                fee=20_000 if i < 5 else 0,
                paid_online=i < 3,
                non_jurisdictional=i == 9,
            )
        )
        if i < 8:  # 8 resolved: 6 on time, 7 electronically
            events.append(resolved(d, "2025-03-15 10:00" if i < 6 else "2025-03-25 10:00", electronic=i != 7))
    events.append(reused("ghost-1", "2025-03-01 08:00", agency="UBND-X"))  # no receipt ever
    return events


# Expected figures of known_mix(): indicator → (numerator, denominator).
KNOWN_MIX = {
    "reuse_rate": (4, 10),
    "population_data_use_rate": (5, 10),
    "input_digitization_rate": (7, 10),
    "output_digitization_rate": (7, 8),
    "online_dossier_rate": (7, 10),
    "online_payment_rate": (3, 5),
    "on_time_rate": (6, 8),
    "non_jurisdictional_share": (1, 10),
    "full_online_share": (7, 7),  # every receipt names a full-process procedure
    "early_rate": (6, 8),  # resolved on the 15th, due the 20th
    "late_rate": (2, 8),
    "paper_dossier_reduction": (0, 0),  # nothing a year earlier
    "backlog_digitization_rate": (0, 0),  # nothing received in 2021 or 2022
    "population_procedure_share": (2, 2),  # both procedures have a dossier using population data
    "online_procedure_share": (0, 0),  # no catalog snapshot
    "full_online_procedure_share": (0, 0),
    "partial_online_procedure_share": (0, 0),
}


def pure_context(cells: Mapping[CellKey, Sequence[int]], month: str | None = None) -> Context:
    """The §4.5a counts of replayed cells, as ``report.procedures_in_use`` reads them from the store."""
    received, population = MEASURES.index("received"), MEASURES.index("population")
    per: dict[str, list[int]] = {}
    for key, vector in cells.items():
        if month is None or key[0] == month:
            acc = per.setdefault(key[2], [0, 0])
            acc[0] += vector[received]
            acc[1] += vector[population]
    used = [p for p, (r, _) in per.items() if r > 0]
    return Context(
        procedures_in_use=len(used), procedures_with_population=sum(1 for p in used if per[p][1] > 0)
    )


def sequences(*groups: Iterable[ev.Envelope]) -> list[ev.Envelope]:
    return [e for group in groups for e in group]
