#!/usr/bin/env python
"""The seed paper's evaluation, on our analysis: summary figures per source tree.

Khatchadourian et al. ("Safe Automated Refactoring for Efficient Migration of
Imperative Deep Learning Programs to Graph Execution") report, over 19 projects
(132 KLOC), 766 candidate functions of which 326 (42.56%) were refactorable.
This script runs flake8-hybrid's project analysis over source trees and prints
the same figures: functions, candidates, refactorable (split by refactoring
and by the paper's preconditions), what blocks the others, how much of the
analysis is speculative or unknown, and what it costs (time, peak memory).

Each tree is analyzed as one project (its directory is the project root) in a
fresh child process, so the peak memory reported is that tree's alone. The
summary cache is off unless ``--cache-dir`` is given (a warm cache would time
the cache, not the analysis). TensorFlow is never imported.

Usage::

    python benchmarks/paper_evaluation.py                      # tf-models-official==2.20.0 and examples/
    python benchmarks/paper_evaluation.py path/to/src other/   # any source trees
    python benchmarks/paper_evaluation.py --wheel tf-models-official==2.20.0 --json out.json
    python benchmarks/paper_evaluation.py --examples 5         # also list refactorable / blocked functions
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Optional, Sequence

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
DEFAULT_WHEEL = "tf-models-official==2.20.0"
DEFAULT_TREE = REPOSITORY / "examples"
SCHEMA_VERSION = 1
#: The paper's totals (19 projects), for the reference row.
PAPER = {"projects": 19, "kloc": 132, "candidates": 766, "refactorable": 326}
#: Per-package rows shown for a tree (the largest by functions); the rest is summed.
PACKAGES_SHOWN = 8
#: A top-level directory holding more than this share of a tree's functions is split one level further.
SPLIT_SHARE = 0.5

BLOCKER_ORDER = (
    # The paper's preconditions (P1 fails on these; P2/P3 fail on undeterminable facts)
    "has-no-tensor-parameters",
    "undeterminable-tensor-parameters",
    "has-primitive-parameters",
    "has-python-side-effects",
    "is-recursive",
    # Ours
    "has-eager-only-calls",
    "too-little-computation",
    "not-called-repeatedly",
    "covered-by-callers",
    "has-input-signature",
)

LEGEND = """\
Legend. A *function* is every def (module level, method, nested) the analysis
summarizes; module-level code is not a function; lambdas are counted apart and
excluded from every other column (no decorator can be added to them). *Hybrid*:
already runs through tf.function (decorated or wrapped). *Candidates* are the
paper's: functions with a tensor parameter (has_tensor_parameter is true,
proven or speculative) or already hybrid. *Refactorable* is refactoring(f) is
not None. *P1* (Convert Eager Function to Hybrid, our HYB001): an eager function
with a tensor parameter, no primitive parameters, no Python side effects, not
recursive -- plus our own blockers below. *P2*/*P3* (Optimize Hybrid Function,
HYB002/HYB003): a hybrid function back to eager when it has no tensor parameters
(P2) or has primitive parameters (P3), i.e. when the graph cannot pay or
retraces. *%* is refactorable among candidates (the paper: 42.56%). *Reported*:
refactorable functions the rules actually report (HYB001/HYB002/HYB003; the
rules add conditions of their own, e.g. HYB002 needs parameters). Blockers are
counted among candidates (a function may have several): the paper's
has-no-tensor-parameters, has-primitive-parameters, has-python-side-effects,
is-recursive, and undeterminable-* (unknown facts never give a fix); ours:
too-little-computation (fewer than MIN_OPS_PER_CALL tensor ops per call, where
the graph's call overhead exceeds what it saves), not-called-repeatedly (no
evidence it is called in a loop or by a graph; a graph called once only pays
the trace), covered-by-callers (already runs inside a graph entered higher up,
so a decorator adds nothing), has-eager-only-calls (calls APIs that fail or
change meaning when traced: .numpy(), py side channels). *Speculative*: the
tensor fact rests on a naming convention (Keras `call`, `train_step`) rather
than on evidence. *Unknown* parameters: the analysis could not tell whether a
tensor reaches them (tensor is null). *Time*: summaries = discovering, parsing
and summarizing every module; fixpoint = cross-module propagation and derived
facts; peak = ru_maxrss of the child process that analyzed the tree."""


# --------------------------------------------------------------------------- targets


def unpack_wheel(requirement: str) -> Path:
    """The unpacked sources of a pinned wheel (``NAME==VERSION``)."""
    name, separator, version = requirement.partition("==")
    if not separator or not name or not version:
        raise SystemExit(f"--wheel wants NAME==VERSION, got {requirement!r}")
    sys.path.insert(0, str(HERE))
    try:
        from corpus import corpus_sources  # benchmarks/corpus.py, shared with the other benchmarks
    finally:
        sys.path.remove(str(HERE))
    return Path(corpus_sources(name, version))


# --------------------------------------------------------------------------- the child: one tree


class _FileTimeout(Exception):
    pass


def guard_tree(root: str, timeout: float) -> dict:
    """Summarize each module alone, with a time limit; return the modules over it.

    A module whose summary does not finish in ``timeout`` seconds is an engine
    bug (DESIGN.md: no file may take more than a second); it is left out of the
    measured run so the rest of the tree still gets figures, and reported.
    Runs in its own child, so its memory does not count in the measured peak.
    """
    import signal

    from flake8_hybrid.analysis.api_model import api_model
    from flake8_hybrid.analysis.layout import discover
    from flake8_hybrid.analysis.project import Project

    def expire(signum, frame):
        raise _FileTimeout()

    signal.signal(signal.SIGALRM, expire)
    api = api_model()
    slow: dict[str, str] = {}
    started = time.perf_counter()
    for path in discover(root):
        begun = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            Project(root, api, cache_directory=None, paths=[path])
        except _FileTimeout:
            slow[path] = f"summary did not finish in {timeout:g} s"
        except Exception as error:  # an engine crash on this module: reported, the module left out
            slow[path] = f"engine crash: {type(error).__name__}: {error}"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        elapsed = time.perf_counter() - begun
        if path in slow:
            slow[path] += f" (stopped after {elapsed:.1f} s)"
    return {"excluded": slow, "seconds": time.perf_counter() - started}


def analyze_tree(root: str, cache_directory: Optional[str], excluded: Sequence[str] = ()) -> dict:
    """Analyze one tree; return per-function rows, sizes and costs (JSON-able)."""
    import resource

    baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    from flake8_hybrid.analysis.api_model import api_model
    from flake8_hybrid.analysis.layout import discover
    from flake8_hybrid.analysis.project import Project

    api = api_model()
    started = time.perf_counter()
    left_out = set(excluded)
    paths = [path for path in discover(root) if path not in left_out]
    project = Project(root, api, cache_directory=cache_directory, paths=paths)
    summarized = time.perf_counter()
    facts = project.facts()
    finished = time.perf_counter()

    judged, min_ops = judge(facts)
    lines = code = 0
    for summary in project.summaries:
        with open(summary.path, encoding="utf-8", errors="replace") as file:
            for line in file:
                lines += 1
                stripped = line.strip()
                code += bool(stripped) and not stripped.startswith("#")
    rows = []
    for key, f in facts.items():
        kind, blockers, codes = judged[key]
        rows.append({
            "path": os.path.relpath(f.path, root),
            "qualname": f.qualname,
            "line": f.line,
            "lambda": "<lambda>" in f.qualname,
            "hybrid": bool(f.hybrid),
            "tensor": f.has_tensor_parameter,
            "primitive": f.has_primitive_parameter,
            "speculative": bool(f.speculative),
            "kind": kind,
            "blockers": blockers,
            "codes": codes,
            "parameters": len(f.parameters),
            "unknown_parameters": sum(p.tensor is None for p in f.parameters),
            "tensor_parameters": sum(p.tensor is True for p in f.parameters),
            "speculative_parameters": sum(bool(p.tensor and p.speculative) for p in f.parameters),
            "ops": f.ops_per_call,
        })
    per_file = sorted(project.timings.items(), key=lambda item: -item[1])
    return {
        "root": root,
        "modules": len(project.summaries),
        "skipped": {os.path.relpath(p, root): e for p, e in sorted(project.errors.items())},
        "lines": lines,
        "code_lines": code,
        "rows": rows,
        "min_ops": min_ops,
        "seconds": {
            "summaries": summarized - started,
            "fixpoint": finished - summarized,
            "total": finished - started,
            "slowest_file": per_file[0][1] if per_file else 0.0,
            "slowest_file_path": os.path.relpath(per_file[0][0], root) if per_file else None,
            "files_over_1s": sum(seconds > 1.0 for _, seconds in per_file),
        },
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "baseline_mib": baseline_kib / 1024,
        "tensorflow_imported": any(m == "tensorflow" or m.startswith("tensorflow.") for m in sys.modules),
    }


def judge(facts: dict) -> tuple[dict, int]:
    """key -> (refactoring or None, blockers, HYB codes or None), as ``python -m flake8_hybrid facts`` reports them.

    The engine's project-wide verdicts when it has them (they also apply the
    outermost-candidate rule, ``covered-by-callers``); otherwise the per-function
    precondition tables of ``flake8_hybrid.facts.refactoring``.
    """
    try:
        from flake8_hybrid.analysis.verdicts import MIN_OPS_PER_CALL, verdicts
    except ImportError:
        from flake8_hybrid.facts import MIN_OPS_PER_CALL, refactoring

        return {key: (*refactoring(f), None) for key, f in facts.items()}, MIN_OPS_PER_CALL
    judged = {key: (v.refactoring, list(v.blockers), list(v.codes)) for key, v in verdicts(facts).items()}
    return judged, MIN_OPS_PER_CALL


def _child(arguments: list[str]) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), *arguments]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        return {"crash": completed.stderr[-6000:] or f"exit status {completed.returncode}"}
    return json.loads(completed.stdout)


def run_child(root: Path, cache_directory: Optional[str], file_timeout: float) -> dict:
    excluded: dict[str, str] = {}
    guard_seconds = None
    if file_timeout > 0:
        guard = _child(["--guard", str(root), "--file-timeout", str(file_timeout)])
        if "crash" in guard:
            return {"root": str(root), **guard}
        excluded, guard_seconds = guard["excluded"], guard["seconds"]
    arguments = ["--child", str(root)]
    if cache_directory:
        arguments += ["--cache-dir", cache_directory]
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as listing:
        json.dump(sorted(excluded), listing)
    try:
        result = _child([*arguments, "--exclude-from", listing.name])
    finally:
        os.unlink(listing.name)
    result["root"] = str(root)
    result["excluded"] = {os.path.relpath(path, root): why for path, why in sorted(excluded.items())}
    result["guard_seconds"] = guard_seconds
    return result


# --------------------------------------------------------------------------- figures


def figures(rows: list[dict]) -> dict:
    """The paper's summary figures over some functions."""
    functions = [r for r in rows if not r["lambda"]]
    candidates = [r for r in functions if r["tensor"] is True or r["hybrid"]]
    refactorable = [r for r in candidates if r["kind"]]
    to_hybrid = [r for r in refactorable if r["kind"] == "convert-to-hybrid"]
    to_eager = [r for r in refactorable if r["kind"] == "convert-to-eager"]
    kept = "(none: hybrid, stays hybrid)"
    blockers = Counter(b for r in candidates for b in r["blockers"] or ([] if r["kind"] else [kept]))
    all_blockers = Counter(b for r in functions for b in r["blockers"] or ([] if r["kind"] else [kept]))
    return {
        "functions": len(functions),
        "lambdas": len(rows) - len(functions),
        "hybrid": sum(r["hybrid"] for r in functions),
        "candidates": len(candidates),
        "candidates_eager": sum(not r["hybrid"] for r in candidates),
        "refactorable": len(refactorable),
        "convert_to_hybrid": len(to_hybrid),
        "convert_to_eager": len(to_eager),
        "p2": sum(r["tensor"] is False for r in to_eager),
        "p3": sum(r["tensor"] is not False for r in to_eager),
        "percent": 100.0 * len(refactorable) / len(candidates) if candidates else None,
        # Refactorable functions the rules report (HYB001 to hybrid, HYB002/HYB003 to eager); None: the
        # engine does not say which codes it reports.
        "reported": (
            sum(bool({"HYB001", "HYB002", "HYB003"} & set(r["codes"])) for r in refactorable)
            if all(r.get("codes") is not None for r in refactorable) else None
        ),
        "blockers": dict(blockers),
        "blockers_all_functions": dict(all_blockers),
        "undeterminable_functions": sum(r["tensor"] is None for r in functions),
        "speculative_functions": sum(r["speculative"] for r in functions),
        "speculative_candidates": sum(r["speculative"] for r in candidates),
        "parameters": sum(r["parameters"] for r in functions),
        "tensor_parameters": sum(r["tensor_parameters"] for r in functions),
        "speculative_parameters": sum(r["speculative_parameters"] for r in functions),
        "unknown_parameters": sum(r["unknown_parameters"] for r in functions),
    }


def package_of(path: str, split: set[str]) -> str:
    parts = Path(path).parts
    if len(parts) == 1:
        return "(top-level modules)"
    if parts[0] in split and len(parts) > 2:
        return f"{parts[0]}/{parts[1]}"
    return parts[0]


def packages(rows: list[dict]) -> list[tuple[str, dict]]:
    functions = Counter(Path(r["path"]).parts[0] for r in rows if not r["lambda"] and len(Path(r["path"]).parts) > 1)
    total = sum(functions.values()) or 1
    split = {name for name, count in functions.items() if count / total > SPLIT_SHARE}
    grouped: dict[str, list] = defaultdict(list)
    for row in rows:
        grouped[package_of(row["path"], split)].append(row)
    ranked = sorted(grouped.items(), key=lambda item: -sum(not r["lambda"] for r in item[1]))
    shown = [(name, figures(group)) for name, group in ranked[:PACKAGES_SHOWN]]
    rest = [r for _, group in ranked[PACKAGES_SHOWN:] for r in group]
    if rest:
        shown.append((f"(other {len(ranked) - PACKAGES_SHOWN})", figures(rest)))
    tests = [r for r in rows if Path(r["path"]).name.endswith("_test.py") or Path(r["path"]).name.startswith("test_")]
    if tests and len(tests) != len(rows):
        shown.append(("(test files, all packages)", figures(tests)))
        shown.append(("(non-test files)", figures([r for r in rows if r not in tests])))
    return shown


# --------------------------------------------------------------------------- printing


def engine_version() -> str:
    """Which analysis produced the figures: the package version and the checkout's commit."""
    from flake8_hybrid import __version__

    try:
        commit = subprocess.run(["git", "-C", str(REPOSITORY), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPOSITORY), "status", "--porcelain", "--", "flake8_hybrid"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"flake8-hybrid {__version__}"
    return f"flake8-hybrid {__version__} at {commit}" + (" (flake8_hybrid/ has uncommitted changes)" if dirty else "")


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "-"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], left: int = 1) -> str:
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def main_row(name: str, fig: dict, kloc: Optional[float]) -> list:
    percent = f"{fig['percent']:.2f}%" if fig["percent"] is not None else "-"
    return [
        name, f"{kloc:.1f}" if kloc is not None else "", fig["functions"], fig["lambdas"], fig["hybrid"],
        fig["candidates"], fig["refactorable"], fig["convert_to_hybrid"], fig["p2"], fig["p3"], percent,
        "?" if fig["reported"] is None else fig["reported"],
    ]


MAIN_HEADERS = ("tree", "KLOC", "functions", "lambdas", "hybrid", "candidates", "refactorable",
                "P1 to-hybrid", "P2 to-eager", "P3 to-eager", "% refactorable", "reported")


def report(results: list[tuple[str, dict]], engine: str, stream=sys.stdout) -> None:
    write = stream.write
    write(f"Engine: {engine}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.1f} at the end\n")
    ok = [(label, r) for label, r in results if "crash" not in r]
    for label, result in results:
        if "crash" in result:
            write(f"\n!! the analysis crashed on {label} ({result['root']}):\n{result['crash']}\n")
    if not ok:
        return
    write("\nTable 1. Refactorable functions (the paper's Table: candidates and refactorings)\n\n")
    rows = [main_row(label, r["figures"], r["code_lines"] / 1000) for label, r in ok]
    rows.append(["paper (19 projects)", f"{PAPER['kloc']}", "", "", "", PAPER["candidates"], PAPER["refactorable"],
                 "", "", "", f"{100 * PAPER['refactorable'] / PAPER['candidates']:.2f}%", ""])
    write(table(MAIN_HEADERS, rows) + "\n")
    write("(KLOC: non-blank, non-comment lines, docstrings included; the paper gives totals only.\n"
          " P2: hybrid, no tensor parameter; P3: hybrid, has tensor and primitive parameters.)\n")

    write("\nTable 2. Blockers among candidates (count, share of candidates; last column: among all functions)\n\n")
    names = [b for b in BLOCKER_ORDER if any(b in r["figures"]["blockers_all_functions"] for _, r in ok)]
    kept = "(none: hybrid, stays hybrid)"
    names += sorted({b for _, r in ok for b in r["figures"]["blockers_all_functions"]} - set(names) - {kept})
    names.append(kept)
    headers = ["blocker"]
    for label, _ in ok:
        headers += [f"{label}: candidates", "all functions"]
    body = []
    for name in names:
        row = [name]
        for _, r in ok:
            fig = r["figures"]
            count = fig["blockers"].get(name, 0)
            row += [f"{count} ({_pct(count, fig['candidates'])})", fig["blockers_all_functions"].get(name, 0)]
        body.append(row)
    write(table(headers, body) + "\n")

    write("\nTable 3. Precision of the facts: speculative and unknown\n\n")
    headers = ("tree", "parameters", "tensor", "speculative tensor", "unknown (null)", "functions undeterminable",
               "speculative functions", "speculative candidates")
    body = []
    for label, r in ok:
        fig = r["figures"]
        body.append([
            label, fig["parameters"], fig["tensor_parameters"], fig["speculative_parameters"],
            f"{fig['unknown_parameters']} ({_pct(fig['unknown_parameters'], fig['parameters'])})",
            f"{fig['undeterminable_functions']} ({_pct(fig['undeterminable_functions'], fig['functions'])})",
            fig["speculative_functions"], fig["speculative_candidates"],
        ])
    write(table(headers, body) + "\n")
    write("(parameters exclude self/cls of methods; 'functions undeterminable': has_tensor_parameter is null.)\n")
    write("(skipped: modules the engine could not parse; left out: modules whose summary alone exceeded\n"
          " --file-timeout, or crashed the engine -- an engine bug; neither is in any figure.)\n")

    write("\nTable 4. Size and cost of the analysis\n\n")
    headers = ("tree", "modules", "skipped", "left out", "lines", "code lines", "summaries s", "fixpoint s",
               "total s", "slowest file s", "files > 1 s", "peak MiB", "ms/KLOC")
    body = []
    for label, r in ok:
        s = r["seconds"]
        body.append([
            label, r["modules"], len(r["skipped"]), len(r["excluded"]), r["lines"], r["code_lines"],
            f"{s['summaries']:.2f}", f"{s['fixpoint']:.2f}", f"{s['total']:.2f}", f"{s['slowest_file']:.3f}",
            s["files_over_1s"], f"{r['peak_mib']:.0f}",
            f"{1000 * s['total'] / max(r['code_lines'] / 1000, 1e-9):.0f}",
        ])
    write(table(headers, body) + "\n")
    for label, r in ok:
        s = r["seconds"]
        write(f"{label}: slowest file {s['slowest_file_path']}; interpreter baseline {r['baseline_mib']:.0f} MiB; "
              f"summary cache {'on' if r.get('cache') else 'off'}; tensorflow imported: "
              f"{'YES (bug)' if r['tensorflow_imported'] else 'no'}\n")
        for path, error in list(r["skipped"].items())[:10]:
            write(f"    skipped by the engine {path}: {error}\n")
        for path, why in r["excluded"].items():
            write(f"    left out (engine bug) {path}: {why}\n")
        if r.get("guard_seconds") is not None:
            write(f"    (the per-module time-limit pass that looks for them took {r['guard_seconds']:.1f} s, "
                  "not counted above)\n")

    for label, r in ok:
        if len(r["packages"]) > 1:
            write(f"\nTable 5. {label}, per package (the {PACKAGES_SHOWN} largest by functions)\n\n")
            rows = [main_row(name, fig, None)[:1] + main_row(name, fig, None)[2:] for name, fig in r["packages"]]
            write(table([h for h in MAIN_HEADERS if h != "KLOC"], rows) + "\n")

    write("\n" + LEGEND + "\n")
    write(f"(too-little-computation threshold: MIN_OPS_PER_CALL = {ok[0][1]['min_ops']} tensor ops per call.)\n")


def examples(label: str, result: dict, count: int, stream=sys.stdout) -> None:
    rows = [r for r in result["rows"] if not r["lambda"]]
    refactorable = [r for r in rows if r["kind"]]
    blocked = [r for r in rows if not r["kind"] and (r["tensor"] is True or r["hybrid"])]
    stream.write(f"\n{label}: refactorable functions ({len(refactorable)})\n")
    for r in refactorable[:count]:
        stream.write(f"    {r['path']}:{r['line']} {r['qualname']}  {r['kind']}  ops={r['ops']}\n")
    stream.write(f"{label}: blocked candidates ({len(blocked)}, first {count})\n")
    for r in blocked[:count]:
        why = ", ".join(r["blockers"]) or "(none: hybrid, and the graph pays: stays hybrid)"
        stream.write(f"    {r['path']}:{r['line']} {r['qualname']}  {why}\n")


# --------------------------------------------------------------------------- main


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="*", metavar="TREE", help="source directories, each analyzed as one project")
    parser.add_argument("--wheel", action="append", default=[], metavar="NAME==VERSION",
                        help="analyze the unpacked sources of a pinned PyPI wheel (repeatable)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    parser.add_argument("--cache-dir", metavar="DIR", help="summary cache directory (default: no cache)")
    parser.add_argument("--examples", type=int, default=0, metavar="N",
                        help="list the first N refactorable functions and blocked candidates of each tree")
    parser.add_argument("--file-timeout", type=float, default=20.0, metavar="SECONDS",
                        help="leave out (and report) modules whose summary alone takes longer, found by a "
                             "separate, untimed pass over every module; 0 skips that pass (default: %(default)s)")
    parser.add_argument("--child", metavar="TREE", help=argparse.SUPPRESS)
    parser.add_argument("--guard", metavar="TREE", help=argparse.SUPPRESS)
    parser.add_argument("--exclude-from", metavar="FILE", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if args.guard:
        json.dump(guard_tree(os.path.abspath(args.guard), args.file_timeout), sys.stdout)
        return 0
    if args.child:
        excluded = []
        if args.exclude_from:
            with open(args.exclude_from, encoding="utf-8") as file:
                excluded = json.load(file)
        result = analyze_tree(os.path.abspath(args.child), args.cache_dir, excluded)
        result["cache"] = bool(args.cache_dir)
        json.dump(result, sys.stdout)
        return 0
    targets: list[tuple[str, Path]] = []
    if not args.trees and not args.wheel:
        args.wheel = [DEFAULT_WHEEL]
        args.trees = [str(DEFAULT_TREE)]
    for requirement in args.wheel:
        targets.append((requirement, unpack_wheel(requirement)))
    for tree in args.trees:
        path = Path(tree)
        if not path.is_dir():
            raise SystemExit(f"{tree}: not a directory")
        targets.append((os.path.relpath(path.resolve(), REPOSITORY) if path.resolve().is_relative_to(REPOSITORY)
                        else str(path), path.resolve()))
    cache = os.path.abspath(args.cache_dir) if args.cache_dir else None
    results = []
    for label, root in targets:
        sys.stderr.write(f"analyzing {label} ({root}) ...\n")
        sys.stderr.flush()
        result = run_child(root, cache, args.file_timeout)
        if "crash" not in result:
            result["figures"] = figures(result["rows"])
            result["packages"] = packages(result["rows"])
        results.append((label, result))
    sys.stdout.flush()
    engine = engine_version()
    report(results, engine)
    for label, result in results:
        if args.examples and "crash" not in result:
            examples(label, result, args.examples)
    if args.json:
        payload = {"version": SCHEMA_VERSION, "engine": engine, "paper": PAPER, "trees": []}
        for label, result in results:
            entry = {k: val for k, val in result.items() if k != "rows"}
            entry["label"] = label
            payload["trees"].append(entry)
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(payload, file, indent=2)
            file.write("\n")
    return 1 if any("crash" in r for _, r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
