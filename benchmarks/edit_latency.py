"""What one edit costs: ``flake8 FILE`` after an edit, with and without flake8-hybrid, as an editor runs it.

    python benchmarks/edit_latency.py                 # both wheels: about 10 min here
    python benchmarks/edit_latency.py --quick         # the repository's own programs, < 1 min
    python benchmarks/edit_latency.py --json out.json # also write every run to out.json

An editor runs flake8 on the saved file, in a fresh process, from the project root. This script
lays out each pinned wheel (tf-models-official 2.20.0, tf-keras 2.21.0; ``corpus.py``) as a
project of its own (a ``setup.cfg`` marks its root), lints the whole project once with the plugin
(the cache is then warm), and then, for a leaf module (imported by no other module of the
project), a mid-level module (imported by a few) and the modules that much of the project
imports, applies each scripted edit in turn:

- ``comment``: a comment line at the top of the module (every line below moves);
- ``statement``: a new statement at the start of a function body (the function changes, the
  lines below it move);
- ``helper``: a new function at the end of the module;
- ``revert``: the module back as it was (the state the warm cache was made from).

After each edit it times ``flake8 FILE`` without the plugin and with it (same interpreter,
flake8, pyflakes and pycodestyle; "without" filters our entry point out of flake8's plugin
discovery, as ``lint_overhead.py`` does). The edits of one module build on each other's cache,
as a session in an editor does. The ratio of an edit is with / without (wall time); the report
gives the median ratio and the worst edit. Targets (issue "Incremental analysis engine"):
median at most 1.5x flake8 alone, every edit under one second with the plugin.

Timings depend on the machine and its load (printed); only ratios made in the same run compare.
Nothing here imports the corpus or TensorFlow.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from lint_overhead import (  # noqa: E402
    LAUNCHER, compile_package, environment, make_project, python_files, timed,
)

WHEELS = (("tf-models-official", "2.20.0"), ("tf-keras", "2.21.0"))
#: Modules much of each project imports (named in the issue for tf-models-official).
HUBS = {
    "tf-models-official": ("official/core/base_task.py", "official/modeling/tf_utils.py"),
    "tf-keras": ("tf_keras/src/engine/base_layer.py", "tf_keras/src/backend.py"),
}
TARGETS = {"median_ratio": 1.5, "edit_seconds": 1.0}
EDITS = ("comment", "statement", "helper", "revert")


# -- the project and its modules ------------------------------------------------------------
def module_name(tree: Path, path: Path) -> str:
    parts = list(path.relative_to(tree).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


_IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import\s+([\w, ()]+)|import\s+([\w.]+))", re.MULTILINE)


def importers(tree: Path, files: list) -> Counter:
    """How many modules of the project import each module (a text scan: good enough to rank)."""
    names = {module_name(tree, path): path for path in files}
    counts: Counter = Counter()
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        seen = set()
        for package, members, plain in _IMPORT.findall(text):
            candidates = [plain] if plain else [package] + [f"{package}.{m.strip(' ()')}" for m in members.split(",")]
            for candidate in candidates:
                if candidate in names and names[candidate] != path:
                    seen.add(names[candidate])
        counts.update(seen)
    return counts


def pick_modules(tree: Path, project: str) -> list:
    """(role, path): a leaf, a mid-level module and the hubs; modules that use TensorFlow and
    have a function to edit, chosen by a fixed rule so that every run edits the same ones."""
    files = [p for p in python_files(tree) if not p.name.endswith("_test.py") and p.name != "__init__.py"]
    counts = importers(tree, files)

    def usable(path: Path) -> bool:
        text = path.read_text(encoding="utf-8", errors="replace")
        return "tensorflow" in text and _first_function(text) is not None

    candidates = sorted((p for p in files if usable(p)), key=lambda p: (counts[p], str(p)))
    leaves = [p for p in candidates if counts[p] == 0]
    mids = [p for p in candidates if 3 <= counts[p] <= 10]
    chosen = []
    if leaves:
        chosen.append(("leaf", leaves[len(leaves) // 2]))
    if mids:
        chosen.append(("mid", mids[len(mids) // 2]))
    for hub in HUBS.get(project, ()):
        if (tree / hub).exists():
            chosen.append(("hub", tree / hub))
    if not HUBS.get(project) and candidates:
        chosen.append(("hub", max(candidates, key=lambda p: (counts[p], str(p)))))
    return [(role, path, counts[path]) for role, path in chosen]


def _first_function(text: str) -> Optional[ast.AST]:
    try:
        module = ast.parse(text)
    except SyntaxError:
        return None
    # A body that starts on a line of its own (not ``def f(): return x``), so a line can go before it.
    return next((node for node in ast.walk(module) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and min([node.body[0].lineno, *(d.lineno for d in getattr(node.body[0], "decorator_list", ()))])
                 > node.lineno), None)


def edited(original: str, kind: str) -> str:
    """The module's text after an edit of this kind."""
    if kind == "revert":
        return original
    if kind == "comment":
        return "# edited in an editor\n" + original
    if kind == "helper":
        return original.rstrip("\n") + "\n\n\ndef _edit_latency_helper(value):\n    return value + 1\n"
    function = _first_function(original)
    first = function.body[0]
    lines = original.splitlines(keepends=True)
    indent = " " * first.col_offset
    # Above the first statement's decorators, if it has some (a nested decorated function).
    line = min([first.lineno, *(d.lineno for d in getattr(first, "decorator_list", ()))])
    lines.insert(line - 1, f"{indent}_edit_latency_marker = 1\n")
    return "".join(lines)


