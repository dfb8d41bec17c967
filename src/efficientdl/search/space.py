"""Search spaces: the components a search may change, their domains and constraints.

A :class:`SearchSpace` contains the fixed part of a configuration (the
user's fixed values and the baseline values of everything not searched),
one dimension per searched component and the constraints every candidate
must meet (see :mod:`efficientdl.search.constraints`). Encoding candidates
for a surrogate model lives in :mod:`efficientdl.search.transform` and
drawing candidates in :mod:`efficientdl.search.sampling`, so samplers and
encoders can change independently, as Optuna separates its distributions,
transforms and samplers. Building a space from the warehouse and a request
lives in :mod:`efficientdl.search.build`.

Examples
--------
>>> space = SearchSpace(
...     fixed={"dataset": "ImageNet-1k"},
...     dimensions=[
...         NumberDimension("epochs", 50, 600, log_scale=True, grid=(100, 200, 300)),
...         ChoiceDimension("optimizer", ("SGD", "AdamW")),
...     ],
... )
>>> space.is_finite, space.size
(True, 6)
>>> space.complete({"epochs": 100, "optimizer": "SGD"})["dataset"]
'ImageNet-1k'
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from efficientdl.search.constraints import Config, Constraint

class SearchSpaceError(ValueError):
    """Raised when a request cannot be turned into a search space."""


class InfeasibleSpaceError(SearchSpaceError):
    """Raised when no candidate of a space meets its constraints."""


@dataclass(frozen=True)
class NumberDimension:
    """A numeric component searched between ``low`` and ``high``.

    Parameters
    ----------
    name : str
        Component name.
    low, high : float
        Inclusive bounds, in the component's stored unit.
    log_scale : bool
        Search (and encode) on the log of the value.
    integer : bool
        Round sampled values to whole numbers.
    grid : tuple of float, optional
        Allowed values; when given the dimension is finite and every
        candidate takes one of them.
    """

    name: str
    low: float
    high: float
    log_scale: bool = False
    integer: bool = False
    grid: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or self.low > self.high:
            raise SearchSpaceError(f"{self.name}: invalid range [{self.low}, {self.high}]")
        if self.log_scale and self.low <= 0:
            raise SearchSpaceError(f"{self.name}: a log-scale range must be positive, got low={self.low}")
        if self.grid is not None:
            if not self.grid:
                raise SearchSpaceError(f"{self.name}: the grid is empty")
            grid = tuple(sorted(set(float(v) for v in self.grid)))
            if self.log_scale and grid[0] <= 0:
                raise SearchSpaceError(f"{self.name}: a log-scale grid must be positive, got {grid[0]}")
            object.__setattr__(self, "grid", grid)
            object.__setattr__(self, "low", min(float(self.low), grid[0]))
            object.__setattr__(self, "high", max(float(self.high), grid[-1]))

    @property
    def is_finite(self) -> bool:
        return self.grid is not None

    def values(self) -> tuple[float, ...]:
        """Return the grid values (finite dimensions only)."""
        if self.grid is None:
            raise SearchSpaceError(f"{self.name} is continuous; give it a grid to enumerate it")
        return self.grid

    def to_unit(self, value: float) -> float:
        """Map a value to [0, 1] on the dimension's scale (clipped)."""
        low, high, x = float(self.low), float(self.high), float(value)
        if self.log_scale:
            low, high, x = math.log(low), math.log(high), math.log(max(x, self.low))
        if high == low:
            return 0.5
        return min(1.0, max(0.0, (x - low) / (high - low)))

    def from_unit(self, u: float) -> float:
        """Map a point of [0, 1] back to a valid value (rounded, snapped to the grid)."""
        u = min(1.0, max(0.0, float(u)))
        if self.log_scale:
            value = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        else:
            value = self.low + u * (self.high - self.low)
        return self.snap(value)

    def snap(self, value: float) -> float:
        """Return the nearest allowed value: a grid point, or the rounded, clipped value."""
        if self.grid is not None:
            return min(self.grid, key=lambda g: abs(self.to_unit(g) - self.to_unit(value)))
        value = min(self.high, max(self.low, float(value)))
        if self.integer:
            value = float(min(math.floor(self.high), max(math.ceil(self.low), round(value))))
        return value


