"""Ground truth: the TensorFlow behaviour each implemented rule's docs claim, run on the installed TF.

Every test here runs TensorFlow and asserts what the catalog entry (what_it_does,
why_it_matters, fix_safety) of HYB004, HYB005 or HYB301-HYB309 says TF does.  Where
these measurements contradicted the first version of the docs, the docs and rules
were corrected to follow them; the comments say which.
"""

import io
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # before the import: silences TF's C++ logs

import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from flake8_hybrid.fix import cli  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = ROOT / "fixtures" / "programs"
RUNNER = Path(__file__).resolve().parent / "run_programs.py"


def trace_counter(fn, **options):
    """``tf.function`` of one-argument ``fn`` with ``options``, and a list that grows by one per trace."""
    traces = []

    def counted(x):
        traces.append(1)  # Python code runs only while tracing
        return fn(x)

    return tf.function(counted, **options), traces


# -- HYB004: tf.config.run_functions_eagerly(True) ---------------------------


@pytest.mark.parametrize(
    "switch",
    [tf.config.run_functions_eagerly, tf.config.experimental_run_functions_eagerly],  # noqa: HYB304
    ids=["run_functions_eagerly", "experimental_run_functions_eagerly"],
)
def test_hyb004_switch_makes_tf_function_bodies_run_eagerly(switch):
    modes = []

    @tf.function
    def double(x):
        modes.append(tf.executing_eagerly())  # a Python side effect
        return x * 2

    switch(True)
    try:
        eager_results = [float(double(tf.constant(float(i)))) for i in range(3)]
    finally:
        tf.config.run_functions_eagerly(False)  # the switch is process-wide
    # Eager: the body (and its Python side effect) runs on every call.
    assert modes == [True, True, True]
    assert eager_results == [0.0, 2.0, 4.0]

    modes.clear()
    graph_results = [float(double(tf.constant(float(i)))) for i in range(3)]
    # Graph: one trace, executing_eagerly() is False inside it, same results.
    assert modes == [False]
    assert graph_results == eager_results


# -- Keras models for HYB004 (Keras is affected too) and HYB005 ------------------


def run_keras(compile_run_eagerly=None, set_attribute=False):
    """Fit, evaluate and predict a tiny model; return what each step observed.

    For every call of train_step/test_step/predict_step (a call in Python, so once
    per step when eager and once per trace when in a graph) it records
    tf.executing_eagerly(), and train_step records whether ``.numpy()`` works.
    """
    seen = {"train": [], "test": [], "predict": [], "numpy": []}

    class StepRecorder(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = tf.keras.layers.Dense(1)

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            seen["train"].append(tf.executing_eagerly())
            try:
                data[0].numpy()
                seen["numpy"].append("ok")
            except AttributeError:  # a symbolic tensor has no .numpy()
                seen["numpy"].append("AttributeError")
            return super().train_step(data)

        def test_step(self, data):
            seen["test"].append(tf.executing_eagerly())
            return super().test_step(data)

        def predict_step(self, data):
            seen["predict"].append(tf.executing_eagerly())
            return super().predict_step(data)

    tf.keras.utils.set_random_seed(0)
    model = StepRecorder()
    options = {} if compile_run_eagerly is None else {"run_eagerly": compile_run_eagerly}
    model.compile(optimizer="sgd", loss="mse", **options)
    if set_attribute:
        model.run_eagerly = True
    x, y = tf.ones([8, 4]), tf.ones([8, 1])
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)  # 4 train steps
    model.evaluate(x, y, batch_size=4, verbose=0)  # 2 test steps
    model.predict(x, batch_size=4, verbose=0)  # 2 predict steps
    return seen


EAGER_STEPS = {"train": [True] * 4, "test": [True] * 2, "predict": [True] * 2, "numpy": ["ok"] * 4}


@pytest.mark.filterwarnings("ignore:Even though the `tf.config.experimental_run_functions_eagerly`:UserWarning")
def test_hyb004_switch_also_makes_keras_steps_run_eagerly():
    # "including those in libraries and in Keras"
    tf.config.run_functions_eagerly(True)
    try:
        seen = run_keras()
    finally:
        tf.config.run_functions_eagerly(False)
    assert seen == EAGER_STEPS


