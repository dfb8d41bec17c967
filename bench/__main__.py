"""Run every benchmark module in bench/ that defines ``main()``."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def run_all() -> None:
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
        if info.name.startswith("bench_"):
            module = importlib.import_module(f"bench.{info.name}")
            print(f"== {info.name}", flush=True)
            module.main()


if __name__ == "__main__":
    run_all()
