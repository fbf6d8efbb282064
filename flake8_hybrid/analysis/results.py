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

import ast
import contextlib
import functools
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import fields
from typing import Callable, Iterator, NamedTuple, Optional, Sequence

from flake8_hybrid import __version__
from flake8_hybrid.analysis.cache import write_whole
from flake8_hybrid.analysis.layout import KEY_SEPARATOR, module_identity, relative_to_root
from flake8_hybrid.analysis.memory import fewer_collections
from flake8_hybrid.analysis.positions import Moves

#: Bump when the stored format changes.
FORMAT = 4
#: Entries kept per cache directory (a project, and a few of its recent states).
KEEP = 4
SUBDIRECTORY = "results"
#: Beside each state's facts, the summary cache keys of its modules.
KEYS = ".keys"


class ProjectKey(NamedTuple):
    """What a project's facts are keyed by."""

    #: A digest of all of it: the name of the stored facts.
    digest: str
    #: A digest of what the facts depend on besides the modules: the package's code, the working
    #: directory from the project root (which files are tests depends on it), settings.
    context: str
    #: Each module, by its path from the project root: its summary cache key (its content).
    modules: dict


def project_key(
    cache, root: str, files: Sequence[str], module_name: Callable[[str], str], extra: str = "",
    texts: Optional[dict] = None,
) -> Optional[ProjectKey]:
    """The key of a project's facts, or None when a file cannot be read (the analysis reports it).
    ``extra``: settings the facts depend on (which files are tests); ``texts``: absolute path ->
    a text in the file's place (an editor's buffer)."""
    # Paths from the project root, the working directory's too (which files are tests depends on
    # it): a checkout of the project at another path has the same digest, and reuses the facts.
    root = os.path.abspath(root)
    context = hashlib.sha256(
        f"{__version__}:{FORMAT}:{_analysis_fingerprint()}:{os.path.relpath(os.getcwd(), root)}\0{extra}\0".encode()
    ).hexdigest()
    digest = hashlib.sha256(context.encode())
    modules = {}
    for path in files:
        absolute = os.path.abspath(path)
        content = content_of(absolute, texts)
        if content is None:
            return None
        key = modules[relative_to_root(absolute, root)] = cache.key(
            module_identity(module_name(absolute), absolute, root), content
        )
        digest.update(key.encode())
    return ProjectKey(digest.hexdigest(), context, modules)


def content_of(path: str, texts: Optional[dict] = None) -> Optional[bytes]:
    """What the analysis reads for a file: the text in its place, else its bytes; None if unreadable."""
    try:
        if texts and path in texts:
            return texts[path].encode("utf-8")
        with open(path, "rb") as file:
            return file.read()
    except (OSError, ValueError):
        return None


def load(directory: Optional[str], digest: Optional[str], root: str, moves: Optional[Moves] = None) -> Optional[dict]:
    """The stored facts (key -> FunctionFacts) and analyzed paths of the project at ``root``, or
    None. Facts stored by a checkout of the project at another path have their paths moved here;
    ``moves``: the lines of modules that moved since the facts were stored (``load_moved``)."""
    if directory is None or digest is None:
        return None
    from flake8_hybrid.analysis.positions import render_json
    from flake8_hybrid.analysis.retracing import RetraceCall, StoredRetracing, rendered_call

    path = os.path.join(directory, SUBDIRECTORY, digest + ".json")
    root = os.path.abspath(root)
    try:
        with open(path, "rb") as file:
            data = file.read()
        end = data.rindex(b"\n")
        head = json.loads(render_json(data[end + 1:].decode("utf-8"), moves))
        stored_root = head["root"]
        if stored_root != root:
            head = _moved(head, stored_root, root)
        calls = [RetraceCall(**call) for call in head["retracing"]]
        module_of = functools.partial(relative_to_root, root=root)
        retracing = StoredRetracing([rendered_call(call, moves, module_of) for call in calls] if moves else calls)
        facts = StoredFacts(data, dict(head["modules"]), root, stored_root, moves)
        result = {"facts": facts, "paths": head["paths"], "errors": head["errors"], "retracing": retracing}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # (positions.Unplaced is a ValueError)
        return None
    try:
        os.utime(path)  # recently used: kept longest
    except OSError:
        pass
    return result


