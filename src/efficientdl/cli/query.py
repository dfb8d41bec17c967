"""``efficientdl sql``, ``db stats`` and ``quarantine list``: read the warehouse."""

from __future__ import annotations

import csv
import json
import sys
from typing import Any

import click
from rich.table import Table

from efficientdl.cli.console import console
from efficientdl.warehouse.db import Warehouse
from efficientdl.warehouse.quarantine import list_quarantine
from efficientdl.warehouse.stats import warehouse_stats


def _jsonable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def print_rows(columns: list[str], rows: list[tuple], output_format: str, title: str | None = None) -> None:
    """Print query results as a rich table, CSV or JSON lines of objects."""
    if output_format == "json":
        click.echo(json.dumps([dict(zip(columns, map(_jsonable, row))) for row in rows], indent=None))
        return
    if output_format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


@click.command("sql")
@click.argument("query")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True, help="Output format.")
@click.option("--limit", type=int, default=None, help="Print at most this many rows.")
@click.pass_context
def sql_command(ctx: click.Context, query: str, output_format: str, limit: int | None) -> None:
    """Run QUERY on a read-only connection to the warehouse and print the rows."""
    import duckdb

    with Warehouse(ctx.obj["db"], read_only=True) as wh:
        try:
            cursor = wh.execute(query)
        except duckdb.Error as exc:
            raise click.ClickException(f"query failed: {exc}") from exc
        if cursor.description is None:
            return
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchmany(limit) if limit else cursor.fetchall()
    print_rows(columns, rows, output_format)


@click.group("db")
def db_group() -> None:
    """Inspect the warehouse."""


@db_group.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def db_stats(ctx: click.Context, as_json: bool) -> None:
    """Print row counts per table, configurations per source and dataset, and component coverage."""
    with Warehouse(ctx.obj["db"], read_only=True) as wh:
        stats = warehouse_stats(wh)
    if as_json:
        click.echo(json.dumps(stats, default=str))
        return
    console.print(f"warehouse {stats['path']} (schema version {stats['schema_version']})")
    print_rows(["table", "rows"], list(stats["tables"].items()), "table", title="tables")
    print_rows(["source", "dataset", "rows"], [tuple(r.values()) for r in stats["by_source_dataset"]], "table", title="configurations by source and dataset")
    print_rows(["component", "filled", "share"], [(r["component"], r["filled"], f"{r['share']:.0%}") for r in stats["coverage"]], "table", title="component coverage")


@click.group("quarantine")
def quarantine_group() -> None:
    """Inspect input that could not be read or validated."""


@quarantine_group.command("list")
@click.option("--source", default=None, help="Only this source kind (timm, mmpretrain, sheet, pdf, ...).")
@click.option("--limit", type=int, default=50, show_default=True, help="Rows to print.")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True, help="Output format.")
@click.pass_context
def quarantine_list(ctx: click.Context, source: str | None, limit: int, output_format: str) -> None:
    """List unresolved quarantine rows with their reasons."""
    with Warehouse(ctx.obj["db"], read_only=True) as wh:
        rows = list_quarantine(wh, source=source, limit=limit)
    columns = ["quarantine_id", "source", "source_key", "stage", "reason"]
    print_rows(columns, [tuple(r[c] for c in columns) for r in rows], output_format, title="quarantine")


def register(cli: click.Group) -> None:
    cli.add_command(sql_command)
    cli.add_command(db_group)
    cli.add_command(quarantine_group)
