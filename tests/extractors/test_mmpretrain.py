"""mmpretrain metafiles and configs into records, and into the warehouse."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from efficientdl.cli.main import cli
from efficientdl.extractors.records import Problem, RawRecord, Skipped
from efficientdl.extractors.repos.mmpretrain import extract_mmpretrain, input_size_from_name, pretraining_from_name
from efficientdl.extractors.repos.mmpretrain_recipe import schedule_name
from efficientdl.pipeline.load import ingest_path

CHECKOUT = Path(__file__).resolve().parents[1] / "fixtures" / "mmpretrain_checkout"


@pytest.fixture(scope="module")
def items():
    return list(extract_mmpretrain(CHECKOUT))


@pytest.fixture(scope="module")
def records(items):
    return {item.source_key: item for item in items if isinstance(item, RawRecord)}


def test_fixture_checkout_counts(items):
    kinds = [type(item).__name__ for item in items]
    assert kinds.count("RawRecord") == 6
    assert kinds.count("Skipped") == 2
    assert kinds.count("Problem") == 0


def test_results_without_top1_skipped(items):
    reasons = {item.source_key: item.reason for item in items if isinstance(item, Skipped)}
    assert reasons["resnet50_simclr-pre_8xb256"].startswith("no results")
    assert reasons["deit-small_in21k-pre_3rdparty_in1k-384px:COCO"] == "no Top-1 accuracy (Image-To-Text Retrieval)"


def test_config_recipe_read(records):
    record = records["deit-small_4xb256_in1k:ImageNet-1k"]
    fields = record.fields
    assert record.extractor == "mmpretrain-metafile+config/2"
    assert fields["optimizer"] == "AdamW"
    assert fields["learning_rate"] == pytest.approx(0.001)
    assert fields["lr_schedule"] == "linear warmup + cosine"
    assert record.details["warmup_epochs"] == 20
    assert fields["epochs"] == 300
    assert fields["batch_size"] == 1024
    assert fields["input_size"] == 224
    assert fields["num_classes"] == 1000


def test_config_augmentations(records):
    augmentations = records["deit-small_4xb256_in1k:ImageNet-1k"].fields["data_augmentation"]
    assert augmentations == ["CutMix", "RandAugment", "flip", "mixup", "random erasing", "random resized crop"]


def test_config_regularization(records):
    record = records["deit-small_4xb256_in1k:ImageNet-1k"]
    assert {"label smoothing", "stochastic depth", "weight decay", "EMA"} <= set(record.fields["regularization"])
    assert record.details["label_smoothing"] == 0.1
    assert record.details["drop_path_rate"] == 0.1


def test_config_wins_over_metafile(records):
    record = records["resnet50_8xb64-lsr-coslr_in1k:ImageNet-1k"]
    assert record.fields["epochs"] == 200
    assert record.details["metafile_values"]["epochs"] == 100
    assert record.field_sources["epochs"] == "config configs/resnet/resnet50_8xb64-lsr-coslr_in1k.py: train_cfg.max_epochs"


def test_inherited_value_names_base_file(records):
    source = records["resnet50_8xb32_in1k:ImageNet-1k"].field_sources["learning_rate"]
    assert source.endswith("(set in configs/_base_/schedules/imagenet_bs256.py)")


def test_nesterov_and_multistep(records):
    assert records["resnet50_8xb64-lsr-coslr_in1k:ImageNet-1k"].fields["optimizer"] == "Nesterov"
    assert records["resnet50_8xb32_in1k:ImageNet-1k"].fields["lr_schedule"] == "multistep"


def test_metafile_only_without_config(records):
    record = records["resnet101_8xb32_in1k:ImageNet-1k"]
    assert record.extractor == "mmpretrain-metafile/2"
    assert record.fields["gpu_type"] == "V100"
    assert record.fields["gpu_count"] == 8
    assert record.field_sources["epochs"] == "metafile Collections[0].Metadata.Epochs"
    assert record.details["unmapped_techniques"] == ["Mixed Precision Training"]


def test_metafile_metadata_and_paper(records):
    record = records["deit-small_in21k-pre_3rdparty_in1k-384px:ImageNet-1k"]
    assert record.fields["pretraining_data"] == "ImageNet-21k"
    assert record.fields["input_size"] == 384
    assert record.fields["attention"] == ["multi-head", "scaled dot-product"]
    assert record.paper_url == "https://arxiv.org/abs/2012.12877"


@pytest.mark.parametrize(
    ("name", "size"),
    [("deit-base_224px-pre_3rdparty_in1k-384px", 384), ("swin-base_3rdparty_in1k-384", 384),
     ("simmim_swin-base_8xb256-coslr-100e_in1k-192px", 192), ("resnet50_8xb32_in1k", None)],
)
def test_input_size_from_name(name, size):
    assert input_size_from_name(name) == size


@pytest.mark.parametrize(
    ("name", "pretraining"),
    [("convnext-base_in21k-pre-3rdparty_in1k-384px", "ImageNet-21k"),
     ("vit-base-p16_clip-laion2b-in12k-pre_3rdparty_in1k", "LAION-2B"),
     ("beit-base-p16_beit-pre_8xb128-coslr-100e_in1k", "ImageNet-1k self-supervised"),
     ("deit-base_224px-pre_3rdparty_in1k-384px", "none"),
     ("resnet50_8xb32_in1k", None)],
)
def test_pretraining_from_name(name, pretraining):
    assert pretraining_from_name(name) == pretraining


@pytest.mark.parametrize(
    ("schedulers", "name"),
    [(dict(type="MultiStepLR", milestones=[30, 60]), "multistep"),
     ([dict(type="LinearLR", end=5), dict(type="MultiStepLR", begin=5)], "multistep"),
     ([dict(type="LinearLR", end=5), dict(type="LinearLR", begin=5)], "linear warmup + linear decay"),
     (dict(type="StepLR", step_size=2), "step"),
     ([dict(type="CosineAnnealingLR"), dict(type="CosineAnnealingMomentum")], "cosine")],
)
def test_schedule_name(schedulers, name):
    assert schedule_name(schedulers)[0] == name


@pytest.mark.shared
@pytest.mark.slow
def test_real_metafiles_load_once(shared_dir, warehouse):
    folder = shared_dir / "sources" / "mmpretrain-metafiles"
    first = ingest_path(warehouse, "mmpretrain", folder)
    second = ingest_path(warehouse, "mmpretrain", folder)
    assert first.loaded >= 440
    assert first.quarantined == 0
    assert second.loaded == 0
    assert second.updated == 0
    assert second.unchanged == first.loaded


@pytest.mark.shared
def test_real_metafiles_values(shared_dir, warehouse):
    ingest_path(warehouse, "mmpretrain", shared_dir / "sources" / "mmpretrain-metafiles")
    row = warehouse.execute(
        "SELECT top1, parameters, optimizer, batch_size, gpu_type, gpu_count FROM configurations "
        "WHERE source_key = 'resnet50_8xb32_in1k:ImageNet-1k'"
    ).fetchone()
    assert row == (76.55, 25.56, "SGD momentum", 256.0, "V100", 8.0)


BAD_MODELS = """\
Collections:
  - Name: Toy
    Metadata:
      Training Data: ImageNet-1k
      Training Techniques: [SGD with Momentum]
