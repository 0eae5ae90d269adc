"""onceonly-demo: drive a profile's dossiers through the gateway and check the tracker's figures."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import grpc
import httpx
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from onceonly.common.provinces import province_2025
from onceonly.demo.compare import (
    ReportRow,
    Row,
    compare,
    fetch_report,
    load_published,
    published_report,
    report_rows,
    wait_for_drain,
)
from onceonly.demo.driver import drive
from onceonly.demo.plan import Agency, DossierPlan, build_plan
from onceonly.demo.profiles import Profile, load_profiles
from onceonly.demo.sources import load_applicants, load_catalog
from onceonly.demo.truth import ground_truth

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)
console = Console()

ProfileName = Annotated[str, typer.Option("--profile", help="Profile name")]
ProfilesFile = Annotated[Path | None, typer.Option(help="YAML file with more profiles")]
Keys = Annotated[Path, typer.Option(help="TSV of agency code and API key, one agency a line")]
Citizens = Annotated[Path, typer.Option(help="Personal ids to draw applicants from (onceonly-lookup sample)")]
Lookup = Annotated[str, typer.Option(help="Lookup service, host:port")]
Gateway = Annotated[str, typer.Option(help="Gateway base URL")]
Tracker = Annotated[str, typer.Option(help="Tracker base URL")]
Dossiers = Annotated[int | None, typer.Option(help="Override the profile's number of dossiers")]


def _profile(name: str, extra: Path | None) -> Profile:
    profiles = load_profiles(extra)
    if name not in profiles:
        raise typer.BadParameter(f"no profile {name!r}; known: {', '.join(sorted(profiles))}")
    return profiles[name]


def _plan(profile: Profile, citizens: Path, lookup: str, dossiers: int | None) -> list[DossierPlan]:
    ids = [line.strip() for line in citizens.read_text("utf-8").splitlines() if line.strip()]
    agencies = [Agency(a.code, a.name, province_2025(a.province), a.weight) for a in profile.agencies]
    with grpc.insecure_channel(lookup) as channel:
        procedures = load_catalog(channel)
        applicants = load_applicants(channel, ids)
    return build_plan(
        profile, agencies=agencies, procedures=procedures, applicants=applicants, dossiers=dossiers
    )


def _percent(numerator: int, denominator: int) -> str:
    return f"{100 * numerator / denominator:.2f}%" if denominator else "no data"


def _show(rows: list[Row]) -> None:
    table = Table(title="Ground truth (sent) vs tracker (reported)")
    for column in ("indicator", "sent", "tracker", "target", "gap", ""):
        table.add_column(column, justify="left" if column == "indicator" else "right")
    for row in rows:
        expected = f"{_percent(row.expected.numerator, row.expected.denominator)} "
        expected += f"({row.expected.numerator}/{row.expected.denominator})"
        reported = "missing"
        if row.reported:
            reported = f"{_percent(row.reported.numerator, row.reported.denominator)} "
            reported += f"({row.reported.numerator}/{row.reported.denominator})"
        table.add_row(
            row.indicator,
            expected,
            reported,
            "" if row.target is None else f"{row.target:.2f}%",
            "" if row.gap is None else f"{row.gap:+.2f}",
            "[green]✓[/]" if row.matches else "[red]✗[/]",
        )
    console.print(table)


def _show_report(rows: list[ReportRow], province: str | None) -> None:
    where = f"province {province}" if province else "every province"
    table = Table(title=f"The rest of the report: tracker ({where}) vs published 2024")
    for column in ("indicator", "published", "tracker", "note"):
        table.add_column(column, justify="left" if column in ("indicator", "note") else "right")
    for row in rows:
        reported = "missing"
        if row.reported:
            reported = f"{_percent(row.reported.numerator, row.reported.denominator)} "
            reported += f"({row.reported.numerator:,}/{row.reported.denominator:,})"
        published = "" if row.published is None else f"{row.published:.2f}%"
        table.add_row(row.indicator, published, reported, row.note)
    console.print(table)


def _check(profile: Profile, plans: list[DossierPlan], tracker: str, timeout: float) -> bool:
    truth = ground_truth(plans)
    with httpx.Client(base_url=tracker, timeout=10) as client:
        reported = wait_for_drain(
            client,
            truth,
            start=profile.start,
            end=profile.end,
            agencies={agency.code for agency in profile.agencies},
            timeout=timeout,
        )
        rows = compare(truth, reported)
        _show(rows)
        # The figures beyond the eight: over the profile's province (when it has one) and period; shown
        # beside the published ones, not checked (the catalog's come from its snapshot, not the demo).
        provinces = {agency.province for agency in profile.agencies}
        province = next(iter(provinces)) if len(provinces) == 1 else None
        path = published_report()
        published = load_published(path) if path is not None else {}
        try:
            figures = fetch_report(client, profile.start, profile.end, province)
        except httpx.HTTPError as exc:
            console.print(f"[yellow]the rest of the report is unavailable[/]: {exc}")
        else:
            _show_report(report_rows(published, figures), province)
    return all(row.matches for row in rows)


@app.command()
def profiles(profiles_file: ProfilesFile = None) -> None:
    """List the profiles."""
    for name, profile in sorted(load_profiles(profiles_file).items()):
        typer.echo(f"{name}\t{profile.dossiers} dossiers\t{profile.description}")


@app.command()
def agencies(profile: ProfileName = "binh-duong-2024", profiles_file: ProfilesFile = None) -> None:
    """Print the profile's agencies (code, name, province), tab-separated, to register them."""
    for agency in _profile(profile, profiles_file).agencies:
        typer.echo(f"{agency.code}\t{agency.name}\t{agency.province}")


