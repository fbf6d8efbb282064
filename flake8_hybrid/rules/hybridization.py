"""HYB001, HYB002, HYB003, HYB006, HYB007: the seed paper's refactorings, and the cost model.

The verdicts come from the project analysis (``analysis/verdicts.py``): what
every caller in the project passes, what the function does, how much tensor
work it does per call.  This module only turns verdicts into findings, at the
``def`` line, with the fix each allows.
"""

from __future__ import annotations

import ast
from typing import Iterator

from flake8_hybrid.analysis.module import ModuleContext
from flake8_hybrid.analysis.names import statement_children, walk
from flake8_hybrid.analysis.function_facts import FunctionFacts
from flake8_hybrid.analysis.layout import qualname_of
from flake8_hybrid.analysis.tf_function import TfFunctionSite
from flake8_hybrid.findings import Finding, FixIntent
from flake8_hybrid.registry import Applicability, get_rule
from flake8_hybrid.rules.registration import check

DefNode = (ast.FunctionDef, ast.AsyncFunctionDef)


@check("HYB001", "HYB002", "HYB003", "HYB006", "HYB007")
def check_hybridization(module: ModuleContext) -> Iterator[Finding]:
    facts_by_line = module.function_facts
    if not facts_by_line:
        return
    verdicts = module.project.verdicts(module.settings.min_ops, module.settings.closed_world)
    if not any(verdicts[facts.key].codes for facts in facts_by_line.values()):
        return  # most modules: nothing to report, so no need to walk the tree for the rest
    decorators = {
        id(site.target): site
        for site in module.tf_function_sites if site.is_decorator and isinstance(site.target, DefNode)
    }
    for node in _functions(module.tree):
        facts = facts_by_line.get(node.lineno)
        if facts is None or facts.qualname.rsplit(".", 1)[-1] != node.name:
            continue
        site = decorators.get(id(node))
        verdict = verdicts[facts.key]
        for code in verdict.codes:
            assumed = verdict.assumptions.get(code, "")
            if code == "HYB001" and site is None:
                yield _hyb001(module, node, facts, assumed)
            elif code == "HYB003" and site is not None:
                yield from _hyb003(module, node, facts)
            elif code in ("HYB002", "HYB006", "HYB007") and site is not None:
                yield _removal(module, code, node, facts, site, assumed)


def _functions(tree: ast.Module) -> Iterator[ast.AST]:
    """Every function definition. Definitions are statements: the walk goes through statements
    only, a tenth of the nodes."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        for child in statement_children(node):
            if isinstance(child, DefNode):
                yield child
            stack.append(child)


# -- HYB001 ----------------------------------------------------------------------
def _hyb001(module: ModuleContext, node: ast.AST, facts: FunctionFacts, assumed: str) -> Finding:
    rule = get_rule("HYB001")
    spelling, add_import = tf_function_spelling(module)
    if facts.fresh_keras_arguments:
        note = (f" (unsafe fix: '{facts.fresh_keras_arguments[0]}' receives Keras objects that may be new "
                f"on a later call, and a graph cannot create their variables when it retraces)")
    else:
        where = f" {facts.repeated_by}" if facts.repeated_by else ""
        note = f" (about {facts.ops_per_call} tensor ops per call, called repeatedly{where})"
    fix = FixIntent(
        "add-decorator", node.lineno, node.col_offset, node.name, spelling,
        Applicability.UNSAFE if facts.fresh_keras_arguments else Applicability.SAFE,
        rule.fix_title, add_import=add_import,
    )
    return module.finding("HYB001", node, fix, assumed=assumed, function=facts.qualname, note=note)


def tf_function_spelling(module: ModuleContext) -> tuple[str, str]:
    """How this module spells ``tf.function``, and the import to add if it cannot."""
    alias, add_import = module.tensorflow_spelling()
    if add_import:  # no TensorFlow module alias: a name imported as tf.function itself will do
        names = sorted(
            name for name, bindings in module.names.module_scope.bindings.items()
            if bindings[-1].imported and module.api.canonical(bindings[-1].imported) == module.api.tf_function_name
        )
        if names:
            return names[0], ""
    return f"{alias}.function", add_import


# -- HYB003 ----------------------------------------------------------------------
def _hyb003(module: ModuleContext, node: ast.AST, facts: FunctionFacts) -> Iterator[Finding]:
    for parameter in facts.parameters:
        sites = parameter.primitive_sites
        if parameter.primitive and (parameter.varies or len(sites) > 1):
            shown = ", ".join(sites[:3]) + (f" and {len(sites) - 3} more" if len(sites) > 3 else "")
            if parameter.varies:
                shown += ", a value that changes on every iteration"
            yield module.finding(
                "HYB003", node, function=facts.qualname, parameter=parameter.name, call_sites=shown, note=""
            )


# -- HYB002, HYB006, HYB007: remove the decorator ----------------------------------
def _removal(
    module: ModuleContext, code: str, node: ast.AST, facts: FunctionFacts, site: TfFunctionSite, assumed: str
) -> Finding:
    rule = get_rule(code)
    blocker = None
    if facts.side_effects:
        blocker = "it has Python side effects, which would run on every call instead of once per trace"
    applicability = Applicability.SAFE if blocker is None else Applicability.DISPLAY_ONLY
    # The work per call is an estimate: near the threshold, removing the graph is a guess.
    near_threshold = code == "HYB007" and facts.ops_per_call > module.settings.min_ops // 2
    if near_threshold and applicability is Applicability.SAFE:
        applicability = Applicability.UNSAFE
    fix = FixIntent(
        "remove-decorator", node.lineno, node.col_offset, ast.unparse(site.node), "",
        applicability, rule.fix_title,
        remove_import=_import_only_for(module, site.node),
        span=(site.node.lineno, site.node.end_lineno or site.node.lineno),
    )
    not_fixed = f" (not fixed automatically: {blocker})" if blocker else ""
    if code == "HYB002":
        first = next((p.evidence[0] for p in facts.parameters if p.evidence), "")
        note = (f" (e.g. {first})" if first else "") + not_fixed
        return module.finding(code, node, fix, assumed=assumed, function=facts.qualname, note=note)
    if code == "HYB006":
        callers = ", ".join(sorted({_python_name(qualname_of(c)) for c in facts.callers})[:3])
        note = (f" (traced by {facts.callback})" if facts.callback else f" (called from {callers})") + not_fixed
        return module.finding(code, node, fix, assumed=assumed, function=facts.qualname, note=note)
    note = f" (below the threshold of {module.settings.min_ops}, --hybrid-min-ops)" + not_fixed
    if near_threshold and not blocker:
        note += " (near the threshold: the fix is unsafe)"
    return module.finding(code, node, fix, assumed=assumed, function=facts.qualname, ops=facts.ops_per_call,
                          note=note)


def _python_name(qualname: str) -> str:
    return "the module's top-level code" if qualname == "<module>" else qualname


def _import_only_for(module: ModuleContext, decorator: ast.expr) -> str:
    """The name a ``from tensorflow import function``-style import binds, if this decorator is its only use."""
    root = decorator.func if isinstance(decorator, ast.Call) else decorator
    if not isinstance(root, ast.Name):
        return ""
    binding = module.names.binding_of(root)
    if binding is None or not isinstance(binding.node, ast.ImportFrom):
        return ""
    uses = sum(
        1 for n in walk(module.tree) if isinstance(n, ast.Name) and n.id == root.id and isinstance(n.ctx, ast.Load)
    )
    return root.id if uses == 1 else ""