Models:
  - Name: toy-good_8xb32_in1k
    Metadata: {{Parameters: 1000000, Epochs: 90}}
    In Collection: Toy
    Results: [{{Dataset: ImageNet-1k, Task: Image Classification, Metrics: {{Top 1 Accuracy: 70.1}}}}]
  - Name: toy-top1-180_8xb32_in1k
    In Collection: Toy
    Results: [{{Dataset: ImageNet-1k, Task: Image Classification, Metrics: {{Top 1 Accuracy: 180}}}}]
  - Name: toy-negative-batch_in1k
    Metadata: {{Batch Size: -64}}
    In Collection: Toy
    Results: [{{Dataset: ImageNet-1k, Task: Image Classification, Metrics: {{Top 1 Accuracy: 70.2}}}}]
  - Name: toy-text-epochs_8xb32_in1k
    Metadata: {{Epochs: many}}
    In Collection: Toy
    Results: [{{Dataset: ImageNet-1k, Task: Image Classification, Metrics: {{Top 1 Accuracy: 70.3}}}}]
  - Name: toy-odd-optimizer_8xb32_in1k
    In Collection: Toy
    Results: [{{Dataset: ImageNet-1k, Task: Image Classification, Metrics: {{Top 1 Accuracy: 70.4}}}}]
    Config: configs/toy/toy-odd-optimizer_8xb32_in1k.py
"""


def _bad_checkout(root: Path) -> Path:
    shutil.copytree(CHECKOUT / "configs" / "_base_", root / "configs" / "_base_")
    (root / "configs" / "toy").mkdir(parents=True)
    (root / "configs" / "toy" / "metafile.yml").write_text(BAD_MODELS.format())
    (root / "configs" / "toy" / "toy-odd-optimizer_8xb32_in1k.py").write_text(
        "_base_ = ['../_base_/schedules/imagenet_bs256.py']\n"
        "optim_wrapper = dict(optimizer=dict(_delete_=True, type='Frobnicator', lr=0.1))\n"
    )
    (root / "configs" / "broken").mkdir()
    (root / "configs" / "broken" / "metafile.yml").write_text("Models:\n  - Name: [unclosed\n")
    return root


def test_bad_input_quarantined(warehouse, tmp_path):
    report = ingest_path(warehouse, "mmpretrain", _bad_checkout(tmp_path))
    reasons = dict(warehouse.execute("SELECT source_key, reason FROM quarantine").fetchall())
    assert report.loaded == 1
    assert report.quarantined == 5
    assert reasons["toy-top1-180_8xb32_in1k:ImageNet-1k"].startswith("top1: value 180.0")
    assert reasons["toy-negative-batch_in1k:ImageNet-1k"].startswith("batch_size: value -64.0")
    assert "is not a number" in reasons["toy-text-epochs_8xb32_in1k:ImageNet-1k"]
    assert "unknown value 'Frobnicator'" in reasons["toy-odd-optimizer_8xb32_in1k:ImageNet-1k"]
    assert "invalid YAML" in reasons["broken"]


def test_bad_yaml_is_problem(tmp_path):
    items = list(extract_mmpretrain(_bad_checkout(tmp_path)))
    problems = [item for item in items if isinstance(item, Problem)]
    assert len(problems) == 1
    assert problems[0].source_file.endswith("broken/metafile.yml")


def test_empty_folder_rejected(tmp_path):
    with pytest.raises(FileNotFoundError, match="contains no metafile.yml"):
        list(extract_mmpretrain(tmp_path))


def test_cli_ingest_json(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "w.duckdb"), "ingest", "mmpretrain", str(CHECKOUT), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["loaded"] == 6
    assert summary["skipped"] == 2