@app.command()
def run(
    keys: Keys,
    citizens: Citizens,
    profile: ProfileName = "binh-duong-2024",
    profiles_file: ProfilesFile = None,
    dossiers: Dossiers = None,
    lookup: Lookup = "127.0.0.1:50051",
    gateway: Gateway = "http://127.0.0.1:8080",
    tracker: Tracker = "http://127.0.0.1:8090",
    concurrency: Annotated[int, typer.Option(min=1, max=256)] = 32,
    drain_timeout: Annotated[float, typer.Option(help="Seconds to wait for the tracker")] = 300.0,
) -> None:
    """Send the profile's dossiers through the gateway, then compare the tracker's figures with what
    was sent. Exits 1 on any difference or any refused request."""
    chosen = _profile(profile, profiles_file)
    plans = _plan(chosen, citizens, lookup, dossiers)
    agency_keys = dict(line.split("\t", 1) for line in keys.read_text("utf-8").split("\n") if "\t" in line)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(f"{chosen.name}: filing {len(plans)} dossiers", total=len(plans))
        report = asyncio.run(
            drive(
                plans,
                gateway_url=gateway,
                keys=agency_keys,
                concurrency=concurrency,
                progress=lambda n: bar.advance(task, n),
            )
        )
    console.print(f"{len(report.accepted)} of {len(plans)} dossiers accepted in {report.requests} requests")
    for failure, count in report.failures.most_common():
        console.print(f"[red]refused[/]: {failure} × {count}, e.g. {report.failure_details[failure]}")
    if report.jurisdiction_mismatches:
        console.print(
            f"[red]jurisdiction differs from the plan[/]: {len(report.jurisdiction_mismatches)} dossiers"
        )
    exact = _check(chosen, report.accepted, tracker, drain_timeout)
    if not exact or report.failures or report.jurisdiction_mismatches:
        raise typer.Exit(1)


@app.command()
def check(
    citizens: Citizens,
    keys: Keys | None = None,
    profile: ProfileName = "binh-duong-2024",
    profiles_file: ProfilesFile = None,
    dossiers: Dossiers = None,
    lookup: Lookup = "127.0.0.1:50051",
    gateway: Gateway = "http://127.0.0.1:8080",
    tracker: Tracker = "http://127.0.0.1:8090",
    drain_timeout: Annotated[float, typer.Option(help="Seconds to wait for the tracker")] = 60.0,
) -> None:
    """Compare the tracker with a profile that already ran, without sending anything."""
    del keys, gateway  # accepted so `run` and `check` take the same arguments
    chosen = _profile(profile, profiles_file)
    if not _check(chosen, _plan(chosen, citizens, lookup, dossiers), tracker, drain_timeout):
        raise typer.Exit(1)
