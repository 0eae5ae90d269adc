"""What every service's command line shares: reading its settings, configuring logging, serving HTTP,
and the ``migrate`` command.

Each command reads its service's settings once, here: from the environment, with the options given on
the command line laid over them, validated as one (an option is held to the same bounds as its
variable). Settings that do not validate end the process with status 2 and one line per problem, each
naming the variable (or the option) to fix, like ``onceonly.common.security.refuse_to_start``.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar, cast

import typer
import uvicorn
from pydantic import ValidationError
from pydantic_settings import BaseSettings
from starlette.types import ASGIApp

from onceonly.common.logging import configure_logging
from onceonly.common.settings import ServiceSettings

if TYPE_CHECKING:
    from onceonly.common.migrations import MigratedStore

Settings = TypeVar("Settings", bound=BaseSettings)
Service = TypeVar("Service", bound=ServiceSettings)

# A worker answers uvicorn's health pings only once it has imported the app, which takes several
# seconds on a loaded host: at uvicorn's default of 5 s every worker was killed as hung before it could
# serve, and restarted, forever.
WORKER_HEALTHCHECK_SECONDS = 60


def load_settings(settings_class: type[Settings], command: str, **overrides: Any) -> Settings:
    """``settings_class`` from the environment, with ``overrides`` (an option left out is ``None``)
    taking precedence; exits with status 2, naming each problem, when they do not validate."""
    given = {name: value for name, value in overrides.items() if value is not None}
    try:
        # pydantic-settings gives initialiser arguments precedence over the environment, and validates
        # both the same way.
        return settings_class(**given)
    except ValidationError as error:
        _invalid(settings_class, command, error, given)


def bootstrap(settings_class: type[Service], command: str, **overrides: Any) -> Service:
    """What a service's command starts with: its settings (``load_settings``) and logging configured
    from them."""
    settings = load_settings(settings_class, command, **overrides)
    configure_logging(level=settings.logging.level, json_output=settings.logging.json_output)
    return settings


def _invalid(
    settings_class: type[BaseSettings], command: str, error: ValidationError, given: dict[str, Any]
) -> NoReturn:
    # The nested settings (KafkaSettings …) are read by their own default factories: their errors
    # carry their class's name as the title.
    classes: dict[str, type[BaseSettings]] = {settings_class.__name__: settings_class}
    for field in settings_class.model_fields.values():
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseSettings):
            classes[field.annotation.__name__] = field.annotation
    owner = classes.get(error.title)
    reasons = []
    for problem in error.errors(include_url=False, include_input=False):
        loc = [str(part) for part in problem["loc"]]
        reasons.append(f"{_name(owner, loc, given if owner is settings_class else {})}: {problem['msg']}")
    sys.stderr.write(f"{command}: invalid settings:\n  - " + "\n  - ".join(reasons) + "\n")
    raise SystemExit(2)


def _name(owner: type[BaseSettings] | None, loc: list[str], given: dict[str, Any]) -> str:
    """The variable (or command-line option) a validation error's location stands for."""
    if owner is None or not loc:
        return ".".join(loc) or "settings"
    if loc[0] in given:
        return f"{loc[0]} (command line)"
    field = owner.model_fields.get(loc[0])
    aliases = {f.alias for f in owner.model_fields.values() if f.alias}
    if loc[0] in aliases:  # a field read by its alias is located by it: the variable's own name
        return loc[0]
    if field is not None and field.alias:
        return field.alias
    prefix = str(owner.model_config.get("env_prefix", ""))
    return (prefix + loc[0]).upper() + "".join(f"[{part}]" for part in loc[1:])


def serve_http(
    app: ASGIApp | str,
    *,
    host: str,
    port: int,
    factory: bool = False,
    workers: int = 1,
    access_log: bool = True,
    protocol: Callable[..., asyncio.Protocol] | None = None,
    tls_cert_file: Path | None = None,
    tls_key_file: Path | None = None,
) -> None:
    """Serve ``app`` with uvicorn until SIGTERM/SIGINT, its logs through ``configure_logging``'s pipeline.

    Several ``workers`` need ``app`` as an import string (``factory``: of a function building the app),
    which each worker process imports. ``protocol`` builds each connection's HTTP protocol (uvicorn
    calls it with its own keyword arguments); HTTPS when both TLS files are given.
    """
    tls = bool(tls_cert_file and tls_key_file)
    uvicorn.run(
        app,
        host=host,
        port=port,
        factory=factory,
        workers=workers,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        log_config=None,
        access_log=access_log,
        # uvicorn keeps anything but a name as is and only calls it, once per connection.
        http=cast("type[asyncio.Protocol]", protocol) if protocol is not None else "auto",
        ssl_certfile=tls_cert_file if tls else None,
        ssl_keyfile=tls_key_file if tls else None,
    )


MigrateTo = Annotated[
    str | None,
    typer.Option("--to", help="Revision to move to, up or down; default: this release's newest"),
]
MigrateCheck = Annotated[
    bool, typer.Option("--check", help="Change nothing; exit 1 while migrations are pending")
]


def migrate(database_url: str, store: MigratedStore, *, to: str | None, check: bool) -> NoReturn:
    """What each service's ``migrate`` command does: move the store, print the outcome, exit with its code."""
    # Alembic is imported only by the commands that migrate, not by every server start.
    from onceonly.common import migrations
    from onceonly.common.db import make_engine

    engine = make_engine(database_url)
    try:
        code, message = migrations.migrate_command(engine, store, to=to, check=check)
    finally:
        engine.dispose()
    typer.echo(message, err=code != 0)
    raise typer.Exit(code)
