"""On-disk cache of each file's findings: a warm ``flake8`` run does not run the rules again.

A file's findings are a function of its text and of everything else the checks
read, and the key is a digest of exactly that:

- the state of the file's project (``project.project_state``: every module's
  path and content, the API model, the analysis code, the working directory),
  since facts come from the whole project;
- the file's path and text (the text flake8 hands over, which may be an
  editor's buffer that differs from the disk: the key then names that buffer);

every path taken from the project root, as the findings' messages name paths:
a cache restored in a checkout of the project at another path is reused;
- the settings and the target TensorFlow version the file is checked against;
- the source of the whole package and its API model data (changed rules never
  read old findings).

Entries live in ``<cache>/findings/<project digest>/``, as lines of pack files
(``<key> <JSON>``): each process appends to a pack of its own, one ``write`` a
line, so ``flake8 --jobs`` workers never write the same file, and a line a crash
cut short is ignored. (A file per entry cost half a second per worker over
tf-models-official, creating 1,250 files; a warm run opened them all.) A process
reads a state's packs once, at its first lookup. Only the few most recent project
states are kept. A file outside its project's discovered files is not cached: no
digest names its state. Like the other caches, nothing here raises and an
unusable entry is recomputed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import secrets
from typing import Optional

from flake8_hybrid import __version__
from flake8_hybrid.findings import Finding, FixIntent
from flake8_hybrid.rule import Applicability

#: Bump when the stored format changes.
FORMAT = 3
SUBDIRECTORY = "findings"
#: Project states kept (each edit of a project file makes a new one).
KEEP = 4


class FindingsEntry:
    """Where one file's findings are (or will be) stored."""

    def __init__(self, folder: str, key: str) -> None:
        self.folder = folder
        self.key = key

    def load(self) -> Optional[list[Finding]]:
        text = _index(self.folder).get(self.key)
        if text is None:
            return None
        try:
            return [_finding_from_json(item) for item in json.loads(text)]
        except (ValueError, KeyError, TypeError):
            return None

    def store(self, findings: list[Finding]) -> None:
        try:
            text = json.dumps([_finding_to_json(f) for f in findings], separators=(",", ":"))  # ASCII: one line
            line = f"{self.key} {text}\n".encode("ascii")
            descriptor = _pack(self.folder)
            written = 0
            while written < len(line):
                written += os.write(descriptor, line[written:])
            _index(self.folder)[self.key] = text
        except (OSError, ValueError, TypeError):
            pass


#: Per state folder, what this process has read and written: key -> JSON text.
_INDEXES: dict[str, dict[str, str]] = {}
#: Per state folder, this process's pack, open for appending.
_PACKS: dict[str, int] = {}
PACK_SUFFIX = ".pack"
#: States whose packs a process keeps open and read. A long run that changes files (the
#: fixer) moves through a state per change: it must not keep a descriptor for each.
OPEN_STATES = KEEP


def _index(folder: str) -> dict[str, str]:
    if folder not in _INDEXES:
        index: dict[str, str] = {}
        try:
            names = sorted(name for name in os.listdir(folder) if name.endswith(PACK_SUFFIX))
        except OSError:
            names = []
        for name in names:
            try:
                with open(os.path.join(folder, name), "rb") as file:
                    lines = file.read().split(b"\n")
            except OSError:
                continue
            for line in lines[:-1]:  # the last one has no end: empty, or cut short
                key, _, text = line.partition(b" ")
                index[key.decode("ascii", "replace")] = text.decode("ascii", "replace")
        _INDEXES[folder] = index
        while len(_INDEXES) > OPEN_STATES:
            del _INDEXES[next(iter(_INDEXES))]
    return _INDEXES[folder]


def _pack(folder: str) -> int:
    if folder not in _PACKS:
        new_state = not os.path.isdir(folder)
        os.makedirs(folder, exist_ok=True)
        name = f"{os.getpid()}-{secrets.token_hex(4)}{PACK_SUFFIX}"
        _PACKS[folder] = os.open(os.path.join(folder, name), os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_EXCL, 0o644)
        while len(_PACKS) > OPEN_STATES:
            _close(_PACKS.pop(next(iter(_PACKS))))
        if new_state:
            _evict(os.path.dirname(folder))
    return _PACKS[folder]


def _close(descriptor: int) -> None:
    try:
        os.close(descriptor)
    except OSError:
        pass


def forget() -> None:
    """Drop what this process has read and close its packs, as a new process starts."""
    for descriptor in _PACKS.values():
        _close(descriptor)
    _PACKS.clear()
    _INDEXES.clear()


def entry_for(filename: str, source: str, settings, target: str) -> Optional[FindingsEntry]:
    """The cache entry of this file's findings, or None when they cannot be cached."""
    if settings.cache_directory is None or not filename.endswith(".py"):
        return None  # caching off, or standard input
    from flake8_hybrid.analysis.api_model import api_model
    from flake8_hybrid.analysis.layout import find_project_root, relative_to_root
    from flake8_hybrid.analysis.projects import forget_too, overridden_in, project_state, texts_digest

    forget_too(forget)  # what is read and written under a project state goes with it

    absolute = os.path.abspath(filename)
    root = find_project_root(absolute)
    state = project_state(root, api_model(settings.api_model_files), settings.cache_directory, settings.test_patterns)
    if state is None or absolute not in state[1] or state[2] is None:
        return None
    directory, _files, project_key = state
    project_digest = project_key.digest
    digest = hashlib.sha256()
    # The file by its path from the project root (the digest's paths are so too): findings name
    # paths from the root, so another checkout of the project reuses them. The fixer's texts in
    # other files' places (``projects.overriding``) are part of the state the findings come from.
    others = overridden_in(root, absolute)
    in_place = {relative_to_root(path, root): text for path, text in others.items()}
    for part in (_package_fingerprint(), repr(settings), target, relative_to_root(absolute, root),
                 texts_digest(in_place) if in_place else ""):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(source.encode("utf-8", "surrogatepass"))
    return FindingsEntry(os.path.join(directory, SUBDIRECTORY, project_digest), digest.hexdigest())


@functools.lru_cache(maxsize=None)
def _package_fingerprint() -> str:
    """A digest of every source and data file of the package: the rules, the analysis, the API model."""
    from flake8_hybrid.analysis.results import sources_digest

    package = os.path.dirname(os.path.abspath(__file__))
    return f"{__version__}:{FORMAT}:{sources_digest(package, ('.py', '.yaml'))}"


def _finding_to_json(finding: Finding) -> list:
    fix = finding.fix
    if fix is not None:
        fix = {name: getattr(fix, name) for name in fix.__dataclass_fields__}
        fix["applicability"] = fix["applicability"].value
        fix["span"] = list(fix["span"])
    return [finding.code, finding.line, finding.col, finding.message, fix, finding.preview]


def _finding_from_json(item: list) -> Finding:
    code, line, col, message, fix, preview = item
    if fix is not None:
        fix = FixIntent(**{**fix, "applicability": Applicability(fix["applicability"]), "span": tuple(fix["span"])})
    return Finding(code=code, line=line, col=col, message=message, fix=fix, preview=preview)


def _evict(folder: str) -> None:
    """Keep the most recently created project states only."""
    from flake8_hybrid.analysis.results import beyond_newest

    for path in beyond_newest(folder, KEEP):
        for entry in os.listdir(path):
            try:
                os.unlink(os.path.join(path, entry))
            except OSError:
                pass
        try:
            os.rmdir(path)
        except OSError:
            pass