def test_hyb004_switch_does_not_reach_tf_data_functions():
    # Scope note (measured): the switch applies to tf.function, not to functions that
    # tf.data traces (TF warns that tf.data.experimental.enable_debug_mode() is needed).
    modes = []

    def double(x):
        modes.append(tf.executing_eagerly())
        return x * 2

    tf.config.run_functions_eagerly(True)
    try:
        with pytest.warns(UserWarning, match="does not apply to tf.data functions"):
            dataset = tf.data.Dataset.range(3).map(double)
        assert [int(x) for x in dataset] == [0, 2, 4]
    finally:
        tf.config.run_functions_eagerly(False)
    assert modes == [False]  # traced once, as a graph


@pytest.mark.parametrize(
    "how", [dict(compile_run_eagerly=True), dict(set_attribute=True)], ids=["compile", "attribute"]
)
def test_hyb005_run_eagerly_runs_fit_evaluate_predict_eagerly(how):
    # Every step runs in Python: fit, evaluate and predict all lose the graph.
    assert run_keras(**how) == EAGER_STEPS


def test_hyb005_without_run_eagerly_keras_steps_run_as_graphs():
    seen = run_keras()
    for step, steps_run in (("train", 4), ("test", 2), ("predict", 2)):
        assert seen[step], step  # traced at least once
        assert not any(seen[step]), step  # never eagerly
        # fix_safety: Python side effects run once per trace, not once per step.
        assert len(seen[step]) < steps_run, step
    # fix_safety: ".numpy() fails" in a traced train_step.
    assert seen["numpy"] and set(seen["numpy"]) == {"AttributeError"}
    assert run_keras(compile_run_eagerly=False)["train"] == seen["train"]


# -- HYB301-HYB304, HYB309: the fixes keep behaviour ---------------------------

# program -> (text the fix must remove, text the fix must leave instead or None)
FIXED_PROGRAMS = {
    "hyb301_relax_shapes.py": [("experimental_relax_shapes=True", "reduce_retracing=True")],
    "hyb302_experimental_compile.py": [("experimental_compile=True", "jit_compile=True")],
    "hyb303_follow_type_hints.py": [("experimental_follow_type_hints=True", None)],
    "hyb304_run_eagerly_alias.py": [
        ("tf.config.experimental_run_functions_eagerly(", "tf.config.run_functions_eagerly("),
        ("tf.config.experimental_functions_run_eagerly(", "tf.config.functions_run_eagerly("),
    ],
    "hyb309_redundant_reduce_retracing.py": [("reduce_retracing=True", None)],
}


