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

from flake8_hybrid.analysis.function_facts import FunctionFacts
from flake8_hybrid.analysis.layout import display_path
from flake8_hybrid.analysis.verdicts import MIN_OPS_PER_CALL, Verdict, verdicts

SCHEMA_VERSION = 1


def as_json(facts: FunctionFacts, verdict: Verdict) -> dict:
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
        "refactoring": verdict.refactoring,
        "blockers": list(verdict.blockers),
        "diagnostics": list(verdict.codes),
        # What a diagnostic rests on that the analysis did not prove (the preview tier).
        "assumptions": dict(verdict.assumptions),
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
            stream.write(f"    blockers: {', '.join(_explained(record, b) for b in record['blockers'])}\n")
        for code in record["diagnostics"]:
            assumed = record["assumptions"].get(code)
            stream.write(f"    {code}" + (f" (preview; assumed: {assumed})" if assumed else "") + "\n")


def _explained(record: dict, blocker: str) -> str:
    """A blocker, with the side effect behind it (the same one HYB101-HYB103 report in graph code)."""
    reasons = record["side_effect_reasons"]
    if blocker == "has-python-side-effects" and reasons:
        more = f" and {len(reasons) - 1} more" if len(reasons) > 1 else ""
        return f"{blocker} ({reasons[0]}{more})"
    return blocker


def run(argv: Sequence[str], stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m flake8_hybrid facts", description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or directories to report; '-' reads stdin")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--stdin-display-name", metavar="NAME", help="the project file standard input stands for")
    parser.add_argument(
        "--cache-dir", metavar="DIR", help="where summaries are cached (default: <root>/.flake8_hybrid_cache)"
    )
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the summary cache")
    parser.add_argument("--hybrid-api-model", metavar="FILES", default="", help="extra API model YAML files")
    parser.add_argument(
        "--hybrid-closed-world", action="store_true",
        help="assume nothing outside the project calls its code (as the flake8 option)",
    )
    parser.add_argument(
        "--hybrid-min-ops", type=int, default=MIN_OPS_PER_CALL, metavar="N",
        help="tensor ops per call below which a graph does not pay (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if "-" in args.paths and not args.stdin_display_name:
        parser.error("'-' needs --stdin-display-name: the project file that standard input stands for")

    from flake8_hybrid.analysis.api_model import api_model
    from flake8_hybrid.analysis.layout import find_project_root
    from flake8_hybrid.analysis.project import Project

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
    cache = None if args.no_cache else (args.cache_dir or "")
    from flake8_hybrid.analysis.layout import discover

    # Paths may belong to different projects: each project is analyzed as a whole.
    by_root: dict[str, list[str]] = {}
    for path in requested:
        by_root.setdefault(find_project_root(path), []).append(path)
    records = []
    for root, paths in by_root.items():
        include = [f for path in paths for f in ([path] if not os.path.isdir(path) else discover(path))]
        project = Project(root, api, cache_directory=cache, overrides=overrides, include=include)
        for path, error in sorted(project.errors.items()):
            stderr.write(f"flake8-hybrid facts: {display_path(path)}: skipped: {error}\n")

        def wanted(facts: FunctionFacts) -> bool:
            return any(facts.path == p or facts.path.startswith(p.rstrip(os.sep) + os.sep) for p in paths)

        all_facts = project.facts()
        judged = verdicts(all_facts, args.hybrid_min_ops, args.hybrid_closed_world)
        selected = sorted((f for f in all_facts.values() if wanted(f)), key=lambda f: (f.path, f.line, f.qualname))
        records += [as_json(facts, judged[facts.key]) for facts in selected]
    if args.format == "json":
        json.dump({"version": SCHEMA_VERSION, "functions": records}, stdout, indent=2)
        stdout.write("\n")
    else:
        write_text(records, stdout)
    return 0
