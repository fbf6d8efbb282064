"""flake8-hybrid-fix: modes, outputs, exit codes, and that it never loses anything."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import pytest

from conftest import fixer
from flake8_hybrid.fix import cli

BAD = (
    "import tensorflow as tf\n"
    "\n"
    "\n"
    "@tf.function(experimental_relax_shapes=True)  # keep this comment\n"
    "def double(x):\n"
    "    return x * 2\n"
    "\n"
    "\n"
    "tf.config.run_functions_eagerly(True)\n"
)
FIXED = BAD.replace("experimental_relax_shapes", "reduce_retracing")


def run(*argv: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = cli.main(["--isolated", *argv], stdout=stdout, stderr=stderr)
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "requirements.txt").write_text("tensorflow>=2.12\n")
    (tmp_path / "model.py").write_text(BAD)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_fix_rewrites_reports_what_remains_and_is_idempotent(project: Path) -> None:
    code, out, err = run("model.py")
    assert code == 1
    assert err == "Rewriting model.py\n"
    assert (project / "model.py").read_text() == FIXED
    assert out.splitlines() == [
        "model.py:9:1: HYB004 'tf.config.run_functions_eagerly(True)' makes every tf.function in the process "
        "run eagerly; remove the call, or pass a debug flag instead of True"
    ]
    # Second run: nothing to change; the display-only finding remains (exit 1), --exit-zero forgives it.
    assert run("model.py")[0] == 1 and run("model.py")[2] == ""
    assert run("--exit-zero", "model.py")[0] == 0
    assert (project / "model.py").read_text() == FIXED


def test_nothing_to_do_exits_zero(project: Path) -> None:
    (project / "model.py").write_text("import tensorflow as tf\n\n\n@tf.function\ndef f(x):\n    return x\n")
    assert run("model.py") == (0, "", "")


def test_diff_writes_nothing(project: Path) -> None:
    code, out, err = run("--diff", "model.py")
    assert code == 1
    assert out.splitlines()[:2] == ["--- a/model.py", "+++ b/model.py"]
    assert "-@tf.function(experimental_relax_shapes=True)  # keep this comment" in out
    assert "+@tf.function(reduce_retracing=True)  # keep this comment" in out
    assert (project / "model.py").read_text() == BAD
    (project / "model.py").write_text(FIXED)
    assert run("--diff", "model.py") == (0, "", "")


def test_check_reports_fixable_findings_and_writes_nothing(project: Path) -> None:
    code, out, _ = run("--check", "model.py")
    assert code == 1
    assert out.splitlines()[0].startswith("model.py:4:14: HYB301 [*] 'experimental_relax_shapes'")
    assert out.splitlines()[1].startswith("model.py:9:1: HYB004 'tf.config")
    assert (project / "model.py").read_text() == BAD


def test_json_and_github_formats(project: Path) -> None:
    code, out, _ = run("--check", "--output-format=json", "model.py")
    records = json.loads(out)
    assert [r["code"] for r in records] == ["HYB301", "HYB004"]
    assert records[0]["name"] == "deprecated-experimental-relax-shapes"
    assert records[0]["location"] == {"row": 4, "column": 14}
    assert records[0]["fix"] == {
        "applicability": "safe", "title": "Rename to `reduce_retracing`", "kind": "rename-keyword", "applied": False
    }
    assert records[1]["fix"] is None
    code, out, _ = run("--check", "--output-format=github", "model.py")
    assert out.splitlines()[0].startswith(
        "::error title=flake8-hybrid (HYB301),file=model.py,line=4,col=14::HYB301 'experimental_relax_shapes'"
    )


def test_statistics_and_show_fixes(project: Path) -> None:
    code, out, _ = run("--check", "--statistics", "model.py")
    assert out.splitlines() == [
        "1\tHYB004\tfunctions-run-eagerly-left-on",
        "1\tHYB301\t[*] deprecated-experimental-relax-shapes",
    ]
    code, out, err = run("--show-fixes", "model.py")
    assert "Fixed 1 finding:\n- model.py:\n    1 × HYB301 (deprecated-experimental-relax-shapes)\n" in out


def test_select_ignore_noqa_and_per_file_ignores(project: Path) -> None:
    assert run("--select=HYB004", "model.py")[1].count("HYB") == 1
    assert (project / "model.py").read_text() == BAD  # HYB301 not selected: not fixed
    run("--ignore=HYB301", "model.py")
    assert (project / "model.py").read_text() == BAD
    run("--per-file-ignores=model.py:HYB301", "model.py")
    assert (project / "model.py").read_text() == BAD
    (project / "model.py").write_text(BAD.replace("# keep this comment", "# noqa: HYB301"))
    run("model.py")
    assert "experimental_relax_shapes" in (project / "model.py").read_text()


def test_flake8_config_files_are_obeyed(project: Path) -> None:
    (project / "setup.cfg").write_text("[flake8]\nextend-ignore = HYB301\n")
    stdout, stderr = io.StringIO(), io.StringIO()
    assert cli.main(["model.py"], stdout=stdout, stderr=stderr) == 1  # HYB004 remains
    assert (project / "model.py").read_text() == BAD
    assert "HYB301" not in stdout.getvalue()


def test_version_gated_fix_is_not_applied_below_the_target(project: Path) -> None:
    from flake8_hybrid.versions import detect_target

    (project / "requirements.txt").write_text("tensorflow>=2.6\n")
    code, out, _ = run("model.py")
    # TF 2.6 has no reduce_retracing: the old name is right for it, so HYB301 says nothing.
    assert code == 1 and (project / "model.py").read_text() == BAD and "HYB301" not in out
    (project / "requirements.txt").write_text("tensorflow\n")  # no floor: reported, the fix only shown
    detect_target.cache_clear()
    code, out, _ = run("model.py")
    assert code == 1 and (project / "model.py").read_text() == BAD
    assert "(not fixed automatically: target TensorFlow version unknown" in out
    run("--hybrid-tf-version=2.9", "model.py")
    assert (project / "model.py").read_text() == FIXED


def test_crlf_encoding_bom_and_mode_are_kept(project: Path) -> None:
    latin = "# -*- coding: latin-1 -*-\n# café\n" + BAD
    path = project / "model.py"
    path.write_bytes(latin.replace("\n", "\r\n").encode("latin-1"))
    os.chmod(path, 0o750)
    assert run("model.py")[0] == 1
    expected = ("# -*- coding: latin-1 -*-\n# café\n" + FIXED).replace("\n", "\r\n").encode("latin-1")
    assert path.read_bytes() == expected
    assert stat.S_IMODE(path.stat().st_mode) == 0o750
    path.write_bytes(b"\xef\xbb\xbf" + BAD.encode())
    run("model.py")
    assert path.read_bytes() == b"\xef\xbb\xbf" + FIXED.encode()


def test_symlink_target_is_rewritten_and_link_kept(project: Path) -> None:
    (project / "real.py").write_text(BAD)
    (project / "model.py").unlink()
    (project / "model.py").symlink_to("real.py")
    run("model.py")
    assert (project / "model.py").is_symlink()
    assert (project / "real.py").read_text() == FIXED


def test_syntax_error_is_reported_and_left_untouched(project: Path) -> None:
    broken = BAD + "def oops(:\n"
    (project / "model.py").write_text(broken)
    (project / "good.py").write_text(BAD)
    code, out, err = run("model.py", "good.py")
    assert code == 1
    assert "flake8-hybrid-fix: model.py: skipped: syntax error at line 10" in err
    assert (project / "model.py").read_text() == broken
    assert (project / "good.py").read_text() == FIXED


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x00\x01binary\x00", "skipped: binary file"),
        (b"x = '\xff\xfe'\n", "skipped: cannot decode"),
        (b"# -*- coding: no-such-codec -*-\nx = 1\n", "skipped: cannot decode"),
    ],
)
def test_undecodable_input_is_skipped(project: Path, content: bytes, message: str) -> None:
    (project / "model.py").write_bytes(content)
    code, _, err = run("model.py")
    assert code == 1 and message in err
    assert (project / "model.py").read_bytes() == content


def test_missing_path_and_unreadable_file_exit_2(project: Path) -> None:
    code, _, err = run("nowhere.py")
    assert code == 2 and "nowhere.py: no such file or directory" in err
    (project / "model.py").unlink()
    (project / "model.py").mkdir()
    (project / "model.py" / "__init__.py").write_text(BAD)
    assert run("model.py")[0] == 1  # a directory is walked


def test_failed_write_leaves_the_original_and_no_temp_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    code, _, err = run("model.py")
    assert code == 2 and "not rewritten" in err
    assert (project / "model.py").read_text() == BAD
    # No temporary file is left behind (the analysis cache directory is expected).
    assert sorted(p.name for p in project.iterdir() if p.name != ".flake8_hybrid_cache") == [
        "model.py", "requirements.txt"
    ]


def test_only_files_with_fixes_are_written(project: Path) -> None:
    (project / "clean.py").write_text("import tensorflow as tf\n")
    before = (project / "clean.py").stat().st_mtime_ns
    run(".")
    assert (project / "clean.py").stat().st_mtime_ns == before
    assert (project / "model.py").read_text() == FIXED


def test_directories_respect_flake8_excludes(project: Path) -> None:
    (project / "build").mkdir()
    (project / "build" / "gen.py").write_text(BAD)
    run("--extend-exclude=build", ".")
    assert (project / "build" / "gen.py").read_text() == BAD
    assert (project / "model.py").read_text() == FIXED


def test_explain(project: Path) -> None:
    code, out, _ = run("--explain", "HYB301")
    assert code == 0
    assert out.startswith("## HYB301 deprecated-experimental-relax-shapes")
    for section in ("### What it does", "### Why it matters", "### Example", "### Use instead", "### Fix safety"):
        assert section in out
    code, _, err = run("--explain", "HYB999")
    assert code == 2 and "unknown rule code 'HYB999'" in err


def test_usage_and_config_errors_exit_2(project: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--no-such-flag"], stdout=io.StringIO(), stderr=io.StringIO())
    assert exit_.value.code == 2
    code, _, err = run("--hybrid-tf-version=latest", "model.py")
    assert code == 2 and "configuration error" in err and "'latest'" in err


def test_stdin_filter(project: Path) -> None:
    result = fixer("--isolated", "--stdin-filename=model.py", "-", cwd=project, stdin=BAD)
    assert result.stdout == FIXED
    assert "model.py:9:1: HYB004" in result.stderr
    assert result.returncode == 1
    result = fixer("--isolated", "--stdin-filename=model.py", "--diff", "-", cwd=project, stdin=BAD)
    assert result.stdout.startswith("--- a/model.py")
    # Invalid input passes through untouched.
    result = fixer("--isolated", "-", cwd=project, stdin="def broken(:\n")
    assert result.stdout == "def broken(:\n" and "syntax error" in result.stderr


def test_unsafe_fixes_flag_is_accepted(project: Path) -> None:
    # No implemented rule has an unsafe fix yet; the flag must not change safe fixing.
    run("--unsafe-fixes", "model.py")
    assert (project / "model.py").read_text() == FIXED


def test_fixed_output_is_reparsed_before_writing(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flake8_hybrid.fix import codemods

    monkeypatch.setattr(codemods, "apply_intents", lambda source, intents: source + "def broken(:\n")
    code, _, err = run("model.py")
    assert code == 2 and "does not parse" in err
    assert (project / "model.py").read_text() == BAD


# -- many files, one analysis a pass -------------------------------------------------------------
OPS = """import tensorflow as tf


