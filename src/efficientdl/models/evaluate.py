"""Grouped cross-validation folds, regression metrics and the baseline predictors.

Rows of one paper, or of one architecture family within one source, share a
fold (see :func:`group_keys`). Without that grouping a model evaluated on six
ImageNet test sets, or the same checkpoint at two input sizes, would sit on
both sides of a split and the forest would only have to look its result up.

Every method (the forest and the baselines) is scored on the same folds, so
the rows of :func:`metrics_table` compare like with like.

Examples
--------
>>> import numpy as np
>>> scores = regression_metrics(np.array([70.0, 80.0, 90.0]), np.array([72.0, 79.0, 90.0]))
>>> scores["mae"], round(scores["rmse"], 3), scores["spearman"]
(1.0, 1.291, 1.0)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from efficientdl.models.encoding import FeatureEncoder

logger = logging.getLogger(__name__)

#: Name of the pooled rows in :func:`metrics_table`.
ALL_DATASETS = "all"

#: Methods scored besides the forest, in table order.
BASELINE_METHODS = ("median_dataset", "median_family", "ridge", "hist_gradient_boosting")

METRIC_COLUMNS = ("method", "dataset", "n", "mae", "rmse", "r2", "spearman")


def group_keys(frame: pd.DataFrame, *, across_sources: bool = False) -> pd.Series:
    """Return the cross-validation group of every row.

    The group is ``paper:<paper_id>`` when the row names a paper, else
    ``<source>:<architecture_family>`` (the model name replaces a missing
    family), so no paper and no family of one source is split across folds.
    With ``across_sources`` the family key drops the source (and the case),
    so a family's rows from timm and mmpretrain also share a fold.
    """
    def column(name: str) -> pd.Series:
        if name in frame.columns:
            return frame[name].astype(object).where(frame[name].notna(), None)
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)

    paper, source = column("paper_id"), column("source")
    family, model = column("architecture_family"), column("model_name")
    keys = []
    for paper_id, source_name, family_name, model_name in zip(paper, source, family, model):
        if paper_id:
            keys.append(f"paper:{paper_id}")
        elif across_sources:
            keys.append(f"family:{str(family_name or model_name or 'unknown').lower()}")
        else:
            keys.append(f"{source_name or 'unknown'}:{family_name or model_name or 'unknown'}")
    return pd.Series(keys, index=frame.index, name="group")


def grouped_folds(groups: Sequence[str], n_splits: int = 5, random_state: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split row positions into ``n_splits`` folds that never share a group.

    Returns
    -------
    list of (train positions, test positions)
        Integer positions into ``groups``.

    Raises
    ------
    ValueError
        When there are fewer groups than folds.
    """
    groups = np.asarray(groups)
    n_groups = len(np.unique(groups))
    if n_splits < 2:
        raise ValueError(f"n_splits must be at least 2, got {n_splits}")
    if n_groups < n_splits:
        raise ValueError(
            f"only {n_groups} paper/family groups for {n_splits} folds; add data or lower the number of folds"
        )
    splitter = GroupKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    return list(splitter.split(np.zeros(len(groups)), groups=groups))


def fold_ids(folds: Sequence[tuple[np.ndarray, np.ndarray]], n_rows: int) -> np.ndarray:
    """Return, for each row position, the index of the fold whose test part contains it."""
    ids = np.full(n_rows, -1, dtype=int)
    for fold, (_, test) in enumerate(folds):
        ids[test] = fold
    return ids


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """Return MAE and RMSE (Top-1 points), R2 and the Spearman rank correlation.

    R2 and Spearman are NaN on fewer than two rows or a constant input.
    """
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    scores = {
        "mae": float(mean_absolute_error(y_true, y_pred)),
        "rmse": float(np.sqrt(mean_squared_error(y_true, y_pred))),
        "r2": float("nan"),
        "spearman": float("nan"),
    }
    if len(y_true) >= 2 and np.ptp(y_true) > 0:
        scores["r2"] = float(r2_score(y_true, y_pred))
        if np.ptp(y_pred) > 0:
            scores["spearman"] = float(spearmanr(y_true, y_pred).statistic)
    return scores


def metrics_table(y_true: np.ndarray, datasets: Sequence[str], predictions: dict[str, np.ndarray]) -> pd.DataFrame:
    """Score every method per dataset and over all rows (dataset ``"all"``).

    Parameters
    ----------
    y_true : array of shape (n_rows,)
        Measured Top-1, percent.
    datasets : sequence of str, length n_rows
        Evaluation dataset of each row.
    predictions : dict of str to array of shape (n_rows,)
        Held-out predictions per method name.

    Returns
    -------
    DataFrame
        Columns :data:`METRIC_COLUMNS`, one row per method and dataset, the
        ``"all"`` row first within each method.
    """
    y_true = np.asarray(y_true, dtype=float)
    datasets = pd.Series(list(datasets), dtype=object).fillna("unknown").to_numpy()
    names = [ALL_DATASETS, *sorted(set(datasets))]
    rows = []
    for method, predicted in predictions.items():
        predicted = np.asarray(predicted, dtype=float)
        for dataset in names:
            mask = np.ones(len(y_true), bool) if dataset == ALL_DATASETS else datasets == dataset
            rows.append({"method": method, "dataset": dataset, "n": int(mask.sum()), **regression_metrics(y_true[mask], predicted[mask])})
    return pd.DataFrame(rows, columns=list(METRIC_COLUMNS))


