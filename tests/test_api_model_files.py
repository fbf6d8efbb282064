"""The API model's files: scripts/tf_api_model.py against the installed TF, and
users' own model files (--hybrid-api-model)."""

from __future__ import annotations

import argparse
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT, fixer, flake8
from flake8_hybrid.analysis.api_model import ApiModelError, api_model
from flake8_hybrid.settings import Settings

SCRIPT = ROOT / "scripts" / "tf_api_model.py"
SHIPPED = ROOT / "flake8_hybrid" / "data" / "tf_api.yaml"


def run_script(*argv: str) -> subprocess.CompletedProcess:
    # A subprocess: the check imports TensorFlow and switches on NumPy behaviour.
    return subprocess.run(
        [sys.executable, str(SCRIPT), *argv], capture_output=True, text=True, timeout=300, cwd=ROOT
    )


def problem_lines(output: str) -> list[str]:
    """The script's problem lines: not notes, not the summary."""
    return [line for line in output.splitlines()[:-1] if not line.startswith("note: ")]


# -- scripts/tf_api_model.py --------------------------------------------------------


def test_check_passes_on_the_shipped_model() -> None:
    result = run_script("--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert problem_lines(result.stdout) == []
    # Notes (tf_keras entries not checked) depend on whether tf_keras is installed.
    assert result.stdout.splitlines()[-1].startswith(f"{SHIPPED}: 0 problem(s), ")
    assert result.stdout.splitlines()[-1].endswith(" against TensorFlow 2.21.0")


# (text in the shipped file, its broken replacement, the problem line the check prints)
BREAKAGES = [
    ("tensorflow.linspace,", "tensorflow.linspacex,", "tensors.functions: tensorflow.linspacex: does not exist"),
    ("reduce: 1,", "reduce: 0,", "datasets.graph_callbacks: reduce: parameter 0 is 'initial_state', not a function"),
    ("padded_batch,", "padded_batches,", "datasets.methods: padded_batches: is not a method of tf.data.Dataset"),
    ("[fit, evaluate", "[fitt, evaluate", "keras.eager_only_methods: fitt: is not a method of tf.keras.Model"),
    ("  time.sleep: clock", "  time.sleeep: clock", "python_side_effects: time.sleeep: does not exist"),
    ("[numpy, ", "[numpy, to_list, ", "eager_only_tensor_methods: to_list: is not an attribute of an EagerTensor"),
    ("      AggregationMethod, ", "      ", "star_exports: tensorflow: differs from sorted(__all__): missing ['Aggreg"),
]


def test_check_names_each_broken_entry(tmp_path: Path) -> None:
    text = SHIPPED.read_text("utf-8")
    for old, new, _ in BREAKAGES:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    broken = tmp_path / "tf_api.yaml"
    broken.write_text(text, "utf-8")
    result = run_script("--check", "--model", str(broken))
    assert result.returncode == 1
    problems = problem_lines(result.stdout)
    for _, _, expected in BREAKAGES:
        assert any(line.startswith(expected) for line in problems), (expected, problems)
    assert len(problems) == len(BREAKAGES), problems  # nothing else reported
    assert f"{len(BREAKAGES)} problem(s)" in result.stdout.splitlines()[-1]


def test_generate_changes_nothing_on_the_shipped_model(tmp_path: Path) -> None:
    copy = tmp_path / "tf_api.yaml"
    copy.write_bytes(SHIPPED.read_bytes())
    result = run_script("--generate", "--model", str(copy))
    assert result.returncode == 0, result.stderr
    assert copy.read_bytes() == SHIPPED.read_bytes()
    assert result.stdout.strip() == f"{copy}: unchanged"


def test_generate_rewrites_only_the_generated_blocks(tmp_path: Path) -> None:
    text = SHIPPED.read_text("utf-8")
    stale = text.replace('checked_against: "2.21.0"', 'checked_against: "2.20.0"')
    stale = stale.replace("      AggregationMethod, Assert, ", "      Assert, OldName, ")
    assert stale.count("OldName") == 1 and "2.20.0" in stale
    copy = tmp_path / "tf_api.yaml"
    copy.write_text(stale, "utf-8")
    result = run_script("--generate", "--model", str(copy))
    assert result.returncode == 0, result.stderr
    assert "checked_against: 2.20.0 -> 2.21.0" in result.stdout
    assert "star_exports.tensorflow: added AggregationMethod" in result.stdout
    assert "star_exports.tensorflow: removed OldName" in result.stdout
    assert copy.read_text("utf-8") == text  # comments and every other byte kept


# -- user model files: merging -------------------------------------------------------

MYLIB = textwrap.dedent(
    """\
    # The API of mylib, for flake8-hybrid.
    tensors:
      functions: [mylib.ops.fused_dense]
      modules: [mylib.nn]
    python_side_effects:
      mylib.log.event: logging
    xla_incompatible:
      mylib.ops.host_call: a Python function
      tensorflow.strings: string ops (mylib's note)
    datasets:
      constructors: [mylib.data.load]
    keras:
      bases: [mylib.layers.Base]
    variables:
    """
)


@pytest.fixture
def mylib(tmp_path: Path) -> str:
    path = tmp_path / "mylib_api.yaml"
    path.write_text(MYLIB)
    return str(path)


def test_user_entries_are_added_to_the_model(mylib: str) -> None:
    model = api_model((mylib,))
    assert model.value_kind("mylib.ops.fused_dense") == "tensor"
    assert model.returns_tensor("mylib.nn.conv")  # lists are extended ...
    assert model.returns_tensor("tensorflow.nn.relu")  # ... and keep the built-in entries
    assert model.value_kind("mylib.data.load") == "dataset"
    assert "mylib.layers.Base" in model.keras_bases and "tensorflow.keras.Model" in model.keras_bases
    assert model.side_effect("mylib.log.event") == "logging"
    assert model.side_effect("print") == "output"
    assert model.xla_incompatibility("mylib.ops.host_call") == "a Python function"
    assert model.xla_incompatibility("tensorflow.strings.length") == "string ops (mylib's note)"  # dicts updated
    assert model.xla_incompatibility("tensorflow.py_function") == "a Python function"


def test_the_built_in_model_is_unchanged_and_cached(mylib: str) -> None:
    api_model((mylib,))
    builtin = api_model()
    assert builtin is api_model(()) is api_model()
    assert api_model((mylib,)) is api_model((mylib,))
    assert builtin.value_kind("mylib.ops.fused_dense") is None
    assert builtin.xla_incompatibility("tensorflow.strings.length") == "string ops"


def test_several_files_apply_in_order(tmp_path: Path, mylib: str) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("python_side_effects: {mylib.log.event: output, otherlib.say: output}\n")
    model = api_model((mylib, str(other)))
    assert model.side_effect("mylib.log.event") == "output"
    assert model.side_effect("otherlib.say") == "output"
    assert model.value_kind("mylib.ops.fused_dense") == "tensor"


def test_an_empty_file_adds_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing yet\n")
    assert api_model((str(empty),)).value_kind("tensorflow.zeros") == "tensor"


# -- user model files: errors -----------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tensors:\n  functions: [a, b\npython_side_effects: {}\n", "line 3: invalid YAML: "),
        ("a: b\n\tc: d\n", "line 2: invalid YAML: found a tab character"),
        ("- mylib.ops.fused_dense\n", "the top level must be a mapping of sections, not a list"),
        ("tensor:\n  functions: [a]\n", "unknown section 'tensor' (valid sections: aliases, run_functions_eagerly,"),
        ("tensors:\n  function: [a]\n", "unknown section 'tensors.function' (valid sections: tensors.modules,"),
        ("tf_function: {name: mylib.function}\n", "section 'tf_function' describes TensorFlow itself"),
        ("variables: mylib.Var\n", "section 'variables' must be a list of names, not a string"),
        ("tensors: [mylib.ops]\n", "section 'tensors' must be a mapping of sections, not a list"),
        ("python_side_effects: [mylib.log]\n", "'python_side_effects' must be a mapping of names to text, not a list"),
        ("variables: [mylib.Var, 3]\n", "section 'variables' must be a list of names; entry 3 is a number"),
        (
            "datasets: {graph_callbacks: {mymap: first}}\n",
            "'datasets.graph_callbacks' must be a mapping of names to argument positions; entry 'mymap' is 'first'",
        ),
        (
            "deprecated_functions: {mylib.old: {replacement: new, deprecated: 2.10}}\n",
            "entry 'mylib.old' is {'replacement': 'new', 'deprecated': 2.1}",  # the number 2.1
        ),
    ],
    ids=[
        "syntax",
        "tab",
        "list",
        "unknown-section",
        "unknown-subsection",
        "not-extensible",
        "string-for-list",
        "list-for-sections",
        "list-for-mapping",
        "number-in-list",
        "text-for-position",
        "unquoted-version",
    ],
)
def test_malformed_file_is_a_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    with pytest.raises(ApiModelError) as error:
        api_model((str(path),))
    assert str(error.value).startswith(f"{path}: ")
    assert expected in str(error.value)
    assert isinstance(error.value, ValueError)  # what flake8 and the fixer report as option errors


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ApiModelError, match=r"missing\.yaml: cannot read the API model file: No such file"):
        api_model((str(missing),))


