"""A cache that cannot hurt: whatever happened to it (entries cut short or filled with garbage by
a killed run, a full disk, two flake8 runs writing at once), a run gives the findings of a run
without any cache, at worst at the cost of a cold run, and never a traceback or HYB000."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_project
from test_findings_cache import PROJECT as FINDINGS_CACHE_PROJECT
from flake8_hybrid import lint, versions
from flake8_hybrid.analysis import cache as cache_module
from flake8_hybrid.analysis import projects
from flake8_hybrid.settings import Settings

PROJECT = {
    "setup.cfg": "[metadata]\nname = sample\n",
    "ops.py": FINDINGS_CACHE_PROJECT["ops.py"],  # a function worth a graph, called in train.py's loop
    "train.py": """
        import tensorflow as tf
        from ops import scale

        LOG = []

        @tf.function
        def step(x, k):
            LOG.append(k)
            return x * 2.0 + k

        for i in range(100):
            scale(tf.ones([2]), tf.ones([2]))
            step(tf.ones([2]), i)
        print(len(LOG))
    """,
}
FILES = ("ops.py", "train.py")


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch) -> Path:
    yield write_project(tmp_path, PROJECT, monkeypatch)
    projects.forget_projects()


def findings(root: Path, cache: str = "") -> dict:
    """Each file's findings, as a new process would compute them (the on-disk cache aside)."""
    found = {}
    for name in FILES:
        projects.forget_projects()
        versions.detect_target.cache_clear()
        path = root / name
        found[name] = [(f.code, f.line, f.col, f.message)
                       for f in lint.lint_source(path.read_text(), str(path), Settings(cache_directory=cache))]
    return found


def without_cache(root: Path) -> dict:
    return findings(root, cache=None)  # type: ignore[arg-type]


def cache_files(root: Path) -> list[Path]:
    return [path for path in (root / ".flake8_hybrid_cache").rglob("*") if path.is_file()]


def test_the_project_has_findings_of_several_rules(project_dir: Path) -> None:
    expected = without_cache(project_dir)
    codes = {code for found in expected.values() for code, *_ in found}
    assert {"HYB001", "HYB003", "HYB102"} <= codes, codes
    assert not any(code == "HYB000" for code in codes)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_damaged_entries_give_the_findings_of_no_cache(project_dir: Path, damage: str) -> None:
    """Every entry of every cache (summaries, facts, findings packs) cut short, replaced by bytes
    that are not JSON, or emptied, as a run killed mid-write or a broken disk would leave them."""
    expected = without_cache(project_dir)
    assert findings(project_dir) == expected  # fills the cache
    damaged = cache_files(project_dir)
    assert len(damaged) >= 4
    for path in damaged:
        data = path.read_bytes()
        path.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"\x00\xff{[not json", "empty": b""}[damage])
    assert findings(project_dir) == expected
    assert findings(project_dir) == expected  # and again, from whatever the last run rewrote


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_damaged_entries_after_an_edit_that_only_moves_lines(project_dir: Path, damage: str) -> None:
    """The same damage, then an edit that only moves lines: the facts of the state before are
    reused only if what tells such an edit (the stored texts and module keys, the summaries)
    reads well; else the project is analyzed."""
    assert findings(project_dir) == without_cache(project_dir)  # fills the cache
    for path in cache_files(project_dir):
        data = path.read_bytes()
        path.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"\x00\xff{[not json", "empty": b""}[damage])
    train = project_dir / "train.py"
    train.write_text("# a comment that moves every line\n" + train.read_text())
    assert findings(project_dir) == without_cache(project_dir)


@pytest.mark.parametrize("edit", [False, True])
def test_a_damaged_module_of_the_stored_facts_gives_the_findings_of_no_cache(project_dir: Path, edit: bool) -> None:
    """Stored facts are read a module at a time (``results.StoredFacts``), after the state was
    taken: a module's facts that turn out unreadable then make the project analyzed afresh."""
    assert findings(project_dir) == without_cache(project_dir)  # fills the cache
    (state,) = (project_dir / ".flake8_hybrid_cache" / "results").glob("*.json")
    data = state.read_bytes()
    first_line = data.index(b"\n")
    state.write_bytes(b"\x00" * first_line + data[first_line:])  # the first module's facts, not the rest
    if edit:
        train = project_dir / "train.py"
        train.write_text("# a comment that moves every line\n" + train.read_text())
    shutil.rmtree(project_dir / ".flake8_hybrid_cache" / "findings")  # the facts must be read
    assert findings(project_dir) == without_cache(project_dir)


def test_a_full_disk_costs_only_speed(project_dir: Path, monkeypatch) -> None:
    expected = without_cache(project_dir)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache_module.tempfile, "mkstemp", full)  # summaries and facts
    monkeypatch.setattr(os, "write", full)  # the findings packs
    assert findings(project_dir) == expected
    monkeypatch.undo()
    assert findings(project_dir) == expected


def test_leftovers_of_a_killed_run_are_harmless(project_dir: Path) -> None:
    """A killed run leaves temporary files half written and a pack line without its end."""
    expected = without_cache(project_dir)
    findings(project_dir)
    for folder in {path.parent for path in cache_files(project_dir)}:
        (folder / "tmpkilled.tmp").write_text('{"module": "ops", "path":')
    for pack in (project_dir / ".flake8_hybrid_cache").rglob("*.pack"):
        with open(pack, "ab") as file:
            file.write(b"0123abcd [[\"HYB001\", 3")  # a line cut short: no newline
    projects.forget_projects()
    assert findings(project_dir) == expected


def test_two_flake8_runs_writing_at_once(project_dir: Path) -> None:
    """Two flake8 processes (two workers each) start on an empty cache at the same moment."""
    command = [sys.executable, "-m", "flake8", "--select", "HYB", "--jobs", "2", "."]
    reference = subprocess.run([*command, "--hybrid-cache-dir", "none"], capture_output=True, text=True, check=False)
    assert reference.returncode == 1 and "HYB001" in reference.stdout, reference.stderr
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    for (stdout, stderr), run in zip(outputs, runs):
        assert run.returncode == 1, stderr
        assert sorted(stdout.splitlines()) == sorted(reference.stdout.splitlines())
        assert "Traceback" not in stderr and "HYB000" not in stdout
    warm = subprocess.run(command, capture_output=True, text=True, check=False)
    assert sorted(warm.stdout.splitlines()) == sorted(reference.stdout.splitlines())
