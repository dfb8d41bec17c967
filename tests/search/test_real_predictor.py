"""The recommend command on a forest predictor trained by the real pipeline on real model-zoo data."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from efficientdl.cli.main import cli
from efficientdl.pipeline.load import ingest_path
from efficientdl.pipeline.train import train_predictor
from efficientdl.warehouse.db import Warehouse

SMALL_GRID = {"n_estimators": [30], "max_depth": [None], "min_samples_leaf": [1], "max_features": [0.5]}

REQUEST = [
    "recommend", "--fix", "model_name=resnet50", "--fix", "dataset=ImageNet", "--fix", "gpu_type=RTX3090",
    "--search", "epochs,batch_size,data_augmentation", "--budget", "24", "--seed", "0", "--json",
]


@pytest.fixture(scope="module")
def trained_db(shared_dir, tmp_path_factory):
    """Return a warehouse of the mmpretrain metafiles and the sample sheet, with a trained predictor."""
    path = tmp_path_factory.mktemp("real") / "warehouse.duckdb"
    with Warehouse(path) as wh:
        ingest_path(wh, "mmpretrain", shared_dir / "sources" / "mmpretrain-metafiles")
        ingest_path(wh, "sheet", shared_dir / "sources" / "efficientdl-example" / "example.xlsx")
        train_predictor(wh, grid=SMALL_GRID, n_splits=3, n_repeats=1, n_jobs=1)
    return path


def invoke(db, args):
    return CliRunner().invoke(cli, ["--db", str(db), *args])


@pytest.fixture(scope="module")
def answer(trained_db):
    result = invoke(trained_db, REQUEST)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_fields(answer):
    assert {"recommendation_id", "method", "evaluations", "seconds", "best", "top", "evidence"} <= set(answer)


def test_fixed_values_normalised(answer):
    assert answer["best"]["config"]["dataset"] == "ImageNet-1k"
    assert answer["best"]["config"]["gpu_type"] == "RTX 3090"


def test_interval_brackets_prediction(answer):
    low, high = answer["best"]["interval"]
    assert low <= answer["best"]["predicted_top1"] <= high


def test_evidence_from_literature(answer):
    assert len(answer["evidence"]) == 3
    assert all(0.0 <= e["similarity"] <= 1.0 for e in answer["evidence"])


def test_repeat_same_best(trained_db, answer):
    again = json.loads(invoke(trained_db, REQUEST).stdout)
    assert again["best"] == answer["best"]


def test_unknown_component_exit(trained_db):
    result = invoke(trained_db, ["recommend", "--fix", "dataset=ImageNet", "--search", "epochz", "--json"])
    assert result.exit_code == 1
    assert "epochz" in result.output


def test_impossible_constraint_exit(trained_db):
    args = ["recommend", "--fix", "model_name=resnet50", "--fix", "dataset=ImageNet", "--search", "epochs", "--max-parameters", "1"]
    result = invoke(trained_db, args)
    assert result.exit_code == 1
    assert "parameters <= 1" in result.output
