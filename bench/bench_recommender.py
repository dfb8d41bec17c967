"""Benchmark the recommender's search methods: regret against the true optimum of the predictor.

Each task fixes a model and a dataset (or only a dataset), searches some
components and may add constraints. The reference is the best candidate of
the whole space, found by exhaustive search when the space is finite, else
the best of a large uniform random sample. Every method then searches the
same space on the same real predictor. Its regret is the reference score
minus the best score it found, in Top-1 points.

For finite spaces the exhaustive pass already predicts every feasible
candidate, so the methods read those predictions from a table instead of
calling the forest again: the scores are identical and the benchmark runs
in minutes. Their ``seconds`` therefore measure the search itself; one
end-to-end run per method on the live predictor is timed separately.

Run: ``.venv/bin/python -m bench.bench_recommender [--db PATH] [--budget 200] [--seeds 1]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.report import write_section
from efficientdl.search.baselines import ExhaustiveSearch, make_searcher
from efficientdl.search.build import build_space, load_rows
from efficientdl.search.objective import PredictorObjective
from efficientdl.search.request import RecommendationRequest
from efficientdl.search.sampling import sample_feasible
from efficientdl.search.space import SearchSpace
from efficientdl.warehouse.db import Warehouse

SHARED = Path(os.environ.get("EFFICIENTDL_SHARED", Path(__file__).resolve().parents[2] / "shared"))
DEFAULT_DB = Path(os.environ.get("EFFICIENTDL_BENCH_DB", "/tmp/bench_recommender/warehouse.duckdb"))

#: Forest grid used when the benchmark warehouse has no predictor yet (one point, to train in minutes).
TRAIN_GRID = {"n_estimators": [100], "max_depth": [None], "min_samples_leaf": [1], "max_features": [0.5]}

METHODS = ("eps-bo", "ei", "pi", "ucb", "eps-bo-no-eps", "random", "tpe")

#: Size of the random sample giving the reference of an infinite space.
REFERENCE_SAMPLE = 20_000

EPOCHS_GRID = [50, 90, 100, 150, 200, 270, 300, 350, 400, 500, 600, 800]


@dataclass
class Task:
    """One recommendation request of the benchmark."""

    name: str
    fixed: dict[str, Any]
    search: list[str] | None = None
    grid: dict[str, list[float]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def request(self) -> RecommendationRequest:
        return RecommendationRequest(fixed=self.fixed, search=self.search, grid=self.grid, max_set_size=3, **self.extra)


IN1K = {"dataset": "ImageNet"}
TASKS = [
    Task("resnet50 training recipe", {"model_name": "resnet50", **IN1K}, ["epochs", "batch_size", "optimizer"], {"epochs": EPOCHS_GRID}),
    Task("resnet50 input and pretraining", {"model_name": "resnet50", **IN1K}, ["input_size", "pretraining_data"]),
    Task("resnet50 augmentation", {"model_name": "resnet50", **IN1K}, ["epochs", "data_augmentation", "regularization"], {"epochs": EPOCHS_GRID}),
    Task("resnet50 hardware", {"model_name": "resnet50", **IN1K}, ["gpu_type", "gpu_count", "batch_size"], extra={"max_gpus": 16}),
    Task("resnet50 recipe, constrained", {"model_name": "resnet50", **IN1K}, ["epochs", "batch_size", "optimizer", "regularization"],
         {"epochs": EPOCHS_GRID}, {"batch_size_range": (128, 2048), "forbid": [{"optimizer": "SGD", "regularization": "label smoothing"}]}),
    Task("resnet18 CIFAR-10", {"model_name": "resnet18", "dataset": "CIFAR-10"}, ["epochs", "batch_size", "optimizer"], {"epochs": EPOCHS_GRID}),
    Task("resnet50 CIFAR-100", {"model_name": "resnet50", "dataset": "CIFAR-100"}, ["epochs", "optimizer", "regularization"], {"epochs": EPOCHS_GRID}),
    Task("vit_base input and pretraining", {"model_name": "vit_base_patch16_224", **IN1K}, ["input_size", "pretraining_data", "batch_size"]),
    Task("vit_base recipe", {"model_name": "vit_base_patch16_224", **IN1K}, ["epochs", "batch_size", "data_augmentation"], {"epochs": EPOCHS_GRID}),
    Task("convnext_tiny recipe", {"model_name": "convnext_tiny", **IN1K}, ["optimizer", "regularization", "epochs"], {"epochs": EPOCHS_GRID}),
    Task("efficientnet_b0 input and epochs", {"model_name": "efficientnet_b0", **IN1K}, ["input_size", "epochs"], {"epochs": EPOCHS_GRID}),
    Task("swin_tiny hardware", {"model_name": "swin_tiny_patch4_window7_224", **IN1K}, ["batch_size", "gpu_count", "gpu_type"]),
    Task("deit_small recipe", {"model_name": "deit_small_patch16_224", **IN1K}, ["epochs", "optimizer", "data_augmentation"], {"epochs": EPOCHS_GRID}),
    Task("mobilenetv3 size and recipe", {"model_name": "mobilenetv3_large_100", **IN1K}, ["epochs", "batch_size", "input_size"], {"epochs": EPOCHS_GRID}),
    Task("regnety ReaL", {"model_name": "regnety_040", "dataset": "ImageNet-ReaL"}, ["input_size", "pretraining_data", "batch_size"]),
    Task("vit_small ImageNetV2", {"model_name": "vit_small_patch16_224", "dataset": "ImageNetV2"}, ["input_size", "pretraining_data"]),
    Task("convnext_base Sketch", {"model_name": "convnext_base", "dataset": "ImageNet-Sketch"}, ["input_size", "pretraining_data", "epochs"], {"epochs": EPOCHS_GRID}),
    Task("efficientnet_b3 ImageNet-R", {"model_name": "efficientnet_b3", "dataset": "ImageNet-R"}, ["input_size", "pretraining_data"]),
    Task("resnext50 ImageNet-A", {"model_name": "resnext50_32x4d", "dataset": "ImageNet-A"}, ["input_size", "pretraining_data", "batch_size"]),
    Task("any model under 30M, default search", IN1K, None, extra={"max_parameters": 30.0, "n_searched": 3}),
    Task("any model, size and input", IN1K, ["parameters", "input_size", "pretraining_data"], extra={"max_parameters": 100.0}),
    Task("densenet121 recipe", {"model_name": "densenet121", **IN1K}, ["epochs", "optimizer", "batch_size", "gpu_count"], {"epochs": EPOCHS_GRID}),
    Task("vgg16 recipe", {"model_name": "vgg16", **IN1K}, ["epochs", "batch_size", "regularization"], {"epochs": EPOCHS_GRID}),
]


class TableObjective:
    """Scores read from a table of the predictor's scores, keyed by candidate identity."""

    def __init__(self, space: SearchSpace, table: dict[tuple, float]) -> None:
        self.space = space
        self.table = table

    def __call__(self, candidates):
        return [self.table[self.space.key(c)] for c in candidates]


