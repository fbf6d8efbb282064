#!/usr/bin/env python
"""Speedup benchmark: eager TF2 programs before and after ``flake8-hybrid-fix``.

Every directory under ``programs/`` is a small project of its own (``setup.cfg``,
``requirements.txt``, ``main.py`` with ``main(steps=None) -> dict`` and
``DEFAULT_STEPS``, the epochs/iterations/batches it runs when ``steps`` is
None) written as ordinary eager TensorFlow 2 code. For each program this script

1. copies it to a temporary directory twice, ``original/`` and ``fixed/``, and
   runs ``python -m flake8_hybrid.fix.cli --isolated .`` in ``fixed/`` (safe
   fixes only, the fixer's default; ``--unsafe-fixes`` passes that flag on). The findings it fixed come from
   ``--check --output-format json`` run just before; which functions gained or
   lost a ``tf.function`` decorator comes from diffing the decorators of both
   copies (``ast``), so the report does not depend on the fixer's messages. A
   ``--check`` after the fix lists fixable findings that remain (a fixer that
   needs a second pass would show here);
2. for the "small helpers" programs (``helpers_*``, or every program with
   ``--naive all``) also builds a ``naive/`` copy: every function that
   receives tensors gets ``@tf.function`` (``facts``: a tensor parameter, not
   already hybrid), with no cost model, no outermost-only rule and no
   primitive-parameter check; only functions whose behaviour a graph would
   change are left alone (Python side effects, eager-only calls such as
   ``.numpy()``, recursion, constructors: a traced ``__init__`` would store
   graph tensors in the object), so that the naive copy still computes the same
   results; decorators already there stay;
3. times the variants in a fresh child process per program (TensorFlow is
   imported, and a tiny Keras training step run eagerly and as a graph, before
   any timing, so that no variant pays the process-wide lazy initialisation
   alone). The child runs each variant once (the warm-up run: the "first run"
   columns), then ``--rounds`` rounds alternating the variants (original,
   fixed[, naive], original, fixed, ...). The speedup is median(original) /
   median(fixed) over the rounds. With ``--cold`` the first run of each
   variant is instead timed in a fresh process of its own, the way a script
   runs once (slower: two more TensorFlow imports per program).

   The program's modules are imported afresh before every run (outside the
   timing), as if the program were started anew: every run has new
   ``tf.function`` objects and pays its own tracing, so the steady time of a
   fixed program includes its tracing; first and steady runs differ only by
   what stays warm in the process. Calling ``main()`` twice on the same module
   objects is not what a script does, and it fails for a fixed program whose
   ``tf.function`` receives a new Keras optimizer per call (the optimizer
   creates its variables in the second trace: "tf.function only supports
   singleton tf.Variables");
4. checks that every run of every variant returns the same results as the
   original's first run: same keys, numbers equal within rel 1e-4 / abs 1e-5
   (``math.isclose``; a graph may order float operations differently from
   eager, and oneDNN/Grappler fuse ops). Where a variant differs by more, the
   pair runs once more with Grappler disabled (``disable_meta_optimizer``): if
   the results are then identical, the difference comes from Grappler's float
   rewrites and not from the fix, and the table says ``yes*``.

Two clocks are read around every ``main()``: wall time (``perf_counter``) and
the process's CPU time (``process_time``, all threads). The speedup column, the
geometric mean and the "slower" count use CPU time by default (``--clock
wall`` for wall time); both ratios are always printed. Why CPU time: on a
shared machine wall time also counts the time other processes hold the
cores, and an eager loop over a ``tf.data`` iterator pays a TensorFlow stall
that has nothing to do with graphs: deleting the iterator (at the end of a
``for`` loop over a dataset) sometimes blocks, without using the CPU, until
tf.data's autotuning thread next wakes up, 1.27 s, 2.55 s, 5.11 s ... after
the iterator was created (its period doubles from 10 ms). Wall times of such
programs then cluster at those values whatever the work, and a 2.2 s eager
run and a 1.4 s fixed run both take 2.6 s. CPU time leaves the stall and
the other processes out; it counts every thread, so a graph that runs ops in
parallel is charged more CPU than wall time: the CPU ratio is, if anything,
conservative for the fixed program.

It prints one line per program (eager and fixed median CPU and wall seconds,
the speedup on the chosen clock, both ratios, the first-run speedup, the
spread of the rounds (max - min over median, the larger of the two
variants), results equal, functions hybridized ``+`` / de-hybridized ``-``
with the rule that did it), one more line per naive variant, then the
geometric mean of the speedups and the programs slower after the fix. A
program the fixer leaves unchanged counts 1.00 (its code is identical; the
measured ratios of its two identical copies are printed, marked A/A, as a
noise indicator). A fixed program that fails is reported, left out of the
mean, and counted among the programs whose results differ; the exit status
is 1 when any program's results differ.

Usage::

    python benchmarks/speedup/run.py                      # whole suite (< 10 min on 2 cores)
    python benchmarks/speedup/run.py --only mlp --only cnn --rounds 5
    python benchmarks/speedup/run.py --json speedup.json --clock wall
    python benchmarks/speedup/run.py --unsafe-fixes       # also apply the fixer's unsafe fixes
    python benchmarks/speedup/run.py --quick              # smoke run: main(steps=1), 1 round
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import gc
import io
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Optional, Sequence

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "programs"
REPOSITORY = HERE.parent.parent
SCHEMA_VERSION = 1
REL_TOL = 1e-4
ABS_TOL = 1e-5
VARIANT_ORDER = ("original", "fixed", "naive")
IGNORED = shutil.ignore_patterns("__pycache__", ".flake8_hybrid_cache", "*.pyc")
TF_FUNCTION_NAMES = ("tf.function", "tensorflow.function")


def child_environment() -> dict:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONHASHSEED"] = "0"
    # The programs must import the copies, never this checkout's files.
    env.pop("PYTHONPATH", None)
    return env


# --------------------------------------------------------------------------- fixer and decorators


def run_fixer(directory: Path, *extra: str) -> subprocess.CompletedProcess:
    # The fixer is this checkout's (not whatever copy the interpreter has installed).
    env = {**child_environment(), "PYTHONPATH": str(REPOSITORY)}
    return subprocess.run(
        [sys.executable, "-m", "flake8_hybrid.fix.cli", "--isolated", *extra, "."],
        cwd=directory, capture_output=True, text=True, env=env, timeout=300,
    )


def wants_unsafe_fixes(program: Path) -> bool:
    """A program opts into unsafe fixes with ``unsafe-fixes = true`` under ``[speedup-benchmark]`` in its setup.cfg."""
    import configparser

    config = configparser.ConfigParser()
    config.read(program / "setup.cfg")
    return config.getboolean("speedup-benchmark", "unsafe-fixes", fallback=False)


def fixer_findings(directory: Path) -> list:
    proc = run_fixer(directory, "--check", "--output-format", "json", "--exit-zero")
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"flake8-hybrid-fix --check failed in {directory}:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout or "[]")


def _is_tf_function(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return ast.unparse(target) in TF_FUNCTION_NAMES


def decorated_functions(directory: Path) -> dict:
    """``{"file.py:qualname": (def line, has a tf.function decorator)}`` for every function."""
    functions = {}
    for path in sorted(directory.rglob("*.py")):
        relative = path.relative_to(directory).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))

        def visit(node, prefix):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    qualname = prefix + child.name
                    hybrid = any(_is_tf_function(d) for d in child.decorator_list)
                    functions[f"{relative}:{qualname}"] = (child.lineno, hybrid)
                    visit(child, qualname + ".<locals>.")
                elif isinstance(child, ast.ClassDef):
                    visit(child, prefix + child.name + ".")
                else:
                    visit(child, prefix)

        visit(tree, "")
    return functions


def decorator_changes(before: dict, after: dict, findings: list) -> tuple:
    """Functions that gained / lost ``@tf.function``, each named with the rule that did it."""
    codes = {}
    for finding in findings:
        filename = finding["filename"][2:] if finding["filename"].startswith("./") else finding["filename"]
        codes.setdefault((filename, finding["location"]["row"]), []).append(finding["code"])

    def label(key, line):
        filename, qualname = key.split(":", 1)
        found = sorted(set(codes.get((filename, line), [])))
        name = qualname if filename == "main.py" else f"{filename[:-3]}.{qualname}"
        return f"{name} ({','.join(found)})" if found else name

    hybridized, dehybridized = [], []
    for key, (line, hybrid) in before.items():
        if key not in after:
            continue
        if after[key][1] and not hybrid:
            hybridized.append(label(key, line))
        elif hybrid and not after[key][1]:
            dehybridized.append(label(key, line))
    return hybridized, dehybridized


# --------------------------------------------------------------------------- naive variant


def naive_targets(directory: Path) -> list:
    """Every function that receives tensors and that a graph would not break (see the module docstring)."""
    proc = subprocess.run(
        [sys.executable, "-m", "flake8_hybrid", "facts", "--format", "json", "--no-cache", "."],
        cwd=directory, capture_output=True, text=True, env=child_environment(), timeout=300,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"facts failed in {directory}:\n{proc.stderr[-2000:]}")
    facts = json.loads(proc.stdout)
    targets = []
    for function in facts["functions"]:
        if function["hybrid"] is not False or function["has_tensor_parameter"] is not True:
            continue
        if function["side_effects"] is not False or function["qualname"].endswith(".__init__"):
            continue
        if function["recursive"] is not False or "has-eager-only-calls" in function["blockers"]:
            continue
        targets.append((function["path"], function["line"], function["qualname"]))
    return targets


def add_decorators(directory: Path, targets: list) -> None:
    """Insert ``@tf.function`` above each ``def`` (files import TensorFlow as ``tf``)."""
    by_file = {}
    for path, line, _ in targets:
        by_file.setdefault(path, []).append(line)
    for path, lines in by_file.items():
        file = directory / path
        source = file.read_text(encoding="utf-8").splitlines(keepends=True)
        tree = ast.parse("".join(source))
        starts = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                starts[node.lineno] = (first, node.col_offset)
        for line in sorted(lines, reverse=True):
            first, column = starts[line]
            source.insert(first - 1, " " * column + "@tf.function\n")
        file.write_text("".join(source), encoding="utf-8")


# --------------------------------------------------------------------------- child process


def _load_variant(directory: str):
    """Import ``directory/main.py`` and the modules it imports, then hide them from sys.modules."""
    import importlib

    directory = os.path.realpath(directory)
    before = set(sys.modules)
    sys.path.insert(0, directory)
    try:
        module = importlib.import_module("main")
    finally:
        sys.path.remove(directory)
    own = {}
    for name in set(sys.modules) - before:
        path = getattr(sys.modules[name], "__file__", None) or ""
        if os.path.realpath(path).startswith(directory + os.sep):
            own[name] = sys.modules.pop(name)
    return module, own


def _to_plain(value):
    if isinstance(value, dict):
        return {str(k): _to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_plain(v) for v in value]
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return float(value)  # NumPy scalars, 0-d tensors


def _process_warm_up(tf) -> None:
    """Pay TensorFlow's and Keras' process-wide lazy initialisation before any program runs.

    Otherwise the first variant's warm-up run would pay it alone. Not timed.
    """
    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(4)])
    optimizer = tf.keras.optimizers.Adam()
    data = tf.data.Dataset.from_tensor_slices(tf.ones([8, 4])).batch(4)

    def step(batch):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(batch)))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return loss

    graph_step = tf.function(step)
    for batch in data:
        step(batch)
        graph_step(batch)
    tf.keras.backend.clear_session()


def child_main(spec: dict) -> dict:
    """Time the variants of one program in this process (see the module docstring)."""
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    if spec.get("grappler") is False:
        # Graphs run as traced, without Grappler's rewrites (op fusion, reassociation, folding).
        tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
    _process_warm_up(tf)
    directories = dict(spec["variants"])

    def run_once(label):
        # A fresh import of the program for every run, as if it were started anew:
        # its tf.function objects, module-level Keras objects and globals are new.
        directory = directories[label]
        module, own = _load_variant(directory)
        sys.modules.update(own)
        sys.path.insert(0, os.path.realpath(directory))
        tf.keras.backend.clear_session()
        gc.collect()
        steps = spec["steps"]
        if not steps and spec.get("scale", 1) != 1:
            steps = max(1, round(module.DEFAULT_STEPS * spec["scale"]))
        output = io.StringIO()
        try:
            with contextlib.redirect_stdout(output):
                start, cpu_start = time.perf_counter(), time.process_time()
                result = module.main(steps) if steps else module.main()
                seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
        except Exception as error:  # a failing variant is a result, not a crash
            lines = traceback.format_exception_only(type(error), error)
            where = traceback.extract_tb(error.__traceback__)
            frames = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in where if directory in f.filename]
            return {"variant": label, "error": "".join(lines).strip()[-600:], "where": frames[-3:]}
        finally:
            sys.path.pop(0)
            for name in own:
                sys.modules.pop(name, None)
        return {"variant": label, "seconds": seconds, "cpu_seconds": cpu_seconds, "result": _to_plain(result)}

    runs = []
    labels = [label for label, _ in spec["variants"]]
    failed = set()
    for round_index in range(spec["rounds"] + 1):  # round 0: the warm-up, one run each
        for label in labels:
            if label not in failed:
                run = {**run_once(label), "round": round_index}
                runs.append(run)
                if "error" in run:
                    failed.add(label)
    return {"runs": runs}


def run_child(spec: dict, timeout: float = 600) -> dict:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)],
        capture_output=True, text=True, env=child_environment(), timeout=timeout, cwd=tempfile.gettempdir(),
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"child failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1])


# --------------------------------------------------------------------------- comparison and report


def results_equal(expected, actual) -> bool:
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(results_equal(expected[k], actual[k]) for k in expected)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(results_equal(e, a) for e, a in zip(expected, actual))
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        if math.isnan(expected) or math.isnan(actual):
            return math.isnan(expected) and math.isnan(actual)
        return math.isclose(expected, actual, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return expected == actual


def largest_difference(expected: dict, actual: dict) -> Optional[float]:
    """The largest relative difference between two flat result dicts (for the report)."""
    worst = 0.0
    for key, value in expected.items():
        other = actual.get(key)
        if isinstance(value, (int, float)) and isinstance(other, (int, float)):
            worst = max(worst, abs(value - other) / max(abs(value), abs(other), 1e-12))
    return worst


def analyzer_revision() -> dict:
    """Which flake8-hybrid was measured: the commit, and whether its package has local changes."""
    def git(*argv):
        proc = subprocess.run(["git", *argv], cwd=REPOSITORY, capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else None

    changed = git("status", "--porcelain", "--", "flake8_hybrid")
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "flake8_hybrid_locally_modified": None if changed is None else bool(changed)}


def geometric_mean(values: Sequence[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def benchmark_program(name: str, workdir: Path, args) -> dict:
    source = PROGRAMS / name
    record = {"program": name}
    variants = {}
    for label in ("original", "fixed"):
        variants[label] = workdir / name / label
        shutil.copytree(source, variants[label], ignore=IGNORED)

    start = time.perf_counter()
    findings = fixer_findings(variants["fixed"])
    unsafe = args.unsafe_fixes or wants_unsafe_fixes(source)
    proc = run_fixer(variants["fixed"], *(["--unsafe-fixes"] if unsafe else []))
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"flake8-hybrid-fix failed on {name}:\n{proc.stderr[-2000:]}")
    applied = ("safe", "unsafe") if unsafe else ("safe",)
    record["unsafe_fixes"] = unsafe
    remaining = [f for f in fixer_findings(variants["fixed"]) if f.get("fix") and f["fix"]["applicability"] in applied]
    record["fix_seconds"] = time.perf_counter() - start
    before = decorated_functions(variants["original"])
    after = decorated_functions(variants["fixed"])
    record["hybridized"], record["dehybridized"] = decorator_changes(before, after, findings)
    record["findings"] = [
        {"code": f["code"], "file": f["filename"], "line": f["location"]["row"], "message": f["message"],
         "fix": (f.get("fix") or {}).get("applicability")}
        for f in findings
    ]
    record["fixes_left_after_one_pass"] = [f"{f['code']} {f['filename']}:{f['location']['row']}" for f in remaining]
    record["unchanged"] = not record["hybridized"] and not record["dehybridized"] and all(
        (variants["original"] / p).read_bytes() == (variants["fixed"] / p).read_bytes()
        for p in (q.relative_to(variants["original"]) for q in variants["original"].rglob("*.py"))
    )

    if args.naive == "all" or (args.naive == "helpers" and name.startswith("helpers_")):
        variants["naive"] = workdir / name / "naive"
        shutil.copytree(source, variants["naive"], ignore=IGNORED)
        targets = naive_targets(variants["naive"])
        add_decorators(variants["naive"], targets)
        record["naive_hybridized"] = [q if p == "main.py" else f"{p[:-3]}.{q}" for p, _, q in targets]

    labels = [label for label in VARIANT_ORDER if label in variants]
    steps = 1 if args.quick else None
    if args.cold:
        record["cold"] = {}
        for label in labels:
            child = run_child({"variants": [[label, str(variants[label])]], "rounds": 0, "steps": steps,
                               "scale": args.scale})
            record["cold"][label] = child["runs"][0]
    child = run_child({"variants": [[label, str(variants[label])] for label in labels],
                       "rounds": args.rounds, "steps": steps, "scale": args.scale})
    runs = child["runs"]
    record["runs"] = runs
    all_runs = runs + list(record.get("cold", {}).values())
    record["errors"] = {run["variant"]: run for run in all_runs if "error" in run}
    ok = [label for label in labels if label not in record["errors"]]
    if "original" not in ok:
        raise RuntimeError(f"the original {name} fails: {record['errors']['original']}")

    reference = runs[0]["result"]  # the original's first run
    record["equal"] = {}
    record["max_relative_difference"] = {}
    for label in labels:
        mine = [run["result"] for run in all_runs if run["variant"] == label and "result" in run]
        record["equal"][label] = label in ok and all(results_equal(reference, result) for result in mine)
        record["max_relative_difference"][label] = max((largest_difference(reference, r) for r in mine), default=None)
    record["result"] = {label: next(r["result"] for r in runs if r["variant"] == label) for label in ok}
    # Where results differ, run the pair once more without Grappler: identical results there
    # mean the difference comes from Grappler's float rewrites of the graph, not from the fix.
    record["identical_without_grappler"] = {}
    for label in labels:
        if label in ok and not record["equal"][label]:
            pair = run_child({"variants": [["original", str(variants["original"])], [label, str(variants[label])]],
                              "rounds": 0, "steps": steps, "scale": args.scale, "grappler": False})
            results = [run.get("result") for run in pair["runs"]]
            record["identical_without_grappler"][label] = None not in results and results[0] == results[1]

    timed_rounds = [run for run in runs if run["round"] >= 1] or runs
    record["first_run_source"] = "cold process" if "cold" in record else "warm-up run in the timing process"
    record["times"] = {}
    for label in ok:
        mine = [run for run in timed_rounds if run["variant"] == label]
        first = record["cold"][label] if "cold" in record else next(
            r for r in runs if r["variant"] == label and r["round"] == 0)
        times = {"first_wall": first["seconds"], "first_cpu": first["cpu_seconds"]}
        for clock, key in (("wall", "seconds"), ("cpu", "cpu_seconds")):
            values = [run[key] for run in mine]
            times[clock] = statistics.median(values)
            times[f"spread_{clock}"] = (max(values) - min(values)) / statistics.median(values)
        record["times"][label] = times
    record["speedups"] = {}
    for label in ok:
        if label != "original":
            base, mine = record["times"]["original"], record["times"][label]
            record["speedups"][label] = {
                key: base[key] / mine[key] for key in ("cpu", "wall", "first_cpu", "first_wall")}
    fixed = record["speedups"].get("fixed")
    record["speedup"] = None if fixed is None else 1.0 if record["unchanged"] else fixed[args.clock]
    record["first_run_speedup"] = (
        None if fixed is None else 1.0 if record["unchanged"] else fixed[f"first_{args.clock}"])
    if "naive" in record["speedups"]:
        record["naive_speedup"] = record["speedups"]["naive"][args.clock]
    return record


def _number(value, unit="", width=6) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width - len(unit)}.2f}{unit}"


def _row(name: str, record: dict, label: str, clock: str, note: str, file) -> None:
    base, mine = record["times"]["original"], record["times"].get(label, {})
    ratios = record["speedups"].get(label, {})
    unchanged = label == "fixed" and record["unchanged"]
    if not ratios:
        speedup = "FAILED"
    elif unchanged:
        speedup = "1.00x"  # identical code: the measured ratio is noise (shown as A/A in the cpu/wall columns)
    else:
        speedup = f"{ratios[clock]:.2f}x"
    first = ratios.get(f"first_{clock}")
    spread = max(base[f"spread_{clock}"], mine.get(f"spread_{clock}", 0.0))
    equal = "yes" if record["equal"][label] else "yes*" if record["identical_without_grappler"].get(label) else "NO"
    print(
        f"{name:<22} {_number(base['cpu'])} {_number(base['wall'])} {_number(mine.get('cpu'))} "
        f"{_number(mine.get('wall'))} {speedup:>8} {_number(ratios.get('cpu'), 'x')} {_number(ratios.get('wall'), 'x')}"
        f"{' A/A' if unchanged else '    '} {_number(1.0 if unchanged and first else first, 'x', 7)} "
        f"{100 * spread:>5.0f}% {equal:>5}  {note}",
        file=file,
    )


def print_row(record: dict, clock: str, file=sys.stdout) -> None:
    changes = [f"+{n}" for n in record["hybridized"]] + [f"-{n}" for n in record["dehybridized"]]
    if not changes:  # fixes that change no decorator (HYB201's tf.constant, HYB203's reduce_retracing)
        applied = ("safe", "unsafe") if record.get("unsafe_fixes") else ("safe",)
        codes = sorted(f["code"] for f in record["findings"] if f["fix"] in applied)
        changes = [f"{code} x{codes.count(code)}" + (" (unsafe fix)" if record.get("unsafe_fixes") else "")
                   for code in dict.fromkeys(codes)]
    _row(record["program"], record, "fixed", clock, ", ".join(changes) or "(no change)", file)
    if "naive" in record["equal"]:
        note = f"+{len(record['naive_hybridized'])}: {', '.join(record['naive_hybridized'])}"
        _row("  naive variant", record, "naive", clock, note, file)
    for label, run in record["errors"].items():
        print(f"{'':<22} {label} fails: {run['error'].splitlines()[-1][:200]} (at {', '.join(run['where'])})",
              file=file)
    if record["fixes_left_after_one_pass"]:
        print(f"{'':<22} fixes left after one pass: {', '.join(record['fixes_left_after_one_pass'])}", file=file)


def header(clock: str) -> str:
    return (
        f"{'':<22} {'eager s':^13} {'fixed s':^13} {'speedup':^30}\n"
        f"{'program':<22} {'cpu':>6} {'wall':>6} {'cpu':>6} {'wall':>6} {f'({clock})':>8} {'cpu':>6} {'wall':>6}     "
        f"{'1st run':>7} {'spread':>6} {'equal':>5}  functions hybridized (+) / de-hybridized (-)"
    )


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", metavar="NAME", help="run this program only (repeatable)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per variant after the warm-up (default 3)")
    parser.add_argument("--json", metavar="FILE", help="also write every number to FILE")
    parser.add_argument("--cold", action="store_true",
                        help="time the first run of each variant in a fresh process of its own (slower)")
    parser.add_argument("--naive", choices=("helpers", "all", "none"), default="helpers",
                        help="which programs also get a naive variant (default: helpers_*)")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="the clock of the speedup column, the geometric mean and the slower count "
                             "(default cpu: process CPU time; see the module docstring)")
    parser.add_argument("--unsafe-fixes", action="store_true", help="let the fixer apply unsafe fixes too")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="run main(steps=SCALE x the program's DEFAULT_STEPS): longer runs amortize tracing")
    parser.add_argument("--quick", action="store_true", help="smoke run: main(steps=1), 1 round, no cold runs")
    parser.add_argument("--keep", metavar="DIR", help="keep the original/fixed/naive copies under DIR")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child_main(json.loads(args.child))))
        return 0
    if args.quick:
        args.rounds, args.cold = 1, False

    names = sorted(p.name for p in PROGRAMS.iterdir() if (p / "main.py").is_file())
    if args.only:
        wanted = {n for item in args.only for n in item.split(",")}
        unknown = wanted - set(names)
        if unknown:
            parser.error(f"unknown program(s): {', '.join(sorted(unknown))}; have: {', '.join(names)}")
        names = [n for n in names if n in wanted]

    started = time.perf_counter()
    load_before = os.getloadavg()
    revision = analyzer_revision()
    scale = f", {args.scale:g} x each program's default steps" if args.scale != 1 else ""
    print(f"flake8-hybrid speedup benchmark: {len(names)} programs{scale}, {args.rounds} rounds after 1 warm-up, "
          f"first runs {'in fresh processes' if args.cold else 'are the warm-up runs'}; "
          f"results compared with rel {REL_TOL:g} / abs {ABS_TOL:g}; load average {load_before[0]:.2f}")
    print(f"flake8-hybrid at {revision['commit']}"
          f"{' with local changes to flake8_hybrid/' if revision['flake8_hybrid_locally_modified'] else ''}")
    print(header(args.clock))
    records = []
    workdir = Path(args.keep).resolve() if args.keep else Path(tempfile.mkdtemp(prefix="hybrid-speedup-"))
    try:
        for name in names:
            if (workdir / name).exists():
                shutil.rmtree(workdir / name)
            record = benchmark_program(name, workdir, args)
            records.append(record)
            print_row(record, args.clock)
            sys.stdout.flush()
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    measured = [r for r in records if r["speedup"] is not None]
    failed = [r["program"] for r in records if r["speedup"] is None]
    changed = [r for r in measured if not r["unchanged"]]

    def mean(clock):
        return geometric_mean([1.0 if r["unchanged"] else r["speedups"]["fixed"][clock] for r in measured])

    summary = {
        "clock": args.clock,
        "programs": len(records),
        "measured": len(measured),
        "geometric_mean_speedup": geometric_mean([r["speedup"] for r in measured]),
        "geometric_mean_first_run_speedup": geometric_mean([r["first_run_speedup"] for r in measured]),
        "geometric_mean_speedup_by_clock": {clock: mean(clock) for clock in ("cpu", "wall")},
        "fixed_program_fails": failed,
        "slower_after_fix": [r["program"] for r in changed if r["speedup"] < 1.0],
        "slower_after_fix_first_run": [r["program"] for r in changed if r["first_run_speedup"] < 1.0],
        "slower_after_fix_by_clock": {
            clock: [r["program"] for r in changed if r["speedups"]["fixed"][clock] < 1.0] for clock in ("cpu", "wall")},
        "results_differ": [r["program"] for r in records if not all(
            equal or r["identical_without_grappler"].get(label) for label, equal in r["equal"].items())],
        "results_differ_only_through_grappler": [
            r["program"] for r in records if any(r["identical_without_grappler"].values())],
        "unchanged_by_fixer": [r["program"] for r in records if r["unchanged"]],
        "naive": {r["program"]: {"fixed_speedup": r["speedup"], "naive_speedup": r.get("naive_speedup")}
                  for r in records if "naive" in r["equal"]},
        "wall_seconds": time.perf_counter() - started,
    }

    def names(items):
        return f"{len(items)}{' (' + ', '.join(items) + ')' if items else ''}"

    print()
    over = f" over the {len(measured)} programs whose fixed copy runs" if failed else ""
    by_clock = summary["geometric_mean_speedup_by_clock"]
    print(f"geometric mean speedup{over}: {summary['geometric_mean_speedup']:.2f}x ({args.clock} time, median of "
          f"rounds; cpu {by_clock['cpu']:.2f}x, wall {by_clock['wall']:.2f}x), "
          f"{summary['geometric_mean_first_run_speedup']:.2f}x (first run)")
    if failed:
        print(f"fixed program fails: {names(failed)}")
    print(f"programs slower after the fix: {names(summary['slower_after_fix'])}; "
          f"first run: {names(summary['slower_after_fix_first_run'])}; "
          f"by wall time: {names(summary['slower_after_fix_by_clock']['wall'])}")
    print(f"programs whose results differ (or that fail): {names(summary['results_differ'])}")
    if summary["results_differ_only_through_grappler"]:
        print(f"yes*: beyond rel {REL_TOL:g} / abs {ABS_TOL:g}, but identical to the original when graphs run "
              f"without Grappler's rewrites: {names(summary['results_differ_only_through_grappler'])}")
    for name, naive in summary["naive"].items():
        fixed = "FAILED" if naive["fixed_speedup"] is None else f"{naive['fixed_speedup']:.2f}x"
        mine = "FAILED" if naive["naive_speedup"] is None else f"{naive['naive_speedup']:.2f}x"
        print(f"naive hybridization of {name}: {mine} vs flake8-hybrid-fix {fixed}")
    load_after = os.getloadavg()
    print(f"total {summary['wall_seconds']:.0f} s; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")

    if args.json:
        from importlib.metadata import version

        document = {
            "schema": SCHEMA_VERSION,
            "settings": {"rounds": args.rounds, "cold": args.cold, "naive": args.naive, "quick": args.quick,
                         "clock": args.clock, "unsafe_fixes": args.unsafe_fixes, "scale": args.scale,
                         "rel_tol": REL_TOL, "abs_tol": ABS_TOL},
            "environment": {"python": platform.python_version(), "tensorflow": version("tensorflow"),
                            "cpus": os.cpu_count(), "load_average_before": load_before,
                            "load_average_after": load_after, "flake8_hybrid": revision},
            "summary": summary,
            "programs": records,
        }
        Path(args.json).write_text(json.dumps(document, indent=2), encoding="utf-8")
    return 1 if summary["results_differ"] else 0


if __name__ == "__main__":
    sys.exit(main())
