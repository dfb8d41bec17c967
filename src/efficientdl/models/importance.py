"""Permutation importance per component, measured on held-out rows.

A component may own many encoded columns (one per augmentation, one per
optimizer, a missing indicator). Permuting them one at a time would split its
importance and let correlated columns stand in for each other, so
:func:`component_permutation_importance` shuffles all columns of a component
together (the same row permutation for each) and records how much the mean
absolute error grows, in Top-1 points.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
>>> y = 3 * X["a"].to_numpy()
>>> scores = component_permutation_importance(lambda m: 3 * m[:, 0], X, y, {"a": "a", "b": "b"}, n_repeats=2)
>>> scores["a"][0] > 1.0, scores["b"][0]
(True, 0.0)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from efficientdl.schema.components import ALL_FIELDS, IDENTITY_FIELDS

IMPORTANCE_COLUMNS = ("component", "importance", "std", "rank")

#: Dimensions of components a user cannot choose when planning a training run.
FIXED_DIMENSIONS = ("data",)


def component_permutation_importance(
    predict: Callable[[np.ndarray], np.ndarray],
    X: pd.DataFrame,
    y: np.ndarray,
    feature_components: Mapping[str, str],
    *,
    n_repeats: int = 3,
    random_state: int = 0,
) -> dict[str, list[float]]:
    """Return, per component, the growth of the MAE when its columns are shuffled together.

    Parameters
    ----------
    predict : callable
        Maps an array of shape (n_rows, n_features) to predictions.
    X : DataFrame of shape (n_rows, n_features)
        Held-out encoded rows.
    y : array of shape (n_rows,)
        Measured Top-1.
    feature_components : mapping of column name to component name
    n_repeats : int
        Shuffles per component.

    Returns
    -------
    dict of str to list of float
        ``n_repeats`` MAE increases (Top-1 points) per component.
    """
    if n_repeats < 1:
        raise ValueError(f"n_repeats must be >= 1, got {n_repeats}")
    rng = np.random.default_rng(random_state)
    matrix = X.to_numpy(dtype=float)
    y = np.asarray(y, dtype=float)
    baseline = float(np.mean(np.abs(predict(matrix) - y)))

    columns_of: dict[str, list[int]] = defaultdict(list)
    for position, name in enumerate(X.columns):
        columns_of[feature_components[name]].append(position)

    scores: dict[str, list[float]] = {}
    for component, positions in columns_of.items():
        scores[component] = []
        for _ in range(n_repeats):
            shuffled = matrix.copy()
            order = rng.permutation(len(matrix))
            shuffled[:, positions] = matrix[order][:, positions]
            scores[component].append(float(np.mean(np.abs(predict(shuffled) - y))) - baseline)
    return scores


def rank_importance(scores: Sequence[Mapping[str, Sequence[float]]]) -> pd.DataFrame:
    """Pool the scores of several folds into one ranked table.

    A component that a fold's encoder did not keep counts as 0 for that fold.

    Returns
    -------
    DataFrame
        Columns :data:`IMPORTANCE_COLUMNS`, most important first, ``rank`` 1.
    """
    components = sorted({name for fold in scores for name in fold})
    rows = []
    for component in components:
        values = []
        for fold in scores:
            values.extend(fold.get(component, [0.0]))
        rows.append({"component": component, "importance": float(np.mean(values)), "std": float(np.std(values))})
    table = pd.DataFrame(rows, columns=["component", "importance", "std"])
    table = table.sort_values(["importance", "component"], ascending=[False, True], ignore_index=True)
    table["rank"] = np.arange(1, len(table) + 1)
    return table


def changeable_components() -> list[str]:
    """Return the components a user sets when planning a run: no identity fields, no data components."""
    return [
        name
        for name, field in ALL_FIELDS.items()
        if name not in IDENTITY_FIELDS and field.dimension not in FIXED_DIMENSIONS
    ]


def default_search_components(importance: pd.DataFrame, k: int = 5) -> list[str]:
    """Return the ``k`` most important components a user can change.

    Parameters
    ----------
    importance : DataFrame
        Output of :func:`rank_importance` (or ``Predictor.importance()``).
    k : int
        Components wanted.

    Returns
    -------
    list of str
        Ranked; shorter than ``k`` when the predictor uses fewer changeable
        components, since searching one the predictor ignores cannot change
        a prediction. Components with zero or negative importance come last.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    changeable = set(changeable_components())
    ranked = importance.sort_values("rank")
    return [name for name in ranked["component"] if name in changeable][:k]
