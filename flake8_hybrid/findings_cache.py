"""On-disk cache of each file's findings: a warm ``flake8`` run does not run the rules again.

A file's findings are a function of its text and of everything else the checks
read, and the key is a digest of exactly that:

- the state of the file's project (``project.project_state``: every module's
  path and content, the API model, the analysis code, the working directory),
  since facts come from the whole project;
- the file's path and text (the text flake8 hands over, which may be an
  editor's buffer that differs from the disk: the key then names that buffer);
- the settings and the target TensorFlow version the file is checked against;
- the source of the whole package and its API model data (changed rules never
  read old findings).

Entries live in ``<cache>/findings/<project digest>/``, one small JSON file per
key, written to a temporary file and renamed into place, so that ``flake8
--jobs`` workers can share them; only the few most recent project states are
kept. A file outside its project's discovered files (a dot-directory, build/)
is not cached: the analysis adds it to the project, so no digest names its
state. Like the other caches, nothing here raises and an unusable entry is
recomputed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from typing import Optional

from flake8_hybrid import __version__
from flake8_hybrid.findings import Finding, FixIntent
from flake8_hybrid.registry import Applicability

#: Bump when the stored format changes.
FORMAT = 1
SUBDIRECTORY = "findings"
#: Project states kept (each edit of a project file makes a new one).
KEEP = 4


class FindingsEntry:
    """Where one file's findings are (or will be) stored."""

    def __init__(self, folder: str, key: str) -> None:
        self.folder = folder
        self.path = os.path.join(folder, key + ".json")

    def load(self) -> Optional[list[Finding]]:
        try:
            with open(self.path, encoding="utf-8") as file:
                return [_finding_from_json(item) for item in json.load(file)]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def store(self, findings: list[Finding]) -> None:
        try:
            new_state = not os.path.isdir(self.folder)
            os.makedirs(self.folder, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            try:
                with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                    file.write(json.dumps([_finding_to_json(f) for f in findings], separators=(",", ":")))
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
            if new_state:
                _evict(os.path.dirname(self.folder))
        except (OSError, ValueError, TypeError):
            pass


def entry_for(filename: str, source: str, settings, target: str) -> Optional[FindingsEntry]:
    """The cache entry of this file's findings, or None when they cannot be cached."""
    if settings.cache_directory is None or not filename.endswith(".py"):
        return None  # caching off, or standard input
    from flake8_hybrid.analysis.api_model import api_model
    from flake8_hybrid.analysis.project import find_project_root, project_state

    absolute = os.path.abspath(filename)
    state = project_state(find_project_root(absolute), api_model(settings.api_model_files), settings.cache_directory)
    if state is None or absolute not in state[1] or state[2] is None:
        return None
    directory, _files, project_digest = state
    digest = hashlib.sha256()
    for part in (_package_fingerprint(), repr(settings), target, absolute):
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
    return [finding.code, finding.line, finding.col, finding.message, fix]


def _finding_from_json(item: list) -> Finding:
    code, line, col, message, fix = item
    if fix is not None:
        fix = FixIntent(**{**fix, "applicability": Applicability(fix["applicability"]), "span": tuple(fix["span"])})
    return Finding(code=code, line=line, col=col, message=message, fix=fix)


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
