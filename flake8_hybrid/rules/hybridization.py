"""HYB002, HYB003: hybrid functions that cost more than they gain (the seed paper's P2 and P3).

Both read the project analysis' facts (``analysis/project.py``): what the
function's callers, anywhere in the project, pass it.
"""

from __future__ import annotations

import ast
from typing import Iterator

from flake8_hybrid.analysis.module import ModuleContext
from flake8_hybrid.findings import Finding
from flake8_hybrid.rules import check


@check("HYB002", "HYB003")
def check_hybrid_functions(module: ModuleContext) -> Iterator[Finding]:
    decorated = {
        id(site.target): site
        for site in module.tf_function_sites
        if site.is_decorator and isinstance(site.target, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    if not decorated:
        return
    facts_by_line = module.function_facts
    for node in ast.walk(module.tree):
        site = decorated.get(id(node))
        facts = facts_by_line.get(getattr(node, "lineno", -1))
        if site is None or facts is None or facts.input_signature:
            # With an input_signature, arguments become tensors anyway (HYB305's domain).
            continue
        if facts.parameters and facts.has_tensor_parameter is False:
            first = next((p.evidence[0] for p in facts.parameters if p.evidence), "")
            note = f" (e.g. {first})" if first else ""
            yield module.finding("HYB002", node, function=facts.qualname, note=note)
        for parameter in facts.parameters:
            sites = parameter.primitive_sites
            if parameter.primitive and (parameter.varies or len(sites) > 1):
                shown = ", ".join(sites[:3]) + (f" and {len(sites) - 3} more" if len(sites) > 3 else "")
                if parameter.varies:
                    shown += ", a value that changes on every iteration"
                yield module.finding(
                    "HYB003", node, function=facts.qualname, parameter=parameter.name, call_sites=shown, note=""
                )
