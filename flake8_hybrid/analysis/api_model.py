"""The TensorFlow API model (``data/tf_api.yaml``), loaded once per process.

Everything the linter knows about TensorFlow comes from that file; nothing here
imports TensorFlow.
"""

from __future__ import annotations

import copy
import functools
import importlib.resources
from dataclasses import dataclass
from typing import Optional

import yaml

from flake8_hybrid.versions import Version


@dataclass(frozen=True)
class FunctionParameter:
    name: str
    position: int
    since: Version
    deprecated: Optional[Version] = None
    ignored: Optional[Version] = None
    replacement: Optional[str] = None


@dataclass(frozen=True)
class DeprecatedFunction:
    name: str
    replacement: str
    deprecated: Version


class ApiModel:
    def __init__(self, data: dict) -> None:
        self._aliases = sorted(data["aliases"].items(), key=lambda item: -len(item[0]))
        self._canonical_cache: dict[str, str] = {}
        # Answers by name: every module's summary asks about the same few thousand APIs.
        # (Named *_cache: the model's fingerprint, project._fingerprint, leaves those out.)
        self._value_kind_cache: dict[str, Optional[str]] = {}
        self._side_effect_cache: dict[str, Optional[str]] = {}
        self._last_words_cache: dict[str, frozenset[str]] = {}
        tf_function = data["tf_function"]
        self.tf_function_name: str = tf_function["name"]
        self.tf_function_parameters = tuple(
            FunctionParameter(
                name=entry["name"],
                position=position,
                since=Version.parse(entry["since"]),
                deprecated=Version.parse(entry["deprecated"]) if "deprecated" in entry else None,
                ignored=Version.parse(entry["ignored"]) if "ignored" in entry else None,
                replacement=entry.get("replacement"),
            )
            for position, entry in enumerate(tf_function["parameters"])
        )
        self.run_functions_eagerly = frozenset(data["run_functions_eagerly"])
        self.deprecated_functions = {
            name: DeprecatedFunction(name, entry["replacement"], Version.parse(entry["deprecated"]))
            for name, entry in data["deprecated_functions"].items()
        }
        self.xla_incompatible: dict[str, str] = dict(data["xla_incompatible"])
        self._star_exports = {module: frozenset(names) for module, names in data["star_exports"].items()}
        tensors = data["tensors"]
        self._tensor_modules = tuple(tensors["modules"])
        self._tensor_functions = frozenset(tensors["functions"])
        self._not_tensors = frozenset(tensors["not_tensors"])
        self._tensor_containers = frozenset(tensors["containers"])
        self._structured = frozenset(tensors.get("structured") or ())
        self._variables = frozenset(data["variables"])
        datasets = data["datasets"]
        self._dataset_constructors = frozenset(datasets["constructors"])
        self.dataset_methods = frozenset(datasets["methods"])
        self.dataset_callbacks: dict[str, int] = dict(datasets["graph_callbacks"])
        self.dataset_tensor_methods = frozenset(datasets.get("tensor_methods") or ())
        keras = data["keras"]
        self._keras_modules = tuple(keras["modules"])
        self._keras_constructors = frozenset(keras["constructors"])
        self.keras_bases = frozenset(keras["bases"])
        self.keras_graph_methods = frozenset(keras["graph_methods"])
        self.keras_eager_only_methods = frozenset(keras["eager_only_methods"])
        self.keras_variable_attributes = frozenset(keras.get("variable_attributes") or ())
        self._keras_symbolic = frozenset(keras.get("symbolic_tensors") or ())
        numpy_generators = data.get("numpy_random_generators") or {}
        self._numpy_generator_constructors = frozenset(numpy_generators.get("constructors") or ())
        self.numpy_generator_array_methods = frozenset(numpy_generators.get("array_methods") or ())
        self.eager_only_tensor_methods = frozenset(data["eager_only_tensor_methods"])
        generators = data["random_generators"]
        self._generator_constructors = frozenset(generators["constructors"])
        self.generator_tensor_methods = frozenset(generators["tensor_methods"])
        self._side_effects: dict[str, str] = dict(data["python_side_effects"])
        self._numpy_modules = tuple(data["numpy_modules"])

    def canonical(self, name: str) -> str:
        """Rewrite a qualified name to its canonical spelling (``tf.compat.v2.x`` -> ``tf.x``)."""
        cached = self._canonical_cache.get(name)
        if cached is None:
            cached = self._canonical_cache[name] = self._canonicalize(name)
        return cached

    def _canonicalize(self, name: str) -> str:
        for prefix, replacement in self._aliases:
            if name == prefix or name.startswith(prefix + "."):
                return replacement + name[len(prefix) :]
        return name

    def last_words(self, name: str) -> frozenset[str]:
        """The last component of every spelling of ``name`` (``function`` for ``tensorflow.function``):
        a module whose text has none of them cannot refer to it."""
        if name not in self._last_words_cache:  # (asked several times for every module)
            words = {name.rsplit(".", 1)[-1]}
            for prefix, replacement in self._aliases:
                if replacement == name or name.startswith(replacement + "."):
                    words.add((prefix + name[len(replacement):]).rsplit(".", 1)[-1])
            self._last_words_cache[name] = frozenset(words)
        return self._last_words_cache[name]

    def star_exports(self, module: str) -> frozenset[str]:
        return self._star_exports.get(self.canonical(module), frozenset())

    def tf_function_parameter(self, name: str) -> Optional[FunctionParameter]:
        for parameter in self.tf_function_parameters:
            if parameter.name == name:
                return parameter
        return None

    def value_kind(self, name: str) -> Optional[str]:
        """What calling the API ``name`` (canonical) returns.

        One of ``variable``, ``generator`` (a ``tf.random.Generator``), ``dataset``,
        ``keras`` (a model or layer: calling it yields tensors), ``tensor``, ``ndarray``,
        or None when the model does not say.
        """
        if name not in self._value_kind_cache:
            self._value_kind_cache[name] = self._value_kind(name)
        return self._value_kind_cache[name]

    def _value_kind(self, name: str) -> Optional[str]:
        if name in self._variables:
            return "variable"
        if name in self._generator_constructors:
            return "generator"
        if name in self._numpy_generator_constructors:
            return "numpy_generator"
        if name in self._keras_symbolic:
            return "keras_tensor"
        if name in self._dataset_constructors:
            return "dataset"
        if name in self._keras_constructors:
            return "keras"
        for module in self._keras_modules:
            if name.startswith(module + ".") and name[len(module) + 1 :][:1].isupper():
                return "keras"
        if name in self._tensor_containers or name in self._structured:
            return "container_tensor"  # (a structured result may be one tensor: tensor-like, not proven one)
        if self.returns_tensor(name):
            return "tensor"
        if _under(name, self._numpy_modules):
            return "ndarray"
        return None

    def side_effect(self, name: str) -> Optional[str]:
        """The kind of Python side effect calling ``name`` has, or None."""
        if name not in self._side_effect_cache:
            self._side_effect_cache[name] = self._side_effect(name)
        return self._side_effect_cache[name]

    def _side_effect(self, name: str) -> Optional[str]:
        best = None
        for prefix, effect in self._side_effects.items():
            if (name == prefix or name.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[0])):
                best = (prefix, effect)
        return best[1] if best else None

    def returns_structure(self, name: str) -> bool:
        """Whether the API returns whatever structure its function argument returns (``tf.cond``
        with branches returning tuples gives a tuple): no proof of one tensor."""
        return name in self._structured

    def returns_tensor(self, name: str) -> bool:
        """Whether calling the API ``name`` (canonical) returns a tensor."""
        if name in self._tensor_functions:
            return True
        if _under(name, tuple(self._not_tensors)) or name in self._tensor_containers:
            return False  # (a container: a Python list or tuple of tensors)
        return any(name.startswith(module + ".") for module in self._tensor_modules)

    def xla_incompatibility(self, name: str) -> Optional[str]:
        """Why XLA cannot compile a call of ``name``, or None when it can."""
        for prefix, reason in self.xla_incompatible.items():
            if name == prefix or name.startswith(prefix + "."):
                return reason
        return None


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


