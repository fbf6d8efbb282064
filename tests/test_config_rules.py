"""HYB301-HYB309 against the target TF version: small projects whose requirement files say
which TensorFlow they run on."""

from __future__ import annotations

import textwrap
from pathlib import Path

from flake8_hybrid.findings import Finding
from flake8_hybrid.lint import lint_source
from flake8_hybrid.registry import Applicability
from flake8_hybrid.settings import Settings
from flake8_hybrid.versions import detect_target

CODE = textwrap.dedent(
    """\
    import tensorflow as tf


    @tf.function(experimental_relax_shapes=True)
    def relaxed(x):
        return x


    @tf.function(experimental_compile=True)
    def compiled(x):
        return x


    @tf.function(reduce_retracing=True)
    def reduced(x):
        return x


    @tf.function(jit_compile=True)
    def jit(x):
        return x
    """
)


def lint_project(root: Path, files: dict[str, str], preview: bool = False) -> list[Finding]:
    """Write ``files`` under ``root`` and lint ``model.py`` there."""
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "model.py").write_text(CODE, encoding="utf-8")
    detect_target.cache_clear()
    return lint_source(CODE, str(root / "model.py"), Settings(preview=preview, cache_directory="none"))


def by_code(findings: list[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.code, []).append(finding)
    return grouped


def test_python_requires_raises_the_floor_of_an_extra(tmp_path: Path) -> None:
    """tensorflow-datasets 4.9.10: tensorflow>=2.1 in an extra, python_requires>=3.10: TF 2.8 at least."""
    setup_cfg = "[options]\npython_requires = >=3.10\n\n[options.extras_require]\ntensorflow =\n    tensorflow>=2.1\n"
    found = by_code(lint_project(tmp_path, {"setup.cfg": setup_cfg}))
    # TF 2.8 has jit_compile (2.5) and deprecates experimental_compile (2.5): right for it.
    assert [f.line for f in found.pop("HYB302")] == [9]
    # reduce_retracing is new in 2.9: the raised floor is still below it; the requirement is what to change.
    [newer] = found.pop("HYB308")
    assert newer.line == 14
    assert newer.message == (
        "HYB308 tf.function argument 'reduce_retracing' is new in TF 2.9, but the target is TF 2.8 "
        "(setup.cfg declares 2.1, raised to 2.8 by python_requires >=3.10 in setup.cfg), where tf.function "
        "raises TypeError for it; require tensorflow>=2.9"
    )
    # experimental_relax_shapes is the right spelling for TF 2.8.
    assert found == {}


def test_without_the_python_requirement_the_declared_floor_counts(tmp_path: Path) -> None:
    found = by_code(lint_project(tmp_path, {"setup.cfg": "[options]\ninstall_requires =\n    tensorflow>=2.1\n"}))
    assert sorted(found) == ["HYB308"]  # nothing is deprecated in TF 2.1
    assert sorted(f.message.split("'")[1] for f in found["HYB308"]) == ["jit_compile", "reduce_retracing"]
    assert all(str(tmp_path) not in f.message for f in found["HYB308"])


def test_a_target_past_every_replacement_reports_them_with_safe_fixes(tmp_path: Path) -> None:
    found = by_code(lint_project(tmp_path, {"requirements.txt": "tensorflow<2.22,>=2.21.0\n"}))
    assert sorted(found) == ["HYB301", "HYB302"]
    fixes = [f.fix for f in found["HYB301"] + found["HYB302"]]
    assert all(fix is not None and fix.applicability is Applicability.SAFE for fix in fixes)


def test_unknown_floor_reports_deprecations_with_display_only_fixes(tmp_path: Path) -> None:
    """No floor: the project admits today's TF, where the arguments are deprecated; the fix is
    not safe, since an older TF the project may run on lacks the replacement."""
    found = by_code(lint_project(tmp_path, {"setup.cfg": "[metadata]\nname = app\n"}))
    assert sorted(found) == ["HYB301", "HYB302"]
    for finding in found["HYB301"] + found["HYB302"]:
        assert finding.fix is not None and finding.fix.applicability is Applicability.DISPLAY_ONLY
        assert "target TensorFlow version unknown" in finding.message


def test_a_ceiling_below_the_deprecation_silences_it(tmp_path: Path) -> None:
    """tensorflow<2.9 and no floor: no TF the project admits deprecates experimental_relax_shapes."""
    found = by_code(lint_project(tmp_path, {"requirements.txt": "tensorflow<2.9\n"}))
    assert sorted(found) == ["HYB302"]  # experimental_compile is deprecated from 2.5, below the ceiling
