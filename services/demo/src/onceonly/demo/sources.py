"""What the demo knows before it starts: the catalog, and where its sampled citizens live and which
valid results they hold. Read from the lookup service directly — the operator's setup, not agency
traffic, so none of it is recorded as a reuse."""

from __future__ import annotations

from collections.abc import Sequence

import grpc
from google.protobuf.field_mask_pb2 import FieldMask

from onceonly.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from onceonly.demo.plan import Applicant
from onceonly.population.v1 import population_pb2, population_pb2_grpc
from onceonly.results.v1 import results_pb2, results_pb2_grpc

_BATCH = 100  # BatchGetCitizens' limit


def load_catalog(channel: grpc.Channel) -> list[catalog_pb2.Procedure]:
    stub = catalog_pb2_grpc.ProcedureCatalogStub(channel)
    procedures: list[catalog_pb2.Procedure] = []
    request = catalog_pb2.ListProceduresRequest(page_size=500)
    while True:
        page = stub.ListProcedures(request, timeout=10)
        procedures.extend(page.procedures)
        if not page.next_page_token:
            return procedures
        request.page_token = page.next_page_token


def load_applicants(channel: grpc.Channel, personal_ids: Sequence[str]) -> list[Applicant]:
    registry = population_pb2_grpc.PopulationRegistryStub(channel)
    results = results_pb2_grpc.DigitizedResultsStub(channel)
    mask = FieldMask(paths=["personal_id", "current_address.province"])
    applicants: list[Applicant] = []
    for start in range(0, len(personal_ids), _BATCH):
        batch = registry.BatchGetCitizens(
            population_pb2.BatchGetCitizensRequest(
                personal_ids=personal_ids[start : start + _BATCH], read_mask=mask
            ),
            timeout=10,
        )
        for citizen in batch.citizens:
            valid: dict[str, list[str]] = {}
            # A citizen holds a handful of results: one page.
            owned = results.ListResults(
                results_pb2.ListResultsRequest(owner_personal_id=citizen.personal_id, page_size=500),
                timeout=10,
            )
            for result in owned.results:
                if result.status == results_pb2.RESULT_STATUS_VALID:
                    valid.setdefault(result.result_type, []).append(result.result_id)
            applicants.append(Applicant(citizen.personal_id, citizen.current_address.province, valid))
    return applicants
