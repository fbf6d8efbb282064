"""Which analyzed project a file gets, once per process: the project as it is on disk, shared by
every file of it (from the results cache when its state was analyzed before); the project with an
editor's buffer, or the fixer's texts, in their files' places; and the digest of a project's state
on disk, the key of everything derived from the whole project.

Above ``project.py`` (the analysis of one project), below the lint and the fixer.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import hashlib
import os
from collections import Counter
from typing import TYPE_CHECKING, Iterator, Optional, Sequence

from flake8_hybrid.analysis import sharing, world
from flake8_hybrid.analysis.api_model import ApiModel
from flake8_hybrid.analysis.cache import DEFAULT_DIRECTORY, SummaryCache
from flake8_hybrid.analysis.layout import (
    _root_above,
    discover,
    find_project_root,
    is_saved_text,
    module_identity,
    module_name,
)
from flake8_hybrid.analysis.project import _LIVE, Project, _fingerprint
from flake8_hybrid.analysis.summary import summarize
from flake8_hybrid.settings import DEFAULT_TEST_PATTERNS

if TYPE_CHECKING:
    from flake8_hybrid.analysis.results import ProjectKey

_SHARED: dict[tuple, Project] = {}
_EDITED: dict[tuple, Project] = {}
#: Projects one process keeps analyzed at once, the most recently used. A run over a tree of
#: several projects (a monorepo) would otherwise hold every one of them to its end; flake8
#: hands a worker the files of one directory together, so a project let go is rarely needed
#: again, and then comes back from the cache.
MAX_SHARED_PROJECTS = 2
#: Times one process analyzes a project again for files its discovery did not find.
MAX_REANALYSES = 8
_REANALYZED: Counter = Counter()


def forget_projects() -> None:
    """Drop every analyzed project and project state of this process, as a new process starts
    (tests; a tool that lints again after changing files)."""
    _SHARED.clear()
    _EDITED.clear()
    _REANALYZED.clear()
    _STATES.clear()
    _LIVE.clear()
    module_name.cache_clear()
    _root_above.cache_clear()
    world.forget()
    for forget in _FORGET_TOO:
        forget()
    gc.unfreeze()  # what they held may be cyclic: collectable again


#: What the layers above keep under the project states of this process (the findings cache's
#: packs), dropped with them: they register here, so the analysis imports nothing above it.
_FORGET_TOO: list = []


def forget_too(callback) -> None:
    """Have ``forget_projects`` call ``callback`` too (once, however often it is registered)."""
    if callback not in _FORGET_TOO:
        _FORGET_TOO.append(callback)


def project_for(
    path: str, source: str, api: ApiModel, cache_directory: Optional[str], parsed: Optional[tuple] = None,
    test_patterns: Sequence[str] = DEFAULT_TEST_PATTERNS,
) -> Project:
    """The analyzed project a file belongs to, built once per process and root (while it is
    among the ``MAX_SHARED_PROJECTS`` used last).

    When ``source`` is not what the file holds on disk (an editor's buffer, or
    standard input with ``--stdin-display-name``), the project is analyzed with
    that text in the file's place, so the file still sees its project's call
    sites and the project sees the edited file.
    """
    absolute = os.path.abspath(path)
    root = find_project_root(absolute)
    tests = tuple(test_patterns)
    key = (root, id(api), cache_directory, tests)
    shared_trees = {absolute: parsed} if parsed else None
    overrides = overridden_in(root, absolute)
    if not is_saved_text(absolute, source):
        overrides[absolute] = source
    if not overrides:
        project = _SHARED.pop(key, None)
        if project is None:
            project = _shared_project(root, api, cache_directory, shared_trees, [absolute], tests)
        elif absolute not in project.by_path and absolute not in project.errors and _REANALYZED[key] < MAX_REANALYSES:
            # A file discovery did not reach (past MAX_PROJECT_FILES, a symlink, a name not
            # ending in .py): analyze the project again with it. (Not for a file the analysis
            # could not summarize: it would only fail again.) A few times only: each is the
            # whole project's analysis again; past that, the file sees no facts of its own.
            _REANALYZED[key] += 1
            project.release()
            project = _shared_project(
                root, api, cache_directory, shared_trees, [absolute, *project.by_path], tests
            )
        _SHARED[key] = project  # the most recently used goes last
        while len(_SHARED) > MAX_SHARED_PROJECTS:
            _SHARED.pop(next(iter(_SHARED))).release()
        return project
    edited = (*key, texts_digest(overrides))
    if edited not in _EDITED:
        for dropped in _EDITED.values():  # one edited state at a time is all an editor (or a fixer pass) needs
            dropped.release()
        _EDITED.clear()
        _EDITED[edited] = _edited_project(root, api, cache_directory, overrides, shared_trees, tests)
    return _EDITED[edited]


def _edited_project(
    root: str, api: ApiModel, cache_directory: Optional[str], overrides: dict, parsed, tests: tuple
) -> Project:
    """The project with these texts in their files' places: the stored facts of a state it
    differs from only where lines are (an editor's buffer with a new comment, a new local
    variable: ``results.load_moved``), else its analysis. Such a state is never stored: a buffer
    lives for a few keystrokes."""
    from flake8_hybrid.analysis import results

    def build() -> Project:
        return Project(root, api, cache_directory, overrides=overrides, parsed=parsed, test_patterns=tests)

    state = project_state(root, api, cache_directory, tests)
    if state is None or any(path not in state[1] for path in overrides):
        return build()  # no cache, or a text for a file discovery did not find
    directory, files, _key = state
    key = _digest(api, directory, root, list(files), tests, texts=overrides)
    stored = results.load(directory, key.digest if key is not None else None, root)
    if stored is None:
        cache = SummaryCache(directory, _fingerprint(api))
        stored = results.load_moved(
            directory, key, root, cache, _summaries(cache, api, root, overrides), overrides, _trees(parsed)
        )
    return results.CachedProject(stored, build) if stored is not None else build()  # type: ignore[return-value]


#: Texts standing in for files on disk (absolute path -> text) while ``overriding`` is active.
_OVERRIDES: dict[str, str] = {}


@contextlib.contextmanager
def overriding(texts: dict[str, str]) -> Iterator[None]:
    """Analyze projects, for the block, with these texts (path -> text) in their files' places:
    the fixer checks its fixes of many files against one analysis of them all. A file linted
    meanwhile sees its own text, whatever is given here for it."""
    saved = dict(_OVERRIDES)
    _OVERRIDES.clear()
    _OVERRIDES.update({os.path.abspath(path): text for path, text in texts.items()})
    try:
        yield
    finally:
        _OVERRIDES.clear()
        _OVERRIDES.update(saved)


def overridden_in(root: str, besides: str) -> dict[str, str]:
    """The texts ``overriding`` puts in the place of files of the project at ``root``, but the
    file ``besides`` (a file linted sees its own text)."""
    return {path: text for path, text in _OVERRIDES.items() if path != besides and find_project_root(path) == root}


def texts_digest(texts: dict[str, str]) -> str:
    """A digest of files' texts by path: with the project's state on disk, it names the state analyzed."""
    digest = hashlib.sha256()
    for path in sorted(texts):
        digest.update(path.encode("utf-8", "surrogatepass") + b"\0" + texts[path].encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _shared_project(
    root: str, api: ApiModel, cache_directory: Optional[str], parsed, include: list, tests: tuple
) -> Project:
    """The project's facts from the results cache (``results.py``) when they are there, else its analysis."""
    from flake8_hybrid.analysis import results

    def build() -> Project:
        return Project(root, api, cache_directory, parsed=parsed, include=include, test_patterns=tests)

    state = project_state(root, api, cache_directory, tests)
    if state is None:
        return build()
    directory, files, key = state
    if any(os.path.abspath(path) not in files for path in include):
        # Files discovery skipped, analyzed with the project: another project state.
        extra = [p for p in dict.fromkeys(map(os.path.abspath, include)) if p not in files]
        key = _digest(api, directory, root, [*files, *extra], tests)
    digest = key.digest if key is not None else None
    stored = results.load(directory, digest, root)
    if stored is None:
        # An edit that only moved lines (a comment, a blank line): the facts of the state
        # before it, each line where it is now.
        cache = SummaryCache(directory, _fingerprint(api))
        stored = results.load_moved(directory, key, root, cache, _summaries(cache, api, root), trees=_trees(parsed))
    if stored is not None:
        return results.CachedProject(stored, build)  # type: ignore[return-value]
    # The summaries, divided between the workers that got here (sharing.py); then one
    # worker collects them all and runs the fixpoint, and the others read its facts.
    project = Project(
        root, api, cache_directory, parsed=parsed, include=include, share_only=True, test_patterns=tests
    )
    with sharing.exclusive(os.path.join(directory, results.SUBDIRECTORY, ".lock")):
        stored = results.load(directory, digest, root)
        if stored is not None:
            # Another worker's facts; this one's share is let go (the project is built again,
            # from the summary cache, only if a rule asks for more than facts).
            return results.CachedProject(stored, build)  # type: ignore[return-value]
        project.complete()
        results.store(directory, key, project)
    return project


