"""Applicability domain: how far a configuration lies from the training rows.

A forest extrapolates flat: far outside its data it returns the value of the
nearest leaf with no sign of doubt. :class:`ApplicabilityDomain` measures the
mean Euclidean distance from a configuration to its ``n_neighbors`` nearest
training rows in the encoded space. Missing numbers are imputed with the
training median and numeric columns standardised. The 0/1 columns stay as
they are, so one mismatched choice adds 1 or sqrt(2) whatever its frequency.
The distance is divided by a threshold calibrated on held-out rows, so a
score above 1.0 means farther than ``quantile`` of the held-out
configurations were from the rows they were not trained on.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> train = rng.normal(size=(500, 3))
>>> domain = ApplicabilityDomain().fit(train)
>>> domain = domain.calibrate(domain.distance(rng.normal(size=(200, 3))))
>>> bool(domain.score(np.array([[0.0, 0.0, 0.0]]))[0] < 1.0), bool(domain.score(np.array([[9.0, 9.0, 9.0]]))[0] > 1.0)
(True, True)
"""

from __future__ import annotations

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.neighbors import NearestNeighbors


class ApplicabilityDomain:
    """Distance to the nearest training rows, scaled by a held-out threshold.

    Parameters
    ----------
    n_neighbors : int, default=5
        Training rows averaged over.
    quantile : float, default=0.99
        Quantile of the held-out distances used as the threshold.

    Attributes
    ----------
    threshold_ : float
        Distance at which :meth:`score` returns 1.0; set by :meth:`calibrate`.
    """

    def __init__(self, n_neighbors: int = 5, quantile: float = 0.99) -> None:
        self.n_neighbors = n_neighbors
        self.quantile = quantile

    def fit(self, X: np.ndarray) -> "ApplicabilityDomain":
        """Index the training rows, an array of shape (n_rows, n_features) with NaN allowed."""
        if self.n_neighbors < 1:
            raise ValueError(f"n_neighbors must be >= 1, got {self.n_neighbors}")
        X = np.asarray(X, dtype=float)
        self.imputer_ = SimpleImputer(strategy="median", keep_empty_features=True).fit(X)
        filled = self.imputer_.transform(X)
        binary = np.all((filled == 0.0) | (filled == 1.0), axis=0)
        self.center_ = np.where(binary, 0.0, filled.mean(axis=0))
        spread = filled.std(axis=0)
        self.scale_ = np.where(binary | (spread == 0.0), 1.0, spread)
        scaled = self._scale(X)
        self.neighbors_ = NearestNeighbors(n_neighbors=min(self.n_neighbors, len(X))).fit(scaled)
        return self

    def distance(self, X: np.ndarray) -> np.ndarray:
        """Return the mean distance of each row to its nearest training rows, shape (n_rows,)."""
        scaled = self._scale(X)
        distances, _ = self.neighbors_.kneighbors(scaled)
        return distances.mean(axis=1)

    def _scale(self, X: np.ndarray) -> np.ndarray:
        return (self.imputer_.transform(np.asarray(X, dtype=float)) - self.center_) / self.scale_

    def calibrate(self, heldout_distances: np.ndarray) -> "ApplicabilityDomain":
        """Set the threshold from distances of held-out rows to the rows they were not trained on."""
        if not 0.0 < self.quantile <= 1.0:
            raise ValueError(f"quantile must be in (0, 1], got {self.quantile!r}")
        distances = np.asarray(heldout_distances, dtype=float)
        if len(distances) == 0:
            raise ValueError("need held-out distances to calibrate the applicability domain")
        self.threshold_ = max(float(np.quantile(distances, self.quantile)), 1e-9)
        return self

    def score(self, X: np.ndarray) -> np.ndarray:
        """Return distance over threshold per row; above 1.0 is outside the domain."""
        if not hasattr(self, "threshold_"):
            raise RuntimeError("the ApplicabilityDomain is not calibrated yet; call calibrate() first")
        return self.distance(X) / self.threshold_
