"""``onceonly-gateway``: serve the API, manage agency systems, verify the audit chain, publish the
catalog's snapshots."""

from __future__ import annotations

import asyncio
import signal
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from fastapi import FastAPI
from kafka.errors import KafkaError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from onceonly.common.cli import MigrateCheck, MigrateTo, bootstrap, load_settings, migrate, serve_http
from onceonly.common.db import make_engine
from onceonly.common.logging import configure_logging, get_logger
from onceonly.common.outbox import Relay
from onceonly.common.provinces import UnknownProvince
from onceonly.common.security import refuse_to_start
from onceonly.common.settings import KafkaSettings
from onceonly.common.working_days import VIETNAM
from onceonly.gateway import catalog_snapshots
from onceonly.gateway.agencies import (
    AgencyExists,
    Scope,
    UnknownAgency,
    add_agency,
    list_agencies,
    revoke_agency,
)
from onceonly.gateway.app import create_app
from onceonly.gateway.audit import ChainReport, Tampering, open_read_only, verify_chain
from onceonly.gateway.checkpoints import (
    Published,
    file_entries,
    generate_key_pair,
    load_public_key,
    topic_entries,
    verify_entries,
)
from onceonly.gateway.http_protocol import bounded_read_protocol
from onceonly.gateway.lookup_client import LookupClient, channel_credentials
from onceonly.gateway.migrations import STORE
from onceonly.gateway.problems import GatewayError
from onceonly.gateway.settings import GatewaySettings
from onceonly.gateway.store import create_store

app = typer.Typer(help="The Onceonly gateway for agency systems.", no_args_is_help=True)
agency_app = typer.Typer(help="Register, list and revoke agency systems.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log and its signed checkpoints.", no_args_is_help=True)
app.add_typer(agency_app, name="agency")
catalog_app = typer.Typer(help="The procedure catalog's snapshots for the tracker.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(catalog_app, name="catalog")

log = get_logger("onceonly.gateway")

COMMAND = "onceonly-gateway"


def _settings(**overrides: object) -> GatewaySettings:
    return bootstrap(GatewaySettings, COMMAND, **overrides)


def app_factory() -> FastAPI:
    """For uvicorn workers (``factory=True``): each worker builds its settings and app."""
    return create_app(_settings())


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Overrides ONCEONLY_GATEWAY_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Overrides ONCEONLY_GATEWAY_PORT.")] = None,
    workers: Annotated[int | None, typer.Option(help="Overrides ONCEONLY_GATEWAY_WORKERS.")] = None,
    relay: Annotated[
        bool | None, typer.Option("--relay/--no-relay", help="Overrides ONCEONLY_GATEWAY_RELAY_ENABLED.")
    ] = None,
) -> None:
    """Serve the API; with --relay (the default) the outbox relay runs in this process as a thread.

    Deployments pass --no-relay and run ``onceonly-gateway relay`` beside it."""
    settings = _settings(host=host, port=port, workers=workers, relay_enabled=relay)
    refuse_to_start(settings, COMMAND)
    engine = make_engine(settings.database_url)
    create_store(engine)
    outbox_relay = None
    if settings.relay_enabled:
        outbox_relay = _relay(engine, settings)
        outbox_relay.start()
    log.info("gateway starting", host=settings.host, port=settings.port, workers=settings.workers)
    try:
        # Several workers each import the app factory and build their own app.
        several = settings.workers > 1
        serve_http(
            "onceonly.gateway.cli:app_factory" if several else create_app(settings),
            factory=several,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            access_log=False,
            protocol=bounded_read_protocol(settings.request_read_timeout_seconds),
            # refuse_to_start has made sure both are set or neither.
            tls_cert_file=settings.tls_cert_file,
            tls_key_file=settings.tls_key_file,
        )
    finally:
        if outbox_relay is not None:
            outbox_relay.stop()
        engine.dispose()


def _relay(engine: Engine, settings: GatewaySettings) -> Relay:
    return Relay(
        engine,
        settings.kafka,
        name="gateway",
        idle_seconds=settings.relay_interval_seconds,
        lease_seconds=settings.relay_lease_seconds,
    )


class _RelayChecks:
    """The settings checks that apply to the relay process (``refuse_to_start``)."""

    def __init__(self, settings: GatewaySettings) -> None:
        self._settings = settings

    def insecure_reasons(self) -> list[str]:
        return self._settings.relay_reasons()


