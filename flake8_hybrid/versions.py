"""TensorFlow versions: parsing them, and finding the one a project targets.

The target version decides whether a version-dependent finding or fix applies (renaming
``experimental_relax_shapes`` needs TF >= 2.9).  It is the ``--hybrid-tf-version`` option
when given; otherwise the lowest version the project's own requirement admits
(``tensorflow>=2.12`` in ``setup.py``, ``setup.cfg``, ``pyproject.toml`` or
``requirements*.txt``), found by walking up from the file being checked to the project root.
Requirement files are read as text and never executed.

What counts as the project's requirement:

- every requirement on ``tensorflow`` (or ``tensorflow-cpu``, ``tf-nightly``...) in those
  files, with or without environment markers, including those declared only in an extra
  (``[options.extras_require]``, ``; extra == "tf"``): an extra still says which TensorFlow
  the project works with, and many libraries declare TensorFlow only there so that users
  pick ``tensorflow`` or ``tensorflow-cpu`` themselves;
- the lowest floor among them counts (``>=``, ``>``, ``==``, ``~=``, Poetry's ``^``/``~``);
  a requirement with only an upper bound (``tensorflow<2.16``) gives no floor;
- the project's own ``python_requires`` raises that floor: a project that requires Python
  3.10 cannot install a TensorFlow without Python 3.10 wheels, so ``tensorflow>=2.1`` with
  ``python_requires>=3.10`` targets the first TF release with wheels for Python 3.10 or newer
  (2.8).  Which release supports which Python is measured data, ``python_support`` in
  ``data/tf_api.yaml`` (``scripts/tf_python_support.py`` measures it).

The ceiling (the first TF release no requirement admits) is kept too: where no floor is
declared, a ceiling below a deprecation means the project never runs a TF that deprecates.
"""

from __future__ import annotations

import functools
import importlib.resources
import os
import re
from dataclasses import dataclass
from typing import Iterable, Optional


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

    def next_minor(self) -> "Version":
        return Version(self.major, self.minor + 1)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


@dataclass(frozen=True)
class Bounds:
    """The TensorFlow releases (to the minor version) a requirement admits."""

    floor: Optional[Version]  # the lowest admitted release; None: no lower bound
    ceiling: Optional[Version]  # the first release not admitted; None: no upper bound


@dataclass(frozen=True)
class TargetVersion:
    """The TF version a file targets and where that came from."""

    version: Optional[Version]
    source: str  # "--hybrid-tf-version", the requirement file (relative to the project root), or ""
    #: The first TF release the requirement excludes (None: none excluded, or not declared).
    ceiling: Optional[Version] = None
    #: When python_requires raised the floor: the declared floor, and what raised it.
    declared: Optional[Version] = None
    raised_by: str = ""  # e.g. "python_requires >=3.10 in setup.py"

    def allows(self, minimum: Optional[Version]) -> bool:
        return minimum is None or (self.version is not None and self.version >= minimum)

    def admits_any_from(self, version: Version) -> bool:
        """Whether the project may run on ``version`` or a newer TF: the floor is there already, or
        no floor is known and no ceiling stops below it."""
        if self.version is not None:
            return self.version >= version
        return self.ceiling is None or self.ceiling > version

    def origin(self) -> str:
        """Where the target comes from, for a message: ``old_tf/requirements.txt`` or with the raise."""
        if self.declared is None:
            return self.source
        return f"{self.source} declares {self.declared}, raised to {self.version} by {self.raised_by}"

    def why_not(self, minimum: Version) -> str:
        """A reason, for a message, why a fix needing ``minimum`` is not applied."""
        if self.version is None:
            return (
                f"target TensorFlow version unknown; declare tensorflow>={minimum} "
                f"or set --hybrid-tf-version"
            )
        return f"target TensorFlow {self.version} ({self.origin()}) is older than {minimum}"


UNKNOWN = TargetVersion(None, "")

