"""The results cache (analysis/results.py): a warm run gets the project's facts without the fixpoint."""

from __future__ import annotations

import gc
import os
import textwrap
import time
import weakref
from pathlib import Path

import pytest

from flake8_hybrid.analysis import project as project_module
from flake8_hybrid.analysis import projects
from flake8_hybrid.analysis import results
from flake8_hybrid.analysis.api_model import api_model
from flake8_hybrid.analysis.cache import GRACE_SECONDS, SummaryCache
from flake8_hybrid.analysis.retracing import retracing_of

PROJECT = {
    "setup.cfg": "[metadata]\nname = sample\n",
    "ops.py": """
        import tensorflow as tf

        def scale(x, factor):
            return tf.nn.relu(x) * factor
    """,
    "train.py": """
        import tensorflow as tf
        from ops import scale

        def step(batch):
            for _ in range(10):
                batch = scale(batch, 2.0)
            return batch

        for i in range(3):
            step(tf.ones([2]))

        @tf.function
        def shifted(x, k):
            return x + k

        for i in range(8):
            shifted(tf.ones([2]), i)
    """,
}


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch) -> Path:
    for name, text in PROJECT.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    monkeypatch.chdir(tmp_path)
    projects.forget_projects()
    monkeypatch.setattr(projects, "_SHARED", {})
    monkeypatch.setattr(projects, "_STATES", {})
    return tmp_path


def _project(root: Path):
    projects.forget_projects()  # a new process, as far as project_for knows
    path = root / "train.py"
    return projects.project_for(str(path), path.read_text(), api_model(), "")


def test_second_run_reads_the_facts_and_they_are_the_same(project_dir: Path) -> None:
    cold = _project(project_dir)
    assert isinstance(cold, project_module.Project)
    stored = list((project_dir / ".flake8_hybrid_cache" / results.SUBDIRECTORY).glob("*.json"))
    assert len(stored) == 1

    warm = _project(project_dir)
    assert isinstance(warm, results.CachedProject)
    assert warm.facts() == cold.facts()
    assert warm.facts_for(str(project_dir / "ops.py")) == cold.facts_for(str(project_dir / "ops.py"))
    assert {k: vars(v) for k, v in warm.verdicts(30).items()} == {k: vars(v) for k, v in cold.verdicts(30).items()}
    assert sorted(warm.by_path) == sorted(cold.by_path) and warm.errors == cold.errors
    # The retracing rules' facts come from the cache too, with the analysis not rebuilt.
    cold_calls = retracing_of(cold).calls
    assert cold_calls and retracing_of(warm).calls == cold_calls
    assert warm._project is None
    # Anything else the rules might ask builds the analysis itself.
    assert set(warm.functions) == set(cold.functions)


def test_a_lint_reads_the_stored_facts_of_the_modules_it_asks_about_only(project_dir: Path) -> None:
    """Stored facts are read a module at a time: a verdict reads its function's module and at
    most its callers' (``train.py`` calls ``scale``), nothing else."""
    cold = _project(project_dir)
    (project_dir / "unrelated.py").write_text("def alone(x):\n    return x\n")
    cold = _project(project_dir)  # the state now has three modules
    warm = _project(project_dir)
    assert isinstance(warm, results.CachedProject)
    stored = warm.facts()
    ops = str(project_dir / "ops.py")
    assert warm.facts_for(ops) == cold.facts_for(ops)
    assert set(stored._modules) == {"ops.py"}
    scale = cold.facts_for(ops)[0].key
    assert vars(warm.verdicts(30)[scale]) == vars(cold.verdicts(30)[scale])
    assert set(stored._modules) <= {"ops.py", "train.py"}  # (a verdict may read its callers)
    assert dict(stored) == dict(cold.facts()) and set(stored._modules) == {"ops.py", "train.py", "unrelated.py"}
    assert warm._project is None