class MedianBaseline(BaseEstimator, RegressorMixin):
    """Predict the training median of the row's cell, backing off to coarser cells.

    Parameters
    ----------
    by : tuple of str
        Columns defining the cells, finest last. A row whose full cell was
        not seen in training gets the median of its cell on ``by[:-1]``, and
        so on down to the overall median.
    """

    def __init__(self, by: tuple[str, ...] = ("dataset",)) -> None:
        self.by = by

    def fit(self, frame: pd.DataFrame, y: np.ndarray) -> "MedianBaseline":
        if not self.by:
            raise ValueError("by must name at least one column")
        y = pd.Series(np.asarray(y, dtype=float), index=frame.index)
        keys = self._keys(frame)
        self.medians_ = [y.groupby(keys[list(self.by[:depth])].apply(tuple, axis=1)).median().to_dict() for depth in range(1, len(self.by) + 1)]
        self.overall_ = float(y.median())
        return self

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        keys = self._keys(frame)
        predicted = np.full(len(frame), self.overall_)
        for depth, medians in enumerate(self.medians_, start=1):
            cells = keys[list(self.by[:depth])].apply(tuple, axis=1)
            found = cells.map(medians).to_numpy(dtype=float)
            predicted = np.where(np.isnan(found), predicted, found)
        return predicted

    def _keys(self, frame: pd.DataFrame) -> pd.DataFrame:
        missing = [name for name in self.by if name not in frame.columns]
        if missing:
            raise KeyError(f"median baseline needs the column(s) {missing}")
        return frame[list(self.by)].astype(object).where(frame[list(self.by)].notna(), "unknown")


class EncodedRegressor(BaseEstimator, RegressorMixin):
    """Fit a :class:`FeatureEncoder` and a scikit-learn regressor on configuration rows.

    Parameters
    ----------
    method : {"ridge", "hist_gradient_boosting"}
        ``ridge``: median imputation (with the encoder's missing indicators),
        standardisation and :class:`~sklearn.linear_model.RidgeCV` over
        alphas 1e-3 to 1e3. ``hist_gradient_boosting``: scikit-learn's
        :class:`~sklearn.ensemble.HistGradientBoostingRegressor` with its
        defaults (it handles NaN itself). Both run on one OpenMP thread:
        with two threads on a busy 2-core machine, fitting 600 rows took
        18 s instead of 0.3 s (scikit-learn 1.9).
    min_count : int
        Passed to the encoder.
    random_state : int
    """

    def __init__(self, method: str = "ridge", min_count: int = 20, random_state: int = 0) -> None:
        self.method = method
        self.min_count = min_count
        self.random_state = random_state

    def fit(self, frame: pd.DataFrame, y: np.ndarray) -> "EncodedRegressor":
        if self.method == "ridge":
            model = make_pipeline(
                SimpleImputer(strategy="median", keep_empty_features=True),
                StandardScaler(),
                RidgeCV(alphas=np.logspace(-3, 3, 13)),
            )
        elif self.method == "hist_gradient_boosting":
            model = HistGradientBoostingRegressor(random_state=self.random_state)
        else:
            raise ValueError(f"unknown method {self.method!r}; known: ridge, hist_gradient_boosting")
        self.encoder_ = FeatureEncoder(min_count=self.min_count).fit(frame)
        with threadpool_limits(limits=1, user_api="openmp"):
            self.model_ = model.fit(self.encoder_.transform(frame).to_numpy(), np.asarray(y, dtype=float))
        return self

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        with threadpool_limits(limits=1, user_api="openmp"):
            return self.model_.predict(self.encoder_.transform(frame).to_numpy())


def make_baseline(method: str, min_count: int = 20, random_state: int = 0) -> BaseEstimator:
    """Return an unfitted baseline by its name in :data:`BASELINE_METHODS`."""
    if method == "median_dataset":
        return MedianBaseline(by=("dataset",))
    if method == "median_family":
        return MedianBaseline(by=("dataset", "architecture_family"))
    if method in ("ridge", "hist_gradient_boosting"):
        return EncodedRegressor(method, min_count=min_count, random_state=random_state)
    raise KeyError(f"unknown baseline {method!r}; known: {', '.join(BASELINE_METHODS)}")
