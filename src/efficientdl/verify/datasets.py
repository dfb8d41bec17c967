"""Image-classification data sets for verification runs.

Two kinds are supported:

``digits``
    scikit-learn's bundled handwritten digits (:func:`sklearn.datasets.load_digits`):
    1,797 real 8x8 grey-scale images of 10 classes, shipped with
    scikit-learn, so nothing is downloaded. Intensities 0..16 are scaled to
    8-bit, the images are upsampled (bicubic) to ``image_size`` pixels and
    repeated over 3 channels. The split is a stratified 75/25 split with a
    fixed seed: 1,347 training and 450 test images.
an image folder
    ``PATH/train/<class>/*`` with ``PATH/val/<class>/*`` or
    ``PATH/test/<class>/*`` (read with :class:`torchvision.datasets.ImageFolder`),
    or ``PATH/<class>/*`` split 75/25 stratified with a fixed seed.

Examples
--------
>>> data = load_dataset("digits")
>>> len(data.train), len(data.test), len(data.classes), data.image_size
(1347, 450, 10, 32)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from PIL import Image

logger = logging.getLogger(__name__)

DIGITS = "digits"
DIGITS_LOCATION = "sklearn.datasets.load_digits"

#: Side the 8x8 digits are upsampled to, pixels.
DIGITS_IMAGE_SIZE = 32

#: Fraction of the images held out for testing when a folder has no test split.
TEST_FRACTION = 0.25

#: Subfolders read as the test split, in order of preference.
TEST_FOLDERS = ("val", "test")


class DatasetError(ValueError):
    """Raised when a data set path contains no usable images."""


class ImageSource:
    """One split's images and integer labels, loaded on access."""

    targets: list[int]

    def __len__(self) -> int:
        return len(self.targets)

    def pixels(self, index: int) -> np.ndarray:
        """Return image ``index`` as stored: a uint8 array of shape (height, width, 3)."""
        raise NotImplementedError

    def image(self, index: int) -> Image.Image:
        """Return image ``index`` as the RGB PIL image the transforms receive."""
        return Image.fromarray(self.pixels(index))


class ArraySource(ImageSource):
    """Images held in memory, upsampled to ``image_size`` when handed to a transform.

    Parameters
    ----------
    images : ndarray of uint8, shape (n, height, width, 3)
    targets : sequence of int
    image_size : int
        Side of the images handed to transforms, pixels.
    """

    def __init__(self, images: np.ndarray, targets: Sequence[int], image_size: int) -> None:
        self.images = images
        self.targets = [int(t) for t in targets]
        self.image_size = int(image_size)

    def pixels(self, index: int) -> np.ndarray:
        return self.images[index]

    def image(self, index: int) -> Image.Image:
        image = Image.fromarray(self.images[index])
        if image.size != (self.image_size, self.image_size):
            image = image.resize((self.image_size, self.image_size), Image.Resampling.BICUBIC)
        return image


class FileSource(ImageSource):
    """Image files read with PIL and converted to RGB on access."""

    def __init__(self, paths: Sequence[str], targets: Sequence[int]) -> None:
        self.paths = [str(p) for p in paths]
        self.targets = [int(t) for t in targets]

    def pixels(self, index: int) -> np.ndarray:
        with Image.open(self.paths[index]) as image:
            return np.asarray(image.convert("RGB"))

    def image(self, index: int) -> Image.Image:
        with Image.open(self.paths[index]) as image:
            return image.convert("RGB")


class TransformedDataset:
    """A :class:`torch.utils.data.Dataset` view of an :class:`ImageSource` through a transform."""

    def __init__(self, source: ImageSource, transform: Callable) -> None:
        self.source = source
        self.transform = transform

    def __len__(self) -> int:
        return len(self.source)

    def __getitem__(self, index: int):
        return self.transform(self.source.image(index)), self.source.targets[index]


@dataclass
class ImageClassificationData:
    """A data set with a training and a test split.

    Attributes
    ----------
    name : str
        ``digits`` or the folder's name.
    location : str
        ``sklearn.datasets.load_digits`` or the folder's absolute path.
    train, test : ImageSource
    classes : list of str
        Class names; label ``i`` is ``classes[i]``.
    image_size : int
        Side the model is fed at, pixels.
    split : str
        How the test split was formed.
    """

    name: str
    location: str
    train: ImageSource
    test: ImageSource
    classes: list[str]
    image_size: int
    split: str


def load_dataset(spec: str | Path, *, image_size: int | None = None, split_seed: int = 0) -> ImageClassificationData:
    """Load ``digits`` or an image folder.

    Parameters
    ----------
    spec : str or path
        ``"digits"`` or a folder path.
    image_size : int, optional
        Side the model is fed at, pixels. Default: 32 for digits, the
        median shorter side of up to 200 training images for a folder.
    split_seed : int
        Seed of the stratified split; fixed so every verification of a data
        set scores on the same test images.

    Raises
    ------
    FileNotFoundError
        When the folder does not exist.
    DatasetError
        When the folder contains no images in class subfolders.
    """
    if str(spec) == DIGITS:
        return load_digits_dataset(image_size=image_size or DIGITS_IMAGE_SIZE, split_seed=split_seed)
    return load_image_folder(Path(spec), image_size=image_size, split_seed=split_seed)