class StoredFacts(Mapping):
    """The facts of a stored state (key -> ``FunctionFacts``), each module's read when one of its
    functions is asked for: a lint of one file reads its own and those its rules look up
    (callers, graph entries), not the whole project's (about 0.7 s on tf-models-official).

    A module's facts that cannot be read (a damaged entry, a line the moves cannot place) make
    every answer from then on come from ``fallback``: the project analyzed afresh, as when the
    state cannot be read at all. Iterating reads every module."""

    def __init__(self, data: bytes, spans: dict, root: str, stored_root: str, moves: Optional[Moves]) -> None:
        self._data = data
        # Where each module's line is, by its path from the root (``load`` moved an absolute path
        # outside the root as it moves the facts' paths).
        self._spans = spans
        self._root, self._stored_root, self._moves = root, stored_root, moves
        self._modules: dict[str, list] = {}
        self._facts: dict = {}
        self.fallback: Optional[Callable[[], dict]] = None
        self._fresh: Optional[dict] = None

    def for_path(self, path: str) -> list:
        """The facts of the functions of the module at ``path``, in the analysis's order."""
        if self._fresh is None:
            found = self._module(self._module_of(path))
            if found is not None:
                return found
        absolute = os.path.abspath(path)
        return [facts for facts in self._fresh.values() if facts.path == absolute]

    def _module(self, module: str) -> Optional[list]:
        """The module's facts, read now if need be; None once the state proved unreadable."""
        found = self._modules.get(module)
        if found is None and self._fresh is None:
            span = self._spans.get(module)
            try:
                found = self._modules[module] = [] if span is None else self._read(span)
            except (ValueError, KeyError, TypeError, AttributeError):  # (positions.Unplaced is a ValueError)
                self._fresh = self.fallback() if self.fallback is not None else {}
                self._data = b""
                return None
            self._facts.update((facts.key, facts) for facts in found)
        return found

    def _read(self, span: list) -> list:
        from flake8_hybrid.analysis.function_facts import FunctionFacts, ParameterFacts
        from flake8_hybrid.analysis.positions import move_line, render_json

        start, length = span
        with fewer_collections():  # (small objects that live on: scanning them frees nothing)
            entries = json.loads(render_json(self._data[start:start + length].decode("utf-8"), self._moves))
            if self._stored_root != self._root:
                entries = _moved(entries, self._stored_root, self._root)
            found = []
            for entry in entries:
                parameters = [ParameterFacts(**_sets_back(ParameterFacts, p)) for p in entry["parameters"]]
                entry["parameters"] = parameters
                for parameter in parameters:  # sorted as rendered (a line moved past another sorts apart)
                    parameter.primitive_sites.sort()
                    parameter.test_primitive_sites.sort()
                function = FunctionFacts(**_sets_back(FunctionFacts, entry))
                if self._moves:
                    function.line = move_line(self._module_of(function.path), function.line, self._moves)
                found.append(function)
        return found

    def __getitem__(self, key: str):
        if self._fresh is None:
            found = self._facts.get(key)
            if found is not None:
                return found
            self._module(self._module_of(key.partition(KEY_SEPARATOR)[0]))
            if self._fresh is None:
                return self._facts[key]
        return self._fresh[key]

    def _module_of(self, path: str) -> str:
        return relative_to_root(path, self._root)

    def _everything(self) -> dict:
        for module in self._spans:
            if self._module(module) is None:
                break
        return self._facts if self._fresh is None else self._fresh

    def __iter__(self) -> Iterator[str]:
        return iter(self._everything())

    def __len__(self) -> int:
        return len(self._everything())


#: Modules an edit may have changed, at most, for ``load_moved`` to look at them: past that, the
#: edit is not one that only moves lines (a tool rewrote the tree, a branch was checked out).
MAX_MOVED_MODULES = 8


def load_moved(
    directory: Optional[str], key: Optional[ProjectKey], root: str, cache,
    summaries: Optional[Callable[[str, str, ast.Module], Optional[dict]]] = None, texts: Optional[dict] = None,
    trees: Optional[dict] = None,
) -> Optional[dict]:
    """The facts of a stored state from which the project differs only in where lines are, as
    an editor's saves make: comments or blank lines added or removed (``positions.line_moves``),
    or any edit that leaves the module's summary as it was but for its lines
    (``positions.summary_moves``; ``summaries``: a module's path from the root and its summary
    key and syntax tree -> its summary as JSON holds it, made if need be). Rendered with each
    line where it is now, they are the facts of the project as it is. None when no stored state
    is such a state (or what it was made from is gone). ``texts``: as for ``project_key``;
    ``trees``: absolute path -> the tree of files parsed already (the file being linted)."""
    if directory is None or key is None:
        return None
    from flake8_hybrid.analysis.positions import line_moves, summary_moves

    folder = os.path.join(directory, SUBDIRECTORY)
    try:
        states = [os.path.basename(path)[: -len(KEYS)] for path in _newest_first(folder, KEYS)]
    except OSError:
        return None
    parsed: dict[str, Optional[ast.Module]] = {}

    def tree_of(module: str) -> Optional[ast.Module]:
        """The changed module as it is now, parsed once whatever the states tried."""
        if module not in parsed:
            absolute = os.path.join(os.path.abspath(root), module)
            tree = (trees or {}).get(absolute)
            if tree is None:
                content = content_of(absolute, texts)
                try:
                    tree = ast.parse(content) if content is not None else None
                except (SyntaxError, ValueError, MemoryError, RecursionError):
                    tree = None
            parsed[module] = tree
        return parsed[module]

    for state in states:
        stored = _state_modules(os.path.join(folder, state + KEYS))
        if stored is None or stored.get("context") != key.context or stored["modules"].keys() != key.modules.keys():
            continue
        changed = [module for module, entry in key.modules.items() if stored["modules"][module] != entry]
        if not changed or len(changed) > MAX_MOVED_MODULES:
            continue
        moves: Moves = {}
        for module in changed:
            before, after = cache.source(stored["modules"][module]), tree_of(module)
            found = line_moves(before, after) if before is not None and after is not None else None
            if found is None and summaries is not None and after is not None:
                was, now = cache.plain(stored["modules"][module]), summaries(module, key.modules[module], after)
                found = summary_moves(was, now) if was is not None and now is not None else None
            if found is None:
                break
            moves[module] = found
        else:
            facts = load(directory, state, root, moves)
            if facts is not None:
                return facts
    return None


