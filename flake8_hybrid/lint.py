"""Run every registered check over one module: the one entry point that both
the flake8 plugin and the fixer use, so they always agree on the findings."""

from __future__ import annotations

import ast
import os
from typing import Sequence

from flake8_hybrid.analysis.module import ModuleContext
from flake8_hybrid.findings import Finding
from flake8_hybrid.rules import registered_checks
from flake8_hybrid.settings import Settings

# A module that mentions none of these cannot reach any rule: it is skipped
# before any analysis, which keeps non-TensorFlow files nearly free.
_TRIGGERS = ("tensorflow", "run_eagerly")


def may_concern_tensorflow(source: str) -> bool:
    return any(trigger in source for trigger in _TRIGGERS)


#: A module nested this deep (expressions, blocks, lambdas) may exhaust Python's
#: recursion limit in the analysis (``ast.unparse``, visitors); the stack of a
#: recursive walk of a shallower module never reaches it.
DEEPLY_NESTED = 100


def needs_analysis(source: str, filename: str) -> bool:
    """Whether any rule can apply: the module mentions TensorFlow, or TensorFlow code of its project imports it."""
    return may_concern_tensorflow(source) or _imported_by_tensorflow_code(filename)


def lint_tree(tree: ast.Module, filename: str, lines: Sequence[str], settings: Settings) -> list[Finding]:
    source = "".join(lines)
    if not needs_analysis(source, filename):
        return []
    from flake8_hybrid.findings_cache import entry_for
    from flake8_hybrid.versions import target_for

    # The same file in the same project state has the same findings: a warm run reads them.
    entry = entry_for(filename, source, settings, repr(target_for(filename, settings.tf_version)))
    findings = entry.load() if entry else None
    if findings is None:
        findings = _checked(tree, filename, lines, settings)
        if entry:
            entry.store(findings)
    # The preview tier (an assumption, or a rule in preview) only when asked for.
    return findings if settings.preview else [finding for finding in findings if not finding.preview]


def _checked(tree: ast.Module, filename: str, lines: Sequence[str], settings: Settings) -> list[Finding]:
    try:
        return _lint_tree(tree, filename, lines, settings)
    except RecursionError:
        # Generated code (a 1,000-term ``a + b + ...``, 500 nested lambdas): too deep
        # to analyze, so nothing to report, as for any module the analysis cannot
        # read. In a shallow module the same error is a bug of ours: HYB000 says so.
        if nesting_depth(tree) >= DEEPLY_NESTED:
            return []
        raise


def nesting_depth(tree: ast.AST) -> int:
    """How deep the syntax tree goes (without recursing, whatever its depth)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _lint_tree(tree: ast.Module, filename: str, lines: Sequence[str], settings: Settings) -> list[Finding]:
    module = ModuleContext(tree, filename, lines, settings)
    findings = {
        (finding.line, finding.col, finding.code, finding.message): finding
        for _, run_check in registered_checks()
        for finding in run_check(module)
    }
    return [findings[key] for key in sorted(findings)]


def lint_source(source: str, filename: str, settings: Settings) -> list[Finding]:
    """Parse and lint source text (raises SyntaxError for invalid Python)."""
    tree = ast.parse(source, filename=filename)
    return lint_tree(tree, filename, source.splitlines(keepends=True), settings)


def _imported_by_tensorflow_code(filename: str) -> bool:
    """A plain module that TensorFlow code of its project imports: graph code may call it."""
    if not filename.endswith(".py") or not os.path.isfile(filename):
        return False  # standard input, or a buffer not on disk: no project to look in
    from flake8_hybrid.analysis.importers import imported_by_tensorflow_modules

    return imported_by_tensorflow_modules(filename)
