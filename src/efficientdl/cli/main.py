"""Entry point of the ``efficientdl`` command.

The global ``--db`` option (or ``$EFFICIENTDL_DB``) selects the warehouse
file; every subcommand reads it from the click context. Subcommands live in
one module per stage (listed in :data:`COMMAND_MODULES`), each exposing
``register(group)``.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click
from rich.logging import RichHandler

from efficientdl.cli.console import error_console
from efficientdl.warehouse.db import DB_ENV_VAR, WarehouseError, resolve_db_path

#: Modules that add subcommands, in the order their help is listed.
COMMAND_MODULES = (
    "efficientdl.cli.run",
    "efficientdl.cli.ingest",
    "efficientdl.cli.query",
    "efficientdl.cli.review",
    "efficientdl.cli.extract",
    "efficientdl.cli.discover",
    "efficientdl.cli.models",
    "efficientdl.cli.verify",
    "efficientdl.cli.recommend",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    default=None,
    help=f"Warehouse file (DuckDB). Default: ${DB_ENV_VAR} or ./efficientdl.duckdb.",
)
@click.option("-v", "--verbose", count=True, help="Log more: -v for INFO, -vv for DEBUG.")
@click.pass_context
def cli(ctx: click.Context, db_path: str | None, verbose: int) -> None:
    """EfficientDL board: predict and recommend image-classification training setups
    from what the literature reports."""
    level = logging.WARNING
    if verbose == 1:
        level = logging.INFO
    elif verbose >= 2:
        level = logging.DEBUG
    logging.basicConfig(level=level, format="%(message)s", handlers=[RichHandler(console=error_console, show_path=False)])
    # pdfminer warns about every odd font glyph in real papers, and nothing in those warnings can be acted on.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    ctx.ensure_object(dict)
    ctx.obj["db"] = resolve_db_path(db_path)


def _register_commands() -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(cli)


_register_commands()


def main() -> None:
    """Run the CLI, turning expected failures into one-line errors and exit code 1."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        error_console.print("aborted")
        sys.exit(130)
    except (WarehouseError, FileNotFoundError, KeyError, ValueError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        error_console.print(f"[red]error:[/red] {message}")
        sys.exit(1)


if __name__ == "__main__":
    main()
