"""The TensorFlow API model (``data/tf_api.yaml``), loaded once per process.

Everything the linter knows about TensorFlow comes from that file; nothing here
imports TensorFlow.
"""

from __future__ import annotations

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

    def canonical(self, name: str) -> str:
        """Rewrite a qualified name to its canonical spelling (``tf.compat.v2.x`` -> ``tf.x``)."""
        for prefix, replacement in self._aliases:
            if name == prefix or name.startswith(prefix + "."):
                return replacement + name[len(prefix) :]
        return name

    def star_exports(self, module: str) -> frozenset[str]:
        return self._star_exports.get(self.canonical(module), frozenset())

    def tf_function_parameter(self, name: str) -> Optional[FunctionParameter]:
        for parameter in self.tf_function_parameters:
            if parameter.name == name:
                return parameter
        return None

    def returns_tensor(self, name: str) -> bool:
        """Whether calling the API ``name`` (canonical) returns a tensor."""
        if name in self._tensor_functions:
            return True
        if name in self._not_tensors:
            return False
        return any(name.startswith(module + ".") for module in self._tensor_modules)

    def xla_incompatibility(self, name: str) -> Optional[str]:
        """Why XLA cannot compile a call of ``name``, or None when it can."""
        for prefix, reason in self.xla_incompatible.items():
            if name == prefix or name.startswith(prefix + "."):
                return reason
        return None


@functools.lru_cache(maxsize=None)
def api_model() -> ApiModel:
    text = importlib.resources.files("flake8_hybrid").joinpath("data/tf_api.yaml").read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return ApiModel(yaml.load(text, Loader=loader))
