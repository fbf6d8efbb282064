"""Check or regenerate the TensorFlow API model against the installed TensorFlow.

The linter never imports TensorFlow: what it knows about TF's API is data in
``flake8_hybrid/data/tf_api.yaml``.  This script is the one place that compares
that data with a real TensorFlow, by introspection (``getattr``,
``inspect.signature``, ``tf.__all__``).

    python scripts/tf_api_model.py --check       # every entry against the installed TF
    python scripts/tf_api_model.py --generate    # rewrite the generated parts

Run ``--check`` after editing the YAML file and after installing a new
TensorFlow; the test suite runs it too (tests/test_api_model_files.py), so the
suite fails when the file and the installed TF disagree.  It prints one line
per problem and a summary, and exits 1 when there is any problem.  Entries for
``tf_keras`` (Keras 2) are only noted when that package is not installed.

Run ``--generate`` after installing a new TensorFlow release, then ``--check``:
it rewrites only ``checked_against`` and ``star_exports.tensorflow`` (TF's
``__all__``), keeping every other byte of the file, comments included.  The
rest of the file is written by hand.  ``--model PATH`` works on another copy of
the file.
"""

from __future__ import annotations

import argparse
import builtins
import importlib
import inspect
import os
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

MODEL = Path(__file__).resolve().parent.parent / "flake8_hybrid" / "data" / "tf_api.yaml"

# Keras 2 Model methods that Keras 3 (tf.keras since TF 2.16) removed.  The model
# keeps them for code that targets older TF; they are checked against tf_keras
# when it is installed, and against Keras 3 to be really gone (so that a typo
# cannot hide here).
KERAS_2_ONLY_METHODS = {"fit_generator", "evaluate_generator", "predict_generator"}

# Dataset parameters that take a function (checked by name: TF spells them so).
FUNCTION_PARAMETER = re.compile(r"(_func|_fn|^predicate)$")


@dataclass(frozen=True)
class Problem:
    section: str
    name: str
    message: str
    fatal: bool = True  # False: a note (e.g. an optional package is not installed)

    def __str__(self) -> str:
        prefix = "" if self.fatal else "note: "
        return f"{prefix}{self.section}: {self.name}: {self.message}"


class NotInstalled(LookupError):
    """The name lives in an optional package that is not installed."""


# -- resolving dotted names --------------------------------------------------------

OPTIONAL_PACKAGES = {"tf_keras"}


def resolve(dotted: str) -> Any:
    """The object a dotted name denotes, or LookupError saying why there is none.

    TensorFlow and Keras names are walked attribute by attribute from the
    top-level package, as user code reaches them (``tf.keras.layers.Dense``);
    other names (standard library, NumPy) may also name submodules to import,
    and a bare name is looked up in ``builtins`` first (``print``, ``open``).
    """
    head, *rest = dotted.split(".")
    if not rest and hasattr(builtins, head):
        return getattr(builtins, head)
    try:
        obj = importlib.import_module(head)
    except ImportError:
        if head in OPTIONAL_PACKAGES:
            raise NotInstalled(f"{head} is not installed") from None
        raise LookupError(f"no module {head!r}") from None
    walk_only = head in ("tensorflow", "keras", "tf_keras")
    path = head
    for part in rest:
        path += "." + part
        if not hasattr(obj, part) and inspect.ismodule(obj) and not walk_only:
            try:
                importlib.import_module(path)
            except ImportError:
                pass
        if not hasattr(obj, part):
            raise LookupError(f"no attribute {part!r} on {path.rsplit('.', 1)[0]}")
        obj = getattr(obj, part)
    return obj


def check_names(
    section: str, names: Any, kind: Callable[[Any], bool] | None = None, kind_name: str = ""
) -> Iterator[Problem]:
    """Each name resolves (and, with ``kind``, denotes that kind of object)."""
    for name in names:
        try:
            obj = resolve(name)
        except NotInstalled as error:
            yield Problem(section, name, f"not checked: {error}", fatal=False)
            continue
        except LookupError as error:
            yield Problem(section, name, f"does not exist ({error})")
            continue
        if kind is not None and not kind(obj):
            yield Problem(section, name, f"is not {kind_name} (it is {type(obj).__name__})")


