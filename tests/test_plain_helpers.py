"""Modules that never mention TensorFlow: skipped, unless TensorFlow code of their project imports them.

A plain helper called from a ``tf.function`` is graph code; its ``print`` runs only
while tracing (HYB101) like one written in the ``tf.function`` itself.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from flake8_hybrid.analysis import importers
from flake8_hybrid.lint import lint_source
from flake8_hybrid.settings import Settings

STEP = """
    import tensorflow as tf

    from helpers import describe, scale


    @tf.function
    def step(x):
        describe(x)
        return scale(x, 2.0)


    for _ in range(3):
        step(tf.ones([2]))
"""

HELPERS = """
    def describe(x):
        print("value:", x)


    def scale(x, factor):
        return x * factor
"""

UNRELATED = """
    def describe(x):
        print("shape:", x)
"""


def _project(root: Path) -> Path:
    root.mkdir()
    (root / "setup.cfg").write_text("[metadata]\nname = sample\n")
    (root / "step.py").write_text(textwrap.dedent(STEP))
    (root / "helpers.py").write_text(textwrap.dedent(HELPERS))
    (root / "unrelated.py").write_text(textwrap.dedent(UNRELATED))
    return root


def _codes(path: Path) -> list[tuple[int, str]]:
    findings = lint_source(path.read_text(), str(path), Settings(cache_directory=None))
    return [(finding.line, finding.code) for finding in findings]


def test_a_plain_helper_that_graph_code_calls_is_linted(tmp_path: Path) -> None:
    root = _project(tmp_path / "project")
    assert "tensorflow" not in (root / "helpers.py").read_text()
    assert _codes(root / "helpers.py") == [(3, "HYB101")]


def test_a_plain_module_nothing_imports_is_skipped(tmp_path: Path, monkeypatch) -> None:
    root = _project(tmp_path / "project")

    def no_analysis(*args, **kwargs):
        raise AssertionError("a module TensorFlow code does not import must not be analyzed")

    monkeypatch.setattr("flake8_hybrid.analysis.projects.project_for", no_analysis)
    assert _codes(root / "unrelated.py") == []


def test_the_import_scan_reads_every_spelling(tmp_path: Path) -> None:
    root = tmp_path / "scan"
    root.mkdir()
    (root / "setup.cfg").write_text("")
    (root / "a.py").write_text(
        "import tensorflow as tf\nimport pkg.deep.first\nfrom pkg import (\n    second,\n    third as t,\n)\n"
        "from .fourth import f\n"
    )
    (root / "b.py").write_text("import notseen\n")  # does not mention TensorFlow
    for name in ("first", "second", "third", "fourth"):
        assert importers.imported_by_tensorflow_modules(str(root / "pkg" / f"{name}.py")), name
    assert not importers.imported_by_tensorflow_modules(str(root / "notseen.py"))
