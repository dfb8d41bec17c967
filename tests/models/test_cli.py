"""efficientdl train / predict / importance: JSON shapes and errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from efficientdl.cli.main import cli
from efficientdl.warehouse.db import Warehouse

METHODS = {"random_forest", "median_dataset", "median_family", "ridge", "hist_gradient_boosting"}


def run(db, *args):
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def cli_trained(tmp_path_factory, synthetic):
    """Train through the CLI once; return the warehouse path, the JSON output and the plot dir."""
    directory = tmp_path_factory.mktemp("cli")
    db = directory / "warehouse.duckdb"
    synthetic.build_warehouse(db, n_rows=300)
    plots = directory / "plots"
    result = run(db, "train", "--json", "--grid", json.dumps(synthetic.TINY_GRID), "--jobs", "2", "--plots", str(plots))
    assert result.exit_code == 0, result.output
    return db, json.loads(result.stdout), plots


def test_train_json_keys(cli_trained):
    _, payload, _ = cli_trained
    assert {"predictor_id", "rows", "metrics", "interval_coverage"} <= set(payload)


def test_train_json_metrics_rows(cli_trained):
    _, payload, _ = cli_trained
    assert {row["method"] for row in payload["metrics"]} == METHODS
    assert set(payload["metrics"][0]) == {"method", "dataset", "mae", "rmse", "r2", "spearman"}
    assert {row["dataset"] for row in payload["metrics"]} == {"all", "CIFAR-100"}


def test_train_json_coverage(cli_trained):
    _, payload, _ = cli_trained
    assert payload["interval_coverage"]["nominal"] == 0.8
    assert 0.0 <= payload["interval_coverage"]["measured"] <= 1.0


def test_train_writes_plots(cli_trained):
    _, _, plots = cli_trained
    assert (plots / "predicted_vs_measured.png").read_bytes()[:4] == b"\x89PNG"
    assert (plots / "importance.png").read_bytes()[:4] == b"\x89PNG"


def test_predict_json_shape(cli_trained):
    db, payload, _ = cli_trained
    result = run(db, "predict", "--set", "parameters=25.6M", "--set", "optimizer=adamw", "--json")
    prediction = json.loads(result.stdout)
    assert set(prediction) >= {"predicted_top1", "interval", "missing", "warnings"}
    assert len(prediction["interval"]) == 2
    assert "learning_rate" in prediction["missing"]
    assert prediction["predictor_id"] == payload["predictor_id"]


def test_predict_reads_yaml(cli_trained, tmp_path):
    db, _, _ = cli_trained
    config = tmp_path / "config.yaml"
    config.write_text("parameters: 25.6M\noptimizer: AdamW optimizer\ndata_augmentation: RandAug, mixup\nlearning_rate: 1e-3\n")
    prediction = json.loads(run(db, "predict", str(config), "--json").stdout)
    assert "data_augmentation" not in prediction["missing"]


def test_predict_unknown_key_names_it(cli_trained):
    db, _, _ = cli_trained
    result = CliRunner().invoke(cli, ["--db", str(db), "predict", "--set", "optimiser=SGD"])
    assert result.exit_code == 2
    assert "unknown component 'optimiser'" in result.output
    assert "known components: " in result.output


def test_predict_far_config_warns(cli_trained):
    db, _, _ = cli_trained
    result = run(db, "predict", "--set", "parameters=90000", "--set", "learning_rate=10", "--set", "batch_size=100000", "--json")
    assert any("applicability domain" in warning for warning in json.loads(result.stdout)["warnings"])


def test_importance_json_shape(cli_trained):
    db, _, _ = cli_trained
    payload = json.loads(run(db, "importance", "--top", "3", "--json").stdout)
    assert [row["rank"] for row in payload["importance"]] == [1, 2, 3]
    assert set(payload["importance"][0]) == {"component", "importance", "std", "rank"}


def test_predict_without_predictor_fails(db_path):
    with Warehouse(db_path):
        pass
    result = CliRunner().invoke(cli, ["--db", str(db_path), "predict", "--set", "parameters=25"])
    assert "run efficientdl train first" in str(result.exception)