def is_class(obj: Any) -> bool:
    return inspect.isclass(obj)


def is_module_or_callable(obj: Any) -> bool:
    return inspect.ismodule(obj) or callable(obj)


# -- one check per section -----------------------------------------------------------


def check_version(data: dict, tf: Any) -> Iterator[Problem]:
    if data.get("version") != 1:
        yield Problem("version", str(data.get("version")), "this script knows version 1 only")
    if data.get("checked_against") != tf.__version__:
        message = f"installed TensorFlow is {tf.__version__} (run --generate, then --check)"
        yield Problem("checked_against", str(data.get("checked_against")), message)


def check_aliases(data: dict, tf: Any) -> Iterator[Problem]:
    aliases = data["aliases"]
    yield from check_names("aliases", sorted(set(aliases.values())))
    public = [key for key in aliases if ".python." not in key and "._api" not in key]
    yield from check_names("aliases", public)
    # Internal spellings (tensorflow.python...) may name what only older TF had:
    # their module must still exist, the attribute need not.
    for key in aliases:
        if ".python." in key:
            module = key.rsplit(".", 1)[0]
            try:
                importlib.import_module(module)
            except ImportError:
                yield Problem("aliases", key, f"module {module} does not exist")


def check_tf_function(data: dict, tf: Any) -> Iterator[Problem]:
    section = data["tf_function"]
    name = section["name"]
    try:
        if resolve(name) is not tf.function:
            yield Problem("tf_function", name, "is not tf.function")
    except LookupError as error:
        yield Problem("tf_function", name, f"does not exist ({error})")
    listed = [entry["name"] for entry in section["parameters"]]
    actual = list(inspect.signature(tf.function).parameters)
    if listed != actual:
        yield Problem("tf_function", "parameters", f"are {listed}, inspect.signature(tf.function) says {actual}")


def check_run_functions_eagerly(data: dict, tf: Any) -> Iterator[Problem]:
    yield from check_names("run_functions_eagerly", data["run_functions_eagerly"], callable, "callable")


def check_deprecated_functions(data: dict, tf: Any) -> Iterator[Problem]:
    for name, entry in data["deprecated_functions"].items():
        yield from check_names("deprecated_functions", [name], callable, "callable")
        # The replacement lives in the same module.
        replacement = name.rsplit(".", 1)[0] + "." + entry["replacement"]
        yield from check_names("deprecated_functions", [replacement], callable, "callable")


def check_xla_incompatible(data: dict, tf: Any) -> Iterator[Problem]:
    # An entry is a call, or a module whose every call is covered.
    kind = "a module or a callable"
    yield from check_names("xla_incompatible", data["xla_incompatible"], is_module_or_callable, kind)


def check_tensors(data: dict, tf: Any) -> Iterator[Problem]:
    tensors = data["tensors"]
    yield from check_names("tensors.functions", tensors["functions"], callable, "callable")
    yield from check_names("tensors.modules", tensors["modules"], inspect.ismodule, "a module")
    yield from check_names("tensors.not_tensors", tensors["not_tensors"], callable, "callable")


def check_variables(data: dict, tf: Any) -> Iterator[Problem]:
    yield from check_names("variables", data["variables"], callable, "callable")


def check_datasets(data: dict, tf: Any) -> Iterator[Problem]:
    datasets = data["datasets"]

    def is_constructor(obj: Any) -> bool:
        # A class must be a Dataset; a function is only checked to be callable.
        return issubclass(obj, tf.data.Dataset) if inspect.isclass(obj) else callable(obj)

    yield from check_names("datasets.constructors", datasets["constructors"], is_constructor, "a dataset constructor")
    for method in datasets["methods"]:
        if not callable(getattr(tf.data.Dataset, method, None)):
            yield Problem("datasets.methods", method, "is not a method of tf.data.Dataset")
    for method, position in datasets["graph_callbacks"].items():
        yield from check_graph_callback(tf, method, position)


def check_graph_callback(tf: Any, method: str, position: int) -> Iterator[Problem]:
    function = getattr(tf.data.Dataset, method, None)
    if not callable(function):
        yield Problem("datasets.graph_callbacks", method, "is not a method of tf.data.Dataset")
        return
    parameters = [name for name in inspect.signature(function).parameters if name != "self"]
    if not 0 <= position < len(parameters):
        yield Problem("datasets.graph_callbacks", method, f"has no parameter at position {position}: {parameters}")
    elif not FUNCTION_PARAMETER.search(parameters[position]):
        message = f"parameter {position} is {parameters[position]!r}, not a function: {parameters}"
        yield Problem("datasets.graph_callbacks", method, message)


