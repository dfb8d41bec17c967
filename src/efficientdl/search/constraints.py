"""Constraints on complete configurations: limits, ranges and forbidden combinations.

Examples
--------
>>> max_value("parameters", 30)({"parameters": 25.6})
True
>>> forbidden({"optimizer": "SGD", "data_augmentation": "mixup"})({"optimizer": "SGD", "data_augmentation": ["mixup"]})
False
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Config = dict[str, Any]


@dataclass(frozen=True)
class Constraint:
    """A rule every candidate configuration must meet.

    Parameters
    ----------
    name : str
        Shown in errors, e.g. ``"parameters <= 30"``.
    check : callable
        ``check(config) -> bool``, True when the complete configuration
        (fixed and searched values) is allowed.
    components : tuple of str
        Components the check reads; empty when unknown (a user predicate).
    """

    name: str
    check: Callable[[Config], bool]
    components: tuple[str, ...] = ()

    def __call__(self, config: Config) -> bool:
        return bool(self.check(config))


def _number_or_none(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def max_value(component: str, limit: float) -> Constraint:
    """Return a constraint ``component <= limit``; a configuration without the value passes."""

    def check(config: Config) -> bool:
        value = _number_or_none(config.get(component))
        return value is None or value <= limit

    return Constraint(f"{component} <= {limit:g}", check, (component,))


def value_range(component: str, low: float, high: float) -> Constraint:
    """Return a constraint ``low <= component <= high``; a configuration without the value passes."""

    def check(config: Config) -> bool:
        value = _number_or_none(config.get(component))
        return value is None or low <= value <= high

    return Constraint(f"{low:g} <= {component} <= {high:g}", check, (component,))


def _matches(config_value: Any, wanted: Any) -> bool:
    if isinstance(config_value, (list, tuple, set)):
        return wanted in config_value
    if isinstance(wanted, float) or isinstance(config_value, float):
        try:
            return float(config_value) == float(wanted)
        except (TypeError, ValueError):
            return False
    return config_value == wanted


def forbidden(pairs: Mapping[str, Any]) -> Constraint:
    """Return a constraint that rejects configurations matching every ``key=value`` pair.

    A set component matches when the value is one of its members, so
    ``{"optimizer": "SGD", "data_augmentation": "mixup"}`` forbids SGD
    together with mixup.
    """
    items = dict(pairs)
    if not items:
        raise ValueError("a forbidden combination needs at least one key=value pair")

    def check(config: Config) -> bool:
        return not all(_matches(config.get(key), value) for key, value in items.items())

    label = ", ".join(f"{key}={value}" for key, value in items.items())
    return Constraint(f"not ({label})", check, tuple(items))
