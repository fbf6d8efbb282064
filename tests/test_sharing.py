"""Workers dividing a cold analysis (analysis/sharing.py): claims on module summaries and the
lock around the fixpoint."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from flake8_hybrid.analysis import project as project_module
from flake8_hybrid.analysis import projects
from flake8_hybrid.analysis import sharing
from flake8_hybrid.analysis.api_model import api_model
from flake8_hybrid.analysis.layout import module_identity, module_name
from flake8_hybrid.analysis.project import Project

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
    return project.cache.key(module_identity(module_name(str(path)), str(path), project.root), path.read_bytes())


def _counting_summaries(monkeypatch) -> list[str]:
    made: list[str] = []
    summarize = Project._summarize

    def counting(self, path, absolute, name, content):
        made.append(os.path.basename(absolute))
        return summarize(self, path, absolute, name, content)

    monkeypatch.setattr(Project, "_summarize", counting)
    return made


#: Another worker: holds the claim on a key until a line comes on its standard input.
HOLDER = (
    "import sys\n"
    "from flake8_hybrid.analysis.sharing import Claims\n"
    "claims = Claims(sys.argv[1])\n"
    "print('held' if claims.claim(sys.argv[2]) else 'refused', flush=True)\n"
    "sys.stdin.readline()\n"
    "claims.release(sys.argv[2])\n"
    "print('released', flush=True)\n"
)


class OtherWorker:
    def __init__(self, cache: Path, key: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", HOLDER, str(cache), key],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.said = self.process.stdout.readline().strip()

    def release(self) -> None:
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "released"
        self.kill()

    def kill(self) -> None:
        self.process.kill()
        self.process.communicate(timeout=60)  # and closes the pipes


posix_only = pytest.mark.skipif(
    os.name != "posix", reason="claims are POSIX locks; elsewhere each worker does the work"
)
KEY = "abcdef0123456789" * 4


@posix_only
def test_a_claim_is_held_by_one_process_at_a_time(tmp_path: Path) -> None:
    other = OtherWorker(tmp_path, KEY)
    assert other.said == "held"
    claims = sharing.Claims(str(tmp_path))
    assert not claims.claim(KEY)
    assert claims.claim("0" + KEY[1:])  # another module
    other.release()
    assert claims.claim(KEY)
    refused = OtherWorker(tmp_path, KEY)
    refused.kill()
    assert refused.said == "refused"  # now held here
    claims.release(KEY)
    # No file per claim: one file of locks, whatever was claimed.
    assert [p.name for p in tmp_path.iterdir()] == [sharing.CLAIMS]


@posix_only
def test_a_claim_of_a_worker_that_died_is_free_at_once(tmp_path: Path) -> None:
    # A killed run leaves no claims behind: the next run must not wait for them.
    other = OtherWorker(tmp_path, KEY)
    assert other.said == "held"
    other.kill()
    started = time.perf_counter()
    sharing.Claims(str(tmp_path)).wait(KEY, lambda: False)
    assert time.perf_counter() - started < 1.0
    assert sharing.Claims(str(tmp_path)).claim(KEY)


@posix_only
def test_a_claim_of_a_live_worker_is_waited_for(tmp_path: Path) -> None:
    other = OtherWorker(tmp_path, KEY)
    threading.Timer(0.3, other.release).start()
    started = time.perf_counter()
    sharing.Claims(str(tmp_path)).wait(KEY, lambda: False)
    assert 0.25 < time.perf_counter() - started < sharing.STALE_SECONDS


def test_without_a_cache_every_claim_is_granted() -> None:
    claims = sharing.Claims(None)
    assert claims.claim(KEY) and claims.claim(KEY)
    claims.wait(KEY, lambda: False)  # returns at once


@posix_only
def test_a_module_claimed_elsewhere_is_read_from_that_worker(root: Path, tmp_path_factory, monkeypatch) -> None:
    cache = root / ".cache"
    # What the other worker will store: the same summary, made in a cache of its own.
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    Project(str(root), api_model(), cache_directory=str(elsewhere))
    probe = Project(str(root), api_model(), cache_directory=None)
    key = _key(probe, root / "ops.py")
    del probe  # its summaries, alive in this process, would be shared with the worker below
    other = OtherWorker(cache, key)
    assert other.said == "held"

    def other_worker() -> None:
        time.sleep(0.3)
        target = Path(cache, key[:2], key + ".json")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(Path(elsewhere, key[:2], key + ".json"), target.with_suffix(".tmp"))
        os.replace(target.with_suffix(".tmp"), target)
        other.release()

    made = _counting_summaries(monkeypatch)
    thread = threading.Thread(target=other_worker)
    thread.start()
    project = Project(str(root), api_model(), cache_directory=str(cache))
    thread.join()
    assert sorted(made) == ["train.py", "util.py"]  # ops.py came from the other worker
    assert [s.module for s in project.summaries] == ["ops", "train", "util"]  # in discovery order
    assert "ops.py::scale" in " ".join(project.facts())


@posix_only
def test_a_worker_that_gives_up_its_claim_leaves_the_module_to_us(root: Path, monkeypatch) -> None:
    cache = root / ".cache"
    key = _key(Project(str(root), api_model(), cache_directory=None), root / "ops.py")
    other = OtherWorker(cache, key)
    assert other.said == "held"
    threading.Timer(0.3, other.release).start()  # failed: no summary stored
    made = _counting_summaries(monkeypatch)
    Project(str(root), api_model(), cache_directory=str(cache))
    assert sorted(made) == ["ops.py", "train.py", "util.py"]


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

    def load_late(directory, digest, root):
        return None if misses and misses.pop() else load(directory, digest, root)

    monkeypatch.setattr(Project, "facts", counting)
    monkeypatch.setattr(results, "load", load_late)
    workers = []
    for _worker in range(2):
        projects.forget_projects()
        if len(workers) == 1:
            misses[:] = [True]
        workers.append(projects.project_for(str(root / "ops.py"), MODULES["ops.py"], api_model(), ""))
    assert len(fixpoints) == 1
    assert type(workers[0]).__name__ == "Project" and type(workers[1]).__name__ == "CachedProject"
    assert workers[0].facts().keys() == workers[1].facts().keys()


def test_a_worker_that_finds_the_facts_stored_waits_for_no_other_share(root: Path, monkeypatch) -> None:
    # Only the worker that runs the fixpoint needs every summary: one that finds the facts
    # stored once its own share is done neither waits for nor reads the modules others claimed.
    from flake8_hybrid.analysis import results
    from flake8_hybrid.analysis.cache import DEFAULT_DIRECTORY

    monkeypatch.chdir(root)
    projects.project_for(str(root / "ops.py"), MODULES["ops.py"], api_model(), "")  # stores the facts
    cache = root / DEFAULT_DIRECTORY
    for entry in cache.rglob("*.json"):
        if results.SUBDIRECTORY not in entry.parts and "findings" not in entry.parts:
            entry.unlink()  # the summaries: cold again
    projects.forget_projects()
    other = OtherWorker(cache, _key(Project(str(root), api_model(), cache_directory=None), root / "ops.py"))
    assert other.said == "held"  # a live worker is summarizing ops.py

    def waited(*_arguments) -> None:
        raise AssertionError("waited for another worker's module")

    misses = [True]  # the facts appear while this worker makes its share
    load = results.load
    monkeypatch.setattr(results, "load", lambda *key: None if misses and misses.pop() else load(*key))
    monkeypatch.setattr(sharing.Claims, "wait", waited)
    made = _counting_summaries(monkeypatch)
    project = projects.project_for(str(root / "train.py"), MODULES["train.py"], api_model(), "")
    other.release()
    assert type(project).__name__ == "CachedProject"
    assert sorted(made) == ["train.py", "util.py"]
    assert "ops.py::scale" in " ".join(project.facts())


def test_a_worker_that_finds_the_facts_stored_reads_no_cached_summary(root: Path, monkeypatch) -> None:
    # After an edit, the cache holds every summary but one, and no facts for the new state. A
    # worker that finds the facts stored once its share is done (another worker ran the
    # fixpoint meanwhile) never needed the cached summaries: it must not have read them.
    from flake8_hybrid.analysis import results
    from flake8_hybrid.analysis.cache import SummaryCache

    monkeypatch.chdir(root)
    projects.project_for(str(root / "ops.py"), MODULES["ops.py"], api_model(), "")
    projects.forget_projects()
    (root / "util.py").write_text(MODULES["util.py"] + "# edited\n")
    misses = [True]  # the facts appear while this worker makes its share
    load = results.load
    monkeypatch.setattr(results, "load", lambda *key: None if misses and misses.pop() else load(*key))
    reads: list[str] = []
    read = SummaryCache.load

    def counting(self, key):
        reads.append(key)
        return read(self, key)

    monkeypatch.setattr(SummaryCache, "load", counting)
    made = _counting_summaries(monkeypatch)
    # The other worker: it summarizes util.py, runs the fixpoint and stores the facts.
    results.store(*_state(root), project_module.Project(str(root), api_model(), ""))
    reads.clear()
    made.clear()
    projects.forget_projects()
    project = projects.project_for(str(root / "train.py"), MODULES["train.py"], api_model(), "")
    assert type(project).__name__ == "CachedProject"
    assert made == [] and reads == []
    assert "ops.py::scale" in " ".join(project.facts())


def _state(root: Path) -> tuple:
    directory, _files, key = projects.project_state(str(root), api_model(), "")
    return directory, key