@tf.function
def normalize(x):
    return (x - tf.reduce_mean(x)) / (tf.math.reduce_std(x) + 1e-6)
"""
STEP = """import tensorflow as tf

from ops import normalize


def step{index}(x, w):
    y = normalize(x)
    y = tf.nn.relu(tf.matmul(y, w)) + tf.math.log1p(tf.abs(y))
    y = tf.nn.softmax(y) + tf.nn.sigmoid(y) + tf.nn.tanh(y) + tf.square(y) + tf.math.sqrt(tf.abs(y) + 1.0)
    y = tf.reduce_sum(y) + tf.reduce_mean(y) + tf.reduce_max(y) + tf.math.abs(y) + tf.math.cos(y)
    y = tf.math.rsqrt(tf.abs(y) + 2.0) + tf.math.softplus(y) + tf.math.erf(y) + tf.math.round(y) + tf.math.sin(y)
    return y


w = tf.ones([4, 4])
for _ in range(100):
    step{index}(tf.ones([4, 4]), w)
"""


def _application(root: Path, steps: int) -> None:
    (root / "setup.cfg").write_text("[metadata]\nname = app\n")  # no package: an application
    (root / "ops.py").write_text(OPS)
    for index in range(steps):
        (root / f"train{index}.py").write_text(STEP.format(index=index))


def _counting_analyses(monkeypatch: pytest.MonkeyPatch) -> list:
    from flake8_hybrid.analysis.project import Project

    analyses: list = []
    complete = Project.complete

    def counting(self) -> None:
        analyses.append(self.root)
        complete(self)

    monkeypatch.setattr(Project, "complete", counting)
    return analyses


@pytest.mark.parametrize("steps", [1, 6])
def test_the_fixer_analyzes_the_project_a_fixed_number_of_times(tmp_path, monkeypatch, steps) -> None:
    """Not once per fixed file: the first lint of every file shares one analysis, and each pass of
    fixes one more, with every fixed file in place."""
    _application(tmp_path, steps)
    monkeypatch.chdir(tmp_path)
    analyses = _counting_analyses(monkeypatch)
    code, _out, err = run("--hybrid-cache-dir", "none", ".")
    assert err.count("Rewriting") == steps + 1, err  # every train*.py, and ops.py
    assert len(analyses) == 2, analyses  # as it is, then with every fix in place


def test_fixes_in_two_files_are_made_together_and_settle(tmp_path, monkeypatch) -> None:
    """HYB001 in one file makes a helper of another file graph code only (HYB006): both come from
    the same analysis, are applied in the same run, and a second run has nothing left to do."""
    _application(tmp_path, 1)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(".")
    assert (code, out) == (1, ""), out  # files changed, nothing left to report
    assert sorted(err.splitlines()) == ["Rewriting ./ops.py", "Rewriting ./train0.py"]
    assert "@tf.function\ndef step0" in (tmp_path / "train0.py").read_text()
    assert "@tf.function" not in (tmp_path / "ops.py").read_text()
    assert run(".") == (0, "", "")