def load_digits_dataset(*, image_size: int = DIGITS_IMAGE_SIZE, split_seed: int = 0) -> ImageClassificationData:
    """Load scikit-learn's 8x8 digits as 3-channel images with a stratified 75/25 split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    grey = np.rint(bunch.images * (255.0 / 16.0)).astype(np.uint8)
    images = np.repeat(grey[..., None], 3, axis=-1)
    indices = np.arange(len(images))
    train_idx, test_idx = train_test_split(
        indices, test_size=TEST_FRACTION, stratify=bunch.target, random_state=split_seed
    )
    return ImageClassificationData(
        name=DIGITS,
        location=DIGITS_LOCATION,
        train=ArraySource(images[train_idx], bunch.target[train_idx], image_size),
        test=ArraySource(images[test_idx], bunch.target[test_idx], image_size),
        classes=[str(c) for c in bunch.target_names],
        image_size=int(image_size),
        split=f"stratified {1 - TEST_FRACTION:.0%}/{TEST_FRACTION:.0%} split, seed {split_seed}",
    )


def load_image_folder(root: Path, *, image_size: int | None = None, split_seed: int = 0) -> ImageClassificationData:
    """Load ``root/train`` with ``root/val`` (or ``root/test``), else ``root`` with a seeded stratified split."""
    root = Path(root)
    if not root.exists():
        raise FileNotFoundError(f"data set folder {root} does not exist; give 'digits' or an existing folder")
    if not root.is_dir():
        raise DatasetError(f"{root} is not a folder; give 'digits' or a folder of class subfolders")

    train_dir = root / "train"
    test_dir = next((root / name for name in TEST_FOLDERS if (root / name).is_dir()), None)
    if train_dir.is_dir() and test_dir is not None:
        train_paths, train_targets, classes = _scan(train_dir)
        test_paths, test_names = _scan_named(test_dir)
        unknown = sorted(set(test_names) - set(classes))
        if unknown:
            raise DatasetError(
                f"{test_dir} has classes {unknown} that {train_dir} lacks; every test class needs training images"
            )
        test_targets = [classes.index(name) for name in test_names]
        split = f"folders {train_dir.name}/ and {test_dir.name}/"
    else:
        paths, targets, classes = _scan(root)
        train_paths, test_paths, train_targets, test_targets = _stratified_split(paths, targets, split_seed, root)
        split = f"stratified {1 - TEST_FRACTION:.0%}/{TEST_FRACTION:.0%} split, seed {split_seed}"

    if len(classes) < 2:
        raise DatasetError(f"{root} has {len(classes)} class folder; classification needs at least 2")
    train = FileSource(train_paths, train_targets)
    test = FileSource(test_paths, test_targets)
    size = int(image_size) if image_size else _median_shorter_side(train, split_seed)
    return ImageClassificationData(root.name, str(root.resolve()), train, test, classes, size, split)


def _scan(folder: Path) -> tuple[list[str], list[int], list[str]]:
    """List the images of ``folder/<class>/`` with :class:`torchvision.datasets.ImageFolder`."""
    from torchvision.datasets import ImageFolder

    try:
        found = ImageFolder(str(folder), allow_empty=True)
    except FileNotFoundError as exc:
        raise DatasetError(
            f"{folder} contains no class subfolders ({exc}); expected {folder}/<class>/<image>.png, "
            f"or {folder}/train/<class>/ with {folder}/val/<class>/"
        ) from None
    if not found.samples:
        raise DatasetError(
            f"{folder} contains no images (.png, .jpg, ...) in its class subfolders {found.classes}; "
            f"expected {folder}/<class>/<image>.png"
        )
    paths, targets = [], []
    for path, target in found.samples:
        if _readable(path):
            paths.append(path)
            targets.append(target)
    if not paths:
        raise DatasetError(f"none of the {len(found.samples)} image files in {folder} can be read as an image")

    present = sorted(set(targets))
    empty = [name for index, name in enumerate(found.classes) if index not in present]
    if empty:
        logger.warning("%s: class folders without images are ignored: %s", folder, ", ".join(empty))
    renumber = {old: new for new, old in enumerate(present)}
    return paths, [renumber[t] for t in targets], [found.classes[t] for t in present]


def _readable(path: str) -> bool:
    """Return whether PIL can identify the file's image format, logging the files it cannot."""
    try:
        with Image.open(path):
            return True
    except (OSError, SyntaxError) as exc:
        logger.warning("skipped %s: not a readable image (%s)", path, exc)
        return False


def _scan_named(folder: Path) -> tuple[list[str], list[str]]:
    paths, targets, classes = _scan(folder)
    return paths, [classes[t] for t in targets]


def _stratified_split(paths, targets, seed: int, root: Path):
    from sklearn.model_selection import train_test_split

    counts = np.bincount(targets)
    stratify = targets if counts.min() >= 2 else None
    if stratify is None:
        logger.warning("%s has a class with a single image; the test split is not stratified", root)
    if len(paths) < 4:
        raise DatasetError(f"{root} contains only {len(paths)} images; a train/test split needs at least 4, add images")
    return train_test_split(paths, targets, test_size=TEST_FRACTION, stratify=stratify, random_state=seed)


def _median_shorter_side(source: FileSource, seed: int, sample: int = 200) -> int:
    """Return the median shorter side of up to ``sample`` training images, read from their headers."""
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(source), size=min(sample, len(source)), replace=False)
    sides = []
    for index in picks:
        with Image.open(source.paths[index]) as image:
            sides.append(min(image.size))
    return int(np.median(sides))