def check_keras(data: dict, tf: Any) -> Iterator[Problem]:
    keras = data["keras"]
    yield from check_names("keras.modules", keras["modules"], inspect.ismodule, "a module")
    yield from check_names("keras.constructors", keras["constructors"], keras_constructor, "a model, layer or loader")
    yield from check_names("keras.bases", keras["bases"], is_class, "a class")
    model = tf.keras.Model
    for method in keras["graph_methods"]:
        if not callable(getattr(model, method, None)):
            yield Problem("keras.graph_methods", method, "is not a method of tf.keras.Model")
    for method in keras["eager_only_methods"]:
        yield from check_keras_method(model, method)


def keras_constructor(obj: Any) -> bool:
    # Classes must be layers (a Model is a Layer); loaders are functions.
    if not inspect.isclass(obj):
        return callable(obj)
    return any(base.__name__ == "Layer" and "keras" in base.__module__ for base in inspect.getmro(obj))


def check_keras_method(model: type, method: str) -> Iterator[Problem]:
    section = "keras.eager_only_methods"
    present = callable(getattr(model, method, None))
    if method not in KERAS_2_ONLY_METHODS:
        if not present:
            yield Problem(section, method, "is not a method of tf.keras.Model")
        return
    if present:
        yield Problem(section, method, "is in Keras 3 again: drop it from KERAS_2_ONLY_METHODS")
        return
    try:
        legacy = importlib.import_module("tf_keras").Model
    except ImportError:
        yield Problem(section, method, "Keras 2 only: not checked, tf_keras is not installed", fatal=False)
        return
    if not callable(getattr(legacy, method, None)):
        yield Problem(section, method, "is a method of neither tf.keras.Model nor tf_keras.Model")


def check_eager_only_tensor_methods(data: dict, tf: Any) -> Iterator[Problem]:
    plain = set(dir(tf.constant(1.0)))
    missing = [name for name in data["eager_only_tensor_methods"] if name not in plain]
    if not missing:
        return
    # NumPy behaviour adds methods such as tolist; it changes TF process-wide,
    # so this check runs last.
    tf.experimental.numpy.experimental_enable_numpy_behavior()
    numpy_style = set(dir(tf.constant(1.0)))
    for name in missing:
        if name not in numpy_style:
            yield Problem("eager_only_tensor_methods", name, "is not an attribute of an EagerTensor")


def check_random_generators(data: dict, tf: Any) -> Iterator[Problem]:
    section = data["random_generators"]
    yield from check_names("random_generators.constructors", section["constructors"], callable, "callable")
    generator = tf.random.Generator.from_seed(1)
    for name in section["tensor_methods"]:
        method = getattr(generator, name, None)
        if not callable(method):
            yield Problem("random_generators.tensor_methods", name, "is not a method of tf.random.Generator")
        elif not tf.is_tensor(_sample(method, name)):
            yield Problem("random_generators.tensor_methods", name, "does not return a tensor")


def _sample(method: Any, name: str) -> Any:
    if name == "make_seeds":
        return method(2)
    if name == "binomial":
        return method([2], counts=1.0, probs=0.5)
    return method([2])


def check_python_side_effects(data: dict, tf: Any) -> Iterator[Problem]:
    yield from check_names("python_side_effects", data["python_side_effects"])


def check_numpy_modules(data: dict, tf: Any) -> Iterator[Problem]:
    yield from check_names("numpy_modules", data["numpy_modules"], inspect.ismodule, "a module")


def check_star_exports(data: dict, tf: Any) -> Iterator[Problem]:
    for module_name, names in data["star_exports"].items():
        try:
            module = resolve(module_name)
        except LookupError as error:
            yield Problem("star_exports", module_name, f"does not exist ({error})")
            continue
        expected = sorted(module.__all__)
        if names != expected:
            missing = sorted(set(expected) - set(names))
            extra = sorted(set(names) - set(expected))
            message = f"differs from sorted(__all__): missing {missing}, extra {extra} (run --generate)"
            yield Problem("star_exports", module_name, message)


