"""``efficientdl review``: the curator queue over extracted values.

Extraction ids may be given as unique prefixes. Every action is logged in
``review_log`` under ``--reviewer`` (default ``$EFFICIENTDL_REVIEWER`` or
the operating-system user) and reassembles the touched papers'
configurations.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import click
from rich.markup import escape
from rich.table import Table

from efficientdl.cli.console import console, error_console
from efficientdl.pipeline import review
from efficientdl.pipeline.assemble import assemble_configurations
from efficientdl.schema.tables import EXTRACTION_STATUSES
from efficientdl.warehouse.db import Warehouse

#: Row key to column header of `review list`.
_LIST_COLUMNS = {
    "extraction_id": "id",
    "paper_id": "paper",
    "model_name": "model",
    "dataset": "dataset",
    "component": "component",
    "value": "value",
    "page": "page",
    "confidence": "conf",
    "status": "status",
}
_REVIEWER = click.option("--reviewer", default=None, help="Reviewer name stored in review_log. Default: $EFFICIENTDL_REVIEWER or the OS user.")


@contextmanager
def _review_errors() -> Iterator[None]:
    """Turn review errors into one-line CLI errors with exit code 1."""
    try:
        yield
    except review.ReviewError as exc:
        raise click.ClickException(str(exc)) from None


def _format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(row, default=str))


def _print_outcome(outcome: review.ReviewOutcome) -> None:
    """Print one line per extraction and the assembly summary; exit 1 when any extraction failed."""
    for result in outcome.results:
        if result.outcome == "changed":
            before, after = escape(_format_value(result.value_before)), escape(_format_value(result.value_after))
            value = f"value {after}" if before == after else f"value {before} -> {after}"
            console.print(
                f"{result.action} [bold]{result.extraction_id}[/bold]: {result.status_before} -> {result.status_after}, "
                f"{value} (log {result.log_id})",
                soft_wrap=True,
            )
        elif result.outcome == "unchanged":
            console.print(f"{result.action} {result.extraction_id}: unchanged, {escape(result.note or '')}", soft_wrap=True)
        else:
            error_console.print(f"[red]{result.action} {result.extraction_id} failed:[/red] {escape(result.note or '')}", soft_wrap=True)
    if outcome.assembly is not None:
        report = outcome.assembly
        console.print(
            f"configurations from {report.papers} paper(s): {report.loaded} loaded, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.removed} removed, {report.quarantined} quarantined",
            soft_wrap=True,
        )
        for reason in report.skipped:
            console.print(f"  not assembled: {escape(reason)}", soft_wrap=True)
        if report.quarantined:
            console.print("  see why with: efficientdl quarantine list --source pdf", soft_wrap=True)
    if outcome.failed:
        sys.exit(1)


@click.group("review")
def review_group() -> None:
    """Review extracted values: list, show, accept, edit, reject, undo, assemble."""


@review_group.command("list")
@click.option("--paper", default=None, help="Only this paper (paper id, arXiv id or DOI).")
@click.option("--component", default=None, help="Only this component, e.g. top1 or epochs.")
@click.option("--status", type=click.Choice([*EXTRACTION_STATUSES, "all"]), default="pending", show_default=True, help="Only extractions with this review status.")
@click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=None, help="Only extractions with at least this confidence (0 to 1).")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True, help="Print at most this many rows.")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Output format.")
@click.pass_context
def review_list(ctx: click.Context, paper, component, status, min_confidence, limit, output_format) -> None:
    """List extractions in reading order (paper, page, model, component)."""
    with _review_errors(), Warehouse(ctx.obj["db"], read_only=True) as wh:
        rows = review.list_extractions(wh, paper=paper, component=component, status=status, min_confidence=min_confidence, limit=limit)
    if output_format == "json":
        click.echo(json.dumps([_jsonable(row) for row in rows]))
        return
    table = Table(title=f"extractions ({status})")
    for column, header in _LIST_COLUMNS.items():
        # Ids stay on one line so they can be copied into the next command.
        if column == "extraction_id":
            table.add_column(header, no_wrap=True, min_width=max([16, *(len(r[column]) for r in rows)]))
        else:
            table.add_column(header, overflow="fold")
    for row in rows:
        cells = {**row, "value": _format_value(row["value"]), "confidence": f"{row['confidence']:.2f}" if row["confidence"] is not None else ""}
        table.add_row(*(escape("" if cells[c] is None else str(cells[c])) for c in _LIST_COLUMNS))
    console.print(table)


@review_group.command("show")
@click.argument("extraction_id")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None, help="Folder for the PNG of the page region. Default: review-crops/ beside the warehouse.")
@click.option("--resolution", type=click.IntRange(36, 600), default=150, show_default=True, help="Image resolution, dots per inch.")
@click.pass_context
def review_show(ctx: click.Context, extraction_id: str, out_dir: str | None, resolution: int) -> None:
    """Print one extraction with its value highlighted in the snippet, and render its page region to a PNG."""
    out = Path(out_dir) if out_dir else Path(ctx.obj["db"]).parent / "review-crops"
    with _review_errors(), Warehouse(ctx.obj["db"], read_only=True) as wh:
        view = review.show(wh, extraction_id, out, resolution=resolution, require_image=False)
    row = view.extraction

    console.print(f"[bold]extraction {row['extraction_id']}[/bold]  ({escape(row['status'])})", soft_wrap=True)
    console.print(f"paper      {escape(row['paper_id'])}  {escape(row.get('paper_title') or '')}", soft_wrap=True)
    console.print(f"model      {escape(row['model_name'] or '(paper-wide)')}   dataset {escape(row['dataset'] or '(all)')}", soft_wrap=True)
    console.print(f"component  {escape(row['component'])} = [bold]{escape(_format_value(row['value']))}[/bold]   raw {escape(repr(row['raw_text']))}", soft_wrap=True)
    console.print(f"extractor  {escape(row['extractor'])}   confidence {row['confidence']}", soft_wrap=True)
    console.print(f"page       {view.page if view.page is not None else '(none)'}", soft_wrap=True)
    console.print("snippet    " + (view.snippet_markup() or "(none)"), soft_wrap=True)
    if view.image_path is not None:
        console.print(f"image      {escape(str(view.image_path))}", soft_wrap=True)
    else:
        error_console.print(f"[red]error:[/red] {escape(view.image_error or 'no image')}", soft_wrap=True)
        sys.exit(1)


@review_group.command("accept")
@click.argument("ids", nargs=-1)
@click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=None, help="Accept every pending extraction with at least this confidence (0 to 1) instead of IDS.")
@click.option("--paper", default=None, help="With --min-confidence: only this paper (paper id, arXiv id or DOI).")
@click.option("--component", default=None, help="With --min-confidence: only this component.")
@_REVIEWER
@click.pass_context
def review_accept(ctx: click.Context, ids, min_confidence, paper, component, reviewer) -> None:
    """Accept the extractions IDS, or every pending one above --min-confidence."""
    if ids and min_confidence is not None:
        raise click.UsageError("give extraction IDS or --min-confidence, not both")
    if not ids and min_confidence is None:
        raise click.UsageError("give extraction IDS or --min-confidence")
    if ids and (paper or component):
        raise click.UsageError("--paper and --component only narrow a --min-confidence batch")
    with _review_errors(), Warehouse(ctx.obj["db"]) as wh:
        if ids:
            outcome = review.accept(wh, ids, reviewer=reviewer)
        else:
            outcome = review.accept_batch(wh, min_confidence, paper=paper, component=component, reviewer=reviewer)
    if not outcome.results:
        console.print("no pending extraction matches")
    _print_outcome(outcome)


def _parse_cli_value(text: str) -> Any:
    """Read a JSON list (``'["mixup", "CutMix"]'``) as a list; anything else stays text."""
    if text.strip().startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"{text!r} starts like a JSON list but is not one: {exc}") from None
    return text


@review_group.command("edit")
@click.argument("extraction_id")
@click.argument("value")
@_REVIEWER
@click.pass_context
def review_edit(ctx: click.Context, extraction_id: str, value: str, reviewer: str | None) -> None:
    """Replace the value of EXTRACTION_ID with VALUE (normalised for its component, e.g. '25.6M', '0.813')."""
    with _review_errors(), Warehouse(ctx.obj["db"]) as wh:
        outcome = review.edit(wh, extraction_id, _parse_cli_value(value), reviewer=reviewer)
    _print_outcome(outcome)


@review_group.command("reject")
@click.argument("extraction_id")
@click.option("--reason", required=True, help="Why the value is wrong, e.g. 'this is the Top-5'.")
@_REVIEWER
@click.pass_context
def review_reject(ctx: click.Context, extraction_id: str, reason: str, reviewer: str | None) -> None:
    """Reject EXTRACTION_ID, stating the reason."""
    with _review_errors(), Warehouse(ctx.obj["db"]) as wh:
        outcome = review.reject(wh, extraction_id, reason, reviewer=reviewer)
    _print_outcome(outcome)


@review_group.command("undo")
@click.argument("extraction_id")
@_REVIEWER
@click.pass_context
def review_undo(ctx: click.Context, extraction_id: str, reviewer: str | None) -> None:
    """Revert the latest review action on EXTRACTION_ID that is not undone yet."""
    with _review_errors(), Warehouse(ctx.obj["db"]) as wh:
        outcome = review.undo(wh, extraction_id, reviewer=reviewer)
    _print_outcome(outcome)


@review_group.command("assemble")
@click.option("--paper", "papers", multiple=True, help="Only this paper id (repeatable). Default: every paper.")
@click.option("--json", "as_json", is_flag=True, help="Print the assembly report as one JSON object.")
@click.pass_context
def review_assemble(ctx: click.Context, papers: tuple[str, ...], as_json: bool) -> None:
    """Rebuild the configurations of reviewed papers from their accepted values.

    Review actions do this for the papers they touch; run it after a failed
    assembly or after changing extractions by hand.
    """
    with Warehouse(ctx.obj["db"]) as wh:
        report = assemble_configurations(wh, papers or None)
    if as_json:
        click.echo(json.dumps(report.as_dict()))
        return
    _print_outcome(review.ReviewOutcome([], report))


def register(cli: click.Group) -> None:
    cli.add_command(review_group)
