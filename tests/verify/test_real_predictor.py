"""Verification next to a forest predictor trained by the real pipeline on real model-zoo data."""

from __future__ import annotations

import pytest

from efficientdl.pipeline.load import ingest_path
from efficientdl.pipeline.verify import verify_recommendation
from efficientdl.warehouse.db import Warehouse

# These tests need the predictor training stage and are skipped where that module is absent.
train_predictor = pytest.importorskip("efficientdl.pipeline.train").train_predictor

SMALL_GRID = {"n_estimators": [30], "max_depth": [None], "min_samples_leaf": [1], "max_features": [0.5]}

CONFIG = {
    "model_name": "test_resnet", "optimizer": "SGD momentum", "learning_rate": 0.05, "epochs": 1, "batch_size": 64,
    "data_augmentation": ["flip"], "regularization": ["weight decay"],
}


@pytest.fixture(scope="module")
def predicted(shared_dir, tmp_path_factory):
    path = tmp_path_factory.mktemp("predicted") / "warehouse.duckdb"
    with Warehouse(path) as wh:
        ingest_path(wh, "mmpretrain", shared_dir / "sources" / "mmpretrain-metafiles")
        train_predictor(wh, grid=SMALL_GRID, n_splits=3, n_repeats=1, n_jobs=1)
        result = verify_recommendation(wh, config=CONFIG, budget_minutes=0.1, image_size=16)
        row = wh.con.execute("SELECT predicted_top1, interval_low, interval_high, predictor_id FROM verifications").fetchone()
    return result, row


def test_predictor_prediction_stored(predicted):
    result, row = predicted

    assert result.prediction_source == "predictor"
    assert row[0] == pytest.approx(result.predicted_top1)
    assert row[3] == result.predictor_id


def test_predictor_interval_brackets_prediction(predicted):
    _, row = predicted

    assert row[1] <= row[0] <= row[2]


def test_predictor_warns_about_new_dataset(predicted):
    result, _ = predicted

    assert any("digits" in warning for warning in result.prediction_warnings)
