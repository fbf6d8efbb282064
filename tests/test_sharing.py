"""Workers dividing a cold analysis (analysis/sharing.py): claims on module summaries and the
lock around the fixpoint."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from flake8_hybrid.analysis import project as project_module
from flake8_hybrid.analysis import sharing
from flake8_hybrid.analysis.api_model import api_model
from flake8_hybrid.analysis.project import Project, module_name

MODULES = {
    "ops.py": "import tensorflow as tf\n\ndef scale(x):\n    return tf.nn.relu(x) * 2.0\n",
    "train.py": "import tensorflow as tf\nfrom ops import scale\n\nfor _ in range(9):\n    scale(tf.ones([2]))\n",
    "util.py": "def twice(x):\n    return x + x\n",
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = sample\n")
    for name, text in MODULES.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def _key(project: Project, path: Path) -> str:
    return project.cache.key(f"{module_name(str(path))}\0{path}", path.read_bytes())


def _counting_summaries(monkeypatch) -> list[str]:
    made: list[str] = []
    summarize = Project._summarize

    def counting(self, path, absolute, name, content):
        made.append(os.path.basename(absolute))
        return summarize(self, path, absolute, name, content)

    monkeypatch.setattr(Project, "_summarize", counting)
    return made


def test_a_claim_is_taken_once_and_released(tmp_path: Path) -> None:
    path = str(tmp_path / "ab" / "abcd.claim")
    assert sharing.claim(path) and not sharing.claim(path)
    sharing.release(path)
    assert sharing.claim(path)


def test_a_claim_left_by_a_dead_worker_is_taken_over(tmp_path: Path) -> None:
    path = str(tmp_path / "ab" / "abcd.claim")
    assert sharing.claim(path)
    old = time.time() - sharing.STALE_SECONDS - 5
    os.utime(path, (old, old))
    assert sharing.claim(path)


def test_a_module_claimed_elsewhere_is_read_from_that_worker(root: Path, tmp_path_factory, monkeypatch) -> None:
    cache = root / ".cache"
    # What the other worker will store: the same summary, made in a cache of its own.
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    Project(str(root), api_model(), cache_directory=str(elsewhere))
    probe = Project(str(root), api_model(), cache_directory=None)
    key = _key(probe, root / "ops.py")
    claim = sharing.claim_path(str(cache), key)
    assert sharing.claim(claim)

    def other_worker() -> None:
        time.sleep(0.3)
        target = Path(cache, key[:2], key + ".json")
        target.parent.mkdir(parents=True, exist_ok=True)
        # Stored as the cache stores: whole, by renaming a finished file into place.
        shutil.copy(Path(elsewhere, key[:2], key + ".json"), target.with_suffix(".tmp"))
        os.replace(target.with_suffix(".tmp"), target)
        sharing.release(claim)

    made = _counting_summaries(monkeypatch)
    thread = threading.Thread(target=other_worker)
    thread.start()
    project = Project(str(root), api_model(), cache_directory=str(cache))
    thread.join()
    assert sorted(made) == ["train.py", "util.py"]  # ops.py came from the other worker
    assert [s.module for s in project.summaries] == ["ops", "train", "util"]  # in discovery order
    assert "ops.py::scale" in " ".join(project.facts())


def test_a_worker_that_gives_up_its_claim_leaves_the_module_to_us(root: Path, monkeypatch) -> None:
    cache = root / ".cache"
    key = _key(Project(str(root), api_model(), cache_directory=None), root / "ops.py")
    claim = sharing.claim_path(str(cache), key)
    assert sharing.claim(claim)
    threading.Timer(0.3, sharing.release, [claim]).start()  # failed: no summary stored
    made = _counting_summaries(monkeypatch)
    Project(str(root), api_model(), cache_directory=str(cache))
    assert sorted(made) == ["ops.py", "train.py", "util.py"]
    assert not list(cache.rglob("*.claim"))


def test_the_fixpoint_lock_excludes_another_process(tmp_path: Path) -> None:
    pytest.importorskip("fcntl", reason="the lock is POSIX-only; elsewhere each worker runs the fixpoint")
    lock = str(tmp_path / "results" / ".lock")
    probe = (
        "import fcntl, os, sys\n"
        "fd = os.open(sys.argv[1], os.O_RDWR)\n"
        "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n    print('free')\n"
        "except BlockingIOError:\n    print('held')\n"
    )
    with sharing.exclusive(lock):
        held = subprocess.run([sys.executable, "-c", probe, lock], capture_output=True, text=True).stdout
    free = subprocess.run([sys.executable, "-c", probe, lock], capture_output=True, text=True).stdout
    assert (held, free) == ("held\n", "free\n")


def test_waiting_workers_read_the_facts_the_first_one_stored(root: Path, monkeypatch) -> None:
    # Two workers start on the same cold project: both miss the stored facts at first; the
    # first one through the lock runs the fixpoint and stores them, the second, once it has
    # the lock, reads them instead of running the fixpoint again.
    from flake8_hybrid.analysis import results

    monkeypatch.chdir(root)
    fixpoints: list[int] = []
    facts = Project.facts

    def counting(self):
        if self._facts is None:
            fixpoints.append(1)
        return facts(self)

    misses = [True, True]  # the first look of each worker comes before anything is stored
    load = results.load

    def load_late(directory, digest):
        return None if misses and misses.pop() else load(directory, digest)

    monkeypatch.setattr(Project, "facts", counting)
    monkeypatch.setattr(results, "load", load_late)
    projects = []
    for _worker in range(2):
        project_module.forget_projects()
        if len(projects) == 1:
            misses[:] = [True]
        projects.append(project_module.project_for(str(root / "ops.py"), MODULES["ops.py"], api_model(), ""))
    assert len(fixpoints) == 1
    assert type(projects[0]).__name__ == "Project" and type(projects[1]).__name__ == "CachedProject"
    assert projects[0].facts().keys() == projects[1].facts().keys()


def test_a_worker_that_finds_the_facts_stored_waits_for_no_other_share(root: Path, monkeypatch) -> None:
    # Only the worker that runs the fixpoint needs every summary: one that finds the facts
    # stored once its own share is done neither waits for nor reads the modules others claimed.
    from flake8_hybrid.analysis import results
    from flake8_hybrid.analysis.cache import DEFAULT_DIRECTORY

    monkeypatch.chdir(root)
    project_module.project_for(str(root / "ops.py"), MODULES["ops.py"], api_model(), "")  # stores the facts
    cache = root / DEFAULT_DIRECTORY
    for entry in cache.rglob("*.json"):
        if results.SUBDIRECTORY not in entry.parts and "findings" not in entry.parts:
            entry.unlink()  # the summaries: cold again
    project_module.forget_projects()
    claim = sharing.claim_path(str(cache), _key(Project(str(root), api_model(), cache_directory=None), root / "ops.py"))
    assert sharing.claim(claim)  # a live worker is summarizing ops.py

    def waited(*_arguments) -> None:
        raise AssertionError("waited for another worker's module")

    misses = [True]  # the facts appear while this worker makes its share
    load = results.load
    monkeypatch.setattr(results, "load", lambda directory, digest: None if misses and misses.pop() else load(directory, digest))
    monkeypatch.setattr(sharing, "wait_while_claimed", waited)
    made = _counting_summaries(monkeypatch)
    project = project_module.project_for(str(root / "train.py"), MODULES["train.py"], api_model(), "")
    assert type(project).__name__ == "CachedProject"
    assert sorted(made) == ["train.py", "util.py"]
    assert "ops.py::scale" in " ".join(project.facts())


@pytest.mark.skipif(os.name != "posix", reason="elsewhere a dead holder's claim waits out STALE_SECONDS")
def test_a_claim_whose_process_is_gone_is_taken_over_at_once(tmp_path: Path) -> None:
    # A killed run leaves claims behind: the next run must not wait a minute for them.
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    path = tmp_path / "ab" / "abcd.claim"
    path.parent.mkdir()
    path.write_text(f"{socket.gethostname()} {gone.stdout.strip()}")
    started = time.perf_counter()
    sharing.wait_while_claimed(str(path), lambda: False)
    assert time.perf_counter() - started < 1.0
    assert sharing.claim(str(path))
    assert path.read_text() == f"{socket.gethostname()} {os.getpid()}"


def test_a_claim_of_a_live_process_is_waited_for(tmp_path: Path) -> None:
    path = str(tmp_path / "ab" / "abcd.claim")
    assert sharing.claim(path)  # held by this (live) process
    threading.Timer(0.3, sharing.release, [path]).start()
    started = time.perf_counter()
    sharing.wait_while_claimed(path, lambda: False)
    assert 0.25 < time.perf_counter() - started < sharing.STALE_SECONDS
