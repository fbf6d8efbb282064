"""Run the plugin and the fixer over files the way users' runs would, collecting every failure.

Used by tests/test_no_crash.py. A failure is an exception escaping the plugin or the
fixer, a HYB000 (the plugin's safety net caught one of ours), an internal error of the
fixer, or a fixer output that does not parse.
"""

from __future__ import annotations

import ast
import functools
import io
import os
import shutil
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional


@dataclass
class SweepResult:
    files: int = 0
    linted: int = 0  # files flake8 would hand to plugins (they parse)
    fixed: int = 0  # files the fixer changed
    failures: list = field(default_factory=list)

    def add(self, other: "SweepResult") -> None:
        self.files += other.files
        self.linted += other.linted
        self.fixed += other.fixed
        self.failures += other.failures


def read_like_flake8(path: Path) -> Optional[list]:
    """The lines flake8 gives plugins: decoded by the coding cookie, else latin-1 (as flake8 falls back)."""
    data = path.read_bytes()
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        text = data.decode("latin-1")
    return io.StringIO(text, newline=None).readlines()  # flake8 reads with universal newlines


def sweep_plugin(paths: Iterable[Path]) -> SweepResult:
    from flake8_hybrid.plugin import Plugin

    result = SweepResult()
    for path in paths:
        result.files += 1
        lines = read_like_flake8(path)
        try:
            tree = ast.parse("".join(lines), filename=str(path))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # flake8 reports E999/E902 and runs no plugin
        result.linted += 1
        try:
            reports = list(Plugin(tree, str(path), lines).run())
        except BaseException as error:  # noqa: B902 - exactly what must never happen
            result.failures.append((str(path), f"plugin raised {type(error).__name__}: {error}"))
            continue
        result.failures += [(str(path), report[2]) for report in reports if report[2].startswith("HYB000")]
    return result


def sweep_fixer(paths: Iterable[Path]) -> SweepResult:
    """The fixer's engine on each file (what ``--diff`` computes), and its output re-parsed."""
    from flake8_hybrid.fix.engine import fix_source
    from flake8_hybrid.fix.source_files import UnfixableFile, read_source

    config = _config()
    result = SweepResult()
    for path in paths:
        result.files += 1
        try:
            text = read_source(str(path))[1].text
        except UnfixableFile:
            continue  # reported and skipped by the CLI (undecodable, null bytes...)
        except BaseException as error:  # noqa: B902
            result.failures.append((str(path), f"reading raised {type(error).__name__}: {error}"))
            continue
        try:
            outcome = fix_source(text, str(path), config, unsafe_fixes=True)
        except (SyntaxError, RecursionError, ValueError):
            continue  # the CLI skips files that do not parse, with a message
        except BaseException as error:  # noqa: B902
            result.failures.append((str(path), f"fixer raised {type(error).__name__}: {error}"))
            continue
        result.linted += 1
        if outcome.changed:
            result.fixed += 1
            try:
                ast.parse(outcome.fixed_source)
            except (SyntaxError, ValueError, RecursionError) as error:
                result.failures.append((str(path), f"fixed output does not parse: {error}"))
    return result


@functools.lru_cache(maxsize=1)
def _config():
    from flake8_hybrid.fix.flake8_config import Flake8Config

    return Flake8Config(["--isolated"])  # parsing flake8's options takes a while: once


def sweep_fixer_cli(root: Path) -> SweepResult:
    """``flake8-hybrid-fix --diff`` over a tree: no internal error, every ``+`` side parses."""
    from flake8_hybrid.fix import cli

    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        status = cli.main(["--diff", "--isolated", "--unsafe-fixes", "."], stdout=out, stderr=err)
    finally:
        os.chdir(cwd)
    result = SweepResult(files=1)
    messages = err.getvalue()
    if status == cli.EXIT_ERROR or "internal error" in messages or "not fixed:" in messages:
        result.failures.append((str(root), f"fixer exit {status}: {messages[-2000:]}"))
    return result


def project_copy(sources: Path, target: Path) -> Path:
    """A copy of a source tree as a project of its own (the analysis looks for a marker upwards)."""
    shutil.copytree(
        sources, target, ignore=shutil.ignore_patterns("*.dist-info", ".flake8_hybrid_cache", "__pycache__")
    )
    (target / "setup.cfg").write_text("[metadata]\nname = swept\n", encoding="utf-8")
    return target
