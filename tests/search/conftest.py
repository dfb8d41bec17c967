"""A small real random-forest predictor and a warehouse of synthetic configurations.

The predictor is a scikit-learn forest fitted on rows drawn from a known
Top-1 function, wrapped in the :class:`efficientdl.models.base.Predictor`
protocol, so the search tests run without a trained registry predictor.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestRegressor

from efficientdl.models.base import Prediction
from efficientdl.warehouse.db import Warehouse, stable_id

OPTIMIZERS = ("SGD momentum", "AdamW", "LAMB", "RMSProp")
AUGMENTATIONS = ("flip", "random resized crop", "mixup", "CutMix", "RandAugment", "color jitter")
DATASETS = ("ImageNet-1k", "CIFAR-10")
MODELS = {"resnet50.a1_in1k": 25.6, "resnet18.tv_in1k": 11.7, "vit_base_patch16_224.augreg_in1k": 86.6}


def true_top1(row: dict) -> float:
    """Return the synthetic Top-1 (percent) of a configuration."""
    value = 70.0 + 2.0 * math.log(row["parameters"] / 10.0)
    value -= 4.0 * math.log(row["epochs"] / 300.0) ** 2
    value -= 0.3 * (math.log2(row["batch_size"]) - 10.0) ** 2
    value += {"SGD momentum": 0.0, "AdamW": 1.0, "LAMB": 0.5, "RMSProp": -1.0}[row["optimizer"]]
    augs = set(row["data_augmentation"])
    value += 0.8 * ("mixup" in augs) + 0.6 * ("CutMix" in augs) - 0.5 * ("color jitter" in augs)
    value += 15.0 if row["dataset"] == "CIFAR-10" else 0.0
    return value


def synthetic_rows(n: int, seed: int = 0) -> pd.DataFrame:
    """Return ``n`` configurations with their synthetic Top-1."""
    rng = np.random.default_rng(seed)
    rows = []
    models = list(MODELS)
    for i in range(n):
        model = models[i % len(models)]
        size = int(rng.integers(1, 5))
        row = {
            "model_name": model,
            "architecture_family": model.split("_")[0].rstrip("0123456789"),
            "dataset": DATASETS[int(rng.integers(len(DATASETS)))],
            "parameters": MODELS[model],
            "epochs": float(rng.choice([50, 90, 100, 200, 300, 400, 600])),
            "batch_size": float(2 ** int(rng.integers(7, 13))),
            "optimizer": OPTIMIZERS[int(rng.integers(len(OPTIMIZERS)))],
            "data_augmentation": sorted(rng.choice(AUGMENTATIONS, size=size, replace=False).tolist()),
            "gpu_count": float(2 ** int(rng.integers(0, 4))),
            "gpu_type": "V100",
        }
        row["top1"] = true_top1(row) + float(rng.normal(0, 0.2))
        rows.append(row)
    return pd.DataFrame(rows)


class SyntheticForestPredictor:
    """A forest on hand-encoded features, implementing the Predictor protocol."""

    interval_level = 0.8

    def __init__(self, rows: pd.DataFrame, predictor_id: str = "synthetic-forest") -> None:
        self.predictor_id = predictor_id
        X = self._encode(rows)
        self.forest = RandomForestRegressor(n_estimators=40, min_samples_leaf=2, random_state=0).fit(X, rows["top1"])
        self._train = X
        nearest = np.sort(self._distances(X), axis=1)[:, 1]
        self._scale = float(np.quantile(nearest, 0.95)) or 1.0

    @staticmethod
    def _encode(frame: pd.DataFrame) -> np.ndarray:
        columns = [
            np.log(frame["parameters"].astype(float)),
            np.log(frame["epochs"].astype(float)),
            np.log2(frame["batch_size"].astype(float)),
            (frame["dataset"] == "CIFAR-10").astype(float),
        ]
        columns += [(frame["optimizer"] == o).astype(float) for o in OPTIMIZERS]
        columns += [frame["data_augmentation"].map(lambda s, a=a: float(a in list(s))) for a in AUGMENTATIONS]
        return np.column_stack([np.asarray(c, dtype=float) for c in columns])

    def _distances(self, X: np.ndarray) -> np.ndarray:
        return np.sqrt(((X[:, None, :] - self._train[None, :, :]) ** 2).sum(axis=2))

    def predict_frame(self, configs: pd.DataFrame) -> pd.DataFrame:
        X = self._encode(configs)
        per_tree = np.stack([tree.predict(X) for tree in self.forest.estimators_])
        distance = self._distances(X).min(axis=1) / self._scale
        return pd.DataFrame(
            {
                "predicted_top1": per_tree.mean(axis=0),
                "low": np.quantile(per_tree, 0.1, axis=0),
                "high": np.quantile(per_tree, 0.9, axis=0),
                "std": per_tree.std(axis=0),
                "domain_distance": distance,
            },
            index=configs.index,
        )

    def predict(self, config: dict) -> Prediction:
        row = self.predict_frame(pd.DataFrame([config])).iloc[0]
        return Prediction(float(row["predicted_top1"]), (float(row["low"]), float(row["high"])))

    def importance(self) -> pd.DataFrame:
        names = ["parameters", "epochs", "batch_size", "dataset"] + ["optimizer"] * len(OPTIMIZERS)
        names += ["data_augmentation"] * len(AUGMENTATIONS)
        table = pd.Series(self.forest.feature_importances_, index=names).groupby(level=0).sum()
        table = table.sort_values(ascending=False).reset_index()
        table.columns = ["component", "importance"]
        table["std"] = 0.0
        table["rank"] = np.arange(1, len(table) + 1)
        return table


@pytest.fixture(scope="session")
def training_rows() -> pd.DataFrame:
    return synthetic_rows(400)


@pytest.fixture(scope="session")
def forest_predictor(training_rows) -> SyntheticForestPredictor:
    return SyntheticForestPredictor(training_rows)


def load_synthetic(wh: Warehouse, rows: pd.DataFrame) -> None:
    """Insert ``rows`` into ``configurations`` as source ``synthetic``."""
    frame = rows.copy()
    frame["config_id"] = [stable_id("synthetic", i) for i in range(len(frame))]
    frame["source"] = "synthetic"
    frame["source_key"] = frame["config_id"]
    frame["extractor"] = "tests"
    frame["content_hash"] = frame["config_id"]
    frame["paper_title"] = [f"Synthetic paper {i % 7}" if i % 2 else None for i in range(len(frame))]
    wh.con.register("synthetic_rows", frame)
    wh.con.execute("INSERT INTO configurations BY NAME SELECT * FROM synthetic_rows")
    wh.con.unregister("synthetic_rows")


@pytest.fixture(scope="session")
def synthetic_loader():
    """Return :func:`load_synthetic`, for fixtures that build their own warehouse."""
    return load_synthetic


@pytest.fixture
def filled_warehouse(db_path, training_rows):
    """Yield a warehouse holding the synthetic training rows."""
    with Warehouse(db_path) as wh:
        load_synthetic(wh, training_rows)
        yield wh
