"""Evidence for a recommendation: the most similar configurations the literature reports.

Similarity is one minus a mixed-type (Gower) distance averaged over the
compared fields. For a number the distance is the absolute difference on
its search scale (log scale where the component is) divided by the range
seen in the warehouse. For a choice it is 0 when equal and 1 otherwise, and
for a set it is the Jaccard distance. A field the warehouse row leaves empty counts as distance
1, so rows that report the recommended setting rank first.

Examples
--------
>>> field_distance("optimizer", "SGD", "SGD", None)
0.0
>>> field_distance("data_augmentation", ["mixup", "flip"], ["mixup"], None)
0.5
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from efficientdl.schema.components import Kind, get_field


def _missing(value: Any) -> bool:
    if isinstance(value, (list, tuple, np.ndarray)):
        return False
    return bool(pd.isna(value))


def _scaled(name: str, value: float) -> float:
    return math.log(max(float(value), 1e-12)) if get_field(name).log_scale else float(value)


def field_distance(name: str, wanted: Any, seen: Any, span: float | None) -> float:
    """Return the distance in [0, 1] between a recommended value and a warehouse value.

    ``span`` is the range of the field on its search scale (numbers only).
    """
    if _missing(seen) or _missing(wanted):
        return 1.0
    kind = get_field(name).kind
    if kind is Kind.NUMBER:
        if not span:
            return 0.0 if float(seen) == float(wanted) else 1.0
        return min(1.0, abs(_scaled(name, wanted) - _scaled(name, seen)) / span)
    if kind is Kind.SET:
        a, b = set(wanted), set(seen)
        union = a | b
        return 0.0 if not union else 1.0 - len(a & b) / len(union)
    if name == "model_name":
        return 0.0 if str(seen).split(".")[0].lower() == str(wanted).split(".")[0].lower() else 1.0
    return 0.0 if str(seen) == str(wanted) else 1.0


def nearest_configurations(rows: pd.DataFrame, config: dict[str, Any], fields: Sequence[str], k: int = 3) -> list[dict[str, Any]]:
    """Return the ``k`` warehouse rows most similar to ``config`` over ``fields``.

    Parameters
    ----------
    rows : DataFrame
        Warehouse configurations (see :func:`efficientdl.search.build.load_rows`).
    config : dict
        The complete recommended configuration.
    fields : sequence of str
        Fields compared; those ``config`` leaves empty are skipped.

    Returns
    -------
    list of dict
        ``title`` (paper title, else source and model name), ``model_name``,
        ``dataset``, ``top1`` (percent), ``similarity`` (0 to 1) and
        ``config_id``, most similar first.
    """
    compared = [f for f in dict.fromkeys(fields) if f in rows.columns and not _missing(config.get(f))]
    if rows.empty or not compared:
        return []

    distances = np.zeros(len(rows))
    for name in compared:
        span = None
        if get_field(name).kind is Kind.NUMBER:
            numbers = pd.to_numeric(rows[name], errors="coerce").dropna()
            numbers = numbers[numbers > 0] if get_field(name).log_scale else numbers
            if len(numbers):
                scaled = [_scaled(name, v) for v in (numbers.min(), numbers.max())]
                span = scaled[1] - scaled[0]
        wanted = config[name]
        distances += np.array([field_distance(name, wanted, seen, span) for seen in rows[name]])
    similarity = 1.0 - distances / len(compared)

    order = np.argsort(-similarity, kind="stable")[:k]
    evidence = []
    for index in order:
        row = rows.iloc[int(index)]
        title = row.get("paper_title")
        if _missing(title) or not title:
            title = f"{row['source']}: {row['model_name']}"
        evidence.append(
            {
                "title": str(title),
                "model_name": str(row["model_name"]),
                "dataset": None if _missing(row["dataset"]) else str(row["dataset"]),
                "top1": float(row["top1"]),
                "similarity": round(float(similarity[index]), 4),
                "config_id": str(row["config_id"]),
            }
        )
    return evidence
