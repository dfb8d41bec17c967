"""Measure the data components of a data set: split sizes, input side, classes and train/test shift.

The shift between the training and the test split is measured on their
pixel-intensity distributions. For each split, every channel value of every
image as stored (before resizing or augmentation) is counted in a histogram
of 256 bins, one per 8-bit level. Bin ``k`` counts intensity ``k / 255``
of the [0, 1] range. The 8x8 digits are scaled from 0..16 to 0..255 first.
Each histogram is divided by its total, giving distributions ``p`` (train)
and ``q`` (test) that sum to 1. Then

* ``cosine_similarity`` = p·q / (‖p‖₂ ‖q‖₂), in [0, 1] for histograms
  (1 for identical distributions);
* ``js_divergence`` = ½ KL(p‖m) + ½ KL(q‖m) with m = ½ (p + q) and base-2
  logarithms, in [0, 1] (0 for identical distributions);
* ``l2_distance`` = ‖p − q‖₂, in [0, √2].

Examples
--------
>>> import numpy as np
>>> p = np.array([0.5, 0.5, 0.0]); q = np.array([0.0, 0.5, 0.5])
>>> metrics = compare_distributions(p, q)
>>> round(metrics["cosine_similarity"], 3), round(metrics["js_divergence"], 3), round(metrics["l2_distance"], 3)
(0.5, 0.5, 0.707)
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from scipy.spatial.distance import jensenshannon

from efficientdl.verify.datasets import ImageClassificationData, ImageSource, load_dataset

logger = logging.getLogger(__name__)

#: Histogram bins, one per 8-bit intensity level.
BINS = 256


@dataclass
class DatasetProfile:
    """The data components of one data set, with where they came from.

    ``input_size`` is the side the model is fed at (the 8x8 digits are
    upsampled to 32 px); the other data components follow the definitions
    in the module docstring.
    """

    name: str
    location: str
    split: str
    train_size: int
    test_size: int
    input_size: int
    num_classes: int
    cosine_similarity: float
    js_divergence: float
    l2_distance: float

    def components(self) -> dict[str, float]:
        """Return the seven data components, as floats keyed by component name."""
        return {
            "train_size": float(self.train_size),
            "test_size": float(self.test_size),
            "input_size": float(self.input_size),
            "num_classes": float(self.num_classes),
            "cosine_similarity": self.cosine_similarity,
            "js_divergence": self.js_divergence,
            "l2_distance": self.l2_distance,
        }

    def as_dict(self) -> dict:
        return asdict(self)


def intensity_histogram(source: ImageSource, on_image: Callable[[], None] | None = None) -> np.ndarray:
    """Return the normalised 256-bin histogram of every channel value of every image in ``source``.

    Returns
    -------
    ndarray of float, shape (256,)
        Sums to 1.

    Raises
    ------
    ValueError
        When ``source`` contains no pixels.
    """
    counts = np.zeros(BINS, dtype=np.int64)
    for index in range(len(source)):
        pixels = np.asarray(source.pixels(index), dtype=np.uint8)
        counts += np.bincount(pixels.ravel(), minlength=BINS)
        if on_image is not None:
            on_image()
    total = counts.sum()
    if total == 0:
        raise ValueError("the split contains no pixels; a histogram needs at least one image")
    return counts / total


def compare_distributions(p: np.ndarray, q: np.ndarray) -> dict[str, float]:
    """Return cosine similarity, base-2 Jensen-Shannon divergence and L2 distance of two distributions.

    Parameters
    ----------
    p, q : array of float, shape (n_bins,)
        Non-negative, each summing to 1.
    """
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise ValueError(f"distributions of shapes {p.shape} and {q.shape} cannot be compared")

    cosine = float(p @ q / (np.linalg.norm(p) * np.linalg.norm(q)))
    # scipy returns the Jensen-Shannon distance, the square root of the divergence.
    divergence = float(jensenshannon(p, q, base=2) ** 2)
    return {
        "cosine_similarity": min(1.0, cosine),
        "js_divergence": min(1.0, max(0.0, divergence)),
        "l2_distance": float(np.linalg.norm(p - q)),
    }


def profile_data(data: ImageClassificationData, on_image: Callable[[], None] | None = None) -> DatasetProfile:
    """Profile a loaded data set; ``on_image`` is called once per image read (for progress bars)."""
    train_hist = intensity_histogram(data.train, on_image)
    test_hist = intensity_histogram(data.test, on_image)
    metrics = compare_distributions(train_hist, test_hist)
    return DatasetProfile(
        name=data.name,
        location=data.location,
        split=data.split,
        train_size=len(data.train),
        test_size=len(data.test),
        input_size=data.image_size,
        num_classes=len(data.classes),
        **metrics,
    )


def profile_dataset(
    spec: str | Path,
    *,
    image_size: int | None = None,
    split_seed: int = 0,
    on_image: Callable[[], None] | None = None,
) -> DatasetProfile:
    """Compute the data components of ``"digits"`` or an image folder.

    Parameters
    ----------
    spec : str or path
        ``"digits"`` or a folder (see :func:`efficientdl.verify.datasets.load_dataset`).
    image_size : int, optional
        Side the model is fed at; reported as ``input_size``.
    split_seed : int
        Seed of the split when the folder has none.
    on_image : callable, optional
        Called once per image read.

    Returns
    -------
    DatasetProfile
    """
    data = load_dataset(spec, image_size=image_size, split_seed=split_seed)
    profile = profile_data(data, on_image)
    logger.info("profiled %s: %s", data.location, profile.components())
    return profile
