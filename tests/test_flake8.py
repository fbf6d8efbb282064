"""flake8 itself, in a subprocess: the plugin as users run it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT, flake8

BAD = textwrap.dedent(
    """\
    import tensorflow as tf


    @tf.function(experimental_relax_shapes=True)
    def double(x):
        return x * 2


    tf.config.run_functions_eagerly(True)
    """
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "model.py").write_text(BAD)
    (tmp_path / "requirements.txt").write_text("tensorflow>=2.12\n")
    return tmp_path


def _codes(result: subprocess.CompletedProcess) -> list[str]:
    return [line.split(": ", 1)[1].split(" ", 1)[0] for line in result.stdout.splitlines()]


def test_version_lists_the_plugin() -> None:
    result = flake8("--version")
    assert result.returncode == 0
    assert "flake8-hybrid: 0.1.0" in result.stdout


def test_default_run_reports_hyb(project: Path) -> None:
    result = flake8("--isolated", "model.py", cwd=project)
    assert result.returncode == 1, result.stderr
    assert "model.py:4:14: HYB301 'experimental_relax_shapes' is deprecated since TF 2.9" in result.stdout
    assert "model.py:9:1: HYB004" in result.stdout


@pytest.mark.parametrize(
    "options, expected",
    [
        (["--select=HYB301"], ["HYB301"]),
        (["--select=E", "--extend-select=HYB004"], ["HYB004"]),
        (["--select=HYB", "--ignore=HYB004"], ["HYB301"]),
        (["--select=HYB", "--extend-ignore=HYB3"], ["HYB004"]),
        (["--select=HYB", "--per-file-ignores=model.py:HYB301"], ["HYB004"]),
        (["--select=E"], []),
    ],
)
def test_select_and_ignore(project: Path, options: list[str], expected: list[str]) -> None:
    result = flake8("--isolated", *options, "model.py", cwd=project)
    assert _codes(result) == expected, result.stdout + result.stderr


def test_config_file_is_read(project: Path) -> None:
    (project / "setup.cfg").write_text("[flake8]\nselect = HYB\nper-file-ignores =\n    model.py: HYB004\n")
    result = flake8("model.py", cwd=project)
    assert _codes(result) == ["HYB301"], result.stdout + result.stderr


def test_noqa(project: Path) -> None:
    source = BAD.replace(
        "@tf.function(experimental_relax_shapes=True)", "@tf.function(experimental_relax_shapes=True)  # noqa: HYB301"
    ).replace("tf.config.run_functions_eagerly(True)", "tf.config.run_functions_eagerly(True)  # noqa: HYB3")
    (project / "model.py").write_text(source)
    result = flake8("--isolated", "--select=HYB", "model.py", cwd=project)
    assert _codes(result) == ["HYB004"]  # HYB3 does not cover HYB004
    result = flake8("--isolated", "--select=HYB", "--disable-noqa", "model.py", cwd=project)
    assert _codes(result) == ["HYB301", "HYB004"]


def test_noqa_goes_on_the_reported_line_of_a_multiline_call(project: Path) -> None:
    # flake8 searches each physical line of a bracketed call separately, so an
    # argument-level finding is silenced on the argument's own line.
    call = "wrapped = tf.function({first}\n    abs,\n    experimental_relax_shapes=True,{second}\n)\n"
    on_first = call.format(first="  # noqa: HYB301", second="")
    on_argument = call.format(first="", second="  # noqa: HYB301")
    for source, expected in ((on_first, ["HYB301"]), (on_argument, [])):
        (project / "model.py").write_text("import tensorflow as tf\n\n" + source)
        assert _codes(flake8("--isolated", "--select=HYB", "model.py", cwd=project)) == expected


def test_stdin(project: Path) -> None:
    result = flake8("--isolated", "--select=HYB", "--stdin-display-name=pkg/model.py", "-", cwd=project, stdin=BAD)
    assert result.stdout.splitlines()[0].startswith("pkg/model.py:4:14: HYB301")
    assert _codes(result) == ["HYB301", "HYB004"]


def test_stdin_display_name_decides_test_files(project: Path) -> None:
    result = flake8("--isolated", "--select=HYB", "--stdin-display-name=tests/test_model.py", "-", cwd=project,
                    stdin=BAD)
    assert _codes(result) == ["HYB301"]  # HYB004 is not reported in test files


def test_option_from_config_and_command_line(project: Path) -> None:
    # HYB308 reports reduce_retracing when the target TF is too old for it.
    (project / "model.py").write_text(
        "import tensorflow as tf\n\n\n@tf.function(reduce_retracing=True)\ndef f(x):\n    return x\n"
    )
    assert _codes(flake8("--isolated", "--select=HYB", "model.py", cwd=project)) == []
    assert _codes(flake8("--isolated", "--select=HYB", "--hybrid-tf-version=2.8", "model.py",
                         cwd=project)) == ["HYB308"]
    (project / "tox.ini").write_text("[flake8]\nhybrid-tf-version = 2.6\n")
    result = flake8("--select=HYB", "model.py", cwd=project)
    assert "the target is TF 2.6 (--hybrid-tf-version)" in result.stdout


def test_bad_option_value_is_a_clear_error(project: Path) -> None:
    result = flake8("--isolated", "--hybrid-tf-version=two", "model.py", cwd=project)
    assert result.returncode != 0
    assert "flake8-hybrid: --hybrid-tf-version: not a TensorFlow version: 'two'" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_internal_error_becomes_hyb000_and_the_run_goes_on(project: Path) -> None:
    (project / "other.py").write_text(BAD)
    # Make the analysis fail on one file only, inside a real flake8 run.
    script = textwrap.dedent(
        """
        import sys
        import flake8_hybrid.lint as lint
        original = lint.lint_tree
        def failing(tree, filename, lines, settings):
            if filename.endswith("model.py"):
                raise RuntimeError("simulated analyzer bug")
            return original(tree, filename, lines, settings)
        lint.lint_tree = failing
        from flake8.main.cli import main
        sys.exit(main(sys.argv[1:]))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "--isolated", "--select=HYB", "--jobs=1", "model.py", "other.py"],
        cwd=project, capture_output=True, text=True, timeout=120,
    )
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "model.py:1:1: HYB000 flake8-hybrid failed to analyze this file "
        "(RuntimeError: simulated analyzer bug); please report this bug"
    )
    assert [line.split(": ")[1][:6] for line in lines[1:]] == ["HYB301", "HYB004"]
    assert all(line.startswith("other.py") for line in lines[1:])
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_the_plugin_survives_a_broken_tree() -> None:
    from flake8_hybrid.plugin import Plugin

    lines = ["import tensorflow as tf\n", "@tf.function\n", "def f(x):\n", "    return x\n"]  # a rule walks the tree
    reports = list(Plugin(tree=None, filename="x.py", lines=lines).run())  # type: ignore[arg-type]
    assert len(reports) == 1 and reports[0][:2] == (1, 0)
    assert reports[0][2].startswith("HYB000 flake8-hybrid failed to analyze this file (AttributeError")


