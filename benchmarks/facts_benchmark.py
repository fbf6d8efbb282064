"""How long the project analysis takes on a real code base, cold and warm.

    python benchmarks/facts_benchmark.py                  # about a minute on 2 cores
    python benchmarks/facts_benchmark.py --json out.json  # also write every figure to out.json

Computes the facts of every function in the sources of the pinned wheel
tf-models-official 2.20.0 (downloaded once into benchmarks/.corpus/, see corpus.py) twice,
each time in a fresh Python process so that memory and in-process caches start clean:

* cold: the summary cache directory is empty (a new temporary directory);
* warm: the same cache directory again, so every module summary is loaded from it.

For each run it reports the wall time of building the ``Project`` (the per-module summaries),
the time of ``project.facts()`` (the cross-module fixpoint), the files, lines and functions
analyzed, the files the engine skipped, the distribution of the per-file summary time
(``project.timings``), the files over the one-second budget, the pauses of full garbage
collections, and the peak memory of the process (``ru_maxrss``); then a few counts of what the
analysis found, and whether both runs computed the same facts.

When the engine fails, the run says where: a crash while summarizing is reported with its
traceback and the files that trigger it (each file is then summarized alone), and those files
are left out of a second attempt so the other figures can still be measured; a run that
exceeds ``--timeout`` is interrupted and reports the phase, the file it was working on and
its stack. ``--exclude`` leaves known-bad files out. TensorFlow is never imported.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
NAME, VERSION = "tf-models-official", "2.20.0"
BUDGET_SECONDS = 1.0  # no file may take longer to summarize
SLOWEST = 5
FRAMES = 12  # outermost and innermost frames kept from a deep traceback


# --------------------------------------------------------------------------- the child: one run


def peak_memory_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


class FullCollections:
    """Pauses of Python's full (generation 2) garbage collections: they land on whichever file is
    being summarized, so they explain per-file times that the file's size does not."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif info["generation"] == 2:
            self.pauses.append(time.perf_counter() - self._started)

    def figures(self) -> dict:
        pauses = self.pauses
        return {"count": len(pauses), "seconds": sum(pauses, 0.0), "max_seconds": max(pauses, default=0.0)}


def measure(root: str, cache_directory: str, excluded: list[str], result_file: str) -> None:
    """Build the project and its facts; keep ``result_file`` up to date with what is known so far."""
    result: dict = {}
    collections = FullCollections()

    def save(phase: str) -> None:
        result["phase"] = phase
        result["peak_memory_mb"] = round(peak_memory_mb(), 1)
        result["full_collections"] = collections.figures()
        temporary = result_file + ".tmp"
        with open(temporary, "w", encoding="utf-8") as file:
            json.dump(result, file)
        os.replace(temporary, result_file)

    try:
        save("loading the API model")
        started = time.perf_counter()
        import flake8_hybrid
        from flake8_hybrid.analysis.api_model import api_model
        from flake8_hybrid.analysis.layout import discover
        from flake8_hybrid.analysis.project import Project

        result["engine"] = os.path.dirname(os.path.abspath(flake8_hybrid.__file__))

        api = api_model()
        result["api_model_seconds"] = time.perf_counter() - started

        save("summaries")
        skip = {os.path.abspath(p) for p in excluded}
        paths = [p for p in discover(root) if os.path.abspath(p) not in skip]
        result["files"] = len(paths)
        started = time.perf_counter()
        try:
            project = Project(root, api, cache_directory=cache_directory, paths=paths)
        except Exception as error:
            result["crash"] = {"phase": "summaries", "traceback": _format(error)}
            project = None
        if project is None:
            save("finding the files that crash the engine")
            result["crashing_files"] = crashing_files(root, api, paths)
            save("crashed")
            return
        result["summaries_seconds"] = time.perf_counter() - started
        result["errors"] = {os.path.relpath(p, root): why for p, why in project.errors.items()}
        result["timings"] = {os.path.relpath(p, root): t for p, t in project.timings.items()}
        result["peak_memory_after_summaries_mb"] = round(peak_memory_mb(), 1)

        save("facts")
        started = time.perf_counter()
        facts = project.facts()
        result["facts_seconds"] = time.perf_counter() - started

        save("aggregates")
        result["aggregates"] = aggregates(facts.values())
        result["facts_digests"] = {
            key.replace(root + os.sep, ""): hashlib.sha256(repr(fact).encode()).hexdigest()[:16]
            for key, fact in facts.items()
        }
        save("done")
    except KeyboardInterrupt as interrupt:  # the parent's --timeout
        result["stuck"] = {
            "phase": result.get("phase"),
            "file": file_in_progress(interrupt.__traceback__, root),
            "traceback": _format(interrupt),
        }
        save(result.get("phase", "start-up"))
    except Exception as error:
        result["crash"] = {"phase": result.get("phase"), "traceback": _format(error)}
        save("crashed")


