#!/usr/bin/env python
"""HYB204's threshold: what a Python loop of N iterations costs in graph code, against ``tf.range``.

A ``for _ in range(N)`` loop in a ``tf.function`` runs in Python while tracing and leaves N
copies of its body in the graph; ``for _ in tf.range(N)`` leaves one copy in a ``while`` loop.
For each N this script makes a fresh ``tf.function`` of each kind and measures:

* ``ops``: the operations in the traced graph;
* ``trace_ms``: ``get_concrete_function`` (tracing only);
* ``first_call_ms``: the first call of another fresh function: tracing, graph optimisation
  (Grappler) and one run, what a program pays once per trace;
* ``call_us``: a steady-state call, the median of several batches (``least_call_us``: the least).

Two loop bodies: ``elementwise`` (``0.5 * (x + tf.roll(x, 1))`` on 16 floats, the docs'
example) and ``dense`` (``tanh(x @ w)`` on a 32x32 matrix). From the numbers it reports, per
body, the smallest N whose unrolled graph costs at least ``--budget-ms`` more on its first
call than the ``tf.range`` loop: the length from which a loop's unrolling is worth a finding.
It also reports how the steady-state calls compare: an unrolled loop has no per-iteration
``while`` overhead, so it is usually *faster* per call, and replacing it costs time on every
call (why HYB204's fix is unsafe, and its finding is about tracing, graph size and memory).

    python benchmarks/unrolled_loops.py              # full run, about 1-2 min
    python benchmarks/unrolled_loops.py --quick      # N up to 64, < 30 s
    python benchmarks/unrolled_loops.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402

FULL = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
QUICK = (1, 4, 16, 32, 64)  # (holds LARGE_LOOP: tests/test_retracing_tf_claims.py)


def make(body: str, n: int, graph_loop: bool):
    steps = tf.range if graph_loop else range
    if body == "elementwise":
        def loop(x):
            for _ in steps(n):
                x = 0.5 * (x + tf.roll(x, 1, axis=0))
            return x
        return tf.function(loop), (tf.ones([16]),)

    weights = tf.random.stateless_normal([32, 32], seed=[1, 2]) * 0.1

    def dense(x):
        for _ in steps(n):
            x = tf.tanh(tf.matmul(x, weights))
        return x
    return tf.function(dense), (tf.ones([32, 32]),)


def measure(body: str, n: int, batches: int) -> dict:
    """Both loops of one N. On a shared machine other processes take time slices: each one-off
    cost is the least of three fresh functions, and the calls of the two loops are timed in
    alternating batches, each side's time the median of its batches (and the least, shown too)."""
    result = {}
    functions = {}
    for kind, graph_loop in (("unrolled", False), ("tf_range", True)):
        traces, firsts, ops = [], [], 0
        for _ in range(3):
            function, args = make(body, n, graph_loop)
            started = time.perf_counter()
            concrete = function.get_concrete_function(*args)
            traces.append((time.perf_counter() - started) * 1000)
            ops = len(concrete.graph.get_operations())
            function, args = make(body, n, graph_loop)  # a fresh one: its first call traces again
            started = time.perf_counter()
            function(*args)
            firsts.append((time.perf_counter() - started) * 1000)
        for _ in range(3):
            function(*args)
        functions[kind] = (function, args)
        result[kind] = {"ops": ops, "trace_ms": round(min(traces), 2), "first_call_ms": round(min(firsts), 2)}
    times: dict = {kind: [] for kind in functions}
    for _ in range(batches):
        for kind, (function, args) in functions.items():
            started = time.perf_counter()
            for _ in range(10):
                function(*args)
            times[kind].append((time.perf_counter() - started) / 10 * 1e6)
    for kind in functions:
        result[kind]["call_us"] = round(statistics.median(times[kind]), 1)
        result[kind]["least_call_us"] = round(min(times[kind]), 1)
    return result


def threshold(rows: list, budget_ms: float):
    """The smallest N whose unrolled first call costs ``budget_ms`` more than the tf.range one."""
    for row in rows:
        if row["unrolled"]["first_call_ms"] - row["tf_range"]["first_call_ms"] >= budget_ms:
            return row["n"]
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--budget-ms", type=float, default=100.0,
                        help="extra first-call time that makes an unrolled loop worth a finding (default 100)")
    parser.add_argument("--json")
    arguments = parser.parse_args()
    tf.get_logger().setLevel("ERROR")
    sizes = QUICK if arguments.quick else FULL
    batches = 5 if arguments.quick else 21
    result = {"tensorflow": tf.__version__, "budget_ms": arguments.budget_ms, "bodies": {}}
    for body in ("elementwise", "dense"):
        measure(body, 4, 2)  # warm-up: the first trace of a process pays for imports
        rows = []
        print(f"{body}: N, ops, trace ms, first call ms, call us (median, least)  | the same for tf.range")
        for n in sizes:
            row = {"n": n, **measure(body, n, batches)}
            rows.append(row)
            u, r = row["unrolled"], row["tf_range"]
            print(f"  {n:5d}  {u['ops']:6d} {u['trace_ms']:8.1f} {u['first_call_ms']:8.1f} {u['call_us']:8.1f}"
                  f" {u['least_call_us']:8.1f}  |  {r['ops']:4d} {r['trace_ms']:6.1f} {r['first_call_ms']:6.1f}"
                  f" {r['call_us']:8.1f} {r['least_call_us']:8.1f}", flush=True)
        result["bodies"][body] = {"rows": rows, "threshold": threshold(rows, arguments.budget_ms)}
        print(f"  unrolled first call >= {arguments.budget_ms:g} ms over tf.range from N = "
              f"{result['bodies'][body]['threshold']}")
    if arguments.json:
        with open(arguments.json, "w", encoding="utf-8") as file:
            json.dump(result, file, indent=1)


if __name__ == "__main__":
    main()