def prepare_warehouse(path: Path) -> None:
    """Ingest the model-zoo sources and train a predictor when ``path`` has none."""
    from efficientdl.pipeline.load import ingest_path
    from efficientdl.pipeline.train import train_predictor

    with Warehouse(path) as wh:
        if wh.count("configurations") == 0:
            ingest_path(wh, "timm", SHARED / "sources" / "timm-results")
            ingest_path(wh, "mmpretrain", SHARED / "sources" / "mmpretrain-metafiles")
            ingest_path(wh, "sheet", SHARED / "sources" / "efficientdl-example" / "example.xlsx")
        if wh.count("predictors") == 0:
            print(f"training a predictor on {wh.count('configurations')} configurations", flush=True)
            train_predictor(wh, grid=TRAIN_GRID, n_splits=5, n_repeats=2, n_jobs=1)


def reference(space: SearchSpace, objective: PredictorObjective) -> tuple[float, dict[tuple, float] | None, str]:
    """Return the reference optimum, the score table (finite spaces) and how it was found."""
    if space.is_finite and space.size <= 300_000:
        result = ExhaustiveSearch().search(space, objective)
        table = {space.key(e.config): e.score for e in result.history}
        return result.best_score, table, f"exhaustive ({result.evaluations:,} feasible)"
    candidates = sample_feasible(space, np.random.default_rng(12345), REFERENCE_SAMPLE, max_tries=20 * REFERENCE_SAMPLE)
    scores = []
    for start in range(0, len(candidates), 2048):
        scores.extend(objective(candidates[start : start + 2048]))
    return float(max(scores)), None, f"best of {len(candidates):,} random"


#: Evaluation counts at which the regret of the best score so far is also reported.
CHECKPOINTS = (25, 50)


def evaluations_to_best(result) -> int:
    scores = np.array([e.score for e in result.history])
    return int(np.argmax(scores >= scores.max() - 1e-9)) + 1


