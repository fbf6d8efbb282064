"""Which modules of a project its TensorFlow modules import.

A module that never mentions TensorFlow is skipped before any analysis, which
keeps ordinary Python files nearly free to lint.  One exception: a plain helper
module that TensorFlow code imports may be called from a ``tf.function``, and
its ``print`` then runs only while tracing (HYB101...).  So a module without
TensorFlow is analyzed when a module of its project that mentions TensorFlow
imports it (by name: ``import pkg.helpers``, ``from pkg import helpers``,
``from .helpers import scale``).

The scan reads each project file once per process and keeps only the imported
names; matching by the module's last name may analyze a few modules too many,
never too few.
"""

from __future__ import annotations

import functools
import os
import re

from flake8_hybrid.analysis.layout import find_project_root, is_project_subdirectory

#: Files larger than this are not scanned (generated tables, not helpers' importers).
MAX_SCANNED_BYTES = 2_000_000

_IMPORT = re.compile(
    rb"^[ \t]*(?:from[ \t]+([.\w]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)|import[ \t]+([^\n#;]+))",
    re.MULTILINE,
)
_NAME = re.compile(rb"[A-Za-z_]\w*")


def imported_by_tensorflow_modules(path: str) -> bool:
    """Whether a module of ``path``'s project that mentions TensorFlow imports it."""
    root = find_project_root(path)
    names = _scan(root)
    stem = os.path.splitext(os.path.basename(path))[0]
    if stem == "__init__":
        stem = os.path.basename(os.path.dirname(os.path.abspath(path)))
    return stem in names


@functools.lru_cache(maxsize=None)
def _scan(directory: str) -> frozenset:
    """The names the TensorFlow modules under ``directory`` import, walking it as ``discover`` does.

    Cached by directory: projects without markers (rooted at a package base, or at a
    scripts directory inside another) can nest, and each directory is read once per process.
    """
    names: set = set()
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError:
        return frozenset()
    for entry in entries:
        if entry.name.endswith(".py") and entry.is_file():
            names |= _names_imported_by(entry.path)
        elif entry.is_dir(follow_symlinks=False) and is_project_subdirectory(entry.path):
            names |= _scan(entry.path)
    return frozenset(names)


def _names_imported_by(path: str) -> frozenset:
    """The names a file that mentions TensorFlow imports (empty for other files)."""
    try:
        if os.path.getsize(path) > MAX_SCANNED_BYTES:
            return frozenset()
        with open(path, "rb") as file:
            data = file.read()
    except OSError:
        return frozenset()
    if b"tensorflow" not in data:
        return frozenset()
    names: set = set()
    for match in _IMPORT.finditer(data):
        for group in match.groups():
            if group:
                # Every name in the statement: modules, packages, imported names and aliases.
                names.update(name.decode("ascii", "replace") for name in _NAME.findall(group))
    return frozenset(names)
