"""Bayesian optimisation with a Gaussian-process surrogate, and its epsilon-greedy variant (epsilon-BO).

Each iteration fits a Gaussian process (Matern 5/2 kernel with one length
scale per encoded coordinate, plus a white-noise kernel, ``normalize_y``)
to the candidates evaluated so far, scores a pool of unseen candidates with
an acquisition function and evaluates the ``q`` best of them in one
objective call. The pool holds uniform random samples and mutations of the
best candidates found (a number nudged on its scale, a set member added,
removed or swapped, a choice switched), all meeting the constraints.

epsilon-BO uses the acquisition ``alpha * EI + PI + beta * sigma**2`` and,
for each of the ``q`` slots of an iteration, evaluates a uniformly random
pool candidate instead of the acquisition's pick with probability

``eps_t = eps0 / (1 + n_random_steps)``

where ``n_random_steps`` counts the random picks made so far. Until the
first random pick each slot is random with probability ``eps0``, after it
with ``eps0 / 2``, and so on, so exploration fades as random steps
accumulate rather than with time alone. The search starts from the
``initial`` candidates given to :meth:`GPSearcher.search` and
``n_initial`` uniform random ones, and stops at the budget, when no unseen
candidate is left, or after ``patience`` evaluations without improvement.

Examples
--------
>>> from efficientdl.search.space import SearchSpace, NumberDimension
>>> space = SearchSpace({}, [NumberDimension("x", 0.0, 1.0)])
>>> result = EpsilonBO(n_initial=5, q=5).search(space, lambda cs: [-(c["x"] - 0.3) ** 2 for c in cs], budget=30, seed=0)
>>> abs(result.best_config["x"] - 0.3) < 0.05
True
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

from efficientdl.search.acquisition import (
    ACQUISITIONS,
    eps_bo_acquisition,
    expected_improvement,
    probability_of_improvement,
    upper_confidence_bound,
)
from efficientdl.search.base import BudgetExhausted, EvaluationLog, Objective, Searcher, SearchResult
from efficientdl.search.sampling import check_feasible, mutate, sample_feasible
from efficientdl.search.space import Config, InfeasibleSpaceError, SearchSpace
from efficientdl.search.transform import SpaceTransform

logger = logging.getLogger(__name__)


def epsilon_at(eps0: float, n_random_steps: int) -> float:
    """Return the probability of a random step after ``n_random_steps`` random steps.

    >>> [round(epsilon_at(0.3, n), 3) for n in range(3)]
    [0.3, 0.15, 0.1]
    """
    return eps0 / (1.0 + n_random_steps)


def _make_gp(n_features: int, seed: int) -> GaussianProcessRegressor:
    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(
        length_scale=np.full(n_features, 0.5), length_scale_bounds=(1e-2, 1e2), nu=2.5
    ) + WhiteKernel(noise_level=1e-2, noise_level_bounds=(1e-6, 1.0))
    return GaussianProcessRegressor(kernel=kernel, normalize_y=True, n_restarts_optimizer=0, random_state=seed)


class GPSearcher(Searcher):
    """Gaussian-process Bayesian optimisation over a candidate pool.

    Parameters
    ----------
    acquisition : {"eps-bo", "ei", "pi", "ucb"}
        Acquisition function maximised over the pool.
    alpha, beta : float
        Weights of EI and of the posterior variance in the epsilon-BO acquisition.
    eps0 : float
        Initial probability of a random step; 0 disables random steps.
    kappa : float
        UCB exploration weight.
    xi : float
        Improvement margin of EI and PI, in standardised units.
    n_initial : int
        Uniform random candidates evaluated before the first fit.
    q : int
        Candidates evaluated per iteration (one objective call).
    n_random_candidates : int
        Uniform random candidates in each iteration's pool.
    n_parents, n_mutations : int
        Mutations of each of the ``n_parents`` best candidates added to the pool.
    refit_every : int
        Optimise the kernel hyperparameters (marginal likelihood) on every
        ``refit_every``-th iteration; in between the GP is conditioned on all
        evaluations with the last hyperparameters, which is much cheaper.
    patience : int, optional
        Stop after this many evaluations without improving the best score
        by more than ``tolerance``; None runs to the budget.
    tolerance : float
        Smallest gain counted as an improvement, in objective units.
    name : str, optional
        Name reported in results; defaults to the acquisition's name.
    """

    def __init__(
        self,
        acquisition: str = "eps-bo",
        *,
        alpha: float = 1.0,
        beta: float = 0.1,
        eps0: float = 0.3,
        kappa: float = 2.0,
        xi: float = 0.0,
        n_initial: int = 10,
        q: int = 4,
        n_random_candidates: int = 300,
        n_parents: int = 5,
        n_mutations: int = 20,
        refit_every: int = 3,
        patience: int | None = None,
        tolerance: float = 1e-6,
        name: str | None = None,
    ) -> None:
        self.acquisition = acquisition
        self.alpha = alpha
        self.beta = beta
        self.eps0 = eps0
        self.kappa = kappa
        self.xi = xi
        self.n_initial = n_initial
        self.q = q
        self.n_random_candidates = n_random_candidates
        self.n_parents = n_parents
        self.n_mutations = n_mutations
        self.refit_every = refit_every
        self.patience = patience
        self.tolerance = tolerance
        self.name = name or acquisition

    def _validate(self) -> None:
        if self.acquisition not in ACQUISITIONS:
            raise ValueError(f"unknown acquisition {self.acquisition!r}; known: {', '.join(ACQUISITIONS)}")
        if not 0.0 <= self.eps0 <= 1.0:
            raise ValueError(f"eps0 must be in [0, 1], got {self.eps0}")
        for label, value in (("n_initial", self.n_initial), ("q", self.q), ("n_random_candidates", self.n_random_candidates), ("refit_every", self.refit_every)):
            if value < 1:
                raise ValueError(f"{label} must be at least 1, got {value}")
        if self.alpha < 0 or self.beta < 0:
            raise ValueError(f"alpha and beta must be >= 0, got alpha={self.alpha}, beta={self.beta}")
        if self.patience is not None and self.patience < 1:
            raise ValueError(f"patience must be at least 1 evaluation or None, got {self.patience}")

    def search(
        self, space: SearchSpace, objective: Objective, budget: int, seed: int = 0, *, initial: Sequence[Config] = ()
    ) -> SearchResult:
        self._validate()
        rng = np.random.default_rng(seed)
        check_feasible(space, rng)
        log = EvaluationLog(space, objective, budget)
        transform = SpaceTransform(space)
        state = {"random_steps": 0, "iterations": 0, "stop": "budget"}

        try:
            log.evaluate_initial(initial)
            log.evaluate(sample_feasible(space, rng, min(self.n_initial, log.remaining)))
            self._loop(space, log, transform, rng, state)
        except BudgetExhausted:
            state["stop"] = "budget"
        return log.result(self.name, **state)

    def _loop(self, space: SearchSpace, log: EvaluationLog, transform: SpaceTransform, rng: np.random.Generator, state: dict) -> None:
        kernel = None
        best, stale = log.best_score, 0

        while log.remaining > 0:
            random_pool, mutation_pool = self._pool(space, log, rng)
            pool = random_pool + mutation_pool
            if not pool:
                state["stop"] = "no unseen candidate left"
                return

            gp = _make_gp(transform.n_features, int(rng.integers(2**31 - 1)))
            if kernel is not None:
                gp.kernel = kernel
                if state["iterations"] % self.refit_every:
                    gp.optimizer = None
            X = transform.encode_many([e.config for e in log.history])
            y = np.array([e.score for e in log.history])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                gp.fit(X, y)
            kernel = gp.kernel_

            scores = self._acquire(gp, transform.encode_many(pool), y)
            batch = self._pick(pool, len(random_pool), scores, min(self.q, log.remaining), rng, state)
            log.evaluate(batch)
            state["iterations"] += 1

            if log.best_score > best + self.tolerance:
                best, stale = log.best_score, 0
            else:
                stale += len(batch)
            if self.patience is not None and stale >= self.patience:
                state["stop"] = f"no improvement in {stale} evaluations"
                return

    def _pool(self, space: SearchSpace, log: EvaluationLog, rng: np.random.Generator) -> tuple[list[Config], list[Config]]:
        """Return unseen, feasible, distinct random candidates and mutations of the best ones."""
        keys: set[tuple] = set()

        def fresh(candidates: list[Config]) -> list[Config]:
            kept = []
            for candidate in candidates:
                key = space.key(candidate)
                if key in keys or log.seen(candidate) or not space.is_feasible(candidate):
                    continue
                keys.add(key)
                kept.append(candidate)
            return kept

        try:
            random_pool = fresh(sample_feasible(space, rng, self.n_random_candidates, max_tries=3 * self.n_random_candidates))
        except InfeasibleSpaceError:
            random_pool = []
        parents = sorted(log.history, key=lambda e: (-e.score, e.index))[: self.n_parents]
        mutants = []
        for parent in parents:
            for _ in range(self.n_mutations):
                child = mutate(space, parent.config, rng)
                if rng.random() < 0.3:
                    child = mutate(space, child, rng)
                mutants.append(child)
        return random_pool, fresh(mutants)

    def _acquire(self, gp: GaussianProcessRegressor, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        mu, sigma = gp.predict(X, return_std=True)
        scale = float(np.std(y)) or 1.0
        mu_n, sigma_n, best_n = (mu - y.mean()) / scale, sigma / scale, (y.max() - y.mean()) / scale

        if self.acquisition == "ei":
            return expected_improvement(mu_n, sigma_n, best_n, self.xi)
        if self.acquisition == "pi":
            return probability_of_improvement(mu_n, sigma_n, best_n, self.xi)
        if self.acquisition == "ucb":
            return upper_confidence_bound(mu_n, sigma_n, self.kappa)
        return eps_bo_acquisition(mu_n, sigma_n, best_n, alpha=self.alpha, beta=self.beta, xi=self.xi)

    def _pick(self, pool: list[Config], n_random: int, scores: np.ndarray, q: int, rng: np.random.Generator, state: dict) -> list[Config]:
        """Choose ``q`` distinct pool members: the acquisition's best, or a random one with probability eps_t."""
        ranked = list(np.argsort(-scores, kind="stable"))
        taken: set[int] = set()
        batch: list[Config] = []

        for _ in range(min(q, len(pool))):
            explore = rng.random() < epsilon_at(self.eps0, state["random_steps"])
            open_random = [i for i in range(n_random) if i not in taken]
            if explore and open_random:
                index = open_random[int(rng.integers(len(open_random)))]
                state["random_steps"] += 1
            else:
                index = next(i for i in ranked if i not in taken)
            taken.add(index)
            batch.append(pool[index])
        return batch


class EpsilonBO(GPSearcher):
    """epsilon-BO: the ``alpha * EI + PI + beta * sigma**2`` acquisition with decaying random steps.

    See the module docstring for the epsilon rule; parameters as in :class:`GPSearcher`.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("name", "eps-bo")
        super().__init__("eps-bo", **kwargs)
