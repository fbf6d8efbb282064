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

from flake8_hybrid.analysis.names import module_constant

IntExpression = Optional[list]
_OPERATORS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul"}
#: Module constants defined by other constants, followed at most this deep (``A = B + 1``).
MAX_CONSTANT_DEPTH = 8
FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]


class Scope:
    """What a name means in an expression of one function (or of the module's own code)."""

    def __init__(self, tree: ast.Module, function: Optional[ast.AST], known: bool = True) -> None:
        """``function``: its node (a def or a lambda), or None for the module's code; ``known``:
        false for a function not found (its names are not followed, literals still are)."""
        self.tree = tree
        if not known:
            self.parameters: set = set()
            self.assigned: Optional[set] = None
        elif function is None:  # the module's code: its assignments are the module constants
            self.parameters = set()
            self.assigned = set()
        else:
            arguments = function.args
            self.parameters = {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}
            self.parameters |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None}
            # A lambda's names are not followed (its body assigns nothing, but it reads its
            # function's locals): unknown, as for any name the scope may bind at run time.
            self.assigned = None if isinstance(function, ast.Lambda) else {
                n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }

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
            if self.assigned is None or expr.id in self.assigned or depth >= MAX_CONSTANT_DEPTH:
                return None  # a local variable: not followed
            # A module constant, read as if written here (as the retracing facts always have).
            return self.expression(module_constant(self.tree, expr.id), depth + 1)
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
            stack.extend((child, prefix) for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt))
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
            stack.extend(reversed([c for c in ast.iter_child_nodes(node) if isinstance(c, ast.stmt)]))
    return found


def _is_range(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "range" \
        and 1 <= len(expr.args) <= 3 and not expr.keywords


class RangeFacts:
    """A module's range facts, worked out once per module: for the calls on a line, the bounds of
    the loop over ``range`` whose variable they pass; for each call, the integer expressions of
    its arguments; for each function, those of its parameters' defaults."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.defined = definitions(tree)
        self._by_qualname = {qualname: node for node, qualname in reversed(self.defined)}  # the first wins
        self._scopes: dict[str, Scope] = {}
        self._calls: dict[tuple, ast.Call] = {}
        self._passed: dict[int, set] = {}
        self.lambdas: dict[tuple, ast.Lambda] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Lambda):
                self.lambdas[node.lineno, node.col_offset] = node
            elif isinstance(node, ast.Call):
                self._calls.setdefault((node.lineno, node.col_offset), node)  # the first in walk order
                self._passed.setdefault(node.lineno, set()).update(
                    n.id for argument in [*node.args, *(k.value for k in node.keywords)]
                    for n in ast.walk(argument) if isinstance(n, ast.Name)
                )
        self._loops = [(loop, qualname) for loop, qualname in _loops(tree, self.defined) if
                       isinstance(loop.target, ast.Name)]

    def scope(self, qualname: str, node: Optional[ast.AST] = None) -> Scope:
        """The scope of the function ``qualname`` ("<module>": the module's code); ``node``: a
        lambda's node (lambdas have no qualname to find them by)."""
        if qualname not in self._scopes:
            function = node if node is not None else self._by_qualname.get(qualname)
            self._scopes[qualname] = Scope(self.tree, function, known=function is not None or qualname == "<module>")
        return self._scopes[qualname]

    def range_bounds(self, line: int) -> Optional[list]:
        """[the qualname of the function holding the loop, an expression per bound] of the
        innermost loop over ``range`` around ``line`` whose variable the calls on that line pass;
        None when that loop is not over a range (or there is none)."""
        passed = self._passed.get(line, set())
        found = None
        for loop, qualname in self._loops:
            if loop.lineno <= line <= (loop.end_lineno or loop.lineno) and loop.target.id in passed:
                found = (loop, qualname)  # outer loops come first: the last is innermost
        if found is None or not _is_range(found[0].iter):
            return None
        loop, qualname = found
        scope = self.scope(qualname)
        return [qualname, [scope.expression(bound) for bound in loop.iter.args]]

    def arguments(self, line: int, col: int, scope: Scope) -> dict:
        """The integer expressions of the arguments of the call at (line, col), by position ("0",
        "1" ...) or keyword, evaluated in ``scope`` (the calling function's); unknown ones left out."""
        node = self._calls.get((line, col))
        if node is None:
            return {}
        found = {str(index): scope.expression(argument) for index, argument in enumerate(node.args)}
        found.update((k.arg, scope.expression(k.value)) for k in node.keywords if k.arg is not None)
        return {key: expression for key, expression in found.items() if expression is not None}

    def defaults(self, qualname: str) -> dict:
        """The integer expressions of the defaults of function ``qualname``'s parameters (in its
        own scope), by name; none for a lambda, whose node has no qualname to find it by."""
        function = self._by_qualname.get(qualname)
        if function is None:
            return {}
        arguments = function.args
        positional = [*arguments.posonlyargs, *arguments.args]
        pairs = list(zip([a.arg for a in positional[len(positional) - len(arguments.defaults):]], arguments.defaults))
        pairs += [(a.arg, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d is not None]
        scope = self.scope(qualname)
        found = {name: scope.expression(default) for name, default in pairs}
        return {name: expression for name, expression in found.items() if expression is not None}


def add_range_facts(summary, tree: ast.Module) -> None:
    """Give a module summary's calls and parameters what the count of a loop over ``range`` needs:
    the integer expressions of calls' arguments and of parameters' defaults, and for a call in a
    loop, the bounds of the range loop whose variable it passes."""
    facts = RangeFacts(tree)
    for function in summary.functions:
        lambda_node = facts.lambdas.get((function.line, function.col)) if "<lambda#" in function.qualname else None
        scope = facts.scope(function.qualname, lambda_node)
        for call in function.calls:
            if call.col >= 0:
                call.int_arguments = facts.arguments(call.line, call.col, scope)
            if call.in_loop:
                call.range_loop = facts.range_bounds(call.line)
        if lambda_node is None:
            defaults = facts.defaults(function.qualname)
            for parameter in function.parameters:
                parameter.int_default = defaults.get(parameter.name)
