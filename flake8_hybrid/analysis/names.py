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
from types import FunctionType
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
    #: What a plain assignment gives the name (``x = <value>``, ``x: T = <value>``); None otherwise.
    value: Optional[ast.expr] = None


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


def child_nodes(node: ast.AST) -> list:
    """``list(ast.iter_child_nodes(node))``, without its two layers of generators
    (the analysis asks for the children of every node of every module)."""
    return _children(node, node._fields)


def _children(node: ast.AST, fields: tuple[str, ...]) -> list:
    """``child_nodes(node)``, from these fields only."""
    children = []
    for name in fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            children.append(value)
        elif isinstance(value, list):
            children.extend([item for item in value if isinstance(item, ast.AST)])
    return children


#: The fields that hold statements (or the except handlers and match cases that hold them).
_STATEMENT_FIELDS = frozenset({"body", "orelse", "finalbody", "handlers", "cases"})
#: Node type -> its fields that hold statements, in ``_fields`` order.
_statement_fields: dict[type, tuple[str, ...]] = {}


def statement_children(node: ast.AST) -> list:
    """The statements right under ``node`` (or the except handlers and match cases that hold some),
    in ``ast.iter_child_nodes`` order."""
    kind = type(node)
    fields = _statement_fields.get(kind)
    if fields is None:
        fields = _statement_fields[kind] = tuple(f for f in kind._fields if f in _STATEMENT_FIELDS)
    children = []
    for name in fields:
        value = getattr(node, name)
        if isinstance(value, list):  # (a lambda's or an if-expression's body is one expression)
            children.extend(value)
    return children


def statements(node: ast.AST) -> list:
    """``node`` and every statement under it (with the except handlers and match cases
    that hold some), in ``ast.walk`` order: a tenth of a module's nodes.

    No expression holds a statement, so the walk never looks at one: the statements come
    in the order of a walk of every node, without the other nine tenths."""
    nodes = [node]
    for current in nodes:  # grows while it is read, as in ``walk``
        nodes.extend(statement_children(current))
    return nodes


def walk(node: ast.AST) -> list:
    """``list(ast.walk(node))``: the same nodes in the same (breadth-first) order, faster."""
    nodes = [node]
    for current in nodes:  # grows while it is read: each node's children join the end
        nodes.extend(child_nodes(current))
    return nodes


#: A step of the scope builder: a node to visit, or an action to run (or None: nothing to do).
Work = Union[ast.AST, Callable[[], None], None]
#: The type of the builder's actions (closures and lambdas): told apart from nodes by type alone.
_ACTION = FunctionType
#: Fields that hold only operator and context nodes (``Load``, ``Store``, ``Add``, ``Eq`` ...):
#: nothing in them binds or loads a name, and they are a third of a module's nodes. The
#: scope builder does not visit them.
_INERT_FIELDS = frozenset({"ctx", "op", "ops"})


def module_constant(tree: ast.Module, name: str) -> Optional[ast.expr]:
    """The value a module assigns ``name`` at its top level, when it does so exactly once
    (``EPOCHS = 100``), or None."""
    return module_constants(tree).get(name)


def module_constants(tree: ast.Module) -> dict:
    """Each name the module assigns exactly once at its top level -> the value (the summary
    asks for all of them at once; a rule for one)."""
    values: dict = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            for name in {t.id for t in statement.targets if isinstance(t, ast.Name)}:
                values.setdefault(name, []).append(statement.value)
    return {name: found[0] for name, found in values.items() if len(found) == 1}