def test_yaml_tags_are_not_executed(tmp_path: Path) -> None:
    path = tmp_path / "unsafe.yaml"
    path.write_text("variables: !!python/object/apply:os.system ['echo unsafe']\n")
    with pytest.raises(ApiModelError, match="invalid YAML"):
        api_model((str(path),))


def test_settings_carry_the_files(mylib: str) -> None:
    options = argparse.Namespace(hybrid_tf_version=None, hybrid_test_patterns=None, hybrid_api_model=[mylib])
    assert Settings.from_options(options).api_model_files == (mylib,)
    options.hybrid_api_model = [mylib + ".missing"]
    with pytest.raises(ValueError, match=r"^--hybrid-api-model: .*missing: cannot read"):
        Settings.from_options(options)


# -- through flake8 and the fixer ---------------------------------------------------------

COMPILED = textwrap.dedent(
    """\
    import tensorflow as tf
    from mylib.ops import host_call


    @tf.function(jit_compile=True)
    def step(x):
        return host_call(x) * 2


    @tf.function
    def not_compiled(x):
        return host_call(x)
    """
)


@pytest.fixture
def project(tmp_path: Path, mylib: str) -> Path:
    (tmp_path / "model.py").write_text(COMPILED)
    (tmp_path / "broken.yaml").write_text("tensors:\n  functions: [a, b\n")
    return tmp_path