def _state_modules(path: str) -> Optional[dict]:
    try:
        with open(path, encoding="utf-8") as file:
            stored = json.load(file)
        return stored if isinstance(stored, dict) and isinstance(stored.get("modules"), dict) else None
    except (OSError, ValueError):
        return None


def _newest_first(folder: str, suffix: str = "") -> list[str]:
    """The entries of ``folder`` ending in ``suffix``, the last modified first."""
    entries = []
    for name in os.listdir(folder):
        if name.endswith(suffix):
            path = os.path.join(folder, name)
            try:
                entries.append((os.stat(path).st_mtime, path))
            except OSError:
                continue
    return [path for _, path in sorted(entries, reverse=True)]


def store(directory: Optional[str], key: Optional[ProjectKey], project) -> None:
    if directory is None or key is None:
        return
    try:
        folder = os.path.join(directory, SUBDIRECTORY)
        os.makedirs(folder, exist_ok=True)
        from flake8_hybrid.analysis.retracing import retracing_of

        project.facts()
        retracing = retracing_of(project)
        if project.marked_facts is None or retracing.marked is None:
            return  # stored already (what is stored is let go once written)
        # Only stored facts need their tokens: the rules read the rendered ones. They are
        # written one function at a time and let go of as they are, so that neither they nor
        # their JSON text are ever held whole beside the rendered facts (a cold run's peak).
        marked, calls = project.marked_facts, retracing.marked
        project.marked_facts = retracing.marked = None
        write_whole(folder, key.digest + ".json", _stored_text(project, marked, calls))
        # The modules of this state: the summaries it uses, kept in the summary cache while the
        # state is, and what load_moved compares a later state with.
        modules = {"context": key.context, "modules": key.modules}
        write_whole(folder, key.digest + KEYS, json.dumps(modules, separators=(",", ":")))
        _evict(folder)
        project.cache.prune(_kept_summaries(folder) | set(project.summary_keys.values()))
    except (OSError, ValueError, TypeError):
        pass


def _stored_text(project, marked: dict, calls: list) -> Iterator[bytes]:
    """The stored state, in pieces: a line of JSON per module, the facts of its functions, and
    last a line saying where each module's line is (``StoredFacts`` reads only those asked for),
    with the rest. ``marked`` is emptied as it is written.

    (``json.dumps`` escapes every character outside ASCII: no line holds a line break.)"""
    from flake8_hybrid.analysis.function_facts import plain

    by_module: dict[str, list] = {}
    for key, facts in marked.items():  # (in the analysis's order: a load gives the same order)
        by_module.setdefault(facts.path, []).append(key)
    spans, offset = {}, 0
    for path, keys in by_module.items():
        line = json.dumps([plain(marked.pop(key)) for key in keys], separators=(",", ":")).encode() + b"\n"
        spans[relative_to_root(path, project.root)] = [offset, len(line) - 1]
        offset += len(line)
        yield line
    head = {
        "root": project.root,  # paths below it are moved when another checkout reads them
        "paths": sorted(project.by_path),
        "errors": project.errors,
        # The retracing rules' facts need the resolved call sites: stored, not rebuilt.
        "retracing": [{f.name: getattr(call, f.name) for f in fields(call)} for call in calls],
        "modules": spans,
    }
    yield json.dumps(head, separators=(",", ":")).encode()


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
            stored = _state_modules(os.path.join(folder, name))
            if stored is not None:
                keys.update(stored["modules"].values())
    return keys


def beyond_newest(folder: str, keep: int, suffix: str = "") -> list[str]:
    """The entries of ``folder`` (ending in ``suffix``) other than the ``keep`` last modified."""
    return _newest_first(folder, suffix)[keep:]


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


def _sets_back(kind: type, entry: dict) -> dict:
    """JSON has no sets: fields whose default is a frozenset get one back."""
    for name in _set_fields(kind):
        if name in entry:
            entry[name] = frozenset(entry[name])
    return entry


@functools.lru_cache(maxsize=None)
def _set_fields(kind: type) -> tuple:
    """(Once per kind: ``fields`` is slow, and tens of thousands of entries ask.)"""
    return tuple(field.name for field in fields(kind) if isinstance(field.default, frozenset))


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
        self._verdicts: dict[tuple, dict] = {}
        if isinstance(self._facts, StoredFacts):  # facts it cannot read: the project analyzed afresh
            self._facts.fallback = lambda: self.__getattr__("facts")()

    def facts(self) -> dict:
        return self._facts

    def release(self) -> None:
        """(``Project.release``) Only the analysis built on demand refers back to itself."""
        if self._project is not None:
            self._project.release()

    def facts_for(self, path: str) -> list:
        return self._facts.for_path(path)

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
