"""The findings cache (findings_cache.py): a warm run returns the stored findings, and any
change to what the findings depend on (the file, another file of the project, the settings)
makes them be computed again."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from conftest import write_project
from flake8_hybrid import findings_cache, lint, versions
from flake8_hybrid.analysis import projects
from flake8_hybrid.settings import Settings

PROJECT = {
    "setup.cfg": "[metadata]\nname = sample\n",
    "ops.py": """
        import tensorflow as tf

        def scale(x, factor):
            y = tf.nn.relu(x) * factor
            y = tf.math.log1p(y * y) + tf.math.sqrt(y + 1.0) - tf.math.exp(-y)
            y = tf.matmul(tf.reshape(y, [1, -1]), tf.reshape(y, [-1, 1]))
            y = tf.nn.softmax(y * 2.0) + tf.nn.sigmoid(y) + tf.nn.tanh(y) + tf.square(y)
            y = tf.reduce_sum(y) + tf.reduce_mean(y) + tf.reduce_max(y) + tf.reduce_min(y)
            y = tf.math.abs(y) + tf.math.cos(y) + tf.math.sin(y) + tf.math.floor(y) + tf.math.ceil(y)
            return tf.math.rsqrt(y + 2.0) + tf.math.softplus(y) + tf.math.erf(y) + tf.math.round(y)
    """,
    "train.py": """
        import tensorflow as tf
        from ops import scale

        for step in range(100):
            scale(tf.ones([2]), tf.ones([2]))

        @tf.function(experimental_relax_shapes=True)
        def relaxed(x):
            return x
    """,
}


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch) -> Path:
    return write_project(tmp_path, PROJECT, monkeypatch)


def _lint(path: Path, settings: Settings = Settings()) -> list:
    projects.forget_projects()  # each run is a new process, as far as the analysis knows
    versions.detect_target.cache_clear()
    return lint.lint_source(path.read_text(), str(path), settings)


def _codes(findings: list) -> list[str]:
    return [f"{f.code}:{f.line}" for f in findings]


def _entries(root: Path) -> list[tuple[str, str]]:
    """(project state, key) of every complete entry in the packs."""
    entries = []
    for pack in (root / ".flake8_hybrid_cache" / "findings").glob(f"*/*{findings_cache.PACK_SUFFIX}"):
        lines = pack.read_bytes().split(b"\n")[:-1]
        entries += [(pack.parent.name, line.split(b" ")[0].decode()) for line in lines]
    return sorted(entries)


def _rules_must_not_run(monkeypatch) -> None:
    def fail(*args):
        raise AssertionError("the rules ran on a warm cache")

    monkeypatch.setattr(lint, "_lint_tree", fail)


def test_a_warm_run_returns_the_stored_findings_without_running_the_rules(project_dir: Path, monkeypatch) -> None:
    cold = _lint(project_dir / "ops.py")
    assert _codes(cold) == ["HYB001:4"]
    assert len(_entries(project_dir)) == 1
    _rules_must_not_run(monkeypatch)
    assert _lint(project_dir / "ops.py") == cold


def test_a_cache_restored_at_another_checkout_path_is_reused(project_dir: Path, monkeypatch, tmp_path_factory) -> None:
    import shutil

    cold = {name: _lint(project_dir / name) for name in ("ops.py", "train.py")}
    moved = tmp_path_factory.mktemp("elsewhere") / "checkout"
    shutil.copytree(project_dir, moved)
    monkeypatch.chdir(moved)
    _rules_must_not_run(monkeypatch)
    assert {name: _lint(moved / name) for name in ("ops.py", "train.py")} == cold


def test_fix_intents_come_back_equal(project_dir: Path, monkeypatch) -> None:
    (cold,) = _lint(project_dir / "train.py")
    assert cold.code == "HYB301" and cold.fix.applicability.value == "display-only"  # target TF unknown
    with monkeypatch.context() as patched:
        _rules_must_not_run(patched)
        assert _lint(project_dir / "train.py") == [cold]  # dataclass equality: every field of the fix


def test_a_new_target_version_is_another_entry(project_dir: Path) -> None:
    _lint(project_dir / "train.py")
    (project_dir / "requirements.txt").write_text("tensorflow>=2.12\n")
    (finding,) = _lint(project_dir / "train.py")
    assert finding.fix.applicability.value == "safe"
    assert len(_entries(project_dir)) == 2


def test_a_change_in_another_file_of_the_project_is_seen(project_dir: Path) -> None:
    assert _codes(_lint(project_dir / "ops.py")) == ["HYB001:4"]
    train = project_dir / "train.py"
    train.write_text(train.read_text().replace("for step in range(100):\n    scale", "if True:\n    scale"))
    assert _codes(_lint(project_dir / "ops.py")) == []  # called once now: no longer worth a graph
    assert len({state for state, _ in _entries(project_dir)}) == 2  # one state per project content


def test_other_settings_are_another_entry(project_dir: Path) -> None:
    assert _codes(_lint(project_dir / "ops.py")) == ["HYB001:4"]
    assert _codes(_lint(project_dir / "ops.py", Settings(min_ops=10_000))) == []
    assert len(_entries(project_dir)) == 2


def test_an_edited_buffer_is_keyed_by_its_own_text(project_dir: Path) -> None:
    ops = project_dir / "ops.py"
    _lint(ops)
    projects.forget_projects()
    edited = ops.read_text().replace("def scale(x, factor):", "@tf.function\ndef scale(x, factor):")
    assert "HYB001" not in _codes(lint.lint_source(edited, str(ops), Settings()))[0:1]
    assert len(_entries(project_dir)) == 2


def test_a_corrupt_or_cut_entry_is_computed_again(project_dir: Path) -> None:
    cold = _lint(project_dir / "ops.py")
    (pack,) = (project_dir / ".flake8_hybrid_cache" / "findings").glob(f"*/*{findings_cache.PACK_SUFFIX}")
    key = pack.read_text().split(" ")[0]
    pack.write_text(f"{key} {{not json\n")
    assert _lint(project_dir / "ops.py") == cold
    assert len(_entries(project_dir)) == 2  # and stored again, in this process's pack
    (stored,) = [p for p in pack.parent.iterdir() if p != pack]
    assert stored.read_text().startswith(f'{key} [["HYB001",4,')
    for other in pack.parent.iterdir():
        other.write_text(f"{key} [[\"HYB001\",4,0,\"cut short")  # a crash in the middle of a line
    assert _lint(project_dir / "ops.py") == cold


def test_workers_write_packs_of_their_own_and_read_each_others(project_dir: Path) -> None:
    _lint(project_dir / "ops.py")
    _lint(project_dir / "train.py")  # a miss: another "process" stores it
    _lint(project_dir / "train.py")  # no longer the same process: reads both packs
    packs = list((project_dir / ".flake8_hybrid_cache" / "findings").glob(f"*/*{findings_cache.PACK_SUFFIX}"))
    assert len(packs) == 2 and len(_entries(project_dir)) == 2


def test_nothing_is_cached_without_a_cache_directory(project_dir: Path) -> None:
    _lint(project_dir / "ops.py", Settings(cache_directory=None))
    assert not (project_dir / ".flake8_hybrid_cache").exists()


def test_a_file_in_a_directory_discovery_skips_is_cached_in_its_own_project(project_dir: Path) -> None:
    hidden = project_dir / ".hidden"
    hidden.mkdir()
    (hidden / "ops.py").write_text((project_dir / "ops.py").read_text())
    _lint(hidden / "ops.py")
    assert len(_entries(project_dir)) == 0
    assert len(_entries(hidden)) == 1


def test_only_the_latest_project_states_are_kept(project_dir: Path) -> None:
    ops = project_dir / "ops.py"
    for index in range(findings_cache.KEEP + 3):
        ops.write_text(ops.read_text() + f"\nLIMIT_{index} = {index}\n")
        _lint(ops)
    assert len({state for state, _ in _entries(project_dir)}) == findings_cache.KEEP


def test_an_unwritable_cache_costs_only_speed(project_dir: Path, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise OSError("read-only file system")

    monkeypatch.setattr(findings_cache, "_pack", refuse)
    assert _codes(_lint(project_dir / "ops.py")) == ["HYB001:4"]
    assert _entries(project_dir) == []


def test_a_long_run_through_many_states_keeps_few_packs_open(tmp_path: Path) -> None:
    # The fixer lints, changes a file, lints again: a new project state each time.
    findings_cache.forget()
    opened = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    for state in range(3 * findings_cache.OPEN_STATES):
        entry = findings_cache.FindingsEntry(str(tmp_path / "findings" / f"state{state}"), "key")
        entry.store([])
        assert entry.load() == []
    assert len(findings_cache._PACKS) == len(findings_cache._INDEXES) == findings_cache.OPEN_STATES
    if opened is not None:
        assert len(os.listdir("/proc/self/fd")) == opened + findings_cache.OPEN_STATES
    findings_cache.forget()
    if opened is not None:
        assert len(os.listdir("/proc/self/fd")) == opened


def test_the_fixer_texts_in_other_files_places_are_part_of_the_key(project_dir: Path, monkeypatch) -> None:
    """While the fixer checks its fixes (``projects.overriding``), a file's findings come from the
    project with the fixed texts in place: cached under those texts, never mixed with the disk's."""
    without_loop = textwrap.dedent(PROJECT["train.py"]).replace("for step in range(100):\n    ", "")
    assert _codes(_lint(project_dir / "ops.py")) == ["HYB001:4"]
    with projects.overriding({str(project_dir / "train.py"): without_loop}):
        assert _codes(_lint(project_dir / "ops.py")) == []  # called once: no graph worth having
    with monkeypatch.context() as patched:
        _rules_must_not_run(patched)
        with projects.overriding({str(project_dir / "train.py"): without_loop}):
            assert _codes(_lint(project_dir / "ops.py")) == []  # from the cache, under those texts
        assert _codes(_lint(project_dir / "ops.py")) == ["HYB001:4"]  # and the disk's, as before