def regret_at(result, best: float, evaluations: int) -> float:
    """Return the regret of the best score among the first ``evaluations`` evaluations."""
    scores = [e.score for e in result.history[:evaluations]]
    return max(0.0, best - max(scores))


def run_tasks(wh: Warehouse, predictor, budget: int, seeds: int, methods, options: dict) -> tuple[list[dict], list[str]]:
    rows = load_rows(wh)
    records, notes = [], []
    for task in TASKS:
        try:
            space, _ = build_space(rows, task.request(), predictor)
        except ValueError as exc:
            notes.append(f"{task.name}: skipped ({exc})")
            continue
        live = PredictorObjective(predictor, space)
        started = time.perf_counter()
        best, table, how = reference(space, live)
        outside = " (every candidate outside the predictor's domain, so the penalty dominates)" if best < 0 else ""
        notes.append(f"{task.name}: {', '.join(space.names)}; reference {best:.2f}{outside} by {how} in {time.perf_counter() - started:.1f} s")
        objective = TableObjective(space, table) if table is not None else live
        for method in methods:
            for seed in range(seeds):
                searcher = make_searcher(method, **(options if method not in ("random", "tpe") else {}))
                result = searcher.search(space, objective, budget, seed)
                records.append({
                    "task": task.name, "method": method, "seed": seed,
                    "regret": max(0.0, best - result.best_score), "evaluations": result.evaluations,
                    "to_best": evaluations_to_best(result), "seconds": result.seconds,
                    **{f"regret@{n}": regret_at(result, best, n) for n in CHECKPOINTS},
                })
            print(f"{task.name:40s} {method:14s} regret {statistics.median(r['regret'] for r in records if r['task'] == task.name and r['method'] == method):.3f}", flush=True)
    return records, notes


def live_timing(wh: Warehouse, predictor, budget: int, methods, options: dict) -> list[str]:
    """Time each method end to end on the live predictor for the first task."""
    rows = load_rows(wh)
    space, _ = build_space(rows, TASKS[0].request(), predictor)
    lines = []
    for method in methods:
        objective = PredictorObjective(predictor, space)
        searcher = make_searcher(method, **(options if method not in ("random", "tpe") else {}))
        result = searcher.search(space, objective, budget, 0)
        lines.append(f"| {method} | {result.evaluations} | {objective.calls} | {result.seconds:.1f} |")
    return lines


#: epsilon-BO settings compared by ``--sweep``; each changes the defaults of :class:`GPSearcher`.
SWEEP_SETTINGS = (
    {},
    {"eps0": 0.0},
    {"eps0": 0.6},
    {"beta": 0.0},
    {"beta": 1.0},
    {"alpha": 3.0},
    {"q": 2},
    {"n_random_candidates": 1000},
    {"n_mutations": 5},
)

#: Tasks of the sweep: finite spaces of 1,000 to 30,000 feasible candidates.
SWEEP_TASKS = (
    "resnet50 recipe, constrained", "vit_base input and pretraining", "vit_base recipe", "convnext_tiny recipe",
    "deit_small recipe", "mobilenetv3 size and recipe", "regnety ReaL", "convnext_base Sketch",
    "densenet121 recipe", "vgg16 recipe",
)


