"""Evaluate the module-level statements of an mmengine config file as data.

:class:`ConfigEvaluator` runs through the top-level statements of a config
module: assignments (also to ``x.key`` and ``x['key']``), in-place updates
such as ``model.update(...)`` or ``pipeline.append(...)``, imports (recorded
as text, never imported) and the ``with read_base():`` block of new-style
configs. Any other statement (``if``, ``for``, ``def``, ``class``) is
recorded as unresolved and skipped, so nothing in the file ever runs.

Examples
--------
>>> import ast
>>> evaluator = ConfigEvaluator("demo.py")
>>> evaluator.run(ast.parse("lr = 5e-4 * 1024 / 512\\nopt = dict(type='AdamW', lr=lr)\\nimport os\\nos.system('ls')"))
>>> evaluator.names["opt"]
{'type': 'AdamW', 'lr': 0.001}
>>> [u.expression for u in evaluator.unresolved]
["os.system('ls')"]
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable
from typing import Any

from efficientdl.extractors.repos.config_expressions import ExpressionEvaluator, Unevaluable
from efficientdl.extractors.repos.config_values import ConfigError, ImportedName, Unresolved, merge_into, merge_update

#: Methods that change a dict or list in place, usable as statements (``model.update(...)``).
MUTATING_METHODS: dict[type, frozenset[str]] = {
    dict: frozenset({"update", "pop", "setdefault"}),
    list: frozenset({"append", "extend", "insert", "pop", "remove"}),
}


class ConfigEvaluator(ExpressionEvaluator):
    """Compute the module-level variables of one config file from its syntax tree.

    Parameters
    ----------
    file : str
        Path of the file, for messages and predefined variables.
    base : dict, optional
        The merged variables of the file's base configs, reachable as
        ``_base_.name`` and ``{{_base_.name}}``.
    on_base_import : callable, optional
        Called with an :class:`ast.ImportFrom` node found inside
        ``with read_base():``; returns the variables it brings in.

    Attributes
    ----------
    names : dict
        Module-level variables after :meth:`run`.
    assigned : set of str
        Names bound by an assignment statement in this file (not only
        imported from a base and changed in place).
    unresolved : list of Unresolved
        Every expression or statement that could not be evaluated, in file order.
    """

    def __init__(
        self,
        file: str,
        base: dict[str, Any] | None = None,
        on_base_import: Callable[[ast.ImportFrom], dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(file, base)
        self.assigned: set[str] = set()
        self._on_base_import = on_base_import

    def run(self, module: ast.Module) -> None:
        """Evaluate every top-level statement of ``module`` in order."""
        for statement in module.body:
            self._statement(statement)

    def _statement(self, node: ast.stmt) -> None:
        try:
            if isinstance(node, ast.Assign):
                value = self.evaluate(node.value)
                for target in node.targets:
                    self._assign(target, value)
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                self._assign(node.target, self.evaluate(node.value))
            elif isinstance(node, ast.AugAssign):
                current = self.evaluate(node.target)
                self._assign(node.target, self._binary(node.op, current, self.evaluate(node.value), node))
            elif isinstance(node, ast.Expr):
                self._expression_statement(node)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                self._record_import(node)
            elif isinstance(node, ast.With) and self._is_read_base(node):
                self._read_base(node)
            elif isinstance(node, ast.Delete):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.names.pop(target.id, None)
            elif isinstance(node, ast.Pass):
                pass
            else:
                self._fail(node, f"{type(node).__name__} statements are not evaluated")
        except ConfigError:
            raise
        except Unevaluable:
            pass
        except (ArithmeticError, TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError) as exc:
            try:
                self._fail(node, f"{type(exc).__name__}: {exc}")
            except Unevaluable:
                pass

    def _expression_statement(self, node: ast.Expr) -> None:
        value = node.value
        if isinstance(value, ast.Constant):
            return
        call = value if isinstance(value, ast.Call) else None
        if call is None or not isinstance(call.func, ast.Attribute):
            self._fail(node, "only in-place updates such as model.update(...) are evaluated as statements")
        target = self._reference(call.func.value)
        method = call.func.attr
        allowed = next((names for kind, names in MUTATING_METHODS.items() if isinstance(target, kind)), frozenset())
        if method not in allowed:
            self._fail(node, f"method {method!r} is not evaluated")
        args, kwargs = self._arguments(call)
        if isinstance(target, dict) and method == "update":
            update = dict(args[0]) if args else {}
            update.update(kwargs)
            merge_update(target, update)
            return
        getattr(target, method)(*args, **kwargs)

    def _record_import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name == "*":
                self._fail(node, "star import outside read_base() is not followed")
            bound = alias.asname or alias.name.split(".")[0]
            module = node.module if isinstance(node, ast.ImportFrom) else alias.name
            self.names[bound] = ImportedName(module or "", alias.name)

    @staticmethod
    def _is_read_base(node: ast.With) -> bool:
        for item in node.items:
            call = item.context_expr
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "read_base":
                return True
        return False

    def _read_base(self, node: ast.With) -> None:
        for statement in node.body:
            if not isinstance(statement, ast.ImportFrom) or self._on_base_import is None:
                self._fail(statement, "only 'from <base> import ...' is allowed inside read_base()")
            imported = self._on_base_import(statement)
            merge_into(self.base, copy.deepcopy(imported))
            for name, value in imported.items():
                self.names[name] = copy.deepcopy(value)

    def _assign(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.names[target.id] = value
            self.assigned.add(target.id)
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            if not isinstance(value, (list, tuple)) or len(value) != len(target.elts):
                self._fail(target, "the value cannot be unpacked into these names")
            for element, item in zip(target.elts, value):
                self._assign(element, item)
            return
        if isinstance(target, ast.Attribute):
            container = self._reference(target.value)
            if not isinstance(container, dict):
                self._fail(target, "attribute assignment on a value that is not a dict")
            container[target.attr] = value
            return
        if isinstance(target, ast.Subscript):
            container = self._reference(target.value)
            key = self.evaluate(target.slice)
            if not isinstance(container, (dict, list)) or isinstance(key, Unresolved):
                self._fail(target, "item assignment on a value that is not a dict or list")
            try:
                container[key] = value
            except (IndexError, TypeError) as exc:
                self._fail(target, str(exc))
            return
        self._fail(target, f"cannot assign to {type(target).__name__}")

    def _reference(self, node: ast.expr) -> Any:
        """Return the stored object ``node`` names (no copy), so in-place edits reach the variable."""
        if isinstance(node, ast.Name) and node.id in self.names:
            return self.names[node.id]
        if isinstance(node, ast.Attribute):
            owner = self._reference(node.value)
            if isinstance(owner, dict) and node.attr in owner:
                return owner[node.attr]
            self._fail(node, f"no key {node.attr!r}")
        if isinstance(node, ast.Subscript):
            owner = self._reference(node.value)
            key = self._require(self.evaluate(node.slice))
            if isinstance(owner, (dict, list)):
                try:
                    return owner[key]
                except (KeyError, IndexError, TypeError) as exc:
                    self._fail(node, f"{type(exc).__name__}: {exc}")
        self._fail(node, "only variables and their keys can be changed in place")
