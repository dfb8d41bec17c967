"""Normalisers: raw text from papers, zoos and spreadsheets to canonical values.

Every function raises :class:`NormalizationError` with the raw value and the
expected form when the input cannot be read. Categorical values outside a
vocabulary are never guessed: they are returned raw in
:attr:`Normalized.unknown` so the caller can flag or quarantine them.

Examples
--------
>>> parse_number("1,014.45")
1014.45
>>> parse_number("5e-4 * 1024 / 512")
0.001
>>> parse_parameters("25.6M")
25.6
>>> parse_top1("0.813")
81.3
>>> parse_hardware("8x V100 GPUs")
[Hardware(gpu_type='V100', gpu_count=8)]
>>> parse_batch_size("32 per GPU on 8 GPUs")
256
>>> normalize("data_augmentation", "RandAug, rand-m9-mstd0.5, Rand Augment").value
['RandAugment']
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass, field
from typing import Any

import regex

from efficientdl.schema.components import Kind, get_field


class NormalizationError(ValueError):
    """Raised when a raw value cannot be read as its component requires."""


_SUFFIXES = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mil": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "b": 1e9,
    "g": 1e9,
    "billion": 1e9,
    "billions": 1e9,
}

_BINARY_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Pow: operator.pow,
    ast.Mod: operator.mod,
}

_NUMBER_WITH_SUFFIX = regex.compile(
    r"""^\s*
    (?P<sign>[-+−])?\s*
    (?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)
    (?:\s*[eE×x]\s*(?:10\^?)?(?P<exp>[-+−]?\d+))?
    \s*(?P<suffix>[kKmMbBgG]|thousand|million|millions|billion|billions|mil)?
    \s*(?P<percent>%)?
    \s*(?P<rest>.*)$""",
    regex.VERBOSE,
)


def evaluate_arithmetic(expression: str) -> float:
    """Evaluate an arithmetic expression made of number literals only.

    The expression is parsed with :mod:`ast`; names, calls and attributes
    are rejected, so this never runs code.

    Raises
    ------
    NormalizationError
        When the text is not pure arithmetic.
    """
    try:
        tree = ast.parse(expression.strip().replace("×", "*").replace("−", "-"), mode="eval")
    except SyntaxError as exc:
        raise NormalizationError(f"{expression!r} is not an arithmetic expression") from exc

    def _eval(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return _eval(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = _eval(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY_OPERATORS:
            return float(_BINARY_OPERATORS[type(node.op)](_eval(node.left), _eval(node.right)))
        raise NormalizationError(f"{expression!r} contains {type(node).__name__}, only numbers and + - * / ** are allowed")

    try:
        return _eval(tree)
    except ZeroDivisionError as exc:
        raise NormalizationError(f"{expression!r} divides by zero") from exc


def parse_number(raw: Any, *, allow_trailing_text: bool = True) -> float:
    """Read a number written with separators, a magnitude suffix or arithmetic.

    Accepts ``1,014.45``, ``25.6M``, ``1.2 billion``, ``81.3%``, ``3e-4``,
    ``5e-4 * 1024 / 512`` and numbers followed by a unit word
    (``300 epochs``). A percent sign is dropped, not divided out: the caller
    knows whether the field is a percentage.

    Raises
    ------
    NormalizationError
        When no number can be read, or the value is NaN or infinite.
    """
    if isinstance(raw, bool):
        raise NormalizationError(f"{raw!r} is a boolean, expected a number")
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        text = str(raw).strip().replace("\u2009", "").replace("\xa0", " ")
        if not text:
            raise NormalizationError("empty value, expected a number")
        value = _parse_number_text(text, allow_trailing_text)
    if math.isnan(value) or math.isinf(value):
        raise NormalizationError(f"{raw!r} is not a finite number")
    return value


def _parse_number_text(text: str, allow_trailing_text: bool) -> float:
    if regex.search(r"\d\s*[*/+]\s*[\d.]", text) and regex.fullmatch(r"[\d\s.eE+\-*/()×−]+", text):
        return evaluate_arithmetic(text)

    match = _NUMBER_WITH_SUFFIX.match(text)
    if match is None:
        raise NormalizationError(f"{text!r} is not a number; write it as e.g. 25.6, 25.6M or 1,014.45")

    rest = match["rest"].strip()
    if rest and not allow_trailing_text:
        raise NormalizationError(f"{text!r} has trailing text {rest!r} after the number")
    if rest and regex.match(r"^[\d.,]", rest):
        raise NormalizationError(f"{text!r} is not a single number")

    value = float(match["num"].replace(",", ""))
    if match["exp"]:
        value *= 10 ** int(match["exp"].replace("−", "-"))
    if match["suffix"]:
        value *= _SUFFIXES[match["suffix"].lower()]
    if match["sign"] in ("-", "−"):
        value = -value
    return value


def parse_parameters(raw: Any, *, unit: str = "auto") -> float:
    """Read a parameter count and return it in millions.

    Parameters
    ----------
    raw : str or number
        ``"25.6M"``, ``"25,557,032"``, ``25557032`` or ``25.6``.
    unit : {"auto", "count", "M"}
        How to read a bare number: ``"count"`` means single parameters,
        ``"M"`` millions, ``"auto"`` treats values of 10,000 or more as
        counts (no classifier reported in millions has 10 billion
        parameters) and smaller ones as millions.
    """
    text = str(raw)
    has_suffix = bool(regex.search(r"\d\s*(?:[kKmMbBgG]|million|billion)\b", text))
    value = parse_number(raw)
    if has_suffix:
        return value / 1e6
    if unit == "count" or (unit == "auto" and value >= 10_000):
        return value / 1e6
    return value


def parse_top1(raw: Any, *, scale: str = "auto") -> float:
    """Read a Top-1 accuracy and return it in percent.

    Parameters
    ----------
    raw : str or number
        ``"81.3"``, ``"81.3%"``, ``"0.813"``.
    scale : {"auto", "percent", "fraction"}
        ``"fraction"`` multiplies by 100; ``"auto"`` does so only for values
        of at most 1 written without a percent sign.
    """
    has_percent = "%" in str(raw)
    value = parse_number(raw)
    if scale == "fraction" or (scale == "auto" and not has_percent and 0 < value <= 1.0):
        value *= 100.0
    return round(value, 6)


@dataclass(frozen=True)
class Hardware:
    """Accelerator model and count read from a hardware string."""

    gpu_type: str | None
    gpu_count: int | None


_HARDWARE_RE = regex.compile(
    r"""(?:(?P<count>\d+)\s*(?:x|×|\*)\s*|(?P<count_spaced>\d+)\s+)?
        (?P<name>(?:(?:nvidia|tesla|geforce|cloud|rtx|gtx)\s+)*
                 (?:tpu\s*-?\s*v\d|[a-z]*\d{2,4}\s*(?:ti)?|titan\s*(?:xp|x|v)?|xp|cpu)
                 (?:-\d+g(?:b)?)?)
        (?:\s*-\s*(?P<cores>\d+))?
        (?:\s*(?:gpus?|cards?|chips?|cores?|devices?)\b)?
        (?:\s*(?:x|×)\s*(?P<count_after>\d+))?""",
    regex.VERBOSE | regex.IGNORECASE,
)


def parse_hardware(raw: str) -> list[Hardware]:
    """Read accelerator type and count from strings such as ``8x V100 GPUs``.

    A string naming several set-ups (``"8x V100 GPUs (b256), 16x A100-80G
    GPUs (b4096)"``) gives one entry per set-up. ``TPUv3-8`` is a TPU v3 pod
    slice of 8 cores. A type outside the GPU vocabulary is returned raw.

    Raises
    ------
    NormalizationError
        When the text names no device.
    """
    from efficientdl.schema.components import COMPONENTS

    vocabulary = COMPONENTS["gpu_type"].vocabulary
    found: list[Hardware] = []
    for part in regex.split(r"[;,]|\band\b", str(raw)):
        part = regex.sub(r"\([^)]*\)|(?i)\b\d+\s*gb\b", " ", part).strip()
        if not part:
            continue
        match = _HARDWARE_RE.search(part)
        if match is None:
            continue
        name = regex.sub(r"\s+", " ", match["name"]).strip()
        name = regex.sub(r"(?i)\b(?:nvidia|tesla|geforce|cloud)\s+", "", name)
        tpu = regex.match(r"(?i)tpu\s*-?\s*v(\d)", name)
        if tpu:
            canonical = f"TPU v{tpu[1]}"
        else:
            canonical = vocabulary.lookup(name) or vocabulary.lookup(regex.sub(r"(?i)-\d+g(b)?$", "", name)) or name
        count_text = match["count"] or match["count_spaced"] or match["count_after"] or match["cores"]
        found.append(Hardware(canonical, int(count_text) if count_text else None))
    if not found:
        raise NormalizationError(f"{raw!r} names no accelerator; expected e.g. '8x V100 GPUs' or 'TPUv3-8'")
    return found


_PER_DEVICE_RE = regex.compile(
    r"(?P<per>\d[\d,]*)\s*(?:images?\s*)?(?:per|/|each)\s*(?:gpu|device|card|core|tpu|worker|node)s?"
    r"(?:.*?(?:on|across|over|with|x|×)\s*(?P<count>\d+)\s*(?:\w+\s+)?(?:gpus?|devices?|cards?|cores?|tpus?|workers?))?",
    regex.IGNORECASE,
)
_NAME_BATCH_RE = regex.compile(r"(?<![\d.])(?P<count>\d+)\s*xb\s*(?P<per>\d+)(?![\d])", regex.IGNORECASE)
_COUNT_TIMES_PER_RE = regex.compile(r"^\s*(?P<count>\d+)\s*[x×*]\s*(?P<per>\d+)\s*$")


def parse_batch_size(raw: Any, *, device_count: int | None = None) -> int:
    """Read a total batch size, multiplying per-device sizes by the device count.

    Accepts ``256``, ``"4,096"``, ``"32 per GPU on 8 GPUs"``, ``"8xb32"``
    (mmpretrain's naming: 8 GPUs times 32 images) and ``"8 x 32"``. When
    the text gives a per-device size without a count, ``device_count`` is
    used; without either the text is rejected, because a per-device size
    alone is not the batch size the predictor needs.
    """
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        value = float(raw)
    else:
        text = str(raw).strip()
        per_device = _PER_DEVICE_RE.search(text)
        by_name = _NAME_BATCH_RE.search(text) or _COUNT_TIMES_PER_RE.match(text)
        if per_device:
            per = int(per_device["per"].replace(",", ""))
            count = int(per_device["count"]) if per_device["count"] else device_count
            if count is None:
                raise NormalizationError(
                    f"{text!r} gives a per-device batch size but no device count; pass the GPU count"
                )
            value = float(per * count)
        elif by_name:
            value = float(int(by_name["count"]) * int(by_name["per"]))
        else:
            value = parse_number(text)
    if value != int(value):
        raise NormalizationError(f"batch size {raw!r} is not a whole number")
    return int(value)


@dataclass
class Normalized:
    """A canonical value together with what could not be mapped.

    ``value`` is a float for numbers, a string for choices (None when the
    raw text was unknown) and a sorted list for sets. ``unknown`` lists raw
    spellings that matched nothing in the vocabulary.
    """

    value: Any
    raw: Any
    unknown: list[str] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return not self.unknown


def split_set(raw: Any) -> list[str]:
    """Split a set given as text ("flip, RandAug + mixup") or a list into items."""
    if raw is None:
        return []
    if isinstance(raw, (list, tuple, set)):
        items = [str(item) for item in raw]
    else:
        items = regex.split(r"\s*(?:[,;|/]|\s\+\s|\band\b|&)\s*", str(raw))
    return [item.strip() for item in items if item and item.strip()]


def normalize(name: str, raw: Any) -> Normalized:
    """Normalise one raw value of the component or identity field ``name``.

    Raises
    ------
    KeyError
        For an unknown component name.
    NormalizationError
        When a number cannot be read.
    """
    component = get_field(name)

    if component.kind is Kind.NUMBER:
        if name == "top1":
            return Normalized(parse_top1(raw), raw)
        if name == "parameters":
            return Normalized(parse_parameters(raw), raw)
        if name == "batch_size":
            return Normalized(float(parse_batch_size(raw)), raw)
        if name == "gpu_count" and isinstance(raw, str) and not regex.fullmatch(r"\s*[\d,]+\s*", raw):
            hardware = parse_hardware(raw)
            return Normalized(float(hardware[0].gpu_count) if hardware[0].gpu_count else None, raw)
        value = parse_number(raw)
        return Normalized(float(round(value)) if component.integer else value, raw)

    if component.kind is Kind.CHOICE:
        text = str(raw).strip()
        if component.vocabulary is None:
            return Normalized(text, raw)
        if name == "gpu_type":
            try:
                text = parse_hardware(text)[0].gpu_type or text
            except NormalizationError:
                # A generic "GPU" names no model: keep it raw and flagged rather than guess one.
                return Normalized(None, raw, [text])
        canonical = component.vocabulary.lookup(text)
        if canonical is None:
            return Normalized(None, raw, [text])
        return Normalized(canonical, raw)

    canonical_items: set[str] = set()
    unknown: list[str] = []
    for item in split_set(raw):
        canonical = component.vocabulary.lookup(item) if component.vocabulary else item
        if canonical is not None:
            canonical_items.add(canonical)
            continue
        # "random crops and random horizontal flips" is two known values; split it only
        # when every part is known, so "Global and Sliding Window Attention" stays whole.
        parts = regex.split(r"\s+(?:and|&)\s+", item)
        mapped = [component.vocabulary.lookup(part) for part in parts] if len(parts) > 1 else [None]
        if all(mapped):
            canonical_items.update(mapped)
        else:
            unknown.append(item)
    return Normalized(sorted(canonical_items), raw, unknown)
