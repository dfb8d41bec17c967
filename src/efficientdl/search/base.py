"""The interface every search method implements, and the record of a search.

A searcher maximises an objective over a :class:`SearchSpace` within a
budget of objective evaluations. The objective takes a batch of candidates
(searched values only) and returns one score per candidate, higher being
better; :class:`efficientdl.search.objective.PredictorObjective` scores
them with a Top-1 predictor.

Examples
--------
>>> from efficientdl.search.space import SearchSpace, ChoiceDimension
>>> space = SearchSpace({}, [ChoiceDimension("optimizer", ("SGD", "AdamW"))])
>>> log = EvaluationLog(space, lambda cs: [1.0 if c["optimizer"] == "AdamW" else 0.0 for c in cs], budget=5)
>>> log.evaluate([{"optimizer": "SGD"}, {"optimizer": "AdamW"}, {"optimizer": "SGD"}]).tolist()
[0.0, 1.0, 0.0]
>>> log.result("demo").best_config, log.evaluations
({'optimizer': 'AdamW'}, 2)
"""

from __future__ import annotations

import abc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from efficientdl.search.space import Config, SearchSpace

#: Scores a batch of candidates; higher is better.
Objective = Callable[[Sequence[Config]], Sequence[float]]


@dataclass(frozen=True)
class Evaluation:
    """One evaluated candidate: its searched values, score and evaluation number (0-based)."""

    index: int
    config: Config
    score: float


@dataclass
class SearchResult:
    """Record of a search: the evaluated candidates in order, and the time taken.

    Attributes
    ----------
    method : str
        Searcher name.
    history : list of Evaluation
        Every distinct candidate evaluated, in evaluation order.
    seconds : float
        Wall-clock time of the search.
    info : dict
        Method-specific facts (random steps taken, stop reason, ...).
    """

    method: str
    history: list[Evaluation]
    seconds: float
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def evaluations(self) -> int:
        return len(self.history)

    @property
    def best(self) -> Evaluation:
        if not self.history:
            raise ValueError(f"{self.method} evaluated no candidate")
        return max(self.history, key=lambda e: (e.score, -e.index))

    @property
    def best_config(self) -> Config:
        return self.best.config

    @property
    def best_score(self) -> float:
        return self.best.score

    def best_so_far(self) -> np.ndarray:
        """Return the best score after each evaluation, shape ``(evaluations,)``."""
        return np.maximum.accumulate(np.array([e.score for e in self.history], dtype=float))

    def top(self, k: int) -> list[Evaluation]:
        """Return the ``k`` best evaluations, best first (ties by evaluation order)."""
        return sorted(self.history, key=lambda e: (-e.score, e.index))[:k]


class BudgetExhausted(Exception):
    """Raised inside a search when the evaluation budget is spent."""


class EvaluationLog:
    """Evaluate candidates once each, within a budget, and record them.

    Repeated candidates get their logged score without spending budget,
    so a searcher may propose a point twice. A batch larger than the
    remaining budget is cut to fit.

    Parameters
    ----------
    space : SearchSpace
        Gives each candidate its identity (:meth:`SearchSpace.key`).
    objective : callable
        Scores a list of candidates.
    budget : int
        Distinct candidates that may be evaluated.
    """

    def __init__(self, space: SearchSpace, objective: Objective, budget: int) -> None:
        if budget < 1:
            raise ValueError(f"budget must be at least 1 evaluation, got {budget}")
        self.space = space
        self.objective = objective
        self.budget = int(budget)
        self.history: list[Evaluation] = []
        self._scores: dict[tuple, float] = {}
        self._started = time.perf_counter()

    @property
    def evaluations(self) -> int:
        return len(self.history)

    @property
    def remaining(self) -> int:
        return self.budget - len(self.history)

    def seen(self, candidate: Config) -> bool:
        return self.space.key(candidate) in self._scores

    @property
    def best_score(self) -> float:
        return max(self._scores.values()) if self._scores else -np.inf

    def evaluate(self, candidates: Sequence[Config]) -> np.ndarray:
        """Return the scores of ``candidates``, evaluating only the new ones in one objective call.

        Raises
        ------
        BudgetExhausted
            When the budget was already spent before this call.
        """
        keys = [self.space.key(c) for c in candidates]
        new: dict[tuple, Config] = {}
        for key, candidate in zip(keys, candidates):
            if key not in self._scores and key not in new:
                new[key] = candidate
        if new and self.remaining <= 0:
            raise BudgetExhausted()

        fresh = list(new.items())[: self.remaining]
        if fresh:
            scores = np.asarray(self.objective([c for _, c in fresh]), dtype=float)
            for (key, candidate), score in zip(fresh, scores):
                self._scores[key] = float(score)
                self.history.append(Evaluation(len(self.history), dict(candidate), float(score)))
        return np.array([self._scores.get(key, np.nan) for key in keys])

    def evaluate_initial(self, initial: Sequence[Config]) -> None:
        """Evaluate the candidates of ``initial`` that lie in the space and meet the constraints."""
        valid = [c for c in initial if self.space.contains(c) and self.space.is_feasible(c)]
        if valid:
            self.evaluate(valid[: self.remaining])

    def result(self, method: str, **info: Any) -> SearchResult:
        """Return the record of the search so far."""
        return SearchResult(method, list(self.history), time.perf_counter() - self._started, dict(info))


class Searcher(abc.ABC):
    """A method that maximises an objective over a search space."""

    #: Name used by the CLI, the benchmark and the ``recommendations`` table.
    name: str = "searcher"

    @abc.abstractmethod
    def search(
        self, space: SearchSpace, objective: Objective, budget: int, seed: int = 0, *, initial: Sequence[Config] = ()
    ) -> SearchResult:
        """Maximise ``objective`` over ``space`` with at most ``budget`` evaluations.

        Parameters
        ----------
        space : SearchSpace
            Dimensions, fixed values and constraints; every evaluated
            candidate meets the constraints.
        objective : callable
            Scores a list of candidates (searched values only); higher is better.
        budget : int
            Maximum number of distinct candidates evaluated.
        seed : int
            Seed of the search's :class:`numpy.random.Generator`; the same
            seed repeats the same search.
        initial : sequence of dict
            Candidates evaluated first (for example the user's baseline),
            counted in the budget; those outside the space or breaking a
            constraint are skipped. The exhaustive search ignores them.
        """
