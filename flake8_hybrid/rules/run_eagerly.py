"""HYB004, HYB005, HYB304: switches that turn graph execution off."""

from __future__ import annotations

import ast
from typing import Iterator

from flake8_hybrid.analysis.lines import lines_with, names_for, nodes_on
from flake8_hybrid.analysis.module import ModuleContext
from flake8_hybrid.findings import Finding, FixIntent
from flake8_hybrid.registry import Applicability, get_rule
from flake8_hybrid.rules.registration import check


def _is_true(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is True


@check("HYB004", "HYB005", "HYB304")
def check_run_eagerly(module: ModuleContext) -> Iterator[Finding]:
    # The deprecated aliases are all experimental_* names, the switches all say "eagerly":
    # a module that spells neither has nothing to walk for.
    aliases = "experimental_" in module.source
    report_switches = "eagerly" in module.source and not module.is_test_file
    if not aliases and not report_switches:
        return
    deprecated = names_for(module.api, module.source, module.api.deprecated_functions) if aliases else frozenset()
    switches = (
        names_for(module.api, module.source, module.api.run_functions_eagerly) if report_switches else frozenset()
    )
    # Nor has a statement whose lines spell none of their names, nor run_eagerly (tf-models-
    # official: 0.13 s of walks of whole modules, most of whose lines are other code).
    lines = lines_with(module.source, deprecated | switches | {"run_eagerly"}, whole_words=True)
    for node in nodes_on(module.tree, lines):
        if aliases and isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
            if _may_be_named(node, deprecated):
                yield from _deprecated_alias(module, node)
        if not report_switches:
            continue
        if isinstance(node, ast.Call):
            if _may_be_named(node.func, switches):
                yield from _run_functions_eagerly(module, node)
            yield from _compile_run_eagerly(module, node)
        elif isinstance(node, ast.Assign) and _is_true(node.value):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr == "run_eagerly":
                    yield module.finding("HYB005", target, model=ast.unparse(target.value))


def _may_be_named(expr: ast.expr, names: frozenset[str]) -> bool:
    """Whether ``expr`` may refer to what ``names`` can refer to (no name lookup for most)."""
    if isinstance(expr, ast.Attribute):
        return expr.attr in names
    return isinstance(expr, ast.Name) and expr.id in names


def _run_functions_eagerly(module: ModuleContext, call: ast.Call) -> Iterator[Finding]:
    name = module.qualified_name(call.func)
    if name not in module.api.run_functions_eagerly:
        return
    argument = call.args[0] if call.args else next(
        (keyword.value for keyword in call.keywords if keyword.arg == "run_eagerly"), None
    )
    if argument is not None and _is_true(argument) and not _conditional(module, call):
        yield module.finding("HYB004", call, call=ast.unparse(call.func))


def _conditional(module: ModuleContext, call: ast.Call) -> bool:
    """Whether the call runs only under a condition (``if flags.debug:``): a switch the user turns
    on, not one left on."""
    for node in ast.walk(module.tree):
        if isinstance(node, (ast.If, ast.IfExp, ast.While)):
            statements = isinstance(node, (ast.If, ast.While))
            branches = [node.body, node.orelse] if statements else [[node.body], [node.orelse]]
            if any(call is inner for branch in branches for part in branch for inner in ast.walk(part)):
                return True
    return False


def _compile_run_eagerly(module: ModuleContext, call: ast.Call) -> Iterator[Finding]:
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "compile"):
        return
    for keyword in call.keywords:
        if keyword.arg == "run_eagerly" and _is_true(keyword.value):
            yield module.finding("HYB005", keyword, model=ast.unparse(call.func.value))


def _deprecated_alias(module: ModuleContext, node: ast.expr) -> Iterator[Finding]:
    if isinstance(node, ast.Attribute) and not node.attr.startswith("experimental_"):
        return
    if isinstance(node, ast.Name) and not node.id.startswith("experimental_"):
        return
    name = module.qualified_name(node)
    deprecated = module.api.deprecated_functions.get(name or "")
    if deprecated is None or not module.target.admits_any_from(deprecated.deprecated):
        return  # (before TF 2.3 the experimental name is the only one: right for such a target)
    written = ast.unparse(node)
    new = written.rsplit(".", 1)[0] + "." + deprecated.replacement if "." in written else deprecated.replacement
    fix = None
    note = " (not fixed automatically: imported by name; rename the import and its uses)"
    if isinstance(node, ast.Attribute):
        rule = get_rule("HYB304")
        attr_col = node.end_col_offset - len(node.attr.encode())  # type: ignore[operator]
        # An unknown target may be older than the replacement: then the rename is only shown.
        proven = module.target.allows(deprecated.deprecated)
        fix = FixIntent("rename-attribute", node.end_lineno or node.lineno, attr_col, node.attr,
                        deprecated.replacement, rule.fix if proven else Applicability.DISPLAY_ONLY, rule.fix_title)
        note = "" if proven else f" (not fixed automatically: {module.target.why_not(deprecated.deprecated)})"
    yield module.finding("HYB304", node, fix, old=written, new=new, note=note)
