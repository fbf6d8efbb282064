"""Fix one source text: lint it, keep what flake8 would report, apply what may be applied.

The contract, for every file: the output parses; a second run changes
nothing; a file without applicable fixes is never parsed by LibCST.
"""

from __future__ import annotations

import ast
import io
from dataclasses import dataclass, field
from typing import Sequence, Union

from flake8_hybrid.findings import Finding
from flake8_hybrid.fix.flake8_config import Flake8Config
from flake8_hybrid.lint import lint_source
from flake8_hybrid.rule import Applicability

#: Fixes are applied in passes until nothing applicable is left; this bounds
#: the passes should two fixes ever keep undoing each other.
MAX_PASSES = 5


@dataclass
class FixOutcome:
    source: str
    fixed_source: str
    #: What flake8 would report before any fix.
    findings: list[Finding]
    #: What flake8 would still report after the fixes.
    remaining: list[Finding]
    applied: list[Finding] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.fixed_source != self.source


def applicable(finding: Finding, unsafe_fixes: bool) -> bool:
    allowed = {Applicability.SAFE, Applicability.UNSAFE} if unsafe_fixes else {Applicability.SAFE}
    return finding.fix is not None and finding.fix.applicability in allowed


class FixError(Exception):
    """The fixer refused to write its result; the message says why (a bug)."""


def fix_source(source: str, filename: str, config: Flake8Config, unsafe_fixes: bool, apply: bool = True) -> FixOutcome:
    """Lint ``source`` and, when ``apply``, fix it (raises SyntaxError for invalid input)."""
    (outcome,) = fix_files([(filename, source)], config, unsafe_fixes, apply)
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def fix_files(
    files: Sequence[tuple[str, str]], config: Flake8Config, unsafe_fixes: bool, apply: bool = True
) -> list[Union[FixOutcome, BaseException]]:
    """Lint each (filename, source) and, when ``apply``, fix them together: each file's outcome,
    or the exception that stopped it (SyntaxError, FixError, ...), in the order given.

    The project is analyzed a fixed number of times, not once per fixed file. The first lint
    of every file sees the project as it is. Then, pass after pass, every file's applicable
    fixes are applied in memory, the project is analyzed once with all the files fixed so far
    in their places, and the files changed in the pass are linted again: what their fixes, or
    the other files' fixes, made due is fixed in the next pass. Files a pass did not change
    are not linted again: a fix in one file that makes a finding due in another file that had
    none (a helper that becomes graph code only) is reported by the next lint, and fixed by
    the next run. Fixes computed in one pass all come from the same analysis; the next
    pass's analysis, with all of them in place, is what decides what remains.
    """
    outcomes: list[Union[FixOutcome, BaseException]] = []
    for filename, source in files:
        try:
            findings = _reported(source, filename, config)
            outcomes.append(FixOutcome(source, source, findings, findings))
        except (Exception, RecursionError) as error:  # noqa: B902 - the caller reports each file's failure
            outcomes.append(error)
    if not apply:
        return outcomes
    from flake8_hybrid.analysis.projects import overriding

    for _ in range(MAX_PASSES):
        changed: list[int] = []
        for index, outcome in enumerate(outcomes):
            if isinstance(outcome, BaseException):
                continue
            to_apply = compatible([f for f in outcome.remaining if applicable(f, unsafe_fixes)])
            if not to_apply:
                continue
            try:
                outcome.fixed_source = _applied(outcome.fixed_source, to_apply, files[index][0])
            except (Exception, RecursionError) as error:  # noqa: B902
                outcomes[index] = error
                continue
            outcome.applied.extend(to_apply)
            changed.append(index)
        if not changed:
            return outcomes
        fixed = {files[i][0]: o.fixed_source for i, o in enumerate(outcomes)
                 if isinstance(o, FixOutcome) and o.changed}
        with overriding(fixed):
            for index in changed:
                outcome = outcomes[index]
                try:
                    outcome.remaining = _reported(outcome.fixed_source, files[index][0], config)
                except (Exception, RecursionError) as error:  # noqa: B902
                    outcomes[index] = error
    for index, outcome in enumerate(outcomes):
        if isinstance(outcome, FixOutcome) and any(applicable(f, unsafe_fixes) for f in outcome.remaining):
            outcomes[index] = FixError(f"fixes did not settle after {MAX_PASSES} passes; nothing written")
    return outcomes


def _applied(source: str, findings: list[Finding], filename: str) -> str:
    from flake8_hybrid.fix.codemods import apply_intents  # libcst only when there is a fix

    fixed = apply_intents(source, [finding.fix for finding in findings])  # type: ignore[misc]
    try:
        ast.parse(fixed, filename=filename)
    except SyntaxError as error:
        raise FixError(f"the fixed code does not parse ({error.msg}, line {error.lineno}); nothing written")
    return fixed


def compatible(findings: list[Finding]) -> list[Finding]:
    """The fixes that can be applied together; the rest wait for the next pass.

    A removal rewrites a span of lines (a decorator): an edit inside it would
    fight it, and the re-lint after the removal decides whether it is still due.
    """
    spans = [f.fix.span for f in findings if f.fix is not None and f.fix.span]
    return [
        f for f in findings
        if f.fix is not None and (f.fix.span or not any(first <= f.fix.line <= last for first, last in spans))
    ]


def _reported(source: str, filename: str, config: Flake8Config) -> list[Finding]:
    lines = io.StringIO(source, newline=None).readlines()
    if config.file_is_ignored(filename, lines):
        return []
    return config.reported(lint_source(source, filename, config.settings), filename, lines)
