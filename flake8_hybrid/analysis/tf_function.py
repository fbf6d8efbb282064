"""Where a module uses ``tf.function``, with which arguments, on which function.

Recognised forms, under any import spelling the name resolver accepts::

    @tf.function                      # bare decorator
    @tf.function(jit_compile=True)    # called decorator
    g = tf.function(f, ...)           # wrapping call (also lambdas, self.method)
    g = tf.function(...)(f)           # called, then applied

Arguments are mapped to ``tf.function``'s parameters in TF's positional order
(``func, input_signature, autograph, ...``), as TensorFlow itself binds them.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field
from typing import Callable, Optional, Union

from flake8_hybrid.analysis.api_model import ApiModel
from flake8_hybrid.analysis.lines import lines_with, names_for, spans_any
from flake8_hybrid.analysis.names import FunctionNode, ModuleNames, child_nodes

DefNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]


@dataclass
class TfFunctionSite:
    #: The decorator expression, or the ``tf.function(...)`` call.
    node: ast.expr
    #: The call that carries the arguments; None for a bare decorator.
    call: Optional[ast.Call]
    #: The function being turned into a graph function, when it can be found.
    target: Optional[FunctionNode]
    #: Whether the target is called bound (a method through ``self``), so its
    #: first parameter is not part of the signature.
    bound: bool
    #: TF parameter name -> the argument expression given for it.
    arguments: dict[str, ast.expr] = field(default_factory=dict)
    #: TF parameter name -> the keyword node, for keyword arguments.
    keywords: dict[str, ast.keyword] = field(default_factory=dict)
    #: Arguments TF would reject: ``(node, kind, detail)`` with kind
    #: ``unknown`` (detail: the keyword), ``twice`` (detail: the parameter) or
    #: ``surplus`` (a positional argument past the last parameter).
    invalid: list[tuple[ast.AST, str, str]] = field(default_factory=list)

    @property
    def is_decorator(self) -> bool:
        return isinstance(self.target, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
            self.node in self.target.decorator_list
        )

    def literal(self, parameter: str) -> object:
        """The constant value given for ``parameter``; ``...`` when absent or not a literal."""
        value = self.arguments.get(parameter)
        return value.value if isinstance(value, ast.Constant) else ...

    @property
    def target_name(self) -> str:
        if isinstance(self.target, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self.target.name
        return "<lambda>"


def signature_parameters(site: TfFunctionSite) -> Optional[list[ast.arg]]:
    """The target's positional parameters that ``input_signature`` describes."""
    if site.target is None:
        return None
    parameters = [*site.target.args.posonlyargs, *site.target.args.args]
    return parameters[1:] if site.bound else parameters


def find_tf_function_sites(
    tree: ast.Module,
    names: Union[ModuleNames, Callable[[], ModuleNames]],
    api: ApiModel,
    source: Optional[str] = None,
) -> list[TfFunctionSite]:
    """Every ``tf.function`` site of the module, in source order.

    ``names`` may be a function that makes them: it is called only when an expression
    may name tf.function.  Given the module's ``source``, the search skips the statements
    whose lines spell no name of it: in tf-models-official, 9 in 10 modules that say
    "function" have no site, and now need neither a walk of every node nor the names.
    """
    finder = _SiteFinder(names if callable(names) else (lambda: names), api)
    if source is not None:
        finder.spellings = names_for(api, source, [api.tf_function_name])
        finder.lines = lines_with(source, finder.spellings, whole_words=True)
    finder.search(tree)
    return finder.sites


#: Where the search leaves a class body (pushed before the body's nodes, so popped after them).
_LEAVE_CLASS = object()


