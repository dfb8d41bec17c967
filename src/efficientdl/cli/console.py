"""Shared rich consoles and progress bars for the CLI."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

console = Console()
error_console = Console(stderr=True)


def progress_bar() -> Progress:
    """Return a progress bar that writes to stderr, so stdout stays parseable (``--json``)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=error_console,
        transient=True,
    )
