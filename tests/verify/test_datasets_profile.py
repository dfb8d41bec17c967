"""Data sets load with fixed splits, and profiles measure sizes, classes and train/test shift."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from efficientdl.verify.datasets import DatasetError, load_dataset
from efficientdl.verify.profile import compare_distributions, profile_dataset


def _write_images(folder: Path, classes: dict[str, list[int]], size: int = 12) -> None:
    """Write one flat grey PNG per intensity, in one subfolder per class."""
    for name, intensities in classes.items():
        (folder / name).mkdir(parents=True, exist_ok=True)
        for index, value in enumerate(intensities):
            pixels = np.full((size, size + 4, 3), value, dtype=np.uint8)
            Image.fromarray(pixels).save(folder / name / f"{index}.png")


def test_digits_profile_sizes():
    profile = profile_dataset("digits")

    assert profile.train_size + profile.test_size == 1797
    assert profile.train_size == 1347
    assert profile.num_classes == 10
    assert profile.input_size == 32


def test_digits_profile_metrics_in_range():
    profile = profile_dataset("digits")

    assert 0.9 < profile.cosine_similarity <= 1.0
    assert 0.0 < profile.js_divergence < 0.01
    assert 0.0 < profile.l2_distance < 0.1


def test_digits_split_is_stratified_and_fixed():
    first, second = load_dataset("digits"), load_dataset("digits")

    test_counts = np.bincount(first.test.targets)
    share = test_counts / (test_counts + np.bincount(first.train.targets))

    assert first.test.targets == second.test.targets
    assert share.min() > 0.24
    assert share.max() < 0.26


def test_identical_distributions_compare_equal():
    p = np.array([0.2, 0.3, 0.5])
    metrics = compare_distributions(p, p)

    assert metrics["cosine_similarity"] == pytest.approx(1.0)
    assert metrics["js_divergence"] == pytest.approx(0.0)
    assert metrics["l2_distance"] == pytest.approx(0.0)


def test_disjoint_distributions_have_jsd_one():
    metrics = compare_distributions(np.array([1.0, 0.0]), np.array([0.0, 1.0]))

    assert metrics["js_divergence"] == pytest.approx(1.0)
    assert metrics["cosine_similarity"] == pytest.approx(0.0)


def test_folder_identical_splits_profile(tmp_path):
    classes = {"cat": [10, 200], "dog": [60, 90, 250]}
    _write_images(tmp_path / "train", classes)
    _write_images(tmp_path / "val", classes)
    profile = profile_dataset(tmp_path)

    assert profile.train_size == 5
    assert profile.test_size == 5
    assert profile.num_classes == 2
    assert profile.input_size == 12
    assert profile.cosine_similarity == pytest.approx(1.0)
    assert profile.js_divergence == pytest.approx(0.0)
    assert profile.split == "folders train/ and val/"


def test_folder_shifted_test_split_profile(tmp_path):
    _write_images(tmp_path / "train", {"a": [0, 10], "b": [20]})
    _write_images(tmp_path / "test", {"a": [240], "b": [250]})
    profile = profile_dataset(tmp_path)

    assert profile.js_divergence == pytest.approx(1.0)
    assert profile.l2_distance > 0.5


def test_folder_without_split_is_seeded(tmp_path):
    _write_images(tmp_path, {"a": list(range(0, 80, 10)), "b": list(range(100, 180, 10))})
    first, second = load_dataset(tmp_path), load_dataset(tmp_path)

    assert first.test.paths == second.test.paths
    assert len(first.test) == 4
    assert sorted(first.test.targets) == [0, 0, 1, 1]


def test_folder_labels_follow_train_classes(tmp_path):
    _write_images(tmp_path / "train", {"a": [0], "b": [50], "c": [100]})
    _write_images(tmp_path / "val", {"c": [110]})
    data = load_dataset(tmp_path)

    assert data.test.targets == [2]


def test_folder_val_class_missing_in_train(tmp_path):
    _write_images(tmp_path / "train", {"a": [0], "b": [50]})
    _write_images(tmp_path / "val", {"z": [0]})

    with pytest.raises(DatasetError, match="'z'"):
        load_dataset(tmp_path)


def test_folder_without_images_rejected(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "notes.txt").write_text("no images here")

    with pytest.raises(DatasetError, match="no images"):
        load_dataset(tmp_path)


def test_folder_skips_unreadable_image(tmp_path):
    _write_images(tmp_path, {"a": [0, 10, 20], "b": [100, 110, 120]})
    (tmp_path / "a" / "broken.png").write_bytes(b"not a png")
    data = load_dataset(tmp_path)

    assert len(data.train) + len(data.test) == 6


def test_missing_folder_rejected(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_dataset(tmp_path / "absent")