def crashing_files(root: str, api, paths: list[str]) -> dict[str, str]:
    """Summarize each file alone (no cache): the files that crash the engine -> their traceback."""
    from flake8_hybrid.analysis.project import Project

    crashing = {}
    for path in paths:
        try:
            Project(root, api, cache_directory=None, paths=[path])
        except Exception as error:
            crashing[os.path.relpath(path, root)] = _format(error)
    return crashing


def file_in_progress(trace, root: str) -> Optional[str]:
    """The innermost source file under ``root`` named by a local variable of an interrupted stack."""
    found = None
    for frame, _line in traceback.walk_tb(trace):
        for value in frame.f_locals.values():
            if isinstance(value, str) and value.endswith(".py") and value.startswith(root + os.sep):
                found = os.path.relpath(value, root)
    return found


def _format(error: BaseException) -> str:
    """The traceback of ``error``; a deep one keeps its outermost and innermost frames."""
    frames = traceback.extract_tb(error.__traceback__)
    if len(frames) > 2 * FRAMES:
        hidden = len(frames) - 2 * FRAMES
        frames = traceback.StackSummary.from_list([*frames[:FRAMES], *frames[-FRAMES:]])
        lines = frames.format()
        lines.insert(FRAMES, f"  ... {hidden} more frames ...\n")
    else:
        lines = traceback.StackSummary.from_list(frames).format()
    return "Traceback (most recent call last):\n" + "".join(lines) + "".join(
        traceback.format_exception_only(type(error), error))


def aggregates(facts) -> dict:
    """A few counts over all functions, to show that the analysis found something."""
    counts = dict.fromkeys([
        "functions",
        "hybrid (tf.function)",
        "run as graph",
        "tensor parameter: yes",
        "tensor parameter: no",
        "tensor parameter: unknown",
        "tensor parameter by convention only",
        "Python side effects",
        "recursive",
    ], 0)
    for fact in facts:
        tensor = fact.has_tensor_parameter
        counts["functions"] += 1
        counts["hybrid (tf.function)"] += fact.hybrid
        counts["run as graph"] += fact.runs_as_graph
        counts["tensor parameter: " + {True: "yes", False: "no", None: "unknown"}[tensor]] += 1
        counts["tensor parameter by convention only"] += bool(tensor and fact.speculative)
        counts["Python side effects"] += fact.side_effects
        counts["recursive"] += fact.recursive
    return counts


# --------------------------------------------------------------------------- the parent: both runs


def run(label: str, root: Path, cache_directory: str, excluded: list[str], timeout: float) -> dict:
    """One run in a fresh process; what it measured, with ``status``: done, crashed, timed out, died."""
    with tempfile.TemporaryDirectory() as scratch:
        result_file = os.path.join(scratch, "result.json")
        command = [sys.executable, __file__, "--child", str(root), cache_directory, result_file, *excluded]
        python_path = os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")]))
        # The same hash seed in both runs, so that facts that differ point at the cache, not at hashing.
        environment = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": python_path}
        started = time.monotonic()
        process = subprocess.Popen(command, env=environment)
        timed_out = False
        try:
            while True:
                try:
                    process.wait(timeout=max(1.0, min(30.0, started + timeout - time.monotonic())))
                    break
                except subprocess.TimeoutExpired:
                    elapsed = time.monotonic() - started
                    if elapsed < timeout:
                        phase = _read(result_file).get("phase", "starting")
                        print(f"  [{label}] {elapsed:5.0f} s: {phase} ...", flush=True)
                        continue
                    timed_out = True
                    process.send_signal(signal.SIGINT)  # the child records where it is
                    try:
                        process.wait(timeout=120)
                    except subprocess.TimeoutExpired:
                        pass  # killed below
                    break
        finally:
            if process.poll() is None:  # interrupted (Ctrl-C, SIGTERM) or deaf to SIGINT
                process.kill()
                process.wait()
        result = _read(result_file)
        result["wall_seconds"] = time.monotonic() - started
    phase = result.get("phase", "start-up")
    if timed_out:
        where = (result.get("stuck") or {}).get("file")
        result["status"] = f"timed out after {timeout:.0f} s in {phase}" + (f" ({where})" if where else "")
    elif "crash" in result:
        result["status"] = f"engine crashed in {result['crash']['phase']}"
    elif process.returncode != 0 or phase != "done":
        result["status"] = f"process died (exit code {process.returncode}) in {phase}"
    else:
        result["status"] = "done"
    return result


