"""Builds and runs the lookup's gRPC server: the lookup services, health, reflection, interceptors.

The server is ``grpc.aio``: one event loop per process serves every call, so a call costs no thread
hand-off and no thread-pool wake-up (the sync server spent about 40% of a trivial call in the kernel
doing that). Servicers are coroutines; what they ask of the store runs either on the loop (SQLite
point reads, tens of µs; PostgreSQL's GetCitizen and GetResult reads through psycopg's async
connections) or on a small executor (everything else, see ``servicers.StoreCalls``).

Shutdown follows the gRPC examples: on SIGTERM (or SIGINT) health turns NOT_SERVING so balancers stop
routing here, then ``stop(grace)`` refuses new calls and lets in-flight ones finish, and the process
exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf.descriptor import ServiceDescriptor
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from onceonly.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from onceonly.common.logging import get_logger
from onceonly.common.security import is_loopback
from onceonly.lookup import receipt_checks
from onceonly.lookup.authorization import AuthorizationInterceptor
from onceonly.lookup.interceptors import ErrorMappingInterceptor, LoggingInterceptor
from onceonly.lookup.servicers import DigitizedResults, PopulationRegistry, ProcedureCatalog, StoreCalls
from onceonly.lookup.settings import LookupSettings
from onceonly.lookup.store import LookupStore
from onceonly.population.v1 import population_pb2, population_pb2_grpc
from onceonly.results.v1 import results_pb2, results_pb2_grpc

log = get_logger(__name__)


@dataclass(frozen=True)
class Service:
    """One lookup service: its descriptor (health and reflection name it), the generated ``add_…`` and
    the servicer."""

    descriptor: ServiceDescriptor
    add: Callable[[Any, grpc.aio.Server], None]
    servicer: object


def services(settings: LookupSettings, store: LookupStore, calls: StoreCalls) -> list[Service]:
    """Every lookup service this server registers; a new one is one more line here."""
    return [
        Service(
            population_pb2.DESCRIPTOR.services_by_name["PopulationRegistry"],
            population_pb2_grpc.add_PopulationRegistryServicer_to_server,
            PopulationRegistry(store, calls, simulated_latency=settings.simulated_latency_ms / 1000),
        ),
        Service(
            results_pb2.DESCRIPTOR.services_by_name["DigitizedResults"],
            results_pb2_grpc.add_DigitizedResultsServicer_to_server,
            DigitizedResults(store, calls),
        ),
        Service(
            catalog_pb2.DESCRIPTOR.services_by_name["ProcedureCatalog"],
            catalog_pb2_grpc.add_ProcedureCatalogServicer_to_server,
            ProcedureCatalog(store, calls),
        ),
        Service(receipt_checks.DESCRIPTOR, receipt_checks.add, receipt_checks.ReceiptChecks(store, calls)),
    ]


@dataclass
class LookupServer:
    server: grpc.aio.Server
    health: health.aio.HealthServicer
    port: int
    # The full names of the lookup services served (health reports each of them).
    service_names: tuple[str, ...] = ()
    # The plaintext health-only server, when ``settings.health_port`` asks for one.
    health_server: grpc.aio.Server | None = None
    health_port: int | None = None
    executor: futures.ThreadPoolExecutor | None = field(default=None, repr=False)
    store: LookupStore | None = field(default=None, repr=False)

    async def set_serving(self, serving: bool) -> None:
        status = (
            health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for name in ("", *self.service_names):
            await self.health.set(name, status)

    async def stop(self, grace: float) -> None:
        await self.set_serving(False)
        await self.server.stop(grace)
        if self.health_server is not None:
            await self.health_server.stop(0)
        if self.executor is not None:
            self.executor.shutdown(wait=True)
        if self.store is not None:
            await self.store.close_async()


def server_credentials(settings: LookupSettings) -> grpc.ServerCredentials | None:
    """TLS from the configured files, mutual when a client CA is given; None serves plaintext."""
    if settings.tls_cert_file is None or settings.tls_key_file is None:
        if settings.tls_cert_file or settings.tls_key_file or settings.tls_client_ca_file:
            raise ValueError("TLS needs both ONCEONLY_LOOKUP_TLS_CERT_FILE and ONCEONLY_LOOKUP_TLS_KEY_FILE")
        return None
    client_ca = settings.tls_client_ca_file.read_bytes() if settings.tls_client_ca_file else None
    return grpc.ssl_server_credentials(
        [(settings.tls_key_file.read_bytes(), settings.tls_cert_file.read_bytes())],
        root_certificates=client_ca,
        require_client_auth=client_ca is not None,
    )


async def build_server(settings: LookupSettings, store: LookupStore) -> LookupServer:
    """A started server on ``settings.host:settings.port`` (port 0 picks a free one), on the running loop."""
    interceptors: list[grpc.aio.ServerInterceptor] = [LoggingInterceptor()]
    if settings.mutual_tls:
        # After logging, so refused calls are logged with their status too.
        interceptors.append(AuthorizationInterceptor(settings.allowed_clients))
    interceptors.append(ErrorMappingInterceptor())
    server = grpc.aio.server(
        interceptors=interceptors,
        # Off unless several processes share the port on purpose: a stale server must not steal calls.
        options=[("grpc.so_reuseport", 1 if settings.processes > 1 else 0)],
    )
    # Store calls that may wait (a PostgreSQL round trip, a write, a long listing) run here; each
    # thread holds at most one pooled database connection at a time.
    executor = futures.ThreadPoolExecutor(max_workers=settings.max_workers, thread_name_prefix="lookup-store")
    calls = StoreCalls(executor, inline_point_reads=store.fast_point_reads)
    served = services(settings, store, calls)
    for service in served:
        service.add(service.servicer, server)
    names = tuple(service.descriptor.full_name for service in served)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection((*names, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    address = f"{settings.host}:{settings.port}"
    credentials = server_credentials(settings)
    port = (
        server.add_secure_port(address, credentials)
        if credentials is not None
        else server.add_insecure_port(address)
    )
    await server.start()
    lookup = LookupServer(
        server=server, health=health_servicer, port=port, service_names=names, executor=executor, store=store
    )
    if settings.health_port:
        # Health only, in plaintext, for probes that hold no client certificate; the same servicer,
        # so it turns NOT_SERVING with the main port.
        probe = grpc.aio.server()
        health_pb2_grpc.add_HealthServicer_to_server(health_servicer, probe)
        lookup.health_port = probe.add_insecure_port(f"{settings.host}:{settings.health_port}")
        await probe.start()
        lookup.health_server = probe
    await lookup.set_serving(True)
    return lookup


def describe_channel(settings: LookupSettings) -> dict[str, object]:
    """What the start-up log says about who can reach this server."""
    if settings.mutual_tls:
        return {"tls": "mutual", "allowed_clients": sorted(settings.allowed_clients)}
    if settings.tls_cert_file:
        return {"tls": "server", "clients": "any (no client CA: development mode only)"}
    where = "loopback only" if is_loopback(settings.host) else "NOT loopback"
    return {"tls": "off", "clients": f"any plaintext caller ({where}; development mode only)"}


def serve(settings: LookupSettings, store: LookupStore) -> None:
    """Runs until SIGTERM or SIGINT, then shuts down gracefully; in ``settings.processes`` processes."""
    if settings.processes > 1:
        _serve_processes(settings, store)
    else:
        asyncio.run(_serve_one(settings, store))


async def _serve_one(settings: LookupSettings, store: LookupStore) -> None:
    lookup = await build_server(settings, store)
    stop_requested = asyncio.Event()
    loop = asyncio.get_running_loop()

    def request_stop(signum: signal.Signals) -> None:
        log.info("stop requested", signal=signum.name)
        stop_requested.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, request_stop, signum)
    channel = describe_channel(settings)
    log.log(
        logging.INFO if settings.mutual_tls else logging.WARNING,
        "lookup serving",
        address=f"{settings.host}:{lookup.port}",
        services=list(lookup.service_names),
        health_port=lookup.health_port,
        **channel,
    )
    await stop_requested.wait()
    await lookup.stop(settings.shutdown_grace)
    log.info("lookup stopped")


def _serve_processes(settings: LookupSettings, store: LookupStore) -> None:
    """Forks the servers (before any gRPC object exists here, as gRPC requires) and relays stop signals."""
    if settings.port == 0:
        raise ValueError("several lookup processes need a fixed port to share")
    context = multiprocessing.get_context("fork")

    def child() -> None:
        # Pooled connections opened before the fork belong to the parent.
        store.engine.dispose(close=False)
        asyncio.run(_serve_one(settings, store))

    children = [context.Process(target=child, name=f"lookup-{i}") for i in range(settings.processes)]
    stop_requested = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop_requested.set())
    signal.signal(signal.SIGINT, lambda *_: stop_requested.set())
    for process in children:
        process.start()
    while not stop_requested.wait(0.5):
        if any(not p.is_alive() for p in children):
            log.error("a lookup process exited; stopping the others")
            break
    for process in children:
        if process.pid is not None and process.is_alive():
            os.kill(process.pid, signal.SIGTERM)
    for process in children:
        process.join()
    log.info("lookup stopped", processes=settings.processes)