def test_the_lint_path_imports_neither_libcst_tensorflow_nor_astroid(project: Path) -> None:
    script = textwrap.dedent(
        """
        import ast, sys
        import flake8_hybrid.plugin
        from flake8_hybrid.plugin import Plugin
        source = open("model.py").read()
        reports = list(Plugin(ast.parse(source), "model.py", source.splitlines(True)).run())
        assert reports, "expected findings"
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("libcst", "tensorflow", "keras", "astroid"))
        print(heavy)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_lint_of_the_repository_examples_runs_clean_of_crashes() -> None:
    result = flake8("--isolated", "--select=HYB", "examples", cwd=ROOT)
    assert "HYB000" not in result.stdout
    assert result.returncode == 1 and result.stdout.count("HYB") >= 5, result.stdout


PROJECT = {
    "setup.cfg": "[metadata]\nname = sample\n",
    "ops.py": "import tensorflow as tf\n\n\n@tf.function\ndef scale(x, factor):\n    return x * factor\n",
    "train.py": (
        "import tensorflow as tf\nfrom ops import scale\n\nfor epoch in range(5):\n    scale(tf.ones([2]), epoch)\n"
    ),
}


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).write_text(text)


def test_single_file_stdin_run_sees_the_projects_call_sites(tmp_path: Path) -> None:
    _write(tmp_path, PROJECT)
    result = flake8("--isolated", "--select=HYB", "--stdin-display-name=ops.py", "-", cwd=tmp_path,
                    stdin=PROJECT["ops.py"])
    assert result.stdout.startswith("ops.py:5:1: HYB003 'scale' is traced again for each value of its Python parameter "
                                    "'factor' (passed at train.py:5, a value that changes on every iteration)")
    # The editor's buffer, not the file on disk, is what gets analyzed.
    edited = PROJECT["ops.py"].replace("@tf.function\n", "")
    result = flake8("--isolated", "--select=HYB", "--stdin-display-name=ops.py", "-", cwd=tmp_path, stdin=edited)
    assert result.stdout == "" and result.returncode == 0


def test_concurrent_runs_share_the_cache_safely(tmp_path: Path) -> None:
    _write(tmp_path, PROJECT)
    for index in range(20):
        (tmp_path / f"extra_{index}.py").write_text(
            f"import tensorflow as tf\nfrom ops import scale\nscale(tf.ones([2]), {index})\n"
        )
    command = [sys.executable, "-m", "flake8", "--isolated", "--select=HYB", "--jobs=2", "."]
    runs = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert all(err == "" for _, err in outputs), outputs
    assert len({out for out, _ in outputs}) == 1 and "HYB003" in outputs[0][0]
    entries = [p for p in (tmp_path / ".flake8_hybrid_cache").rglob("*.json")
               if p.parent.name != "results" and p.parent.parent.name != "findings"]
    assert len(entries) == 22 and not list((tmp_path / ".flake8_hybrid_cache").rglob("*.tmp"))
    # one entry of findings per file, in one project state (findings_cache.py)
    # (concurrent runs that both missed may each have stored a file's entry: the same one)
    packs = list((tmp_path / ".flake8_hybrid_cache" / "findings").glob("*/*.pack"))
    lines = {line for pack in packs for line in pack.read_text().splitlines()}
    assert len(lines) == len({line.split(" ")[0] for line in lines}) == 22 and len({p.parent for p in packs}) == 1
    # and the project's facts, once (analysis/results.py)
    assert len(list((tmp_path / ".flake8_hybrid_cache" / "results").glob("*.json"))) == 1