# In file order; the NumPy-behaviour switch in check_eager_only_tensor_methods
# comes after every other check that creates tensors.
CHECKS = (
    check_version,
    check_aliases,
    check_tf_function,
    check_run_functions_eagerly,
    check_deprecated_functions,
    check_xla_incompatible,
    check_tensors,
    check_variables,
    check_datasets,
    check_keras,
    check_random_generators,
    check_python_side_effects,
    check_numpy_modules,
    check_star_exports,
    check_eager_only_tensor_methods,
)


def check(path: Path) -> int:
    tf = import_tensorflow()
    data = yaml.safe_load(path.read_text("utf-8"))
    problems: list[Problem] = []
    for run_check in CHECKS:
        try:
            problems.extend(run_check(data, tf))
        except (KeyError, TypeError, AttributeError) as error:
            # A section missing or of the wrong shape: one problem, not a traceback.
            section = run_check.__name__[len("check_") :]
            problems.append(Problem(section, "malformed", f"{type(error).__name__}: {error}"))
    for problem in problems:
        print(problem)
    fatal = sum(problem.fatal for problem in problems)
    notes = len(problems) - fatal
    print(f"{path}: {fatal} problem(s), {notes} note(s), against TensorFlow {tf.__version__}")
    return 1 if fatal else 0


# -- --generate ------------------------------------------------------------------------

CHECKED_AGAINST = re.compile(r'^checked_against: "([^"\n]*)"$', re.MULTILINE)
# star_exports.tensorflow as the file lays it out: a flow list, one name per
# comma, wrapped at STAR_EXPORTS_WIDTH columns and indented six spaces.
STAR_EXPORTS = re.compile(r"^(star_exports:\n  tensorflow: \[\n)(.*?)(\n  \]\n)", re.MULTILINE | re.DOTALL)
STAR_EXPORTS_WIDTH = 105


def format_names(names: list[str]) -> str:
    return textwrap.fill(
        ", ".join(names),
        width=STAR_EXPORTS_WIDTH,
        initial_indent=" " * 6,
        subsequent_indent=" " * 6,
        break_long_words=False,
        break_on_hyphens=False,
    )


def generate(path: Path) -> int:
    tf = import_tensorflow()
    text = path.read_text("utf-8")
    old = yaml.safe_load(text)
    checked, star = CHECKED_AGAINST.search(text), STAR_EXPORTS.search(text)
    if checked is None or star is None:
        block = "checked_against" if checked is None else "star_exports.tensorflow"
        print(f"{path}: cannot find the {block} block in its usual layout; restore it by hand", file=sys.stderr)
        return 1
    names = sorted(tf.__all__)
    # Replace the later block first so that the earlier match's offsets stay valid.
    new = text[: star.start(2)] + format_names(names) + text[star.end(2) :]
    new = new[: checked.start(1)] + tf.__version__ + new[checked.end(1) :]
    report_changes(old, tf.__version__, names)
    if new != text:
        path.write_text(new, "utf-8")
    print(f"{path}: {'rewritten' if new != text else 'unchanged'}")
    return 0


def report_changes(old: dict, version: str, names: list[str]) -> None:
    if old.get("checked_against") != version:
        print(f"checked_against: {old.get('checked_against')} -> {version}")
    old_names = set(old["star_exports"]["tensorflow"])
    added, removed = sorted(set(names) - old_names), sorted(old_names - set(names))
    if added:
        print(f"star_exports.tensorflow: added {', '.join(added)}")
    if removed:
        print(f"star_exports.tensorflow: removed {', '.join(removed)}")


# -- command line -----------------------------------------------------------------------


def import_tensorflow() -> Any:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before the import: silences TF's C++ logs
    import tensorflow as tf

    return tf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="check every entry against the installed TensorFlow")
    mode.add_argument("--generate", action="store_true", help="rewrite checked_against and star_exports.tensorflow")
    parser.add_argument("--model", type=Path, default=MODEL, help=f"the YAML file (default: {MODEL})")
    args = parser.parse_args(argv)
    return check(args.model) if args.check else generate(args.model)


if __name__ == "__main__":
    sys.exit(main())