class ApiModelError(ValueError):
    """A user's API model file cannot be used; the message names the file and the problem."""


# Safe loading only: a user file is data, never code.  The C loader is used
# when PyYAML was built with it (CSafeLoader is the safe one).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# What a user file (--hybrid-api-model) may add to, and how each section is
# shaped.  A kind is the type of a leaf section; a dict is a section of
# sections.  tf_function and the generated parts describe TensorFlow itself, so
# a user file cannot change them.
_NAMES = "a list of names"
_TEXTS = "a mapping of names to text"
_POSITIONS = "a mapping of names to argument positions"
_NAME_LISTS = "a mapping of module names to lists of names"
_DEPRECATIONS = 'a mapping of names to {replacement: NAME, deprecated: "X.Y"}'
_EXTENSIBLE: dict = {
    "aliases": _TEXTS,
    "run_functions_eagerly": _NAMES,
    "deprecated_functions": _DEPRECATIONS,
    "xla_incompatible": _TEXTS,
    "tensors": {"modules": _NAMES, "functions": _NAMES, "not_tensors": _NAMES, "containers": _NAMES,
                "structured": _NAMES},
    "variables": _NAMES,
    "datasets": {"constructors": _NAMES, "methods": _NAMES, "tensor_methods": _NAMES, "graph_callbacks": _POSITIONS},
    "keras": {
        "modules": _NAMES,
        "constructors": _NAMES,
        "bases": _NAMES,
        "graph_methods": _NAMES,
        "eager_only_methods": _NAMES,
        "variable_attributes": _NAMES,
        "symbolic_tensors": _NAMES,
    },
    "eager_only_tensor_methods": _NAMES,
    "random_generators": {"constructors": _NAMES, "tensor_methods": _NAMES},
    "numpy_random_generators": {"constructors": _NAMES, "array_methods": _NAMES},
    "python_side_effects": _TEXTS,
    "numpy_modules": _NAMES,
    "star_exports": _NAME_LISTS,
}
_NOT_EXTENSIBLE = ("version", "checked_against", "tf_function", "python_support")