def _summaries(cache: SummaryCache, api: ApiModel, root: str, texts: Optional[dict] = None):
    """A module's summary as the cache holds it (its path from the root, its summary key, its
    syntax tree), made from the tree and stored when it is not there yet: ``results.load_moved``
    compares it with the summary of a stored state. ``texts``: absolute path -> a text in the
    file's place."""
    from flake8_hybrid.analysis.results import content_of

    def summary_of(module: str, key: str, tree: ast.Module) -> Optional[dict]:
        found = cache.plain(key)
        if found is not None:
            return found
        absolute = os.path.join(os.path.abspath(root), module)
        content = content_of(absolute, texts)
        if content is None or cache.key(module_identity(module_name(absolute), absolute, root), content) != key:
            return None  # changed since the project's key was made: let the analysis see it
        try:
            summary = summarize(tree, module_name(absolute), absolute, api)
        except RecursionError:
            return None
        cache.store(key, summary, content)
        return cache.plain(key) if cache.directory is not None else None

    return summary_of


def _trees(parsed: Optional[dict]) -> dict:
    """The syntax trees of files parsed already (path -> (tree, names)): the one being linted."""
    return {path: trees[0] for path, trees in (parsed or {}).items() if trees and trees[0] is not None}


_STATES: dict[tuple, Optional[tuple]] = {}