def test_a_cache_restored_at_another_checkout_path_is_reused(project_dir: Path, monkeypatch, tmp_path_factory) -> None:
    """A CI cache restored where the project now lives: the facts are read, not computed, and
    their paths are the new checkout's; summaries are found again by their path from the root."""
    import shutil

    cold = _project(project_dir)
    moved = tmp_path_factory.mktemp("elsewhere") / "checkout"
    shutil.copytree(project_dir, moved)
    monkeypatch.chdir(moved)
    warm = _project(moved)
    assert isinstance(warm, results.CachedProject)
    assert {facts.path for facts in warm.facts().values()} == {str(moved / "ops.py"), str(moved / "train.py")}
    assert [vars(f) for f in warm.facts_for(str(moved / "train.py"))] == [
        {**vars(f), "key": f.key.replace(str(project_dir), str(moved)), "path": str(moved / "train.py"),
         "callers": [c.replace(str(project_dir), str(moved)) for c in f.callers],
         "graph_entry": f.graph_entry and f.graph_entry.replace(str(project_dir), str(moved))}
        for f in cold.facts_for(str(project_dir / "train.py"))
    ]
    assert sorted(warm.by_path) == sorted(str(moved / p) for p in ("ops.py", "train.py"))
    # The summaries too: a rule asking for more than facts builds the analysis from the cache.
    summarized = []
    monkeypatch.setattr(project_module.Project, "_summarize", lambda *args: summarized.append(args))
    assert set(warm.functions) == {key.replace(str(project_dir), str(moved)) for key in cold.functions}
    assert summarized == []
    expected = {str(moved / "ops.py"), str(moved / "train.py")}
    assert {function.module.path for function in warm.functions.values()} == expected


def test_an_edited_module_is_analyzed_again(project_dir: Path) -> None:
    _project(project_dir)
    # (A new call: its summary changes. Edits a summary does not see reuse the facts, below.)
    (project_dir / "train.py").write_text(textwrap.dedent(PROJECT["train.py"]).replace("2.0", "tf.ones([2])"))
    assert isinstance(_project(project_dir), project_module.Project)
    (project_dir / "new.py").write_text("x = 1\n")  # a new module, too
    assert isinstance(_project(project_dir), project_module.Project)
    assert isinstance(_project(project_dir), results.CachedProject)


def _new_function(version: int) -> str:
    """A new function: a new summary, a new state of the project to analyze."""
    return f"\n\ndef version_{version}():\n    return {version}\n"


def test_an_edit_the_summaries_do_not_see_reuses_the_facts(project_dir: Path) -> None:
    """A comment moves every line; a new constant's value changes the tree but not the summary:
    either way the stored facts are reused, each line where it went, as a fresh analysis has them."""
    lines = {facts.key: facts.line for facts in _project(project_dir).facts().values()}
    train = textwrap.dedent(PROJECT["train.py"])
    local = train.replace("2.0", "3.0").replace("    for _ in range(10):", "    limit = 4\n    for _ in range(10):")
    for edited in ("# a comment\n" + train, local):
        (project_dir / "train.py").write_text(edited)
        projects.forget_projects()
        reused = _project(project_dir)
        assert isinstance(reused, results.CachedProject)
        fresh = project_module.Project(str(project_dir), api_model(), None)
        assert reused.facts() == fresh.facts()
        assert sorted(reused._retracing.calls, key=repr) == sorted(retracing_of(fresh).calls, key=repr)
        assert any(facts.line != lines[key] for key, facts in reused.facts().items())  # lines moved


def test_an_editors_buffer_the_summaries_do_not_see_reuses_the_facts(project_dir: Path) -> None:
    """An editor lints its unsaved buffer (flake8 - --stdin-display-name): a buffer that only moves
    lines reuses the stored facts, as a fresh analysis with the buffer in the file's place has
    them; a buffer with a new call is analyzed."""
    _project(project_dir)
    path = project_dir / "train.py"
    saved = path.read_text()
    for buffer, reused in (("# unsaved\n" + saved, True), (saved.replace("2.0", "tf.ones([2])"), False)):
        projects.forget_projects()
        project = projects.project_for(str(path), buffer, api_model(), "")
        assert isinstance(project, results.CachedProject) is reused
        fresh = project_module.Project(str(project_dir), api_model(), None, overrides={str(path): buffer})
        assert project.facts() == fresh.facts()
    assert path.read_text() == saved


def test_a_project_no_longer_installable_is_analyzed_again(project_dir: Path) -> None:
    """Whether the project is installable is no module's text, but the facts depend on it (its
    public API has callers outside the project): part of the key."""
    (project_dir / "pkg").mkdir()
    (project_dir / "pkg" / "__init__.py").write_text("")
    (project_dir / "pkg" / "lib.py").write_text("def public(x):\n    return x\n")
    assert any(facts.public_api for facts in _project(project_dir).facts().values())
    (project_dir / "setup.cfg").write_text("[flake8]\nmax-line-length = 100\n")
    projects.forget_projects()
    project = _project(project_dir)
    assert isinstance(project, project_module.Project)
    assert not any(facts.public_api for facts in project.facts().values())


