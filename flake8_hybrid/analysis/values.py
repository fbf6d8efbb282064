"""Abstract values: what an expression may evaluate to, as a set of atoms.

Concrete atoms are strings (``"tensor"``, ``"number"`` ...: the constants
below).  Symbolic atoms are tuples that the project analysis
(``project.py``, ``_Analysis.concrete_atom``) resolves later, once facts from
other functions and modules are known.  Every kind:

Made by the module summary (``summary.py``):

- ``("param", name)``: whatever the enclosing function's parameter receives;
- ``("global", name)``: a module variable, as the module's top-level code computes it;
- ``("function", ref)``: the function or class ``ref`` itself (a callback, a bound method);
- ``("partial", ref, n)``: ``functools.partial(ref, <n positional args>)``;
- ``("returns", ref)``: whatever calling ``ref`` returns (an instance, for a class);
- ``("call_result", class_ref)``: what calling an instance of a project class returns;
- ``("called", atom)``: what calling a value known later returns;
- ``("self_attr", name)``: ``self.name`` in a method (a method, or the attribute's values);
- ``("self_attr_method", name, method)``: ``self.name.method``, as a callee (not resolved:
  such a call counts as code the analysis cannot see);
- ``("attr_of", atom, name)``: attribute ``name`` of a value known later;
- ``("method_of", atom, name)``: method ``name`` of a value known later, as a callee;
- ``("method_result", atom, name)``: what that method returns;
- ``("tuple", (value, value, ...))``: a tuple, position by position (unpacking
  picks a position; ``("item", atom, index)`` picks one from a value known later);
- ``("element", atom)``: an element of a container known later (iteration, subscript);
- ``("container", atom)``: a list/dict/set whose elements are known later;
- ``("enumerated", atom)``: ``enumerate(...)`` of a value, whose elements are
  ``("pair", COUNTER, element)``;
- ``("arith", atom)``: arithmetic on a value known later (a tensor if it is one).

Made by the project analysis while resolving:

- ``("instance", class_key)``, ``("class", class_key)``: a project class's instance, or the class;
- ``("unbound", function_key)``: a method taken from its class (the instance is passed explicitly);
- ``("container_of", atom)``: a container of values that are not tensors, kept for what its
  elements are (functions, instances).

A *reference* (``ref``) names a function or class symbolically:
``("def", qualname)`` for one defined in the same module, ``("qual",
"pkg.mod.name")`` for one reached through imports, ``("self", name)`` for a
method of the enclosing class, ``("method", class_ref, name)`` for a method of a
known class.
"""

from __future__ import annotations

from typing import Iterable, Union

Atom = Union[str, tuple]
Value = frozenset

TENSOR = "tensor"
VARIABLE = "variable"
CONTAINER_TENSOR = "container_tensor"  # a list/tuple/dict holding tensors
DATASET = "dataset"
KERAS = "keras"  # a Keras model or layer: calling it yields tensors
NDARRAY = "ndarray"
GENERATOR = "generator"  # a tf.random.Generator: its sampling methods return tensors
NUMPY_GENERATOR = "numpy_generator"  # a NumPy random generator: its sampling methods return arrays
#: A symbolic KerasTensor (a functional model's input, or a layer's output on one): not a value
#: tf.function can take (ValueError), so it blocks hybridization.
KERAS_TENSOR = "keras_tensor"
#: What ``tf.function(...)`` without a function gives (or a project wrapper around it): calling
#: it on a function makes that function a graph.
TF_FUNCTION_DECORATOR = "tf_function_decorator"
TENSOR_ARRAY = "tensor_array"  # a tf.TensorArray: write gives the array, stack/read give tensors
NUMBER = "number"  # a Python int or float
COUNTER = "counter"  # a Python number that changes per iteration (loop variable, counter)
BOOL = "bool"
STR = "str"
NONE = "none"
CONTAINER = "container"  # a list/tuple/dict/set of non-tensors
OBJECT = "object"  # some other known Python object (not a tensor)
#: An object TensorFlow or Keras made (a loss, a metric, an initializer): its code is TF's own,
#: with no Python side effects of the program's.
TF_OBJECT = "tf_object"
UNKNOWN = "unknown"
#: A parameter's literal default, when a call omits it: a constant, not a varying
#: primitive; passed on to another function it is a Python number or string.
DEFAULT_NUMBER = "default_number"
DEFAULT_STR = "default_str"

#: An element of a tf.data.Dataset: a tensor, or a structure of them (a dict, a NamedTuple) passed
#: as one value. Tensor-like for tracing; not proven one tensor (iterating a dict is fine).
DATASET_ELEMENT = "dataset_element"

#: Atoms that make a parameter a tensor parameter.
TENSOR_LIKE = frozenset({TENSOR, VARIABLE, CONTAINER_TENSOR, DATASET_ELEMENT})
#: Atoms tf.function traces by type spec, not by value (measured on TF 2.21): tensors and
#: containers of them, and NumPy arrays (same-shape arrays share a trace). A parameter that
#: receives one is no reason to retrace, nor to drop a graph (HYB002, HYB003).
TRACED_BY_SPEC = TENSOR_LIKE | {NDARRAY}
#: Atoms that make a parameter primitive (a Python value that varies and retraces).
PRIMITIVE = frozenset({NUMBER, COUNTER, STR})
#: Concrete atoms that are known not to be tensors.
NOT_TENSOR = frozenset(
    {DATASET, KERAS, NDARRAY, GENERATOR, NUMPY_GENERATOR, KERAS_TENSOR, NUMBER, COUNTER, BOOL, STR, NONE,
     CONTAINER, OBJECT, TF_OBJECT, TF_FUNCTION_DECORATOR, TENSOR_ARRAY, "gradient_tape",
     DEFAULT_NUMBER, DEFAULT_STR}
)

EMPTY: Value = frozenset()
UNKNOWN_VALUE: Value = frozenset({UNKNOWN})


def value(*atoms: Atom) -> Value:
    return frozenset(atoms)


def union(values: Iterable[Value]) -> Value:
    result: set = set()
    for item in values:
        result |= item
    return frozenset(result)


def is_symbolic(atom: Atom) -> bool:
    return isinstance(atom, tuple)


# -- JSON: atoms and references are nested tuples; JSON has only lists --------
def to_json(item: object) -> object:
    if type(item) is str:  # most atoms: a fast path
        return item
    if isinstance(item, frozenset):
        if len(item) <= 1:  # most values: nothing to sort
            return [to_json(atom) for atom in item]
        return sorted((to_json(atom) for atom in item), key=repr)
    if isinstance(item, tuple):
        return [to_json(part) for part in item]
    return item


def tuple_from_json(item: object) -> object:
    if isinstance(item, list):
        return tuple(tuple_from_json(part) for part in item)
    return item


def value_from_json(items: list) -> Value:
    return frozenset(_restore(tuple_from_json(item)) for item in items)


def atom_from_json(item: object) -> object:
    """One atom back from JSON, the values nested in it frozensets again."""
    return _restore(tuple_from_json(item))


def _restore(atom: object) -> object:
    """Undo JSON's flattening of sets nested in atoms: a ``("tuple", values)`` holds sets."""
    if not isinstance(atom, tuple):
        return atom
    if atom and atom[0] == "tuple":
        return ("tuple", tuple(frozenset(_restore(a) for a in element) for element in atom[1]))
    return tuple(_restore(part) for part in atom)
