"""No crash, ever: the plugin and the fixer over real code, generated programs and hostile inputs.

A failure is an exception escaping the plugin or the fixer, a HYB000 (the plugin's safety
net caught an error of ours), an internal error of the fixer, or a fixed file that does not
parse (tests/sweep.py). Files CPython itself cannot parse (syntax errors, null bytes, a
3,000-deep expression) never reach a plugin: flake8 reports E999/E902 for them, and the
fixer skips them with a message.

The default run sweeps a sample: the hostile inputs, every 10th file of the standard
library, the repository's own TensorFlow code and a few dozen generated programs. The full
sweep (``pytest -m sweep tests/test_no_crash.py``, about 30 minutes on 2 cores) adds every file of the
standard library and of the wheels tf-models-official 2.20.0 and tf-keras 2.21.0
(downloaded once by benchmarks/corpus.py), a 50,000-line TensorFlow module, and more
generated programs.
"""

from __future__ import annotations

import itertools
import sys
import sysconfig
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from hostile_inputs import write_hostile
from sweep import SweepResult, project_copy, sweep_fixer, sweep_fixer_cli, sweep_plugin

STDLIB = Path(sysconfig.get_paths()["stdlib"])
WHEELS = (("tf-models-official", "2.20.0"), ("tf-keras", "2.21.0"))


def stdlib_files() -> list:
    return sorted(p for p in STDLIB.rglob("*.py") if not {"site-packages", "dist-packages"} & set(p.parts))


def check(result: SweepResult) -> None:
    assert not result.failures, f"{len(result.failures)} failures, first: {result.failures[:5]}"


def sweep_tree(root: Path) -> SweepResult:
    paths = sorted(root.rglob("*.py"))
    result = SweepResult()
    result.add(sweep_plugin(paths))
    result.add(sweep_fixer(paths))
    result.add(sweep_fixer_cli(root))
    return result


# -- hostile inputs ----------------------------------------------------------------------------
def test_hostile_inputs(tmp_path: Path) -> None:
    paths = write_hostile(tmp_path / "hostile")
    result = sweep_tree(tmp_path / "hostile")
    check(result)
    assert result.linted > 0.6 * len(paths)


def test_deep_nesting_gets_a_clean_result_not_hyb000(tmp_path: Path) -> None:
    from flake8_hybrid.analysis.names import ModuleNames
    import ast

    tree = ast.parse("import tensorflow as tf\nf = " + "lambda: " * 500 + "tf.function\n")
    names = ModuleNames(tree)  # no RecursionError: the scope builder keeps its own stack
    innermost = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute)][0]
    assert names.qualified_name(innermost) == "tensorflow.function"


# -- real code ---------------------------------------------------------------------------------
def test_standard_library_sample() -> None:
    paths = stdlib_files()[::10]
    result = SweepResult()
    result.add(sweep_plugin(paths))
    result.add(sweep_fixer(paths))
    check(result)
    assert result.files > 100


def test_repository_tensorflow_code(tmp_path: Path) -> None:
    # TensorFlow code that is always there (CI has no network): the fixtures, examples and
    # benchmark programs, each copied as a project of its own.
    for index, source in enumerate((ROOT / "fixtures", ROOT / "examples",
                                    ROOT / "benchmarks" / "speedup" / "programs")):
        result = sweep_tree(project_copy(source, tmp_path / f"tree{index}"))
        check(result)
        assert result.linted > 0


# -- generated programs ------------------------------------------------------------------------
NAMES = st.sampled_from(["x", "y", "batch", "model", "step", "tf", "f", "g", "self", "i"])
TF_CALLS = st.sampled_from(["tf.nn.relu", "tf.reduce_sum", "tf.matmul", "tf.constant", "tf.ones", "tf.identity",
                            "tf.print", "tf.function", "tf.data.Dataset.from_tensor_slices", "np.array", "print"])
LITERALS = st.sampled_from(["1", "2.5", "'s'", "None", "True", "[1, 2]", "{'k': 1}", "(1,)", "tf.ones([2])"])


@st.composite
def expressions(draw, depth: int = 0):
    if depth > 3:
        return draw(st.one_of(NAMES, LITERALS))
    kind = draw(st.integers(0, 9))
    inner = lambda: draw(expressions(depth + 1))  # noqa: E731
    if kind == 0:
        return f"{draw(TF_CALLS)}({inner()})"
    if kind == 1:
        return f"{draw(NAMES)}({', '.join(inner() for _ in range(draw(st.integers(0, 3))))})"
    if kind == 2:
        return f"({inner()} {draw(st.sampled_from(['+', '*', '@', '-', '<', 'and', 'or']))} {inner()})"
    if kind == 3:
        return f"(lambda {draw(NAMES)}: {inner()})"
    if kind == 4:
        return f"[{inner()} for {draw(NAMES)} in {inner()} if {inner()}]"
    if kind == 5:
        return f"({inner()}).{draw(st.sampled_from(['numpy()', 'shape', 'assign(1)', 'append(1)', 'fit(x)', 'call']))}"
    if kind == 6:
        return f"{inner()}[{inner()}]"
    if kind == 7:
        return f"({draw(NAMES)} := {inner()})"
    return draw(st.one_of(NAMES, LITERALS))


