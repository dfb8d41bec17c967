"""Build a search space from a request, the warehouse and the predictor.

The fixed values of the request are normalised. The baseline (what the
user would run without a recommendation) is the fixed values plus, for
every other field, the most common value among comparable warehouse rows.
Each searched component gets the range or vocabulary the warehouse has seen
for rows of the same dataset, or of all rows when that dataset has none:
numbers between the 1st and 99th percentiles, choices and set members as seen.
"""

from __future__ import annotations

import difflib
import logging
import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from efficientdl.models.base import Predictor
from efficientdl.schema.components import ALL_FIELDS, COMPONENTS, Kind, get_field
from efficientdl.search.request import (
    DATA_DESCRIPTORS,
    MODEL_DEFINED,
    SEARCHABLE_IDENTITY,
    RecommendationRequest,
    check_field,
    normalize_fixed,
    normalize_pairs,
)
from efficientdl.search.constraints import Constraint, forbidden, max_value, value_range
from efficientdl.search.space import (
    ChoiceDimension,
    Dimension,
    NumberDimension,
    SearchSpace,
    SearchSpaceError,
    SetDimension,
)
from efficientdl.warehouse.db import Warehouse

logger = logging.getLogger(__name__)

#: Identity fields used to find comparable rows, most specific first.
_IDENTITY_KEYS = ("model_name", "dataset", "pretraining_data", "architecture_family")

#: Most values a searched choice keeps (the most frequent ones).
MAX_CHOICES = 20
#: Most members a searched set draws from (the most frequent ones).
MAX_SET_MEMBERS = 12

#: Numbers searched on a grid by default: component to a rule giving the grid inside [low, high].
_GRID_RULES = {
    "epochs": ("step", 10.0),
    "input_size": ("step", 16.0),
    "batch_size": ("powers", 2.0),
    "gpu_count": ("powers", 2.0),
}


def load_rows(wh: Warehouse) -> pd.DataFrame:
    """Return every configuration with a Top-1 result: the fields plus source and paper columns."""
    columns = ", ".join(["config_id", "source", "paper_title", *ALL_FIELDS])
    return wh.con.execute(f"SELECT {columns} FROM configurations WHERE top1 IS NOT NULL").df()


def match_model(rows: pd.DataFrame, name: str) -> pd.Series:
    """Return a row mask of the model ``name``.

    The exact model name matches first; else every variant named
    ``name.<tag>`` (timm's pretrained tags); else every recipe named
    ``name_<recipe>`` (mmpretrain's config names such as ``resnet50_8xb32_in1k``).

    Raises
    ------
    SearchSpaceError
        When no row matches, listing close model names.
    """
    names = rows["model_name"].astype(str).str.lower()
    wanted = name.lower()
    mask = names == wanted
    if not mask.any():
        mask = names.str.split(".").str[0] == wanted
    if not mask.any():
        mask = names.str.startswith(wanted + "_")
    if not mask.any():
        bases = sorted(set(rows["model_name"].astype(str).str.split(".").str[0]))
        close = difflib.get_close_matches(name, bases, n=5)
        hint = f"; close matches: {', '.join(close)}" if close else ""
        raise SearchSpaceError(f"model_name={name!r} is not in the warehouse{hint}")
    return mask


def comparable_levels(rows: pd.DataFrame, fixed: dict[str, Any], *, dataset_first: bool = False) -> list[pd.DataFrame]:
    """Return groups of comparable rows, most specific first, ending with all rows.

    The levels are: rows matching every fixed identity field, then the same
    model and dataset, the same model, the same dataset, and all rows. With
    ``dataset_first`` the same dataset comes before the same model, because a
    model's CIFAR rows tell little about its ImageNet input size.
    """
    def subset(keys: Iterable[str]) -> pd.DataFrame:
        mask = pd.Series(True, index=rows.index)
        for key in keys:
            if key not in fixed:
                continue
            mask &= match_model(rows, fixed[key]) if key == "model_name" else rows[key] == fixed[key]
        return rows[mask]

    present = [k for k in _IDENTITY_KEYS if k in fixed]
    by_model, by_dataset = subset(("model_name",)), subset(("dataset",))
    middle = [by_dataset, by_model] if dataset_first else [by_model, by_dataset]
    groups = [subset(present), subset(("model_name", "dataset")), *middle, rows]
    return [g for g in groups if not g.empty]


