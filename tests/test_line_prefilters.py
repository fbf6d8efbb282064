"""The text prefilters of the rules' walks (``analysis/lines.py``) skip only what cannot matter."""

from __future__ import annotations

import ast

import pytest

from flake8_hybrid.analysis.lines import lines_with, names_imported_as, nodes_on
from flake8_hybrid.lint import lint_source
from flake8_hybrid.settings import Settings


def test_lines_are_counted_as_ast_counts_them() -> None:
    # \f, \x1c and \u2028 end a line for str.splitlines, not for Python.
    source = "a = 1\r\nb = 'x\u2028'\f\rc = word, '\x1c'\nd = [word,\n  word]\n"
    tree = ast.parse(source)
    assert lines_with(source, ["word"]) == [3, 4, 5]
    assert [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "word"] == [3, 4, 5]


def test_whole_words_leave_out_longer_names() -> None:
    source = "functional = 1\nmy_function()\nx.function\nfunction_of = 2\n(function)\n"
    assert lines_with(source, ["function"], whole_words=True) == [3, 5]
    assert lines_with(source, ["function"]) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "source, name",
    [
        ("from tensorflow import function as tff", "tff"),
        ("import tensorflow.function as tff", "tff"),
        ("from tensorflow import (function  # note\n    as\n    tff)", "tff"),
        ("from tensorflow import function \\\n  as tff", "tff"),
    ],
)
def test_every_import_alias_is_found(source: str, name: str) -> None:
    ast.parse(source)  # each is valid Python
    assert name in names_imported_as(source, ["function"])


def test_a_long_comment_after_a_word_is_read_once() -> None:
    source = "function  " + "#" * 5000 + "\n" + "x = 1\n" * 10
    assert names_imported_as(source, ["function"]) == frozenset()


def test_the_walk_skips_statements_off_the_lines_and_keeps_decorators() -> None:
    source = "@word\ndef f():\n    x = 1\n    return 2\n\ny = 3\n"
    tree = ast.parse(source)
    kept = {type(node).__name__ for node in nodes_on(tree, lines_with(source, ["word"]))}
    assert "FunctionDef" in kept and "Assign" not in kept and "Return" not in kept


SWITCHES = """\
import tensorflow as tf
from tensorflow.config import (run_functions_eagerly  # the switch
    as
    switch)
from tensorflow.config import experimental_run_functions_eagerly as experimental_eager


def main(model):
    switch(True)
    experimental_eager(True)
    tf.config.\\
experimental_run_functions_eagerly(True)
    model.compile(
        optimizer="adam",
        run_eagerly=True)
"""


def test_switches_under_other_names_and_lines_are_reported(tmp_path) -> None:
    path = tmp_path / "train.py"
    path.write_text(SWITCHES)
    findings = lint_source(SWITCHES, str(path), Settings(cache_directory=None))
    assert [(f.line, f.code) for f in findings] == [
        (9, "HYB004"), (10, "HYB004"), (10, "HYB304"), (11, "HYB004"), (11, "HYB304"), (15, "HYB005"),
    ]


def test_a_node_is_found_under_its_statements_or_anywhere() -> None:
    from flake8_hybrid.rules.retracing import _ancestors

    tree = ast.parse("class A:\n    def f(self):\n        for i in x:\n            g = [tf.function(h) for h in i]\n")
    call = next(node for node in ast.walk(tree) if isinstance(node, ast.Call))
    expected = ["ListComp", "Assign", "For", "FunctionDef", "ClassDef", "Module"]
    assert [type(node).__name__ for node in _ancestors(tree, call)] == expected
    call.lineno = 1  # off its statement's lines: found all the same
    assert [type(node).__name__ for node in _ancestors(tree, call)] == expected
