"""The linter's own options, shared by the flake8 plugin and the fixer.

Both read them from the same place: flake8's option parser (command line and
the ``[flake8]`` section of ``setup.cfg``/``tox.ini``/``.flake8``).
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from typing import Optional, Sequence

from flake8_hybrid.versions import Version

#: Globs matched against a file's name; those ending in ``/`` are matched
#: against each directory of its path instead.
DEFAULT_TEST_PATTERNS = (
    "test_*.py",
    "*_test.py",
    "*_tests.py",
    "conftest.py",
    "test/",
    "tests/",
    "testing/",
)


#: Tensor ops per call below which a graph does not pay for its call overhead
#: (the default of --hybrid-min-ops); benchmarks/calibrate_cost_model.py measures it.
MIN_OPS_PER_CALL = 30


@dataclass(frozen=True)
class Settings:
    tf_version: Optional[Version] = None
    test_patterns: tuple[str, ...] = DEFAULT_TEST_PATTERNS
    api_model_files: tuple[str, ...] = ()
    #: Where module summaries are cached: "" for <project root>/.flake8_hybrid_cache,
    #: None for no cache.
    cache_directory: Optional[str] = ""
    #: Tensor ops per call below which a graph does not pay (HYB001, HYB007).
    min_ops: int = MIN_OPS_PER_CALL
    #: Show the preview tier too: findings that rest on an assumption, and rules in preview.
    preview: bool = False
    #: Assume the project's call graph is closed (an application): public functions of an
    #: installable package have no callers outside the project.
    closed_world: bool = False

    @classmethod
    def from_options(cls, options: object) -> "Settings":
        """Build settings from a parsed flake8 options namespace.

        Raises ValueError for a bad option value, including a user API model
        file that cannot be used.
        """
        version_text = getattr(options, "hybrid_tf_version", None)
        patterns = getattr(options, "hybrid_test_patterns", None)
        try:
            tf_version = Version.parse(version_text) if version_text else None
        except ValueError as error:
            raise ValueError(f"--hybrid-tf-version: {error}") from None
        settings = cls(
            tf_version=tf_version,
            test_patterns=tuple(patterns) if patterns else DEFAULT_TEST_PATTERNS,
            api_model_files=tuple(getattr(options, "hybrid_api_model", None) or ()),
            cache_directory=_cache_directory(getattr(options, "hybrid_cache_dir", None)),
            min_ops=_min_ops(getattr(options, "hybrid_min_ops", None)),
            preview=_flag(getattr(options, "hybrid_preview", False)),
            closed_world=_flag(getattr(options, "hybrid_closed_world", False)),
        )
        settings.load_api_model()
        return settings

    def load_api_model(self) -> None:
        """Load the user's API model files now, so that a broken one is an option
        error (flake8's one-line critical error, the fixer's configuration error)
        rather than a failure on every file."""
        from flake8_hybrid.analysis.api_model import api_model

        try:
            api_model(self.api_model_files)
        except ValueError as error:
            raise ValueError(f"--hybrid-api-model: {error}") from None


def _flag(option: object) -> bool:
    """A boolean option, from the command line (True) or a config file (flake8 parses those too)."""
    if isinstance(option, str):
        return option.strip().lower() in ("1", "true", "yes", "on")
    return bool(option)


def _min_ops(option: object) -> int:
    if option is None or option == "":
        return Settings.min_ops
    try:
        value = int(str(option))
    except ValueError:
        raise ValueError(f"--hybrid-min-ops: not a whole number: {option!r}") from None
    if value < 0:
        raise ValueError(f"--hybrid-min-ops: must not be negative: {value}")
    return value


def _cache_directory(option: Optional[str]) -> Optional[str]:
    if option is None or option == "":
        return ""
    return None if option.lower() == "none" else option


def is_test_file(filename: str, patterns: Sequence[str] = DEFAULT_TEST_PATTERNS) -> bool:
    """Whether ``filename`` is test code, by its name or a directory on its path.

    Only the part of the path below the working directory counts, so a project
    checked out under ``/home/me/tests/`` is not all test code.
    """
    if not filename or filename in ("-", "stdin"):
        return False
    path = os.path.normpath(filename)
    if os.path.isabs(path):
        relative = os.path.relpath(path, os.getcwd())
        if not relative.startswith(os.pardir):
            path = relative
    *directories, name = path.split(os.sep)
    for pattern in patterns:
        if pattern.endswith("/"):
            if any(fnmatch.fnmatchcase(d, pattern[:-1]) for d in directories):
                return True
        elif fnmatch.fnmatchcase(name, pattern):
            return True
    return False


def add_flake8_options(option_manager: object) -> None:
    """Register the ``--hybrid-*`` options with flake8's option manager."""
    add = option_manager.add_option  # type: ignore[attr-defined]
    add(
        "--hybrid-tf-version",
        metavar="X.Y",
        default=None,
        parse_from_config=True,
        help=(
            "TensorFlow version the code targets (e.g. 2.12). Fixes that need a newer "
            "TensorFlow are shown but not applied. Default: the lowest version the "
            "project's own tensorflow requirement admits, else unknown."
        ),
    )
    add(
        "--hybrid-test-patterns",
        metavar="PATTERNS",
        default=",".join(DEFAULT_TEST_PATTERNS),
        parse_from_config=True,
        comma_separated_list=True,
        help=(
            "Comma-separated globs that mark test files, where HYB004/HYB005 are not "
            "reported; a glob ending in '/' matches a directory on the path. "
            "(Default: %(default)s)"
        ),
    )
    add(
        "--hybrid-api-model",
        metavar="PATHS",
        default="",
        parse_from_config=True,
        comma_separated_list=True,
        normalize_paths=True,
        help=(
            "Comma-separated YAML files that extend the TensorFlow API model with your own "
            "libraries' APIs (same sections as flake8_hybrid/data/tf_api.yaml; entries are added)."
        ),
    )
    add(
        "--hybrid-cache-dir",
        metavar="DIR",
        default="",
        parse_from_config=True,
        normalize_paths=True,
        help=(
            "Where the project analysis caches module summaries (keyed by file content), "
            "the project's facts and each file's findings; "
            "'none' disables the cache. Default: .flake8_hybrid_cache in the project root."
        ),
    )
    add(
        "--hybrid-min-ops",
        metavar="N",
        default="",
        parse_from_config=True,
        help=(
            "Tensor ops per call below which a tf.function does not pay for its call overhead: "
            "HYB001 needs at least this much work, HYB007 reports graphs with less. Default: 30, "
            "calibrated by benchmarks/calibrate_cost_model.py."
        ),
    )
    add(
        "--hybrid-preview",
        action="store_true",
        default=False,
        parse_from_config=True,
        help=(
            "Also report the preview tier: findings that rest on an assumption the analysis could not "
            "prove (the message names it), and rules still in preview."
        ),
    )
    add(
        "--hybrid-closed-world",
        action="store_true",
        default=False,
        parse_from_config=True,
        help=(
            "Assume no code outside the project calls it (an application). By default, the public "
            "functions of an installable package have unknown callers, and advice to remove their "
            "@tf.function (HYB002, HYB006, HYB007) is not reported."
        ),
    )
