"""The verification stage end to end on the digits, its warehouse rows, idempotency and CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from efficientdl.cli.main import cli
from efficientdl.pipeline.verify import RecommendationNotFoundError, canonical_config, verify_recommendation
from efficientdl.verify.datasets import DatasetError
from efficientdl.warehouse.db import Warehouse, from_json, to_json

#: A tiny, fast configuration: timm's test ResNet on 16 px digits for one epoch.
TINY = {
    "model_name": "test_resnet",
    "architecture_family": "resnet",
    "optimizer": "AdamW",
    "lr_schedule": "linear warmup + cosine",
    "data_augmentation": ["flip", "mixup"],
    "regularization": ["label smoothing", "weight decay", "EMA"],
    "epochs": 1,
    "batch_size": 64,
    "learning_rate": 0.002,
    "input_size": 224,
    "dataset": "ImageNet-1k",
}

RUN = {"dataset": "digits", "budget_minutes": 0.1, "seed": 0, "image_size": 16}


def _add_recommendation(wh, recommendation_id="rec-1"):
    best = {"config": TINY, "predicted_top1": 71.5, "interval": [65.0, 78.0]}
    wh.execute(
        "INSERT INTO recommendations (recommendation_id, method, best) VALUES (?, 'eps-bo', ?)",
        [recommendation_id, to_json(best)],
    )
    return recommendation_id


@pytest.fixture(scope="module")
def verified(tmp_path_factory):
    """One verification of a stored recommendation, then the same call again."""
    path = tmp_path_factory.mktemp("verify") / "warehouse.duckdb"
    with Warehouse(path) as wh:
        recommendation_id = _add_recommendation(wh)
        first = verify_recommendation(wh, recommendation_id, **RUN)
        second = verify_recommendation(wh, recommendation_id, **RUN)
        counts = wh.table_counts()
        row = wh.con.execute(
            "SELECT recommendation_id, config_id, dataset, measured_top1, predicted_top1, interval_low, "
            "interval_high, recipe, scaled_down, device FROM verifications"
        ).fetchone()
        config = wh.con.execute(
            "SELECT source, source_key, model_name, dataset, train_size, num_classes, input_size, epochs, "
            "batch_size, top1, regularization FROM configurations"
        ).fetchone()
    return {"path": path, "first": first, "second": second, "counts": counts, "row": row, "config": config}


def test_verify_writes_one_verification(verified):
    row = verified["row"]

    assert verified["counts"]["verifications"] == 1
    assert row[0] == "rec-1"
    assert row[2] == "digits"
    assert row[3] == pytest.approx(verified["first"].measured_top1)
    assert row[9] == "CPU"


def test_verify_without_predictor_keeps_recommendation_prediction(verified):
    row = verified["row"]

    assert verified["first"].prediction_source == "recommendation"
    assert row[4] == 71.5
    assert (row[5], row[6]) == (65.0, 78.0)


def test_verify_stores_recipe_run(verified):
    recipe = from_json(verified["row"][7])

    assert recipe["model_name"] == "test_resnet"
    assert recipe["loss"] == "SoftTargetCrossEntropy"
    assert any("EMA" in line for line in recipe["unsupported"])
    assert from_json(verified["row"][8])["input_size"]["original"] == 224


def test_verify_adds_configuration_row(verified):
    source, source_key, model, dataset, train_size, classes, input_size, epochs, batch, top1, regularization = verified["config"]

    assert verified["counts"]["configurations"] == 1
    assert source == "verification"
    assert source_key == verified["first"].verification_id
    assert model == "test_resnet"
    assert (dataset, train_size, classes, input_size) == ("digits", 1347, 10, 16)
    assert epochs == 1.0
    assert batch == 64
    assert top1 == pytest.approx(verified["first"].measured_top1)
    assert "EMA" not in regularization


def test_verify_config_id_links_rows(verified):
    assert verified["row"][1] == verified["first"].config_id


def test_verify_again_reuses_stored_result(verified):
    assert verified["second"].reused is True
    assert verified["second"].verification_id == verified["first"].verification_id
    assert verified["second"].measured_top1 == pytest.approx(verified["first"].measured_top1)


def test_verify_force_replaces_rows(verified):
    with Warehouse(verified["path"]) as wh:
        forced = verify_recommendation(wh, "rec-1", force=True, **RUN)
        counts = wh.table_counts()

    assert forced.reused is False
    assert forced.verification_id == verified["first"].verification_id
    assert counts["verifications"] == 1
    assert counts["configurations"] == 1


def test_verify_unknown_recommendation(warehouse):
    with pytest.raises(RecommendationNotFoundError, match="'nope' not found"):
        verify_recommendation(warehouse, "nope", **RUN)


def test_verify_needs_something_to_verify(warehouse):
    with pytest.raises(ValueError, match="nothing to verify"):
        verify_recommendation(warehouse, **RUN)


def test_canonical_config_normalises_spellings():
    config = canonical_config({"optimizer": "adam w", "data_augmentation": "RandAug, mixup", "epochs": "300"})

    assert config == {"optimizer": "AdamW", "data_augmentation": ["RandAugment", "mixup"], "epochs": 300.0}


def test_canonical_config_rejects_unknown_key():
    with pytest.raises(KeyError, match="'optimiser' is not a component"):
        canonical_config({"optimiser": "AdamW"})


def test_canonical_config_rejects_unknown_optimizer():
    with pytest.raises(ValueError, match="unknown value 'Adamax9'"):
        canonical_config({"optimizer": "Adamax9"})


def test_cli_verify_json_with_set(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("model_name: test_resnet\noptimizer: SGD momentum\nepochs: 1\nbatch_size: 64\n")
    result = CliRunner().invoke(cli, [
        "--db", str(tmp_path / "cli.duckdb"), "verify", "--config", str(config), "--set", "learning_rate=0.05",
        "--set", "data_augmentation=[flip]", "--budget-minutes", "0.1", "--image-size", "16", "--json",
    ])
    payload = json.loads(result.output.strip().splitlines()[-1])

    assert result.exit_code == 0
    assert payload["recipe"]["learning_rate"] == 0.05
    assert payload["prediction_source"] is None
    assert 0.0 <= payload["measured_top1"] <= 100.0


def test_cli_verify_unknown_recommendation(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "cli.duckdb"), "verify", "--recommendation", "missing"])

    assert isinstance(result.exception, RecommendationNotFoundError)


def test_cli_profile_dataset_json():
    result = CliRunner().invoke(cli, ["profile-dataset", "digits", "--json"])
    payload = json.loads(result.output.strip().splitlines()[-1])

    assert result.exit_code == 0
    assert payload["train_size"] == 1347
    assert payload["num_classes"] == 10


def test_cli_profile_folder_without_images(tmp_path):
    (tmp_path / "cats").mkdir()
    result = CliRunner().invoke(cli, ["profile-dataset", str(tmp_path)])

    assert isinstance(result.exception, DatasetError)
    assert "contains no images" in str(result.exception)


def test_verify_on_image_folder(tmp_path, warehouse):
    from PIL import Image

    for split in ("train", "val"):
        for label, value in (("dark", 30), ("light", 220)):
            folder = tmp_path / "shapes" / split / label
            folder.mkdir(parents=True)
            for index in range(12):
                Image.new("RGB", (16, 16), (value + index, value, value)).save(folder / f"{index}.png")
    config = {"model_name": "test_resnet", "optimizer": "SGD momentum", "epochs": 2, "batch_size": 8, "learning_rate": 0.05}
    result = verify_recommendation(warehouse, config=config, dataset=tmp_path / "shapes", budget_minutes=0.05)
    row = warehouse.con.execute("SELECT dataset, train_size, test_size, num_classes, input_size FROM configurations").fetchone()

    assert result.dataset == "shapes"
    assert row == ("shapes", 24.0, 24.0, 2.0, 16.0)
    assert result.recipe["batch_size"] == 2