def test_corrupt_entries_are_ignored_and_old_ones_evicted(project_dir: Path) -> None:
    _project(project_dir)
    folder = project_dir / ".flake8_hybrid_cache" / results.SUBDIRECTORY
    for entry in folder.glob("*.json"):
        entry.write_text("{not json")
    assert isinstance(_project(project_dir), project_module.Project)
    for index in range(results.KEEP + 3):
        (project_dir / "ops.py").write_text(textwrap.dedent(PROJECT["ops.py"]) + _new_function(index))
        _project(project_dir)
    assert len(list(folder.glob("*.json"))) == results.KEEP  # (and the workers' lock, sharing.py)


def test_no_cache_directory_means_no_results_cache(project_dir: Path) -> None:
    path = project_dir / "train.py"
    projects.project_for(str(path), path.read_text(), api_model(), None)
    assert not (project_dir / ".flake8_hybrid_cache").exists()


def test_summaries_no_kept_state_uses_are_deleted_once_old(project_dir: Path) -> None:
    cache = project_dir / ".flake8_hybrid_cache"

    def summaries() -> set:
        return {path.stem for path in cache.glob("??/*.json")}

    first = _project(project_dir)
    ops, train = first.summary_keys[str(project_dir / "ops.py")], first.summary_keys[str(project_dir / "train.py")]
    assert summaries() == {ops, train}
    # Everything written so far is two days old; a temporary file of a killed run too.
    killed = cache / ops[:2] / "tmpkilled.tmp"
    killed.write_text("{")
    aged = time.time() - 2 * GRACE_SECONDS
    for path in cache.rglob("*"):
        os.utime(path, (aged, aged))
    unused_but_new = cache / "ab" / ("ab" + "0" * 62 + ".json")  # another run's, being written now
    unused_but_new.parent.mkdir(exist_ok=True)
    unused_but_new.write_text("{}")

    for version in range(results.KEEP):  # the first state drops out of the kept ones
        (project_dir / "ops.py").write_text(textwrap.dedent(PROJECT["ops.py"]) + _new_function(version))
        _project(project_dir)

    left = summaries()
    assert ops not in left  # used by no kept state, and old
    assert train in left  # old, but every kept state uses it
    assert unused_but_new.stem in left  # unused, but young
    assert len(left) == 1 + results.KEEP + 1  # train.py, each kept version of ops.py, the new one
    assert not killed.exists()
    folder = cache / results.SUBDIRECTORY
    assert len(list(folder.glob("*.json"))) == len(list(folder.glob("*" + results.KEYS))) == results.KEEP


# -- what a process keeps of the projects it analyzed again (an editor's buffer, the fixer) --


def _buffer(root: Path, extra: str):
    path = root / "train.py"
    return projects.project_for(str(path), path.read_text() + extra, api_model(), "")


def test_a_project_let_go_is_freed_without_the_collector(project_dir: Path) -> None:
    gc.disable()  # the analyses are frozen (settle) anyway: the collector would not see them
    try:
        first = _buffer(project_dir, "\n# one\n")
        first.verdicts(30)
        retracing_of(first)
        held = [weakref.ref(first), weakref.ref(first._analysis), weakref.ref(first.__dict__["_retracing"])]
        del first
        _buffer(project_dir, "\n# two\n")  # the next buffer takes its place
        assert [ref() for ref in held] == [None, None, None]
    finally:
        gc.enable()


def test_a_released_project_still_answers(project_dir: Path) -> None:
    project = _buffer(project_dir, "\n# one\n")
    facts, calls = project.facts(), retracing_of(project).calls
    project.release()
    assert project.facts() == facts and retracing_of(project).calls == calls


def test_a_buffer_takes_the_unchanged_summaries_from_the_project_in_memory(project_dir: Path, monkeypatch) -> None:
    _project(project_dir)  # the project on disk, analyzed in this process
    loads = []
    original = SummaryCache.load
    monkeypatch.setattr(SummaryCache, "load", lambda self, key: loads.append(key) or original(self, key))
    edited = _buffer(project_dir, "\nstep(tf.zeros([3]))\n")
    ops = edited.summary_keys[str(project_dir / "ops.py")]
    assert loads == [edited.summary_keys[str(project_dir / "train.py")]]  # the buffer's, not in the cache
    edited_facts = edited.facts()
    projects.forget_projects()  # a new process: everything from the cache
    assert _buffer(project_dir, "\nstep(tf.zeros([3]))\n").facts() == edited_facts
    assert ops in loads
