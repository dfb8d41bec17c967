"""A recommendation request and the normalisation of the values a user types.

Examples
--------
>>> normalize_fixed({"dataset": "ImageNet", "gpu_type": "RTX3090", "epochs": "300"})
{'dataset': 'ImageNet-1k', 'gpu_type': 'RTX 3090', 'epochs': 300.0}
>>> parse_pairs("optimizer=SGD,data_augmentation=mixup")
{'optimizer': 'SGD', 'data_augmentation': 'mixup'}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from efficientdl.schema.components import COMPONENTS, Kind, get_field
from efficientdl.schema.normalize import NormalizationError, normalize
from efficientdl.search.constraints import Constraint
from efficientdl.search.space import SearchSpaceError

#: Identity fields a search may change besides the 27 components.
SEARCHABLE_IDENTITY = ("pretraining_data",)

#: Components that describe the dataset rather than a choice of the user.
DATA_DESCRIPTORS = ("train_size", "test_size", "num_classes", "cosine_similarity", "js_divergence", "l2_distance")

#: Components set by the model itself; searched by default only when no model is fixed.
MODEL_DEFINED = tuple(c.name for c in COMPONENTS.values() if c.dimension == "architecture") + ("parameters",)

#: Fields no request may fix or search.
_RESULT_FIELDS = ("top1",)


@dataclass
class RecommendationRequest:
    """What the user fixes, what to search and the constraints.

    Parameters
    ----------
    fixed : dict
        Component or identity field to its value (raw text is normalised).
    search : list of str, optional
        Components to search; default: the ``n_searched`` most important
        components (predictor's permutation importance) a user can change.
    n_searched : int
        How many components to search when ``search`` is not given.
    grid : dict
        Component to the values a number may take (replaces its range).
    ranges : dict
        Component to a ``(low, high)`` range replacing the warehouse's.
    max_parameters : float, optional
        Maximum model size, millions of parameters.
    max_gpus : int, optional
        Maximum accelerator count.
    batch_size_range : tuple of int, optional
        Inclusive ``(low, high)`` total batch size.
    forbid : list
        Forbidden combinations: dicts of ``component: value`` pairs,
        predicates ``config -> bool`` returning True for allowed
        configurations, or :class:`Constraint` objects.
    max_set_size : int, optional
        Maximum number of members of a searched set.
    baseline : dict, optional
        The user's current configuration; default: the fixed values plus
        the most common values of comparable warehouse rows.
    risk_averse : bool
        Maximise the lower bound of the prediction interval.
    """

    fixed: dict[str, Any] = field(default_factory=dict)
    search: list[str] | None = None
    n_searched: int = 3
    grid: dict[str, list[float]] = field(default_factory=dict)
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    max_parameters: float | None = None
    max_gpus: int | None = None
    batch_size_range: tuple[int, int] | None = None
    forbid: list[Mapping[str, Any] | Callable[[dict], bool] | Constraint] = field(default_factory=list)
    max_set_size: int | None = None
    baseline: dict[str, Any] | None = None
    risk_averse: bool = False

    def as_json(self) -> dict[str, Any]:
        """Return the request as JSON-ready data (predicates by name)."""
        forbid = []
        for rule in self.forbid:
            if isinstance(rule, Mapping):
                forbid.append(dict(rule))
            else:
                forbid.append(getattr(rule, "name", None) or getattr(rule, "__name__", repr(rule)))
        return {
            "fixed": self.fixed,
            "search": self.search,
            "n_searched": self.n_searched,
            "grid": self.grid,
            "ranges": {k: list(v) for k, v in self.ranges.items()},
            "max_parameters": self.max_parameters,
            "max_gpus": self.max_gpus,
            "batch_size_range": list(self.batch_size_range) if self.batch_size_range else None,
            "forbid": forbid,
            "max_set_size": self.max_set_size,
            "baseline": self.baseline,
            "risk_averse": self.risk_averse,
        }


def check_field(name: str) -> None:
    """Raise :class:`SearchSpaceError` naming ``name`` when it is not a component or identity field."""
    try:
        get_field(name)
    except KeyError as exc:
        raise SearchSpaceError(exc.args[0]) from None
    if name in _RESULT_FIELDS:
        raise SearchSpaceError(f"{name!r} is the predicted result; it cannot be fixed or searched")


def normalize_value(name: str, raw: Any) -> Any:
    """Return the canonical value of ``raw`` for the field ``name``.

    Raises
    ------
    SearchSpaceError
        Naming the field and the value when the field is unknown, a number
        cannot be read or lies outside the component's bounds, or a choice
        or set member is outside the vocabulary.
    """
    check_field(name)
    component = get_field(name)
    if name == "model_name" or (component.kind is Kind.CHOICE and component.vocabulary is None):
        return str(raw).strip()

    try:
        result = normalize(name, raw)
    except NormalizationError as exc:
        raise SearchSpaceError(f"{name}={raw!r}: {exc}") from None

    if result.unknown or result.value is None:
        known = ", ".join(component.vocabulary.values) if component.vocabulary else ""
        unknown = ", ".join(result.unknown) or str(raw)
        raise SearchSpaceError(f"{name}={unknown!r} is not in the {name} vocabulary; known values: {known}")

    if component.kind is Kind.NUMBER and component.bounds is not None:
        low, high = component.bounds
        if not low <= result.value <= high:
            raise SearchSpaceError(f"{name}={raw!r} is outside the valid range [{low:g}, {high:g}]")
    return result.value


def normalize_fixed(fixed: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``fixed`` with every value normalised (see :func:`normalize_value`)."""
    return {name: normalize_value(name, raw) for name, raw in fixed.items()}


def normalize_pairs(pairs: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise the values of a forbidden combination; a set component takes a single member."""
    normalised = {}
    for name, raw in pairs.items():
        value = normalize_value(name, raw)
        if get_field(name).kind is Kind.SET:
            if len(value) != 1:
                raise SearchSpaceError(f"forbidden value {name}={raw!r} must name one member of the set")
            value = value[0]
        normalised[name] = value
    return normalised


def parse_pairs(text: str | Sequence[str]) -> dict[str, str]:
    """Parse ``"key=value,key=value"`` (or a list of ``key=value``) into a dict.

    Raises
    ------
    SearchSpaceError
        When an item has no ``=``.
    """
    items = text.split(",") if isinstance(text, str) else list(text)
    pairs = {}
    for item in items:
        if not item.strip():
            continue
        if "=" not in item:
            raise SearchSpaceError(f"{item!r} is not a key=value pair")
        key, value = item.split("=", 1)
        pairs[key.strip()] = value.strip()
    return pairs