@dataclass(frozen=True)
class ChoiceDimension:
    """A single-choice component taking one of ``choices``."""

    name: str
    choices: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.choices:
            raise SearchSpaceError(f"{self.name}: no values to choose from")
        object.__setattr__(self, "choices", tuple(dict.fromkeys(self.choices)))

    @property
    def is_finite(self) -> bool:
        return True

    def values(self) -> tuple[str, ...]:
        return self.choices


@dataclass(frozen=True)
class SetDimension:
    """A set component: any subset of ``members`` with ``min_size`` to ``max_size`` items."""

    name: str
    members: tuple[str, ...]
    max_size: int
    min_size: int = 0

    def __post_init__(self) -> None:
        if not self.members:
            raise SearchSpaceError(f"{self.name}: no set members to choose from")
        object.__setattr__(self, "members", tuple(dict.fromkeys(self.members)))
        if not 0 <= self.min_size <= self.max_size:
            raise SearchSpaceError(f"{self.name}: invalid set size range [{self.min_size}, {self.max_size}]")
        if self.min_size > len(self.members):
            raise SearchSpaceError(
                f"{self.name}: min_size {self.min_size} exceeds the {len(self.members)} known members"
            )
        object.__setattr__(self, "max_size", min(self.max_size, len(self.members)))

    @property
    def is_finite(self) -> bool:
        return True

    def values(self) -> Iterator[list[str]]:
        """Yield every allowed subset as a sorted list."""
        for size in range(self.min_size, self.max_size + 1):
            for subset in itertools.combinations(sorted(self.members), size):
                yield list(subset)

    def count(self) -> int:
        return sum(math.comb(len(self.members), k) for k in range(self.min_size, self.max_size + 1))


Dimension = Union[NumberDimension, ChoiceDimension, SetDimension]


