"""Acquisition functions scoring candidates from a Gaussian-process posterior (maximised).

All functions take the posterior mean ``mu`` and standard deviation
``sigma`` of each candidate and the best observed score ``best``. These are
in standardised units (divided by the standard deviation of the observed
scores), so expected improvement, probability of improvement and the
posterior variance have comparable scales whatever the objective's unit.

Examples
--------
>>> import numpy as np
>>> mu, sigma = np.array([0.0, 1.0]), np.array([1.0, 1.0])
>>> probability_of_improvement(mu, sigma, best=0.0).round(3).tolist()
[0.5, 0.841]
>>> expected_improvement(mu, sigma, best=0.0).round(3).tolist()
[0.399, 1.083]
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

_MIN_SIGMA = 1e-9


def expected_improvement(mu: np.ndarray, sigma: np.ndarray, best: float, xi: float = 0.0) -> np.ndarray:
    """Return EI = (mu - best - xi) Phi(z) + sigma phi(z), with z = (mu - best - xi) / sigma."""
    sigma = np.maximum(sigma, _MIN_SIGMA)
    gain = mu - best - xi
    z = gain / sigma
    return gain * norm.cdf(z) + sigma * norm.pdf(z)


def probability_of_improvement(mu: np.ndarray, sigma: np.ndarray, best: float, xi: float = 0.0) -> np.ndarray:
    """Return PI = Phi((mu - best - xi) / sigma)."""
    sigma = np.maximum(sigma, _MIN_SIGMA)
    return norm.cdf((mu - best - xi) / sigma)


def upper_confidence_bound(mu: np.ndarray, sigma: np.ndarray, kappa: float = 2.0) -> np.ndarray:
    """Return UCB = mu + kappa sigma."""
    return mu + kappa * sigma


def eps_bo_acquisition(
    mu: np.ndarray, sigma: np.ndarray, best: float, *, alpha: float = 1.0, beta: float = 0.1, xi: float = 0.0
) -> np.ndarray:
    """Return the epsilon-BO acquisition ``alpha * EI + PI + beta * sigma**2``.

    EI rewards the expected gain, PI the chance of any gain, and the
    posterior variance ``sigma**2`` rewards exploring where the surrogate is
    unsure.
    """
    return (
        alpha * expected_improvement(mu, sigma, best, xi)
        + probability_of_improvement(mu, sigma, best, xi)
        + beta * sigma**2
    )


#: Acquisition names accepted by :class:`efficientdl.search.eps_bo.GPSearcher`.
ACQUISITIONS = ("eps-bo", "ei", "pi", "ucb")
