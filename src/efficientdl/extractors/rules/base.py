"""Findings of the rules, and the pieces the rules share: numbers, negation, datasets.

A :class:`Finding` is one value with its evidence. Rules never write to the
warehouse; :mod:`efficientdl.pipeline.extract` stores findings as
``extractions`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import regex


#: Name and version of the PDF rules; part of every extractor name.
RULES_VERSION = "pdf-rules/1"

#: Confidence of a value stated in a section of each kind, before rule-specific changes.
SECTION_CONFIDENCE = {
    "training": 0.9,
    "experiments": 0.85,
    "appendix-training": 0.9,
    "appendix-experiments": 0.85,
    "appendix": 0.8,
    "method": 0.7,
    "front": 0.55,
    "abstract": 0.6,
    "introduction": 0.55,
    "related": 0.4,
    "references": 0.1,
}

#: A number as papers print it: ``0.1``, ``1e-4``, ``5 × 10−4``, ``10^-3``, ``3·10 − 3``.
NUMBER = (
    r"(?:\d+(?:\.\d+)?\s*(?:[×x·*]|\\times)\s*10\s*\^?\s*\{?\s*[-−–]\s*\d+\}?"
    r"|10\s*\^?\s*\{?\s*[-−–]\s*\d+\}?"
    r"|\d+(?:\.\d+)?\s*[eE]\s*[-−–]?\s*\d+"
    r"|\d*\.\d+|\d+(?:,\d{3})*)"
)

_WORD_NUMBERS = {
    "one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12, "sixteen": 16, "thirty-two": 32, "sixty-four": 64,
}
WORD_NUMBER = r"(?:" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + r")"


@dataclass
class Finding:
    """One value a rule read, with where and how it was read.

    ``value`` is in the component's stored unit (Top-1 in percent,
    parameters in millions, sets as lists). ``model_name`` None means the
    value holds for the whole paper; ``dataset`` None means for every
    dataset of the paper. ``details`` carries facts for the association
    step (a learning-rate scaling rule, a per-device batch size).
    """

    component: str
    value: Any
    raw_text: str
    snippet: str
    page: int
    bbox: list[float] | None
    rule: str
    confidence: float
    model_name: str | None = None
    dataset: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def extractor(self) -> str:
        return f"{RULES_VERSION}:{self.rule}"


def read_number(text: str) -> float:
    """Read a number in any of the forms of :data:`NUMBER`.

    Examples
    --------
    >>> read_number("5 × 10−4")
    0.0005
    >>> read_number("10 − 3")
    0.001
    >>> read_number("1,024")
    1024.0
    """
    text = text.replace("−", "-").replace("–", "-").replace("\\times", "×").replace("{", "").replace("}", "")
    text = regex.sub(r"\s+", "", text)
    power = regex.fullmatch(r"(?:(?P<mantissa>[\d.]+)[×x·*])?10\^?(?P<exp>-?\d+)", text)
    if power:
        mantissa = float(power["mantissa"]) if power["mantissa"] else 1.0
        return round(mantissa * 10 ** int(power["exp"]), 12)
    return float(text.replace(",", ""))


def word_or_number(text: str) -> int:
    """Read ``8`` or ``eight`` as an integer."""
    text = text.strip().lower()
    return _WORD_NUMBERS[text] if text in _WORD_NUMBERS else int(text)


_NEGATION = regex.compile(r"\b(?:no|not|without|never|nor|neither|instead of|rather than|n't|w/o|removing|remove)\b[^.;]{0,40}$", regex.IGNORECASE)


def negated(sentence: str, start: int) -> bool:
    """Whether the words just before ``start`` negate what follows ("we do not use dropout")."""
    return bool(_NEGATION.search(sentence[max(0, start - 50) : start]))


_DATASET_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"ImageNet[- ]?(?:21|22)[kK]|ImageNet[- ]?21,?000|IN-?2[12][kK]", "ImageNet-21k"),
    (r"ImageNet[- ]?ReaL\b|\bReaL\b", "ImageNet-ReaL"),
    (r"ImageNet[- ]?V2\b", "ImageNetV2"),
    (r"ImageNet[- ]?(?:Sketch|-A\b|-R\b)", ""),
    (r"Tiny[- ]?ImageNet", "Tiny ImageNet"),
    (r"ImageNet[- ]?5[kK]", "ImageNet-5K"),
    (r"\b(?:ImageNet|ILSVRC)(?:[- ]?(?:20)?1[0-7]|[- ]?1[kK]|[- ]?2012)?\b", "ImageNet-1k"),
    (r"\bCIFAR[- ]?100\b", "CIFAR-100"),
    (r"\bCIFAR[- ]?10\b", "CIFAR-10"),
    (r"\bCIFAR\b", "CIFAR-10"),
    (r"\bSVHN\b", "SVHN"),
    (r"\bFashion[- ]?MNIST\b", "Fashion-MNIST"),
    (r"\bMNIST\b", "MNIST"),
    (r"\bJFT(?:[- ]?300M)?\b", "JFT-300M"),
    (r"\biNat(?:uralist)?(?:[- ]?20\d\d)?\b", "iNaturalist"),
    (r"\bPlaces[- ]?365\b", "Places365"),
    (r"\bSTL[- ]?10\b", "STL-10"),
    (r"Oxford[- ]?(?:102[- ]?)?Flowers|Flowers[- ]?102", "Oxford Flowers-102"),
    (r"Oxford[- ]?IIIT[- ]?Pets?|\bPets\b", "Oxford-IIIT Pets"),
    (r"Stanford[- ]?Cars", "Stanford Cars"),
    (r"Stanford[- ]?Dogs", "Stanford Dogs"),
    (r"Food[- ]?101", "Food-101"),
    (r"\bCUB(?:[- ]?200(?:[- ]?2011)?)?\b", "CUB-200-2011"),
)
_DATASET_RES = tuple((regex.compile(p, regex.IGNORECASE if "ImageNet" not in p else 0), name) for p, name in _DATASET_PATTERNS)


def find_datasets(text: str) -> list[tuple[str, int, int]]:
    """Return ``(canonical name, start, end)`` of every dataset named in ``text``, left to right.

    Examples
    --------
    >>> [d for d, _, _ in find_datasets("pre-trained on ImageNet-21k, fine-tuned on ImageNet and CIFAR-10")]
    ['ImageNet-21k', 'ImageNet-1k', 'CIFAR-10']
    """
    found: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []
    for pattern, name in _DATASET_RES:
        for match in pattern.finditer(text):
            if any(match.start() < e and match.end() > s for s, e in taken):
                continue
            taken.append((match.start(), match.end()))
            if name:
                found.append((name, match.start(), match.end()))
    return sorted(found, key=lambda item: item[1])


def main_dataset(text: str) -> str | None:
    """Return the first dataset named in ``text``, or None."""
    found = find_datasets(text)
    return found[0][0] if found else None