def _scoped_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node type whose nodes the scope builder visits, in ``_fields`` order."""
    if not issubclass(kind, ast.AST) or kind is ast.Constant or kind is ast.Name:
        return ()  # not a node (None, a string), a Python constant, or a name and its context
    return tuple(name for name in kind._fields if name not in _INERT_FIELDS)


#: Node type -> its ``_scoped_fields``, filled in as types are met.
_fields_of_type: dict[type, tuple[str, ...]] = {}


def walk_without_operators(node: ast.AST) -> list:
    """``walk(node)`` less its operator and context nodes (``Load``, ``Add`` ...): the other
    nodes in the same order, from a third fewer nodes to visit."""
    nodes = [node]
    for current in nodes:  # grows while it is read: each node's children join the end
        kind = type(current)
        fields = _fields_of_type.get(kind)
        if fields is None:
            fields = _fields_of_type[kind] = _scoped_fields(kind)
        if fields:
            nodes.extend(_children(current, fields))
    return nodes


class _ScopeBuilder:
    """Walks a module once, recording scopes, bindings and the scope of each load.

    The walk keeps its own stack instead of recursing (as ``ast.NodeVisitor``
    would): a module nested deeper than Python's recursion limit (500 nested
    lambdas, a 1,000-term ``a + b + ...``) gets its scopes like any other,
    instead of a RecursionError. Each ``visit_X`` returns the work to do for
    its node, in order: child nodes to visit and actions (bind a name, enter
    or leave a scope) between them.

    Most nodes need no ``visit_X``: names and attributes are handled in the walk
    itself, other nodes push their children, and operator and context nodes are
    never pushed (tf-models-official: ModuleNames 0.87 -> 0.57 s CPU).
    """

    def __init__(self, tree: ast.Module) -> None:
        self.module = Scope("module", tree, None)
        self.scope = self.module
        self.scope_of_load: dict[int, Scope] = {}
        self.scope_of_def: dict[int, Scope] = {}
        self.except_depth = 0
        #: id of a Name an assignment binds -> the value assigned (becomes its Binding.value).
        self.assigned_values: dict[int, ast.expr] = {}
        self._outer: list[tuple[Scope, int]] = []
        self.attributes: set[str] = set()

    def visit(self, tree: ast.AST) -> None:
        stack: list[Work] = [tree]
        plans = _plans
        while stack:
            item = stack.pop()
            kind = type(item)
            if kind is _ACTION:
                item()
                continue
            # The commonest nodes, a third of those visited, handled here: no call, no work list.
            if kind is ast.Name:
                if isinstance(item.ctx, ast.Load):
                    self.scope_of_load[id(item)] = self.scope
                else:
                    self._bind(item.id, item)
                continue
            if kind is ast.Attribute:
                self.attributes.add(item.attr)
                stack.append(item.value)  # not its ctx (Load, Store): nothing to record there
                continue
            plan = plans.get(kind)
            if plan is None:
                visitor = getattr(_ScopeBuilder, "visit_" + kind.__name__, None)
                plan = plans[kind] = visitor or _scoped_fields(kind)[::-1]
            if type(plan) is not tuple:
                stack.extend(reversed(plan(self, item)))
                continue
            for name in plan:  # the children, last first (none for a Constant)
                value = getattr(item, name, None)
                if type(value) is list:
                    stack.extend(reversed(value))
                elif isinstance(value, ast.AST):
                    stack.append(value)

    # -- helpers -----------------------------------------------------------
    def _bind(self, name: str, node: ast.AST, imported: Optional[str] = None) -> None:
        target = self.scope
        if name in target.global_names:
            target = self.module
        elif name in target.nonlocal_names:
            target = self._nonlocal_target(name, target)
        value = self.assigned_values.get(id(node))
        target.bind(Binding(name, node, _position(node), imported, self.except_depth > 0, value))

    def _nonlocal_target(self, name: str, scope: Scope) -> Scope:
        enclosing = scope.enclosing_for_lookup()
        first = enclosing
        while enclosing is not None and enclosing.kind != "module":
            if name in enclosing.bindings:
                return enclosing
            enclosing = enclosing.enclosing_for_lookup()
        return first or self.module

    def _in_scope(self, kind: str, node: ast.AST, body: list) -> list:
        """The work of ``body`` run in a new scope opened by ``node``."""

        def enter() -> None:
            self._outer.append((self.scope, self.except_depth))
            self.scope = Scope(kind, node, self.scope)
            self.scope_of_def[id(node)] = self.scope
            self.except_depth = 0

        def leave() -> None:
            self.scope, self.except_depth = self._outer.pop()

        return [enter, *body, leave]

    def _bind_arguments(self, args: ast.arguments) -> None:
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                self._bind(arg.arg, arg)

    @staticmethod
    def _argument_annotations_and_defaults(args: ast.arguments) -> list:
        annotations = [
            arg.annotation
            for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg)
            if arg is not None and arg.annotation is not None
        ]
        return [*args.defaults, *args.kw_defaults, *annotations]

    # -- scopes ------------------------------------------------------------
    def visit_FunctionDef(self, node: Union[ast.FunctionDef, ast.AsyncFunctionDef]) -> list:
        # Decorators, defaults and annotations run in the enclosing scope.
        return [
            *node.decorator_list,
            *self._argument_annotations_and_defaults(node.args),
            node.returns,
            lambda: self._bind(node.name, node),
            *self._in_scope("function", node, [lambda: self._bind_arguments(node.args), *node.body]),
        ]

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> list:
        return [
            *self._argument_annotations_and_defaults(node.args),
            *self._in_scope("lambda", node, [lambda: self._bind_arguments(node.args), node.body]),
        ]

    def visit_ClassDef(self, node: ast.ClassDef) -> list:
        return [
            *node.decorator_list,
            *node.bases,
            *node.keywords,
            lambda: self._bind(node.name, node),
            *self._in_scope("class", node, list(node.body)),
        ]

    def _visit_comprehension(self, node: ast.AST, elements: list) -> list:
        generators: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        body: list = []
        for index, generator in enumerate(generators):
            if index:
                body.append(generator.iter)
            body.append(generator.target)
            body.extend(generator.ifs)
        body.extend(elements)
        # The first iterable is evaluated in the enclosing scope.
        return [generators[0].iter, *self._in_scope("comprehension", node, body)]

    def visit_ListComp(self, node: ast.ListComp) -> list:
        return self._visit_comprehension(node, [node.elt])

    visit_SetComp = visit_ListComp
    visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> list:
        return self._visit_comprehension(node, [node.key, node.value])

    # -- bindings ----------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> list:
        for alias in node.names:
            if alias.asname:
                self._bind(alias.asname, node, alias.name)
            else:
                # ``import a.b.c`` binds ``a``.
                top = alias.name.split(".", 1)[0]
                self._bind(top, node, top)
        return []

    def visit_ImportFrom(self, node: ast.ImportFrom) -> list:
        module = ("." * node.level) + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                self.scope.star_imports.append(module)
                continue
            separator = "" if module.endswith(".") else "."
            self._bind(alias.asname or alias.name, node, f"{module}{separator}{alias.name}")
        return []

    def visit_Global(self, node: ast.Global) -> list:
        self.scope.global_names.update(node.names)
        return []

    def visit_Nonlocal(self, node: ast.Nonlocal) -> list:
        self.scope.nonlocal_names.update(node.names)
        return []

    def visit_Assign(self, node: ast.Assign) -> list:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.assigned_values[id(target)] = node.value
        return [*node.targets, node.value]

    def visit_AnnAssign(self, node: ast.AnnAssign) -> list:
        if isinstance(node.target, ast.Name) and node.value is not None:
            self.assigned_values[id(node.target)] = node.value
        return [node.target, node.annotation, node.value]  # (the value may be None)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> list:
        def bind_target() -> None:
            # An assignment expression binds in the nearest non-comprehension scope.
            outer = self.scope
            while self.scope.kind == "comprehension" and self.scope.parent is not None:
                self.scope = self.scope.parent
            try:
                self._bind(node.target.id, node.target)
            finally:
                self.scope = outer

        return [node.value, bind_target]

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> list:
        def enter() -> None:
            self.except_depth += 1
            if node.name:
                self._bind(node.name, node)

        def leave() -> None:
            self.except_depth -= 1

        return [node.type, enter, *node.body, leave]

    def visit_MatchAs(self, node: ast.MatchAs) -> list:
        return [node.pattern, (lambda: self._bind(node.name, node)) if node.name else None]

    def visit_MatchStar(self, node: ast.MatchStar) -> list:
        if node.name:
            self._bind(node.name, node)
        return []

    def visit_MatchMapping(self, node: ast.MatchMapping) -> list:
        return [*node.keys, *node.patterns, (lambda: self._bind(node.rest, node)) if node.rest else None]


#: Node type -> its ``_ScopeBuilder.visit_X`` function, or the fields to visit its children
#: from, last first: looked up once per type. Lists go on the stack as they are, and what is
#: not a node in them (None, a string) finds no fields and is dropped.
_plans: dict[type, Union[Callable[[_ScopeBuilder, ast.AST], list], tuple[str, ...]]] = {}


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
        #: Every attribute name the module uses (``x.padded_batch``): a quick "is it ever" check.
        self.attributes: frozenset[str] = frozenset(builder.attributes)
        self._canonical = canonical
        self._star_exports = star_exports
        self._roots: dict[int, Optional[str]] = {}  # id of a loaded Name -> _root_name's answer

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
        """What a name's import binds it to (``tensorflow``), or None: remembered per name,
        since a chain ``a.b.c`` asks for its root once for each of ``a``, ``a.b`` and ``a.b.c``."""
        key = id(name)
        if key not in self._roots:
            self._roots[key] = self._find_root_name(name)
        return self._roots[key]

    def _find_root_name(self, name: ast.Name) -> Optional[str]:
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
    if len(bindings) == 1:  # most names: the one binding, whatever its position
        return bindings[0]
    candidates = [b for b in bindings if not b.fallback] or bindings
    if use is not None:
        before = [b for b in candidates if b.position < use]
        if before:
            return before[-1]
    return candidates[-1]


#: Annotations that say "one tensor".
TENSOR_ANNOTATIONS = frozenset({"tensorflow.Tensor", "tensorflow.Variable"})
#: Typing forms whose arguments are alternatives for the one value (not elements of a container).
_ALTERNATIVES = frozenset({"typing.Optional", "typing.Union"})


def annotates_tensor(annotation: ast.AST, qualified) -> bool:
    """Whether an annotation says the value is one tensor: ``tf.Tensor``, ``Optional[tf.Tensor]``,
    ``Union[tf.Tensor, ...]``, ``tf.Tensor | None``; not ``List[tf.Tensor]`` or
    ``Sequence[tf.Variable]``, which are containers of them. ``qualified`` names an expression."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return annotates_tensor(annotation.left, qualified) or annotates_tensor(annotation.right, qualified)
    if isinstance(annotation, ast.Subscript):
        if qualified(annotation.value) not in _ALTERNATIVES:
            return False
        inner = annotation.slice
        options = inner.elts if isinstance(inner, ast.Tuple) else [inner]
        return any(annotates_tensor(option, qualified) for option in options)
    return qualified(annotation) in TENSOR_ANNOTATIONS
