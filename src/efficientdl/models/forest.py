"""The random-forest Top-1 predictor: grid-searched forest, intervals and domain check.

:func:`tune_forest` picks the forest's hyper-parameters with
:class:`~sklearn.model_selection.GridSearchCV` on grouped folds.
:class:`ForestPredictor` bundles the fitted encoder, forest, interval
calibrator, applicability domain and held-out importance into the object the
registry saves, implementing :class:`efficientdl.models.base.Predictor`.
Fitting the whole bundle is a pipeline stage
(:func:`efficientdl.pipeline.train.train_predictor`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import GridSearchCV

from efficientdl.models.base import PREDICTION_COLUMNS, Prediction
from efficientdl.models.domain import ApplicabilityDomain
from efficientdl.models.encoding import FeatureEncoder, configs_to_frame, is_missing, with_dataset_facts
from efficientdl.models.importance import default_search_components
from efficientdl.models.intervals import SpreadCalibrator
from efficientdl.schema.components import ALL_FIELDS

logger = logging.getLogger(__name__)

#: Hyper-parameter grid searched by default: 16 candidates.
DEFAULT_GRID: dict[str, list[Any]] = {
    "n_estimators": [100, 200],
    "max_depth": [None, 16],
    "min_samples_leaf": [1, 5],
    "max_features": [0.33, 0.67],
}

#: Fields a configuration passed to :meth:`ForestPredictor.predict` may hold.
CONFIG_FIELDS = tuple(name for name in ALL_FIELDS if name != "top1")


def make_forest(params: Mapping[str, Any] | None = None, random_state: int = 0, n_jobs: int | None = -1) -> RandomForestRegressor:
    """Return an unfitted forest with ``params`` (a point of the grid) set."""
    forest = RandomForestRegressor(random_state=random_state, n_jobs=n_jobs)
    return forest.set_params(**dict(params or {}))


def tune_forest(
    X: np.ndarray,
    y: np.ndarray,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    grid: Mapping[str, Sequence[Any]] | None = None,
    *,
    random_state: int = 0,
    n_jobs: int | None = -1,
) -> GridSearchCV:
    """Grid-search the forest on grouped folds by mean absolute error, refitting the best on all rows.

    Parameters
    ----------
    X : array of shape (n_rows, n_features)
        Encoded rows (NaN allowed).
    y : array of shape (n_rows,)
        Top-1, percent.
    folds : list of (train positions, test positions)
        Grouped folds from :func:`efficientdl.models.evaluate.grouped_folds`.
    grid : dict, optional
        Parameter lists; default :data:`DEFAULT_GRID`.
    """
    grid = dict(DEFAULT_GRID if grid is None else grid)
    unknown = set(grid) - set(RandomForestRegressor().get_params())
    if unknown:
        raise ValueError(f"unknown forest parameter(s) in the grid: {sorted(unknown)}")
    search = GridSearchCV(
        make_forest(random_state=random_state, n_jobs=n_jobs),
        {name: list(values) for name, values in grid.items()},
        scoring="neg_mean_absolute_error",
        cv=list(folds),
        refit=True,
        n_jobs=1,
    )
    search.fit(np.asarray(X, dtype=float), np.asarray(y, dtype=float))
    logger.info("grid search: best %s, held-out MAE %.3f", search.best_params_, -search.best_score_)
    return search


def tree_predictions(forest: RandomForestRegressor, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the mean and the standard deviation of the per-tree predictions, each of shape (n_rows,)."""
    X = np.asarray(X, dtype=float)
    per_tree = np.stack([tree.predict(X) for tree in forest.estimators_])
    return per_tree.mean(axis=0), per_tree.std(axis=0)


class ForestPredictor:
    """A fitted random-forest Top-1 predictor with intervals and an applicability-domain check.

    Parameters
    ----------
    encoder : FeatureEncoder
        Fitted on the training rows.
    forest : RandomForestRegressor
        Fitted on the encoded training rows.
    calibrator : SpreadCalibrator
        Fitted on held-out (grouped cross-validation) predictions.
    domain : ApplicabilityDomain
        Fitted on the encoded training rows, calibrated on held-out distances.
    importance_table : DataFrame
        Held-out permutation importance per component (see
        :func:`efficientdl.models.importance.rank_importance`).
    predictor_id : str
        Registry id; set by the registry when saved.
    metadata : dict, optional
        Training facts kept with the artifact (parameters, metrics, data snapshot).
    """

    def __init__(
        self,
        encoder: FeatureEncoder,
        forest: RandomForestRegressor,
        calibrator: SpreadCalibrator,
        domain: ApplicabilityDomain,
        importance_table: pd.DataFrame,
        *,
        predictor_id: str = "",
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.encoder = encoder
        self.forest = forest
        self.calibrator = calibrator
        self.domain = domain
        self.importance_table = importance_table
        self.predictor_id = predictor_id
        self.metadata = dict(metadata or {})

    @property
    def interval_level(self) -> float:
        return self.calibrator.level

    @property
    def components(self) -> list[str]:
        """Fields the predictor reads (the others never change a prediction)."""
        return self.encoder.components_used_

    def predict_frame(self, configs: pd.DataFrame) -> pd.DataFrame:
        """Predict every row of ``configs``; columns :data:`PREDICTION_COLUMNS`, same index.

        Empty data components are filled from the dataset registry first
        (see :func:`~efficientdl.models.encoding.with_dataset_facts`).
        """
        X = self.encoder.transform(with_dataset_facts(configs)).to_numpy(dtype=float)
        mean, std = tree_predictions(self.forest, X)
        low, high = self.calibrator.interval(mean, std)
        frame = pd.DataFrame(
            {
                "predicted_top1": np.clip(mean, 0.0, 100.0),
                "low": low,
                "high": high,
                "std": std,
                "domain_distance": self.domain.score(X),
            },
            index=configs.index,
        )
        return frame[list(PREDICTION_COLUMNS)]

    def predict(self, config: Mapping[str, Any]) -> Prediction:
        """Predict one configuration given as canonical values keyed by field name.

        Raises
        ------
        KeyError
            For a key that is not a component or identity field.
        """
        unknown = [key for key in config if key not in CONFIG_FIELDS]
        if unknown:
            raise KeyError(f"unknown component(s) {', '.join(map(repr, unknown))}; known components: {', '.join(CONFIG_FIELDS)}")

        frame = with_dataset_facts(configs_to_frame(config))
        row = self.predict_frame(frame).iloc[0]
        given = frame.iloc[0]
        missing = [name for name in self.components if is_missing(given.get(name))]
        warnings = []
        if row["domain_distance"] > 1.0:
            warnings.append(
                f"outside the applicability domain: {row['domain_distance']:.1f} times the distance to the training "
                f"configurations that {self.domain.quantile:.0%} of held-out configurations stayed within, "
                "so the prediction is an extrapolation"
            )
        for name, values in self.encoder.unseen_values(config).items():
            warnings.append(f"{name}: {', '.join(map(repr, values))} never seen in training, so it is ignored")
        return Prediction(
            predicted_top1=float(row["predicted_top1"]),
            interval=(float(row["low"]), float(row["high"])),
            missing=missing,
            warnings=warnings,
        )

    def importance(self) -> pd.DataFrame:
        """Return held-out permutation importance per component, most important first."""
        return self.importance_table.copy()

    def default_search_components(self, k: int = 5) -> list[str]:
        """Return the ``k`` most important components a user can change (see :func:`default_search_components`)."""
        return default_search_components(self.importance_table, k)
