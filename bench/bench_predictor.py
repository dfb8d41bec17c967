"""Accuracy of the random-forest Top-1 predictor against the baselines, on grouped folds.

The benchmark builds a warehouse from the model-zoo sources: timm results,
plus mmpretrain metafiles and the example spreadsheet when their extractors
exist. It trains the predictor with a nested grid search, so the forest's
hyper-parameters are chosen inside each fold and its scores do not profit
from the selection. It writes the metrics of the forest and of every
baseline, per dataset and overall, with the measured interval coverage.

For contrast it also scores the forest and the best baseline on two other
splits. Folds grouped by family across sources are stricter. Random row folds
are leaky, because the same timm checkpoint has one row per ImageNet test set
and lands on both sides. That figure only shows what grouping guards against.

Run: ``.venv/bin/python -m bench.bench_predictor [--db FILE] [--no-nested]``.
Acceptance: the forest's overall MAE is below the best baseline's.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold

from bench.report import write_section
from efficientdl.models.crossval import FOREST_METHOD, cross_validate
from efficientdl.models.evaluate import ALL_DATASETS, group_keys, grouped_folds
from efficientdl.pipeline.load import EXTRACTORS, ingest_path
from efficientdl.pipeline.train import load_training_rows, train_predictor
from efficientdl.warehouse.db import Warehouse

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT.parent / "shared" / "sources"

#: Source kind to its path under :data:`SOURCES`.
SOURCE_PATHS = {
    "timm": "timm-results",
    "mmpretrain": "mmpretrain-metafiles",
    "sheet": "efficientdl-example/example.xlsx",
}


def build_warehouse(wh: Warehouse, sources: Path = SOURCES) -> dict[str, str]:
    """Ingest every source kind whose extractor module exists; return a status line per kind."""
    status = {}
    for kind, relative in SOURCE_PATHS.items():
        module_name = EXTRACTORS[kind].split(":")[0]
        if importlib.util.find_spec(module_name) is None:
            status[kind] = f"skipped: no extractor module {module_name}"
            continue
        path = sources / relative
        if not path.exists():
            status[kind] = f"skipped: {path} not found"
            continue
        report = ingest_path(wh, kind, path)
        status[kind] = f"{report.loaded + report.updated + report.unchanged} rows, {report.quarantined} quarantined"
    return status


def other_split_mae(wh: Warehouse, forest_params: dict, split: str, baseline: str, random_state: int = 0) -> dict[str, float]:
    """Return the overall MAE of the forest and one baseline on other folds.

    ``split`` is ``"random"`` (ungrouped 5-fold splits: leaky, for contrast
    only) or ``"family"`` (a family's rows from every source share a fold:
    stricter than the default grouping).
    """
    frame = load_training_rows(wh)
    y = frame["top1"].to_numpy(dtype=float)
    if split == "random":
        folds = list(KFold(5, shuffle=True, random_state=random_state).split(frame))
    else:
        folds = grouped_folds(group_keys(frame, across_sources=True).to_numpy(), n_splits=5, random_state=random_state)
    cv = cross_validate(frame, y, folds, forest_params=forest_params, baselines=(baseline,), n_repeats=1, random_state=random_state)
    return {method: float(np.mean(np.abs(predicted - y))) for method, predicted in cv.predictions.items()}


def metrics_markdown(metrics: pd.DataFrame) -> str:
    """Render the metrics table, overall rows first, then per dataset."""
    ordered = pd.concat([metrics[metrics["dataset"] == ALL_DATASETS], metrics[metrics["dataset"] != ALL_DATASETS].sort_values(["dataset", "mae"])])
    lines = ["| method | dataset | rows | MAE | RMSE | R2 | Spearman |", "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for row in ordered.itertuples():
        lines.append(f"| {row.method} | {row.dataset} | {row.n} | {row.mae:.2f} | {row.rmse:.2f} | {row.r2:.3f} | {row.spearman:.3f} |")
    return "\n".join(lines)


def run(db: Path, nested: bool, n_jobs: int) -> str:
    """Build the warehouse at ``db`` when empty, train, and return the report body."""
    with Warehouse(db) as wh:
        status = build_warehouse(wh) if wh.count("configurations") == 0 else {"existing warehouse": f"{wh.count('configurations')} rows"}
        started = time.perf_counter()
        result = train_predictor(wh, nested=nested, n_jobs=n_jobs)
        seconds = time.perf_counter() - started
        overall = result.metrics[result.metrics["dataset"] == ALL_DATASETS].set_index("method")["mae"]
        best_baseline = overall.drop(FOREST_METHOD).idxmin()
        leaky = other_split_mae(wh, result.parameters["forest"], "random", best_baseline)
        strict = other_split_mae(wh, result.parameters["forest"], "family", best_baseline)

    verdict = "passes" if overall[FOREST_METHOD] < overall[best_baseline] else "FAILS"
    coverage = result.interval_coverage
    coverage_rows = "\n".join(f"| {name} | {value:.1%} |" for name, value in coverage["per_dataset"].items())
    sources = "\n".join(f"- {kind}: {line}" for kind, line in status.items())
    selection = "nested: a grid search inside each outer fold" if nested else "one grid search on the same folds (mildly optimistic)"
    return f"""
