"""Ground truth for what the analysis takes as fact about TensorFlow: which values tf.function traces
by type spec (no retrace per value), which break a graph, and what a graph freezes.

Each test runs TensorFlow 2.21 and asserts the behaviour a rule relies on: the API model's tensor-like
kinds (HYB002, HYB003), the HYB001 blockers (fixtures/hyb001_hazards.py) and the facts behind the
graph-safety rules. Where a measurement contradicted the catalog, the catalog follows it.
"""

from __future__ import annotations

import os
from typing import NamedTuple

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # before the import: silences TF's C++ logs

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402


def traced(fn):
    """``tf.function`` of ``fn`` and a list that grows by one per trace (Python runs only then)."""
    traces: list = []

    def counted(*args):
        traces.append(1)
        return fn(*args)

    return tf.function(counted), traces


# -- values traced by spec: no retrace per value (HYB002 is wrong for them, HYB003 silent) ----------
def test_numpy_arrays_of_one_shape_share_a_trace_and_a_new_shape_traces_again():
    function, traces = traced(lambda a: a * 2.0)
    for seed in range(10):
        function(np.random.default_rng(seed).random(3).astype(np.float32))
    assert len(traces) == 1
    for length in range(1, 11):
        function(np.ones(length, np.float32))
    assert len(traces) == 1 + 9  # length 3 was traced already


@pytest.mark.parametrize("make", [
    lambda i: tf.RaggedTensor.from_row_lengths(tf.range(4.0) + i, [1, 3]),
    lambda i: tf.SparseTensor([[0, 0], [1, 1]], [float(i), 2.0], [2, 2]),
    lambda i: tf.experimental.numpy.asarray([1.0, 2.0]) + i,
], ids=["ragged", "sparse", "tf-numpy"])
def test_composite_tensors_are_traced_by_spec(make):
    function, traces = traced(lambda value: value)
    for index in range(5):
        function(make(index))
    assert len(traces) == 1


def test_a_namedtuple_of_tensors_is_traced_by_its_specs():
    class State(NamedTuple):
        position: tf.Tensor
        velocity: tf.Tensor

    function, traces = traced(lambda state: state.position + state.velocity)
    for step in range(5):
        function(State(tf.constant([float(step)]), tf.constant([1.0])))
    assert len(traces) == 1


def test_a_tuple_of_python_numbers_retraces_per_value_like_a_number():
    function, traces = traced(lambda pair: tf.constant(float(pair[0])) + pair[1])
    for step in range(4):
        function((step, 1.0))
    assert len(traces) == 4


def test_the_variables_of_a_model_are_traced_by_spec():
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    function, traces = traced(lambda variables: tf.add_n([tf.reduce_sum(v) for v in variables]))
    for _ in range(3):
        for variable in model.weights:
            variable.assign_add(tf.ones_like(variable))
        function(model.weights)
    assert len(traces) == 1


def test_dataset_elements_and_reduce_results_are_tensors():
    dataset = tf.data.Dataset.range(4)
    assert all(isinstance(element, tf.Tensor) for element in dataset)
    assert isinstance(dataset.reduce(tf.constant(0, tf.int64), lambda total, x: total + x), tf.Tensor)
    assert all(isinstance(element, tf.Tensor) for element in tf.data.Dataset.random(seed=1).take(2))


def test_keras_converts_the_first_argument_of_call_to_a_tensor():
    seen = []

    class Probe(tf.keras.layers.Layer):
        def call(self, inputs):
            seen.append(type(inputs))
            return inputs

    Probe()(np.ones((2, 3), np.float32))
    assert issubclass(seen[0], tf.Tensor)


# -- what blocks HYB001 ------------------------------------------------------------------------------
def test_a_keras_tensor_given_to_a_tf_function_raises_value_error():
    function, _ = traced(lambda x: x * 2.0)
    with pytest.raises(ValueError, match="KerasTensor is symbolic"):
        function(tf.keras.Input(shape=(3,)))


def test_a_keras_layer_built_inside_a_tf_function_fails():
    @tf.function
    def apply(x):
        return tf.keras.layers.Dense(2)(x)

    with pytest.raises(ValueError, match="singleton tf.Variables created on the first call"):
        apply(tf.ones([1, 3]))


def test_a_raise_under_a_tensor_condition_raises_while_tracing_on_valid_input():
    def checked(x):
        if tf.reduce_min(x) < 0.0:
            raise ValueError("negative input")
        return x + 1.0

    assert float(tf.reduce_sum(checked(tf.ones([2])))) == 4.0  # eagerly, valid input passes
    with pytest.raises(ValueError, match="negative input"):
        tf.function(checked)(tf.ones([2]))


def test_a_tensor_that_grows_on_every_call_traces_on_every_call():
    function, traces = traced(tf.reduce_sum)
    history = tf.zeros([1, 4])
    for _ in range(5):
        function(history)
        history = tf.concat([history, tf.ones([1, 4])], axis=0)
    assert len(traces) == 5


def test_a_graph_keeps_the_value_of_an_attribute_rebound_after_tracing():
    class Scaler:
        def __init__(self):
            self.factor = 1.0

        @tf.function
        def apply(self, x):
            return x * self.factor

    scaler = Scaler()
    before = float(scaler.apply(tf.constant(2.0)))
    scaler.factor = 3.0
    assert before == float(scaler.apply(tf.constant(2.0))) == 2.0  # eagerly it would be 6.0


# -- HYB006 on a Dataset.map callback: tf.data traces it anyway --------------------------------------
def test_a_map_callback_runs_as_a_graph_with_or_without_its_own_tf_function():
    runs = {"plain": 0, "decorated": 0}

    def plain(x):
        runs["plain"] += 1  # Python runs only while tracing
        return tf.cast(x, tf.float32) / 255.0

    @tf.function
    def decorated(x):
        runs["decorated"] += 1
        return tf.cast(x, tf.float32) / 255.0

    dataset = tf.data.Dataset.range(6)
    assert [float(v) for v in dataset.map(plain)] == [float(v) for v in dataset.map(decorated)]
    assert runs == {"plain": 1, "decorated": 1}  # traced once each, as tf.data's graph; never eagerly


# -- HYB205: a bound method passed per call -----------------------------------------------------------
def test_a_bound_method_read_anew_per_call_traces_every_call():
    class Reducer:
        def reduce(self, x):
            return x * 2.0

    function, traces = traced(lambda x, reduce_fn: reduce_fn(x))
    reducer = Reducer()
    for _ in range(5):
        function(tf.constant(1.0), reducer.reduce)  # orbit's `reduce_fn=self.eval_reduce`
    assert len(traces) == 5


def test_a_warning_without_a_tensor_shows_once_eagerly_and_traced_alike():
    """HYB101 leaves `warnings.warn` of a fixed message alone: under Python's default filter a
    warning shows once per place in the code, so eager calls show it once, like a trace."""
    import warnings

    def step(x):
        warnings.warn("deprecated input")
        return x * 2.0

    for function in (step, tf.function(step)):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("default")
            for index in range(5):
                function(tf.constant(float(index)))
        assert len(seen) == 1, function
