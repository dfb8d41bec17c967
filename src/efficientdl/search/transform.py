"""Encode candidates of a search space as points of the unit cube for a surrogate model.

A number becomes one coordinate in [0, 1] on its search scale (log scale
when the component spans orders of magnitude), a choice becomes a one-hot
block and a set a multi-hot block. Decoding reverses this: numbers are
rounded and snapped to their grid, a choice takes the largest coordinate of
its block, and a set keeps the members above 0.5 (at most ``max_size`` of
them, at least ``min_size``).

Examples
--------
>>> from efficientdl.search.space import SearchSpace, NumberDimension, ChoiceDimension
>>> space = SearchSpace({}, [NumberDimension("epochs", 10, 1000, log_scale=True, integer=True),
...                          ChoiceDimension("optimizer", ("SGD", "AdamW"))])
>>> transform = SpaceTransform(space)
>>> transform.encode({"epochs": 100, "optimizer": "AdamW"}).round(3).tolist()
[0.5, 0.0, 1.0]
>>> transform.decode([0.5, 0.2, 0.9])
{'epochs': 100.0, 'optimizer': 'AdamW'}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from efficientdl.search.space import ChoiceDimension, Config, NumberDimension, SearchSpace, SetDimension


class SpaceTransform:
    """Map searched values of ``space`` to and from vectors in the unit cube.

    Attributes
    ----------
    n_features : int
        Length of an encoded vector.
    columns : list of str
        Name of each coordinate (``"epochs"``, ``"optimizer=SGD"``, ...).
    """

    def __init__(self, space: SearchSpace) -> None:
        self.space = space
        self.columns: list[str] = []
        self._slices: list[slice] = []
        for dim in space.dimensions:
            start = len(self.columns)
            if isinstance(dim, NumberDimension):
                self.columns.append(dim.name)
            elif isinstance(dim, ChoiceDimension):
                self.columns.extend(f"{dim.name}={c}" for c in dim.choices)
            else:
                self.columns.extend(f"{dim.name}={m}" for m in dim.members)
            self._slices.append(slice(start, len(self.columns)))
        self.n_features = len(self.columns)

    def encode(self, searched: Mapping[str, Any]) -> np.ndarray:
        """Return the vector of one candidate, shape ``(n_features,)``."""
        vector = np.zeros(self.n_features)
        for dim, block in zip(self.space.dimensions, self._slices):
            value = searched[dim.name]
            if isinstance(dim, NumberDimension):
                vector[block.start] = dim.to_unit(value)
            elif isinstance(dim, ChoiceDimension):
                vector[block.start + dim.choices.index(value)] = 1.0
            else:
                members = set(value)
                for offset, member in enumerate(dim.members):
                    vector[block.start + offset] = 1.0 if member in members else 0.0
        return vector

    def encode_many(self, candidates: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Return the vectors of many candidates, shape ``(n_candidates, n_features)``."""
        if not candidates:
            return np.zeros((0, self.n_features))
        return np.vstack([self.encode(c) for c in candidates])

    def decode(self, vector: Sequence[float]) -> Config:
        """Return the candidate nearest to ``vector`` that the space allows."""
        x = np.asarray(vector, dtype=float)
        searched: Config = {}
        for dim, block in zip(self.space.dimensions, self._slices):
            part = x[block]
            if isinstance(dim, NumberDimension):
                searched[dim.name] = dim.snap(dim.from_unit(part[0]))
            elif isinstance(dim, ChoiceDimension):
                searched[dim.name] = dim.choices[int(np.argmax(part))]
            else:
                searched[dim.name] = _decode_set(dim, part)
        return searched


def _decode_set(dim: SetDimension, part: np.ndarray) -> list[str]:
    order = np.argsort(-part, kind="stable")
    chosen = [i for i in order if part[i] > 0.5][: dim.max_size]
    if len(chosen) < dim.min_size:
        chosen = list(order[: dim.min_size])
    return sorted(dim.members[i] for i in chosen)