Rows: {result.rows} configurations with a Top-1, in {result.parameters['groups']} groups (paper, else source and
architecture family); {result.parameters['n_splits']} grouped folds. Sources:
{sources}

Forest hyper-parameters: {selection}; the registered forest uses {result.parameters['forest']}
(grid of {int(np.prod([len(v) for v in result.parameters['grid'].values()]))} candidates). Training took {seconds:.0f} s
on a machine shared with other jobs.

Acceptance (forest MAE below the best baseline's): **{verdict}**, random_forest {overall[FOREST_METHOD]:.2f} vs
{best_baseline} {overall[best_baseline]:.2f} Top-1 points.

{metrics_markdown(result.metrics)}

Nominal {coverage['nominal']:.0%} intervals (tree spread, calibrated on the other folds' held-out rows):
measured coverage {coverage['measured']:.1%}, mean width {coverage['mean_width']:.1f} points.

| dataset | coverage |
| --- | ---: |
{coverage_rows}

Applicability-domain threshold (99th percentile of held-out distances): {result.parameters['domain_threshold']:.2f}.

Other splits, with the registered forest's hyper-parameters (overall MAE, Top-1 points):

| split | random_forest | {best_baseline} |
| --- | ---: | ---: |
| grouped by paper, else source and family (above) | {overall[FOREST_METHOD]:.2f} | {overall[best_baseline]:.2f} |
| grouped by family across sources (stricter) | {strict[FOREST_METHOD]:.2f} | {strict[best_baseline]:.2f} |
| random rows (leaky: a model's other test sets and sibling checkpoints are in training) | {leaky[FOREST_METHOD]:.2f} | {leaky[best_baseline]:.2f} |
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="Warehouse file to build or reuse; default: a temporary one.")
    parser.add_argument("--no-nested", dest="nested", action="store_false", help="One grid search on the same folds (faster).")
    parser.add_argument("--jobs", type=int, default=-1, help="Cores for the forest.")
    args = parser.parse_args(argv)
    if not SOURCES.is_dir():
        print(f"skipped: {SOURCES} is absent")
        return

    command = ".venv/bin/python -m bench.bench_predictor" + ("" if args.nested else " --no-nested")
    if args.db is not None:
        body = run(args.db, args.nested, args.jobs)
    else:
        with tempfile.TemporaryDirectory() as folder:
            body = run(Path(folder) / "bench.duckdb", args.nested, args.jobs)
    path = write_section("predictor", "Top-1 predictor: grouped cross-validation", command, body)
    print(body)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
