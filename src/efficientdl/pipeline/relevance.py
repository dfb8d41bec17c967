"""Keep papers about image classification with deep learning: term lists matched in title and abstract.

Examples
--------
>>> f = RelevanceFilter()
>>> f.is_relevant("Deep Residual Learning for Image Recognition", None)
True
>>> f.is_relevant("A Survey of Protein Folding", "We review molecular dynamics.")
False
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from efficientdl.pipeline.sources.base import normalize_title

#: Terms of the task: the images, the benchmarks and the vision models.
IMAGE_TERMS = (
    "image classification",
    "image recognition",
    "visual recognition",
    "object recognition",
    "imagenet",
    "cifar",
    "image",
    "vision",
    "visual",
    "convolutional",
    "convnet",
    "cnn",
    "vit",
    "data augmentation",
)

#: Terms of the method: networks, training and their parts.
DL_TERMS = (
    "deep learning",
    "deep",
    "neural network",
    "network",
    "convolutional",
    "transformer",
    "attention",
    "training",
    "backbone",
    "architecture",
    "mlp",
    "residual",
    "regularization",
    "augmentation",
    "generalization",
    "stochastic gradient",
)


def _compile(terms: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted({normalize_title(t) for t in terms if normalize_title(t)}, key=len, reverse=True)
    # A number or plural may follow a term: "imagenet2012", "cifar10" (hyphens are folded away), "cnns".
    return re.compile(r"\b(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?:\d+|s)?\b")


@dataclass
class RelevanceFilter:
    """Decide whether a paper belongs to the corpus from its title and abstract.

    A paper with an abstract is kept when the title and abstract together
    contain at least one image term and one deep-learning term. A paper
    known by its title only (many references arrive so) is kept when the
    title contains a term of either list.

    Parameters
    ----------
    image_terms, dl_terms : tuple of str
        Phrases matched as whole words after :func:`normalize_title` folding.
    """

    image_terms: tuple[str, ...] = IMAGE_TERMS
    dl_terms: tuple[str, ...] = DL_TERMS
    _image: re.Pattern[str] = field(init=False, repr=False)
    _dl: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.image_terms or not self.dl_terms:
            raise ValueError("both term lists need at least one term")
        self.image_terms = tuple(self.image_terms)
        self.dl_terms = tuple(self.dl_terms)
        self._image = _compile(self.image_terms)
        self._dl = _compile(self.dl_terms)

    def is_relevant(self, title: str | None, abstract: str | None) -> bool:
        """Return True when the paper is about image classification with deep learning."""
        title_text = normalize_title(title)
        if not abstract:
            return bool(self._image.search(title_text) or self._dl.search(title_text))
        text = f"{title_text} {normalize_title(abstract)}"
        return bool(self._image.search(text) and self._dl.search(text))

    def settings(self) -> dict[str, list[str]]:
        """Return the term lists (stored with each run)."""
        return {"image_terms": list(self.image_terms), "dl_terms": list(self.dl_terms)}
