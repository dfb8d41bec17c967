"""The search objective: a candidate's predicted Top-1, penalised outside the data's support."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from efficientdl.models.base import Predictor
from efficientdl.search.space import Config, SearchSpace

logger = logging.getLogger(__name__)

#: Top-1 points subtracted per unit of domain distance above 1.0.
DEFAULT_DOMAIN_PENALTY = 10.0


def configs_frame(space: SearchSpace, candidates: Sequence[Config]) -> pd.DataFrame:
    """Return one row per candidate holding its complete configuration (fixed and searched values)."""
    rows = [space.complete(c) for c in candidates]
    return pd.DataFrame.from_records(rows)


class PredictorObjective:
    """Score candidates with a Top-1 predictor, one ``predict_frame`` call per batch.

    The score of a candidate is

    ``target - domain_penalty * max(0, domain_distance - 1)``

    where ``target`` is the predicted mean Top-1 (percent), or the lower
    bound of the prediction interval when ``risk_averse`` is set, and
    ``domain_distance`` is the predictor's distance to its training data
    (above 1.0 means outside the applicability domain). A candidate just
    outside the support thus loses a little, and one far outside loses
    more than any realistic Top-1 gain.

    Parameters
    ----------
    predictor : Predictor
        Fitted predictor.
    space : SearchSpace
        Supplies the fixed values completing each candidate.
    risk_averse : bool
        Maximise the interval's lower bound instead of the mean.
    domain_penalty : float
        Top-1 points subtracted per unit of domain distance above 1.0.

    Attributes
    ----------
    calls : int
        ``predict_frame`` calls made.
    rows : int
        Candidates predicted in total.
    """

    def __init__(
        self,
        predictor: Predictor,
        space: SearchSpace,
        *,
        risk_averse: bool = False,
        domain_penalty: float = DEFAULT_DOMAIN_PENALTY,
    ) -> None:
        if domain_penalty < 0:
            raise ValueError(f"domain_penalty must be >= 0 Top-1 points, got {domain_penalty}")
        self.predictor = predictor
        self.space = space
        self.risk_averse = risk_averse
        self.domain_penalty = float(domain_penalty)
        self.calls = 0
        self.rows = 0

    def predict(self, candidates: Sequence[Config]) -> pd.DataFrame:
        """Return the predictor's frame for ``candidates`` with a ``score`` column added."""
        frame = configs_frame(self.space, candidates)
        predictions = self.predictor.predict_frame(frame)
        self.calls += 1
        self.rows += len(frame)

        target = predictions["low"] if self.risk_averse else predictions["predicted_top1"]
        distance = predictions["domain_distance"].fillna(0.0).to_numpy(dtype=float)
        penalty = self.domain_penalty * np.maximum(0.0, distance - 1.0)
        predictions = predictions.copy()
        predictions["score"] = target.to_numpy(dtype=float) - penalty
        return predictions

    def __call__(self, candidates: Sequence[Config]) -> np.ndarray:
        if not candidates:
            return np.zeros(0)
        return self.predict(candidates)["score"].to_numpy(dtype=float)