@app.command()
def relay() -> None:
    """Publish the store's outbox to Kafka until SIGTERM or SIGINT (run beside ``serve --no-relay``).

    Safe to run several per store: they elect one holder through a lease row and the others stand by;
    on SIGTERM the holder finishes its batch, marks it sent and hands over at once."""
    settings = _settings()
    refuse_to_start(_RelayChecks(settings), "onceonly-gateway relay")
    engine = make_engine(settings.database_url)
    create_store(engine)
    outbox_relay = _relay(engine, settings)

    def stop(signum: int, _frame: object) -> None:
        log.info("relay stopping", signal=signal.Signals(signum).name)
        outbox_relay.stop(timeout=0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("relay starting", holder=outbox_relay.holder)
    try:
        outbox_relay.run()
    finally:
        engine.dispose()


@app.command("migrate")
def migrate_command(to: MigrateTo = None, check: MigrateCheck = False) -> None:
    """Apply the store's pending schema migrations, under a database lock (safe from several replicas)."""
    migrate(_settings().database_url, STORE, to=to, check=check)


@agency_app.command("add")
def agency_add(
    code: Annotated[str, typer.Option(help="Agency code, e.g. UBND-PHUONG-HOAN-KIEM.")],
    name: Annotated[str, typer.Option(help="Agency name.")],
    province: Annotated[
        str, typer.Option(help="Province: code, pre-2025 or 2025 name, as the agency stood when registered.")
    ],
    scopes: Annotated[
        list[str],
        typer.Option(
            "--scopes", "--scope", help=f"Repeat or comma-separate: {', '.join(s.value for s in Scope)}."
        ),
    ],
    commune: Annotated[str, typer.Option(help="Commune (xã, phường); none for a provincial body.")] = "",
) -> None:
    """Register an agency system and print its API key (shown this once; only its hash is kept)."""
    names = [part.strip() for value in scopes for part in value.replace(" ", ",").split(",") if part.strip()]
    unknown = sorted(set(names) - {s.value for s in Scope})
    if unknown:
        typer.echo(f"unknown scope(s): {', '.join(unknown)}", err=True)
        raise typer.Exit(2)
    settings = _settings()
    engine = make_engine(settings.database_url)
    create_store(engine)
    try:
        agency, key = add_agency(
            engine, code=code, name=name, province=province, scopes=[Scope(n) for n in names], commune=commune
        )
    except (AgencyExists, UnknownProvince) as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    place = ", ".join(p for p in (agency.commune, agency.registered_province) if p)
    if agency.registered_province != agency.province:
        place += f"; today {agency.province}"
    typer.echo(f"registered {agency.code} ({place}) scopes={' '.join(sorted(agency.scopes))}", err=True)
    typer.echo(key)


@agency_app.command("list")
def agency_list() -> None:
    """List agency systems, their province, scopes and state."""
    settings = _settings()
    engine = make_engine(settings.database_url)
    create_store(engine)
    for a in list_agencies(engine):
        state = "active" if a.active else f"revoked {a.revoked_at:%Y-%m-%d %H:%M}"
        typer.echo(f"{a.code}\t{a.name}\t{a.province}\t{','.join(sorted(a.scopes))}\t{state}")
    engine.dispose()


@agency_app.command("revoke")
def agency_revoke(code: Annotated[str, typer.Argument(help="Agency code.")]) -> None:
    """Revoke an agency's key; refused from the next request on, in every gateway process."""
    settings = _settings()
    engine = make_engine(settings.database_url)
    create_store(engine)
    try:
        agency = revoke_agency(engine, code)
    except UnknownAgency as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"revoked {agency.code}")


