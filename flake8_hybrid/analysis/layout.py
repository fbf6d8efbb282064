"""Where a project is and what is in it: its root, its modules and their dotted names, keys of
its functions, and paths as messages show them (relative to the project root).

Pure functions of the file system, remembered per process; nothing here analyzes code.
"""

from __future__ import annotations

import functools
import os
from typing import Optional

from flake8_hybrid.analysis.cache import DEFAULT_DIRECTORY

PROJECT_MARKERS = ("setup.py", "pyproject.toml", "setup.cfg", ".git")
#: Where installed distributions live, side by side.
_INSTALL_DIRECTORIES = frozenset({"site-packages", "dist-packages"})
_SKIPPED_DIRECTORIES = frozenset(
    {"__pycache__", "node_modules", "build", "dist", DEFAULT_DIRECTORY, *_INSTALL_DIRECTORIES}
)
#: A bound on the files one project may contribute, so a run started in a huge
#: tree (a home directory under git) stays bounded.
MAX_PROJECT_FILES = 20_000

#: Functions, classes and module variables are keyed by file and qualified name
#: (two files may share a module name: scripts in different directories).
KEY_SEPARATOR = "::"


def key_of(module, qualname: str) -> str:
    return f"{module.path}{KEY_SEPARATOR}{qualname}"


def qualname_of(key: str) -> str:
    return key.rpartition(KEY_SEPARATOR)[2]


def find_project_root(path: str) -> str:
    directory = os.path.dirname(os.path.abspath(path)) if not os.path.isdir(path) else os.path.abspath(path)
    return _root_above(directory)


@functools.lru_cache(maxsize=4096)
def _root_above(directory: str) -> str:
    """The nearest directory at or above ``directory`` with a project marker, as long as the
    marked project's discovery (``discover``) reaches ``directory``; else the base of the
    package ``directory`` belongs to (``package_base``).

    Both limits keep each file in a project whose discovery finds it. Before them, a tree
    without markers made every directory a project of its own, each analyzing everything
    below it again, and a tree in a directory discovery skips (``.corpus/``, ``build/``, a
    virtual environment) belonged to the marked project above, which was analyzed again
    for each such file: over tf-models-official, a worker grew past 20 GB.
    (Remembered per directory: asked for every file linted, each time a stat per marker
    and parent directory, 30,000 of them over tf-models-official.)
    """
    current = directory
    while True:
        if any(os.path.exists(os.path.join(current, marker)) for marker in PROJECT_MARKERS):
            return current
        parent = os.path.dirname(current)
        if parent == current or not _discovered_below(current):
            base = package_base(directory, top=current)
            if base == current != directory and os.path.basename(current) in _INSTALL_DIRECTORIES:
                # An installed package is a project of its own, not with every distribution beside it.
                base = os.path.join(current, os.path.relpath(directory, current).split(os.sep)[0])
            return base
        current = parent


@functools.lru_cache(maxsize=None)  # (a directory's modules all ask: remembered as module_name is)
def package_base(directory: str, top: Optional[str] = None) -> str:
    """The directory Python imports ``directory``'s package from: the first one above it
    (or ``directory`` itself) without an ``__init__.py``; never above ``top``."""
    base = directory
    while base != top and os.path.exists(os.path.join(base, "__init__.py")):
        parent = os.path.dirname(base)
        if parent == base:
            break
        base = parent
    return base


def _discovered_below(path: str) -> bool:
    """Whether ``discover`` walks into directory ``path`` from its parent, markers aside."""
    name = os.path.basename(path)
    return (
        not name.startswith(".") and name not in _SKIPPED_DIRECTORIES and not name.endswith(".egg-info")
        and not os.path.exists(os.path.join(path, "pyvenv.cfg"))
    )


def is_project_subdirectory(path: str) -> bool:
    """Whether a directory below a project root belongs to that project."""
    return _discovered_below(path) and not any(
        # A directory with its own project marker is a project of its own.
        os.path.exists(os.path.join(path, marker)) for marker in PROJECT_MARKERS
    )


def discover(root: str) -> list[str]:
    found: list[str] = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if is_project_subdirectory(os.path.join(directory, d)))
        found.extend(os.path.join(directory, name) for name in sorted(files) if name.endswith(".py"))
        if len(found) >= MAX_PROJECT_FILES:
            return found[:MAX_PROJECT_FILES]
    return found


@functools.lru_cache(maxsize=None)
def module_name(path: str) -> str:
    """The dotted name Python would import ``path`` as, from its package's base directory: the
    path below that directory, without its suffix; a package's ``__init__`` is the package.

    (Remembered: the project's digest and its analysis both ask for every module, and
    each answer looks at the file system for the ``__init__.py`` files above it.)"""
    absolute = os.path.abspath(path)
    base = package_base(os.path.dirname(absolute))
    parts = [part for part in os.path.splitext(absolute)[0][len(base):].split(os.sep) if part]
    if len(parts) > 1 and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def display_path(path: str) -> str:
    """A path for messages: relative to the root of the project the file belongs to, so that a
    message reads the same from any working directory (and a cached one stays true)."""
    return relative_to_root(path, find_project_root(path))


@functools.lru_cache(maxsize=4096)
def relative_to_root(path: str, root: str) -> str:
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, root)
    return absolute if relative.startswith(os.pardir) else relative


def module_identity(name: str, path: str, root: str) -> str:
    """What names a module in cache keys: its dotted name and its path from the project root, so
    that a cache made by a checkout of the project at another path (a CI cache restored
    elsewhere) is reused, and two modules of one name in different directories are not mixed."""
    return f"{name}\0{relative_to_root(path, root)}"


def is_saved_text(path: str, source: str) -> bool:
    """Whether ``source`` is what the file at ``path`` holds, read as flake8 reads it: else it is
    an editor's buffer, and the project is analyzed with it in the file's place."""
    return _disk_text(path) == _universal_newlines(source)


def _disk_text(path: str) -> Optional[str]:
    """The file's text as flake8 reads it (``tokenize.open``, else latin-1; universal newlines).

    Anything else made every file with a BOM, or in an encoding other than UTF-8,
    look edited, and each such file analyzed the whole project again.
    """
    import tokenize

    try:
        try:
            with tokenize.open(path) as file:
                return file.read()
        except (SyntaxError, UnicodeError):
            with open(path, encoding="latin-1") as file:
                return file.read()
    except OSError:
        return None


def _universal_newlines(text: str) -> str:
    # The fixer keeps a file's newlines; the analysis does not depend on them.
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
