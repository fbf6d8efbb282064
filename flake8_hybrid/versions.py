"""TensorFlow versions: parsing them, and finding the one a project targets.

The target version decides whether a version-dependent fix is safe (renaming
``experimental_relax_shapes`` needs TF >= 2.9).  It is the ``--hybrid-tf-version``
option when given; otherwise the lowest version the project's own requirement
admits (``tensorflow>=2.12`` in ``setup.py``, ``setup.cfg``, ``pyproject.toml`` or
``requirements*.txt``), found by walking up from the file being checked.
Requirement files are read as text and never executed.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> "Version":
        match = re.fullmatch(r"\s*(\d+)(?:\.(\d+))?(?:\.[0-9A-Za-z.+-]*)?\s*", str(text))
        if not match:
            raise ValueError(f"not a TensorFlow version: {text!r} (expected e.g. 2.12)")
        return cls(int(match.group(1)), int(match.group(2) or 0))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


@dataclass(frozen=True)
class TargetVersion:
    """The TF version a file targets and where that came from."""

    version: Optional[Version]
    source: str  # "--hybrid-tf-version", a requirement file's path, or "" when unknown

    def allows(self, minimum: Optional[Version]) -> bool:
        return minimum is None or (self.version is not None and self.version >= minimum)

    def why_not(self, minimum: Version) -> str:
        """A reason, for a message, why a fix needing ``minimum`` is not applied."""
        if self.version is None:
            return (
                f"target TensorFlow version unknown; declare tensorflow>={minimum} "
                f"or set --hybrid-tf-version"
            )
        return f"target TensorFlow {self.version} ({self.source}) is older than {minimum}"


UNKNOWN = TargetVersion(None, "")

# tensorflow, tensorflow-cpu, tensorflow[and-cuda], tf-nightly... followed by a
# lower-bounding operator.  Poetry's `tensorflow = "^2.12"` has its own form.
_PACKAGE = r"(?:tensorflow(?:[-_](?:cpu|gpu|macos|intel|aarch64))?|tf[-_]nightly(?:[-_](?:cpu|gpu))?)"
_REQUIREMENT = re.compile(
    r"""(?<![\w.-])""" + _PACKAGE + r"""\s*(?:\[[^\]]*\])?\s*(?:\(\s*)?(>=|==|~=|===|>)\s*v?(\d+(?:\.\d+)?)""",
    re.IGNORECASE,
)
_POETRY = re.compile(
    r"""^\s*["']?""" + _PACKAGE + r"""["']?\s*=\s*(?:\{[^}]*version\s*=\s*)?["']\s*(?:\^|~|>=|==)?\s*(\d+(?:\.\d+)?)""",
    re.IGNORECASE | re.MULTILINE,
)
_PROJECT_MARKERS = ("setup.py", "setup.cfg", "pyproject.toml", ".git")


def requirement_floor(text: str) -> Optional[Version]:
    """The lowest TensorFlow version a requirement file's text admits, if it bounds one."""
    floors = [Version.parse(match.group(2)) for match in _REQUIREMENT.finditer(text)]
    floors += [Version.parse(match.group(1)) for match in _POETRY.finditer(text)]
    return min(floors) if floors else None


def _requirement_files(directory: str) -> list[str]:
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    wanted = [n for n in ("setup.py", "setup.cfg", "pyproject.toml") if n in names]
    wanted += [n for n in names if n.startswith("requirements") and n.endswith((".txt", ".in"))]
    return [os.path.join(directory, name) for name in wanted]


@functools.lru_cache(maxsize=256)
def detect_target(directory: str) -> TargetVersion:
    """Walk up from ``directory`` to the project root, reading requirement files."""
    directory = os.path.abspath(directory)
    while True:
        for path in _requirement_files(directory):
            try:
                with open(path, encoding="utf-8", errors="replace") as file:
                    floor = requirement_floor(file.read(1_000_000))
            except OSError:
                continue
            if floor is not None:
                return TargetVersion(floor, path)
        parent = os.path.dirname(directory)
        is_root = any(os.path.exists(os.path.join(directory, m)) for m in _PROJECT_MARKERS)
        if is_root or parent == directory:
            return UNKNOWN
        directory = parent


def target_for(filename: str, configured: Optional[Version]) -> TargetVersion:
    if configured is not None:
        return TargetVersion(configured, "--hybrid-tf-version")
    if not filename or filename in ("-", "stdin"):
        return detect_target(os.getcwd())
    return detect_target(os.path.dirname(os.path.abspath(filename)))
