"""SIGTERM: health turns NOT_SERVING, the in-flight call finishes, the process exits 0."""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask

from onceonly.population.v1 import population_pb2, population_pb2_grpc
from tests.lookup.conftest import start_server


def test_sigterm_finishes_the_in_flight_call_and_exits_0(
    seeded_sqlite_url: str, known_ids: list[str]
) -> None:
    process, address = start_server(seeded_sqlite_url, ONCEONLY_LOOKUP_SIMULATED_LATENCY_MS="1500")
    with grpc.insecure_channel(address) as channel, ThreadPoolExecutor(1) as pool:
        stub = population_pb2_grpc.PopulationRegistryStub(channel)
        call = pool.submit(
            stub.GetCitizen,
            population_pb2.GetCitizenRequest(
                personal_id=known_ids[0], read_mask=FieldMask(paths=["personal_id"])
            ),
            timeout=10,
        )
        time.sleep(0.5)  # the call is now waiting on the simulated registry
        process.send_signal(signal.SIGTERM)
        assert call.result().citizen.personal_id == known_ids[0]
    assert process.wait(timeout=15) == 0


def test_a_call_past_its_deadline_is_deadline_exceeded(seeded_sqlite_url: str, known_ids: list[str]) -> None:
    process, address = start_server(seeded_sqlite_url, ONCEONLY_LOOKUP_SIMULATED_LATENCY_MS="500")
    try:
        with grpc.insecure_channel(address) as channel:
            stub = population_pb2_grpc.PopulationRegistryStub(channel)
            with pytest.raises(grpc.RpcError) as error:
                stub.GetCitizen(
                    population_pb2.GetCitizenRequest(
                        personal_id=known_ids[0], read_mask=FieldMask(paths=["personal_id"])
                    ),
                    timeout=0.1,
                )
            assert error.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    finally:
        process.terminate()
        process.wait(timeout=15)
