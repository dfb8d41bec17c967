"""Values that config resolution produces and the rules that merge them.

:class:`Unresolved` marks an expression the evaluator has no rule for,
:class:`ImportedName` a name a new-style config imports (kept as text), and
:func:`merge_into` applies mmengine's inheritance rules: a child's dict
merges into its base's dict unless it sets ``_delete_=True``, and every
other value replaces.

Examples
--------
>>> base = {"optimizer": {"type": "SGD", "lr": 0.1}, "milestones": [30, 60]}
>>> merge_into(base, {"optimizer": {"lr": 0.2}, "milestones": [100]})
>>> base
{'optimizer': {'type': 'SGD', 'lr': 0.2}, 'milestones': [100]}
>>> merge_into(base, {"optimizer": {"_delete_": True, "type": "AdamW"}})
>>> base["optimizer"]
{'type': 'AdamW'}
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)


class Unresolved:
    """Sentinel for a value the evaluator has no rule for.

    Parameters
    ----------
    file : str
        Config file the expression is in.
    line : int
        Line number of the expression.
    expression : str
        The expression as :func:`ast.unparse` writes it.
    reason : str
        Why it could not be computed.
    """

    __slots__ = ("file", "line", "expression", "reason")

    def __init__(self, file: str, line: int, expression: str, reason: str) -> None:
        self.file = file
        self.line = line
        self.expression = expression
        self.reason = reason

    def __repr__(self) -> str:
        return f"<unresolved {self.file}:{self.line} {self.expression}>"

    def __deepcopy__(self, memo: dict) -> "Unresolved":
        return self


class ConfigError(ValueError):
    """Raised when a config or one of its bases cannot be read at all."""


def is_resolved(value: Any) -> bool:
    """Return whether ``value`` contains no :class:`Unresolved` anywhere inside it."""
    if isinstance(value, Unresolved):
        return False
    if isinstance(value, dict):
        return all(is_resolved(v) for v in value.values())
    if isinstance(value, (list, tuple, set)):
        return all(is_resolved(v) for v in value)
    return True


@dataclass
class ImportedName:
    """A name a config imports (``from torch.optim import AdamW``), kept as text, never imported."""

    module: str
    name: str

    def __str__(self) -> str:
        return self.name


def merge_update(target: dict, update: dict) -> None:
    """Apply ``ConfigDict.update`` semantics: nested dicts merge, everything else replaces."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict) and not value.get("_delete_", False):
            merge_update(target[key], value)
        else:
            target[key] = strip_delete(value)


def merge_into(base: dict, child: dict, origins: dict[str, str] | None = None, file: str = "", prefix: str = "") -> None:
    """Merge ``child`` into ``base`` as mmengine does for a config and its ``_base_``.

    Child keys override base keys. When both values are dicts they merge
    recursively, unless the child's dict sets ``_delete_=True`` and so
    replaces the base dict. Lists and other values replace. ``origins``,
    when given, maps each dotted key path set by the child to ``file``.
    """
    for key, value in child.items():
        path = f"{prefix}{key}"
        existing = base.get(key)
        if isinstance(value, dict) and isinstance(existing, dict) and not value.get("_delete_", False):
            merge_into(existing, value, origins, file, f"{path}.")
            continue
        if isinstance(value, dict) and key in base and existing is not None and not isinstance(existing, dict):
            logger.debug("%s: %s is a dict here but a %s in the base; the dict replaces it", file, path, type(existing).__name__)
        base[key] = strip_delete(value)
        if origins is not None:
            for stale in [p for p in origins if p.startswith(f"{path}.")]:
                del origins[stale]
            origins[path] = file


def strip_delete(value: Any) -> Any:
    """Return ``value`` with every ``_delete_`` key removed from its nested dicts."""
    if isinstance(value, dict):
        return {k: strip_delete(v) for k, v in value.items() if k != "_delete_"}
    if isinstance(value, list):
        return [strip_delete(v) for v in value]
    return value


def finite_number(value: Any) -> float | None:
    """Return ``value`` as a float when it is a finite real number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None