@dataclass
class SearchSpace:
    """The searched dimensions, the fixed values around them and the constraints.

    Parameters
    ----------
    fixed : dict
        Values every candidate shares: the user's fixed components and the
        baseline values of everything not searched.
    dimensions : list of Dimension
        One per searched component, in search order.
    constraints : list of Constraint
        Rules every complete configuration must meet.
    """

    fixed: Config
    dimensions: Sequence[Dimension]
    constraints: Sequence[Constraint] = field(default_factory=list)

    def __post_init__(self) -> None:
        names = [d.name for d in self.dimensions]
        if not names:
            raise SearchSpaceError("the search space has no searched component")
        if len(set(names)) != len(names):
            raise SearchSpaceError(f"a component is searched twice: {names}")
        both = sorted(set(names) & set(self.fixed))
        if both:
            raise SearchSpaceError(f"component {both[0]!r} is both fixed and searched; fix it or search it")
        self.dimensions = list(self.dimensions)
        self.constraints = list(self.constraints)

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.dimensions]

    def dimension(self, name: str) -> Dimension:
        for dim in self.dimensions:
            if dim.name == name:
                return dim
        raise KeyError(f"component {name!r} is not searched; searched: {', '.join(self.names)}")

    @property
    def is_finite(self) -> bool:
        return all(d.is_finite for d in self.dimensions)

    @property
    def size(self) -> int | None:
        """Number of candidates before constraints, or None when a dimension is continuous."""
        if not self.is_finite:
            return None
        total = 1
        for dim in self.dimensions:
            total *= dim.count() if isinstance(dim, SetDimension) else len(dim.values())
        return total

    def complete(self, searched: Mapping[str, Any]) -> Config:
        """Return the full configuration: the fixed values updated with ``searched``."""
        return {**self.fixed, **searched}

    def violations(self, searched: Mapping[str, Any]) -> list[str]:
        """Return the names of the constraints the candidate breaks (empty when it is allowed)."""
        config = self.complete(searched)
        return [c.name for c in self.constraints if not c(config)]

    def contains(self, searched: Mapping[str, Any]) -> bool:
        """Return whether every searched value is one the space allows (constraints not checked)."""
        for dim in self.dimensions:
            value = searched.get(dim.name)
            if value is None:
                return False
            if isinstance(dim, NumberDimension):
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    return False
                if not dim.low <= number <= dim.high or dim.snap(number) != number:
                    return False
            elif isinstance(dim, ChoiceDimension):
                if value not in dim.choices:
                    return False
            else:
                members = list(value) if isinstance(value, (list, tuple, set)) else None
                if members is None or not set(members) <= set(dim.members):
                    return False
                if not dim.min_size <= len(set(members)) <= dim.max_size:
                    return False
        return True

    def project(self, searched: Mapping[str, Any]) -> Config | None:
        """Return the nearest candidate the space allows, or None when a choice or number is missing.

        Numbers are clipped, rounded and snapped to their grid; a set keeps
        the members the space contains, at most ``max_size`` of them in the
        order of :attr:`SetDimension.members` (most frequent first when the
        space was built from the warehouse). A choice outside the space
        cannot be projected.
        """
        projected: Config = {}
        for dim in self.dimensions:
            value = searched.get(dim.name)
            if isinstance(dim, SetDimension):
                members = set(value) if isinstance(value, (list, tuple, set)) else set()
                kept = [m for m in dim.members if m in members][: dim.max_size]
                if len(kept) < dim.min_size:
                    return None
                projected[dim.name] = sorted(kept)
            elif value is None or (isinstance(value, float) and math.isnan(value)):
                return None
            elif isinstance(dim, NumberDimension):
                projected[dim.name] = dim.snap(float(value))
            elif value in dim.choices:
                projected[dim.name] = value
            else:
                return None
        return projected

    def is_feasible(self, searched: Mapping[str, Any]) -> bool:
        config = self.complete(searched)
        return all(c(config) for c in self.constraints)

    def key(self, searched: Mapping[str, Any]) -> tuple:
        """Return a hashable identity of a candidate (sets as sorted tuples, numbers rounded)."""
        parts = []
        for dim in self.dimensions:
            value = searched[dim.name]
            if isinstance(dim, SetDimension):
                parts.append(tuple(sorted(value)))
            elif isinstance(dim, NumberDimension):
                parts.append(round(float(value), 10))
            else:
                parts.append(value)
        return tuple(parts)

    def enumerate(self) -> Iterator[Config]:
        """Yield every candidate of a finite space (constraints not applied)."""
        if not self.is_finite:
            continuous = [d.name for d in self.dimensions if not d.is_finite]
            raise SearchSpaceError(
                f"the space is infinite: {', '.join(continuous)} is continuous; give it a grid"
            )
        axes = [list(dim.values()) for dim in self.dimensions]
        for combination in itertools.product(*axes):
            yield {dim.name: value for dim, value in zip(self.dimensions, combination)}

    def describe(self) -> dict[str, Any]:
        """Return a JSON-ready description of the dimensions and constraints."""
        dims = []
        for dim in self.dimensions:
            if isinstance(dim, NumberDimension):
                entry = {"name": dim.name, "kind": "number", "low": dim.low, "high": dim.high, "log_scale": dim.log_scale}
                if dim.grid is not None:
                    entry["grid"] = list(dim.grid)
            elif isinstance(dim, ChoiceDimension):
                entry = {"name": dim.name, "kind": "choice", "choices": list(dim.choices)}
            else:
                entry = {"name": dim.name, "kind": "set", "members": list(dim.members), "max_size": dim.max_size}
            dims.append(entry)
        return {"dimensions": dims, "constraints": [c.name for c in self.constraints]}