class _SiteFinder:
    def __init__(self, make_names: Callable[[], ModuleNames], api: ApiModel) -> None:
        self._make_names = make_names
        self.api = api
        #: The last word of every spelling of tf.function: an attribute ending in another word is not it.
        self.last_words = api.last_words(api.tf_function_name)
        #: Every name that can refer to tf.function (None: any name may).
        self.spellings: Optional[frozenset[str]] = None
        #: The lines where one of those names stands, ascending (None: any line may hold a site).
        self.lines: Optional[list[int]] = None
        self.sites: list[TfFunctionSite] = []
        self.classes: list[ast.ClassDef] = []
        self.handled_calls: set[int] = set()

    @functools.cached_property
    def names(self) -> ModuleNames:
        return self._make_names()

    def search(self, tree: ast.AST) -> None:
        """Every node, depth first in source order (as ``ast.NodeVisitor`` goes), without recursing.

        A statement on lines where no name of tf.function stands holds no site: it is skipped whole."""
        stack: list = [tree]
        while stack:
            node = stack.pop()
            if node is _LEAVE_CLASS:
                self.classes.pop()
                continue
            if self.lines is not None and isinstance(node, ast.stmt) and not spans_any(node, self.lines):
                continue
            kind = type(node)
            if kind is ast.Call:
                self.visit_call(node)
            elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                self.visit_function(node)
            elif kind is ast.ClassDef:
                self.classes.append(node)
                stack.append(_LEAVE_CLASS)
            children = child_nodes(node)
            children.reverse()
            stack.extend(children)

    def is_tf_function(self, expr: ast.AST) -> bool:
        # Only an attribute or a name can be, spelled as it may be (most calls: no name lookup for them).
        if isinstance(expr, ast.Attribute):
            if expr.attr not in self.last_words:
                return False
        elif not isinstance(expr, ast.Name) or (self.spellings is not None and expr.id not in self.spellings):
            return False
        return self.names.qualified_name(expr) == self.api.tf_function_name

    # -- decorators --------------------------------------------------------
    def visit_function(self, node: DefNode) -> None:
        for decorator in node.decorator_list:
            if self.is_tf_function(decorator):
                self.sites.append(TfFunctionSite(decorator, None, node, self._bound(node)))
            elif isinstance(decorator, ast.Call) and self.is_tf_function(decorator.func):
                self.handled_calls.add(id(decorator))
                self._add(decorator, decorator, node, self._bound(node))

    def _bound(self, node: DefNode) -> bool:
        """A method called through its instance (not a static method): its first parameter is not an argument."""
        in_class = bool(self.classes) and node in self.classes[-1].body
        static = any(_is_name(d, "staticmethod") and self.names.qualified_name(d) is None for d in node.decorator_list)
        return in_class and not static

    # -- calls -------------------------------------------------------------
    def visit_call(self, node: ast.Call) -> None:
        inner = node.func
        if isinstance(inner, ast.Call) and id(inner) not in self.handled_calls and self.is_tf_function(inner.func) \
                and not _names_a_function(inner):
            # tf.function(...)(f): the outer call supplies the function (tf.function(f)(x) calls f's graph).
            self.handled_calls.add(id(inner))
            function = node.args[0] if node.args else None
            target, bound = self._resolve_target(function)
            self._add(inner, inner, target, bound)
        elif id(node) not in self.handled_calls and self.is_tf_function(node.func):
            self.handled_calls.add(id(node))
            site = self._add(node, node, None, False)
            site.target, site.bound = self._resolve_target(site.arguments.get("func"))

    def _resolve_target(self, expr: Optional[ast.AST]) -> tuple[Optional[FunctionNode], bool]:
        if isinstance(expr, ast.Lambda):
            return expr, False
        if isinstance(expr, ast.Name):
            binding = self.names.binding_of(expr)
            if binding is not None and isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return binding.node, False
        if (
            isinstance(expr, ast.Attribute)
            and isinstance(expr.value, ast.Name)
            and expr.value.id == "self"
            and self.classes
        ):
            for statement in self.classes[-1].body:
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name == expr.attr:
                    return statement, True
        return None, False

    def _add(
        self, node: ast.expr, call: ast.Call, target: Optional[FunctionNode], bound: bool
    ) -> TfFunctionSite:
        site = TfFunctionSite(node, call, target, bound)
        _bind_arguments(site, call, self.api)
        self.sites.append(site)
        return site


def _names_a_function(call: ast.Call) -> bool:
    """``tf.function(f, ...)`` or ``tf.function(func=f)``: the call wraps a function already."""
    return bool(call.args) and not isinstance(call.args[0], ast.Starred) or any(k.arg == "func" for k in call.keywords)


def _is_name(expr: ast.AST, name: str) -> bool:
    return isinstance(expr, ast.Name) and expr.id == name


def _bind_arguments(site: TfFunctionSite, call: ast.Call, api: ApiModel) -> None:
    parameters = api.tf_function_parameters
    for position, argument in enumerate(call.args):
        if isinstance(argument, ast.Starred):
            return  # *args: positions past here are unknown
        if position >= len(parameters):
            site.invalid.append((argument, "surplus", ""))
            continue
        site.arguments[parameters[position].name] = argument
    for keyword in call.keywords:
        if keyword.arg is None:
            continue  # **options: unknown
        if api.tf_function_parameter(keyword.arg) is None:
            site.invalid.append((keyword, "unknown", keyword.arg))
        elif keyword.arg in site.arguments:
            site.invalid.append((keyword, "twice", keyword.arg))
        else:
            site.arguments[keyword.arg] = keyword.value
            site.keywords[keyword.arg] = keyword
