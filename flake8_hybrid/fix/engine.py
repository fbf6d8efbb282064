"""Fix one source text: lint it, keep what flake8 would report, apply what may be applied.

The contract, for every file: the output parses; a second run changes
nothing; a file without applicable fixes is never parsed by LibCST.
"""

from __future__ import annotations

import ast
import io
from dataclasses import dataclass, field

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
    findings = _reported(source, filename, config)
    outcome = FixOutcome(source, source, findings, findings)
    if not apply:
        return outcome
    for _ in range(MAX_PASSES):
        to_apply = compatible([finding for finding in outcome.remaining if applicable(finding, unsafe_fixes)])
        if not to_apply:
            break
        from flake8_hybrid.fix.codemods import apply_intents  # libcst only when there is a fix

        fixed = apply_intents(outcome.fixed_source, [finding.fix for finding in to_apply])  # type: ignore[misc]
        try:
            ast.parse(fixed, filename=filename)
        except SyntaxError as error:
            raise FixError(f"the fixed code does not parse ({error.msg}, line {error.lineno}); nothing written")
        outcome.applied.extend(to_apply)
        outcome.fixed_source = fixed
        outcome.remaining = _reported(fixed, filename, config)
    else:
        raise FixError(f"fixes did not settle after {MAX_PASSES} passes; nothing written")
    return outcome


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
