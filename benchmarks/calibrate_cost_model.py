#!/usr/bin/env python
"""Calibrate the cost model's threshold: when does a ``tf.function`` graph pay?

The linter suggests ``@tf.function`` (HYB001) only for functions doing at least
``MIN_OPS_PER_CALL`` tensor ops per call, and suggests removing it (HYB007)
below that (DESIGN.md, "Cost model: hybridize only where the graph pays").
This script measures, on the machine it runs on, the time of one call of a
function doing ``k`` cheap chained tensor ops, run eagerly and as a
``tf.function`` graph, and derives the break-even ``k`` from which the graph is
faster. The recommended default threshold is the break-even of the
conservative case (8x8 tensors, the ``elementwise`` mix: ops with the least
work and the cheapest eager calls, so a graph saves nothing but TF's eager
dispatch), rounded up to a multiple of 5.

Op mixes (each op consumes the previous op's result, so nothing runs in
parallel and no op is dead code):

* ``elementwise``: ``tf.maximum`` (with a constant), ``tf.tanh``,
  ``tf.square``, repeated. Cheap kernels whose Python wrappers are thin, so
  that an eager call costs no more than TF's own dispatch (the floor, about
  the cost of ``tf.nn.relu`` or ``tf.negative``); a graph can save nothing
  else. The least eager cost per op gives the highest break-even: the
  conservative case, which the recommended threshold comes from.
* ``arithmetic``: ``tf.add``, ``tf.multiply``, ``tf.tanh``, repeated. Also
  elementwise and just as cheap in a graph, but ``tf.add`` (like ``x + y``)
  and ``tf.multiply`` run several microseconds of Python per eager call before
  dispatch (convert_to_tensor, dispatch decorators), so the graph pays sooner.
  Shows how much the break-even depends on which ops a function calls.
* ``matmul``: ``tf.matmul``, ``tf.add``, ``tf.tanh``, ``tf.multiply``,
  repeated (one op in four is a matmul, like a dense layer followed by a bias,
  an activation and a scale). More work per op; on larger tensors the matmul
  dominates.

Method: for each (mix, size, k) a fresh ``tf.function`` is created and its
first call (trace + graph optimisation + one run) is timed. After warm-up the
eager and graph versions are timed in alternating batches (A B A B ...) in the
same process. Batches are short (auto-sized to about 0.5 ms, at least one
call), so that the time slices other processes take on a shared machine spoil
only a minority of them; the per-call time is the median over all batches.
Each side gets about 0.2 s per measurement (``--seconds``), split into rounds
that sweep all the k values of a series in turn, so that a slow change in the
machine's load does not bend the curve at one k. The Python garbage collector
is paused while timing. Grappler runs with its defaults, as it does for a
user's function.

Usage::

    python benchmarks/calibrate_cost_model.py            # full run (< 3 min)
    python benchmarks/calibrate_cost_model.py --quick    # smoke run (< 30 s)
    python benchmarks/calibrate_cost_model.py --json out.json
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import sys
import time
from typing import Callable, Optional, Sequence

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SCHEMA_VERSION = 1

# The structure of a run is fixed per mode: same k values, same series, same
# output format, whatever the machine measures.
FULL_K = (1, 2, 5, 10, 15, 20, 30, 40, 60, 80, 120)
FULL_LARGE_K = (1, 5, 10, 20, 40, 80)
QUICK_K = (1, 10, 40, 120)
QUICK_LARGE_K = (1, 40)
SMALL_SIZE = 8
LARGE_SIZES = (64, 256)
MIXES = {
    "elementwise": ("maximum", "tanh", "square"),
    "arithmetic": ("add", "multiply", "tanh"),
    "matmul": ("matmul", "add", "tanh", "multiply"),
}
BASELINE_MIX = "elementwise"
BATCH_SECONDS = 0.0005
FULL_ROUNDS = 4
QUICK_ROUNDS = 2
MIN_BATCHES = 5
ROUND_TO = 5


def _parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="reduced set of k and shorter measurements (smoke test)")
    parser.add_argument("--json", metavar="FILE", help="write every measurement and derived number to FILE")
    parser.add_argument(
        "--seconds",
        type=float,
        default=None,
        help="target timing per side and measurement (default 0.2, or 0.03 with --quick)",
    )
    return parser.parse_args(argv)


# --------------------------------------------------------------------------- timing


def _time_batch(fn: Callable, arg, n: int) -> float:
    """Seconds per call, over ``n`` back-to-back calls."""
    start = time.perf_counter()
    for _ in range(n):
        fn(arg)
    return (time.perf_counter() - start) / n


def _calls_per_batch(fn: Callable, arg) -> int:
    per_call = min(_time_batch(fn, arg, 3), _time_batch(fn, arg, 3))
    return max(1, int(BATCH_SECONDS / max(per_call, 1e-9)))


def _quantiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    q1, _, q3 = statistics.quantiles(ordered, n=4) if len(ordered) > 1 else (ordered[0],) * 3
    p10 = statistics.quantiles(ordered, n=10)[0] if len(ordered) > 1 else ordered[0]
    return {"median": statistics.median(ordered), "p10": p10, "q1": q1, "q3": q3, "batches": len(ordered)}


class Pair:
    """Two callables timed against each other, interleaved (A B A B ...).

    Batches are short (about ``BATCH_SECONDS``, at least one call), so that the
    time slices another process takes from this one spoil a minority of them,
    which the median then ignores. ``run`` can be called several times (rounds)
    and pools the per-call samples, in microseconds.
    """

    def __init__(self, a: Callable, b: Callable, arg) -> None:
        self.a, self.b, self.arg = a, b, arg
        self.n_a, self.n_b = _calls_per_batch(a, arg), _calls_per_batch(b, arg)
        self.samples_a: list[float] = []
        self.samples_b: list[float] = []

    def run(self, seconds: float) -> None:
        a, b, arg, n_a, n_b = self.a, self.b, self.arg, self.n_a, self.n_b
        longest = max(n_a * _time_batch(a, arg, n_a), n_b * _time_batch(b, arg, n_b), 1e-9)
        batches = max(MIN_BATCHES, math.ceil(seconds / longest))
        gc.collect()
        gc.disable()
        try:
            for _ in range(batches):
                self.samples_a.append(_time_batch(a, arg, n_a) * 1e6)
                self.samples_b.append(_time_batch(b, arg, n_b) * 1e6)
        finally:
            gc.enable()

    def stats(self) -> tuple[dict, dict]:
        return _quantiles(self.samples_a), _quantiles(self.samples_b)


def compare(a: Callable, b: Callable, arg, seconds: float) -> tuple[dict, dict]:
    """Per-call µs statistics of ``a`` and ``b``, timed interleaved for ~``seconds`` each."""
    pair = Pair(a, b, arg)
    pair.run(seconds)
    return pair.stats()


# --------------------------------------------------------------------------- workloads


class Workloads:
    """Inputs, constants and op chains for one tensor size."""

    def __init__(self, tf, size: int) -> None:
        self.tf = tf
        rng = tf.random.Generator.from_seed(size)
        self.x = rng.uniform((size, size), -1.0, 1.0, dtype=tf.float32)
        self.bias = tf.fill((size, size), 0.1)
        self.scale = tf.fill((size, size), 0.9)
        # Scaled so that a chain of matmuls neither explodes nor underflows.
        self.weight = rng.normal((size, size), dtype=tf.float32) / math.sqrt(size)
        # Values stay in [0.01, 1] (elementwise), or bounded by tanh: no
        # overflow, no denormals, which would change the kernels' speed.
        self.ops: dict[str, Callable] = {
            "maximum": lambda t: tf.maximum(t, self.bias),
            "square": lambda t: tf.square(t),
            "add": lambda t: tf.add(t, self.bias),
            "multiply": lambda t: tf.multiply(t, self.scale),
            "tanh": lambda t: tf.tanh(t),
            "matmul": lambda t: tf.matmul(t, self.weight),
        }

    def chain(self, mix: str, k: int) -> Callable:
        cycle = MIXES[mix]
        ops = [self.ops[cycle[i % len(cycle)]] for i in range(k)]

        def chained(t):
            for op in ops:
                t = op(t)
            return t

        return chained


def warm_up(tf, seconds: float) -> None:
    """Exercise every op eagerly and in a graph before anything is timed.

    The first calls of an op pay kernel lookup and thread-pool start-up, and the
    CPU may still be clocking up; none of that belongs in the steady state.
    """
    for size in (SMALL_SIZE, *LARGE_SIZES):
        work = Workloads(tf, size)
        for mix in MIXES:
            eager, graph = work.chain(mix, 8), tf.function(work.chain(mix, 8))
            deadline = time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                eager(work.x)
                graph(work.x)


def measure_overheads(tf, seconds: float) -> dict:
    """The fixed cost of a graph call and the cost of single eager ops (8x8)."""
    work = Workloads(tf, SMALL_SIZE)

    def plain(t):
        return t

    @tf.function
    def empty(t):
        return t

    empty(work.x)  # trace
    plain_stats, empty_stats = compare(plain, empty, work.x, seconds)
    eager_ops = {}
    for name, op in work.ops.items():
        op_stats, plain_again = compare(op, plain, work.x, seconds)
        eager_ops[name] = op_stats["median"] - plain_again["median"]
    elementwise = [eager_ops[name] for name in MIXES[BASELINE_MIX]]
    return {
        "plain_python_call_us": plain_stats["median"],
        "empty_tf_function_call_us": empty_stats["median"],
        "empty_tf_function_call_iqr_us": [empty_stats["q1"], empty_stats["q3"]],
        "graph_call_overhead_us": empty_stats["median"] - plain_stats["median"],
        # The cost of "one cheap eager op": the mean over the elementwise mix.
        "eager_op_us": statistics.fmean(elementwise),
        "eager_op_us_by_op": eager_ops,
    }


def measure_series(tf, work: Workloads, mix: str, k_values: Sequence[int], seconds: float, rounds: int) -> dict:
    """Eager vs graph time per call for each k.

    Each k's ~``seconds`` of timing is split into ``rounds`` rounds that sweep
    all the k values in turn, so that a slow change in the machine's load is
    spread over every k instead of bending the curve at a few of them.
    """
    pairs, first_call_ms = [], []
    for k in k_values:
        eager = work.chain(mix, k)
        graph = tf.function(work.chain(mix, k))
        start = time.perf_counter()
        graph(work.x)
        first_call_ms.append((time.perf_counter() - start) * 1e3)
        for _ in range(3):
            eager(work.x)
            graph(work.x)
        pairs.append(Pair(eager, graph, work.x))
    for _ in range(rounds):
        for pair in pairs:
            pair.run(seconds / rounds)
    points = []
    for k, pair, first_ms in zip(k_values, pairs, first_call_ms):
        eager_stats, graph_stats = pair.stats()
        points.append(
            {
                "k": k,
                "eager_us": eager_stats["median"],
                "graph_us": graph_stats["median"],
                "speedup": eager_stats["median"] / graph_stats["median"],
                "first_call_ms": first_ms,
                "eager_iqr_us": [eager_stats["q1"], eager_stats["q3"]],
                "graph_iqr_us": [graph_stats["q1"], graph_stats["q3"]],
                "eager_p10_us": eager_stats["p10"],
                "graph_p10_us": graph_stats["p10"],
                "speedup_p10": eager_stats["p10"] / graph_stats["p10"],
                "batches": eager_stats["batches"],
                "calls_per_batch": [pair.n_a, pair.n_b],
            }
        )
    series = {"mix": mix, "size": work.x.shape[0], "points": points}
    series.update(break_even(points))
    # The same from the 10th percentiles: what a quiet machine would show. On a
    # busy one, graph calls (not eager ops) now and then take milliseconds
    # longer, which can move the medians.
    series["break_even_k_p10"] = break_even(points, "speedup_p10")["break_even_k"]
    series["fit"] = linear_fit(points)
    return series


# --------------------------------------------------------------------------- analysis


def break_even(points: Sequence[dict], key: str = "speedup") -> dict:
    """Where the speedup curve crosses 1.0, interpolated linearly in k.

    ``break_even_k`` is the first upward crossing: the smallest k from which
    the graph is faster. ``stays_faster_from_k`` is the last one, from which
    every measured k is faster as a graph; the two differ only where noise
    makes the curve cross 1.0 more than once (``crossings`` counts the sign
    changes). ``break_even_status`` is ``"crossed"``, ``"below-range"`` (the
    graph is already faster at the smallest k) or ``"above-range"`` (the graph
    is slower at every measured k).
    """
    speedups = [p[key] for p in points]
    ks = [p["k"] for p in points]
    crossings = sum((a >= 1.0) != (b >= 1.0) for a, b in zip(speedups, speedups[1:]))

    def crossing(i: int) -> float:  # between point i (slower) and i + 1 (faster)
        k0, k1, s0, s1 = ks[i], ks[i + 1], speedups[i], speedups[i + 1]
        return k0 + (1.0 - s0) * (k1 - k0) / (s1 - s0)

    upward = [i for i in range(len(ks) - 1) if speedups[i] < 1.0 <= speedups[i + 1]]
    if speedups[0] >= 1.0:
        first, status = float(ks[0]), "below-range"
    elif upward:
        first, status = crossing(upward[0]), "crossed"
    else:
        first, status = None, "above-range"
    if speedups[-1] < 1.0:
        stays = None
    else:
        last_slower = max((i for i, s in enumerate(speedups) if s < 1.0), default=None)
        stays = float(ks[0]) if last_slower is None else crossing(last_slower)
    return {
        "break_even_k": first,
        "break_even_status": status,
        "stays_faster_from_k": stays,
        "crossings": crossings,
    }


def linear_fit(points: Sequence[dict]) -> dict:
    """Lines time = fixed + per_op * k for eager and graph (Theil-Sen).

    Theil-Sen (median of the pairwise slopes) rather than least squares, so
    that one point spoilt by the machine's load does not tilt the line. The
    lines' intersection is a model-based break-even, a cross-check of the
    interpolated one.
    """
    ks = [p["k"] for p in points]

    def fit(ys: list[float]) -> tuple[float, float]:
        slopes = [
            (ys[j] - ys[i]) / (ks[j] - ks[i]) for i in range(len(ks)) for j in range(i + 1, len(ks)) if ks[j] != ks[i]
        ]
        slope = statistics.median(slopes) if slopes else 0.0
        return statistics.median(y - slope * k for k, y in zip(ks, ys)), slope

    eager_fixed, eager_per_op = fit([p["eager_us"] for p in points])
    graph_fixed, graph_per_op = fit([p["graph_us"] for p in points])
    gain_per_op = eager_per_op - graph_per_op
    model_k = (graph_fixed - eager_fixed) / gain_per_op if gain_per_op > 0 else None
    return {
        "eager_fixed_us": eager_fixed,
        "eager_per_op_us": eager_per_op,
        "graph_fixed_us": graph_fixed,
        "graph_per_op_us": graph_per_op,
        "model_break_even_k": model_k,
    }


def recommend(series: Sequence[dict], k_values: Sequence[int]) -> dict:
    baseline = next(s for s in series if s["mix"] == BASELINE_MIX and s["size"] == SMALL_SIZE)
    k = baseline["break_even_k"]
    basis = k if k is not None else float(max(k_values))  # above range: at least the largest k measured
    return {
        "recommended_threshold": max(ROUND_TO, ROUND_TO * math.ceil(basis / ROUND_TO - 1e-9)),
        "basis": f"{BASELINE_MIX} {SMALL_SIZE}x{SMALL_SIZE}",
        "basis_break_even_k": k,
        "basis_status": baseline["break_even_status"],
        "basis_crossings": baseline["crossings"],
        "basis_break_even_k_p10": baseline["break_even_k_p10"],
    }


# --------------------------------------------------------------------------- output


def _fmt(value: Optional[float], spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def _current_default() -> Optional[int]:
    """The linter's current default threshold, when the package is importable."""
    for module in ("flake8_hybrid.settings", "flake8_hybrid.facts"):
        try:
            return getattr(__import__(module, fromlist=["MIN_OPS_PER_CALL"]), "MIN_OPS_PER_CALL")
        except Exception:  # moved, or the script runs outside an installed checkout
            continue
    return None


