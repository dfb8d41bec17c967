"""Speed of the mmpretrain extractor and of the mmengine config resolver.

It times three steps. The first extracts the real metafiles folder, which
has no configs, so only metafiles are parsed. The second ingests that folder
into a fresh warehouse twice; the second run finds every row unchanged. The
third resolves the fixture checkout's configs with a new resolver each time
(no cache), the per-config cost of reading a full mmpretrain checkout.

Run: ``.venv/bin/python -m bench.bench_mmpretrain`` (skips the metafile
timings when ``../shared`` is absent).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.report import write_section
from efficientdl.extractors.records import RawRecord
from efficientdl.extractors.repos.mmengine_config import ConfigResolver
from efficientdl.extractors.repos.mmpretrain import extract_mmpretrain
from efficientdl.pipeline.load import ingest_path
from efficientdl.warehouse.db import Warehouse

ROOT = Path(__file__).resolve().parents[1]
METAFILES = ROOT.parent / "shared" / "sources" / "mmpretrain-metafiles"
FIXTURE_CONFIGS = ROOT / "tests" / "fixtures" / "mmpretrain_checkout" / "configs"
REPEATS = 3


def _median_seconds(action) -> float:
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    lines = ["| step | result | median time |", "| --- | --- | --- |"]

    configs = sorted(p for p in FIXTURE_CONFIGS.rglob("*.py") if "_base_" not in p.parts)
    seconds = _median_seconds(lambda: [ConfigResolver().resolve(p) for p in configs])
    lines.append(f"| resolve {len(configs)} fixture configs, no cache | {len(configs)} configs | "
                 f"{seconds * 1000 / len(configs):.1f} ms per config |")

    if METAFILES.is_dir():
        records = sum(isinstance(item, RawRecord) for item in extract_mmpretrain(METAFILES))
        seconds = _median_seconds(lambda: list(extract_mmpretrain(METAFILES)))
        lines.append(f"| extract the real metafiles | {records} records | {seconds:.2f} s |")

        with tempfile.TemporaryDirectory() as folder, Warehouse(Path(folder) / "bench.duckdb") as wh:
            start = time.perf_counter()
            first = ingest_path(wh, "mmpretrain", METAFILES)
            first_seconds = time.perf_counter() - start
            start = time.perf_counter()
            second = ingest_path(wh, "mmpretrain", METAFILES)
            second_seconds = time.perf_counter() - start
        lines.append(f"| ingest, first run | {first.loaded} loaded, {first.quarantined} quarantined, "
                     f"{first.skipped} skipped | {first_seconds:.2f} s |")
        lines.append(f"| ingest, second run | {second.unchanged} unchanged, {second.loaded} loaded | {second_seconds:.2f} s |")
    else:
        lines.append(f"| metafile timings | skipped: {METAFILES} is absent | |")

    path = write_section("mmpretrain", "mmpretrain extractor", ".venv/bin/python -m bench.bench_mmpretrain", "\n".join(lines))
    print(path.read_text(encoding="utf-8").split("<!-- bench:mmpretrain -->")[1].split("<!-- /bench:mmpretrain -->")[0])


if __name__ == "__main__":
    main()