def _is_missing(value: Any) -> bool:
    if isinstance(value, (list, tuple, np.ndarray)):
        return False
    return bool(pd.isna(value))


def most_common(values: pd.Series) -> Any:
    """Return the most common non-missing value (sets compared as sorted tuples), or None."""
    counter: Counter = Counter()
    for value in values:
        if _is_missing(value):
            continue
        key = tuple(sorted(value)) if isinstance(value, (list, tuple, np.ndarray)) else value
        counter[key] += 1
    if not counter:
        return None
    value = counter.most_common(1)[0][0]
    return list(value) if isinstance(value, tuple) else value


def baseline_config(rows: pd.DataFrame, fixed: dict[str, Any], given: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the baseline: ``fixed``, then ``given``, then the most common values of comparable rows."""
    baseline: dict[str, Any] = {}
    levels = comparable_levels(rows, fixed)
    data_levels = comparable_levels(rows, fixed, dataset_first=True)
    for name in ALL_FIELDS:
        if name == "top1":
            continue
        for group in data_levels if ALL_FIELDS[name].dimension == "data" else levels:
            value = most_common(group[name])
            if value is not None:
                baseline[name] = value
                break
    if given:
        baseline.update(normalize_fixed(given))
    baseline.update(fixed)
    if "model_name" in fixed:
        # The predictor was trained on full names ("resnet50.a1_in1k"), so use the most common variant of the fixed model.
        baseline["model_name"] = most_common(levels[0]["model_name"])
    return baseline


def _seen(rows: pd.DataFrame, fixed: dict[str, Any], name: str) -> pd.Series:
    """Return the non-missing values of ``name`` in rows of the fixed dataset, else in all rows."""
    if "dataset" in fixed:
        same = rows.loc[rows["dataset"] == fixed["dataset"], name]
        same = same[[not _is_missing(v) for v in same]]
        if len(same):
            return same
    values = rows[name]
    return values[[not _is_missing(v) for v in values]]


def _grid_values(name: str, low: float, high: float) -> tuple[float, ...] | None:
    rule = _GRID_RULES.get(name)
    if rule is None:
        return None
    kind, step = rule
    if kind == "step":
        start, stop = math.floor(low / step) * step, math.ceil(high / step) * step
        values = np.arange(max(start, step), stop + step / 2, step)
    else:
        exponents = range(math.floor(math.log(low, step) + 1e-9), math.ceil(math.log(high, step) - 1e-9) + 1)
        values = np.array([step**e for e in exponents])
    return tuple(float(v) for v in values)


def number_dimension(name: str, values: pd.Series, request: RecommendationRequest) -> NumberDimension:
    """Return the dimension of a number: the request's grid or range, else the 1st to 99th percentile seen."""
    component = get_field(name)
    if name in request.grid:
        grid = tuple(float(v) for v in request.grid[name])
        return NumberDimension(name, min(grid), max(grid), component.log_scale, component.integer, grid)

    if name in request.ranges:
        low, high = (float(v) for v in request.ranges[name])
    elif len(values):
        low, high = np.percentile(values.astype(float), [1, 99])
    else:
        raise SearchSpaceError(
            f"no warehouse row gives {name}, so its range is unknown; give its values, e.g. --grid {name}=1,2,3"
        )

    if low == high:
        # NOTE: a single value seen gives no range; the search widens it by a factor of 2 each way.
        low, high = (low / 2, high * 2) if component.log_scale and low > 0 else (low - abs(low) / 2, high + abs(high) / 2)
    grid = _grid_values(name, low, high) if name not in request.ranges else None
    return NumberDimension(name, float(low), float(high), component.log_scale, component.integer, grid)


def categorical_dimension(name: str, values: pd.Series, request: RecommendationRequest) -> Dimension:
    """Return the dimension of a choice or set: the values seen, most frequent first."""
    component = get_field(name)
    canonical = set(component.vocabulary.values) if component.vocabulary is not None else None

    def allowed(value: str) -> bool:
        # Open vocabularies keep unknown raw values in the warehouse (flagged); never recommend them.
        return canonical is None or value in canonical

    if component.kind is Kind.CHOICE:
        counts = Counter(str(v) for v in values if allowed(str(v)))
        if not counts:
            if component.vocabulary is None:
                raise SearchSpaceError(f"no warehouse row gives {name}, so its values are unknown")
            return ChoiceDimension(name, component.vocabulary.values)
        return ChoiceDimension(name, tuple(v for v, _ in counts.most_common(MAX_CHOICES)))

    counts = Counter(member for value in values for member in value if allowed(member))
    sizes = [len(value) for value in values]
    members = tuple(v for v, _ in counts.most_common(MAX_SET_MEMBERS)) or component.vocabulary.values[:MAX_SET_MEMBERS]
    max_size = max(1, int(np.percentile(sizes, 99))) if sizes else min(4, len(members))
    if request.max_set_size is not None:
        max_size = request.max_set_size
    return SetDimension(name, members, max_size=max_size)


def default_search(predictor: Predictor, rows: pd.DataFrame, fixed: dict[str, Any], request: RecommendationRequest) -> list[str]:
    """Return the ``n_searched`` most important components a user can change, by the predictor's ranking."""
    changeable = [
        name
        for name in (*COMPONENTS, *SEARCHABLE_IDENTITY)
        if name not in fixed
        and name not in DATA_DESCRIPTORS
        and not ("model_name" in fixed and name in MODEL_DEFINED)
        and (name in request.grid or len(_seen(rows, fixed, name)) > 0)
    ]
    ranking = predictor.importance().sort_values("rank")
    ranked = [name for name in ranking["component"] if name in changeable]
    if not ranked:
        raise SearchSpaceError(
            "no component is left to search: every component the predictor uses is fixed or unseen; pass --search"
        )
    return ranked[: request.n_searched]


def build_constraints(request: RecommendationRequest) -> list[Constraint]:
    """Return the constraints of ``request``, with forbidden values normalised."""
    constraints: list[Constraint] = []
    if request.max_parameters is not None:
        constraints.append(max_value("parameters", float(request.max_parameters)))
    if request.max_gpus is not None:
        constraints.append(max_value("gpu_count", float(request.max_gpus)))
    if request.batch_size_range is not None:
        low, high = request.batch_size_range
        if low > high:
            raise SearchSpaceError(f"batch-size range {low},{high} is empty; give LOW,HIGH with LOW <= HIGH")
        constraints.append(value_range("batch_size", float(low), float(high)))
    for rule in request.forbid:
        if isinstance(rule, Constraint):
            constraints.append(rule)
        elif callable(rule):
            constraints.append(Constraint(getattr(rule, "__name__", "predicate"), rule))
        else:
            constraints.append(forbidden(normalize_pairs(rule)))
    return constraints


def build_space(
    rows: pd.DataFrame, request: RecommendationRequest, predictor: Predictor
) -> tuple[SearchSpace, dict[str, Any]]:
    """Return the search space of ``request`` and the baseline configuration.

    Raises
    ------
    SearchSpaceError
        Naming the field or value at fault: an unknown component, a fixed
        value outside its vocabulary or not in the warehouse, a component
        both fixed and searched, or a number with no known range.
    """
    fixed = normalize_fixed(request.fixed)
    if "model_name" in fixed:
        match_model(rows, fixed["model_name"])

    # NOTE: without a fixed model, a searched parameter count or input size changes while the architecture
    # components and family stay at the baseline's (the most common on the dataset).
    searched = list(request.search) if request.search else default_search(predictor, rows, fixed, request)
    for name in searched:
        check_field(name)
        if name not in COMPONENTS and name not in SEARCHABLE_IDENTITY:
            raise SearchSpaceError(f"{name!r} is an identity field; fix it with --fix {name}=... instead of searching it")
        if name in fixed:
            raise SearchSpaceError(f"component {name!r} is both fixed and searched; fix it or search it")
    for name in sorted(set(request.grid) | set(request.ranges)):
        check_field(name)
        if name not in searched:
            raise SearchSpaceError(f"a grid or range is given for {name!r}, which is not searched; add it to --search")
        if get_field(name).kind is not Kind.NUMBER:
            raise SearchSpaceError(f"a grid or range is given for {name!r}, which is not a number; only numbers take one")

    dimensions: list[Dimension] = []
    for name in searched:
        values = _seen(rows, fixed, name)
        if get_field(name).kind is Kind.NUMBER:
            dimensions.append(number_dimension(name, values, request))
        else:
            dimensions.append(categorical_dimension(name, values, request))

    baseline = baseline_config(rows, fixed, request.baseline)
    context = {k: v for k, v in baseline.items() if k not in searched}
    space = SearchSpace(context, dimensions, build_constraints(request))
    return space, baseline
