"""``efficientdl ingest``: load model-zoo results and spreadsheets into the warehouse."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.table import Table

from efficientdl.cli.console import console, progress_bar
from efficientdl.pipeline.ingest import IngestReport
from efficientdl.pipeline.load import ingest_path
from efficientdl.pipeline.seed import build_seed, load_seed, source_inputs
from efficientdl.warehouse.db import Warehouse


def print_report(report: IngestReport, as_json: bool) -> None:
    """Print an ingest summary as a table, or as one JSON object."""
    if as_json:
        click.echo(json.dumps(report.as_dict()))
        return
    table = Table(title=f"ingest {report.source}", show_header=False)
    for key in ("read", "loaded", "updated", "unchanged", "quarantined", "skipped", "flagged"):
        table.add_row(key, str(getattr(report, key)))
    console.print(table)
    for reason, count in report.skip_reasons.most_common(5):
        console.print(f"  skipped {count}: {reason}")
    for reason, count in report.quarantine_reasons.most_common(5):
        console.print(f"  quarantined {count}: {reason}")
    if report.quarantined:
        console.print("  see them with: efficientdl quarantine list")


def run_ingest(ctx: click.Context, kind: str, path: str, as_json: bool) -> None:
    """Ingest ``path`` with a progress bar; exit 1 when nothing could be read."""
    with Warehouse(ctx.obj["db"]) as wh, progress_bar() as progress:
        task = progress.add_task(f"reading {kind}", total=None)
        report = ingest_path(wh, kind, path, on_item=lambda _: progress.advance(task))
    print_report(report, as_json)
    if report.nothing_read:
        click.echo(f"error: nothing in {path} could be read as {kind} results", err=True)
        sys.exit(1)


@click.group("ingest")
def ingest_group() -> None:
    """Load model-zoo results and spreadsheets into the warehouse."""


_JSON = click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")


@ingest_group.command("timm")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@_JSON
@click.pass_context
def ingest_timm(ctx: click.Context, directory: str, as_json: bool) -> None:
    """Load timm's results-*.csv tables from DIRECTORY (one evaluation set per file)."""
    run_ingest(ctx, "timm", directory, as_json)


@ingest_group.command("mmpretrain")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@_JSON
@click.pass_context
def ingest_mmpretrain(ctx: click.Context, directory: str, as_json: bool) -> None:
    """Load mmpretrain's configs/*/metafile.yml from DIRECTORY, with training recipes
    from the config files when they are present."""
    run_ingest(ctx, "mmpretrain", directory, as_json)


@ingest_group.command("sheet")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_JSON
@click.pass_context
def ingest_sheet(ctx: click.Context, file: str, as_json: bool) -> None:
    """Load a spreadsheet in the EfficientDL column format (.xlsx or .csv)."""
    run_ingest(ctx, "sheet", file, as_json)


@ingest_group.command("seed")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
@_JSON
@click.pass_context
def ingest_seed(ctx: click.Context, file: str | None, as_json: bool) -> None:
    """Load the seed configurations shipped with the package (or FILE, a seed Parquet file)."""
    with Warehouse(ctx.obj["db"]) as wh:
        report = load_seed(wh, file)
    print_report(report, as_json)


@ingest_group.command("sources")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@_JSON
@click.pass_context
def ingest_sources_command(ctx: click.Context, directory: str, as_json: bool) -> None:
    """Load every known source under DIRECTORY (timm-results/, mmpretrain-metafiles/,
    efficientdl-example/*.xlsx), as laid out in the shared sources folder."""
    with Warehouse(ctx.obj["db"]) as wh:
        for kind, path in source_inputs(Path(directory)):
            with progress_bar() as progress:
                task = progress.add_task(f"reading {kind}", total=None)
                report = ingest_path(wh, kind, path, on_item=lambda _: progress.advance(task))
            print_report(report, as_json)


@click.group("seed")
def seed_group() -> None:
    """Rebuild the seed dataset shipped inside the package."""


@seed_group.command("build")
@click.argument("sources", type=click.Path(exists=True, file_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Output Parquet file. Default: the package's seed file.")
def seed_build(sources: str, out: str | None) -> None:
    """Rebuild the seed file from SOURCES (the shared sources folder)."""
    with console.status(f"ingesting {sources}"):
        build = build_seed(sources, out)
    for report in build.reports:
        print_report(report, as_json=False)
    console.print(f"seed: {build.rows} configurations written to {build.path}")


def register(cli: click.Group) -> None:
    cli.add_command(ingest_group)
    cli.add_command(seed_group)
