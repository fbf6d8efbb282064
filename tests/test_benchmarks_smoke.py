"""Smoke tests of the scripts under benchmarks/ (structure only, never absolute timings)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import ROOT

CALIBRATE = ROOT / "benchmarks" / "calibrate_cost_model.py"
LINT_OVERHEAD = ROOT / "benchmarks" / "lint_overhead.py"


def test_calibration_quick(tmp_path):
    out = tmp_path / "calibration.json"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run(
        [sys.executable, str(CALIBRATE), "--quick", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "recommended default threshold" in proc.stdout

    result = json.loads(out.read_text(encoding="utf-8"))
    for key in ("schema", "mode", "environment", "settings", "overhead", "series", "break_even",
                "recommendation", "recommended_threshold", "wall_seconds"):
        assert key in result, key
    assert result["mode"] == "quick"

    overhead = result["overhead"]
    for key in ("plain_python_call_us", "empty_tf_function_call_us", "graph_call_overhead_us",
                "eager_op_us", "eager_op_us_by_op"):
        assert key in overhead, key
    assert overhead["eager_op_us"] > 0
    assert overhead["graph_call_overhead_us"] > 0

    settings = result["settings"]
    sizes = [settings["small_size"], *settings["large_sizes"]]
    expected = {(mix, size) for mix in settings["mixes"] for size in sizes}
    assert {(s["mix"], s["size"]) for s in result["series"]} == expected
    assert len(result["break_even"]) == len(expected)
    for series in result["series"]:
        k_values = settings["k_values"] if series["size"] == settings["small_size"] else settings["large_k_values"]
        assert [p["k"] for p in series["points"]] == k_values
        for point in series["points"]:
            assert {"k", "eager_us", "graph_us", "speedup", "first_call_ms"} <= point.keys()
            assert point["eager_us"] > 0 and point["graph_us"] > 0 and point["first_call_ms"] > 0
        assert {"break_even_k", "break_even_status", "stays_faster_from_k", "crossings", "fit"} <= series.keys()
        assert {"speedup_p10", "eager_p10_us", "graph_p10_us"} <= series["points"][0].keys()
        if series["size"] == settings["small_size"]:
            # On small tensors an eager op is mostly dispatch overhead, which a
            # graph removes: the more ops, the more the graph gains, on any
            # machine. Checked on the 10th-percentile speedup: on a busy machine
            # graph calls (not eager ops) now and then take milliseconds longer,
            # which can move even the median of a short --quick measurement.
            first, last = series["points"][0], series["points"][-1]
            assert last["speedup_p10"] > first["speedup_p10"], series

    threshold = result["recommended_threshold"]
    assert isinstance(threshold, int) and threshold > 0 and threshold % 5 == 0


def test_lint_overhead_quick(tmp_path):
    # --quick lints the repository's own programs (no download), one round.
    out = tmp_path / "overhead.json"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, str(LINT_OVERHEAD), "--quick", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    for heading in ("== flake8 with and without flake8-hybrid", "== plugin per file, cold cache", "== scaling",
                    "== standard library", "== flake8-hybrid-fix --diff", "== layouts", "== targets"):
        assert heading in proc.stdout, heading

    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["mode"] == "quick" and result["corpus"]["files"] > 10
    for jobs in ("jobs1", "jobs2"):
        row = result["overhead"][jobs]
        assert {"without", "cold", "warm", "ratio_cold", "ratio_warm"} <= row.keys()
        assert row["ratio_cold"] > 0 and row["ratio_warm"] > 0
        assert row["cold"]["hyb000"] == 0 and row["warm"]["hyb000"] == 0
        assert row["cold"]["findings"] > 0  # the programs carry HYB findings on purpose
        assert row["warm"]["peak_mb"] > 0
    for label in ("cold", "warm"):
        per_file = result["per_file"][label]
        assert per_file["files"] == result["corpus"]["files"] and per_file["crashes"] == 0
        assert 0 <= per_file["median_ms"] <= per_file["p99_ms"] <= per_file["max_ms"]
    for layout in ("unmarked", "in a dot-directory"):  # each file's project found once
        row = result["layouts"][layout]
        assert not row["failed"] and row["ratio"] > 0 and row["peak_mb"] > 0, row
    assert [row["fraction"] for row in result["scaling"]["rows"]] == [0.1, 0.3, 1.0]
    assert result["stdlib"]["files"] > 0 and result["stdlib"]["crashes"] == 0
    fixer = result["fixer"]
    assert 0 < fixer["parsed_sources"] <= fixer["files"] and fixer["internal_errors"] == 0


def test_fact_reach_joins_callers_and_callees(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from fact_reach import reach
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    (tmp_path / "a.py").write_text("from b import g\n\n\ndef f(x):\n    return g(x)\n")
    (tmp_path / "b.py").write_text("def g(y):\n    return y\n")
    (tmp_path / "c.py").write_text("def h():\n    return 1\n")
    result = reach(str(tmp_path))
    assert result["modules"] == 3
    assert result["largest component (functions)"] == 2  # f and g
    assert result["largest component share of modules"] == 2 / 3
    assert result["reach median"] == 2 / 3 and result["reach max"] == 2 / 3  # a and b reach each other, c itself
