"""Normalisers: numbers, units, hardware, batch sizes and vocabularies."""

from __future__ import annotations

import pytest

from efficientdl.schema.components import COMPONENTS, IDENTITY_FIELDS, Kind, get_field
from efficientdl.schema.normalize import (
    Hardware,
    NormalizationError,
    evaluate_arithmetic,
    normalize,
    parse_batch_size,
    parse_hardware,
    parse_number,
    parse_parameters,
    parse_top1,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,014.45", 1014.45),
        ("25.6M", 25.6e6),
        ("1.2 billion", 1.2e9),
        ("5e-4 * 1024 / 512", 1e-3),
        ("300 epochs", 300.0),
        ("81.3%", 81.3),
        (" 4096 ", 4096.0),
        (0.1, 0.1),
    ],
)
def test_parse_number_forms(raw, expected):
    assert parse_number(raw) == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["", "n/a", "triangular learning rate schedule", "1 2 3"])
def test_parse_number_rejects_text(raw):
    with pytest.raises(NormalizationError):
        parse_number(raw)


def test_arithmetic_never_runs_code():
    with pytest.raises(NormalizationError):
        evaluate_arithmetic("__import__('os').getcwd()")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("25.6M", 25.6), ("25,557,032", 25.557032), (11170000, 11.17), ("0.18", 0.18), ("1,014.45", 1014.45)],
)
def test_parameters_in_millions(raw, expected):
    assert parse_parameters(raw) == pytest.approx(expected)


@pytest.mark.parametrize(("raw", "expected"), [("0.813", 81.3), ("81.3%", 81.3), ("81.3", 81.3), (0.7742, 77.42)])
def test_top1_fraction_and_percent(raw, expected):
    assert parse_top1(raw) == pytest.approx(expected)


def test_top1_explicit_percent_scale_keeps_small_values():
    assert parse_top1("0.5", scale="percent") == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("8x V100 GPUs", [Hardware("V100", 8)]),
        ("16x A100-80G GPUs", [Hardware("A100", 16)]),
        ("TPUv3-8", [Hardware("TPU v3", 8)]),
        ("2 NVIDIA GTX 580 3GB GPUs", [Hardware("GTX 580", 2)]),
        ("8x V100 GPUs (b256), 16x A100-80G GPUs (b4096)", [Hardware("V100", 8), Hardware("A100", 16)]),
    ],
)
def test_parse_hardware(raw, expected):
    assert parse_hardware(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("32 per GPU on 8 GPUs", 256), ("8xb32", 256), ("resnet50_8xb32_in1k", 256), ("4,096", 4096), ("8 x 128", 1024)],
)
def test_batch_size_totals(raw, expected):
    assert parse_batch_size(raw) == expected


def test_per_device_batch_needs_count():
    with pytest.raises(NormalizationError, match="device count"):
        parse_batch_size("64 per GPU")


def test_per_device_batch_with_given_count():
    assert parse_batch_size("64 per GPU", device_count=4) == 256


@pytest.mark.parametrize("raw", ["Adam W", "adamw", "AdamW optimizer"])
def test_optimizer_synonyms(raw):
    assert normalize("optimizer", raw).value == "AdamW"


def test_augmentation_synonyms_collapse():
    result = normalize("data_augmentation", "RandAug, rand-m9-mstd0.5, Rand Augment")
    assert result.value == ["RandAugment"]


def test_unknown_choice_kept_raw_not_guessed():
    result = normalize("optimizer", "Adamish")
    assert result.value is None
    assert result.unknown == ["Adamish"]


def test_set_splits_and_only_when_parts_known():
    known = normalize("data_augmentation", ["random crops and random horizontal flips"])
    unknown = normalize("attention", ["Global and Sliding Window Attention"])
    assert known.value == ["flip", "random crop"]
    assert unknown.unknown == ["Global and Sliding Window Attention"]


def test_unknown_component_name_lists_known():
    with pytest.raises(KeyError, match="known components"):
        get_field("learning_rat")


def test_registry_has_27_components_and_identity():
    assert len(COMPONENTS) == 27
    assert set(IDENTITY_FIELDS) == {"model_name", "architecture_family", "dataset", "pretraining_data", "top1"}


def test_every_categorical_component_has_vocabulary():
    missing = [c.name for c in COMPONENTS.values() if c.kind is not Kind.NUMBER and c.vocabulary is None]
    assert missing == []