def project_state(
    root: str, api: ApiModel, cache_directory: Optional[str], test_patterns: Sequence[str] = DEFAULT_TEST_PATTERNS
) -> Optional[tuple[str, dict, Optional[ProjectKey]]]:
    """A project's cache directory, its files (absolute path -> None, in discovery order) and
    the key of their state (``results.project_key``: its ``digest`` names the state), once per
    process; None when caching is off.

    The digest is the key of everything derived from the whole project: its facts
    (``results.py``) and the findings of its files (``findings_cache.py``).
    """
    key = (os.path.abspath(root), id(api), cache_directory, tuple(test_patterns))
    if key not in _STATES:
        directory = os.path.join(key[0], DEFAULT_DIRECTORY) if cache_directory == "" else cache_directory
        if directory is None:
            _STATES[key] = None
        else:
            files = dict.fromkeys(os.path.abspath(path) for path in discover(root))
            _STATES[key] = (directory, files, _digest(api, directory, root, list(files), key[3]))
    return _STATES[key]


def _digest(api: ApiModel, directory: str, root: str, files: list, tests: tuple, texts: Optional[dict] = None):
    from flake8_hybrid.analysis import results

    cache = SummaryCache(directory, _fingerprint(api))
    # Which files are tests decides facts (repetition in tests is no hot path), and whether the
    # project is installable (setup.py, setup.cfg, pyproject.toml: its public API has callers
    # the analysis cannot see): both part of the key.
    extra = repr((tests, world.is_installable(os.path.abspath(root))))
    return results.project_key(cache, os.path.abspath(root), files, module_name, extra=extra, texts=texts)
