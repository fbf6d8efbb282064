"""Scope-aware name resolution: which expressions name TensorFlow APIs.

One pass over a module builds its scopes (module, class, function, lambda,
comprehension) and every binding in them.  ``qualified_name(expr)`` then
answers what a dotted expression refers to, e.g. ``tf.function`` ->
``tensorflow.function``, following Python's own lookup rules: the nearest
enclosing scope that binds the name wins, class bodies are invisible to nested
functions, ``global``/``nonlocal`` redirect, and ``from tensorflow import *``
only supplies names that no scope binds.

Resolution is syntactic and never imports anything.  Within a scope it is
order-aware: a use sees the last binding written before it (so a user's own
``def function`` shadows ``from tensorflow import function`` from there on), and
bindings in ``except`` handlers are fallbacks (``except ImportError: tf =
None``) that do not hide the import they stand in for.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional, Union

Position = tuple[int, int]
FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda]


@dataclass
class Binding:
    name: str
    node: ast.AST
    position: Position
    #: Dotted name of what an import binds (``tensorflow.function``); None for
    #: every other kind of binding.
    imported: Optional[str] = None
    #: Bound inside an ``except`` handler: a fallback for a failed import.
    fallback: bool = False


@dataclass
class Scope:
    kind: str  # "module" | "class" | "function" | "lambda" | "comprehension"
    node: ast.AST
    parent: Optional["Scope"]
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)
    nonlocal_names: set[str] = field(default_factory=set)
    star_imports: list[str] = field(default_factory=list)

    def bind(self, binding: Binding) -> None:
        self.bindings.setdefault(binding.name, []).append(binding)

    def enclosing_for_lookup(self) -> Optional["Scope"]:
        """The next scope a free name is looked up in (class bodies are skipped)."""
        scope = self.parent
        while scope is not None and scope.kind == "class":
            scope = scope.parent
        return scope

    @property
    def module(self) -> "Scope":
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope


def _position(node: ast.AST) -> Position:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


class _ScopeBuilder(ast.NodeVisitor):
    """Walks a module once, recording scopes, bindings and the scope of each load."""

    def __init__(self, tree: ast.Module) -> None:
        self.module = Scope("module", tree, None)
        self.scope = self.module
        self.scope_of_load: dict[int, Scope] = {}
        self.scope_of_def: dict[int, Scope] = {}
        self.except_depth = 0

    # -- helpers -----------------------------------------------------------
    def _bind(self, name: str, node: ast.AST, imported: Optional[str] = None) -> None:
        target = self.scope
        if name in target.global_names:
            target = self.module
        elif name in target.nonlocal_names:
            target = self._nonlocal_target(name, target)
        target.bind(Binding(name, node, _position(node), imported, self.except_depth > 0))

    def _nonlocal_target(self, name: str, scope: Scope) -> Scope:
        enclosing = scope.enclosing_for_lookup()
        first = enclosing
        while enclosing is not None and enclosing.kind != "module":
            if name in enclosing.bindings:
                return enclosing
            enclosing = enclosing.enclosing_for_lookup()
        return first or self.module

    def _in_scope(self, kind: str, node: ast.AST, body: Callable[[], None]) -> None:
        outer = self.scope
        self.scope = Scope(kind, node, outer)
        self.scope_of_def[id(node)] = self.scope
        saved_except, self.except_depth = self.except_depth, 0
        try:
            body()
        finally:
            self.scope = outer
            self.except_depth = saved_except

    def _visit_all(self, nodes: object) -> None:
        for node in nodes or ():  # type: ignore[union-attr]
            if node is not None:
                self.visit(node)

    def _bind_arguments(self, args: ast.arguments) -> None:
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                self._bind(arg.arg, arg)

    def _visit_argument_annotations_and_defaults(self, args: ast.arguments) -> None:
        self._visit_all(args.defaults)
        self._visit_all(args.kw_defaults)
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None and arg.annotation is not None:
                self.visit(arg.annotation)

    # -- scopes ------------------------------------------------------------
    def visit_FunctionDef(self, node: Union[ast.FunctionDef, ast.AsyncFunctionDef]) -> None:
        # Decorators, defaults and annotations run in the enclosing scope.
        self._visit_all(node.decorator_list)
        self._visit_argument_annotations_and_defaults(node.args)
        if node.returns is not None:
            self.visit(node.returns)
        self._bind(node.name, node)

        def body() -> None:
            self._bind_arguments(node.args)
            self._visit_all(node.body)

        self._in_scope("function", node, body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._visit_argument_annotations_and_defaults(node.args)

        def body() -> None:
            self._bind_arguments(node.args)
            self.visit(node.body)

        self._in_scope("lambda", node, body)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._visit_all(node.decorator_list)
        self._visit_all(node.bases)
        self._visit_all(node.keywords)
        self._bind(node.name, node)
        self._in_scope("class", node, lambda: self._visit_all(node.body))

    def _visit_comprehension(self, node: ast.AST, elements: list[ast.AST]) -> None:
        generators: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        # The first iterable is evaluated in the enclosing scope.
        self.visit(generators[0].iter)

        def body() -> None:
            for index, generator in enumerate(generators):
                if index:
                    self.visit(generator.iter)
                self.visit(generator.target)
                self._visit_all(generator.ifs)
            self._visit_all(elements)

        self._in_scope("comprehension", node, body)

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._visit_comprehension(node, [node.elt])

    visit_SetComp = visit_ListComp
    visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._visit_comprehension(node, [node.key, node.value])

    # -- bindings ----------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self._bind(alias.asname, node, alias.name)
            else:
                # ``import a.b.c`` binds ``a``.
                top = alias.name.split(".", 1)[0]
                self._bind(top, node, top)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = ("." * node.level) + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                self.scope.star_imports.append(module)
                continue
            separator = "" if module.endswith(".") else "."
            self._bind(alias.asname or alias.name, node, f"{module}{separator}{alias.name}")

    def visit_Global(self, node: ast.Global) -> None:
        self.scope.global_names.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.scope.nonlocal_names.update(node.names)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.scope_of_load[id(node)] = self.scope
        else:
            self._bind(node.id, node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        # An assignment expression binds in the nearest non-comprehension scope.
        outer = self.scope
        while self.scope.kind == "comprehension" and self.scope.parent is not None:
            self.scope = self.scope.parent
        try:
            self._bind(node.target.id, node.target)
        finally:
            self.scope = outer

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        self.except_depth += 1
        try:
            if node.name:
                self._bind(node.name, node)
            self._visit_all(node.body)
        finally:
            self.except_depth -= 1

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.pattern is not None:
            self.visit(node.pattern)
        if node.name:
            self._bind(node.name, node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self._bind(node.name, node)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        self._visit_all(node.keys)
        self._visit_all(node.patterns)
        if node.rest:
            self._bind(node.rest, node)


class ModuleNames:
    """The scopes and bindings of one module, and lookups over them."""

    def __init__(
        self,
        tree: ast.Module,
        canonical: Callable[[str], str] = lambda name: name,
        star_exports: Callable[[str], frozenset[str]] = lambda module: frozenset(),
    ) -> None:
        builder = _ScopeBuilder(tree)
        builder.visit(tree)
        self.module_scope = builder.module
        self._scope_of_load = builder.scope_of_load
        self._scope_of_def = builder.scope_of_def
        self._canonical = canonical
        self._star_exports = star_exports

    # -- lookups -----------------------------------------------------------
    def scope_of(self, function: ast.AST) -> Optional[Scope]:
        """The scope a function, lambda, class or comprehension opens."""
        return self._scope_of_def.get(id(function))

    def binding_of(self, name: ast.Name) -> Optional[Binding]:
        """The binding a loaded name refers to, or None for builtins and unknowns."""
        scope = self._scope_of_load.get(id(name))
        if scope is None:
            return None
        return self._lookup(name.id, scope, _position(name))

    def _lookup(self, name: str, scope: Scope, use: Position) -> Optional[Binding]:
        start = scope
        if name in scope.global_names:
            scope = scope.module
        while scope is not None:
            bindings = scope.bindings.get(name)
            if bindings and name not in scope.nonlocal_names:
                return _choose(bindings, use if scope is start else None)
            scope = scope.enclosing_for_lookup()  # type: ignore[assignment]
        return None

    def qualified_name(self, expr: ast.AST) -> Optional[str]:
        """Canonical dotted name an expression refers to through imports, else None.

        ``tf.compat.v2.function`` -> ``tensorflow.function``; a name bound by
        anything other than an import (an assignment, a parameter, a ``def``)
        resolves to None.
        """
        attributes: list[str] = []
        while isinstance(expr, ast.Attribute):
            attributes.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None
        root = self._root_name(expr)
        if root is None:
            return None
        return self._canonical(".".join([root, *reversed(attributes)]))

    def _root_name(self, name: ast.Name) -> Optional[str]:
        scope = self._scope_of_load.get(id(name))
        if scope is None:
            return None
        binding = self._lookup(name.id, scope, _position(name))
        if binding is not None:
            return binding.imported
        for module in self.module_scope.star_imports:
            if name.id in self._star_exports(module):
                return f"{module}.{name.id}"
        return None

    def imported_modules(self) -> Iterator[str]:
        """Every module name this module imports from, at any depth."""
        yield from self.module_scope.star_imports
        for scope in (self.module_scope, *self._scope_of_def.values()):
            for bindings in scope.bindings.values():
                for binding in bindings:
                    if binding.imported:
                        yield binding.imported


def _choose(bindings: list[Binding], use: Optional[Position]) -> Binding:
    """The binding a use at ``use`` sees (``None``: a use from a nested scope)."""
    candidates = [b for b in bindings if not b.fallback] or bindings
    if use is not None:
        before = [b for b in candidates if b.position < use]
        if before:
            return before[-1]
    return candidates[-1]
