"""Synthetic warehouses for the predictor tests: Top-1 follows a known formula."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from efficientdl.extractors.records import RawRecord
from efficientdl.pipeline.ingest import ingest_items
from efficientdl.pipeline.train import train_predictor
from efficientdl.warehouse.db import Warehouse

#: Components the synthetic Top-1 depends on.
FORMULA_INPUTS = ("parameters", "optimizer", "data_augmentation", "learning_rate")

#: Grid small enough for tests: two candidates.
TINY_GRID = {"n_estimators": [60], "max_depth": [None], "min_samples_leaf": [1, 3], "max_features": [0.6]}


def formula_top1(parameters: float, optimizer: str, augmentations: list[str], learning_rate: float) -> float:
    """Return the synthetic Top-1 (percent) of one configuration, without noise."""
    top1 = 45.0 + 8.0 * np.log10(parameters)
    top1 += 10.0 if optimizer == "AdamW" else 0.0
    top1 += 6.0 if "RandAugment" in augmentations else 0.0
    top1 -= 3.0 * (np.log10(learning_rate) + 3.0) ** 2
    return float(top1)


def synthetic_records(n_rows: int = 600, seed: int = 0) -> list[RawRecord]:
    """Return ``n_rows`` records over 30 architecture families with formula Top-1 plus 0.3-point noise.

    Batch size, epochs, GPU type and family are drawn at random and do not
    enter the formula.
    """
    rng = np.random.default_rng(seed)
    records = []
    for index in range(n_rows):
        parameters = float(10 ** rng.uniform(0.5, 2.5))
        optimizer = str(rng.choice(["SGD", "AdamW"]))
        augmentations = [name for name in ("RandAugment", "mixup") if rng.random() < 0.5]
        learning_rate = float(10 ** rng.uniform(-4.0, -2.0))
        fields = {
            "model_name": f"synthetic-{index}",
            "architecture_family": f"family{index % 30}",
            "dataset": "CIFAR-100",
            "parameters": parameters,
            "optimizer": optimizer,
            "data_augmentation": augmentations,
            "learning_rate": learning_rate,
            "batch_size": float(2 ** rng.integers(5, 11)),
            "epochs": float(rng.choice([90, 200, 300])),
            "gpu_type": str(rng.choice(["V100", "A100"])),
            "top1": formula_top1(parameters, optimizer, augmentations, learning_rate) + rng.normal(0.0, 0.3),
        }
        records.append(RawRecord("sheet", "synthetic.csv", f"row{index}", "synthetic/1", fields))
    return records


def build_synthetic_warehouse(path, n_rows: int = 600) -> None:
    with Warehouse(path) as wh:
        report = ingest_items(wh, synthetic_records(n_rows), source="sheet")
    assert report.quarantined == 0, report.quarantine_reasons


@pytest.fixture(scope="session")
def synthetic():
    """Return the synthetic-data helpers: formula, its inputs, the tiny grid and the warehouse builder."""
    return SimpleNamespace(
        FORMULA_INPUTS=FORMULA_INPUTS,
        TINY_GRID=TINY_GRID,
        formula_top1=formula_top1,
        build_warehouse=build_synthetic_warehouse,
    )


@pytest.fixture(scope="session")
def trained_db(tmp_path_factory):
    """Return the path of a synthetic warehouse with one trained predictor, and its training result."""
    path = tmp_path_factory.mktemp("trained") / "warehouse.duckdb"
    build_synthetic_warehouse(path)
    with Warehouse(path) as wh:
        result = train_predictor(wh, grid=TINY_GRID, n_repeats=2, n_jobs=2)
    return path, result
