"""Search methods on synthetic objectives: optimum, repeatability, constraints, epsilon rule."""

from __future__ import annotations

import math

import numpy as np
import pytest

from efficientdl.search.base import EvaluationLog
from efficientdl.search.baselines import METHODS, ExhaustiveSearch, make_searcher
from efficientdl.search.eps_bo import EpsilonBO, GPSearcher, epsilon_at
from efficientdl.search.constraints import forbidden, max_value
from efficientdl.search.space import (
    ChoiceDimension,
    NumberDimension,
    SearchSpace,
    SearchSpaceError,
    SetDimension,
)

FAST = {"n_initial": 6, "q": 4, "n_random_candidates": 80, "n_mutations": 8}
SEARCH_METHODS = [m for m in METHODS if m != "exhaustive"]


def finite_space(constraints=()):
    return SearchSpace(
        {"dataset": "ImageNet-1k"},
        [
            NumberDimension("epochs", 50, 600, log_scale=True, grid=tuple(range(50, 601, 50))),
            NumberDimension("batch_size", 128, 4096, log_scale=True, integer=True, grid=(128, 256, 512, 1024, 2048, 4096)),
            ChoiceDimension("optimizer", ("SGD", "AdamW", "LAMB")),
            SetDimension("data_augmentation", ("flip", "mixup", "CutMix", "color jitter"), max_size=3),
        ],
        list(constraints),
    )


def score(c: dict) -> float:
    value = 80.0 - 3.0 * math.log(c["epochs"] / 300.0) ** 2 - 0.2 * (math.log2(c["batch_size"]) - 10) ** 2
    value += {"SGD": 0.0, "AdamW": 1.0, "LAMB": 0.5}[c["optimizer"]]
    augs = set(c["data_augmentation"])
    return value + 0.6 * ("mixup" in augs) + 0.4 * ("CutMix" in augs) - 0.3 * ("color jitter" in augs)


def objective(candidates):
    return [score(c) for c in candidates]


def brute_force_best(space):
    return max(score(c) for c in space.enumerate() if space.is_feasible(c))


def test_exhaustive_true_optimum():
    space = finite_space()
    result = make_searcher("exhaustive").search(space, objective, budget=1)
    assert result.best_score == pytest.approx(brute_force_best(space))


def test_exhaustive_counts_feasible():
    space = finite_space([max_value("batch_size", 1024)])
    result = make_searcher("exhaustive").search(space, objective, budget=1)
    assert result.evaluations == sum(1 for c in space.enumerate() if space.is_feasible(c))


def test_exhaustive_rejects_continuous():
    space = SearchSpace({}, [NumberDimension("learning_rate", 1e-4, 1.0, log_scale=True)])
    with pytest.raises(SearchSpaceError, match="learning_rate"):
        ExhaustiveSearch().search(space, lambda cs: [0.0] * len(cs))


def test_exhaustive_grid_override():
    space = SearchSpace({}, [NumberDimension("learning_rate", 1e-4, 1.0, log_scale=True)])
    result = ExhaustiveSearch({"learning_rate": [0.001, 0.01, 0.1]}).search(space, lambda cs: [-abs(math.log10(c["learning_rate"]) + 2) for c in cs])
    assert result.best_config["learning_rate"] == pytest.approx(0.01)


def test_eps_bo_near_optimum():
    space = finite_space()
    result = EpsilonBO(**FAST).search(space, objective, budget=80, seed=0)
    assert brute_force_best(space) - result.best_score <= 0.1


def test_eps_bo_continuous_near_optimum():
    space = SearchSpace({}, [NumberDimension("learning_rate", 1e-4, 1.0, log_scale=True), NumberDimension("epochs", 10, 1000, log_scale=True)])

    def bowl(cs):
        return [-(math.log10(c["learning_rate"]) + 2) ** 2 - (math.log10(c["epochs"]) - 2.5) ** 2 for c in cs]

    result = EpsilonBO(**FAST).search(space, bowl, budget=60, seed=0)
    assert result.best_score >= -0.01


@pytest.mark.parametrize("method", SEARCH_METHODS)
def test_same_seed_same_history(method):
    space = finite_space()
    first = make_searcher(method, **({} if method in ("random", "tpe") else FAST)).search(space, objective, 24, seed=3)
    second = make_searcher(method, **({} if method in ("random", "tpe") else FAST)).search(space, objective, 24, seed=3)
    assert [e.config for e in first.history] == [e.config for e in second.history]


@pytest.mark.parametrize("method", METHODS)
def test_constraints_hold_for_every_evaluation(method):
    rules = [max_value("batch_size", 1024), forbidden({"optimizer": "AdamW", "data_augmentation": "mixup"})]
    space = finite_space(rules)
    seen = []

    def recording(candidates):
        seen.extend(candidates)
        return objective(candidates)

    options = {} if method in ("random", "tpe", "exhaustive") else FAST
    make_searcher(method, **options).search(space, recording, 30, seed=0)
    broken = [c for c in seen if not space.is_feasible(c)]
    assert broken == []


@pytest.mark.parametrize("method", SEARCH_METHODS)
def test_budget_respected(method):
    options = {} if method in ("random", "tpe") else FAST
    result = make_searcher(method, **options).search(finite_space(), objective, 17, seed=0)
    assert result.evaluations <= 17


def test_epsilon_decay_rule():
    assert [epsilon_at(0.4, n) for n in range(4)] == pytest.approx([0.4, 0.2, 0.4 / 3, 0.1])


def test_epsilon_zero_takes_no_random_step():
    result = GPSearcher("eps-bo", eps0=0.0, **FAST).search(finite_space(), objective, 40, seed=0)
    assert result.info["random_steps"] == 0


def test_epsilon_one_first_step_random():
    result = GPSearcher("eps-bo", eps0=1.0, **{**FAST, "q": 1}).search(finite_space(), objective, FAST["n_initial"] + 1, seed=0)
    assert result.info["random_steps"] == 1


def test_random_steps_decay():
    result = GPSearcher("eps-bo", eps0=1.0, **FAST).search(finite_space(), objective, 100, seed=0)
    steps = (100 - FAST["n_initial"])
    assert result.info["random_steps"] < steps / 4


def test_patience_stops_early():
    flat = GPSearcher("eps-bo", patience=12, **FAST).search(finite_space(), lambda cs: [1.0] * len(cs), 200, seed=0)
    assert flat.evaluations < 40


def test_log_repeats_cost_nothing():
    space = finite_space()
    log = EvaluationLog(space, objective, budget=3)
    candidate = next(space.enumerate())
    log.evaluate([candidate, candidate])
    log.evaluate([candidate])
    assert log.evaluations == 1


def test_best_so_far_monotone():
    result = make_searcher("random").search(finite_space(), objective, 50, seed=0)
    assert np.all(np.diff(result.best_so_far()) >= 0)


@pytest.mark.parametrize("method", SEARCH_METHODS)
def test_initial_evaluated_first(method):
    start = {"epochs": 100.0, "batch_size": 128.0, "optimizer": "SGD", "data_augmentation": ["flip"]}
    options = {} if method in ("random", "tpe") else FAST
    result = make_searcher(method, **options).search(finite_space(), objective, 12, seed=0, initial=[start])
    assert result.history[0].config == start


def test_initial_outside_space_skipped():
    outside = {"epochs": 123.0, "batch_size": 128.0, "optimizer": "SGD", "data_augmentation": ["flip"]}
    result = EpsilonBO(**FAST).search(finite_space(), objective, 12, seed=0, initial=[outside])
    assert all(e.config != outside for e in result.history)
