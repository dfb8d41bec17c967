"""Resolve mmengine config files (mmpretrain, mmdet, ...) into plain dicts, as data.

An mmengine config is a Python file whose module-level variables form the
config. It inherits from other files through ``_base_`` (one relative path
or a list of them), or, in the newer format, through
``from .._base_.x import *`` inside ``with read_base():``. This module
rebuilds the final dict the way ``mmengine.Config.fromfile`` does, but
without running the file: each file is parsed with :mod:`ast` and its values
are computed by :class:`~efficientdl.extractors.repos.config_statements.ConfigEvaluator`.

Inheritance rules (mmengine 0.x):

* bases are resolved depth-first and merged in list order;
* a child's dict merges into the base's dict of the same name, recursively;
  lists, numbers and strings replace;
* ``_delete_=True`` inside a child dict replaces the base dict instead;
* ``{{_base_.name}}`` (bare or quoted) and ``_base_.name`` read a base
  variable; predefined variables such as ``{{ fileBasenameNoExtension }}``
  are substituted.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "base.py").write_text("optimizer = dict(type='SGD', lr=0.1, momentum=0.9)")
>>> _ = (folder / "child.py").write_text("_base_ = './base.py'\\noptimizer = dict(lr=0.1 * 2)")
>>> config = resolve_config(folder / "child.py")
>>> config.values["optimizer"]
{'type': 'SGD', 'lr': 0.2, 'momentum': 0.9}
>>> config.source_of("optimizer.momentum").endswith("base.py")
True
"""

from __future__ import annotations

import ast
import copy
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from efficientdl.extractors.repos.config_statements import ConfigEvaluator
from efficientdl.extractors.repos.config_values import ConfigError, ImportedName, Unresolved, merge_into

logger = logging.getLogger(__name__)

#: Largest config file read, in bytes; real mmengine configs are a few kilobytes.
MAX_CONFIG_BYTES = 1_000_000


@dataclass
class ResolvedConfig:
    """The merged variables of a config file and everything it inherits.

    Attributes
    ----------
    path : Path
        The config file that was resolved.
    values : dict
        Final variables by name. Values that could not be computed are
        :class:`Unresolved` sentinels in their place.
    files : list of Path
        Every file read, bases before the files that inherit them.
    unresolved : list of Unresolved
        Every expression that could not be computed, in any of the files.
    origins : dict
        Dotted key path (``optim_wrapper.optimizer.lr``) to the file that
        last set it.
    """

    path: Path
    values: dict[str, Any]
    files: list[Path] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)

    def get(self, dotted: str, default: Any = None) -> Any:
        """Return the value at ``dotted`` (``a.b.0.c``), or ``default`` when missing or unresolved."""
        value: Any = self.values
        for part in dotted.split("."):
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, (list, tuple)) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return default
            if isinstance(value, Unresolved):
                return default
        return value

    def source_of(self, dotted: str) -> str | None:
        """Return the file that set ``dotted`` or the nearest key above it, or None."""
        parts = dotted.split(".")
        for end in range(len(parts), 0, -1):
            origin = self.origins.get(".".join(parts[:end]))
            if origin is not None:
                return origin
        return None


