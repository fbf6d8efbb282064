"""How many values a loop over ``range(...)`` gives, as summary facts (HYB201's counts).

A call in a loop whose variable it passes retraces its ``tf.function`` once per value: how many
values that is depends on the loop's bounds, and a bound may be a literal, a module constant, or
a parameter whose value the callers pass. The summary writes each such thing as a small integer
expression over the function's parameters (``IntExpression``), and the retracing facts
(``retracing.py``) evaluate the expressions with what the project's callers pass, from the
summaries alone: no syntax tree is read again once a module is summarized.

- ``["int", n]``; ``["neg", e]``; ``["add" | "sub" | "mul", a, b]``;
- ``["param", name]``: a parameter of the function the expression belongs to;
- None: anything else (a local variable, a call, a float...): not known.

Module summaries floor: a pure function of one syntax tree.
"""

from __future__ import annotations

import ast
from typing import Optional, Union

from flake8_hybrid.analysis.names import statement_children, walk_without_operators

IntExpression = Optional[list]
_OPERATORS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul"}
#: Module constants defined by other constants, followed at most this deep (``A = B + 1``).
MAX_CONSTANT_DEPTH = 8
FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]


class Scope:
    """What a name means in an expression of one function (or of the module's own code)."""

    def __init__(self, constants: dict, function: Optional[ast.AST], known: bool = True) -> None:
        """``constants``: the module's (``module_constants``); ``function``: its node (a def or a
        lambda), or None for the module's code; ``known``: false for a function not found (its
        names are not followed, literals still are)."""
        self.constants = constants
        self.function = function
        self._assigned: Optional[set] = None
        self.follows_names = known and not isinstance(function, ast.Lambda)
        if function is None or not known:
            self.parameters: set = set()
        else:
            arguments = function.args
            self.parameters = {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}
            self.parameters |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None}

    def _local(self, name: str) -> bool:
        """Whether the function binds ``name`` itself (the module's code binds none: its
        assignments are the module constants)."""
        if self.function is None:
            return False
        if self._assigned is None:  # worked out when first asked: most scopes never are
            self._assigned = {n.id for n in walk_without_operators(self.function)
                              if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        return name in self._assigned

    def expression(self, expr: Optional[ast.AST], depth: int = 0) -> IntExpression:
        """``expr`` as an integer expression over this scope's parameters, or None."""
        if isinstance(expr, ast.Constant) and type(expr.value) is int:
            return ["int", expr.value]
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
            operand = self.expression(expr.operand, depth)
            return ["neg", operand] if operand is not None else None
        if isinstance(expr, ast.BinOp) and type(expr.op) in _OPERATORS:
            left, right = self.expression(expr.left, depth), self.expression(expr.right, depth)
            return [_OPERATORS[type(expr.op)], left, right] if left is not None and right is not None else None
        if isinstance(expr, ast.Name):
            if expr.id in self.parameters:
                return ["param", expr.id]
            # A lambda's names are not followed (it reads its function's locals), nor a local
            # variable's. A module constant is read as if written here.
            constant = self.constants.get(expr.id)
            if constant is None or not self.follows_names or depth >= MAX_CONSTANT_DEPTH or self._local(expr.id):
                return None
            return self.expression(constant, depth + 1)
        return None


def range_length(bounds: list) -> Optional[int]:
    """``len(range(*bounds))``; None where it has no answer (no or too many bounds, a zero step,
    a length too large for ``len``: ``range(10**30)``)."""
    if not 1 <= len(bounds) <= 3:
        return None
    try:
        return len(range(*bounds))
    except (ValueError, OverflowError):
        return None


def definitions(tree: ast.Module) -> list:
    """Every function definition with its ``__qualname__`` (``C.m``, ``f.<locals>.g``)."""
    found = []
    stack = [(node, "") for node in tree.body]
    while stack:
        node, prefix = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            qualname = prefix + node.name
            found.append((node, qualname))
            stack.extend((child, qualname + ".<locals>.") for child in node.body)
        elif isinstance(node, ast.ClassDef):
            stack.extend((child, prefix + node.name + ".") for child in node.body)
        else:
            stack.extend((child, prefix) for child in statement_children(node) if isinstance(child, ast.stmt))
    return found


def _loops(tree: ast.Module, defined: list) -> list:
    """Every ``for`` loop with the qualname of the function whose body holds it ("<module>" at
    the top), outer loops before the loops inside them."""
    found = []
    for scope, qualname in [(tree, "<module>")] + defined:
        stack = list(reversed(scope.body))
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue  # its own scope
            if isinstance(node, (ast.For, ast.AsyncFor)):
                found.append((node, qualname))
            stack.extend(reversed([c for c in statement_children(node) if isinstance(c, ast.stmt)]))
    return found


def _is_range(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "range" \
        and 1 <= len(expr.args) <= 3 and not expr.keywords


class RangeFacts:
    """A module's range facts, worked out once per module: for the calls on a line, the bounds of
    the loop over ``range`` whose variable they pass; for each call, the integer expressions of
    its arguments; for each function, those of its parameters' defaults."""

    def __init__(self, tree: ast.Module, calls: list, constants: dict, range_loops: bool) -> None:
        """``calls``: the call nodes the summary records; ``constants``: ``names.module_constants``;
        ``range_loops``: whether the summarizer met a loop over ``range`` (most modules have none)."""
        self.tree = tree
        self.calls = calls
        self.constants = constants
        self._scopes: dict[int, Scope] = {}
        self._loops: Optional[list] = None if range_loops else []  # (worked out when a call in a loop asks)

    def scope(self, node: ast.AST) -> Scope:
        """The scope of a function's node (a def, a lambda, or the module: its own code)."""
        if id(node) not in self._scopes:
            self._scopes[id(node)] = Scope(self.constants, None if isinstance(node, ast.Module) else node)
        return self._scopes[id(node)]

    def range_bounds(self, line: int) -> Optional[list]:
        """[the qualname of the function holding the loop, an expression per bound] of the
        innermost loop over ``range`` around ``line`` whose variable the calls on that line pass
        (those the summary records); None when that loop is not over a range (or there is none)."""
        if self._loops is None:
            self._find_loops()
        if not self._loops:
            return None
        passed = {n.id for call in self._line_calls.get(line, ())
                  for argument in [*call.args, *(k.value for k in call.keywords)]
                  for n in ast.walk(argument) if isinstance(n, ast.Name)}
        found = None
        for loop, qualname in self._loops:
            if loop.lineno <= line <= (loop.end_lineno or loop.lineno) and loop.target.id in passed:
                found = (loop, qualname)  # outer loops come first: the last is innermost
        if found is None or not _is_range(found[0].iter):
            return None
        loop, qualname = found
        function = self._by_qualname.get(qualname)
        scope = self.scope(function) if function is not None or qualname == "<module>" else _UNKNOWN
        return [qualname, [scope.expression(bound) for bound in loop.iter.args]]

    def _find_loops(self) -> None:
        defined = definitions(self.tree)
        self._by_qualname = {qualname: node for node, qualname in reversed(defined)}  # the first wins
        self._by_qualname["<module>"] = self.tree
        loops = [(loop, qualname) for loop, qualname in _loops(self.tree, defined) if isinstance(loop.target, ast.Name)]
        # Without a loop over range, no call has one around it: most modules.
        self._loops = loops if any(_is_range(loop.iter) for loop, _qualname in loops) else []
        self._line_calls: dict[int, list] = {}
        for node in self.calls if self._loops else ():
            self._line_calls.setdefault(node.lineno, []).append(node)


def int_arguments(call: ast.Call, scope: Scope) -> dict:
    """The integer expressions of a call's arguments, by position ("0", "1" ...) or keyword, in
    ``scope`` (the calling function's); unknown ones left out."""
    found = {str(index): scope.expression(argument) for index, argument in enumerate(call.args)}
    found.update((k.arg, scope.expression(k.value)) for k in call.keywords if k.arg is not None)
    return {key: expression for key, expression in found.items() if expression is not None}


def int_defaults(function: ast.AST, scope: Scope) -> dict:
    """The integer expressions of a def's parameters' defaults (in its own scope), by name."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    pairs = list(zip([a.arg for a in positional[len(positional) - len(arguments.defaults):]], arguments.defaults))
    pairs += [(a.arg, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d is not None]
    found = {name: scope.expression(default) for name, default in pairs}
    return {name: expression for name, expression in found.items() if expression is not None}


def add_range_facts(summary, tree: ast.Module, nodes: dict, constants: dict) -> None:
    """Give a module summary's calls and parameters what the count of a loop over ``range`` needs:
    the integer expressions of calls' arguments and of parameters' defaults, and for a call in a
    loop, the bounds of the range loop whose variable it passes. ``nodes``: the summarizer's
    syntax node of each function summary, call site and loop over ``range``, by id;
    ``constants``: the module's (``names.module_constants``)."""
    calls = [node for node in nodes.values() if isinstance(node, ast.Call)]
    range_loops = any(isinstance(node, (ast.For, ast.AsyncFor)) for node in nodes.values())
    facts = RangeFacts(tree, calls, constants, range_loops)
    for function in summary.functions:
        node = nodes.get(id(function))
        if node is None:
            continue
        scope = facts.scope(node)
        for call in function.calls:
            if id(call) in nodes:
                call.int_arguments = int_arguments(nodes[id(call)], scope)
            if call.in_loop:
                call.range_loop = facts.range_bounds(call.line)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):  # (a lambda's defaults are not followed)
            defaults = int_defaults(node, scope)
            for parameter in function.parameters:
                parameter.int_default = defaults.get(parameter.name)


_UNKNOWN = Scope({}, None, known=False)
