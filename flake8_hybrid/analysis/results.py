"""On-disk cache of a whole project's facts: a warm ``flake8`` run skips the fixpoint.

Every ``flake8`` worker process analyzes the whole project once (``project_for``):
with the summary cache warm, that still meant loading every module summary and
running the interprocedural fixpoint in every worker (about 2 s and 7-30 s of
CPU on tf-models-official), for the same answer as the last run. The facts of
every function are stored here after a run, keyed by a digest of everything
they depend on:

- the summary cache key of every module the project analyzes (module name,
  path from the project root, content, the summarizer's code and the API model);
- the source of the whole analysis package (the fixpoint and the facts);
- the working directory, from the project root (which files are tests depends on it).

No absolute path is part of the key: a cache restored in a checkout of the project at
another path (a CI cache) is reused, and the stored paths are moved to the new root.

Computing the digest reads and hashes the project's files (about 0.1 s for
1,250 files), far less than the analysis. A ``CachedProject`` answers what the
rules ask (``facts``, ``facts_for``, ``verdicts``); anything else builds the
real ``Project`` on first use, so a rule asking more is slower, never wrong.

Like the summary cache: an entry is written to a temporary file and renamed
into place; an unreadable or corrupt entry is ignored; nothing here raises.
Only the most recent few entries are kept, and the summaries only they use (the summary
cache's ``prune``), so edits do not fill the disk.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import os
from dataclasses import fields
from typing import Callable, Optional, Sequence

from flake8_hybrid import __version__
from flake8_hybrid.analysis.cache import write_whole

#: Bump when the stored format changes.
FORMAT = 2
#: Entries kept per cache directory (a project, and a few of its recent states).
KEEP = 4
SUBDIRECTORY = "results"
#: Beside each state's facts, the summary cache keys of its modules.
KEYS = ".keys"


def project_digest(
    cache, root: str, files: Sequence[str], module_name: Callable[[str], str], extra: str = ""
) -> Optional[str]:
    """The key of a project's facts, or None when a file cannot be read (the analysis reports it).
    ``extra``: settings the facts depend on (which files are tests)."""
    from flake8_hybrid.analysis.layout import module_identity

    # Paths from the project root, the working directory's too (which files are tests depends on
    # it): a checkout of the project at another path has the same digest, and reuses the facts.
    root = os.path.abspath(root)
    digest = hashlib.sha256(
        f"{__version__}:{FORMAT}:{_analysis_fingerprint()}:{os.path.relpath(os.getcwd(), root)}\0{extra}\0".encode()
    )
    for path in files:
        absolute = os.path.abspath(path)
        try:
            with open(absolute, "rb") as file:
                content = file.read()
        except OSError:
            return None
        digest.update(cache.key(module_identity(module_name(absolute), absolute, root), content).encode())
    return digest.hexdigest()


def load(directory: Optional[str], digest: Optional[str], root: str) -> Optional[dict]:
    """The stored facts (key -> FunctionFacts) and analyzed paths of the project at ``root``, or
    None. Facts stored by a checkout of the project at another path have their paths moved here."""
    if directory is None or digest is None:
        return None
    from flake8_hybrid.analysis.function_facts import FunctionFacts, ParameterFacts

    path = os.path.join(directory, SUBDIRECTORY, digest + ".json")
    # Tens of thousands of small objects: a full garbage collection in the middle of
    # loading them finds nothing to free and costs as much as the loading.
    enabled = gc.isenabled()
    gc.disable()
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
        root = os.path.abspath(root)
        if data["root"] != root:
            data = _moved(data, data["root"], root)
        facts = {}
        for entry in data["facts"]:
            entry["parameters"] = [ParameterFacts(**_sets_back(ParameterFacts, p)) for p in entry["parameters"]]
            facts[entry["key"]] = FunctionFacts(**_sets_back(FunctionFacts, entry))
        from flake8_hybrid.analysis.retracing import RetraceCall, StoredRetracing

        retracing = StoredRetracing([RetraceCall(**call) for call in data["retracing"]])
        result = {"facts": facts, "paths": data["paths"], "errors": data["errors"], "retracing": retracing}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    finally:
        if enabled:
            gc.enable()
    from flake8_hybrid.analysis.memory import settle

    settle()  # the facts live as long as the process
    try:
        os.utime(path)  # recently used: kept longest
    except OSError:
        pass
    return result


def store(directory: Optional[str], digest: Optional[str], project) -> None:
    if directory is None or digest is None:
        return
    try:
        folder = os.path.join(directory, SUBDIRECTORY)
        os.makedirs(folder, exist_ok=True)
        from flake8_hybrid.analysis.retracing import retracing_of

        data = {
            "root": project.root,  # paths below it are moved when another checkout reads them
            "facts": [_plain(facts) for facts in project.facts().values()],
            "paths": sorted(project.by_path),
            "errors": project.errors,
            # The retracing rules' facts need the resolved call sites: stored, not rebuilt.
            "retracing": [
                {f.name: getattr(call, f.name) for f in fields(call)} for call in retracing_of(project).calls
            ],
        }
        write_whole(folder, digest + ".json", json.dumps(data, separators=(",", ":")))  # dumps encodes in C
        # The summaries this state uses: kept in the summary cache while the state is.
        write_whole(folder, digest + KEYS, "\n".join(sorted(set(project.summary_keys.values()))))
        _evict(folder)
        project.cache.prune(_kept_summaries(folder))
    except (OSError, ValueError, TypeError):
        pass


def _evict(folder: str) -> None:
    """Delete the facts beyond the ``KEEP`` newest, and the lists of summaries of states whose
    facts are gone. (The workers' lock, sharing.py, stays.)"""
    for path in beyond_newest(folder, KEEP, suffix=".json"):
        with contextlib.suppress(OSError):
            os.unlink(path)
    for name in os.listdir(folder):
        if name.endswith(KEYS) and not os.path.exists(os.path.join(folder, name[: -len(KEYS)] + ".json")):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, name))


