"""Baseline search methods behind the :class:`Searcher` interface, and the method registry.

- ``ei``, ``pi``, ``ucb``: Gaussian-process BO with one classic acquisition, no random steps;
- ``eps-bo-no-eps``: the epsilon-BO acquisition without random steps;
- ``random``: uniform random search with rejection of infeasible candidates;
- ``tpe``: Optuna's tree-structured Parzen estimator (``optuna.samplers.TPESampler``);
- ``exhaustive``: every candidate of a finite space, best first.

Examples
--------
>>> from efficientdl.search.space import SearchSpace, NumberDimension
>>> space = SearchSpace({}, [NumberDimension("epochs", 100, 300, grid=(100, 200, 300))])
>>> make_searcher("exhaustive").search(space, lambda cs: [-abs(c["epochs"] - 200) for c in cs], budget=10).best_config
{'epochs': 200.0}
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import optuna

from efficientdl.search.base import BudgetExhausted, EvaluationLog, Objective, Searcher, SearchResult
from efficientdl.search.eps_bo import EpsilonBO, GPSearcher
from efficientdl.search.sampling import check_feasible, sample_feasible
from efficientdl.search.space import (
    ChoiceDimension,
    Config,
    NumberDimension,
    SearchSpace,
    SearchSpaceError,
    SetDimension,
)

logger = logging.getLogger(__name__)

#: Candidates scored per objective call by the random and exhaustive searches.
CHUNK = 1024

#: Value of an empty set slot in the TPE encoding of a set.
_NO_MEMBER = "(none)"

#: Largest finite space the exhaustive search enumerates.
MAX_EXHAUSTIVE = 2_000_000


class RandomSearch(Searcher):
    """Evaluate uniformly random feasible candidates, ``CHUNK`` per objective call."""

    name = "random"

    def search(
        self, space: SearchSpace, objective: Objective, budget: int, seed: int = 0, *, initial: Sequence[Config] = ()
    ) -> SearchResult:
        rng = np.random.default_rng(seed)
        check_feasible(space, rng)
        log = EvaluationLog(space, objective, budget)
        stale_draws = 0
        try:
            log.evaluate_initial(initial)
            while log.remaining > 0 and stale_draws < 5:
                before = log.evaluations
                log.evaluate(sample_feasible(space, rng, min(CHUNK, log.remaining)))
                stale_draws = stale_draws + 1 if log.evaluations == before else 0
        except BudgetExhausted:
            pass
        return log.result(self.name)


class ExhaustiveSearch(Searcher):
    """Evaluate every feasible candidate of a finite space; the budget is ignored.

    Parameters
    ----------
    grid : dict, optional
        Component name to the values to enumerate, replacing a number's
        range or grid (required for continuous numbers).
    """

    name = "exhaustive"

    def __init__(self, grid: Mapping[str, Sequence[float]] | None = None) -> None:
        self.grid = dict(grid or {})

    def gridded(self, space: SearchSpace) -> SearchSpace:
        """Return ``space`` with the ``grid`` overrides applied to its numbers."""
        dimensions = []
        for dim in space.dimensions:
            if dim.name in self.grid:
                if not isinstance(dim, NumberDimension):
                    raise SearchSpaceError(f"grid given for {dim.name!r}, which is not a number")
                values = tuple(float(v) for v in self.grid[dim.name])
                dim = NumberDimension(dim.name, min(values), max(values), dim.log_scale, dim.integer, values)
            dimensions.append(dim)
        unknown = sorted(set(self.grid) - set(space.names))
        if unknown:
            raise SearchSpaceError(f"grid given for {unknown[0]!r}, which is not searched; searched: {', '.join(space.names)}")
        return SearchSpace(space.fixed, dimensions, space.constraints)

    def search(
        self, space: SearchSpace, objective: Objective, budget: int | None = None, seed: int = 0, *, initial: Sequence[Config] = ()
    ) -> SearchResult:
        space = self.gridded(space)
        size = space.size
        if size is None:
            continuous = [d.name for d in space.dimensions if not d.is_finite]
            raise SearchSpaceError(
                f"exhaustive search needs a finite space, but {', '.join(continuous)} is continuous; "
                f"give it a grid, e.g. --grid {continuous[0]}=1,2,3"
            )
        if size > MAX_EXHAUSTIVE:
            raise SearchSpaceError(f"the space has {size:,} candidates, more than the {MAX_EXHAUSTIVE:,} exhaustive search enumerates")

        check_feasible(space, np.random.default_rng(seed))
        log = EvaluationLog(space, objective, size)
        chunk: list[Config] = []
        for candidate in space.enumerate():
            if not space.is_feasible(candidate):
                continue
            chunk.append(candidate)
            if len(chunk) == CHUNK:
                log.evaluate(chunk)
                chunk = []
        if chunk:
            log.evaluate(chunk)
        return log.result(self.name, space_size=size)


class TPESearch(Searcher):
    """Optuna's TPE sampler driven through its ask-and-tell interface.

    Numbers map to ``suggest_float`` (log scale where the component is), to
    ``suggest_int`` for counts, or to ``suggest_categorical`` over a grid;
    choices to ``suggest_categorical``; a set to ``max_size`` slots, each
    holding one member or none (repeated members count once). Candidates that break a constraint (or a set size limit)
    cost no evaluation: they are told to Optuna as infeasible
    (``Trial.set_constraint``) with the worst score seen so far.

    Parameters
    ----------
    n_startup_trials : int
        Random trials before TPE models the scores.
    max_asks_factor : int
        The search stops after ``max_asks_factor * budget`` asks even if
        the budget is not spent (spaces where most candidates are infeasible).
    """

    name = "tpe"

    def __init__(self, n_startup_trials: int = 10, max_asks_factor: int = 20) -> None:
        self.n_startup_trials = n_startup_trials
        self.max_asks_factor = max_asks_factor

    def search(
        self, space: SearchSpace, objective: Objective, budget: int, seed: int = 0, *, initial: Sequence[Config] = ()
    ) -> SearchResult:
        check_feasible(space, np.random.default_rng(seed))
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=self.n_startup_trials)
        study = optuna.create_study(direction="maximize", sampler=sampler)
        log = EvaluationLog(space, objective, budget)
        for candidate in initial:
            if space.contains(candidate) and space.is_feasible(candidate):
                study.enqueue_trial(self._params(space, candidate), skip_if_exists=True)

        for _ in range(self.max_asks_factor * budget):
            if log.remaining <= 0:
                break
            trial = study.ask()
            candidate = self._suggest(space, trial)
            if candidate is None or not space.is_feasible(candidate):
                trial.set_constraint("violation", 1.0)
                worst = min((e.score for e in log.history), default=0.0)
                study.tell(trial, worst)
                continue
            trial.set_constraint("violation", 0.0)
            study.tell(trial, float(log.evaluate([candidate])[0]))
        return log.result(self.name, asks=len(study.trials))

    @staticmethod
    def _params(space: SearchSpace, candidate: Config) -> dict[str, Any]:
        """Return the Optuna parameters that make :meth:`_suggest` return ``candidate``."""
        params: dict[str, Any] = {}
        for dim in space.dimensions:
            value = candidate[dim.name]
            if isinstance(dim, SetDimension):
                members = sorted(set(value))
                for i in range(dim.max_size):
                    params[f"{dim.name}#{i}"] = members[i] if i < len(members) else _NO_MEMBER
            elif isinstance(dim, NumberDimension) and dim.grid is None and dim.integer and dim.high - dim.low >= 1:
                params[dim.name] = int(value)
            else:
                params[dim.name] = value
        return params

    @staticmethod
    def _suggest(space: SearchSpace, trial: optuna.trial.Trial) -> Config | None:
        candidate: Config = {}
        for dim in space.dimensions:
            if isinstance(dim, NumberDimension):
                if dim.grid is not None:
                    candidate[dim.name] = float(trial.suggest_categorical(dim.name, list(dim.grid)))
                elif dim.integer and dim.high - dim.low >= 1:
                    value = trial.suggest_int(dim.name, int(np.ceil(dim.low)), int(np.floor(dim.high)), log=dim.log_scale)
                    candidate[dim.name] = float(value)
                else:
                    candidate[dim.name] = dim.snap(trial.suggest_float(dim.name, dim.low, dim.high, log=dim.log_scale))
            elif isinstance(dim, ChoiceDimension):
                candidate[dim.name] = trial.suggest_categorical(dim.name, list(dim.choices))
            else:
                slots = [trial.suggest_categorical(f"{dim.name}#{i}", [_NO_MEMBER, *dim.members]) for i in range(dim.max_size)]
                members = sorted({m for m in slots if m != _NO_MEMBER})
                if len(members) < dim.min_size:
                    return None
                candidate[dim.name] = members
        return candidate


#: Method names accepted by :func:`make_searcher`, in the CLI's order.
METHODS = ("eps-bo", "ei", "pi", "ucb", "random", "tpe", "exhaustive", "eps-bo-no-eps")


def make_searcher(method: str, *, grid: Mapping[str, Sequence[float]] | None = None, **options: Any) -> Searcher:
    """Return the searcher called ``method``.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`.
    grid : dict, optional
        Per-component values for the exhaustive search.
    **options
        Passed to :class:`GPSearcher` for the GP-based methods
        (``alpha``, ``beta``, ``eps0``, ``q``, ``patience``, ...).

    Raises
    ------
    ValueError
        Naming the known methods, when ``method`` is not one of them.
    """
    if method == "eps-bo":
        return EpsilonBO(**options)
    if method == "eps-bo-no-eps":
        return GPSearcher("eps-bo", **{**options, "eps0": 0.0, "name": "eps-bo-no-eps"})
    if method in ("ei", "pi", "ucb"):
        return GPSearcher(method, **{**options, "eps0": 0.0, "name": method})
    if method == "random":
        return RandomSearch()
    if method == "tpe":
        return TPESearch()
    if method == "exhaustive":
        return ExhaustiveSearch(grid)
    raise ValueError(f"unknown search method {method!r}; known: {', '.join(METHODS)}")