def start_programs(paths):
    """Run all programs in one fresh Python process (one TensorFlow import)."""
    return subprocess.Popen(
        [sys.executable, str(RUNNER), *map(str, paths)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def results_by_name(process, stdout, stderr):
    assert process.returncode == 0, stderr[-3000:]
    results = json.loads(stdout.strip().splitlines()[-1])
    return {Path(path).name: result for path, result in results.items()}


@pytest.fixture(scope="module")
def fixed_programs(tmp_path_factory):
    """Fix copies of the programs, then run originals and fixed copies (in parallel)."""
    assert sorted(p.name for p in PROGRAMS.glob("*.py")) == sorted(FIXED_PROGRAMS)
    directory = tmp_path_factory.mktemp("fixed_programs")
    originals = sorted(PROGRAMS.glob("*.py"))
    copies = [Path(shutil.copy(path, directory / path.name)) for path in originals]
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(["--isolated", "--hybrid-tf-version", "2.21", *map(str, copies)], out, err)
    # 1: files were rewritten (HYB004 stays reported in the HYB304 program: display-only).
    assert status == 1, out.getvalue() + err.getvalue()
    before, after = start_programs(originals), start_programs(copies)
    outputs = [(process, *process.communicate(timeout=300)) for process in (before, after)]
    return {
        "before": results_by_name(*outputs[0]),
        "after": results_by_name(*outputs[1]),
        "source_before": {path.name: path.read_text() for path in originals},
        "source_after": {path.name: path.read_text() for path in copies},
    }


def assert_same(before, after, where="result"):
    """Equal JSON values, floats within 1e-6."""
    if isinstance(before, float) or isinstance(after, float):
        assert math.isclose(before, after, rel_tol=1e-6, abs_tol=1e-6), where
    elif isinstance(before, dict):
        assert isinstance(after, dict) and before.keys() == after.keys(), where
        for key in before:
            assert_same(before[key], after[key], f"{where}[{key!r}]")
    elif isinstance(before, list):
        assert isinstance(after, list) and len(before) == len(after), where
        for index, (b, a) in enumerate(zip(before, after)):
            assert_same(b, a, f"{where}[{index}]")
    else:
        assert before == after, where


@pytest.mark.parametrize("program", sorted(FIXED_PROGRAMS))
def test_fix_keeps_results_and_trace_counts(fixed_programs, program):
    for old, new in FIXED_PROGRAMS[program]:
        assert old in fixed_programs["source_before"][program]
        assert old not in fixed_programs["source_after"][program]
        if new is not None:
            assert new in fixed_programs["source_after"][program]
    assert_same(fixed_programs["before"][program], fixed_programs["after"][program])


def test_fixed_programs_exercise_what_the_rules_claim(fixed_programs):
    results = fixed_programs["after"]
    # HYB301: five shapes, fewer than five traces with shape relaxation.
    assert all(count < 5 for count in results["hyb301_relax_shapes.py"]["traces"].values())
    # HYB302: the renamed argument still asks for XLA.
    assert results["hyb302_experimental_compile.py"]["xla_must_compile"] is True
    # HYB303: one trace per distinct Python int, with or without the argument.
    assert results["hyb303_follow_type_hints.py"]["traces"] == 4
    # HYB304: the switch turned eager execution on and off.
    assert results["hyb304_run_eagerly_alias.py"]["switch"] == [False, True, False]
    assert results["hyb304_run_eagerly_alias.py"]["modes"] == [True, True, True, False]
    # HYB309: one trace for five shapes.
    assert results["hyb309_redundant_reduce_retracing.py"]["traces"] == 1


# -- HYB301: fix_safety details -------------------------------------------------


def five_shapes_traces(**options):
    f, traces = trace_counter(tf.reduce_sum, **options)
    for n in range(1, 6):
        f(tf.ones([n]))
    return len(traces)


def test_hyb301_none_means_off_and_the_two_options_are_ored():
    off = five_shapes_traces()
    reduced = five_shapes_traces(reduce_retracing=True)
    assert reduced < off
    # "`None` means off for both"
    assert five_shapes_traces(experimental_relax_shapes=None) == off
    assert five_shapes_traces(reduce_retracing=None) == off
    # "When `reduce_retracing` is also given, TF ORs the two"
    assert five_shapes_traces(experimental_relax_shapes=True, reduce_retracing=False) == reduced
    assert five_shapes_traces(experimental_relax_shapes=False, reduce_retracing=True) == reduced
    assert five_shapes_traces(experimental_relax_shapes=False, reduce_retracing=False) == off


# -- HYB302 ----------------------------------------------------------------------


def test_hyb302_both_spellings_raise_value_error():
    with pytest.raises(ValueError, match="Cannot specify both 'experimental_compile' and 'jit_compile'"):
        tf.function(tf.identity, experimental_compile=True, jit_compile=True)  # noqa: HYB302


# -- HYB304 ----------------------------------------------------------------------


def test_hyb304_experimental_names_are_deprecated_aliases(caplog):
    import inspect

    pairs = [
        (tf.config.experimental_run_functions_eagerly, tf.config.run_functions_eagerly),  # noqa: HYB304
        (tf.config.experimental_functions_run_eagerly, tf.config.functions_run_eagerly),  # noqa: HYB304
    ]
    for old, new in pairs:
        # "the new names take the same arguments"
        assert inspect.signature(old) == inspect.signature(new)
        assert "THIS FUNCTION IS DEPRECATED" in old.__doc__
        assert new.__name__ in old.__doc__  # the docs name the replacement
    # Same effect: the experimental getter reads what the new setter wrote.
    tf.config.run_functions_eagerly(True)
    try:
        assert tf.config.experimental_functions_run_eagerly() is True  # noqa: HYB304
    finally:
        tf.config.experimental_run_functions_eagerly(False)  # noqa: HYB304
    assert tf.config.functions_run_eagerly() is False

    # The HYB304 docs say TF 2.21 logs the deprecation once per process: its
    # deprecation decorator warns once per function, so further calls log nothing
    # (an earlier call in this process may already have used up that one warning).
    caplog.clear()
    with caplog.at_level("WARNING", logger="tensorflow"):
        for _ in range(3):
            tf.config.experimental_run_functions_eagerly(False)  # noqa: HYB304
    warnings = [r for r in caplog.records if "experimental_run_functions_eagerly" in r.getMessage()]
    assert len(warnings) <= 1
    assert all("is deprecated and will be removed" in r.getMessage() for r in warnings)


# -- HYB305: input_signature mismatches ----------------------------------------

SCALAR = tf.TensorSpec([], tf.float32)


def test_hyb305_extra_specs_raise_type_error():
    def one(a):
        return a

    with pytest.raises(TypeError, match="input_signature contains 1 extra type constraints"):
        tf.function(one, input_signature=[SCALAR, SCALAR])  # noqa: HYB305


def test_hyb305_missing_spec_raises_type_error():
    def two(a, b):
        return a + b

    with pytest.raises(TypeError, match="input_signature missing type constraint for b"):
        tf.function(two, input_signature=[SCALAR])  # noqa: HYB305


def test_hyb305_uncovered_default_is_frozen_and_passing_it_raises():
    def scaled(a, b=2.0):
        return a * b

    f = tf.function(scaled, input_signature=[SCALAR])  # noqa: HYB305
    assert float(f(tf.constant(3.0))) == 6.0  # b frozen at its default
    with pytest.raises(TypeError):
        f(tf.constant(3.0), 5.0)
    with pytest.raises(TypeError):
        f(tf.constant(3.0), b=5.0)


def test_hyb305_kwargs_with_a_keyword_raise_type_error():
    def with_kwargs(a, **kwargs):
        return a

    f = tf.function(with_kwargs, input_signature=[SCALAR])  # noqa: HYB305
    assert float(f(tf.constant(1.0))) == 1.0
    with pytest.raises(TypeError, match="unexpected keyword argument 'scale'"):
        f(tf.constant(1.0), scale=2.0)


def test_hyb305_python_literal_for_covered_parameter_becomes_symbolic_tensor():
    seen = []

    def branchy(a):
        seen.append(a)
        return a * 2

    f = tf.function(branchy, input_signature=[SCALAR])
    assert float(f(3.0)) == 6.0
    assert len(seen) == 1 and isinstance(seen[0], tf.Tensor) and tf.is_symbolic_tensor(seen[0])
    with pytest.raises(TypeError):  # Python code that branches on it cannot make it a bool
        bool(seen[0])
    # "or the call fails when the shape does not match"
    g = tf.function(branchy, input_signature=[tf.TensorSpec([2], tf.float32)])
    with pytest.raises(TypeError, match="Can not cast"):
        g(3.0)


# -- HYB306: autograph=False with tensor control flow ----------------------------


def tensor_if(x):
    if tf.reduce_sum(x) > 0:
        return x
    return -x


def tensor_for(n):
    total = tf.constant(0)
    for i in tf.range(n):
        total += i
    return total


def tensor_while(x):
    while x > 0:
        x -= 1
    return x


def tensor_if_else(x):
    return x if x > 0 else -x


def tensor_and(x):
    return tf.constant(1) if (x > 0 and x < 5) else tf.constant(0)


def tensor_not(x):
    if not x > 0:
        return x
    return -x


CONTROL_FLOW = [
    # (function, argument, result with AutoGraph, error text without it)
    (tensor_if, [1.0, -3.0], [-1.0, 3.0], "as a Python `bool` is not allowed"),
    # The error class is the same for every construct (OperatorNotAllowedInGraphError);
    # for a `for` the message is "Iterating over a symbolic `tf.Tensor` is not allowed",
    # as the HYB306 docs say.
    (tensor_for, 4, 6, "Iterating over a symbolic `tf.Tensor` is not allowed"),
    (tensor_while, 4, 0, "as a Python `bool` is not allowed"),
    (tensor_if_else, 2, 2, "as a Python `bool` is not allowed"),
    (tensor_and, 2, 1, "as a Python `bool` is not allowed"),
    (tensor_not, 2, -2, "as a Python `bool` is not allowed"),
]


@pytest.mark.parametrize("fn, argument, expected, error", CONTROL_FLOW, ids=[c[0].__name__ for c in CONTROL_FLOW])
def test_hyb306_tensor_control_flow_needs_autograph(fn, argument, expected, error):
    x = tf.constant(argument)
    with pytest.raises(tf.errors.OperatorNotAllowedInGraphError, match=error):
        tf.function(fn, autograph=False)(x)
    assert tf.function(fn)(x).numpy().tolist() == expected


def test_hyb306_iterating_a_list_returned_by_tf_unstack_works_without_autograph():
    # tf.unstack and tf.split return Python lists, and iterating them works under
    # autograph=False: tf_api.yaml lists them as containers, and HYB306 stays silent
    # (fixtures/hyb306.py, accumulate_list).
    def total(x):
        result = tf.constant(0.0)
        for t in tf.unstack(x):
            result += t
        for t in tf.split(x, 3):
            result += tf.reduce_sum(t)
        return result

    assert float(tf.function(total, autograph=False)(tf.ones([3]))) == 6.0


# -- HYB307: jit_compile=True with calls XLA cannot compile ----------------------


def via_py_function(x):
    return tf.py_function(lambda a: a * 2, [x], tf.float32)


def via_numpy_function(x):
    return tf.numpy_function(lambda a: a * 2, [x], tf.float32)


def via_v1_py_func(x):
    return tf.compat.v1.py_func(lambda a: a * 2, [x], tf.float32)


def via_strings(x):
    return tf.strings.as_string(tf.reduce_mean(x))


def via_as_string(x):
    return tf.as_string(x)


def via_string_length(x):
    return tf.strings.length(tf.strings.as_string(x))


@pytest.mark.parametrize(
    "fn, op",
    [
        (via_py_function, "EagerPyFunc"),
        (via_numpy_function, "PyFunc"),
        (via_v1_py_func, "PyFunc"),
        (via_strings, "AsString"),
        (via_as_string, "AsString"),
        (via_string_length, "AsString"),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_hyb307_python_and_string_ops_do_not_compile(fn, op):
    x = tf.constant([1.0, 2.0])
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=f"Detected unsupported operations when trying to compile graph.*{op}"
    ):
        tf.function(fn, jit_compile=True)(x)
    tf.function(fn)(x)  # the same body runs without jit_compile


@pytest.mark.parametrize(
    "decode, text",
    [
        (lambda s: tf.io.decode_csv(s, record_defaults=[[0.0], [0.0]])[0], ["1,2"]),
        (tf.io.decode_json_example, ['{"features": {}}']),
    ],
    ids=["decode_csv", "decode_json_example"],
)
def test_hyb307_text_decoding_of_an_argument_does_not_compile(decode, text):
    # The text arrives as an argument, as it does in real code; XLA cannot take a
    # string argument, so the compiled function fails.
    text = tf.constant(text)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Detected unsupported operations"):
        tf.function(decode, jit_compile=True)(text)
    tf.function(decode)(text)


def test_hyb307_string_ops_on_constants_are_folded_and_compile():
    # A string op whose inputs are all constants is constant-folded before XLA sees
    # it, and the function compiles and runs: HYB307 exempts such calls.
    def parsed(x):
        factor = tf.strings.to_number(tf.constant("1.5"))
        length = tf.cast(tf.strings.length(tf.constant("abc")), tf.float32)
        return x * factor + length

    assert tf.function(parsed, jit_compile=True)(tf.ones([2])).numpy().tolist() == [4.5, 4.5]


def test_hyb307_unguarded_variable_creation_fails_with_and_without_jit_compile():
    # Creating a variable on every call fails with or without jit_compile
    # (tf.function traces twice on the first call and the second trace creates
    # another variable), so HYB307 leaves unguarded creation to HYB104.
    def make_variable(x):
        v = tf.Variable(1.0)
        return v * x

    x = tf.constant([1.0, 2.0])
    for options in ({"jit_compile": True}, {}):
        with pytest.raises(ValueError, match="only supports singleton tf.Variables created on the first call"):
            tf.function(make_variable, **options)(x)


class GuardedVariable(tf.Module):
    """Creates its variable on the first call only: the `if self.v is None` guard."""

    def __init__(self, initial_value, jit_compile):
        super().__init__()
        self.initial_value = initial_value  # a function of the call's argument
        self.v = None
        self.scale = tf.function(self._scale, jit_compile=jit_compile)

    def _scale(self, x):
        if self.v is None:
            self.v = tf.Variable(self.initial_value(x))
        return self.v * x


@pytest.mark.parametrize("jit_compile", [True, False], ids=["jit", "nojit"])
def test_hyb307_guarded_variable_with_constant_initial_value_works(jit_compile):
    # Measured: with a guard and an initial value that does not depend on the
    # arguments, jit_compile=True creates the variable once and runs.
    module = GuardedVariable(lambda x: tf.constant([3.0, 3.0]), jit_compile)
    x = tf.constant([1.0, 2.0])
    assert module.scale(x).numpy().tolist() == [3.0, 6.0]
    assert module.scale(x).numpy().tolist() == [3.0, 6.0]
    assert module.v.numpy().tolist() == [3.0, 3.0]


def test_hyb307_guarded_variable_initialised_from_an_argument_fails_only_with_jit_compile():
    # Measured: when the initial value depends on an argument, TF cannot lift the
    # creation out of the function; under jit_compile that raises UnimplementedError,
    # without jit_compile it works.
    x = tf.constant([1.0, 2.0])
    with pytest.raises(tf.errors.UnimplementedError, match="failed to lift variable creations"):
        GuardedVariable(lambda x: x * 2, jit_compile=True).scale(x)
    assert GuardedVariable(lambda x: x * 2, jit_compile=False).scale(x).numpy().tolist() == [2.0, 8.0]


# -- HYB308: invalid arguments ----------------------------------------------------


def test_hyb308_unknown_keyword_raises_type_error():
    with pytest.raises(TypeError, match="unexpected keyword argument 'reduce_retrace'"):
        tf.function(tf.identity, reduce_retrace=True)  # noqa: HYB308


def test_hyb308_twelve_positional_arguments_raise_type_error():
    tf.function(*[None] * 11)  # eleven are accepted
    with pytest.raises(TypeError, match="takes from 0 to 11 positional arguments but 12 were given"):
        tf.function(*[None] * 12)


def test_hyb308_argument_given_twice():
    with pytest.raises(TypeError, match="multiple values for argument 'input_signature'"):
        tf.function(tf.identity, None, input_signature=None)  # noqa: HYB308
    # A repeated keyword fails even earlier: Python rejects the module.
    with pytest.raises(SyntaxError):
        compile("tf.function(autograph=True, autograph=False)", "<module>", "exec")


# -- HYB309: reduce_retracing next to input_signature ---------------------------


@pytest.mark.parametrize(
    "spec, shapes",
    [([None], [[1], [2], [3], [4], [5]]), ([2, None], [[2, 1], [2, 2], [2, 3]]), ([3], [[3], [3], [3]])],
    ids=["none", "partly-fixed", "fixed"],
)
def test_hyb309_input_signature_traces_once_with_or_without_reduce_retracing(spec, shapes):
    counts = []
    for options in ({"reduce_retracing": True}, {}):
        f, traces = trace_counter(tf.reduce_sum, input_signature=[tf.TensorSpec(spec, tf.float32)], **options)
        for index, shape in enumerate(shapes):
            f(tf.fill(shape, float(index)))
        counts.append(len(traces))
    assert counts == [1, 1]


# -- HYB002, HYB003: hybrid functions fed Python values ------------------------------
def _traces(function, calls):
    count = [0]

    def body(*args):
        count[0] += 1
        return function(*args)

    graph = tf.function(body)
    for args in calls:
        graph(*args)
    return count[0]


def test_hyb003_each_python_value_is_a_new_trace_and_tensors_are_not():
    x = tf.ones([4])
    assert _traces(lambda x, factor: x * factor, [(x, epoch) for epoch in range(10)]) == 10
    assert _traces(lambda x, factor: x * factor, [(x, tf.constant(float(epoch))) for epoch in range(10)]) == 1
    # Booleans are Python values too, but take two values: at most two traces.
    assert _traces(lambda x, training: x * 2 if training else x, [(x, epoch % 2 == 0) for epoch in range(10)]) == 2


def test_hyb002_python_only_arguments_retrace_per_value_and_compute_nothing_new():
    # A tf.function that only ever receives Python values traces once per distinct
    # value and replays constants: the graph's ops see no tensor from outside.
    sizes = [(3, 1.0), (4, 0.5), (3, 1.0)]
    assert _traces(lambda size, value: tf.fill([size], value), sizes) == 2
    graph = tf.function(lambda size, value: tf.fill([size], value))
    concrete = graph.get_concrete_function(3, 1.0)
    assert concrete.structured_input_signature == ((3, 1.0), {})
    assert [t.dtype for t in concrete.inputs] == []  # no tensor inputs at all


# -- HYB001's fix safety: Keras objects that may be new on a later call -------------------


def test_hyb001_graph_given_new_keras_objects_fails_to_create_their_variables():
    # Why HYB001's fix is unsafe when a training step receives models or optimizers that may be
    # new objects on a later call (a main() run twice): the second trace creates variables.
    @tf.function
    def train_step(model, optimizer, x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x)))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    def run():
        model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
        optimizer = tf.keras.optimizers.SGD(0.1)
        return [float(train_step(model, optimizer, tf.ones([4, 3]))) for _ in range(2)]

    first = run()
    assert len(first) == 2 and all(math.isfinite(x) for x in first)  # one set of objects works
    with pytest.raises(ValueError, match="tf.function only supports singleton tf.Variables"):
        run()


# -- HYB305 and HYB308 measured again for the messages of the config rules -----------------------


def test_hyb305_kwargs_keywords_naming_signature_parameters_bind_others_raise():
    # Under input_signature, **kwargs takes nothing: a keyword that names a signature parameter
    # binds to it; any other keyword raises TypeError. So a signature on a function with
    # **kwargs is reported only where a caller passes such a keyword.
    def with_kwargs(a, b, **kwargs):
        return a + b + len(kwargs)

    f = tf.function(with_kwargs, input_signature=[SCALAR, SCALAR])
    assert float(f(tf.constant(1.0), b=tf.constant(2.0))) == 3.0
    assert float(f(b=2.0, a=1.0)) == 3.0
    assert float(f(tf.constant(1.0), tf.constant(2.0))) == 3.0
    with pytest.raises(TypeError, match="unexpected keyword argument 'scale'"):
        f(tf.constant(1.0), tf.constant(2.0), scale=2.0)


def test_hyb308_tf_function_takes_no_kwargs_so_an_argument_it_lacks_raises():
    # HYB308 says a TF older than an argument raises TypeError for it: tf.function has no
    # **kwargs (2.21 here; every release's signature: scripts/tf_function_history.py).
    import inspect

    kinds = {parameter.kind for parameter in inspect.signature(tf.function).parameters.values()}
    assert inspect.Parameter.VAR_KEYWORD not in kinds
    with pytest.raises(TypeError, match="unexpected keyword argument 'experimental_new_option'"):
        tf.function(tf.identity, experimental_new_option=True)  # noqa: HYB308


def test_hyb301_to_hyb303_tf_logs_the_deprecations():
    # "deprecated since": TF 2.21 logs each deprecated argument when it is given (once per process,
    # so in a fresh one), naming the replacement where there is one.
    program = (
        "import logging, tensorflow as tf\n"
        "for option in ('experimental_relax_shapes', 'experimental_compile', 'experimental_follow_type_hints'):\n"
        "    tf.function(tf.identity, **{option: True})\n"
    )
    completed = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    log = completed.stderr
    assert "experimental_relax_shapes is deprecated, use reduce_retracing instead" in log
    assert "experimental_compile is deprecated, use jit_compile instead" in log
    assert "experimental_follow_type_hints is deprecated" in log
