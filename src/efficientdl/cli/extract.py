"""``efficientdl extract``: read training setups and Top-1 results from PDFs."""

from __future__ import annotations

import json
import logging
import sys

import click
from rich.table import Table

from efficientdl.cli.console import console, progress_bar
from efficientdl.pipeline.extract import ExtractReport, collect_pdfs, extract_pdfs
from efficientdl.warehouse.db import Warehouse


def print_summary(report: ExtractReport) -> None:
    """Print one row per paper (status, pages, tables, new values, problems), then its values per component."""
    table = Table(title="extract pdf")
    for column in ("file", "status", "pages", "tables", "values", "new", "problems"):
        table.add_column(column, overflow="fold")
    for paper in report.papers:
        table.add_row(
            paper.file,
            paper.status,
            str(paper.pages),
            str(paper.tables),
            str(sum(paper.values.values())),
            str(paper.new_extractions),
            "; ".join(paper.problems)[:200],
        )
    console.print(table)

    for paper in report.papers:
        if paper.values:
            values = ", ".join(f"{name} {count}" for name, count in sorted(paper.values.items()))
            console.print(f"{paper.file}: {values}", soft_wrap=True)

    summary = report.as_dict()
    console.print(
        f"{summary['extracted']} extracted, {summary['skipped']} skipped, {summary['quarantined']} quarantined; "
        f"{summary['new_extractions']} new extractions from {summary['pages']} pages in {summary['seconds']:.1f} s"
    )
    if summary["quarantined"]:
        console.print("  see the reasons with: efficientdl quarantine list")


@click.command("extract")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True), metavar="PDF_OR_DIR...")
@click.option("--page-limit", type=click.IntRange(min=1), default=60, show_default=True, help="Quarantine PDFs with more pages than this, unread.")
@click.option("--time-limit", type=click.FloatRange(min=1), default=120.0, show_default=True, help="Seconds one PDF may take before its worker is stopped.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Worker processes parsing PDFs at once.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object on stdout.")
@click.pass_context
def extract_command(ctx: click.Context, paths: tuple[str, ...], page_limit: int, time_limit: float, workers: int, as_json: bool) -> None:
    """Extract training setups and Top-1 results from PDF_OR_DIR (PDF files or folders of PDFs).

    Every value becomes a pending row of the review queue (the extractions
    table). Unreadable PDFs go to the quarantine with the reason. PDFs
    already read (same SHA-256) are skipped.
    """
    # pdfminer and playa warn about every font without a usable encoding, and
    # pypdf about each broken cross-reference it repairs; the text is still read.
    for name in ("pdfminer", "playa", "pypdf"):
        logging.getLogger(name).setLevel(logging.ERROR)
    files = collect_pdfs(paths)
    with Warehouse(ctx.obj["db"]) as wh, progress_bar() as progress:
        task = progress.add_task("reading PDFs", total=len(files))

        def advance(summary) -> None:
            progress.update(task, advance=1, description=f"read {summary.file}")

        report = extract_pdfs(wh, files, page_limit=page_limit, time_limit=time_limit, workers=workers, on_progress=advance)
    if as_json:
        click.echo(json.dumps(report.as_dict()))
    else:
        print_summary(report)
    if files and report.count("quarantined") == len(files):
        click.echo("error: none of the PDFs could be read; see `efficientdl quarantine list`", err=True)
        sys.exit(1)


def register(cli: click.Group) -> None:
    cli.add_command(extract_command)