@st.composite
def statements(draw, indent: int = 0, depth: int = 0):
    pad = "    " * indent
    kind = draw(st.integers(0, 12 if depth < 3 else 5))
    expr = lambda: draw(expressions())  # noqa: E731
    body = lambda: "".join(draw(st.lists(statements(indent + 1, depth + 1), min_size=1, max_size=3)))  # noqa: E731
    if kind == 0:
        return f"{pad}{draw(NAMES)} = {expr()}\n"
    if kind == 1:
        return f"{pad}{expr()}\n"
    if kind == 2:
        return f"{pad}return {expr()}\n"
    if kind == 3:
        return f"{pad}global {draw(NAMES)}\n" if draw(st.booleans()) else f"{pad}nonlocal_name = {expr()}\n"
    if kind == 4:
        return f"{pad}{draw(NAMES)}.{draw(NAMES)} = {expr()}\n"
    if kind == 5:
        return f"{pad}{draw(NAMES)} += {expr()}\n"
    if kind in (6, 7):
        decorator = draw(st.sampled_from(["", "@tf.function\n", "@tf.function(jit_compile=True)\n",
                                          "@tf.function(reduce_retracing=True, experimental_relax_shapes=True)\n",
                                          "@tf.function(input_signature=[tf.TensorSpec([None])])\n",
                                          "@staticmethod\n"]))
        decorator = "".join(pad + line + "\n" for line in decorator.splitlines())
        params = ", ".join(draw(st.lists(NAMES, max_size=3, unique=True)))
        return f"{decorator}{pad}def {draw(NAMES)}({params}):\n{body()}"
    if kind == 8:
        return f"{pad}for {draw(NAMES)} in {expr()}:\n{body()}"
    if kind == 9:
        return f"{pad}if {expr()}:\n{body()}{pad}else:\n{body()}"
    if kind == 10:
        base = draw(st.sampled_from(["", "tf.keras.Model", "tf.keras.layers.Layer", "tf.Module", "object"]))
        return f"{pad}class {draw(NAMES).capitalize()}({base}):\n{body()}"
    if kind == 11:
        return f"{pad}try:\n{body()}{pad}except Exception as {draw(NAMES)}:\n{body()}"
    return f"{pad}with tf.GradientTape() as {draw(NAMES)}:\n{body()}"


HEADERS = st.sampled_from([
    "import tensorflow as tf\nimport numpy as np\n",
    "import tensorflow\ntf = tensorflow\nimport numpy as np\n",
    "from tensorflow import function, keras\nimport tensorflow as tf\nimport numpy as np\n",
    "import tensorflow.compat.v2 as tf\nimport numpy as np\ntf.config.run_functions_eagerly(True)\n",
])


@st.composite
def programs(draw) -> str:
    return draw(HEADERS) + "".join(draw(st.lists(statements(), min_size=1, max_size=8)))


def _sweep_program(directory: Path, modules: list) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "setup.cfg").write_text("[metadata]\nname = generated\n", encoding="utf-8")
    paths = []
    for index, source in enumerate(modules):
        paths.append(directory / f"module_{index}.py")
        paths[-1].write_text(source, encoding="utf-8")
    result = sweep_plugin(paths)
    result.add(sweep_fixer(paths))
    check(result)
    assert result.linted == 2 * len(paths), modules  # the generator writes valid Python


_counter = itertools.count()


@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.lists(programs(), min_size=1, max_size=3))
def test_generated_programs(tmp_path_factory, modules) -> None:
    # A fresh directory per example: the plugin analyzes a project once per process.
    _sweep_program(tmp_path_factory.mktemp(f"generated{next(_counter)}"), modules)


# -- the full sweep: pytest -m sweep tests/test_no_crash.py -------------------------------------
@pytest.mark.sweep
def test_full_sweep_standard_library() -> None:
    paths = stdlib_files()
    result = SweepResult()
    result.add(sweep_plugin(paths))
    result.add(sweep_fixer(paths))
    print(f"\nstandard library: {result.files} runs over {len(paths)} files, {result.linted} linted", file=sys.stderr)
    check(result)


@pytest.mark.sweep
@pytest.mark.parametrize("name, version", WHEELS)
def test_full_sweep_wheel(tmp_path: Path, name: str, version: str) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from corpus import corpus_sources

    tree = project_copy(corpus_sources(name, version), tmp_path / name)
    result = sweep_tree(tree)
    print(f"\n{name}: {result.files} runs, {result.linted} linted, {result.fixed} fixed", file=sys.stderr)
    check(result)


@pytest.mark.sweep
def test_full_sweep_hostile_with_a_50k_line_module(tmp_path: Path) -> None:
    write_hostile(tmp_path / "hostile", big=True)
    check(sweep_tree(tmp_path / "hostile"))


@pytest.mark.sweep
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(programs(), min_size=1, max_size=4))
def test_full_sweep_generated_programs(tmp_path_factory, modules) -> None:
    _sweep_program(tmp_path_factory.mktemp(f"sweep{next(_counter)}"), modules)
