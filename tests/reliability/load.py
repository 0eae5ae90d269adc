"""A steady load of agency traffic for fault tests, and the ground truth it leaves behind.

``Load`` files the demo planner's dossiers through the gateway at a fixed rate, from an asyncio loop in
a thread of its own, so the test's main thread is free to kill and restart things meanwhile. Each
dossier is one flow, as an agency system would run it (the demo driver's requests): the intake, the
population lookup (when planned), the fetch of each reused result, the receipt (once the dossiers it
reuses components of are received), the resolution. A step answered 503, 429 or not at all is
tried again (after ``Retry-After``, capped) until the flow's deadline: every write is idempotent, so a
repeat after an unanswered request is safe and settles what happened. Every attempt is recorded —
status, ``Retry-After``, problem type, audit hash — and the flows' outcomes are the ground truth: which
dossiers were received, which resolved.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import httpx

from onceonly.client import calls
from onceonly.demo.driver import intake_of, receipt_of, resolution_of, reused_results, sources_of
from onceonly.demo.plan import DossierPlan

RETRYABLE = frozenset({429, 503})
# Steps that need the lookup service (the intake reads the procedure from its catalog; the resolution
# needs nothing of it).
LOOKUP_STEPS = frozenset({"intake", "citizen", "result", "receipt"})
# Indicators counted over resolved dossiers; every other one over received dossiers.
RESOLUTION_INDICATORS = ("output_digitization_rate", "on_time_rate")


@dataclass(frozen=True, slots=True)
class Attempt:
    step: str  # intake | citizen | result | receipt | resolution
    dossier_id: str
    personal_id: str
    started: float  # time.monotonic()
    ended: float
    status: int | None  # None: no answer (connection refused or reset, timeout)
    error: str = ""
    retry_after: str | None = None
    content_type: str = ""
    problem_type: str = ""
    audit_hash: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def outcome(self) -> str:
        """The status as a string, or the exception's name when there was no answer."""
        return str(self.status) if self.status is not None else f"no answer ({self.error})"


@dataclass
class Flow:
    plan: DossierPlan
    looked_up: bool = False
    received: bool = False
    resolved: bool = False
    failed: str = ""  # why the flow stopped short, when it did
    # A write whose last attempt got no answer: it may or may not have happened.
    ambiguous: bool = False


