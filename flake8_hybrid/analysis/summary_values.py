"""The abstract values a module's summary builds from expressions (``summary.py``): literals,
containers and their elements, arithmetic, calls, a class body's fields; bounded so that no
program makes them grow without limit. Pure functions of values and of single syntax nodes.
"""

from __future__ import annotations

import ast
from typing import Collection, Optional

from flake8_hybrid.analysis import values as v
from flake8_hybrid.analysis.values import Atom, Value


def is_tensorish(value: Value) -> bool:
    return bool(value & v.TENSOR_LIKE)


def arithmetic(left: Value, right: Value) -> set:
    atoms = set(left) | set(right)
    if v.KERAS_TENSOR in atoms:
        return {v.KERAS_TENSOR}  # operators on KerasTensors build the functional model
    if atoms & v.TENSOR_LIKE:
        return {v.TENSOR}
    if atoms & {v.NDARRAY}:
        return {v.NDARRAY}
    symbolic = {atom for atom in atoms if isinstance(atom, tuple) and atom[0] in LATER_INPUTS}
    if any(isinstance(atom, tuple) and atom[0] in ("tuple", "container") for atom in atoms) and not symbolic:
        return {v.CONTAINER}  # (x,) * 2, [a] + [b]: a sequence
    if symbolic:
        # Arithmetic on a value known later (a parameter, a method's result) is whatever that value
        # is: with a tensor, a tensor; with numbers only, a number ("arith" resolves to both).
        return {("arith", atom) for atom in symbolic} | ({v.UNKNOWN} if v.UNKNOWN in atoms else set())
    if v.UNKNOWN in atoms:
        return {v.UNKNOWN}  # `x - 1` with x unknown: not a Python number for sure
    if atoms & {v.COUNTER}:
        return {v.COUNTER}
    if atoms & {v.NUMBER, v.BOOL}:
        return {v.NUMBER}
    if atoms & {v.STR}:
        return {v.STR}
    return {v.UNKNOWN}


#: Values of literals, made once: a fifth of the expressions evaluated are literals.
BOOL_VALUE = frozenset({v.BOOL})
NUMBER_VALUE = frozenset({v.NUMBER})
STR_VALUE = frozenset({v.STR})
NONE_VALUE = frozenset({v.NONE})
OBJECT_VALUE = frozenset({v.OBJECT})

#: Bounds on abstract values, so no program makes them grow without limit.
MAX_ATOMS = 24
MAX_NESTING = 5
MAX_TUPLE = 8  # longer tuples are plain containers


def atom_depth(atom: Atom) -> int:
    return (
        1 + max((atom_depth(part) for part in atom[1:] if isinstance(part, tuple)), default=0)
        if isinstance(atom, tuple) else 0
    )


def bounded_atoms(value: Collection) -> Value:
    """A value cut down to size: atoms nested too deep, or too many of them, become unknown."""
    # (A list, as the set below: an atom nested past Python's recursion limit fails the same way.)
    deep = [isinstance(atom, tuple) and atom_depth(atom) > MAX_NESTING for atom in value]
    if len(value) <= MAX_ATOMS and not any(deep):
        return frozenset(value)  # most values: within bounds already (and a frozenset is not copied)
    atoms = {atom if not isinstance(atom, tuple) or atom_depth(atom) <= MAX_NESTING else v.UNKNOWN for atom in value}
    if len(atoms) > MAX_ATOMS:
        atoms = {atom for atom in atoms if not isinstance(atom, tuple)} | {v.UNKNOWN}
    return frozenset(atoms)


def container_value(elements: list) -> Value:
    """A list/tuple/set/dict of these element values.

    Elements known only later stay symbolic, ``("container", atom)``: the project
    analysis decides whether the container holds tensors, and iterating it
    yields the elements themselves (objects, functions, tensors).
    """
    atoms: set = set()
    for element in elements:
        if is_tensorish(element):
            atoms.add(v.CONTAINER_TENSOR)
        atoms |= {("container", atom) for atom in element if isinstance(atom, tuple) or atom in KEPT_KINDS}
    return frozenset(atoms or {v.CONTAINER})


#: Element kinds a container remembers: iterating or unpacking gives them back.
KEPT_KINDS = frozenset({v.DATASET, v.KERAS, v.NDARRAY, v.NUMBER, v.STR})


