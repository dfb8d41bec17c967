"""Write one benchmark's section of BENCHMARKS.md, leaving the other sections alone.

Each benchmark owns the text between ``<!-- bench:NAME -->`` and
``<!-- /bench:NAME -->``; running it again replaces only that text.
"""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from pathlib import Path

BENCHMARKS_FILE = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"

_HEADER = "# Benchmarks\n\nMeasured figures, written by the scripts in `bench/`. Each section names the command that produced it.\n"


def machine_line() -> str:
    """Describe the machine a figure was measured on."""
    import os

    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def write_section(name: str, title: str, command: str, body: str) -> Path:
    """Replace (or append) the section ``name`` of BENCHMARKS.md and return the file path."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    section = (
        f"{start}\n## {title}\n\nCommand: `{command}`  \nMeasured: {stamp} on {machine_line()}\n\n"
        f"{body.strip()}\n{end}"
    )
    text = BENCHMARKS_FILE.read_text(encoding="utf-8") if BENCHMARKS_FILE.exists() else _HEADER
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    BENCHMARKS_FILE.write_text(text, encoding="utf-8")
    return BENCHMARKS_FILE