@dataclass
class Load:
    gateway_url: str
    keys: dict[str, str]  # agency code → API key
    plans: Sequence[DossierPlan]  # in order of receipt (``in_order_of_receipt``)
    # Dossiers earlier loads got received: sources the plans may reuse components from.
    received_before: frozenset[str] = frozenset()
    dossiers_per_second: float = 8.0
    flow_timeout: float = 90.0
    request_timeout: float = 15.0
    max_retry_wait: float = 1.0
    # Flows in flight at most, below the connection pool's size: while the gateway is down, new flows
    # wait to start instead of queueing for connections (which would fail them in the client).
    max_in_flight: int = 48
    attempts: list[Attempt] = field(default_factory=list)
    flows: dict[str, Flow] = field(default_factory=dict)
    started_at: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _error: BaseException | None = None
    # Dossier id → whether its receipt was accepted, settled when its flow ends.
    _receipts: dict[str, asyncio.Future[bool]] = field(default_factory=dict)

    # -- control, from the test's thread ----------------------------------------------------------

    def start(self) -> Load:
        self.started_at = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="reliability-load", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Start no more flows; wait for those in flight to finish (each bounded by its deadline)."""
        self._stop.set()
        assert self._thread is not None
        self._thread.join(timeout if timeout is not None else self.flow_timeout + 30)
        if self._thread.is_alive():
            stuck = [f for f in self.flows.values() if not (f.resolved or f.failed)]
            last = {a.dossier_id: a for a in self.attempts}
            detail = [f"{f.plan.dossier_id}: {last.get(f.plan.dossier_id)}" for f in stuck[:5]]
            raise AssertionError(f"the load did not finish in time; {len(stuck)} flows unfinished: {detail}")
        if self._error is not None:
            raise AssertionError(f"the load generator failed: {self._error!r}") from self._error

    def __enter__(self) -> Load:
        return self.start()

    def __exit__(self, *_: object) -> None:
        if self._thread is not None and self._thread.is_alive():
            self.stop()

    # -- the generator ----------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported by stop()
            self._error = exc

    async def _main(self) -> None:
        limits = httpx.Limits(max_connections=self.max_in_flight + 16, max_keepalive_connections=32)
        clients = {
            code: httpx.AsyncClient(
                base_url=self.gateway_url,
                headers={"Authorization": f"Bearer {key}"},
                timeout=self.request_timeout,
                limits=limits,
            )
            for code, key in self.keys.items()
        }
        loop = asyncio.get_running_loop()
        self._receipts = {plan.dossier_id: loop.create_future() for plan in self.plans}
        tasks: list[asyncio.Task[None]] = []
        slots = asyncio.Semaphore(self.max_in_flight)
        interval = 1.0 / self.dossiers_per_second
        try:
            for i, plan in enumerate(self.plans):
                if self._stop.is_set():
                    break
                # A fixed schedule, not "one after another": a slow gateway does not slow the load.
                delay = self.started_at + i * interval - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                await slots.acquire()
                if self._stop.is_set():
                    slots.release()
                    break
                flow = Flow(plan)
                self.flows[plan.dossier_id] = flow
                task = asyncio.create_task(self._flow(clients[plan.agency_code], flow))
                task.add_done_callback(lambda _: slots.release())
                tasks.append(task)
            await asyncio.gather(*tasks)
        finally:
            await asyncio.gather(*(client.aclose() for client in clients.values()))

    async def _flow(self, client: httpx.AsyncClient, flow: Flow) -> None:
        plan = flow.plan
        deadline = time.monotonic() + self.flow_timeout
        try:
            await self._steps(client, flow, deadline)
        finally:
            # Settled either way, so the dossiers reusing this one's components file or give up.
            if not self._receipts[plan.dossier_id].done():
                self._receipts[plan.dossier_id].set_result(flow.received)

    async def _steps(self, client: httpx.AsyncClient, flow: Flow, deadline: float) -> None:
        plan = flow.plan
        dossier_id, procedure_code = plan.dossier_id, plan.procedure_code
        intake = calls.open_dossier(plan.dossier_id, intake_of(plan))
        if not await self._step(client, flow, "intake", intake, deadline, write=True):
            return
        if plan.population_lookup:
            call = calls.get_citizen(
                plan.applicant_id,
                dossier_id=dossier_id,
                procedure_code=procedure_code,
                fields=None,
                officer_id=None,
            )
            if not await self._step(client, flow, "citizen", call, deadline, write=False):
                return
            flow.looked_up = True
        for result_id in reused_results(plan):
            fetch = calls.get_result(
                result_id, dossier_id=dossier_id, procedure_code=procedure_code, officer_id=None
            )
            if not await self._step(client, flow, "result", fetch, deadline, write=False):
                return
        for source in sorted(sources_of(plan)):
            if not await self._source_received(source, deadline):
                flow.failed = f"receipt: source {source} not received"
                return
        receipt = calls.file_dossier(receipt_of(plan))
        if not await self._step(client, flow, "receipt", receipt, deadline, write=True):
            return
        flow.received = True
        self._receipts[plan.dossier_id].set_result(True)
        resolve = calls.resolve_dossier(plan.dossier_id, resolution_of(plan))
        if await self._step(client, flow, "resolution", resolve, deadline, write=True):
            flow.resolved = True

    async def _source_received(self, source: str, deadline: float) -> bool:
        """Whether a reused component's source dossier was received, by an earlier load or by this one
        (waiting for its flow, which started earlier: the plans go in order of receipt)."""
        if source in self.received_before:
            return True
        future = self._receipts.get(source)
        if future is None:
            return False
        try:
            return await asyncio.wait_for(asyncio.shield(future), max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            return False

    async def _step(
        self,
        client: httpx.AsyncClient,
        flow: Flow,
        step: str,
        call: calls.Call[calls.A],
        deadline: float,
        *,
        write: bool,
    ) -> bool:
        """Send until a definitive answer or the deadline; true on a 2xx."""
        while True:
            attempt = await self._send(client, flow, step, call)
            self.attempts.append(attempt)
            if attempt.ok:
                flow.ambiguous = False
                return True
            retryable = attempt.status is None or attempt.status in RETRYABLE
            if not retryable or time.monotonic() > deadline:
                flow.failed = f"{step}: {attempt.outcome}"
                flow.ambiguous = write and attempt.status is None
                return False
            if write and attempt.status is None:
                flow.ambiguous = True  # settled by the next answer
            wait = 0.5
            if attempt.retry_after:
                try:
                    wait = float(attempt.retry_after)
                except ValueError:
                    wait = 0.5
            await asyncio.sleep(min(max(wait, 0.1), self.max_retry_wait))

    async def _send(
        self, client: httpx.AsyncClient, flow: Flow, step: str, call: calls.Call[calls.A]
    ) -> Attempt:
        started = time.monotonic()
        common = {"step": step, "dossier_id": flow.plan.dossier_id, "personal_id": flow.plan.applicant_id}
        try:
            response = await client.request(
                call.method, call.path, params=dict(call.params), json=call.json, headers=dict(call.headers)
            )
        except httpx.HTTPError as exc:
            ended = time.monotonic()
            return Attempt(**common, started=started, ended=ended, status=None, error=type(exc).__name__)
        problem_type = ""
        content_type = response.headers.get("content-type", "")
        if content_type.startswith("application/problem+json"):
            try:
                problem_type = str(response.json().get("type", ""))
            except ValueError:
                problem_type = "<unparsable>"
        return Attempt(
            **common,
            started=started,
            ended=time.monotonic(),
            status=response.status_code,
            retry_after=response.headers.get("retry-after"),
            content_type=content_type,
            problem_type=problem_type,
            audit_hash=response.headers.get("x-audit-hash"),
        )

    # -- what happened ----------------------------------------------------------------------------

    def during(self, start: float, end: float) -> list[Attempt]:
        """Attempts that were in flight at any moment of [start, end] (monotonic clock)."""
        return [a for a in self.attempts if a.ended >= start and a.started <= end]

    def first_success_after(self, moment: float, steps: Iterable[str] | None = None) -> float | None:
        """Seconds from ``moment`` to the end of the first 2xx attempt sent after it."""
        wanted = set(steps) if steps is not None else None
        ends = [
            a.ended
            for a in self.attempts
            if a.ok and a.started >= moment and (wanted is None or a.step in wanted)
        ]
        return min(ends) - moment if ends else None

    def received(self) -> list[DossierPlan]:
        return [f.plan for f in self.flows.values() if f.received]

    def resolved(self) -> list[DossierPlan]:
        return [f.plan for f in self.flows.values() if f.resolved]


def outcomes(attempts: Iterable[Attempt]) -> dict[str, int]:
    """Attempts by status (or "no answer (…)"), sorted."""
    return dict(sorted(Counter(a.outcome for a in attempts).items()))