@audit_app.command("verify")
def audit_verify(
    checkpoints: Annotated[
        list[Path] | None,
        typer.Option(
            "--checkpoints", help="A checkpoint file (JSON lines) the gateway published; repeat for more."
        ),
    ] = None,
    checkpoint_topic: Annotated[
        str | None,
        typer.Option(
            "--checkpoint-topic",
            help="A Kafka topic the gateway published checkpoints to, read whole (broker from KAFKA_*).",
        ),
    ] = None,
    bootstrap_servers: Annotated[
        str | None, typer.Option(help="The broker of --checkpoint-topic; overrides KAFKA_BOOTSTRAP_SERVERS.")
    ] = None,
    public_key: Annotated[
        list[Path] | None,
        typer.Option(
            "--public-key", help="PEM Ed25519 public key the checkpoints are signed with; repeat for more."
        ),
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="The gateway's store; overrides ONCEONLY_GATEWAY_DATABASE_URL.")
    ] = None,
    unanchored: Annotated[
        bool,
        typer.Option(
            "--unanchored",
            help="Check the chain without checkpoints: truncation and re-hashed rewrites go unseen.",
        ),
    ] = False,
) -> None:
    """Check the chain against the signed checkpoints; name every finding. Exit 1 if any.

    Checkpoints come from files, a Kafka topic, or both. Reads the store only (SQLite read-only,
    PostgreSQL a read-only REPEATABLE READ transaction): nothing is created or repaired, and head and
    records come from one snapshot.
    """
    sources = bool(checkpoints) or bool(checkpoint_topic)
    if not unanchored and not (sources and public_key):
        typer.echo(
            "give --checkpoints and/or --checkpoint-topic, and --public-key "
            "(or --unanchored to check the chain alone)",
            err=True,
        )
        raise typer.Exit(2)
    url = load_settings(GatewaySettings, f"{COMMAND} audit verify", database_url=database_url).database_url
    # A verifier's verdict is its output: only warnings and worse are logged beside it.
    configure_logging(level="WARNING")
    keys = []
    for path in public_key or []:
        try:
            keys.append(load_public_key(path))
        except (OSError, ValueError) as error:
            typer.echo(f"cannot use public key {path}: {error}", err=True)
            raise typer.Exit(2) from None
    # Read before the snapshot, so every checkpoint read is of records the snapshot holds.
    entries = _published(checkpoints or [], checkpoint_topic, bootstrap_servers)
    signed, problems = verify_entries(entries, keys)
    try:
        engine = open_read_only(url)
    except FileNotFoundError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    try:
        report = verify_chain(engine, signed, problems)
    except SQLAlchemyError as error:
        # Unreachable, refused or unreadable: no verdict either way.
        typer.echo(f"cannot read the store: {error}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    _report(report, no_valid_checkpoint=sources and not signed)


def _published(files: list[Path], topic: str | None, bootstrap_servers: str | None) -> list[Published]:
    """The checkpoint files' lines, then the topic's records; exit 2 when either cannot be read."""
    entries: list[Published] = []
    try:
        entries.extend(file_entries(files))
    except OSError as error:
        typer.echo(f"cannot read checkpoints: {error}", err=True)
        raise typer.Exit(2) from None
    if topic:
        kafka = load_settings(KafkaSettings, f"{COMMAND} audit verify", bootstrap_servers=bootstrap_servers)
        try:
            entries.extend(topic_entries(kafka, topic))
        except (KafkaError, LookupError) as error:
            typer.echo(f"cannot read checkpoints from topic {topic}: {error}", err=True)
            raise typer.Exit(2) from None
    return entries


def _report(report: ChainReport, *, no_valid_checkpoint: bool) -> None:
    """Print the verdict; exit 1 on any finding (``no_valid_checkpoint``: checkpoints were given, and
    none of them is valid)."""
    findings = list(report.findings)
    if no_valid_checkpoint and report.records:
        findings.append(
            Tampering(
                "checkpoint", 0, "no valid checkpoint in the files or topic given: nothing anchors the chain"
            )
        )
    if not findings:
        if report.anchor is None:
            typer.echo(f"audit chain consistent: {report.records} records, unanchored (no checkpoint)")
        else:
            anchor = report.anchor
            typer.echo(
                f"audit chain intact: {report.records} records, anchored by {report.checkpoints} checkpoints "
                f"up to record {anchor.seq} (signed {anchor.time}, key {anchor.key_id}); "
                f"{report.unanchored} after it not yet anchored"
            )
        return
    for finding in findings:
        typer.echo(str(finding))
    typer.echo(f"{len(findings)} findings in {report.records} records", err=True)
    raise typer.Exit(1)


@audit_app.command("keygen")
def audit_keygen(
    private_key: Annotated[Path, typer.Option(help="Where to write the PEM private key (mode 0600).")],
    public_key: Annotated[Path, typer.Option(help="Where to write the PEM public key, for auditors.")],
) -> None:
    """Make an Ed25519 key pair for the audit checkpoints; prints its key id. Never overwrites."""
    for path in (private_key, public_key):
        if path.exists():
            typer.echo(f"{path} exists: not overwritten", err=True)
            raise typer.Exit(1)
    typer.echo(generate_key_pair(private_key, public_key))


@catalog_app.command("publish")
def catalog_publish(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The day (YYYY-MM-DD) of the catalog; default today.")
    ] = None,
    province: Annotated[
        str,
        typer.Option(help="Province: code, or its name on that day; default every province lookup holds."),
    ] = "",
) -> None:
    """Publish the catalog as it stood on a day, read from lookup, as a CatalogSnapshot event per province.

    The events go through the outbox: the gateway's relay sends them to Kafka (at once when it runs)."""
    try:
        day = date.fromisoformat(as_of) if as_of else datetime.now(VIETNAM).date()
    except ValueError:
        typer.echo(f"--as-of {as_of!r} is not a date YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None
    settings = _settings()
    lookup = LookupClient(
        settings.lookup_target,
        deadline_seconds=settings.grpc_deadline_seconds,
        max_attempts=settings.grpc_max_attempts,
        credentials=channel_credentials(
            settings.lookup_ca_file, settings.lookup_client_cert_file, settings.lookup_client_key_file
        ),
    )
    try:
        taken = asyncio.run(catalog_snapshots.read(lookup, province, day))
    except GatewayError as error:
        # Unreachable (503) or refused (a province lookup does not know): nothing was published.
        typer.echo(f"cannot read the catalog from lookup: {error.detail}", err=True)
        raise typer.Exit(2) from None
    finally:
        lookup.close()
    if not taken:
        typer.echo(
            f"lookup holds no catalog {('of ' + province + ' ') if province else ''}on {day}", err=True
        )
        raise typer.Exit(1)
    engine = make_engine(settings.database_url)
    create_store(engine)
    try:
        published = catalog_snapshots.publish(engine, taken, topic=settings.kafka.topic)
    finally:
        engine.dispose()
    for item in published:
        full, partial = item.levels[1], item.levels[2]
        typer.echo(
            f"published the catalog of {item.province} as of {day}: {item.procedures} procedures, "
            f"{full} full-process and {partial} partly online, {item.procedures - full - partial} offline "
            f"(event {item.event_id})"
        )