def _kept_summaries(folder: str) -> set:
    """The summary cache keys the kept states use (a list that cannot be read keeps nothing:
    its entries are made again if needed)."""
    keys: set = set()
    for name in os.listdir(folder):
        if name.endswith(KEYS):
            try:
                with open(os.path.join(folder, name), encoding="utf-8") as file:
                    keys.update(file.read().split())
            except OSError:
                continue
    return keys


def beyond_newest(folder: str, keep: int, suffix: str = "") -> list[str]:
    """The entries of ``folder`` (ending in ``suffix``) other than the ``keep`` last modified."""
    entries = []
    for name in os.listdir(folder):
        if name.endswith(suffix):
            path = os.path.join(folder, name)
            try:
                entries.append((os.stat(path).st_mtime, path))
            except OSError:
                continue
    return [path for _, path in sorted(entries, reverse=True)[keep:]]


def _moved(item: object, old: str, new: str) -> object:
    """``item`` with every path below ``old`` (a string that is ``old`` or starts with it and a
    separator, as paths and function keys do) moved below ``new``. Messages and evidence name
    paths from the project root already; absolute paths are in keys, paths and errors."""
    if isinstance(item, str):
        if item == old or item.startswith(old + os.sep):
            return new + item[len(old):]
        return item
    if isinstance(item, list):
        return [_moved(part, old, new) for part in item]
    if isinstance(item, dict):
        return {_moved(key, old, new): _moved(value, old, new) for key, value in item.items()}
    return item


def _plain(facts) -> dict:
    entry = {f.name: _json_value(getattr(facts, f.name)) for f in fields(facts)}
    entry["parameters"] = [{f.name: _json_value(getattr(p, f.name)) for f in fields(p)} for p in facts.parameters]
    return entry


def _json_value(value: object) -> object:
    return sorted(value) if isinstance(value, (set, frozenset)) else value


def _sets_back(kind: type, entry: dict) -> dict:
    """JSON has no sets: fields whose default is a frozenset get one back."""
    for field in fields(kind):
        if isinstance(field.default, frozenset) and field.name in entry:
            entry[field.name] = frozenset(entry[field.name])
    return entry


@functools.lru_cache(maxsize=None)
def _analysis_fingerprint() -> str:
    """A digest of the analysis package's sources: changed code never reads old facts."""
    return sources_digest(os.path.dirname(os.path.abspath(__file__)), (".py",))[:16]


def sources_digest(folder: str, suffixes: tuple[str, ...]) -> str:
    """A digest of the files under ``folder`` ending in ``suffixes`` (names and contents),
    or a random one when they cannot be read: unknown code never reuses cached results."""
    digest = hashlib.sha256()
    try:
        for directory, subfolders, names in os.walk(folder):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            for name in sorted(names):
                if name.endswith(suffixes):
                    with open(os.path.join(directory, name), "rb") as file:
                        digest.update(name.encode() + b"\0" + file.read())
    except OSError:
        digest.update(os.urandom(16))
    return digest.hexdigest()


class CachedProject:
    """A project's facts from the cache; the real ``Project`` is built only if asked for more."""

    def __init__(self, stored: dict, build: Callable[[], object]) -> None:
        self._facts = stored["facts"]
        self.by_path = dict.fromkeys(stored["paths"])
        self.errors = stored["errors"]
        self._build = build
        self._project = None
        self._retracing = stored["retracing"]  # what retracing_of() finds here
        self._by_path: Optional[dict] = None
        self._verdicts: dict[tuple, dict] = {}

    def facts(self) -> dict:
        return self._facts

    def release(self) -> None:
        """(``Project.release``) Only the analysis built on demand refers back to itself."""
        if self._project is not None:
            self._project.release()

    def facts_for(self, path: str) -> list:
        if self._by_path is None:
            self._by_path = {}
            for facts in self._facts.values():
                self._by_path.setdefault(facts.path, []).append(facts)
        return self._by_path.get(os.path.abspath(path), [])

    def verdicts(self, min_ops: int, closed_world: bool = False) -> dict:
        from flake8_hybrid.analysis.verdicts import verdicts

        if (min_ops, closed_world) not in self._verdicts:
            self._verdicts[min_ops, closed_world] = verdicts(self._facts, min_ops, closed_world)
        return self._verdicts[min_ops, closed_world]

    def __getattr__(self, name: str):
        # Anything else (functions, summaries, ...) needs the analysis itself.
        if name.startswith("__") or name in ("_project", "_build", "_retracing"):
            raise AttributeError(name)
        if self._project is None:
            self._project = self._build()
        return getattr(self._project, name)