def _kind_error(value: object, kind: str) -> Optional[str]:
    """Why ``value`` is not ``kind``, to follow "must be <kind>" (None when it is)."""
    container = list if kind == _NAMES else dict
    if not isinstance(value, container):
        return f", not {_describe(value)}"
    if isinstance(value, list):
        wrong = [item for item in value if not isinstance(item, str)]
        return f"; entry {_short(wrong[0])} is {_describe(wrong[0])}" if wrong else None
    for key, entry in value.items():
        if not isinstance(key, str):
            return f"; key {_short(key)} is {_describe(key)}"
        if not _ENTRY_CHECKS[kind](entry):
            return f"; entry {key!r} is {_short(entry)}"
    return None


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_deprecation(entry: object) -> bool:
    if not isinstance(entry, dict) or set(entry) != {"replacement", "deprecated"}:
        return False
    if not isinstance(entry["replacement"], str) or not isinstance(entry["deprecated"], str):
        return False  # an unquoted 2.10 would be read as the number 2.1
    try:
        Version.parse(entry["deprecated"])
    except ValueError:
        return False
    return True


_ENTRY_CHECKS = {
    _TEXTS: lambda entry: isinstance(entry, str),
    _POSITIONS: lambda entry: type(entry) is int and entry >= 0,
    _NAME_LISTS: lambda entry: isinstance(entry, list) and all(isinstance(item, str) for item in entry),
    _DEPRECATIONS: _is_deprecation,
}


def _describe(value: object) -> str:
    return {list: "a list", dict: "a mapping", str: "a string", int: "a number", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def _check_sections(path: str, data: dict, schema: dict, prefix: str = "") -> None:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if key not in schema:
            if not prefix and key in _NOT_EXTENSIBLE:
                raise ApiModelError(f"{path}: section {name!r} describes TensorFlow itself and cannot be extended")
            valid = ", ".join(f"{prefix}{section}" for section in schema)
            raise ApiModelError(f"{path}: unknown section {name!r} (valid sections: {valid})")
        kind = schema[key]
        if value is None:  # a section left empty: `variables:` with nothing under it
            continue
        if isinstance(kind, dict):
            if not isinstance(value, dict):
                raise ApiModelError(f"{path}: section {name!r} must be a mapping of sections, not {_describe(value)}")
            _check_sections(path, value, kind, name + ".")
        else:
            error = _kind_error(value, kind)
            if error is not None:
                raise ApiModelError(f"{path}: section {name!r} must be {kind}{error}")


def _load_user_file(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise ApiModelError(f"{path}: cannot read the API model file: {reason}") from None
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ApiModelError(f"{path}: {where}invalid YAML: {problem}") from None
    if data is None:  # an empty file (or only comments) adds nothing
        return {}
    if not isinstance(data, dict):
        raise ApiModelError(f"{path}: the top level must be a mapping of sections, not {_describe(data)}")
    _check_sections(path, data, _EXTENSIBLE)
    return data


def _extend(model: dict, extension: dict) -> None:
    """Add a user file's entries to the model's: lists are extended, mappings updated."""
    for key, value in extension.items():
        if isinstance(_EXTENSIBLE[key], dict):  # a section of sections (tensors, datasets, keras)
            for inner, inner_value in (value or {}).items():
                _merge_leaf(model.setdefault(key, {}), inner, inner_value)
        else:
            _merge_leaf(model, key, value)


def _merge_leaf(target: dict, key: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, list):
        target[key] = [*target.get(key, []), *value]
    else:
        target[key] = {**target.get(key, {}), **value}


@functools.lru_cache(maxsize=None)
def _builtin_data() -> dict:
    text = importlib.resources.files("flake8_hybrid").joinpath("data/tf_api.yaml").read_text("utf-8")
    return yaml.load(text, Loader=_LOADER)


def api_model(extra_files: tuple[str, ...] = ()) -> ApiModel:
    """The built-in model, extended by the user files named by ``--hybrid-api-model``.

    Raises ApiModelError for a user file that cannot be used.
    """
    return _api_model(tuple(extra_files))


@functools.lru_cache(maxsize=None)
def _api_model(extra_files: tuple[str, ...]) -> ApiModel:
    if not extra_files:
        return ApiModel(_builtin_data())
    data = copy.deepcopy(_builtin_data())
    for path in extra_files:
        _extend(data, _load_user_file(path))
    return ApiModel(data)