class ConfigResolver:
    """Resolve config files, caching every file read so shared bases are parsed once.

    Parameters
    ----------
    max_bytes : int
        Largest file accepted; larger files raise :class:`ConfigError`.
    """

    def __init__(self, max_bytes: int = MAX_CONFIG_BYTES) -> None:
        self.max_bytes = max_bytes
        self._cache: dict[Path, ResolvedConfig] = {}

    def resolve(self, path: str | Path) -> ResolvedConfig:
        """Return the resolved config of ``path``.

        Raises
        ------
        ConfigError
            When ``path`` or a base it names is missing, unreadable, not
            Python, or the bases form a cycle; the message names the file.
        """
        path = Path(path).resolve()
        try:
            return copy.deepcopy(self._resolve(path, ()))
        except (RecursionError, MemoryError) as exc:
            raise ConfigError(f"{path}: values nested too deeply or too large to resolve ({type(exc).__name__})") from exc

    def _resolve(self, path: Path, stack: tuple[Path, ...]) -> ResolvedConfig:
        if path in stack:
            chain = " -> ".join(p.name for p in (*stack, path))
            raise ConfigError(f"{stack[-1]}: _base_ cycle {chain}; remove one of the references")
        if path in self._cache:
            return self._cache[path]
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")

        if path.suffix in (".yml", ".yaml", ".json"):
            result = self._resolve_data_file(path, stack)
        else:
            result = self._resolve_python(path, stack)
        self._cache[path] = result
        return result

    def _read(self, path: Path) -> str:
        size = path.stat().st_size
        if size > self.max_bytes:
            raise ConfigError(f"{path}: {size} bytes is larger than the {self.max_bytes}-byte limit for a config")
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot be read as UTF-8 text ({exc})") from exc

    def _resolve_data_file(self, path: Path, stack: tuple[Path, ...]) -> ResolvedConfig:
        text = self._read(path)
        try:
            data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: invalid {path.suffix[1:].upper()} ({exc})") from exc
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: a config must be a mapping at the top level")
        bases = data.pop("_base_", None)
        merged = self._merge_bases(path, self._base_paths(path, bases), stack)
        merge_into(merged.values, data, merged.origins, str(path))
        merged.path = path
        merged.files.append(path)
        return merged

    def _resolve_python(self, path: Path, stack: tuple[Path, ...]) -> ResolvedConfig:
        text = self._read(path)
        try:
            module = ast.parse(text, filename=str(path))
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            line = getattr(exc, "lineno", None)
            where = f"{path}:{line}" if line else str(path)
            raise ConfigError(f"{where}: not valid Python ({exc.__class__.__name__}: {getattr(exc, 'msg', exc)})") from exc

        bases = self._base_paths(path, self._base_value(path, module))
        merged = self._merge_bases(path, bases, stack)

        imported: dict[str, Any] = {}

        def on_base_import(node: ast.ImportFrom) -> dict[str, Any]:
            base = self._resolve(self._module_path(path, node), (*stack, path))
            merged.files.extend(f for f in base.files if f not in merged.files)
            merged.unresolved.extend(base.unresolved)
            merged.origins.update(base.origins)
            names = base.values if any(a.name == "*" for a in node.names) else {
                (a.asname or a.name): base.values[a.name] for a in node.names if a.name in base.values
            }
            imported.update(names)
            return names

        evaluator = ConfigEvaluator(str(path), base=merged.values, on_base_import=on_base_import)
        evaluator.run(_without_base_assignment(module))

        # NOTE: in new-style configs a re-assigned base name is merged like an old-style child value
        # (so _delete_ works as mmpretrain's configs expect); this follows mmpretrain usage, not mmengine's code.
        assigned = {k: v for k, v in evaluator.names.items() if k in evaluator.assigned and _is_config_value(k, v)}
        merge_into(merged.values, assigned, merged.origins, str(path))
        for name in imported:
            changed = name in evaluator.names and evaluator.names[name] != merged.values.get(name)
            if name not in evaluator.assigned and changed:
                # Changed in place (model.update(...)): the variable itself is the final value.
                merged.values[name] = evaluator.names[name]
                merged.origins[name] = str(path)
        merged.values = _plain(merged.values)

        merged.path = path
        merged.files.append(path)
        merged.unresolved.extend(evaluator.unresolved)
        return merged

    def _base_value(self, path: Path, module: ast.Module) -> Any:
        for statement in module.body:
            if (
                isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
                and statement.targets[0].id == "_base_"
            ):
                evaluator = ConfigEvaluator(str(path))
                value = evaluator.evaluate(statement.value)
                if evaluator.unresolved:
                    raise ConfigError(
                        f"{path}:{statement.lineno}: _base_ must be a path string or a list of them, "
                        f"got {ast.unparse(statement.value)}"
                    )
                return value
        return None

    def _base_paths(self, path: Path, bases: Any) -> list[Path]:
        if bases is None:
            return []
        names = [bases] if isinstance(bases, str) else bases
        if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
            raise ConfigError(f"{path}: _base_ must be a path string or a list of them, got {bases!r}")
        resolved = []
        for name in names:
            if "::" in name:
                raise ConfigError(f"{path}: base {name!r} lives in another package, which is not read")
            candidate = (path.parent / name).resolve()
            if not candidate.is_file():
                raise ConfigError(f"{path}: base config {name!r} not found (looked for {candidate})")
            resolved.append(candidate)
        return resolved

    def _merge_bases(self, path: Path, bases: list[Path], stack: tuple[Path, ...]) -> ResolvedConfig:
        merged = ResolvedConfig(path, {})
        for base_path in bases:
            base = self._resolve(base_path, (*stack, path))
            duplicated = set(merged.values) & set(base.values)
            if duplicated:
                logger.warning("%s: bases define %s more than once; the later base wins", path, sorted(duplicated))
            merge_into(merged.values, copy.deepcopy(base.values))
            merged.origins.update(base.origins)
            merged.files.extend(f for f in base.files if f not in merged.files)
            merged.unresolved.extend(base.unresolved)
        return merged

    def _module_path(self, path: Path, node: ast.ImportFrom) -> Path:
        """Return the file a ``from <module> import ...`` inside ``read_base()`` names."""
        parts = (node.module or "").split(".") if node.module else []
        if node.level:
            folder = path.parent
            for _ in range(node.level - 1):
                folder = folder.parent
            candidates = [folder.joinpath(*parts).with_suffix(".py")] if parts else []
        else:
            candidates = [ancestor.joinpath(*parts).with_suffix(".py") for ancestor in path.parents]
        for candidate in candidates:
            if candidate.is_file():
                return candidate.resolve()
        dots = "." * node.level
        raise ConfigError(f"{path}:{node.lineno}: base module {dots}{node.module} not found")


def _without_base_assignment(module: ast.Module) -> ast.Module:
    body = [
        s
        for s in module.body
        if not (isinstance(s, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_base_" for t in s.targets))
    ]
    return ast.Module(body=body, type_ignores=[])


def _plain(value: Any) -> Any:
    """Replace imported names (``type=AdamW``) by their text, so values are plain data."""
    if isinstance(value, ImportedName):
        return value.name
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


def _is_config_value(name: str, value: Any) -> bool:
    """Tell config variables from helpers: dunder names and imported names are not part of the config."""
    return not name.startswith("__") and not isinstance(value, ImportedName)


def resolve_config(path: str | Path, resolver: ConfigResolver | None = None) -> ResolvedConfig:
    """Resolve one config file with ``resolver`` (a new one by default, so nothing is cached).

    Raises
    ------
    ConfigError
        See :meth:`ConfigResolver.resolve`.
    """
    return (resolver or ConfigResolver()).resolve(path)


__all__ = ["ConfigError", "ConfigResolver", "ResolvedConfig", "Unresolved", "resolve_config"]