# tensorflow, tensorflow-cpu, tensorflow[and-cuda], tf-nightly... followed by its specifiers:
# `tensorflow>=2.12`, `tensorflow<2.22,>=2.21.0`, `tensorflow (<2.16.0,>=2.13.0)`.
_PACKAGE = r"(?:tensorflow(?:[-_](?:cpu|gpu|macos|intel|aarch64))?|tf[-_]nightly(?:[-_](?:cpu|gpu))?)"
_CLAUSE = r"(?:===|==|~=|!=|<=|>=|<|>)\s*v?\d[\w.*+!-]*"
_REQUIREMENT = re.compile(
    r"(?<![\w.-])" + _PACKAGE + r"\s*(?:\[[^\]]*\])?\s*\(?\s*(" + _CLAUSE + r"(?:\s*,\s*" + _CLAUSE + r")*)",
    re.IGNORECASE,
)
# Poetry: `tensorflow = "^2.12"`, `tensorflow = {version = ">=2.11,<2.16", optional = true}`.
_POETRY = re.compile(
    r"""^\s*["']?""" + _PACKAGE + r"""["']?\s*=\s*(?:\{[^}]*version\s*=\s*)?["']([^"']*)["']""",
    re.IGNORECASE | re.MULTILINE,
)
# One clause of a specifier list, up to its release number (2.17.0.dev2024 counts as 2.17.0).
_SPECIFIER = re.compile(r"\s*(===|==|~=|!=|<=|>=|<|>|\^|~)?\s*v?(\d+(?:\.(?:\d+|\*))?(?:\.(?:\d+|\*))?)")
# python_requires in setup.py and setup.cfg, requires-python in pyproject.toml, Poetry's `python = "^3.10"`.
_PYTHON_REQUIRES = re.compile(
    r"""(?:python_requires|requires-python)\s*=\s*["']?([^"'\n#]+)|^\s*python\s*=\s*["']([^"']+)["']""",
    re.MULTILINE,
)
_PROJECT_MARKERS = ("setup.py", "setup.cfg", "pyproject.toml", ".git")
_PROJECT_FILES = ("setup.py", "setup.cfg", "pyproject.toml")


def clause_bounds(operator: str, text: str) -> Bounds:
    """What one specifier clause (``>=2.13.0``, ``~=2.15.0``, ``^2.12``) admits, to the minor."""
    parts = text.split(".")
    version = Version(int(parts[0]), int(parts[1]) if len(parts) > 1 and parts[1] != "*" else 0)
    whole_major = len(parts) == 1 or parts[1] == "*"
    # The next release a clause on ``text`` stops before: 2.15.* -> 2.16; 2.* -> 3.0.
    after = Version(version.major + 1, 0) if whole_major else version.next_minor()
    patch = parts[2] if len(parts) > 2 else ""
    if operator in ("", "==", "==="):
        return Bounds(version, after)
    if operator in (">=", ">"):
        return Bounds(version, None)
    if operator == "~=":  # ~=2.15.0 admits 2.15.*; ~=2.15 admits 2.*
        return Bounds(version, after if patch else Version(version.major + 1, 0))
    if operator == "^":  # Poetry: ^2.12 admits 2.*
        return Bounds(version, Version(version.major + 1, 0))
    if operator == "~":  # Poetry: ~2.12 admits 2.12.*
        return Bounds(version, after)
    if operator == "<":  # <2.16 and <2.16.0 exclude 2.16; <2.16.1 admits 2.16.0
        return Bounds(None, version if patch in ("", "0") or not patch[0].isdigit() else after)
    if operator == "<=":
        return Bounds(None, after)
    return Bounds(None, None)  # !=


def specifier_bounds(specifiers: str) -> Bounds:
    """What a comma-separated specifier list admits: every clause at once."""
    floors, ceilings = [], []
    for clause in specifiers.split(","):
        match = _SPECIFIER.match(clause)
        if match is None:
            continue
        bounds = clause_bounds(match.group(1) or "", match.group(2))
        if bounds.floor is not None:
            floors.append(bounds.floor)
        if bounds.ceiling is not None:
            ceilings.append(bounds.ceiling)
    return Bounds(max(floors) if floors else None, min(ceilings) if ceilings else None)


def requirement_bounds(text: str) -> Optional[Bounds]:
    """What a requirement file's TensorFlow requirements admit together, or None without one.

    The floor is the lowest among the requirements that have one; the ceiling is the highest,
    and none when any requirement has none."""
    found = [specifier_bounds(match.group(1)) for match in _REQUIREMENT.finditer(text)]
    found += [specifier_bounds(match.group(1)) for match in _POETRY.finditer(text)]
    if not found:
        return None
    floors = [bounds.floor for bounds in found if bounds.floor is not None]
    ceilings = [bounds.ceiling for bounds in found]
    ceiling = None if None in ceilings else max(c for c in ceilings if c is not None)
    return Bounds(min(floors) if floors else None, ceiling)