def element_value(atom: Atom) -> Atom:
    """An element of an iterable: a dataset's elements and a tensor's rows are tensors."""
    if isinstance(atom, tuple) and atom[0] == "container":
        return atom[1]
    if isinstance(atom, tuple) and atom[0] == "tuple":
        return ("element", atom)  # any of its positions: the project analysis takes the union
    if atom in (v.DATASET, v.DATASET_ELEMENT):
        return v.DATASET_ELEMENT  # a tensor, or a structure of them
    if atom in (v.TENSOR, v.CONTAINER_TENSOR, v.VARIABLE):
        return v.TENSOR
    if atom == v.NDARRAY:
        return v.NDARRAY
    if isinstance(atom, tuple) and atom[0] == "enumerated":
        return ("pair", v.COUNTER, element_value(atom[1]))
    if isinstance(atom, tuple) and atom[0] not in ("function", "instance", "partial", "pair"):
        return ("element", atom)
    return v.UNKNOWN


def unpacked_value(value: Value, index: int, count: int) -> Value:
    """The value unpacking gives the ``index``-th of ``count`` names."""
    atoms: set = set()
    for atom in value:
        if isinstance(atom, tuple) and atom[0] == "pair":
            atoms.add(atom[1 + min(index, 1)])
        elif isinstance(atom, tuple) and atom[0] == "tuple" and len(atom[1]) == count:
            atoms |= atom[1][index]
        elif isinstance(atom, tuple) and atom[0] in ("param", "returns", "global", "attr_of", "element", "item"):
            atoms.add(("item", atom, index))  # decided once the value is known
        else:
            atoms.add(element_value(atom))
    return frozenset(atoms or {v.UNKNOWN})


def subscript_value(container: Value) -> Value:
    atoms = set()
    for atom in container:
        if atom == v.DATASET:
            atoms.add(v.UNKNOWN)  # datasets are not subscriptable
        elif isinstance(atom, tuple) and atom[0] == "pair":
            atoms.add(v.UNKNOWN)
        else:
            atoms.add(element_value(atom))
    return frozenset(atoms or {v.UNKNOWN})


def keras_layer_output(arguments: list) -> set:
    """What calling a Keras layer or model on ``arguments`` gives: a KerasTensor for a KerasTensor
    input (building a functional model), else a tensor; for inputs known later, decided then."""
    atoms = set().union(*arguments[:1]) if arguments else set()
    if v.KERAS_TENSOR in atoms:
        return {v.KERAS_TENSOR}
    symbolic = {atom for atom in atoms if isinstance(atom, tuple) and atom[0] in LATER_INPUTS}
    if symbolic:
        return {("layer_output", atom) for atom in symbolic} | ({v.TENSOR} if atoms - symbolic else set())
    return {v.TENSOR}


#: Kinds of atoms a layer's input may be known by only later (``keras_layer_output``).
LATER_INPUTS = frozenset({"param", "returns", "self_attr", "element", "global", "attr_of", "item", "layer_output",
                          "arith", "method_result", "called", "call_result"})


def call_result_of(callee: Value) -> set:
    results: set[Atom] = set()
    for atom in callee:
        if isinstance(atom, tuple) and atom[0] == "function":
            ref = atom[1]
            results.add(("returns", ref))
        elif isinstance(atom, tuple) and atom[0] == "partial":
            results.add(("returns", atom[1]))
        elif isinstance(atom, tuple) and atom[0] == "instance":
            results.add(("call_result", atom[1]))
        elif atom == v.KERAS:
            results.add(v.TENSOR)
        elif isinstance(atom, tuple) and atom[0] in ("param", "self_attr", "element", "global", "attr_of", "container"):
            results.add(("called", atom))
        else:
            results.add(v.UNKNOWN)
    return results or {v.UNKNOWN}


def class_fields(node: ast.ClassDef) -> dict:
    """Attributes the class body gives a literal value, in order (``rate: float = 0.1``; an
    annotation alone is a field with no default: unknown)."""
    fields: dict = {}
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            fields[statement.target.id] = literal_value(statement.value)
        elif isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                and isinstance(statement.targets[0], ast.Name) and isinstance(statement.value, ast.Constant):
            fields[statement.targets[0].id] = literal_value(statement.value)
    return fields


def literal_value(expr: Optional[ast.AST]) -> Value:
    if isinstance(expr, ast.Constant):
        value = expr.value
        if isinstance(value, bool):
            return BOOL_VALUE
        if isinstance(value, (int, float)):
            return NUMBER_VALUE
        if isinstance(value, str):
            return STR_VALUE
        if value is None:
            return NONE_VALUE
    return v.UNKNOWN_VALUE
