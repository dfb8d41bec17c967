"""ForestPredictor trained on a synthetic formula: accuracy, importance, intervals, domain check."""

from __future__ import annotations

import numpy as np
import pandas as pd

from efficientdl.models.base import PREDICTION_COLUMNS, Predictor
from efficientdl.models.registry import load_predictor
from efficientdl.warehouse.db import Warehouse


def load(trained_db):
    path, _ = trained_db
    with Warehouse(path, read_only=True) as wh:
        return load_predictor(wh)


def fresh_configs(formula, n_rows: int = 200, seed: int = 7) -> tuple[pd.DataFrame, np.ndarray]:
    """Return new configurations drawn inside the training ranges and their noise-free Top-1."""
    rng = np.random.default_rng(seed)
    rows, truth = [], []
    for _ in range(n_rows):
        config = {
            "dataset": "CIFAR-100",
            "parameters": float(10 ** rng.uniform(0.7, 2.3)),
            "optimizer": str(rng.choice(["SGD", "AdamW"])),
            "data_augmentation": [name for name in ("RandAugment", "mixup") if rng.random() < 0.5],
            "learning_rate": float(10 ** rng.uniform(-3.8, -2.2)),
            "batch_size": 256.0,
            "epochs": 300.0,
            "gpu_type": "A100",
        }
        rows.append(config)
        truth.append(formula(config["parameters"], config["optimizer"], config["data_augmentation"], config["learning_rate"]))
    return pd.DataFrame(rows), np.array(truth)


def test_predictor_meets_protocol(trained_db):
    assert isinstance(load(trained_db), Predictor)


def test_forest_recovers_formula(trained_db, synthetic):
    configs, truth = fresh_configs(synthetic.formula_top1)
    predicted = load(trained_db).predict_frame(configs)["predicted_top1"].to_numpy()
    assert np.mean(np.abs(predicted - truth)) < 1.5


def test_heldout_mae_small(trained_db):
    _, result = trained_db
    overall = result.metrics.set_index(["method", "dataset"]).loc[("random_forest", "all")]
    assert overall["mae"] < 1.5


def test_forest_beats_median_baselines(trained_db):
    _, result = trained_db
    overall = result.metrics[result.metrics["dataset"] == "all"].set_index("method")["mae"]
    assert overall["random_forest"] < overall["median_dataset"] / 3


def test_importance_ranks_formula_inputs_first(trained_db, synthetic):
    ranked = load(trained_db).importance()
    assert set(ranked["component"].head(len(synthetic.FORMULA_INPUTS))) == set(synthetic.FORMULA_INPUTS)


def test_default_search_components_are_changeable(trained_db, synthetic):
    chosen = load(trained_db).default_search_components(3)
    assert set(chosen) <= set(synthetic.FORMULA_INPUTS)
    assert len(chosen) == 3


def test_predict_frame_columns(trained_db, synthetic):
    configs, _ = fresh_configs(synthetic.formula_top1, 5)
    frame = load(trained_db).predict_frame(configs)
    assert list(frame.columns) == list(PREDICTION_COLUMNS)
    assert (frame["low"] <= frame["predicted_top1"]).all()
    assert (frame["predicted_top1"] <= frame["high"]).all()


def test_interval_coverage_near_nominal(trained_db):
    _, result = trained_db
    assert 0.7 <= result.interval_coverage["measured"] <= 0.9


def test_predict_lists_missing_fields(trained_db):
    prediction = load(trained_db).predict({"parameters": 30.0, "optimizer": "AdamW"})
    assert "learning_rate" in prediction.missing
    assert "data_augmentation" in prediction.missing
    assert "parameters" not in prediction.missing
    assert 0.0 <= prediction.predicted_top1 <= 100.0


def test_typical_config_has_no_warning(trained_db, synthetic):
    configs, _ = fresh_configs(synthetic.formula_top1, 1)
    prediction = load(trained_db).predict(configs.iloc[0].to_dict())
    assert prediction.warnings == []


def test_far_config_warns(trained_db, synthetic):
    configs, _ = fresh_configs(synthetic.formula_top1, 1)
    far = {**configs.iloc[0].to_dict(), "parameters": 50_000.0, "learning_rate": 5.0, "batch_size": 65536.0}
    prediction = load(trained_db).predict(far)
    assert any("applicability domain" in warning for warning in prediction.warnings)


def test_unseen_value_warns(trained_db):
    prediction = load(trained_db).predict({"parameters": 30.0, "optimizer": "Lion"})
    assert any("'Lion' never seen in training" in warning for warning in prediction.warnings)


def test_unknown_key_rejected(trained_db):
    try:
        load(trained_db).predict({"parameters": 30.0, "optimiser": "SGD"})
    except KeyError as exc:
        message = exc.args[0]
    else:
        message = ""
    assert "'optimiser'" in message
    assert "known components" in message