def test_user_entries_reach_the_rules(project: Path, mylib: str) -> None:
    assert flake8("--isolated", "--select=HYB", "model.py", cwd=project).stdout == ""
    result = flake8("--isolated", "--select=HYB", f"--hybrid-api-model={mylib}", "model.py", cwd=project)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "model.py:7:12: HYB307 'host_call' cannot be compiled by XLA (a Python function), but 'step' has "
        "jit_compile=True; move it out of the compiled function or drop jit_compile"
    ]
    # The fixer reads the option too, and agrees.
    result = fixer("--isolated", "--check", "--select=HYB", f"--hybrid-api-model={mylib}", "model.py", cwd=project)
    assert result.returncode == 1 and "model.py:7:12: HYB307" in result.stdout


def test_option_from_a_config_file_is_relative_to_it(project: Path, mylib: str) -> None:
    (project / "mylib_api.yaml").write_text(Path(mylib).read_text())
    (project / "tox.ini").write_text("[flake8]\nselect = HYB\nhybrid-api-model = ./mylib_api.yaml\n")
    (project / "sub").mkdir()
    result = flake8("--config=../tox.ini", "../model.py", cwd=project / "sub")
    assert "model.py:7:12: HYB307" in result.stdout, result.stdout + result.stderr


def test_broken_file_is_one_critical_error_in_flake8(project: Path) -> None:
    result = flake8("--isolated", "--hybrid-api-model=broken.yaml", "model.py", cwd=project)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    expected = "flake8-hybrid: --hybrid-api-model: broken.yaml: line 3: invalid YAML: did not find expected ',' or ']'"
    assert expected in result.stdout.splitlines()


def test_broken_file_is_a_configuration_error_in_the_fixer(project: Path) -> None:
    result = fixer("--isolated", "--hybrid-api-model=broken.yaml", "model.py", cwd=project)
    assert result.returncode == 2
    assert "configuration error" in result.stderr and "broken.yaml: line 3: invalid YAML" in result.stderr
    assert "Traceback" not in result.stderr
    assert (project / "model.py").read_text() == COMPILED


def test_an_alias_of_tf_function_is_found_in_a_module_that_never_says_function(tmp_path: Path) -> None:
    # Modules without any spelling of tf.function skip the search for its sites: an alias of
    # the user's own must count as a spelling.
    aliases = tmp_path / "jit.yaml"
    aliases.write_text("aliases:\n  mylib.jit: tensorflow.function\n")
    (tmp_path / "model.py").write_text(
        "import tensorflow as tf\nfrom mylib import jit\n\n\n"
        "@jit(experimental_relax_shapes=True)\ndef step(x):\n    return x\n"
    )
    assert api_model((str(aliases),)).last_words("tensorflow.function") == {"function", "jit"}
    result = flake8("--isolated", "--select=HYB301", f"--hybrid-api-model={aliases}", "model.py", cwd=tmp_path)
    assert result.stdout.startswith("model.py:5:6: HYB301 'experimental_relax_shapes' is deprecated"), result.stdout
