"""The retracing fixes end to end through the library: HYB203's keyword in every
tf.function spelling, HYB201's tf.constant and HYB204's tf.range, and version gating."""

from __future__ import annotations

import ast
import textwrap

import pytest

from flake8_hybrid.fix.engine import fix_source
from flake8_hybrid.fix.flake8_config import Flake8Config
from flake8_hybrid.lint import lint_source
from flake8_hybrid.registry import Applicability
from flake8_hybrid.settings import Settings
from flake8_hybrid.versions import Version

PADDED = """
import tensorflow as tf

{definition}

def main():
    for tokens in tf.data.Dataset.range(1, 40).map(tf.range).padded_batch(4):
        total(tokens)
"""


def _fix(source: str, tmp_path, unsafe: bool = False, select: str = "HYB203") -> str:
    path = tmp_path / "program.py"
    (tmp_path / "requirements.txt").write_text("tensorflow>=2.12\n")
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = program\n")
    path.write_text(source)
    config = Flake8Config(["--isolated", f"--select={select}"])
    outcome = fix_source(source, str(path), config, unsafe_fixes=unsafe)
    ast.parse(outcome.fixed_source)
    return outcome.fixed_source


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ("@tf.function\ndef total(t):\n    return tf.reduce_sum(t)",
         "@tf.function(reduce_retracing=True)\ndef total(t):"),
        ("@tf.function()\ndef total(t):\n    return tf.reduce_sum(t)",
         "@tf.function(reduce_retracing=True)\ndef total(t):"),
        ("@tf.function(jit_compile=False)\ndef total(t):\n    return tf.reduce_sum(t)",
         "@tf.function(jit_compile=False, reduce_retracing=True)\ndef total(t):"),
        ("@tf.function(\n    jit_compile=False,  # kept\n)\ndef total(t):\n    return tf.reduce_sum(t)",
         "@tf.function(\n    jit_compile=False,  # kept\n    reduce_retracing=True,\n)\ndef total(t):"),
        ("def summed(t):\n    return tf.reduce_sum(t)\n\ntotal = tf.function(summed)",
         "total = tf.function(summed, reduce_retracing=True)"),
    ],
    ids=["bare", "empty-call", "arguments", "one-per-line", "wrapping-call"],
)
def test_hyb203_adds_reduce_retracing_to_any_spelling(tmp_path, definition: str, expected: str) -> None:
    assert expected in _fix(PADDED.format(definition=definition), tmp_path)


def test_hyb203_fix_needs_tf_2_9(tmp_path) -> None:
    source = PADDED.format(definition="@tf.function\ndef total(t):\n    return tf.reduce_sum(t)")
    old = lint_source(source, str(tmp_path / "p.py"), Settings(tf_version=Version.parse("2.8")))
    new = lint_source(source, str(tmp_path / "p.py"), Settings(tf_version=Version.parse("2.9")))
    [old_finding] = [f for f in old if f.code == "HYB203"]
    [new_finding] = [f for f in new if f.code == "HYB203"]
    assert old_finding.applicability is Applicability.DISPLAY_ONLY and "not fixed automatically" in old_finding.message
    assert new_finding.applicability is Applicability.SAFE


def test_hyb203_not_fixed_when_the_function_loops_over_a_dimension(tmp_path) -> None:
    definition = (
        "@tf.function\ndef total(t):\n    s = 0\n    for i in range(t.shape[0]):\n        s += t[i]\n    return s"
    )
    source = PADDED.format(definition=definition)
    [finding] = [f for f in lint_source(source, str(tmp_path / "p.py"), Settings()) if f.code == "HYB203"]
    assert finding.applicability is Applicability.DISPLAY_ONLY


def test_hyb201_and_hyb204_fixes_are_unsafe_and_use_the_alias(tmp_path) -> None:
    source = textwrap.dedent("""\
        import tensorflow as tflow

        @tflow.function
        def step(x, epoch):
            for _ in range(100):
                x = x * 0.5 + tflow.cast(epoch, tflow.float32)
            return x

        def main():
            for epoch in range(10):
                step(tflow.ones([2]), epoch)
    """)
    safe = _fix(source, tmp_path, select="HYB201,HYB204")
    assert safe == source
    fixed = _fix(source, tmp_path, unsafe=True, select="HYB201,HYB204")
    assert "for _ in tflow.range(100):" in fixed
    assert "step(tflow.ones([2]), tflow.constant(epoch))" in fixed
