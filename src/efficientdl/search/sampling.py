"""Draw candidates from a search space: uniform samples, mutations and rejection sampling.

Every function takes a :class:`numpy.random.Generator`, so a search seeded
once repeats exactly.

Examples
--------
>>> import numpy as np
>>> from efficientdl.search.constraints import max_value
>>> from efficientdl.search.space import SearchSpace, NumberDimension
>>> space = SearchSpace({}, [NumberDimension("epochs", 10, 1000, log_scale=True, integer=True)],
...                     [max_value("epochs", 100)])
>>> rng = np.random.default_rng(0)
>>> all(c["epochs"] <= 100 for c in sample_feasible(space, rng, 20))
True
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import numpy as np

from efficientdl.search.space import (
    ChoiceDimension,
    Config,
    InfeasibleSpaceError,
    NumberDimension,
    SearchSpace,
    SetDimension,
)

logger = logging.getLogger(__name__)

#: Standard deviation, in unit-cube coordinates, of the nudge applied to a continuous number.
NUDGE_SCALE = 0.08


def sample_value(dim: Any, rng: np.random.Generator) -> Any:
    """Draw one value of a dimension.

    Continuous numbers are uniform on their search scale (log-uniform for a
    log-scale component), grid numbers and choices uniform over their values,
    and sets take a uniform size in ``[min_size, max_size]`` and then that
    many distinct members.
    """
    if isinstance(dim, NumberDimension):
        if dim.grid is not None:
            return dim.grid[int(rng.integers(len(dim.grid)))]
        return dim.from_unit(rng.random())
    if isinstance(dim, ChoiceDimension):
        return dim.choices[int(rng.integers(len(dim.choices)))]
    size = int(rng.integers(dim.min_size, dim.max_size + 1))
    picked = rng.choice(len(dim.members), size=size, replace=False)
    return sorted(dim.members[i] for i in picked)


def sample_candidate(space: SearchSpace, rng: np.random.Generator) -> Config:
    """Draw one candidate uniformly, ignoring the constraints."""
    return {dim.name: sample_value(dim, rng) for dim in space.dimensions}


def sample_feasible(space: SearchSpace, rng: np.random.Generator, n: int, *, max_tries: int | None = None) -> list[Config]:
    """Draw up to ``n`` candidates that meet every constraint, by rejection sampling.

    Parameters
    ----------
    n : int
        Candidates wanted.
    max_tries : int, optional
        Draws allowed in total; default ``20 * n + 200``. Fewer than ``n``
        candidates come back when the constraints reject most draws.

    Raises
    ------
    InfeasibleSpaceError
        When no draw met the constraints, naming the constraints that
        rejected the draws.
    """
    max_tries = max_tries if max_tries is not None else 20 * n + 200
    found: list[Config] = []
    rejected_by: Counter[str] = Counter()
    for _ in range(max_tries):
        if len(found) >= n:
            break
        candidate = sample_candidate(space, rng)
        broken = space.violations(candidate)
        if broken:
            rejected_by.update(broken)
            continue
        found.append(candidate)
    if not found and n > 0:
        raise InfeasibleSpaceError(_infeasible_message(space, max_tries, rejected_by))
    if len(found) < n:
        logger.info("only %d of %d samples met the constraints after %d draws", len(found), n, max_tries)
    return found


def check_feasible(space: SearchSpace, rng: np.random.Generator, *, tries: int = 2000) -> None:
    """Raise :class:`InfeasibleSpaceError` when ``tries`` uniform draws all break a constraint.

    The fixed values are checked first: a constraint broken by them alone
    (for example a fixed model larger than the parameter limit) is named
    without sampling.
    """
    for constraint in space.constraints:
        reads_only_fixed = bool(constraint.components) and all(name in space.fixed for name in constraint.components)
        if reads_only_fixed and not constraint(space.fixed):
            values = ", ".join(f"{name}={space.fixed[name]}" for name in constraint.components)
            raise InfeasibleSpaceError(
                f"no candidate meets the constraint {constraint.name!r}: the fixed values ({values}) "
                "already break it; relax the constraint or change the fixed values"
            )
    sample_feasible(space, rng, 1, max_tries=tries)


def _infeasible_message(space: SearchSpace, tries: int, rejected_by: Counter) -> str:
    if not rejected_by:
        return f"no candidate could be drawn from {', '.join(space.names)}"
    culprit = rejected_by.most_common(1)[0][0]
    return (
        f"no candidate meets the constraint {culprit!r}: none of {tries} sampled candidates of "
        f"{', '.join(space.names)} met every constraint; relax it or widen the searched ranges"
    )


def mutate(space: SearchSpace, searched: Config, rng: np.random.Generator) -> Config:
    """Return a neighbour of ``searched`` that differs in one component.

    A continuous number moves by a Gaussian step of :data:`NUDGE_SCALE` on
    its unit scale, a grid number moves one or two grid points, a choice
    switches to another value, and a set gains, loses or swaps one member
    within its size limits.
    """
    child = dict(searched)
    dim = space.dimensions[int(rng.integers(len(space.dimensions)))]
    child[dim.name] = _mutate_value(dim, searched[dim.name], rng)
    return child


def _mutate_value(dim: Any, value: Any, rng: np.random.Generator) -> Any:
    if isinstance(dim, NumberDimension):
        if dim.grid is not None:
            index = min(range(len(dim.grid)), key=lambda i: abs(dim.grid[i] - float(value)))
            step = int(rng.choice([-2, -1, 1, 2]))
            return dim.grid[min(len(dim.grid) - 1, max(0, index + step))]
        return dim.from_unit(dim.to_unit(value) + rng.normal(0.0, NUDGE_SCALE))

    if isinstance(dim, ChoiceDimension):
        others = [c for c in dim.choices if c != value]
        return others[int(rng.integers(len(others)))] if others else value

    return _mutate_set(dim, list(value), rng)


def _mutate_set(dim: SetDimension, members: list[str], rng: np.random.Generator) -> list[str]:
    absent = [m for m in dim.members if m not in members]
    moves = []
    if absent and len(members) < dim.max_size:
        moves.append("add")
    if members and len(members) > dim.min_size:
        moves.append("remove")
    if absent and members:
        moves.append("swap")
    if not moves:
        return sorted(members)
    move = moves[int(rng.integers(len(moves)))]
    if move in ("remove", "swap"):
        members.pop(int(rng.integers(len(members))))
    if move in ("add", "swap"):
        members.append(absent[int(rng.integers(len(absent)))])
    return sorted(members)
