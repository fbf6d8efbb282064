"""Ground truth: what the HYB201-HYB205 messages and docs say TensorFlow does, run on the installed TF.

The fixture cases (tests/test_retracing_ground_truth.py) count the traces and graph ops of
each reported pattern and near miss; this file checks the remaining claims of the catalog
entries: the retracing warning and its causes, the docs' examples and their numbers, and
what breaks when a fix is applied where the docs say it must not be."""

from __future__ import annotations

import logging
import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = pytest.importorskip("tensorflow")


def traces(function) -> int:
    return function.experimental_get_tracing_count()


@pytest.fixture
def tf_warnings():
    """The records TensorFlow's logger emits while the test runs."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.WARNING)
    tf.get_logger().addHandler(handler)
    try:
        yield records
    finally:
        tf.get_logger().removeHandler(handler)


# -- the retracing warning (HYB201, HYB202, HYB203, HYB205 quote it) -----------------------------
def test_five_retraces_warn_and_name_the_three_causes(tf_warnings) -> None:
    @tf.function
    def step(x, epoch):
        return x * epoch

    for epoch in range(4):
        step(tf.ones([2]), epoch)
    assert tf_warnings == []  # four traces: no warning yet
    step(tf.ones([2]), 4)
    [record] = tf_warnings
    text = record.getMessage()
    assert text.startswith("5 out of the last 5 calls to")
    assert "triggered tf.function retracing. Tracing is expensive and the excessive number of tracings" in text
    for cause in ("(1) creating @tf.function repeatedly in a loop", "(2) passing tensors with different shapes",
                  "(3) passing Python objects instead of tensors",
                  "For (2), @tf.function has reduce_retracing=True option that can avoid unnecessary retracing"):
        assert cause in text


def test_new_tf_function_objects_share_no_traces_and_warn_as_cause_one(tf_warnings) -> None:
    made = []
    for _ in range(5):
        made.append(tf.function(lambda x: x + 1.0))
        made[-1](tf.ones([2]))
    assert [traces(f) for f in made] == [1, 1, 1, 1, 1]
    assert any("(1) creating @tf.function repeatedly in a loop" in r.getMessage() for r in tf_warnings)


# -- HYB201 ---------------------------------------------------------------------------------------
def test_hyb201_a_python_number_traces_per_value_a_tensor_once() -> None:
    @tf.function
    def step(x, epoch):
        return x * tf.cast(epoch, tf.float32)

    for epoch in range(100):
        step(tf.ones([4]), epoch)
    assert traces(step) == 100
    for epoch in range(100):
        step(tf.ones([4]), tf.constant(epoch))
    assert traces(step) == 101  # one more, for the tensor spec


def test_hyb201_fix_changes_the_dtype_and_python_uses_of_the_value() -> None:
    assert tf.constant(1).dtype == tf.int32 and tf.constant(0.1).dtype == tf.float32
    x = tf.ones([2])
    assert float(tf.reduce_sum(x * 2)) == 4.0  # a Python number adapts to the other operand
    with pytest.raises(tf.errors.InvalidArgumentError):
        x * tf.constant(2)  # an int32 tensor does not

    @tf.function
    def pick(options, index):
        return options[index]

    assert pick([1.0, 2.0, 3.0], 1) == 2.0
    with pytest.raises(TypeError):
        pick([1.0, 2.0, 3.0], tf.constant(1))  # a tensor cannot index a Python list

    @tf.function
    def zeros(n):
        return tf.constant(np.zeros(n))

    assert zeros(3).shape == (3,)
    with pytest.raises(TypeError):
        zeros(tf.constant(3))  # nor size a NumPy array

    @tf.function
    def is_int(n):
        return isinstance(n, int)

    assert bool(is_int(3)) and not bool(is_int(tf.constant(3)))


# -- HYB203 ---------------------------------------------------------------------------------------
def test_hyb203_docs_example_traces_per_padded_length_and_relaxes() -> None:
    data = tf.data.Dataset.range(1, 20).map(tf.range).padded_batch(4)

    @tf.function
    def total(tokens):
        return tf.reduce_sum(tokens)

    @tf.function(reduce_retracing=True)
    def relaxed(tokens):
        return tf.reduce_sum(tokens)

    for tokens in data:
        assert int(total(tokens)) == int(relaxed(tokens))
    assert (traces(total), traces(relaxed)) == (5, 3)


def test_hyb203_a_relaxed_trace_breaks_python_loops_over_a_dimension() -> None:
    @tf.function(reduce_retracing=True)
    def rows(x):
        total = tf.zeros([])
        for i in range(x.shape[0]):
            total += tf.reduce_sum(x[i])
        return total

    rows(tf.ones([2, 3]))
    with pytest.raises(TypeError):
        rows(tf.ones([3, 3]))  # the second shape relaxes the first dimension to None


# -- HYB204 ---------------------------------------------------------------------------------------
def test_hyb204_fix_breaks_a_list_read_after_the_loop() -> None:
    def collect(loop_range):
        @tf.function
        def collected(x):
            rows = []
            for i in loop_range(4):
                rows.append(x * tf.cast(i, tf.float32))
            return tf.stack(rows)
        return collected

    assert collect(range)(tf.ones([2])).shape == (4, 2)
    with pytest.raises(Exception) as raised:
        collect(tf.range)(tf.ones([2]))
    assert type(raised.value).__name__ == "InaccessibleTensorError"  # (not exported under tf.errors)


def test_hyb204_fix_breaks_a_python_list_indexed_by_the_loop_variable() -> None:
    scales = [0.5, 1.0, 2.0]

    def scaled(loop_range):
        @tf.function
        def total(x):
            result = tf.zeros_like(x)
            for i in loop_range(3):
                result += x * scales[i]
            return result
        return total

    assert float(tf.reduce_sum(scaled(range)(tf.ones([2])))) == 7.0
    with pytest.raises(TypeError):
        scaled(tf.range)(tf.ones([2]))


def test_hyb204_a_list_filled_but_not_read_after_the_loop_still_works_in_a_graph_loop() -> None:
    @tf.function
    def grow(x):
        seen = []
        for _ in tf.range(4):
            seen.append(x)
            x = x + 1.0
        return x

    assert float(tf.reduce_sum(grow(tf.ones([2])))) == 10.0


# -- HYB205 ---------------------------------------------------------------------------------------
def test_hyb205_a_new_object_retraces_even_with_eq() -> None:
    class Config:
        rate = 0.5

        def __eq__(self, other):
            return isinstance(other, Config)

        def __hash__(self):
            return 0

    @tf.function
    def scale(x, config):
        return x * config.rate

    for _ in range(10):
        scale(tf.ones([4]), Config())
    assert traces(scale) == 10
    config = Config()
    before = traces(scale)
    for _ in range(10):
        scale(tf.ones([4]), config)
    assert traces(scale) == before + 1


def test_hyb205_an_extension_type_with_tensor_fields_shares_one_trace() -> None:
    class Config(tf.experimental.ExtensionType):
        rate: tf.Tensor

    @tf.function
    def scale(x, config):
        return x * config.rate

    for i in range(5):
        scale(tf.ones([2]), Config(rate=tf.constant(float(i))))
    assert traces(scale) == 1


def test_hyb205_a_property_gives_the_same_value_and_traces_once() -> None:
    class Distribution:
        @property
        def dtype(self):
            return tf.float32

    @tf.function
    def cast(x, dtype):
        return tf.cast(x, dtype)

    distribution = Distribution()
    for _ in range(5):
        cast(tf.ones([2], tf.int32), distribution.dtype)
    assert traces(cast) == 1


def test_hyb204_threshold_and_the_trade_it_rests_on(tmp_path) -> None:
    """benchmarks/unrolled_loops.py, quick: the graph sizes are exact; of the times, only the
    direction of a difference of 1.4x or more is checked (the machine may be shared)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from flake8_hybrid.rules.retracing import LARGE_LOOP

    out = tmp_path / "unrolled.json"
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "unrolled_loops.py"
    completed = subprocess.run([sys.executable, str(script), "--quick", "--json", str(out)],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    rows = {row["n"]: row for row in json.loads(out.read_text())["bodies"]["elementwise"]["rows"]}
    assert LARGE_LOOP in rows
    # One copy of the body (6 ops) per iteration, against one while loop whatever the length.
    assert {n: row["unrolled"]["ops"] for n, row in rows.items()} == {n: 6 * n + 2 for n in rows}
    assert {row["tf_range"]["ops"] for row in rows.values()} == {18}
    # Per call, the unrolled copies beat the graph loop's per-iteration overhead.
    large = rows[LARGE_LOOP]
    assert large["unrolled"]["least_call_us"] < large["tf_range"]["least_call_us"]
