"""Ingestion of timm results and EfficientDL sheets, good and bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from efficientdl.cli.main import cli
from efficientdl.pipeline.load import ingest_path

SHEET_HEADER = [
    "Architecture", "Model", "Normalization", "Regularization", "Data Augmentagion", "Learning Rate Schedules",
    "Training Algorithm", "Dataset", "Input_Size", "Framwork", "paraeters", "batch size", "learning rate",
    "epochs", "Hardware", "Number", "Top-1",
]
GOOD_ROW = ["ResNet", "ResNet-50", "Batch Normalization", "Weight Decay", "random crops and random horizontal flips",
            "Cosine Annealing", "SGD with momentum", "ImageNet", "224", "pytorch", "25.6", "256", "0.1", "90",
            "8x V100 GPUs", "8", "0.7613"]


def _row(**changes):
    row = dict(zip(SHEET_HEADER, GOOD_ROW))
    row.update(changes)
    return [row[c] for c in SHEET_HEADER]


def _write_sheet(path: Path, rows: list[list[str]], truncated_tail: str = "") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(SHEET_HEADER)
        writer.writerows(rows)
        handle.write(truncated_tail)
    return path


def test_sheet_row_normalised(warehouse, tmp_path):
    sheet = _write_sheet(tmp_path / "good.csv", [_row()])
    report = ingest_path(warehouse, "sheet", sheet)
    row = warehouse.execute(
        "SELECT top1, optimizer, lr_schedule, batch_size, gpu_type, gpu_count, data_augmentation, dataset, train_size FROM configurations"
    ).fetchone()
    assert report.loaded == 1
    assert row == (76.13, "SGD momentum", "cosine", 256.0, "V100", 8.0, ["flip", "random crop"], "ImageNet-1k", 1281167.0)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"Top-1": "180"}, "top1: value 180.0"),
        ({"batch size": "-64"}, "batch_size: value -64.0"),
        ({"epochs": "three hundred"}, "is not a number"),
        ({"Training Algorithm": "Adamish"}, "unknown value 'Adamish'"),
    ],
)
def test_bad_sheet_row_quarantined(warehouse, tmp_path, changes, reason):
    sheet = _write_sheet(tmp_path / "bad.csv", [_row(), _row(Model="Bad", **changes)])
    report = ingest_path(warehouse, "sheet", sheet)
    stored = warehouse.execute("SELECT reason, raw FROM quarantine").fetchall()
    assert report.loaded == 1
    assert report.quarantined == 1
    assert reason in stored[0][0]
    assert json.loads(stored[0][1])["fields"]["model_name"] == "Bad"


def test_truncated_csv_keeps_complete_rows(warehouse, tmp_path):
    sheet = _write_sheet(tmp_path / "cut.csv", [_row()], truncated_tail="ResNet,ResNet-101,Batch Norm")
    report = ingest_path(warehouse, "sheet", sheet)
    reasons = [r[0] for r in warehouse.execute("SELECT reason FROM quarantine").fetchall()]
    assert report.loaded == 1
    assert "truncated" in reasons[0]


def test_truncated_timm_results_file(warehouse, tmp_path):
    (tmp_path / "results-imagenet.csv").write_text(
        "model,img_size,top1,top1_err,top5,top5_err,param_count,crop_pct,interpolation\n"
        "resnet50.a1_in1k,224,80.4,19.6,95.0,5.0,25.56,0.95,bicubic\n"
        "resnet18.a1_in1k,224,71.5\n",
        encoding="utf-8",
    )
    report = ingest_path(warehouse, "timm", tmp_path)
    assert report.loaded == 1
    assert report.quarantined == 1


def test_cli_exits_nonzero_when_nothing_read(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "w.duckdb"), "ingest", "sheet", str(empty)])
    assert result.exit_code == 1


def test_cli_sql_formats(tmp_path):
    db = str(tmp_path / "w.duckdb")
    sheet = _write_sheet(tmp_path / "good.csv", [_row()])
    runner = CliRunner()
    runner.invoke(cli, ["--db", db, "ingest", "sheet", str(sheet)])
    as_json = runner.invoke(cli, ["--db", db, "sql", "SELECT model_name, top1 FROM configurations", "--format", "json"])
    as_csv = runner.invoke(cli, ["--db", db, "sql", "SELECT model_name FROM configurations", "--format", "csv"])
    assert json.loads(as_json.output) == [{"model_name": "ResNet-50", "top1": 76.13}]
    assert as_csv.output.splitlines() == ["model_name", "ResNet-50"]


def test_cli_sql_is_read_only(tmp_path):
    db = str(tmp_path / "w.duckdb")
    runner = CliRunner()
    runner.invoke(cli, ["--db", db, "ingest", "sheet", str(_write_sheet(tmp_path / "g.csv", [_row()]))])
    result = runner.invoke(cli, ["--db", db, "sql", "DELETE FROM configurations"])
    assert result.exit_code != 0


def test_real_timm_results_load_once(warehouse, shared_dir):
    directory = shared_dir / "sources" / "timm-results"
    first = ingest_path(warehouse, "timm", directory)
    second = ingest_path(warehouse, "timm", directory)
    per_dataset = dict(warehouse.execute("SELECT dataset, count(*) FROM configurations GROUP BY 1").fetchall())
    assert per_dataset["ImageNet-1k"] >= 1500
    assert len(per_dataset) == 6
    assert first.quarantined == 0
    assert (second.loaded, second.updated) == (0, 0)


def test_real_timm_parameters_with_separators(warehouse, shared_dir):
    ingest_path(warehouse, "timm", shared_dir / "sources" / "timm-results")
    giant = warehouse.execute(
        "SELECT parameters FROM configurations WHERE model_name = 'eva_giant_patch14_560.m30m_ft_in22k_in1k' AND dataset = 'ImageNet-1k'"
    ).fetchone()
    assert giant == (1014.45,)


def test_real_sheet_rows_normalised(warehouse, shared_dir):
    report = ingest_path(warehouse, "sheet", shared_dir / "sources" / "efficientdl-example" / "example.xlsx")
    swin = warehouse.execute(
        "SELECT top1, optimizer, gpu_type, dataset FROM configurations WHERE model_name = 'Swin-T'"
    ).fetchone()
    assert report.loaded + report.unchanged == 9
    assert swin == (81.3, "AdamW", "V100", "ImageNet-1k")
