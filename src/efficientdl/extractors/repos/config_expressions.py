"""Evaluate the data part of a Python config file without running it.

mmengine configs are Python modules, but almost every statement in them
builds plain data: literals, ``dict(...)`` calls, arithmetic such as
``lr=5e-4 * 1024 / 512``, references to earlier variables and to the base
configs. :class:`ExpressionEvaluator` walks the :mod:`ast` of such a module and
computes those values itself. It never imports anything or calls ``exec``
or ``eval``. A node it has no rule for (a call to an unknown function, a
``lambda``) becomes an :class:`Unresolved` sentinel that records the file,
the line and the expression, and evaluation goes on.

Examples
--------
>>> import ast
>>> evaluator = ExpressionEvaluator("demo.py", names={"lr": 0.001})
>>> evaluator.evaluate(ast.parse("dict(type='AdamW', lr=lr * 1024 / 512)", mode="eval").body)
{'type': 'AdamW', 'lr': 0.002}
>>> evaluator.evaluate(ast.parse("__import__('os').getcwd()", mode="eval").body)
<unresolved demo.py:1 __import__('os')>
"""

from __future__ import annotations

import ast
import copy
import logging
import operator
import os.path
import string
from collections.abc import Callable, Iterator
from typing import Any

import regex

from efficientdl.extractors.repos.config_values import Unresolved

logger = logging.getLogger(__name__)

#: Largest sequence or string an expression may build, so a hostile file cannot exhaust memory.
MAX_SEQUENCE_LENGTH = 100_000

#: Items all expressions of one evaluator may build or copy together, so many small
#: statements cannot add up to minutes of work either.
MAX_WORK = 5_000_000

#: Largest absolute exponent accepted in ``a ** b``.
MAX_EXPONENT = 1_000

_BASE_REFERENCE = regex.compile(r"^\{\{\s*_base_\.([\w.]+)\s*\}\}$")
_PREDEFINED = regex.compile(r"\{\{\s*(fileDirname|fileBasename|fileBasenameNoExtension|fileExtname)\s*\}\}")
_LARGE_WIDTH = regex.compile(r"\d{5,}")
_LARGE_PERCENT_WIDTH = regex.compile(r"%[-+ #0]*\d{5,}")

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}

_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}


def _bounded_range(*args: int) -> list[int]:
    values = range(*args)
    if len(values) > MAX_SEQUENCE_LENGTH:
        raise ValueError(f"range of {len(values)} items is longer than {MAX_SEQUENCE_LENGTH}")
    return list(values)


def _numeric_sum(values: Any, start: float = 0) -> float:
    """``sum`` restricted to numbers, so it cannot concatenate lists into a huge one."""
    values = list(values)
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in [*values, start]):
        raise TypeError("sum() is evaluated for numbers only")
    return sum(values, start)


#: Builtins a config may call: pure functions of already-computed values.
SAFE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": abs,
    "bool": bool,
    "enumerate": lambda *args, **kwargs: list(enumerate(*args, **kwargs)),
    "float": float,
    "int": int,
    "len": len,
    "list": list,
    "max": max,
    "min": min,
    "range": _bounded_range,
    "round": round,
    "sorted": sorted,
    "str": str,
    "sum": _numeric_sum,
    "tuple": tuple,
    "zip": lambda *args: list(zip(*args)),
}

#: Methods that return a new value and change nothing, by the type they belong to.
SAFE_METHODS: dict[type, frozenset[str]] = {
    str: frozenset({"format", "join", "lower", "upper", "strip", "split", "startswith", "endswith"}),
    dict: frozenset({"get", "copy", "keys", "values", "items"}),
    list: frozenset({"copy", "index", "count"}),
    tuple: frozenset({"index", "count"}),
}



class Unevaluable(Exception):
    """Raised inside the evaluator to turn the current node into an :class:`Unresolved` (its only argument)."""


