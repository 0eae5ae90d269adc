"""How the project runs schemathesis in its tests, with every check the outside run has: the schema
loaded with the project's configuration, each operation's positive and negative cases validated by
``call_and_validate`` (all built-in checks), and the stateful machine the document's links define.

What the runs add to the values a schema alone generates: the calendar's ends for every
date-time parameter, numbers far outside any bound for every integer, and requests crafted by the test
(e.g. a page token of the service's own encoding with a forged key, for the owner it was issued for).

A schema's own strategies rarely produce these: they were how ``as_of=0001-01-01T00:00:00Z`` and a
forged page token reached a 500 unseen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from hypothesis.stateful import run_state_machine_as_test
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

# The project's schemathesis configuration, the one the outside run reads (docs/CONTRIBUTING.md): every
# check on, and for a few operations the statuses a well-formed request may get from the state it meets.
PROJECT_CONFIG = Path(__file__).resolve().parents[1] / "schemathesis.toml"

BOUNDARY_DATETIMES = (
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00-14:00",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00",
    "0001-01-01",
    "1969-12-31T23:59:59.999999Z",
    "9999-12-31T23:59:59.999999Z",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59+14:00",
    "9999-12-31",
)
HUGE_NUMBERS = (-1, 2**31, 2**31 - 1, 2**32, 2**53 + 1, 2**63, -(2**63) - 1, 10**30, -(10**30))


@dataclass(frozen=True)
class Crafted:
    """A request shape the test built: path parameters and query values set together."""

    path: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)


def _kinds(schema: dict[str, Any]) -> set[str]:
    options = schema.get("anyOf", [schema])
    return {str(o.get("format") or o.get("type")) for o in options}


def widen(schema: Any, crafted: Sequence[Crafted] = ()) -> None:
    """Register on ``schema`` (only) a hook mixing boundary values and ``crafted`` requests into cases."""

    @schema.hook  # type: ignore[untyped-decorator]
    def flatmap_case(context: schemathesis.HookContext, case: schemathesis.Case[Any]) -> Any:
        parameters = {p.name: p.definition.get("schema", {}) for p in case.operation.query}
        path_names = {p.name for p in case.operation.path_parameters}
        values: list[st.SearchStrategy[tuple[str, Any]]] = []
        for name, definition in parameters.items():
            kinds = _kinds(definition)
            if "date-time" in kinds:
                values.append(st.tuples(st.just(name), st.sampled_from(BOUNDARY_DATETIMES)))
            if "integer" in kinds:
                values.append(st.tuples(st.just(name), st.sampled_from(HUGE_NUMBERS)))
        fitting = [c for c in crafted if set(c.query) <= set(parameters) and set(c.path) <= path_names]
        if not values and not fitting:
            return st.just(case)

        def rebuilt(path: dict[str, Any], query: dict[str, Any]) -> schemathesis.Case[Any]:
            # A new case: generated ones carry metadata that a plain copy does not.
            return case.operation.Case(  # type: ignore[no-any-return]
                method=case.method,
                path_parameters={**dict(case.path_parameters or {}), **path},
                headers=dict(case.headers or {}),
                cookies=dict(case.cookies or {}),
                query={**dict(case.query or {}), **query},
                body=case.body,
                media_type=case.media_type,
            )

        def boundary(pairs: list[tuple[str, Any]]) -> schemathesis.Case[Any]:
            return rebuilt({}, dict(pairs))

        def shaped(request: Crafted) -> schemathesis.Case[Any]:
            return rebuilt(request.path, request.query)

        options: list[st.SearchStrategy[schemathesis.Case[Any]]] = [st.just(case)]
        if values:
            options.append(st.lists(st.one_of(values), min_size=1, max_size=3).map(boundary))
        if fitting:
            options.append(st.sampled_from(fitting).map(shaped))
        return st.one_of(options)


def _reencode(token: str, key: Any) -> str:
    import base64
    import json

    payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    payload["k"] = key
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


FORGED_KEYS: tuple[Any, ...] = ([{"issued_on": 1}, ["x"]], [None, None], [1, 2], ["\x00", "\x00"], "k", [])


def forged_page_tokens(owner: str, token: str) -> list[Crafted]:
    """Requests listing ``owner``'s results with ``token`` (one lookup issued for that owner) carrying
    forged keys: the scope matches, so the key reaches the query unless it is checked."""
    return [
        Crafted(path={"personal_id": owner}, query={"page_token": _reencode(token, key)})
        for key in FORGED_KEYS
    ]


def boundary_cases(operation: Any) -> list[Any]:
    """One case per boundary value of each date-time and integer query parameter, the rest left out:
    the random runs may miss a value, this sweep does not."""
    # Path parameters get one well-formed value (a personal id's shape suits every path here).
    path = {p.name: "001090012345" for p in operation.path_parameters}
    cases = []
    for parameter in operation.query:
        kinds = _kinds(parameter.definition.get("schema", {}))
        values = (BOUNDARY_DATETIMES if "date-time" in kinds else ()) + (
            HUGE_NUMBERS if "integer" in kinds else ()
        )
        cases += [operation.Case(path_parameters=path, query={parameter.name: value}) for value in values]
    return cases


def without_lifespan(app: Any) -> Any:
    """``app`` with its lifespan left to the test's client: schemathesis runs an ASGI app's lifespan and
    its pytest plugin ends it after each test, which would close the gateway's lookup channel under a
    fixture that outlives the test."""

    async def served(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        while True:
            message = await receive()
            await send({"type": f"{message['type']}.complete"})
            if message["type"] == "lifespan.shutdown":
                return

    return served


def load_schema(app: Any) -> Any:
    """``app``'s OpenAPI document as schemathesis reads it, with the project's configuration."""
    config = SchemathesisConfig.from_path(PROJECT_CONFIG)
    return schemathesis.openapi.from_asgi("/openapi.json", without_lifespan(app), config=config)


Headers = Callable[[schemathesis.Case[Any]], Mapping[str, str]]


def fuzz_operations(
    schema: Any, headers: Headers, *, examples: int, sweep_headers: Mapping[str, str] | None = None
) -> tuple[int, int, list[str]]:
    """Every operation's positive and negative cases (``examples`` of each), then its boundary sweep,
    each validated with every check; returns (operations, cases, failures)."""
    failures: list[str] = []
    operations = cases = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in GenerationMode:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None
            )
            def run(case: schemathesis.Case[Any]) -> None:
                nonlocal cases
                cases += 1
                # No ``checks``: every check the configuration enables, which is all of them.
                case.call_and_validate(headers={**dict(case.headers or {}), **headers(case)})

            try:
                run()
            except Unsatisfiable:
                # An operation without parameters or body has no negative case.
                if mode is GenerationMode.POSITIVE:
                    raise
            except Exception as error:  # collect every operation's failure, then report them together
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {error}")
        for case in boundary_cases(operation):
            try:
                extra = sweep_headers or headers(case)
                case.call_and_validate(headers={**dict(case.headers or {}), **extra})
            except Exception as error:
                failures.append(f"{operation.method.upper()} {operation.path} {case.query}: {error}")
    return operations, cases, failures


def run_stateful(
    schema: Any,
    headers: Headers,
    *,
    prepare: Callable[[schemathesis.Case[Any]], None] = lambda case: None,
    scenarios: int,
    steps: int,
) -> None:
    """The state machine the document's links define: each step's answer feeds the ids it holds to the
    next request, every response validated with every check. ``prepare`` may give a case real values
    before it is sent (a dossier id of the caller's, an applicant of the registry)."""
    workflow = schema.as_state_machine()

    class Fed(workflow):  # type: ignore[misc, valid-type]
        def before_call(self, case: schemathesis.Case[Any]) -> None:
            prepare(case)

        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            return {"headers": {**dict(case.headers or {}), **headers(case)}}

    run_state_machine_as_test(
        Fed,
        settings=settings(
            max_examples=scenarios,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