def sweep(wh: Warehouse, predictor, budget: int, seeds: int) -> list[str]:
    """Compare epsilon-BO settings by their regret after 25, 50 and ``budget`` evaluations."""
    rows = load_rows(wh)
    prepared = []
    for task in TASKS:
        if task.name in SWEEP_TASKS:
            space, _ = build_space(rows, task.request(), predictor)
            best, table, _ = reference(space, PredictorObjective(predictor, space))
            prepared.append((space, best, TableObjective(space, table)))

    lines = [
        f"| setting | median regret after 25 | mean regret after 25 | median regret after 50 | mean regret after 50 | mean regret after {budget} | search seconds (median) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for setting in SWEEP_SETTINGS:
        at25, at50, final, seconds = [], [], [], []
        for space, best, objective in prepared:
            for seed in range(seeds):
                result = make_searcher("eps-bo", **setting).search(space, objective, budget, seed)
                at25.append(regret_at(result, best, 25))
                at50.append(regret_at(result, best, 50))
                final.append(max(0.0, best - result.best_score))
                seconds.append(result.seconds)
        label = ", ".join(f"{k}={v}" for k, v in setting.items()) or "defaults (alpha=1, beta=0.1, eps0=0.3, q=4, 300 random + 5x20 mutations)"
        lines.append(
            f"| {label} | {statistics.median(at25):.3f} | {statistics.mean(at25):.3f} | {statistics.median(at50):.3f} | "
            f"{statistics.mean(at50):.3f} | {statistics.mean(final):.3f} | {statistics.median(seconds):.2f} |"
        )
        print(lines[-1], flush=True)
    return [
        f"{len(prepared)} tasks x {seeds} seeds per setting, budget {budget}, same predictor and tables as above.",
        "",
        *lines,
    ]


def summarise(records: list[dict], methods) -> list[str]:
    by_method = defaultdict(list)
    for record in records:
        by_method[record["method"]].append(record)
    checkpoints = " | ".join(f"median regret after {n}" for n in CHECKPOINTS)
    lines = [
        f"| method | median regret | worst regret | runs with regret <= 0.1 | {checkpoints} | evaluations (median) "
        "| evaluations to best (median) | search seconds (median) |",
        "| --- | --- | --- | --- | " + "--- | " * len(CHECKPOINTS) + "--- | --- | --- |",
    ]
    for method in methods:
        runs = by_method[method]
        if not runs:
            continue
        regrets = [r["regret"] for r in runs]
        close = sum(r <= 0.1 for r in regrets)
        early = "".join(f"{statistics.median(r[f'regret@{n}'] for r in runs):.3f} | " for n in CHECKPOINTS)
        lines.append(
            f"| {method} | {statistics.median(regrets):.3f} | {max(regrets):.3f} | {close}/{len(runs)} | {early}"
            f"{statistics.median(r['evaluations'] for r in runs):.0f} | {statistics.median(r['to_best'] for r in runs):.0f} | "
            f"{statistics.median(r['seconds'] for r in runs):.2f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="Warehouse with a trained predictor (built when absent).")
    parser.add_argument("--budget", type=int, default=200, help="Evaluations per search.")
    parser.add_argument("--seeds", type=int, default=1, help="Seeds per task and method.")
    parser.add_argument("--methods", default=",".join(METHODS), help="Comma-separated methods.")
    parser.add_argument("--no-write", action="store_true", help="Print only; leave BENCHMARKS.md alone.")
    parser.add_argument("--sweep", action="store_true", help="Compare epsilon-BO settings instead (section recommender-tuning).")
    args = parser.parse_args(argv if argv is not None else [])
    methods = [m for m in args.methods.split(",") if m]

    if not args.db.exists() and not (SHARED / "sources").is_dir():
        print(f"skipped: {SHARED} is absent and {args.db} does not exist")
        return
    prepare_warehouse(args.db)

    from efficientdl.models.registry import load_predictor

    options: dict[str, Any] = {}
    if args.sweep:
        with Warehouse(args.db, read_only=True) as wh:
            lines = sweep(wh, load_predictor(wh), args.budget, args.seeds)
        text = "\n".join(lines)
        print(text)
        if not args.no_write:
            command = f".venv/bin/python -m bench.bench_recommender --sweep --budget {args.budget} --seeds {args.seeds}"
            write_section("recommender-tuning", "Recommender: epsilon-BO settings", command, text)
        return

    with Warehouse(args.db, read_only=True) as wh:
        predictor = load_predictor(wh)
        n_rows = wh.count("configurations")
        records, notes = run_tasks(wh, predictor, args.budget, args.seeds, methods, options)
        timing = live_timing(wh, predictor, args.budget, methods, options)

    tasks_run = len({r["task"] for r in records})
    body = [
        f"{tasks_run} tasks x {len(methods)} methods x {args.seeds} seed(s), budget {args.budget} evaluations, "
        f"predictor {predictor.predictor_id} trained on {n_rows:,} configurations (timm, mmpretrain, EfficientDL sheet). "
        "Regret: reference optimum minus the best objective found (predicted Top-1, less the out-of-domain penalty), "
        "in Top-1 points. Where the reference is a random sample, a method can beat it; its regret is then counted as 0.",
        "",
        *summarise(records, methods),
        "",
        f"End to end on the live predictor ({TASKS[0].name}; seconds include every predict_frame call):",
        "",
        "| method | evaluations | predict_frame calls | seconds |",
        "| --- | --- | --- | --- |",
        *timing,
        "",
        "Tasks:",
        "",
        *[f"- {note}" for note in notes],
    ]
    text = "\n".join(body)
    print(text)
    if not args.no_write:
        write_section("recommender", "Recommender search methods", ".venv/bin/python -m bench.bench_recommender", text)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
