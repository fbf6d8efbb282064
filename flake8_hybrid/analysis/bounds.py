"""The values the fixpoint stores: normalized, bounded so that no program makes them grow
without limit, and described in messages.

Above ``values.py`` (the atoms), below ``project.py`` (the fixpoint that grows them).
"""

from __future__ import annotations

import re
from typing import Iterable

from flake8_hybrid.analysis import values as v
from flake8_hybrid.analysis.layout import qualname_of

ASSUMED = "assumed_tensor"  # a tensor by convention (speculative), not by evidence
TENSORISH = v.TENSOR_LIKE | {ASSUMED}


def elements_of(atom: object) -> set:
    """What iterating a value gives: a tuple gives any of its positions."""
    if isinstance(atom, tuple) and atom[0] == "tuple":
        return set().union(*atom[1]) if atom[1] else {v.UNKNOWN}
    return {element_of(atom)}


def element_of(atom: object) -> object:
    if isinstance(atom, tuple) and atom[0] == "container_of":
        return atom[1]
    if isinstance(atom, tuple) and atom[0] == "tuple":
        return v.UNKNOWN  # callers wanting positions use elements_of or "item"
    if atom in (v.DATASET, v.DATASET_ELEMENT):
        return v.DATASET_ELEMENT  # a dataset's elements, and their parts: tensors or structures of them
    if atom in (v.TENSOR, v.CONTAINER_TENSOR, v.VARIABLE, ASSUMED):
        return ASSUMED if atom == ASSUMED else v.TENSOR
    if atom == v.NDARRAY:
        return v.NDARRAY
    return v.UNKNOWN


#: Bounds on the values the fixpoint stores, so no program makes them grow without limit:
#: structured atoms nested deeper than this, or more atoms than this in one value,
#: are summarized by what they are known to be (a container, a tensor, unknown).
MAX_STRUCTURE_DEPTH = 2
MAX_VALUE_ATOMS = 32


def normalize(atom: object, depth: int = 0) -> object:
    """Atoms stored in parameter values: concrete, hashable, bounded."""
    if not isinstance(atom, tuple):
        return atom
    kind = atom[0]
    if kind in _STRUCTURED_KINDS and depth >= MAX_STRUCTURE_DEPTH:
        return summary_marker(atom)
    if kind == "tuple":
        return ("tuple", tuple(frozenset(bounded_value(element, depth + 1)) for element in atom[1]))
    if kind == "container_of":
        return ("container_of", normalize(atom[1], depth + 1))
    if kind in _STORED_REFERENCES:
        return atom
    return v.UNKNOWN


_STRUCTURED_KINDS = frozenset({"tuple", "container_of"})
#: Symbolic atoms a value may keep: they name a project function or class.
_STORED_REFERENCES = frozenset({"function", "partial", "class", "instance", "unbound"})


#: Kinds a container keeps for its elements (iterating or unpacking gives them back).
KEPT_IN_CONTAINERS = frozenset({v.DATASET, v.KERAS, v.NDARRAY, v.NUMBER, v.STR})


def summary_marker(atom: object) -> object:
    """What a structured atom is, without its structure."""
    if atom[0] == "container_of":
        inner = atom[1]
        return v.CONTAINER_TENSOR if inner in TENSORISH else v.CONTAINER
    positions = set().union(*atom[1]) if atom[1] else set()
    return v.CONTAINER_TENSOR if positions & (TENSORISH | {v.CONTAINER_TENSOR}) else v.CONTAINER


def bounded_value(atoms: Iterable, depth: int = 0) -> set:
    normalized = {normalize(atom, depth) for atom in atoms}
    if len(normalized) > MAX_VALUE_ATOMS:
        normalized = cut_value(normalized)
    return normalized


def cut_value(normalized: set) -> set:
    """A value cut down to size: its plain atoms, what its structures are, and unknown."""
    simple = {a for a in normalized if not isinstance(a, tuple)}
    structured = {summary_marker(a) for a in normalized if isinstance(a, tuple) and a[0] in ("tuple", "container_of")}
    return simple | structured | {v.UNKNOWN}


_DESCRIPTIONS = {
    v.TENSOR: "a tensor", v.VARIABLE: "a tf.Variable", v.CONTAINER_TENSOR: "a container of tensors",
    v.DATASET_ELEMENT: "a tf.data element",
    v.DATASET: "a tf.data.Dataset", v.KERAS: "a Keras model or layer", v.NDARRAY: "a NumPy array",
    v.NUMBER: "a Python number", v.COUNTER: "a Python number that changes per iteration", v.BOOL: "a Python bool",
    v.STR: "a Python string", v.NONE: "None", v.CONTAINER: "a Python container", v.OBJECT: "a Python object",
    v.TF_OBJECT: "a TensorFlow object",
    v.UNKNOWN: "a value of unknown type", ASSUMED: "a tensor (assumed)",
}


_STRUCTURES = {"tuple": "a tuple", "container_of": "a Python container"}


def describe(atoms: set) -> str:
    described = []
    for atom in sorted(atoms, key=repr):
        if isinstance(atom, tuple) and atom[0] in _STRUCTURES:
            # Its elements are sets: printing them would be unreadable, and vary between runs.
            described.append(_STRUCTURES[atom[0]])
        elif isinstance(atom, tuple):
            kind = {
                "function": "a function", "partial": "a partial function", "class": "a class", "instance": "an object"
            }
            described.append(f"{kind.get(atom[0], 'a value')} ({python_qualname(qualname_of(str(atom[1])))})")
        else:
            described.append(_DESCRIPTIONS.get(atom, atom))
    return " or ".join(dict.fromkeys(described)) or "a value of unknown type"


def python_qualname(qualname: str) -> str:
    """A qualname as Python writes it (``f.<locals>.<lambda>``)."""
    return re.sub(r"<lambda#\d+>", "<lambda>", qualname)
