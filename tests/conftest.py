"""Shared test helpers: paths, and running the real tools in subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


def rule_fixtures() -> list[Path]:
    """The annotated fixture files (not golden outputs, not runnable programs)."""
    return sorted(
        path
        for path in FIXTURES.rglob("*.py")
        if not ({"fixed", "programs", "oracle", "semantics"} & set(path.relative_to(FIXTURES).parts))
    )


def run_tool(*argv: str, cwd: Path = ROOT, stdin: str | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run ``python -m <tool> argv`` with this interpreter, capturing text output."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", *argv],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def flake8(*argv: str, **kwargs) -> subprocess.CompletedProcess:
    return run_tool("flake8", *argv, **kwargs)


def fixer(*argv: str, **kwargs) -> subprocess.CompletedProcess:
    return run_tool("flake8_hybrid.fix.cli", *argv, **kwargs)


@pytest.fixture(autouse=True)
def _in_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    # Test-file recognition and requirement discovery read paths relative to
    # the working directory, as flake8 passes them.
    monkeypatch.chdir(ROOT)


def write_project(root: Path, files: dict, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Write a project's files (name -> text, dedented) under ``root``, work from there, and give
    the analysis a process of its own: the projects it holds in memory start empty."""
    import textwrap

    from flake8_hybrid.analysis import projects

    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text))
    monkeypatch.chdir(root)
    monkeypatch.setattr(projects, "_SHARED", {})
    monkeypatch.setattr(projects, "_EDITED", {})
    monkeypatch.setattr(projects, "_STATES", {})
    return root
