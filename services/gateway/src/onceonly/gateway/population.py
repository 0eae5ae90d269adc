"""Population data requests: a citizen read minimized to what the procedure may see, and claims
verified yes or no on only what it may read. Each is held to its dossier and recorded as an access
(a refusal too, as ``denied``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from onceonly.gateway.access_recording import (
    AUDIT_HASH_HEADER,
    OUTCOME_HIT,
    OUTCOME_MISS,
    SOURCE_POPULATION,
    Recorded,
    deny,
    record,
)
from onceonly.gateway.auth import DataRequest
from onceonly.gateway.minimization import (
    citizen_paths,
    disclosed_relatives,
    effective_fields,
    entitled_to,
    lookup_paths,
    parse_fields,
    render_citizen,
)
from onceonly.gateway.problems import BadRequest, CitizenNotFound, FieldsNotPermitted
from onceonly.gateway.purpose_binding import bind, checked_personal_id
from onceonly.population.v1 import population_pb2


@dataclass(frozen=True, slots=True)
class CitizenRead:
    """The citizen as disclosed: the paths, and the registry's values rendered for only those."""

    personal_id: str
    fields: list[str]
    citizen: dict[str, Any]


async def read_citizen(request: DataRequest, personal_id: str, fields: str | None) -> Recorded[CitizenRead]:
    """The procedure's entitlement, narrowed to ``fields`` (``?fields=``) when given."""
    pid = checked_personal_id(personal_id)
    procedure = request.purpose.procedure
    disclosed = effective_fields(procedure.population_fields, parse_fields(fields))
    action = "citizen.read"
    bound = await bind(request, pid, action=action, source=SOURCE_POPULATION)
    if not disclosed:
        await deny(
            request,
            FieldsNotPermitted(f"procedure {procedure.code} is not entitled to the fields requested"),
            action=action,
            subject_personal_id=pid,
            source=SOURCE_POPULATION,
            bound=bound,
        )
    try:
        citizen = await request.runtime.lookup.get_citizen(pid, lookup_paths(disclosed))
    except CitizenNotFound as missing:
        missing.headers[AUDIT_HASH_HEADER] = await record(
            request, action=action, subject_personal_id=pid, source=SOURCE_POPULATION, outcome=OUTCOME_MISS,
            bound=bound,
        )  # fmt: skip
        raise
    audit_hash = await record(
        request,
        action=action,
        subject_personal_id=pid,
        source=SOURCE_POPULATION,
        outcome=OUTCOME_HIT,
        fields=disclosed,
        bound=bound,
        relatives=disclosed_relatives(citizen, disclosed),
    )
    return Recorded(CitizenRead(pid, disclosed, render_citizen(citizen, disclosed)), audit_hash)


async def verify_citizen(
    request: DataRequest, personal_id: str, claims: Mapping[str, str]
) -> Recorded[population_pb2.VerifyCitizenResponse]:
    """Lookup's yes or no on each claimed value."""
    pid = checked_personal_id(personal_id)
    unknown = sorted(set(claims) - citizen_paths())
    if unknown:
        raise BadRequest(f"unknown citizen field(s): {', '.join(unknown[:10])}")
    action, claimed = "citizen.verify", sorted(claims)
    bound = await bind(request, pid, action=action, source=SOURCE_POPULATION)
    procedure = request.purpose.procedure
    # A yes/no on a field discloses it as surely as reading it: claims only on what the procedure may read.
    refused = [path for path in claimed if not entitled_to(procedure.population_fields, path)]
    if refused:
        await deny(
            request,
            FieldsNotPermitted(
                f"procedure {procedure.code} is not entitled to verify {', '.join(refused[:10])}",
                extra={"fields": refused},
            ),
            action=action,
            subject_personal_id=pid,
            source=SOURCE_POPULATION,
            bound=bound,
            fields=claimed,
        )
    answer = await request.runtime.lookup.verify_citizen(pid, claims)
    # Found is a hit whatever the claims: the registry was consulted and answered about this citizen.
    audit_hash = await record(
        request,
        action=action,
        subject_personal_id=pid,
        source=SOURCE_POPULATION,
        outcome=OUTCOME_HIT if answer.exists else OUTCOME_MISS,
        fields=claimed,
        bound=bound,
    )
    return Recorded(answer, audit_hash)
