"""The bundled example: what the README's first command shows, and that fixing it keeps its results."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, fixer, flake8

RUN = "from image_classifier.train import main; main(['--steps', '3'])"


def _run_example(directory: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", RUN], cwd=directory, capture_output=True, text=True, timeout=600,
        env={"TF_CPP_MIN_LOG_LEVEL": "2", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines()  # the program's results; TF logs go to stderr


def test_fixing_the_example_keeps_its_results(tmp_path: Path) -> None:
    original = tmp_path / "original"
    shutil.copytree(ROOT / "examples", original, ignore=shutil.ignore_patterns(".flake8_hybrid_cache", "__pycache__"))
    fixed = tmp_path / "fixed"
    shutil.copytree(original, fixed)
    report = fixer("--isolated", "--show-fixes", ".", cwd=fixed)
    assert report.returncode == 1, report.stderr  # files changed; display-only findings remain
    for code in ("HYB001", "HYB006", "HYB301", "HYB302", "HYB303", "HYB304", "HYB309"):
        assert code in report.stdout, (code, report.stdout)
    lint = flake8("--isolated", "--select=HYB", ".", cwd=fixed)
    assert sorted({line.split(": ")[1][:6] for line in lint.stdout.splitlines()}) == ["HYB005", "HYB306"]
    before, after = _run_example(original), _run_example(fixed)
    assert len(before) == 4 and before == after
