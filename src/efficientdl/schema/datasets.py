"""Public facts about the evaluation datasets: split sizes and output length.

Sources rarely restate how large ImageNet is, but the predictor needs the
data components for every row, so the loader fills ``train_size``,
``test_size`` and ``num_classes`` from this table when a row leaves them
empty. The ImageNet test sets (ReaL, V2, Sketch, A, R) are evaluated with
models trained on ImageNet-1k, so their training size and output length are
ImageNet-1k's; ImageNet-A and -R score 200 of the 1,000 outputs.

Counts are the official split sizes published with each dataset.
"""

from __future__ import annotations

from typing import Any

_IMAGENET_TRAIN = 1_281_167

#: Canonical dataset name to (train images, test images, classes).
DATASET_FACTS: dict[str, tuple[int | None, int | None, int | None]] = {
    "ImageNet-1k": (_IMAGENET_TRAIN, 50_000, 1000),
    "ImageNet-ReaL": (_IMAGENET_TRAIN, 50_000, 1000),
    "ImageNetV2": (_IMAGENET_TRAIN, 10_000, 1000),
    "ImageNet-Sketch": (_IMAGENET_TRAIN, 50_889, 1000),
    "ImageNet-A": (_IMAGENET_TRAIN, 7_500, 1000),
    "ImageNet-R": (_IMAGENET_TRAIN, 30_000, 1000),
    "ImageNet-21k": (14_197_122, None, 21_841),
    "CIFAR-10": (50_000, 10_000, 10),
    "CIFAR-100": (50_000, 10_000, 100),
    "MNIST": (60_000, 10_000, 10),
    "Fashion-MNIST": (60_000, 10_000, 10),
    "SVHN": (73_257, 26_032, 10),
    "STL-10": (5_000, 8_000, 10),
    "digits": (1_347, 450, 10),
    "Tiny ImageNet": (100_000, 10_000, 200),
    "Places365": (1_803_460, 36_500, 365),
    "iNaturalist": (437_513, 24_426, 8_142),
    "CUB-200-2011": (5_994, 5_794, 200),
    "Oxford Flowers-102": (2_040, 6_149, 102),
    "Oxford-IIIT Pets": (3_680, 3_669, 37),
    "Stanford Cars": (8_144, 8_041, 196),
    "Food-101": (75_750, 25_250, 101),
    "PASCAL VOC 2007": (5_011, 4_952, 20),
}

#: Typical input side, in pixels, used only when a source gives none.
DEFAULT_INPUT_SIZE: dict[str, int] = {
    "CIFAR-10": 32,
    "CIFAR-100": 32,
    "MNIST": 28,
    "Fashion-MNIST": 28,
    "SVHN": 32,
    "STL-10": 96,
    "digits": 8,
    "Tiny ImageNet": 64,
}


def dataset_facts(dataset: str | None) -> dict[str, Any] | None:
    """Return ``train_size``, ``test_size``, ``num_classes`` (and the usual
    ``input_size`` where one exists) of a canonical dataset name, or None."""
    if dataset not in DATASET_FACTS:
        return None
    train, test, classes = DATASET_FACTS[dataset]
    facts: dict[str, Any] = {"train_size": train, "test_size": test, "num_classes": classes}
    if dataset in DEFAULT_INPUT_SIZE:
        facts["input_size"] = DEFAULT_INPUT_SIZE[dataset]
    return facts