def requirement_floor(text: str) -> Optional[Version]:
    """The lowest TensorFlow version a requirement file's text admits, if it bounds one."""
    bounds = requirement_bounds(text)
    return bounds.floor if bounds else None


def python_floor(text: str) -> Optional[Version]:
    """The lowest Python a project file's ``python_requires`` (or equivalent) admits."""
    match = _PYTHON_REQUIRES.search(text)
    if match is None:
        return None
    return specifier_bounds(match.group(1) or match.group(2)).floor


@functools.lru_cache(maxsize=1)
def python_support() -> tuple[tuple[Version, tuple[Version, ...]], ...]:
    """(TF release, the Python versions it has wheels for), oldest release first."""
    import yaml  # (the lint path loads it anyway, for the API model)

    text = importlib.resources.files("flake8_hybrid").joinpath("data/tf_api.yaml").read_text("utf-8")
    table = yaml.safe_load(text)["python_support"]
    rows = [(Version.parse(tf), tuple(sorted(Version.parse(p) for p in pythons))) for tf, pythons in table.items()]
    return tuple(sorted(rows))


def first_release_for_python(python: Version) -> Optional[Version]:
    """The first TF release with wheels for ``python`` or a newer Python.

    When no release in the table has any, only a newer TF can, so the newest release in the
    table is still a lower bound. None when TF 2.0 already has one (``>=3.6``): the table
    starts at TF 2.0 and says nothing about the releases before it."""
    table = python_support()
    for release, pythons in table:
        if pythons[-1] >= python:
            return None if release == table[0][0] else release
    return table[-1][0]


# -- finding a project's target -----------------------------------------------------------------
def _requirement_files(directory: str, names: Iterable[str]) -> list[str]:
    wanted = [n for n in _PROJECT_FILES if n in names]
    wanted += [n for n in sorted(names) if n.startswith("requirements") and n.endswith((".txt", ".in"))]
    return [os.path.join(directory, name) for name in wanted]


def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return file.read(1_000_000)
    except OSError:
        return None


@dataclass
class _Declared:
    """What the walk up to the project root found."""

    #: The nearest TensorFlow requirement with a floor, else the nearest with none (a ceiling only).
    bounds: Optional[Bounds] = None
    bounds_path: str = ""
    python: Optional[Version] = None
    python_path: str = ""
    root: str = ""

    def read(self, path: str, text: str) -> None:
        if self.bounds is None or self.bounds.floor is None:
            bounds = requirement_bounds(text)
            if bounds is not None and (self.bounds is None or bounds.floor is not None):
                self.bounds, self.bounds_path = bounds, path
        if self.python is None and os.path.basename(path) in _PROJECT_FILES:
            self.python = python_floor(text)
            self.python_path = path if self.python is not None else ""


def _walk(directory: str) -> _Declared:
    """Read the requirement and project files from ``directory`` up to the project root."""
    declared = _Declared()
    while True:
        try:
            names = os.listdir(directory)
        except OSError:
            names = []
        for path in _requirement_files(directory, names):
            text = _read(path)
            if text is not None:
                declared.read(path, text)
        parent = os.path.dirname(directory)
        if any(marker in names for marker in _PROJECT_MARKERS):
            declared.root = directory
            return declared
        if parent == directory:  # no project root: paths are shown from the requirement's directory
            declared.root = os.path.dirname(declared.bounds_path)
            return declared
        directory = parent


def _relative(path: str, root: str) -> str:
    return os.path.relpath(path, root) if path else ""


@functools.lru_cache(maxsize=256)
def detect_target(directory: str) -> TargetVersion:
    """Walk up from ``directory`` to the project root, reading requirement files."""
    declared = _walk(os.path.abspath(directory))
    if declared.bounds is None:
        return UNKNOWN
    source = _relative(declared.bounds_path, declared.root)
    floor, ceiling = declared.bounds.floor, declared.bounds.ceiling
    first = first_release_for_python(declared.python) if declared.python is not None else None
    if floor is None or first is None or first <= floor:
        return TargetVersion(floor, source, ceiling)
    raised_by = f"python_requires >={declared.python} in {_relative(declared.python_path, declared.root)}"
    return TargetVersion(first, source, ceiling, declared=floor, raised_by=raised_by)


def target_for(filename: str, configured: Optional[Version]) -> TargetVersion:
    if configured is not None:
        return TargetVersion(configured, "--hybrid-tf-version")
    if not filename or filename in ("-", "stdin"):
        return detect_target(os.getcwd())
    return detect_target(os.path.dirname(os.path.abspath(filename)))
