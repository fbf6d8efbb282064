"""HYB301-HYB309 against the target TF version, and HYB305's Python-value uses against TensorFlow.

The first part lints small projects whose requirement files say which TensorFlow they run
on. The second runs every kind of use HYB305 knows (and the near misses it leaves alone)
under TensorFlow, and checks that the rule reports exactly the uses that fail or change the
result once the Python value becomes a tensor, with the outcome its message states.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

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


ALIAS = "import tensorflow as tf\n\ntf.config.experimental_run_functions_eagerly(False)\n"


@pytest.mark.parametrize(
    "requirement, expected",
    [
        ("tensorflow>=2.2", None),  # TF 2.2 has only the experimental name (read from its wheel)
        ("tensorflow>=2.3", Applicability.SAFE),
        ("", Applicability.DISPLAY_ONLY),  # unknown: the project may run on TF 2.2
    ],
)
def test_hyb304_follows_the_target(tmp_path: Path, requirement: str, expected) -> None:
    (tmp_path / "setup.cfg").write_text(f"[options]\ninstall_requires =\n    {requirement}\n")
    (tmp_path / "debug.py").write_text(ALIAS)
    detect_target.cache_clear()
    findings = [f for f in lint_source(ALIAS, str(tmp_path / "debug.py"), Settings(cache_directory="none"))
                if f.code == "HYB304"]
    assert [f.fix.applicability for f in findings if f.fix] == ([expected] if expected else [])
    if expected is Applicability.DISPLAY_ONLY:
        assert "not fixed automatically: target TensorFlow version unknown" in findings[0].message


# -- HYB305: which Python uses of a covered parameter fail or differ ---------------------------
# (name, signature spec of n, body using x and n, the Python value passed for n)
USES = [
    ("numpy call", "COUNT", "return x[:2] + np.zeros(n, np.float32)", "2"),
    ("math call", "SCALAR", "return x * math.sqrt(n)", "4.0"),
    ("range in a comprehension", "COUNT", "return tf.stack([x[i] for i in range(n)])", "2"),
    ("list of a range", "COUNT", "return tf.constant(list(range(n)))", "2"),
    ("list repetition", "COUNT", "return tf.stack([x] * n)", "2"),
    ("repetition, count first", "COUNT", "return tf.stack(n * (x,))", "2"),
    ("text repetition", "COUNT", "return tf.constant('-' * n)", "2"),
    ("tuple index", "COUNT", "return (x, x * 2.0)[n]", "1"),
    ("shape slice", "COUNT", "return tf.zeros(x.shape[n:])", "0"),
    ("bare if, int", "tf.TensorSpec([], tf.int32)", "if n:\n    return x * 2.0\nreturn x", "2"),
    ("bare if, float", "tf.TensorSpec([])", "if n:\n    return x * 2.0\nreturn x", "2.0"),
    ("bare while", "tf.TensorSpec([], tf.int32)", "while n:\n    n_ = 0\n    x = x * 2.0\n    break\nreturn x", "2"),
    ("not", "tf.TensorSpec([], tf.int32)", "return x if not n else x * 2.0", "2"),
    ("f-string", "COUNT", "return tf.constant(f'n={n}')", "2"),
    ("str()", "COUNT", "return tf.constant(str(n))", "2"),
    ("percent format", "COUNT", "return tf.constant('%s' % n)", "2"),
    ("str.format", "COUNT", "return tf.constant('{}'.format(n))", "2"),
    # Near misses: TF ops and the control flow AutoGraph converts give the Python results.
    ("tf.range", "COUNT", "return tf.range(n)", "3"),
    ("tf.fill", "COUNT", "return tf.fill([n], 2.0)", "3"),
    ("tf.ones shape", "COUNT", "return tf.ones([n, 2])", "2"),
    ("tf.reshape", "COUNT", "return tf.reshape(tf.range(n * 2), [n, -1])", "2"),
    ("arithmetic", "SCALAR", "return x * n + 1.0", "3.0"),
    ("for over range", "COUNT", "for _ in range(n):\n    x = x * 2.0\nreturn x", "3"),
    ("if on a comparison", "COUNT", "if n > 1:\n    return x * 2.0\nreturn x", "2"),
    ("bare if, bool", "tf.TensorSpec([], tf.bool)", "if n:\n    return x * 2.0\nreturn x", "True"),
    ("tf.shape of it", "COUNT", "return tf.zeros(tf.stack([n]))", "2"),
]
PRELUDE = "import math\nimport numpy as np\nimport tensorflow as tf\n\n"
SPECS = (
    "VECTOR = tf.TensorSpec([None], tf.float32)\nSCALAR = tf.TensorSpec([], tf.float32)\n"
    "COUNT = tf.TensorSpec([], tf.int32)\n"
)


def use_module(spec: str, body: str, value: str) -> str:
    return (
        f"{PRELUDE}{SPECS}\n\n@tf.function(input_signature=[VECTOR, {spec}])\ndef f(x, n):\n"
        f"{textwrap.indent(body, '    ')}\n\n\nf(tf.constant([1.0, 2.0, 3.0, 4.0]), {value})\n"
    )


def reported_outcome(source: str) -> str:
    findings = [f for f in lint_source(source, "uses.py", Settings(cache_directory="none")) if f.code == "HYB305"]
    assert len(findings) <= 1, findings
    if not findings:
        return "same"
    message = findings[0].message
    assert "becomes a tensor under the input_signature of 'f'" in message
    if "then fails when traced" in message:
        return "fails"
    assert "then gives another value than the Python value would" in message
    return "differs"


def measured_outcome(directory: Path, spec: str, body: str, value: str) -> str:
    """Run ``f`` with the Python value eagerly and under its input_signature: same, differs or fails.

    From a file: AutoGraph converts only functions whose source it can read."""
    import numpy as np
    import tensorflow as tf

    path = directory / "measured_use.py"
    path.write_text(
        f"{PRELUDE}{SPECS}\ndef f(x, n):\n{textwrap.indent(body, '    ')}\n\n"
        f"SIGNATURE = [VECTOR, {spec}]\nARGUMENTS = (tf.constant([1.0, 2.0, 3.0, 4.0]), {value})\n",
        encoding="utf-8",
    )
    module = run_file(path)
    expected = module.f(*module.ARGUMENTS)
    try:
        got = tf.function(module.f, input_signature=module.SIGNATURE)(*module.ARGUMENTS)
    except Exception:  # noqa: BLE001 (any error: TypeError, ValueError, NotImplementedError...)
        return "fails"
    same = np.shape(expected) == np.shape(got) and np.array_equal(np.asarray(expected), np.asarray(got))
    return "same" if same else "differs"


@pytest.mark.parametrize("name, spec, body, value", USES, ids=[use[0] for use in USES])
def test_hyb305_reports_exactly_the_uses_that_fail_or_differ(
    tmp_path: Path, name: str, spec: str, body: str, value: str
) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    source = use_module(spec, body, value)
    assert reported_outcome(source) == measured_outcome(tmp_path, spec, body, value), source


def test_hyb305_docs_example_is_reported_fails_in_tf_and_its_replacement_works(tmp_path: Path) -> None:
    from flake8_hybrid.registry import get_rule

    rule = get_rule("HYB305")
    prelude = "import numpy as np\nimport tensorflow as tf\n\nx = tf.ones([2])\n"
    for kind, text, reported in (("example", rule.example, True), ("use_instead", rule.use_instead, False)):
        source = prelude + text + "\n"
        findings = lint_source(source, f"{kind}.py", Settings(cache_directory="none"))
        assert any(f.code == "HYB305" for f in findings) is reported, kind
        path = tmp_path / f"{kind}.py"
        path.write_text(source.replace("pad(x, 3)", "RESULT = pad(x, 3)"), encoding="utf-8")
        if reported:
            with pytest.raises(TypeError):
                run_file(path)
        else:
            assert run_file(path).RESULT.numpy().tolist() == [1.0, 1.0, 0.0, 0.0, 0.0]


def run_file(path: Path):
    """Import a file as a module (AutoGraph converts only functions whose source it can read)."""
    import importlib.util

    loaded = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module
