"""Predictor registry: rows, artifacts and the hash check."""

from __future__ import annotations

import shutil

import pytest

from efficientdl.models.registry import (
    PredictorRegistryError,
    default_artifacts_dir,
    list_predictors,
    load_predictor,
    save_predictor,
)
from efficientdl.pipeline.train import train_predictor
from efficientdl.warehouse.db import Warehouse


@pytest.fixture
def trained_copy(trained_db, tmp_path):
    """Copy the trained warehouse and its artifacts so a test may damage them."""
    path, result = trained_db
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    shutil.copytree(path.parent / "artifacts", tmp_path / "artifacts")
    return copy, result


def test_round_trip_loads_newest(trained_copy):
    path, result = trained_copy
    with Warehouse(path, read_only=True) as wh:
        predictor = load_predictor(wh)
    assert predictor.predictor_id == result.predictor_id


def test_round_trip_by_id(trained_copy):
    path, result = trained_copy
    with Warehouse(path, read_only=True) as wh:
        predictor = load_predictor(wh, result.predictor_id)
    assert predictor.predict({"parameters": 30.0}).predicted_top1 > 0


def test_row_records_training(trained_copy):
    path, result = trained_copy
    with Warehouse(path, read_only=True) as wh:
        row = list_predictors(wh).iloc[0]
    assert row["n_rows"] == 600
    assert len(row["artifact_sha256"]) == 64
    assert row["metrics"]["interval_coverage"]["nominal"] == 0.8


def test_artifact_under_warehouse_dir(trained_copy):
    path, result = trained_copy
    with Warehouse(path, read_only=True) as wh:
        expected = default_artifacts_dir(wh) / f"{result.predictor_id}.joblib"
    assert expected.is_file()


def test_tampered_artifact_rejected(trained_copy):
    path, result = trained_copy
    artifact = path.parent / "artifacts" / "predictors" / f"{result.predictor_id}.joblib"
    with open(artifact, "ab") as handle:
        handle.write(b"tampered")
    with Warehouse(path, read_only=True) as wh, pytest.raises(PredictorRegistryError, match="failed its hash check"):
        load_predictor(wh)


def test_missing_artifact_rejected(trained_copy):
    path, result = trained_copy
    (path.parent / "artifacts" / "predictors" / f"{result.predictor_id}.joblib").unlink()
    with Warehouse(path, read_only=True) as wh, pytest.raises(PredictorRegistryError, match="missing"):
        load_predictor(wh)


def test_unknown_id_rejected(trained_copy):
    path, result = trained_copy
    with Warehouse(path, read_only=True) as wh, pytest.raises(PredictorRegistryError, match=result.predictor_id):
        load_predictor(wh, "0123456789abcdef")


def test_no_predictor_says_train_first(warehouse):
    with pytest.raises(PredictorRegistryError, match="run efficientdl train first"):
        load_predictor(warehouse)


def test_retrain_same_data_keeps_one_row(tmp_path, synthetic):
    path = tmp_path / "warehouse.duckdb"
    synthetic.build_warehouse(path, n_rows=150)
    grid = {**synthetic.TINY_GRID, "min_samples_leaf": [1]}
    with Warehouse(path) as wh:
        first = train_predictor(wh, grid=grid, n_splits=3, n_repeats=1, n_jobs=1)
        second = train_predictor(wh, grid=grid, n_splits=3, n_repeats=1, n_jobs=1)
        rows = wh.count("predictors")
    assert first.predictor_id == second.predictor_id
    assert rows == 1


def test_too_few_rows_rejected(warehouse):
    with pytest.raises(ValueError, match="efficientdl ingest"):
        train_predictor(warehouse)


def test_other_encoder_version_rejected(trained_copy):
    path, result = trained_copy
    with Warehouse(path) as wh:
        predictor = load_predictor(wh)
        predictor.encoder.version_ = -1
        save_predictor(
            wh, predictor, data_snapshot="other", n_rows=600, metrics={}, parameters={"case": "old encoder"}
        )
    with Warehouse(path, read_only=True) as wh, pytest.raises(PredictorRegistryError, match="encoder version -1"):
        load_predictor(wh)
