"""Latency of the review queue: listing, single actions with their assembly, batch accept.

The warehouse is synthetic: PAPERS papers, each with MODELS models that
have a Top-1 and a parameter count, plus paper-wide epochs, optimizer and
augmentations, all pending. Boxes and PDFs are not needed for these
timings, so ``show`` is not measured here.

Run: ``.venv/bin/python -m bench.bench_review``
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.report import write_section
from efficientdl.pipeline import review
from efficientdl.pipeline.assemble import assemble_configurations
from efficientdl.warehouse.db import Warehouse, stable_id, to_json

PAPERS = 50
MODELS = 8
REPEATS = 5


def _populate(wh: Warehouse) -> dict[str, list[str]]:
    """Insert the synthetic extractions; return the Top-1 extraction ids by paper."""
    rows, top1_ids = [], {}
    for p in range(PAPERS):
        paper_id = f"bench-paper-{p:03d}"
        top1_ids[paper_id] = []
        for m in range(MODELS):
            model = f"Net-{m}"
            for component, value in (("top1", 70.0 + m + p / 100), ("parameters", 5.0 + m)):
                extraction_id = stable_id(paper_id, model, component)
                rows.append((extraction_id, paper_id, model, "ImageNet-1k", component, to_json(value), 0.5 + m / 20))
                if component == "top1":
                    top1_ids[paper_id].append(extraction_id)
        for component, value in (("epochs", 300), ("optimizer", "AdamW"), ("data_augmentation", ["RandAugment", "mixup"])):
            rows.append((stable_id(paper_id, None, component), paper_id, None, None, component, to_json(value), 0.9))
    wh.con.executemany(
        "INSERT INTO extractions (extraction_id, paper_id, model_name, dataset, component, value, extractor, confidence) "
        "VALUES (?, ?, ?, ?, ?, ?, 'bench/1', ?)",
        rows,
    )
    return top1_ids


def _median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.0f} ms"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, Warehouse(Path(folder) / "bench.duckdb") as wh:
        top1_ids = _populate(wh)
        total = wh.count("extractions")
        papers = list(top1_ids)

        list_times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            review.list_extractions(wh, limit=None)
            list_times.append(time.perf_counter() - start)

        accept_times, undo_times = [], []
        for paper_id in papers[:REPEATS]:
            start = time.perf_counter()
            review.accept(wh, [top1_ids[paper_id][0]], reviewer="bench")
            accept_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            review.undo(wh, top1_ids[paper_id][0], reviewer="bench")
            undo_times.append(time.perf_counter() - start)

        start = time.perf_counter()
        outcome = review.accept_batch(wh, 0.0, reviewer="bench")
        batch_seconds = time.perf_counter() - start

        start = time.perf_counter()
        report = assemble_configurations(wh)
        rerun_seconds = time.perf_counter() - start

    body = f"""
Synthetic warehouse: {PAPERS} papers x {MODELS} models, {total} pending extractions.
Single actions include the assembly of the touched paper (one configuration); median of {REPEATS}.

| step | time |
| --- | --- |
| list the whole queue ({total} rows) | {_median_ms(list_times)} |
| accept one Top-1 (+ assembly) | {_median_ms(accept_times)} |
| undo that accept (+ assembly, row removed) | {_median_ms(undo_times)} |
| batch accept of {len(outcome.changed)} extractions (+ assembly of {outcome.assembly.records} configurations) | {batch_seconds:.2f} s |
| assembly re-run, nothing changed ({report.unchanged} unchanged) | {rerun_seconds:.2f} s |
"""
    path = write_section("review", "Review queue", ".venv/bin/python -m bench.bench_review", body)
    print(body)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