def report(result: dict, out=sys.stdout) -> None:
    env, over = result["environment"], result["overhead"]
    print(
        f"flake8-hybrid cost-model calibration ({result['mode']} mode): TF {env['tensorflow']}, "
        f"Python {env['python']}, {env['platform']}, {env['cpu_count']} CPUs, "
        f"load average {env['load_average_before'][0]:.2f} before / {env['load_average_after'][0]:.2f} after",
        file=out,
    )
    print(
        "mixes: " + "; ".join(f"{name} = {'/'.join(ops)}" for name, ops in result["settings"]["mixes"].items())
        + f"; ~{result['settings']['seconds']:g} s per side and measurement, median of batches",
        file=out,
    )
    print("", file=out)
    print("fixed costs (8x8 float32):", file=out)
    print(f"  plain Python function call     {over['plain_python_call_us']:8.2f} us", file=out)
    print(f"  empty tf.function call         {over['empty_tf_function_call_us']:8.2f} us", file=out)
    print(f"  graph call overhead (diff)     {over['graph_call_overhead_us']:8.2f} us", file=out)
    for name, cost in over["eager_op_us_by_op"].items():
        print(f"  one eager op: tf.{name:<13} {cost:8.2f} us", file=out)
    print(f"  one eager op: elementwise mean {over['eager_op_us']:8.2f} us", file=out)
    for s in result["series"]:
        print("", file=out)
        print(f"mix {s['mix']}, {s['size']}x{s['size']} float32:", file=out)
        print(
            f"  {'k':>4} {'eager us':>10} {'graph us':>10} {'speedup':>8} {'1st call ms':>12}"
            f" {'speedup of p10s':>16}",
            file=out,
        )
        for p in s["points"]:
            print(
                f"  {p['k']:>4} {p['eager_us']:>10.1f} {p['graph_us']:>10.1f} {p['speedup']:>7.2f}x"
                f" {p['first_call_ms']:>12.1f} {p['speedup_p10']:>15.2f}x",
                file=out,
            )
        fit = s["fit"]
        print(
            f"  break-even k = {_fmt(s['break_even_k'])} ({s['break_even_status']}, {s['crossings']} crossing(s),"
            f" faster at every k from {_fmt(s['stays_faster_from_k'])});"
            f" fit: eager {fit['eager_fixed_us']:.1f} + {fit['eager_per_op_us']:.2f}*k us,"
            f" graph {fit['graph_fixed_us']:.1f} + {fit['graph_per_op_us']:.2f}*k us,"
            f" model break-even k = {_fmt(fit['model_break_even_k'])}",
            file=out,
        )
    print("", file=out)
    print("break-even op count per mix and size (first crossing of 1.0 / every k faster from / Theil-Sen"
          " model / first crossing of the 10th-percentile speedup):", file=out)
    print(
        f"  {'mix':<12} {'size':>8}  {'break-even':>10} {'status':<12} {'all from':>8} {'model':>7} {'p10':>6}",
        file=out,
    )
    for s in result["series"]:
        print(
            f"  {s['mix']:<12} {str(s['size']) + 'x' + str(s['size']):>8}  "
            f"{_fmt(s['break_even_k']):>10} {s['break_even_status']:<12} {_fmt(s['stays_faster_from_k']):>8}"
            f" {_fmt(s['fit']['model_break_even_k']):>7} {_fmt(s['break_even_k_p10']):>6}",
            file=out,
        )
    rec = result["recommendation"]
    current = result["current_default"]
    print("", file=out)
    print(
        f"recommended default threshold (MIN_OPS_PER_CALL): {rec['recommended_threshold']}"
        f"  [break-even of {rec['basis']} = {_fmt(rec['basis_break_even_k'])}, rounded up to a multiple of {ROUND_TO};"
        f" from 10th percentiles: {_fmt(rec['basis_break_even_k_p10'])}]"
        + (f"; current default: {current}" if current is not None else ""),
        file=out,
    )
    if rec["basis_status"] != "crossed" or rec["basis_crossings"] > 1:
        print(
            f"note: the {rec['basis']} curve is {rec['basis_status']} with {rec['basis_crossings']} crossing(s) of 1.0;"
            " the machine was probably too noisy: run again on a quieter machine",
            file=out,
        )
    print(f"total wall time: {result['wall_seconds']:.1f} s", file=out)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parse_args(argv)
    started = time.perf_counter()
    seconds = args.seconds if args.seconds is not None else (0.03 if args.quick else 0.2)
    k_values = QUICK_K if args.quick else FULL_K
    large_k_values = QUICK_LARGE_K if args.quick else FULL_LARGE_K
    rounds = QUICK_ROUNDS if args.quick else FULL_ROUNDS

    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    load_before = os.getloadavg()
    warm_up(tf, seconds / 2)
    overhead = measure_overheads(tf, seconds)
    series = []
    small = Workloads(tf, SMALL_SIZE)
    for mix in MIXES:
        series.append(measure_series(tf, small, mix, k_values, seconds, rounds))
    for size in LARGE_SIZES:
        work = Workloads(tf, size)
        for mix in MIXES:
            series.append(measure_series(tf, work, mix, large_k_values, seconds, rounds))

    result = {
        "schema": SCHEMA_VERSION,
        "mode": "quick" if args.quick else "full",
        "environment": {
            "tensorflow": tf.__version__,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "machine": platform.machine(),
            "cpu_count": os.cpu_count(),
            "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
            # Other processes on the machine make every number noisier (and the
            # graph's fixed overhead larger); the load average says how busy it was.
            "load_average_before": list(load_before),
            "load_average_after": list(os.getloadavg()),
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        },
        "settings": {
            "seconds": seconds,
            "batch_seconds": BATCH_SECONDS,
            "rounds": rounds,
            "k_values": list(k_values),
            "large_k_values": list(large_k_values),
            "small_size": SMALL_SIZE,
            "large_sizes": list(LARGE_SIZES),
            "mixes": {name: list(ops) for name, ops in MIXES.items()},
        },
        "overhead": overhead,
        "series": series,
        "break_even": {f"{s['mix']}/{s['size']}x{s['size']}": s["break_even_k"] for s in series},
        "recommendation": recommend(series, k_values),
        "current_default": _current_default(),
    }
    result["recommended_threshold"] = result["recommendation"]["recommended_threshold"]
    result["wall_seconds"] = time.perf_counter() - started
    report(result)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)
            handle.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
