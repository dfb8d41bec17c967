"""The contract between a trained Top-1 predictor and the stages that use it.

The recommender, the verifier and the CLI only rely on :class:`Predictor`;
the random-forest implementation lives in :mod:`efficientdl.models.forest`
and is loaded from the registry in :mod:`efficientdl.models.registry`.

A configuration is a ``dict`` (or one row of a DataFrame) keyed by component
and identity-field names (:mod:`efficientdl.schema.components`) holding
canonical values: floats for numbers, strings for choices, lists of strings
for sets. Any key may be missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import pandas as pd

#: Columns of the frame returned by :meth:`Predictor.predict_frame`.
PREDICTION_COLUMNS = ("predicted_top1", "low", "high", "std", "domain_distance")


@dataclass
class Prediction:
    """One configuration's predicted Top-1 (percent) with its interval.

    ``interval`` is the central prediction interval at the predictor's
    ``interval_level`` (0.8 means the 10th to 90th percentile);
    ``missing`` lists the components the configuration did not give;
    ``warnings`` holds the applicability-domain warning when the
    configuration is far from the training data.
    """

    predicted_top1: float
    interval: tuple[float, float]
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "predicted_top1": self.predicted_top1,
            "interval": list(self.interval),
            "missing": self.missing,
            "warnings": self.warnings,
        }


@runtime_checkable
class Predictor(Protocol):
    """A fitted Top-1 predictor.

    Attributes
    ----------
    predictor_id : str
        Registry id (row of ``predictors``).
    interval_level : float
        Nominal coverage of the intervals, in (0, 1).
    """

    predictor_id: str
    interval_level: float

    def predict_frame(self, configs: pd.DataFrame) -> pd.DataFrame:
        """Predict every row of ``configs``.

        Returns a frame with the same index and the columns of
        :data:`PREDICTION_COLUMNS`: the mean prediction, the interval
        bounds, the spread (standard deviation across trees or an
        equivalent) and a distance to the training data where values above
        1.0 mean outside the applicability domain.
        """
        ...

    def predict(self, config: dict[str, Any]) -> Prediction:
        """Predict one configuration, listing its missing fields and any warnings."""
        ...

    def importance(self) -> pd.DataFrame:
        """Return permutation importance per component, ranked: columns
        ``component``, ``importance``, ``std``, ``rank`` (1 = most important)."""
        ...
