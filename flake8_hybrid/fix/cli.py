"""``flake8-hybrid-fix``: apply the fixes of flake8-hybrid's findings.

Exit status: 0 nothing to do; 1 findings remain, files were changed (or, with
``--diff``, would be), or a file had to be skipped (syntax error, encoding);
2 usage, configuration or internal error, or a path that cannot be read.
Messages about files go to stderr (``Rewriting <file>``), findings to stdout.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from typing import TYPE_CHECKING, Optional, Sequence, TextIO

from flake8_hybrid import __version__
from flake8_hybrid.findings import Finding
from flake8_hybrid.fix.output import Reported, write_findings, write_fixes, write_statistics

if TYPE_CHECKING:  # the heavy modules load only when a run needs them
    from flake8_hybrid.fix.engine import FixOutcome
    from flake8_hybrid.fix.flake8_config import Flake8Config
    from flake8_hybrid.fix.source_files import SourceFile

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

# Options passed through to flake8's own parser: (flag, takes a value).
_FLAKE8_OPTIONS = (
    ("--select", True),
    ("--extend-select", True),
    ("--ignore", True),
    ("--extend-ignore", True),
    ("--per-file-ignores", True),
    ("--exclude", True),
    ("--extend-exclude", True),
    ("--filename", True),
    ("--config", True),
    ("--append-config", True),
    ("--isolated", False),
    ("--disable-noqa", False),
    ("--hybrid-tf-version", True),
    ("--hybrid-test-patterns", True),
    ("--hybrid-api-model", True),
    ("--hybrid-cache-dir", True),
    ("--hybrid-min-ops", True),
    ("--hybrid-preview", False),
    ("--hybrid-closed-world", False),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flake8-hybrid-fix",
        description=(
            "Fix flake8-hybrid (HYB) findings in place. Reads the same configuration as flake8 "
            "(.flake8, setup.cfg, tox.ini) and obeys select/ignore/per-file-ignores/noqa."
        ),
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories; '-' reads standard input")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true", help="print a diff of the fixes instead of writing them")
    mode.add_argument("--check", action="store_true", help="report findings without fixing anything")
    parser.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes marked unsafe")
    parser.add_argument("--show-fixes", action="store_true", help="list the fixes applied, per file")
    parser.add_argument("--statistics", action="store_true", help="print counts per code instead of findings")
    parser.add_argument(
        "--output-format", choices=("text", "json", "github"), default="text", help="how findings are printed"
    )
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain or files change")
    parser.add_argument("--explain", metavar="CODE", help="print the documentation of a rule and exit")
    parser.add_argument(
        "--stdin-filename",
        "--stdin-display-name",
        dest="stdin_filename",
        metavar="NAME",
        help="the file name standard input stands for (config matching, messages)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    flake8_group = parser.add_argument_group("flake8 options (same meaning as in flake8)")
    for flag, takes_value in _FLAKE8_OPTIONS:
        if takes_value:
            flake8_group.add_argument(flag, metavar="VALUE")
        else:
            flake8_group.add_argument(flag, action="store_true")
    return parser


def _flake8_argv(args: argparse.Namespace) -> list[str]:
    argv = []
    for flag, takes_value in _FLAKE8_OPTIONS:
        value = getattr(args, flag[2:].replace("-", "_"))
        if takes_value and value is not None:
            argv.append(f"{flag}={value}")
        elif not takes_value and value:
            argv.append(flag)
    return argv


class Run:
    """One invocation: walks the paths, fixes, and keeps score for the exit status."""

    def __init__(self, args: argparse.Namespace, config: "Flake8Config", stdout: TextIO, stderr: TextIO) -> None:
        self.args = args
        self.config = config
        self.stdout = stdout
        self.stderr = stderr
        self.reported: list[Reported] = []
        self.applied: dict[str, list[Finding]] = {}
        self.changed_files = 0
        self.skipped_files = 0  # syntax errors, undecodable or binary files
        self.errors = 0

    @property
    def applying(self) -> bool:
        return not self.args.check

    def error(self, path: str, message: str, internal: bool = False) -> None:
        self.stderr.write(f"flake8-hybrid-fix: {path}: {message}\n")
        if internal:
            self.errors += 1
        else:
            self.skipped_files += 1

    def files(self) -> list[str]:
        from flake8.discover_files import expand_paths

        paths = self.args.paths or ["."]
        found = []
        for path in paths:
            if path != "-" and not os.path.exists(path):
                self.stderr.write(f"flake8-hybrid-fix: {path}: no such file or directory\n")
                self.errors += 1
                continue
            found.extend(
                expand_paths(
                    paths=[path],
                    stdin_display_name=self.args.stdin_filename or "stdin",
                    filename_patterns=self.config.filename_patterns,
                    exclude=self.config.exclude,
                )
            )
        return found

    def stdin_is_filter(self, path: str) -> bool:
        """Fixing standard input: the (fixed) source goes to stdout, findings to stderr."""
        return path == "-" and self.applying and not self.args.diff

    def read(self, path: str, display: str) -> Optional["SourceFile"]:
        from flake8_hybrid.fix.source_files import SourceFile, UnfixableFile, read_source

        try:
            return SourceFile.decode(sys.stdin.buffer.read()) if path == "-" else read_source(path)[1]
        except UnfixableFile as error:
            self.error(display, f"skipped: {error}")
        except OSError as error:
            self.error(display, str(error), internal=True)
        return None

    def run_paths(self, paths: list[str]) -> None:
        """Fix the files together (``engine.fix_files``: the project is analyzed a few times, not
        once per file), then write, show or report each, in the order given."""
        from flake8_hybrid.fix.engine import fix_files

        read = []
        for path in paths:
            display = (self.args.stdin_filename or "stdin") if path == "-" else path
            source = self.read(path, display)
            if source is not None:
                read.append((path, display, source))
        outcomes = fix_files([(display, source.text) for _, display, source in read], self.config,
                             self.args.unsafe_fixes, apply=self.applying)
        for (path, display, source), outcome in zip(read, outcomes):
            if isinstance(outcome, BaseException):
                self.failed(display, outcome)
                if self.stdin_is_filter(path):
                    self.stdout.write(source.text)  # a filter never swallows its input
                continue
            self.finish(path, display, source, outcome)

    def finish(self, path: str, display: str, source: "SourceFile", outcome: "FixOutcome") -> None:
        from flake8_hybrid.fix.engine import applicable
        from flake8_hybrid.fix.source_files import write_atomically

        shown = outcome.remaining if self.applying and not self.args.diff else outcome.findings
        self.reported.extend(Reported(display, f, applicable(f, self.args.unsafe_fixes)) for f in shown)
        if outcome.applied:
            self.applied[display] = outcome.applied
        if self.stdin_is_filter(path):
            self.stdout.write(outcome.fixed_source)
            self.changed_files += outcome.changed
            return
        if not outcome.changed:
            return
        self.changed_files += 1
        if self.args.diff:
            self.stdout.writelines(
                difflib.unified_diff(
                    outcome.source.splitlines(keepends=True),
                    outcome.fixed_source.splitlines(keepends=True),
                    fromfile=f"a/{display}",
                    tofile=f"b/{display}",
                )
            )
            return
        try:
            write_atomically(path, source.encode(outcome.fixed_source))
        except (OSError, UnicodeEncodeError) as error:
            self.error(display, f"not rewritten: {error}", internal=True)
            return
        self.stderr.write(f"Rewriting {display}\n")

    def failed(self, display: str, error: BaseException) -> None:
        """Say why a file was not fixed: its own fault (skipped) or ours (an error)."""
        from flake8_hybrid.fix.codemods import IntentConflict
        from flake8_hybrid.fix.engine import FixError

        if isinstance(error, SyntaxError):
            self.error(display, f"skipped: syntax error at line {error.lineno}: {error.msg}")
        elif isinstance(error, RecursionError):
            # CPython's own parser gives up on such nesting (flake8 too): not our bug.
            self.error(display, "skipped: too deeply nested for Python to parse")
        elif isinstance(error, (FixError, IntentConflict)):
            self.error(display, f"not fixed: {error}", internal=True)
        else:
            self.error(display, f"internal error ({type(error).__name__}: {error}); please report this bug", True)

    def report(self) -> int:
        findings_stream = self.stderr if any(map(self.stdin_is_filter, self.args.paths)) else self.stdout
        if self.args.statistics:
            write_statistics(self.reported, findings_stream)
        elif not self.args.diff:
            write_findings(self.reported, self.args.output_format, findings_stream)
        if self.args.show_fixes:
            # Keep machine-readable output on stdout parseable.
            json_on_stdout = findings_stream is self.stdout and self.args.output_format == "json"
            write_fixes(self.applied, self.stderr if json_on_stdout else findings_stream)
        if self.errors:
            return EXIT_ERROR
        if self.args.exit_zero:
            return EXIT_CLEAN
        if self.args.diff:
            return EXIT_FINDINGS if self.changed_files or self.skipped_files else EXIT_CLEAN
        if self.reported or self.changed_files or self.skipped_files:
            return EXIT_FINDINGS
        return EXIT_CLEAN


def main(argv: Optional[Sequence[str]] = None, stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.explain:
        from flake8_hybrid.docs import explain

        try:
            stdout.write(explain(args.explain))
        except KeyError as error:
            stderr.write(f"flake8-hybrid-fix: {error.args[0]}\n")
            return EXIT_ERROR
        return EXIT_CLEAN
    if args.paths.count("-") > 1:
        parser.error("'-' (standard input) may be given only once")
    from flake8_hybrid.fix.flake8_config import Flake8Config

    try:
        config = Flake8Config(_flake8_argv(args))
    except SystemExit as exit_:
        return EXIT_ERROR if exit_.code else EXIT_CLEAN
    except Exception as error:  # noqa: B902 - flake8 raises many kinds for a broken config
        stderr.write(f"flake8-hybrid-fix: configuration error: {error}\n")
        return EXIT_ERROR
    run = Run(args, config, stdout, stderr)
    run.run_paths(run.files())
    return run.report()


if __name__ == "__main__":
    sys.exit(main())
