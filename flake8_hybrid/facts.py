"""``python -m flake8_hybrid facts``: why a function was or was not flagged.

Turns the project analysis into the DESIGN.md schema (version 1): the facts of
each function, the refactoring the seed paper's precondition tables allow
(``convert-to-hybrid`` for an eager function, ``convert-to-eager`` for a hybrid
one) and what blocks it.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Optional, Sequence, TextIO

from flake8_hybrid.analysis.project import FunctionFacts

SCHEMA_VERSION = 1
#: Tensor ops per call below which a graph does not pay for its call overhead.
#: Provisional: DESIGN.md's measured break-even (about 30 cheap ops on 8x8
#: tensors, TF 2.21, CPU); the speedup benchmark is to calibrate it.
MIN_OPS_PER_CALL = 30


def display_path(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith(os.pardir) else relative


def refactoring(facts: FunctionFacts, min_ops: int = MIN_OPS_PER_CALL) -> tuple[Optional[str], list[str]]:
    """The paper's precondition tables: (refactoring or None, blockers)."""
    blockers: list[str] = []
    tensor = facts.has_tensor_parameter
    primitive = facts.has_primitive_parameter
    if facts.hybrid:
        # Optimize a hybrid function: back to eager when the graph cannot pay (P2, P3).
        if tensor is None:
            return None, ["undeterminable-tensor-parameters"]
        if tensor and not primitive:
            return None, []
        if facts.side_effects:
            blockers.append("has-python-side-effects")
        if facts.input_signature:
            blockers.append("has-input-signature")
        return (None if blockers else "convert-to-eager"), blockers
    if tensor is False:
        blockers.append("has-no-tensor-parameters")
    elif tensor is None:
        blockers.append("undeterminable-tensor-parameters")
    if primitive:
        blockers.append("has-primitive-parameters")
    if facts.side_effects:
        blockers.append("has-python-side-effects")
    if facts.recursive:
        blockers.append("is-recursive")
    if facts.eager_only_calls:
        blockers.append("has-eager-only-calls")
    if facts.runs_as_graph and facts.graph_entry != facts.key:
        blockers.append("covered-by-callers")
    if facts.ops_per_call < min_ops:
        blockers.append("too-little-computation")
    if not facts.called_repeatedly:
        blockers.append("not-called-repeatedly")
    return (None if blockers else "convert-to-hybrid"), blockers


def as_json(facts: FunctionFacts, min_ops: int = MIN_OPS_PER_CALL) -> dict:
    kind, blockers = refactoring(facts, min_ops)
    return {
        "path": display_path(facts.path),
        "qualname": facts.qualname,
        "line": facts.line,
        "hybrid": facts.hybrid,
        "runs_as_graph": facts.runs_as_graph,
        "parameters": [
            {"name": p.name, "tensor": p.tensor, "primitive": p.primitive, "evidence": list(p.evidence)}
            for p in facts.parameters
        ],
        "has_tensor_parameter": facts.has_tensor_parameter,
        "has_primitive_parameter": facts.has_primitive_parameter,
        "side_effects": facts.side_effects,
        "side_effect_reasons": list(facts.side_effect_reasons),
        "recursive": facts.recursive,
        "speculative": facts.speculative,
        "work": {"ops_per_call": facts.ops_per_call, "called_repeatedly": facts.called_repeatedly},
        "refactoring": kind,
        "blockers": blockers,
        "diagnostics": [],
    }


def _flag(value: Optional[bool]) -> str:
    return {True: "yes", False: "no", None: "unknown"}[value]


def write_text(records: Sequence[dict], stream: TextIO) -> None:
    for record in records:
        mode = "hybrid" if record["hybrid"] else "eager"
        graph = ", runs as graph" if record["runs_as_graph"] else ""
        verdict = record["refactoring"] or "no refactoring"
        stream.write(f"{record['path']}:{record['line']}: {record['qualname']} [{mode}{graph}] {verdict}\n")
        for parameter in record["parameters"]:
            stream.write(
                f"    {parameter['name']}: tensor {_flag(parameter['tensor'])}, "
                f"primitive {_flag(parameter['primitive'])}\n"
            )
            for evidence in parameter["evidence"][:3]:
                stream.write(f"        {evidence}\n")
        for reason in record["side_effect_reasons"][:3]:
            stream.write(f"    side effect: {reason}\n")
        if record["recursive"]:
            stream.write("    recursive\n")
        stream.write(
            f"    work: {record['work']['ops_per_call']} ops per call, "
            f"{'called repeatedly' if record['work']['called_repeatedly'] else 'not called repeatedly'}\n"
        )
        if record["blockers"]:
            stream.write(f"    blockers: {', '.join(record['blockers'])}\n")


def run(argv: Sequence[str], stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m flake8_hybrid facts", description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or directories to report; '-' reads stdin")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--stdin-display-name", metavar="NAME", help="the project file standard input stands for")
    parser.add_argument("--cache-dir", metavar="DIR", help="where summaries are cached (default: <root>/.flake8_hybrid_cache)")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the summary cache")
    parser.add_argument("--hybrid-api-model", metavar="FILES", default="", help="extra API model YAML files")
    args = parser.parse_args(argv)
    if "-" in args.paths and not args.stdin_display_name:
        parser.error("'-' needs --stdin-display-name: the project file that standard input stands for")

    from flake8_hybrid.analysis.api_model import api_model
    from flake8_hybrid.analysis.project import Project, find_project_root

    extra = tuple(path for path in args.hybrid_api_model.split(",") if path)
    try:
        api = api_model(extra) if extra else api_model()
    except (ValueError, OSError) as error:
        stderr.write(f"flake8-hybrid facts: {error}\n")
        return 2
    overrides = {}
    requested = []
    for path in args.paths:
        if path == "-":
            overrides[args.stdin_display_name] = sys.stdin.read()
            requested.append(os.path.abspath(args.stdin_display_name))
        elif not os.path.exists(path):
            stderr.write(f"flake8-hybrid facts: {path}: no such file or directory\n")
            return 2
        else:
            requested.append(os.path.abspath(path))
    root = find_project_root(requested[0])
    cache = None if args.no_cache else (args.cache_dir or "")
    project = Project(root, api, cache_directory=cache, overrides=overrides)
    for path, error in sorted(project.errors.items()):
        stderr.write(f"flake8-hybrid facts: {display_path(path)}: skipped: {error}\n")

    def wanted(facts: FunctionFacts) -> bool:
        return any(facts.path == path or facts.path.startswith(path.rstrip(os.sep) + os.sep) for path in requested)

    selected = sorted((f for f in project.facts().values() if wanted(f)), key=lambda f: (f.path, f.line, f.qualname))
    records = [as_json(facts) for facts in selected]
    if args.format == "json":
        json.dump({"version": SCHEMA_VERSION, "functions": records}, stdout, indent=2)
        stdout.write("\n")
    else:
        write_text(records, stdout)
    return 0