# -- timing ---------------------------------------------------------------------------------
def flake8_file(tree: Path, path: Path, with_plugin: bool) -> dict:
    command = [sys.executable, "-c", LAUNCHER, "with" if with_plugin else "without", "--exit-zero",
               str(path.relative_to(tree))]
    result = timed(command, tree)
    if result["status"] != 0:
        raise RuntimeError(f"flake8 failed on {path}:\n{result['tail']}")
    return result


def warm(tree: Path) -> float:
    started = time.perf_counter()
    result = timed([sys.executable, "-c", LAUNCHER, "with", "--exit-zero", "--jobs=2", "."], tree)
    if result["status"] != 0:
        raise RuntimeError(f"flake8 failed in {tree}:\n{result['tail']}")
    return time.perf_counter() - started


def measure(tree: Path, project: str) -> dict:
    files = python_files(tree)
    print(f"{project}: {len(files)} files", flush=True)
    warm_seconds = warm(tree)
    print(f"  warm-up lint (cold cache, --jobs 2): {warm_seconds:.1f} s", flush=True)
    runs = []
    for role, path, importer_count in pick_modules(tree, project):
        original = path.read_text(encoding="utf-8")
        relative = str(path.relative_to(tree))
        try:
            for kind in EDITS:
                path.write_text(edited(original, kind), encoding="utf-8")
                without = flake8_file(tree, path, with_plugin=False)
                with_plugin = flake8_file(tree, path, with_plugin=True)
                run = {"project": project, "role": role, "module": relative, "importers": importer_count,
                       "edit": kind, "without_s": without["seconds"], "with_s": with_plugin["seconds"],
                       "ratio": with_plugin["seconds"] / without["seconds"], "peak_mb": with_plugin["peak_mb"],
                       "hyb000": with_plugin["hyb000"]}
                runs.append(run)
                print(f"  {role:4} {relative} ({importer_count} importers) {kind:9} without {run['without_s']:.2f} s"
                      f"  with {run['with_s']:.2f} s  {run['ratio']:.1f}x", flush=True)
        finally:
            path.write_text(original, encoding="utf-8")
    return {"files": len(files), "warm_up_seconds": warm_seconds, "runs": runs}


def report(result: dict) -> dict:
    runs = [run for corpus in result["corpora"].values() for run in corpus["runs"]]
    edits = [run for run in runs if run["edit"] != "revert"]
    ratios = [run["ratio"] for run in edits]
    worst = max(edits, key=lambda run: run["with_s"]) if edits else None
    summary = {
        "edits": len(edits),
        "median_ratio": statistics.median(ratios) if ratios else None,
        "median_with_s": statistics.median(run["with_s"] for run in edits) if edits else None,
        "median_without_s": statistics.median(run["without_s"] for run in edits) if edits else None,
        "worst": worst,
        "over_one_second": sum(run["with_s"] >= TARGETS["edit_seconds"] for run in edits),
        "hyb000": sum(run["hyb000"] for run in runs),
    }
    print("\n| corpus | module | role | importers | edit | without s | with s | ratio |")
    print("|---|---|---|---:|---|---:|---:|---:|")
    for run in runs:
        print(f"| {run['project']} | `{run['module']}` | {run['role']} | {run['importers']} | {run['edit']} "
              f"| {run['without_s']:.2f} | {run['with_s']:.2f} | {run['ratio']:.1f}x |")
    if edits:
        print(f"\nedits (revert not counted): {len(edits)}; median with {summary['median_with_s']:.2f} s, "
              f"without {summary['median_without_s']:.2f} s; median ratio {summary['median_ratio']:.1f}x "
              f"(target <= {TARGETS['median_ratio']}x); worst {worst['with_s']:.2f} s ({worst['project']} "
              f"{worst['module']}, {worst['edit']}); {summary['over_one_second']} of {len(edits)} edits over "
              f"{TARGETS['edit_seconds']:.0f} s with the plugin; HYB000: {summary['hyb000']}")
        met = summary["median_ratio"] <= TARGETS["median_ratio"] and not summary["over_one_second"]
        print(f"targets {'met' if met else 'NOT met'}")
    return summary


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the repository's own programs instead of the wheels")
    parser.add_argument("--only", action="append", help="only this wheel (repeatable)")
    parser.add_argument("--json", type=Path, help="also write every run to this file")
    args = parser.parse_args(argv)
    if args.quick:
        sources = {"speedup-programs": HERE / "speedup" / "programs"}
    else:
        from corpus import corpus_sources

        sources = {name: corpus_sources(name, version) for name, version in WHEELS
                   if not args.only or name in args.only}
    result = {"environment": environment(), "bytecode": compile_package(), "corpora": {}}
    print(f"flake8-hybrid edit latency; load average {result['environment']['load_average']}; "
          f"package bytecode compiled: {result['bytecode']}", flush=True)
    with tempfile.TemporaryDirectory(prefix="edit-latency-") as work:
        for name, root in sources.items():
            tree = make_project(python_files(root), root, Path(work) / name)
            result["corpora"][name] = measure(tree, name)
            shutil.rmtree(tree, ignore_errors=True)
    result["load_after"] = list(os.getloadavg())
    result["summary"] = report(result)
    print(f"load average after: {result['load_after']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
