"""Which expressions inside one function are tensors, from local evidence only.

Evidence: calls of TF APIs that return tensors (the API model), parameters that
``input_signature`` covers or that are annotated ``tf.Tensor``/``tf.Variable``,
and anything computed from those (arithmetic, comparisons, indexing, tensor
methods).  A name is a tensor when any assignment in the function makes it one.
Anything without such evidence is *not* called a tensor: rules built on this
stay silent rather than guess.
"""

from __future__ import annotations

import ast
from typing import Iterable, Iterator

from flake8_hybrid.analysis.api_model import ApiModel
from flake8_hybrid.analysis.names import FunctionNode, ModuleNames, child_nodes

#: Tensor attributes that are Python values, not tensors.
_STATIC_ATTRIBUTES = frozenset({"shape", "dtype", "ndim", "name", "device", "graph", "op"})
#: Tensor methods that return Python values.
_PYTHON_METHODS = frozenset({"numpy", "item", "tolist", "get_shape", "__len__"})
_TENSOR_ANNOTATIONS = frozenset({"tensorflow.Tensor", "tensorflow.Variable"})


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
        # tf.Tensor, Optional[tf.Tensor], Union[tf.Tensor, ...], tf.Tensor | None
        for node in ast.walk(annotation):
            if self._names.qualified_name(node) in _TENSOR_ANNOTATIONS:
                return True
        return False

    def _propagate(self, function: FunctionNode) -> None:
        assignments = [
            node
            for node in body_nodes(function)
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr, ast.For))
        ]
        # Iterate to a fixpoint: a later assignment can make an earlier name a tensor.
        changed = True
        while changed:
            changed = False
            for node in assignments:
                if isinstance(node, ast.For):
                    # Iterating a tensor, or a list of tensors, yields tensors.
                    iterable = node.iter
                    tensor = self.is_tensor(iterable) or self.is_tensor_container(iterable)
                    changed |= self._mark(node.target, tensor=tensor, container=False)
                    continue
                value = node.value
                if value is None:
                    continue
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                tensor, container = self.is_tensor(value), self.is_tensor_container(value)
                for target in targets:
                    changed |= self._mark(target, tensor=tensor, container=container)

    def _mark(self, target: ast.AST, tensor: bool, container: bool) -> bool:
        """Record what an assignment target holds; whether anything was new."""
        if container and isinstance(target, ast.Name):
            new = target.id not in self.container_names
            self.container_names.add(target.id)
            return new
        if not (tensor or container):
            return False
        # Unpacking a tensor, or a container of tensors, yields tensors.
        names = set(_target_names(target)) - self.tensor_names
        self.tensor_names |= names
        return bool(names)

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
                return self._api.returns_tensor(name)
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


def _target_names(target: ast.AST) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        # Unpacking a tensor yields tensors.
        for element in target.elts:
            yield from _target_names(element.value if isinstance(element, ast.Starred) else element)
