"""Which expressions inside one function are tensors, from local evidence only.

Evidence: calls of TF APIs that return tensors (the API model), parameters that
``input_signature`` covers or that are annotated ``tf.Tensor``/``tf.Variable``,
and anything computed from those (arithmetic, comparisons, indexing, tensor
methods).  A name is a tensor when every assignment in the function makes it one
(must, not may: one assignment of a tuple, a list or an unknown value is enough
to leave it out). APIs whose result has the structure of what their function
returns (``tf.cond``, ``tf.map_fn``, ``tf.vectorized_map``...) prove no tensor.
Anything without such evidence is *not* called a tensor: rules built on this
stay silent rather than guess.
"""

from __future__ import annotations

import ast
from typing import Iterable, Iterator

from flake8_hybrid.analysis.api_model import ApiModel
from flake8_hybrid.analysis.names import FunctionNode, ModuleNames, annotates_tensor, child_nodes

#: Tensor attributes that are Python values, not tensors.
_STATIC_ATTRIBUTES = frozenset({"shape", "dtype", "ndim", "name", "device", "graph", "op"})
#: Tensor methods that return Python values.
_PYTHON_METHODS = frozenset({"numpy", "item", "tolist", "get_shape", "__len__"})


def body_nodes(function: FunctionNode) -> Iterator[ast.AST]:
    """Every node of a function's body, not descending into nested functions or classes."""
    stack: list[ast.AST] = list(function.body) if isinstance(function.body, list) else [function.body]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(child_nodes(node))


class LocalTensors:
    def __init__(
        self, function: FunctionNode, names: ModuleNames, api: ApiModel, tensor_parameters: Iterable[str] = ()
    ) -> None:
        self._names = names
        self._api = api
        self.tensor_names: set[str] = set(tensor_parameters)
        #: Names holding a Python list or tuple of tensors (``tf.split(x, 2)``).
        self.container_names: set[str] = set()
        for parameter in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs):
            if parameter.annotation is not None and self._is_tensor_annotation(parameter.annotation):
                self.tensor_names.add(parameter.arg)
        self._propagate(function)

    def _is_tensor_annotation(self, annotation: ast.expr) -> bool:
        # tf.Tensor, Optional[tf.Tensor], Union[tf.Tensor, ...], tf.Tensor | None; not List[tf.Tensor]
        return annotates_tensor(annotation, self._names.qualified_name)

    def _propagate(self, function: FunctionNode) -> None:
        """The names every assignment makes a tensor: the greatest such set (start from every
        assigned name, drop those with an assignment that is not a tensor under the current set,
        until nothing changes), so that ``x = tf.ones(...); x = x * 2`` keeps ``x`` a tensor."""
        assignments: dict[str, list] = {}
        for node in body_nodes(function):
            if isinstance(node, ast.For):
                for name in _target_names(node.target):
                    assignments.setdefault(name, []).append(("iterate", node.iter))
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                value = node if isinstance(node, ast.AugAssign) else node.value
                for target in targets:
                    unpacked = not isinstance(target, ast.Name)
                    for name in _target_names(target):
                        assignments.setdefault(name, []).append(("unpack" if unpacked else "value", value))
            elif isinstance(node, (ast.With, ast.AsyncWith, ast.ExceptHandler, ast.Import, ast.ImportFrom)):
                for name in _bound_elsewhere(node):
                    assignments.setdefault(name, []).append(("other", None))
        arguments = function.args
        parameters = {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}
        parameters |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None}  # a tuple, a dict
        for name in parameters - self.tensor_names:
            assignments.setdefault(name, []).append(("other", None))  # a parameter not proven a tensor
        # Containers of tensors: names only ever assigned one (``parts = tf.split(x, 2)``).
        self.container_names = {
            name for name, values in assignments.items()
            if all(kind == "value" and self.is_tensor_container(value) for kind, value in values)
        }
        # Only names grounded in a tensor (some assignment makes one from what is already known:
        # ``x = x * 2`` alone proves nothing), then those every assignment keeps a tensor.
        proven = set(self.tensor_names)
        grounded, changed = set(proven), True
        while changed:
            self.tensor_names = grounded
            changed = False
            for name, values in assignments.items():
                if name not in grounded and any(self._gives_tensor(kind, value) for kind, value in values):
                    grounded = grounded | {name}
                    changed = True
        candidates = {name for name in grounded if name not in self.container_names} | proven
        changed = True
        while changed:
            self.tensor_names = candidates
            changed = False
            for name in list(candidates):
                if not all(self._gives_tensor(kind, value) for kind, value in assignments.get(name, ())):
                    candidates = candidates - {name}
                    changed = True

    def _gives_tensor(self, kind: str, value: ast.AST) -> bool:
        if kind == "iterate":  # iterating a tensor, or a list of tensors, yields tensors
            return self.is_tensor(value) or self.is_tensor_container(value)
        if kind == "unpack":  # unpacking a list of tensors (a tensor's rows raise: HYB110)
            return self.is_tensor_container(value)
        if kind == "value":
            if isinstance(value, ast.AugAssign):
                return self.is_tensor(value.target) or self.is_tensor(value.value)
            return self.is_tensor(value)
        return False

    def is_tensor_container(self, expr: ast.AST) -> bool:
        """A Python list or tuple of tensors: iterating it is plain Python iteration."""
        if isinstance(expr, ast.Name):
            return expr.id in self.container_names
        if isinstance(expr, ast.Call):
            name = self._names.qualified_name(expr.func)
            return name is not None and self._api.value_kind(name) == "container_tensor"
        return False

    def is_tensor(self, expr: ast.AST) -> bool:
        if isinstance(expr, ast.Name):
            return expr.id in self.tensor_names
        if isinstance(expr, ast.Call):
            name = self._names.qualified_name(expr.func)
            if name is not None:
                return self._api.returns_tensor(name) and not self._api.returns_structure(name)
            if isinstance(expr.func, ast.Attribute) and self.is_tensor(expr.func.value):
                return expr.func.attr not in _PYTHON_METHODS
            return False
        if isinstance(expr, ast.BinOp):
            return self.is_tensor(expr.left) or self.is_tensor(expr.right)
        if isinstance(expr, ast.UnaryOp) and not isinstance(expr.op, ast.Not):
            return self.is_tensor(expr.operand)
        if isinstance(expr, ast.Compare):
            if all(isinstance(op, (ast.Is, ast.IsNot, ast.In, ast.NotIn)) for op in expr.ops):
                return False
            return any(self.is_tensor(operand) for operand in (expr.left, *expr.comparators))
        if isinstance(expr, ast.Subscript):
            return self.is_tensor(expr.value) or self.is_tensor_container(expr.value)
        if isinstance(expr, ast.Attribute):
            return expr.attr not in _STATIC_ATTRIBUTES and self.is_tensor(expr.value)
        return False


def _bound_elsewhere(node: ast.AST) -> Iterator[str]:
    """Names a ``with ... as``, ``except ... as`` or import binds: not tensors we can prove."""
    if isinstance(node, (ast.With, ast.AsyncWith)):
        for item in node.items:
            if item.optional_vars is not None:
                yield from _target_names(item.optional_vars)
    elif isinstance(node, ast.ExceptHandler) and node.name:
        yield node.name
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            yield (alias.asname or alias.name).split(".")[0]


def _target_names(target: ast.AST) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        # Unpacking a tensor yields tensors.
        for element in target.elts:
            yield from _target_names(element.value if isinstance(element, ast.Starred) else element)
