"""``efficientdl discover``: snowball discovery of papers from seeds, online or from a PDF folder."""

from __future__ import annotations

import json
import sys

import click
from rich.table import Table

from efficientdl.cli.console import console, error_console, progress_bar
from efficientdl.pipeline.download import MAX_BYTES, download_run_pdfs
from efficientdl.pipeline.relevance import DL_TERMS, IMAGE_TERMS, RelevanceFilter
from efficientdl.pipeline.snowball import DIRECTIONS, DiscoveryReport, Snowball, SnowballSettings, parse_seed
from efficientdl.pipeline.sources import SOURCE_NAMES, SourceSettings, build_source
from efficientdl.warehouse.db import Warehouse

DEFAULT_SOURCES = ("openalex", "semanticscholar", "arxiv")


def print_report(report: DiscoveryReport, as_json: bool) -> None:
    """Print the run summary as a table, or as one JSON object on stdout."""
    if as_json:
        click.echo(json.dumps(report.as_dict(), default=str))
        return
    table = Table(title=f"discover run {report.run_id} ({report.status}{', resumed' if report.resumed else ''})", show_header=False)
    for key in ("found", "kept", "off_topic", "failed", "expanded", "new_papers", "new_citations"):
        table.add_row(key.replace("_", " "), str(getattr(report, key)))
    console.print(table)
    for seed in report.seeds_failed:
        console.print(f"  seed not found: {seed}")
    for source, stats in report.source_stats.items():
        console.print(f"  {source}: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.items())))
    for source, messages in report.source_errors.items():
        console.print(f"  [red]{source}: {len(messages)} error(s)[/red], first: {messages[0]}")
    for source in report.blocked_sources:
        console.print(f"  [yellow]{source} blocked further requests (CAPTCHA or rate limit); its results are partial[/yellow]")
    if report.downloads:
        console.print("  pdf: " + ", ".join(f"{k} {v}" for k, v in report.downloads.items()))
    if report.resumed and report.expanded == 0 and report.status == "complete":
        console.print("  this run was already complete; add --restart to run it again")
    if report.status == "stopped":
        console.print("  stopped before the end; run the same command again to resume")


def _terms(values: tuple[str, ...], default: tuple[str, ...]) -> tuple[str, ...]:
    terms = tuple(t.strip() for value in values for t in value.split(",") if t.strip())
    return terms or default


@click.command("discover")
@click.option("--seed", "seeds", multiple=True, required=True, help="Starting paper: arxiv:ID, doi:DOI, a PDF file or a title. Repeatable.")
@click.option("--depth", type=click.IntRange(0, 10), default=1, show_default=True, help="Citation steps away from the seeds.")
@click.option("--max-papers", type=click.IntRange(1), default=200, show_default=True, help="Relevant papers kept at most (seeds included).")
@click.option("--source", "sources", multiple=True, help=f"Where to look: {', '.join(SOURCE_NAMES)}. Repeatable. Default: {', '.join(DEFAULT_SOURCES)}.")
@click.option("--direction", type=click.Choice(["both", *DIRECTIONS]), default="both", show_default=True, help="Follow references (backward), citing papers (forward) or both.")
@click.option("--download", "download_dir", type=click.Path(file_okay=False), default=None, help="Folder for the PDFs of the open (arXiv) papers kept.")
@click.option("--max-pdf-mb", type=click.FloatRange(0.1), default=MAX_BYTES / 2**20, show_default=True, help="Largest PDF downloaded, in MiB.")
@click.option("--max-requests", type=click.IntRange(0), default=None, help="Stop after this many network requests (run again to resume).")
@click.option("--max-citations", type=click.IntRange(0), default=100, show_default=True, help="Citing papers read per paper and source.")
@click.option("--image-terms", multiple=True, help="Comma-separated image-classification terms for the relevance filter (replaces the defaults).")
@click.option("--dl-terms", multiple=True, help="Comma-separated deep-learning terms for the relevance filter (replaces the defaults).")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None, help="Response and bibliography cache. Default: $EFFICIENTDL_CACHE_DIR or ~/.cache/efficientdl.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the response cache.")
@click.option("--timeout", type=click.FloatRange(0.1), default=20.0, show_default=True, help="Seconds per request.")
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True, help="Retries per request on timeouts, HTTP 429 and 5xx.")
@click.option("--min-interval", type=click.FloatRange(0), default=None, help="Seconds between two requests to one source (default: each source's own).")
@click.option("--restart", is_flag=True, help="Forget the stored progress of this run and start over.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.pass_context
def discover(
    ctx: click.Context, seeds, depth, max_papers, sources, direction, download_dir, max_pdf_mb, max_requests,
    max_citations, image_terms, dl_terms, cache_dir, no_cache, timeout, retries, min_interval, restart, as_json,
) -> None:
    """Find papers by snowballing references and citations from SEEDs into the warehouse."""
    parsed_seeds = []
    for text in seeds:
        try:
            parsed_seeds.append(parse_seed(text))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--seed") from exc

    source_settings = SourceSettings(
        cache_dir=cache_dir, use_cache=not no_cache, timeout=timeout, max_retries=retries,
        min_interval=min_interval, max_requests=max_requests, max_citations=max_citations,
    )
    specs = list(sources or DEFAULT_SOURCES)
    built = []
    for spec in specs:
        try:
            built.append(build_source(spec, source_settings))
        except (ValueError, FileNotFoundError) as exc:
            raise click.BadParameter(str(exc), param_hint="--source") from exc

    settings = SnowballSettings(
        max_depth=depth,
        max_papers=max_papers,
        directions=DIRECTIONS if direction == "both" else (direction,),
        relevance=RelevanceFilter(_terms(image_terms, IMAGE_TERMS), _terms(dl_terms, DL_TERMS)),
        restart=restart,
    )

    with Warehouse(ctx.obj["db"]) as wh, progress_bar() as progress:
        task = progress.add_task("discovering", total=None)

        def on_progress(done: int, total: int, label: str) -> None:
            progress.update(task, completed=done, total=total, description=f"expanded {done}/{total}")

        snowball = Snowball(wh, built, settings, source_specs=specs, on_progress=on_progress)
        report = snowball.run(parsed_seeds)

        if download_dir and report.status != "stopped":
            progress.update(task, description="downloading PDFs")
            client = source_settings.client("download", 3.0)
            counts = download_run_pdfs(wh, report.run_id, client, download_dir, max_bytes=int(max_pdf_mb * 2**20))
            report.downloads = dict(counts.__dict__)

    print_report(report, as_json)
    if report.kept == 0:
        error_console.print("error: no paper was kept; check the seeds and the sources' errors above")
        sys.exit(1)


def register(cli: click.Group) -> None:
    cli.add_command(discover)