class ExpressionEvaluator:
    """Compute the value of config expressions from their syntax trees.

    Parameters
    ----------
    file : str
        Path of the file, for messages and the ``{{ fileDirname }}`` family
        of predefined variables.
    base : dict, optional
        The merged variables of the file's base configs, reachable as
        ``_base_.name`` and ``{{_base_.name}}``.
    names : dict, optional
        Variables visible to the expressions.

    Attributes
    ----------
    names : dict
        Variables by name.
    unresolved : list of Unresolved
        Every expression that could not be computed, in evaluation order.
    """

    def __init__(self, file: str, base: dict[str, Any] | None = None, names: dict[str, Any] | None = None) -> None:
        self.file = file
        self.base = base if base is not None else {}
        self.names: dict[str, Any] = dict(names or {})
        self.unresolved: list[Unresolved] = []
        self._scopes: list[dict[str, Any]] = []
        self._dispatch = self._handlers()
        self._work = 0

    # Expressions ----------------------------------------------------------------------------

    def evaluate(self, node: ast.expr) -> Any:
        """Return the value of ``node``, or an :class:`Unresolved` that records why there is none."""
        try:
            return self._value(node)
        except Unevaluable as failure:
            return failure.args[0]

    def _fail(self, node: ast.AST, reason: str) -> None:
        sentinel = Unresolved(self.file, getattr(node, "lineno", 0), ast.unparse(node), reason)
        self.unresolved.append(sentinel)
        logger.warning("%s:%d: cannot resolve %s (%s)", self.file, sentinel.line, sentinel.expression, reason)
        raise Unevaluable(sentinel)

    def _require(self, value: Any) -> Any:
        """Stop at the first operand that is itself unresolved, passing its sentinel on."""
        if isinstance(value, Unresolved):
            raise Unevaluable(value)
        return value

    def _value(self, node: ast.expr) -> Any:
        method = self._dispatch.get(type(node))
        if method is None:
            self._fail(node, f"{type(node).__name__} expressions are not evaluated")
        try:
            return method(node)
        except Unevaluable:
            raise
        except (ArithmeticError, TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError) as exc:
            self._fail(node, f"{type(exc).__name__}: {exc}")

    def _handlers(self) -> dict[type, Callable[[Any], Any]]:
        return {
            ast.Constant: self._constant,
            ast.Name: self._name,
            ast.Attribute: self._attribute,
            ast.Subscript: self._subscript,
            ast.Slice: self._slice,
            ast.Dict: self._dict,
            ast.List: self._list,
            ast.Tuple: self._tuple,
            ast.Set: self._set,
            ast.UnaryOp: self._unaryop,
            ast.BinOp: self._binop,
            ast.BoolOp: self._boolop,
            ast.Compare: self._compare,
            ast.IfExp: self._ifexp,
            ast.JoinedStr: self._joinedstr,
            ast.Call: self._call,
            ast.ListComp: self._listcomp,
            ast.SetComp: self._setcomp,
            ast.GeneratorExp: self._generatorexp,
            ast.DictComp: self._dictcomp,
        }

    def _constant(self, node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, str):
            reference = _BASE_REFERENCE.match(value)
            if reference:
                return self._base_path(reference[1], node)
            return _PREDEFINED.sub(lambda m: self._predefined(m[1]), value)
        return value

    def _predefined(self, name: str) -> str:
        directory, basename = os.path.split(self.file)
        stem, extension = os.path.splitext(basename)
        return {"fileDirname": directory, "fileBasename": basename, "fileBasenameNoExtension": stem, "fileExtname": extension}[name]

    def _base_path(self, dotted: str, node: ast.AST) -> Any:
        value: Any = self.base
        for part in dotted.split("."):
            if not isinstance(value, dict) or part not in value:
                self._fail(node, f"_base_.{dotted} is not defined by the base configs")
            value = value[part]
        return copy.deepcopy(value)

    def _name(self, node: ast.Name) -> Any:
        for scope in reversed(self._scopes):
            if node.id in scope:
                return scope[node.id]
        if node.id in self.names:
            value = self.names[node.id]
            self._spend(len(value) if isinstance(value, (list, tuple, dict, str)) else 1, node)
            return copy.deepcopy(value)
        if node.id == "_base_":
            return copy.deepcopy(self.base)
        self._fail(node, f"name {node.id!r} is not defined in this file")

    def _attribute(self, node: ast.Attribute) -> Any:
        owner = self._require(self._value(node.value))
        if isinstance(owner, dict) and node.attr in owner:
            return owner[node.attr]
        self._fail(node, f"no key {node.attr!r}")

    def _subscript(self, node: ast.Subscript) -> Any:
        owner = self._require(self._value(node.value))
        key = self._require(self._value(node.slice))
        if not isinstance(owner, (dict, list, tuple, str)):
            self._fail(node, f"cannot index a {type(owner).__name__}")
        return owner[key]

    def _slice(self, node: ast.Slice) -> slice:
        parts = [self._require(self._value(p)) if p is not None else None for p in (node.lower, node.upper, node.step)]
        return slice(*parts)

    def _dict(self, node: ast.Dict) -> dict:
        result: dict = {}
        for key_node, value_node in zip(node.keys, node.values):
            if key_node is None:
                spread = self._require(self._value(value_node))
                if not isinstance(spread, dict):
                    self._fail(value_node, "** needs a dict")
                result.update(spread)
                continue
            key = self._require(self._value(key_node))
            result[key] = self.evaluate(value_node)
        return result

    def _sequence(self, elements: list[ast.expr]) -> list:
        items: list = []
        for element in elements:
            if isinstance(element, ast.Starred):
                spread = self._require(self._value(element.value))
                if not isinstance(spread, (list, tuple)):
                    self._fail(element, "* needs a list or tuple")
                items.extend(spread)
            else:
                items.append(self.evaluate(element))
        return items

    def _list(self, node: ast.List) -> list:
        return self._sequence(node.elts)

    def _tuple(self, node: ast.Tuple) -> tuple:
        return tuple(self._sequence(node.elts))

    def _set(self, node: ast.Set) -> Any:
        # ``{{_base_.x}}`` written bare parses as a set holding a set holding ``_base_.x``.
        if len(node.elts) == 1 and isinstance(node.elts[0], ast.Set) and len(node.elts[0].elts) == 1:
            inner = node.elts[0].elts[0]
            dotted = _dotted_name(inner)
            if dotted and dotted.startswith("_base_."):
                return self._base_path(dotted[len("_base_."):], node)
        return set(self._require(v) for v in self._sequence(node.elts))

    def _unaryop(self, node: ast.UnaryOp) -> Any:
        operand = self._require(self._value(node.operand))
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return +operand
        if isinstance(node.op, ast.Not):
            return not operand
        self._fail(node, f"operator {type(node.op).__name__} is not evaluated")

    def _binop(self, node: ast.BinOp) -> Any:
        left = self._require(self._value(node.left))
        right = self._require(self._value(node.right))
        return self._binary(node.op, left, right, node)

    def _binary(self, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        left, right = self._require(left), self._require(right)
        if type(op) not in _BINARY:
            self._fail(node, f"operator {type(op).__name__} is not evaluated")
        if isinstance(op, ast.Pow) and isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
            self._fail(node, f"exponent {right} is larger than {MAX_EXPONENT}")
        if isinstance(op, ast.Mult):
            self._check_repeat(left, right, node)
        if isinstance(op, ast.Mod) and isinstance(left, str):
            arguments = right if isinstance(right, (tuple, dict)) else (right,)
            self._check_template(left, left.count("%"), arguments, node)
        result = _BINARY[type(op)](left, right)
        self._check_size(result, node)
        return result

    def _check_repeat(self, left: Any, right: Any, node: ast.AST) -> None:
        for sequence, count in ((left, right), (right, left)):
            if isinstance(sequence, (str, list, tuple)) and isinstance(count, int):
                if len(sequence) * count > MAX_SEQUENCE_LENGTH:
                    self._fail(node, f"the result would be longer than {MAX_SEQUENCE_LENGTH}")

    def _check_size(self, value: Any, node: ast.AST) -> None:
        if isinstance(value, (str, list, tuple)):
            if len(value) > MAX_SEQUENCE_LENGTH:
                self._fail(node, f"the result is longer than {MAX_SEQUENCE_LENGTH}")
            self._spend(len(value), node)

    def _spend(self, items: int, node: ast.AST) -> None:
        """Count work done for this file and stop once :data:`MAX_WORK` is used up."""
        self._work += items
        if self._work > MAX_WORK:
            self._fail(node, f"the file needs more than {MAX_WORK} items of work to evaluate")

    def _boolop(self, node: ast.BoolOp) -> Any:
        result: Any = None
        for value_node in node.values:
            result = self._require(self._value(value_node))
            if isinstance(node.op, ast.And) and not result:
                return result
            if isinstance(node.op, ast.Or) and result:
                return result
        return result

    def _compare(self, node: ast.Compare) -> bool:
        left = self._require(self._value(node.left))
        for op, comparator in zip(node.ops, node.comparators):
            right = self._require(self._value(comparator))
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    def _ifexp(self, node: ast.IfExp) -> Any:
        test = self._require(self._value(node.test))
        return self.evaluate(node.body if test else node.orelse)

    def _joinedstr(self, node: ast.JoinedStr) -> str:
        parts: list[str] = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                parts.append(str(part.value))
                continue
            value = self._require(self._value(part.value))
            if part.conversion == ord("r"):
                value = repr(value)
            elif part.conversion in (ord("s"), ord("a")):
                value = str(value)
            spec = self._require(self._value(part.format_spec)) if part.format_spec is not None else ""
            if _LARGE_WIDTH.search(spec):
                self._fail(part, "format widths of five digits or more are not evaluated")
            parts.append(format(value, spec))
            if sum(map(len, parts)) > MAX_SEQUENCE_LENGTH:
                self._fail(node, f"the string would be longer than {MAX_SEQUENCE_LENGTH}")
        return "".join(parts)

    def _call(self, node: ast.Call) -> Any:
        func = node.func
        if isinstance(func, ast.Name) and not self._is_bound(func.id):
            if func.id == "dict":
                args, kwargs = self._arguments(node, keep_unresolved=True)
                result = dict(self._require(args[0])) if args else {}
                result.update(kwargs)
                return result
            if func.id in SAFE_FUNCTIONS:
                args, kwargs = self._arguments(node)
                result = SAFE_FUNCTIONS[func.id](*args, **kwargs)
                self._check_size(result, node)
                return result
            self._fail(node, f"call to {func.id}() is not evaluated")
        if isinstance(func, ast.Attribute):
            owner = self._require(self._value(func.value))
            allowed = next((names for kind, names in SAFE_METHODS.items() if isinstance(owner, kind)), frozenset())
            if func.attr in allowed:
                args, kwargs = self._arguments(node)
                if func.attr == "format":
                    self._check_format(owner, [*args, *kwargs.values()], node)
                if func.attr == "join" and args:
                    self._check_join(owner, args[0], node)
                result = getattr(owner, func.attr)(*args, **kwargs)
                result = list(result) if func.attr in ("keys", "values", "items") else result
                self._check_size(result, node)
                return result
        self._fail(node, "call is not evaluated")

    def _check_format(self, template: str, arguments: list, node: ast.AST) -> None:
        fields = 0
        for _, field, spec, _ in string.Formatter().parse(template):
            if field is None:
                continue
            fields += 1
            if "." in field or "[" in field:
                self._fail(node, "format fields with attributes or indexes are not evaluated")
            if spec and _LARGE_WIDTH.search(spec):
                self._fail(node, "format widths of five digits or more are not evaluated")
        self._check_template(template, fields, arguments, node)

    def _check_template(self, template: str, fields: int, arguments: Any, node: ast.AST) -> None:
        """Reject a format whose result could exceed the length limit before building it."""
        if _LARGE_PERCENT_WIDTH.search(template):
            self._fail(node, "format widths of five digits or more are not evaluated")
        values = arguments.values() if isinstance(arguments, dict) else arguments
        longest = max((len(str(v)) for v in values), default=0)
        if len(template) + fields * longest > MAX_SEQUENCE_LENGTH:
            self._fail(node, f"the string would be longer than {MAX_SEQUENCE_LENGTH}")

    def _check_join(self, separator: str, items: Any, node: ast.AST) -> None:
        items = list(items) if isinstance(items, (list, tuple, set)) else []
        if sum(len(str(i)) for i in items) + len(separator) * len(items) > MAX_SEQUENCE_LENGTH:
            self._fail(node, f"the string would be longer than {MAX_SEQUENCE_LENGTH}")

    def _is_bound(self, name: str) -> bool:
        return name in self.names or any(name in scope for scope in self._scopes)

    def _arguments(self, node: ast.Call, keep_unresolved: bool = False) -> tuple[list, dict]:
        args = self._sequence(node.args)
        kwargs: dict = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                spread = self._require(self._value(keyword.value))
                if not isinstance(spread, dict):
                    self._fail(keyword.value, "** needs a dict")
                kwargs.update(spread)
            else:
                kwargs[keyword.arg] = self.evaluate(keyword.value)
        if not keep_unresolved:
            args = [self._require(a) for a in args]
            kwargs = {k: self._require(v) for k, v in kwargs.items()}
        return args, kwargs

    # Comprehensions -------------------------------------------------------------------------

    def _listcomp(self, node: ast.ListComp) -> list:
        return [self.evaluate(node.elt) for _ in self._bindings(node.generators, node)]

    def _setcomp(self, node: ast.SetComp) -> set:
        return {self._require(self._value(node.elt)) for _ in self._bindings(node.generators, node)}

    def _generatorexp(self, node: ast.GeneratorExp) -> list:
        # Consumed at once by the call around it (tuple(...), sum(...)), so a list is equivalent.
        return self._listcomp(node)  # type: ignore[arg-type]

    def _dictcomp(self, node: ast.DictComp) -> dict:
        return {
            self._require(self._value(node.key)): self.evaluate(node.value)
            for _ in self._bindings(node.generators, node)
        }

    def _bindings(self, generators: list[ast.comprehension], node: ast.AST) -> Iterator[None]:
        """Bind the comprehension targets for every combination that passes the ``if`` clauses."""
        count = 0
        self._scopes.append({})
        try:
            for _ in self._bind(generators, 0):
                count += 1
                self._spend(1, node)
                if count > MAX_SEQUENCE_LENGTH:
                    self._fail(node, f"the comprehension yields more than {MAX_SEQUENCE_LENGTH} items")
                yield None
        finally:
            self._scopes.pop()

    def _bind(self, generators: list[ast.comprehension], index: int) -> Iterator[None]:
        if index == len(generators):
            yield None
            return
        generator = generators[index]
        iterable = self._require(self._value(generator.iter))
        if isinstance(iterable, dict):
            iterable = list(iterable)
        if not isinstance(iterable, (list, tuple, str, set)):
            self._fail(generator.iter, "a comprehension needs a list, tuple, dict, set or string")
        for item in list(iterable):
            self._bind_target(generator.target, item)
            if all(self._require(self._value(test)) for test in generator.ifs):
                yield from self._bind(generators, index + 1)

    def _bind_target(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            self._scopes[-1][target.id] = value
            return
        if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (list, tuple)) and len(value) == len(target.elts):
            for element, item in zip(target.elts, value):
                self._bind_target(element, item)
            return
        self._fail(target, "the comprehension target cannot be bound")


def _dotted_name(node: ast.expr) -> str | None:
    """Return ``a.b.c`` for a chain of attribute accesses on a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))