def engine_revision() -> str:
    """The git commit of this checkout, and whether the engine has uncommitted changes."""
    def git(*arguments: str) -> str:
        command = ["git", "-C", str(REPOSITORY), *arguments]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()

    try:
        dirty = git("status", "--porcelain", "--", "flake8_hybrid")
        return git("rev-parse", "--short", "HEAD") + (" with uncommitted changes to flake8_hybrid/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"


def _read(result_file: str) -> dict:
    try:
        with open(result_file, encoding="utf-8") as file:
            return json.load(file)
    except (OSError, ValueError):
        return {}


def line_counts(root: Path) -> dict[str, tuple[int, int]]:
    """Relative path -> (lines, code lines: neither blank nor only a comment) of every .py file."""
    counts = {}
    for path in sorted(root.rglob("*.py")):
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        code = sum(1 for line in lines if line.strip() and not line.lstrip().startswith("#"))
        counts[str(path.relative_to(root))] = (len(lines), code)
    return counts


def percentile(ordered: list[float], fraction: float) -> Optional[float]:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return None
    rank = math.ceil(round(fraction * len(ordered), 9))
    return ordered[min(max(rank, 1), len(ordered)) - 1]


def figures(result: dict, lines: dict[str, tuple[int, int]]) -> dict:
    """The reported figures of one run."""
    timings = result.get("timings", {})
    ordered = sorted(timings.values())
    slowest = sorted(timings.items(), key=lambda item: -item[1])[:SLOWEST]
    milliseconds = {
        "median": percentile(ordered, 0.5),
        "p90": percentile(ordered, 0.9),
        "p99": percentile(ordered, 0.99),
        "max": ordered[-1] if ordered else None,
    }
    return {
        "status": result["status"],
        "api_model_seconds": result.get("api_model_seconds"),
        "summaries_seconds": result.get("summaries_seconds"),
        "facts_seconds": result.get("facts_seconds"),
        "process_wall_seconds": result["wall_seconds"],
        "files": result.get("files"),
        "files_summarized": len(timings) if "timings" in result else None,
        "lines": sum(lines.get(p, (0, 0))[0] for p in timings),
        "code_lines": sum(lines.get(p, (0, 0))[1] for p in timings),
        "functions": (result.get("aggregates") or {}).get("functions"),
        "errors": result.get("errors", {}),
        "per_file_ms": {k: None if s is None else round(s * 1000, 2) for k, s in milliseconds.items()},
        "slowest_files": [
            {"file": path, "ms": round(seconds * 1000, 1), "lines": lines.get(path, (0, 0))[0]}
            for path, seconds in slowest
        ],
        "files_over_budget": sum(1 for s in ordered if s > BUDGET_SECONDS) if "timings" in result else None,
        "peak_memory_after_summaries_mb": result.get("peak_memory_after_summaries_mb"),
        "peak_memory_mb": result.get("peak_memory_mb"),
        "full_collections": result.get("full_collections"),
        "aggregates": result.get("aggregates"),
        "crash": result.get("crash"),
        "crashing_files": result.get("crashing_files"),
        "stuck": result.get("stuck"),
        "per_file_seconds": timings,
    }


# --------------------------------------------------------------------------- the report


def _cell(value, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def differing_facts(digests: dict[str, dict[str, str]]) -> Optional[list[str]]:
    """The functions whose facts differ between the runs (None unless both computed facts)."""
    cold, warm = digests.get("cold"), digests.get("warm")
    if cold is None or warm is None:
        return None
    return sorted(key for key in cold.keys() | warm.keys() if cold.get(key) != warm.get(key))


def report(title: str, root: Path, runs: dict[str, dict], excluded: dict[str, str],
           differences: Optional[list[str]]) -> None:
    labels = list(runs)
    rows = [
        ("files (given / summarized)", lambda f: f"{_cell(f['files'])} / {_cell(f['files_summarized'])}"),
        ("lines (code lines)", lambda f: f"{_cell(f['lines'])} ({_cell(f['code_lines'])})"),
        ("functions analyzed", lambda f: _cell(f["functions"])),
        ("files skipped by the engine", lambda f: _cell(len(f["errors"]))),
        ("API model load (s)", lambda f: _cell(f["api_model_seconds"])),
        ("summaries: Project(...) (s)", lambda f: _cell(f["summaries_seconds"])),
        ("fixpoint: project.facts() (s)", lambda f: _cell(f["facts_seconds"])),
        ("whole process (s)", lambda f: _cell(f["process_wall_seconds"], 1)),
        ("per-file summary: median (ms)", lambda f: _cell(f["per_file_ms"]["median"])),
        ("per-file summary: p90 (ms)", lambda f: _cell(f["per_file_ms"]["p90"])),
        ("per-file summary: p99 (ms)", lambda f: _cell(f["per_file_ms"]["p99"])),
        ("per-file summary: max (ms)", lambda f: _cell(f["per_file_ms"]["max"])),
        (f"files over {BUDGET_SECONDS:g} s", lambda f: _cell(f["files_over_budget"])),
        ("full GC collections: count", lambda f: _cell((f["full_collections"] or {}).get("count"))),
        ("full GC collections: total (s)", lambda f: _cell((f["full_collections"] or {}).get("seconds"))),
        ("full GC collections: longest (ms)",
         lambda f: _cell(1000 * f["full_collections"]["max_seconds"] if f["full_collections"] else None)),
        ("peak memory after summaries (MB)", lambda f: _cell(f["peak_memory_after_summaries_mb"], 0)),
        ("peak memory (MB)", lambda f: _cell(f["peak_memory_mb"], 0)),
    ]
    table = [("", *labels)] + [(name, *(get(runs[label]) for label in labels)) for name, get in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    print(f"\n{title}  ({root})")
    for label in labels:
        print(f"  {label}: {runs[label]['status']}")
    for row in table:
        cells = (cell.rjust(width) for cell, width in zip(row[1:], widths[1:]))
        print("  " + row[0].ljust(widths[0]) + "".join("  " + cell for cell in cells))

    for label in labels:
        if runs[label]["slowest_files"]:
            print(f"\n{SLOWEST} slowest files to summarize ({label}):")
            for item in runs[label]["slowest_files"]:
                print(f"  {item['ms']:10,.1f} ms  {item['lines']:6,} lines  {item['file']}")

    done = [label for label in labels if runs[label]["aggregates"]]
    if done:
        print("\nWhat the analysis found (functions):")
        for name in runs[done[0]]["aggregates"]:
            counts = "".join(f"  {_cell(runs[label]['aggregates'][name]):>8}" for label in done)
            print(f"  {name.ljust(40)}{counts}")
    if differences is not None:
        count = f"{len(differences):,} function{'s differ' if len(differences) > 1 else ' differs'}"
        examples = ", ".join(differences[:3]) + (", ..." if len(differences) > 3 else "")
        verdict = f"NO, {count}: {examples}" if differences else "yes"
        print(f"  facts identical in cold and warm: {verdict}")

    for label in labels:
        if runs[label]["errors"]:
            print(f"\nFiles skipped by the engine ({label}):")
            for path, why in sorted(runs[label]["errors"].items()):
                print(f"  {path}: {why}")
    if excluded:
        print("\nFiles left out of the runs:")
        for path, why in sorted(excluded.items()):
            print(f"  {path}: {why}")
    for label in labels:
        figure = runs[label]
        if figure["crash"] and not figure["crashing_files"]:
            print(f"\nENGINE CRASH ({label}, in {figure['crash']['phase']}):\n{figure['crash']['traceback']}")
        by_trace: dict[str, list[str]] = {}
        for path, trace in (figure["crashing_files"] or {}).items():
            by_trace.setdefault(trace, []).append(path)
        for trace, paths in by_trace.items():
            print(f"\nENGINE CRASH summarizing each of these files alone: {', '.join(paths)}\n{trace}")
        if figure["stuck"]:
            stuck = figure["stuck"]
            print(f"\nINTERRUPTED ({label}, {stuck['phase']}, file in progress: {stuck['file'] or 'unknown'}):")
            print(stuck["traceback"])


# --------------------------------------------------------------------------- main


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures (and every per-file time) to this file")
    parser.add_argument("--corpus-dir", type=Path, default=HERE / ".corpus",
                        help="where the wheel is downloaded and unpacked (default: benchmarks/.corpus)")
    parser.add_argument("--sources", type=Path,
                        help="benchmark the .py files under this directory instead of the pinned wheel")
    parser.add_argument("--exclude", action="append", default=[], metavar="FILE",
                        help="leave this file (relative to the sources) out of both runs; repeatable")
    parser.add_argument("--timeout", type=float, default=1200,
                        help="interrupt a run that takes longer than this many seconds (default: 1200)")
    arguments = parser.parse_args(argv)

    if arguments.sources:
        root, title = arguments.sources.resolve(), str(arguments.sources)
    else:
        sys.path.insert(0, str(HERE))
        from corpus import corpus_sources

        root, title = corpus_sources(NAME, VERSION, arguments.corpus_dir).resolve(), f"{NAME} {VERSION}"
    excluded = {}
    for name in arguments.exclude:
        if not (root / name).is_file():
            parser.error(f"--exclude {name}: no such file under {root}")
        excluded[str((root / name).relative_to(root))] = "--exclude"
    lines = line_counts(root)
    print(f"{title}: {len(lines)} .py files, {sum(n for n, _ in lines.values()):,} lines in {root}")
    revision = engine_revision()
    print(f"engine: {REPOSITORY / 'flake8_hybrid'} at {revision}")
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}",
          flush=True)

    cache_directory = tempfile.mkdtemp(prefix="facts-benchmark-cache-")
    runs: dict[str, dict] = {}
    digests: dict[str, dict[str, str]] = {}
    try:
        for label in ("cold", "warm"):
            print(f"\n[{label}] analyzing in a fresh process (cache: {cache_directory}) ...", flush=True)
            result = run(label, root, cache_directory, [str(root / p) for p in excluded], arguments.timeout)
            if label == "cold" and result.get("crashing_files"):
                excluded.update(dict.fromkeys(result["crashing_files"], "crashes the engine"))
                count = len(result["crashing_files"])
                print(f"[cold] {result['status']}: again without the {count} files that crash it", flush=True)
                shutil.rmtree(cache_directory)
                os.mkdir(cache_directory)
                crashed = result
                result = run(label, root, cache_directory, [str(root / p) for p in excluded], arguments.timeout)
                result.setdefault("crash", crashed["crash"])
                result.setdefault("crashing_files", crashed["crashing_files"])
            runs[label] = figures(result, lines)
            if "facts_digests" in result:
                digests[label] = result["facts_digests"]
            engine = result.get("engine")
            if engine and Path(engine) != REPOSITORY / "flake8_hybrid":
                print(f"[{label}] warning: the engine was imported from {engine}", flush=True)
            print(f"[{label}] {runs[label]['status']} ({result['wall_seconds']:.1f} s)", flush=True)
    finally:
        shutil.rmtree(cache_directory, ignore_errors=True)

    differences = differing_facts(digests)
    report(title, root, runs, excluded, differences)
    load = os.getloadavg()[0]
    print(f"\nload average at the end: {load:.2f} on {os.cpu_count()} CPUs")
    if arguments.json:
        document = {
            "corpus": {"title": title, "root": str(root), "files": len(lines),
                       "lines": sum(n for n, _ in lines.values())},
            "engine": {"path": str(REPOSITORY / "flake8_hybrid"), "revision": revision},
            "environment": {"python": platform.python_version(), "platform": platform.platform(),
                            "cpus": os.cpu_count(), "load_average_at_end": load},
            "budget_seconds": BUDGET_SECONDS,
            "excluded": excluded,
            "runs": runs,
            "facts_differing_between_runs": differences,
        }
        arguments.json.write_text(json.dumps(document, indent=2), encoding="utf-8")
        print(f"wrote {arguments.json}")
    ok = all(f["status"] == "done" and not f["crash"] and f["files_over_budget"] == 0 for f in runs.values())
    return 0 if ok and not differences else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        root_, cache_, result_, *excluded_ = sys.argv[2:]
        measure(root_, cache_, excluded_, result_)
    else:
        signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))  # clean up on kill
        sys.exit(main())
