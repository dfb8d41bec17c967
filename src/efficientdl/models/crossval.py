"""Grouped cross-validation of the forest and the baselines on the same folds.

For each fold, every method is fitted on the training part only: the feature
encoder too, so rare-value pooling and dropped columns never see the held-out
rows. The forest's held-out mean and tree spread feed the interval
calibration, and its held-out rows are permuted for importance.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from efficientdl.models.domain import ApplicabilityDomain
from efficientdl.models.encoding import FeatureEncoder
from efficientdl.models.evaluate import BASELINE_METHODS, grouped_folds, make_baseline
from efficientdl.models.forest import make_forest, tree_predictions, tune_forest
from efficientdl.models.importance import component_permutation_importance

logger = logging.getLogger(__name__)

FOREST_METHOD = "random_forest"

#: Inner folds of a nested grid search.
INNER_SPLITS = 3


@dataclass
class CrossValidation:
    """Held-out results of one grouped cross-validation.

    Attributes
    ----------
    predictions : dict of str to array of shape (n_rows,)
        Held-out predictions per method (``random_forest`` first).
    forest_std : array of shape (n_rows,)
        Spread of the forest's trees on each held-out row.
    importance : list of dict
        Per fold, component to MAE increases (see
        :func:`~efficientdl.models.importance.component_permutation_importance`).
    forest_params : list of dict
        Forest hyper-parameters used in each fold.
    """

    predictions: dict[str, np.ndarray]
    forest_std: np.ndarray
    importance: list[dict[str, list[float]]] = field(default_factory=list)
    forest_params: list[dict[str, Any]] = field(default_factory=list)


def cross_validate(
    frame: pd.DataFrame,
    y: np.ndarray,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    *,
    forest_params: Mapping[str, Any] | None = None,
    grid: Mapping[str, Sequence[Any]] | None = None,
    groups: Sequence[str] | None = None,
    baselines: Sequence[str] = BASELINE_METHODS,
    min_count: int = 20,
    n_repeats: int = 3,
    random_state: int = 0,
    n_jobs: int | None = -1,
    on_fold: Callable[[int], None] | None = None,
) -> CrossValidation:
    """Fit every method on each fold's training rows and predict its held-out rows.

    Parameters
    ----------
    frame : DataFrame of shape (n_rows, ...)
        Configuration rows.
    y : array of shape (n_rows,)
        Top-1, percent.
    folds : list of (train positions, test positions)
    forest_params : dict, optional
        Forest hyper-parameters for every fold. When None, each fold runs its
        own grid search over ``grid`` on :data:`INNER_SPLITS` grouped inner
        folds of its training rows (nested cross-validation), which needs
        ``groups``.
    baselines : sequence of str
        Names from :data:`~efficientdl.models.evaluate.BASELINE_METHODS`.
    on_fold : callable, optional
        Called with the fold index after each fold.
    """
    if forest_params is None and groups is None:
        raise ValueError("nested cross-validation (forest_params=None) needs the row groups")
    y = np.asarray(y, dtype=float)
    n_rows = len(frame)
    predictions = {name: np.full(n_rows, np.nan) for name in (FOREST_METHOD, *baselines)}
    result = CrossValidation(predictions=predictions, forest_std=np.full(n_rows, np.nan))

    for fold, (train, test) in enumerate(folds):
        train_rows, test_rows = frame.iloc[train], frame.iloc[test]
        encoder = FeatureEncoder(min_count=min_count).fit(train_rows)
        X_train, X_test = encoder.transform(train_rows), encoder.transform(test_rows)

        if forest_params is None:
            forest, params = _tune_inner(X_train.to_numpy(dtype=float), y[train], np.asarray(groups)[train], grid, random_state, n_jobs)
        else:
            params = dict(forest_params)
            forest = make_forest(params, random_state=random_state, n_jobs=n_jobs).fit(X_train.to_numpy(dtype=float), y[train])
        mean, std = tree_predictions(forest, X_test.to_numpy(dtype=float))
        predictions[FOREST_METHOD][test] = mean
        result.forest_std[test] = std
        result.forest_params.append(params)
        result.importance.append(
            component_permutation_importance(
                forest.predict, X_test, y[test], encoder.feature_components_, n_repeats=n_repeats, random_state=random_state + fold
            )
        )

        for name in baselines:
            model = make_baseline(name, min_count=min_count, random_state=random_state).fit(train_rows, y[train])
            predictions[name][test] = model.predict(test_rows)

        logger.info("fold %d: forest MAE %.3f on %d held-out rows", fold, float(np.mean(np.abs(mean - y[test]))), len(test))
        if on_fold is not None:
            on_fold(fold)
    return result


def _tune_inner(X: np.ndarray, y: np.ndarray, groups: np.ndarray, grid, random_state: int, n_jobs):
    """Grid-search on grouped inner folds; return the refitted best forest and its parameters."""
    inner = grouped_folds(groups, n_splits=min(INNER_SPLITS, len(np.unique(groups))), random_state=random_state)
    search = tune_forest(X, y, inner, grid, random_state=random_state, n_jobs=n_jobs)
    return search.best_estimator_, dict(search.best_params_)


def heldout_domain_distances(X: np.ndarray, folds: Sequence[tuple[np.ndarray, np.ndarray]], n_neighbors: int = 5) -> np.ndarray:
    """Return each row's distance to the training rows of the fold that held it out.

    ``X`` is encoded with the final encoder, so the distances live in the
    space the deployed :class:`ApplicabilityDomain` measures in. The encoder
    is fitted without Top-1, so this leaks no target information.
    """
    X = np.asarray(X, dtype=float)
    distances = np.full(len(X), np.nan)
    for train, test in folds:
        distances[test] = ApplicabilityDomain(n_neighbors=n_neighbors).fit(X[train]).distance(X[test])
    return distances
