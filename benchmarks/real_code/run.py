"""The real-code precision benchmark: what flake8-hybrid says about TensorFlow code nobody here wrote.

    python benchmarks/real_code/run.py lint      # lint the pinned corpus, record every finding
    python benchmarks/real_code/run.py report    # precision per code on the judged sample
    python benchmarks/real_code/run.py sample    # findings of the current run that still need a judgment

``lint`` downloads each pinned wheel once (``benchmarks/corpus.py``), lays it out as the project it
is (its ``.py`` files under a ``setup.cfg`` written from the wheel's own METADATA: name, Python and
TensorFlow requirements), runs ``flake8 --select HYB`` over it as a user would (once by default and
once with ``--hybrid-preview``, each with a fresh cache) and writes every finding, with its tier, to
``findings.json``. Nothing here imports the corpus, nor TensorFlow.

``report`` reads ``findings.json`` and ``judged.yaml`` (one entry per judged finding: TRUE or FALSE,
a one-line reason, how it was checked, ``read`` or ``ran`` under TensorFlow, and the tier it was
judged in) and prints, per code, the default findings before (``baseline.json``) and now, how many
of them are judged, how many are TRUE, the precision, the preview findings and how many of those a
judge found TRUE, and the code's status in the registry; then the judged findings that
disappeared, the judged default findings that moved to the preview tier and the default findings
not yet judged. ``--write`` records the table in
``precision.json``, which the registry's figures are checked against (tests/test_registry.py).

``sample`` lists what ``judged.yaml`` still lacks for the rule of the benchmark: every default
finding of a code that fires fewer than 20 times, otherwise at least 20 spread over the projects.
"""

from __future__ import annotations

import argparse
import datetime
import email.parser
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # benchmarks/corpus.py

from corpus import DEFAULT_DIRECTORY, corpus_sources, download_wheel  # noqa: E402

#: The corpus: pinned wheels, judged unless said otherwise. Keep it to these projects, so that
#: figures stay comparable from version to version. TensorFlow's own sources are linted for
#: crashes, time and memory only.
PROJECTS = (
    ("tf-models-official", "2.20.0", True),
    ("tf-keras", "2.21.0", True),
    ("tf-agents", "0.19.0", True),
    ("dm-sonnet", "2.0.2", True),
    ("gpflow", "2.11.2", True),
    ("tensorflow-addons", "0.23.0", True),
    ("tensorflow-probability", "0.25.0", True),
    ("keras", "3.15.1", True),
    ("keras-hub", "0.32.0", True),
    ("keras-cv", "0.9.0", True),
    ("tensorflow-datasets", "4.9.10", True),
    ("tensorflow-text", "2.21.1", True),
    ("tensorflow-model-optimization", "0.8.1", True),
    ("tensorflow-graphics", "2021.12.3", True),
    ("tensorflow-hub", "0.16.1", True),
    ("tensorflow", "2.21.0", False),
)
CORPUS_VERSION = "real-code-1"  # bump when PROJECTS changes: figures of another corpus do not compare
FINDINGS = HERE / "findings.json"
JUDGED = HERE / "judged.yaml"
BASELINE = HERE / "baseline.json"
PRECISION = HERE / "precision.json"
LAYOUT = DEFAULT_DIRECTORY / "real_code"
#: A code is sampled whole below this many default findings, else at least this many are judged.
SAMPLE_SIZE = 20
#: Precision a code needs to be stable, over at least MIN_JUDGED judged findings (or all, when fewer).
STABLE_PRECISION = 0.9
MIN_JUDGED = 10
_FORMAT = "%(path)s\t%(row)d\t%(col)d\t%(code)s\t%(text)s"


# -- the corpus, laid out as projects ---------------------------------------------------------
def project_root(name: str, version: str) -> Path:
    """The wheel's sources under a setup.cfg made from its METADATA (made once)."""
    root = LAYOUT / f"{name}-{version}"
    if (root / "setup.cfg").exists():
        return root
    sources = corpus_sources(name, version)
    metadata = _metadata(download_wheel(name, version, DEFAULT_DIRECTORY))
    partial = LAYOUT / f"{name}-{version}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(sources, partial, ignore=shutil.ignore_patterns(".complete"))
    (partial / "setup.cfg").write_text(_setup_cfg(metadata), encoding="utf-8")
    shutil.rmtree(root, ignore_errors=True)
    partial.rename(root)
    return root


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        member = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(archive.read(member).decode("utf-8", "replace"))


def _setup_cfg(metadata: email.message.Message) -> str:
    """A setup.cfg declaring what the wheel declares: the project is an installable package."""
    required, extras = [], defaultdict(list)
    for requirement in metadata.get_all("Requires-Dist") or []:
        spec, _, marker = requirement.partition(";")
        extra = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", marker)
        (extras[extra.group(1)] if extra else required).append(spec.strip())
    lines = ["[metadata]", f"name = {metadata['Name']}", f"version = {metadata['Version']}", "", "[options]",
             "packages = find:"]
    if metadata.get("Requires-Python"):
        lines.append(f"python_requires = {metadata['Requires-Python']}")
    if required:
        lines += ["install_requires =", *(f"    {r}" for r in required)]
    if extras:
        lines += ["", "[options.extras_require]"]
        for extra, specs in extras.items():
            lines += [f"{extra} =", *(f"    {s}" for s in specs)]
    return "\n".join(lines) + "\n"


# -- linting ------------------------------------------------------------------------------------
def lint_project(root: Path, preview: bool) -> tuple[list[dict], dict]:
    """flake8 --select HYB over the project, from its root, with a cache of its own."""
    cache = tempfile.mkdtemp(prefix="hyb-real-code-")
    command = [sys.executable, "-m", "flake8", "--select", "HYB", "--jobs", "2", f"--format={_FORMAT}",
               f"--hybrid-cache-dir={cache}", "."]
    if preview:
        command.insert(-1, "--hybrid-preview")
    # Through a wrapper that reports its own children's peak memory: RUSAGE_CHILDREN here would
    # give the peak of every project linted so far.
    wrapper = [sys.executable, "-c", _PEAK_WRAPPER, *command]
    started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        completed = subprocess.run(wrapper, cwd=root, capture_output=True, text=True)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = re.search(r"PEAK_RSS_KB=(\d+)", completed.stderr)
    if completed.returncode not in (0, 1):
        raise RuntimeError(f"flake8 failed in {root} ({completed.returncode}):\n{completed.stderr[-3000:]}")
    findings = []
    for line in completed.stdout.splitlines():
        path, row, col, code, text = line.split("\t", 4)
        findings.append({"path": os.path.normpath(path), "line": int(row), "col": int(col), "code": code,
                         "message": text})
    stats = {"wall_s": round(time.perf_counter() - started, 1),
             "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
             "max_rss_mb": round(int(peak.group(1)) / 1024) if peak else None}
    return findings, stats


#: Runs its arguments as a command and prints the peak memory of that command's processes.
_PEAK_WRAPPER = (
    "import resource, subprocess, sys; rc = subprocess.run(sys.argv[1:]).returncode; "
    "print(f'PEAK_RSS_KB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', file=sys.stderr); "
    "sys.exit(rc)"
)


def supports_preview() -> bool:
    completed = subprocess.run([sys.executable, "-m", "flake8", "--help"], capture_output=True, text=True)
    return "--hybrid-preview" in completed.stdout


def command_lint(arguments: argparse.Namespace) -> None:
    preview = supports_preview()
    recorded = {"corpus": CORPUS_VERSION, "date": datetime.date.today().isoformat(), "commit": _commit(),
                "projects": {}}
    for name, version, judged in PROJECTS:
        if arguments.only and name not in arguments.only:
            continue
        root = project_root(name, version)
        default, stats = lint_project(root, preview=False)
        everything, preview_stats = lint_project(root, preview=True) if preview else (default, stats)
        shown = {_key(f) for f in default}
        for finding in everything:
            finding["tier"] = "default" if _key(finding) in shown else "preview"
        crashes = [f for f in everything if f["code"] == "HYB000"]
        recorded["projects"][f"{name}"] = {
            "version": version, "judged": judged, "stats": stats, "preview_stats": preview_stats,
            "findings": sorted(everything, key=lambda f: (f["path"], f["line"], f["col"], f["code"])),
        }
        counts = Counter(f["code"] for f in default)
        print(f"{name} {version}: {len(default)} default, {len(everything) - len(default)} preview, "
              f"{len(crashes)} HYB000; {stats['wall_s']} s wall, {stats['max_rss_mb']} MB; "
              f"{dict(sorted(counts.items()))}", flush=True)
        _write(recorded, arguments)  # after each project: a long run can be read while it goes on
    print(f"wrote {_write(recorded, arguments)}")


def _write(recorded: dict, arguments: argparse.Namespace) -> Path:
    output = Path(arguments.output) if arguments.output else FINDINGS
    projects = dict(recorded["projects"])
    if arguments.only and FINDINGS.exists():  # the other projects keep their record
        projects = {**json.loads(FINDINGS.read_text(encoding="utf-8"))["projects"], **projects}
    output.write_text(json.dumps({**recorded, "projects": projects}, indent=1, sort_keys=True) + "\n",
                      encoding="utf-8")
    return output


def _commit() -> str:
    completed = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True)
    return completed.stdout.strip()


def _key(finding: dict, project: str = "") -> tuple:
    return (project, finding["path"], finding["line"], finding["code"])


# -- judgments and the report -------------------------------------------------------------------
def load_judged() -> dict[tuple, dict]:
    import yaml

    if not JUDGED.exists():
        return {}
    entries = yaml.safe_load(JUDGED.read_text(encoding="utf-8")) or []
    judged = {}
    for entry in entries:
        verdict = entry.get("verdict")
        if isinstance(verdict, bool):  # YAML reads an unquoted TRUE as a boolean
            entry["verdict"] = "TRUE" if verdict else "FALSE"
        if entry.get("verdict") not in ("TRUE", "FALSE") or entry.get("checked") not in ("read", "ran"):
            raise ValueError(f"judged.yaml: an entry needs verdict TRUE/FALSE and checked read/ran: {entry}")
        if entry.setdefault("tier", "default") not in ("default", "preview"):
            raise ValueError(f"judged.yaml: tier is default or preview: {entry}")
        judged[(entry["project"], os.path.normpath(entry["path"]), int(entry["line"]), entry["code"])] = entry
    return judged


def default_findings(recorded: dict, judged_only: bool = True) -> dict[tuple, dict]:
    found = {}
    for project, data in recorded["projects"].items():
        if judged_only and not data["judged"]:
            continue
        for finding in data["findings"]:
            if finding.get("tier", "default") == "default":
                found[_key(finding, project)] = finding
    return found


def precision_table(recorded: dict, judged: dict, baseline: dict) -> list[dict]:
    from flake8_hybrid.registry import all_rules

    found = default_findings(recorded)
    preview = Counter(
        f["code"] for p, d in recorded["projects"].items() if d["judged"]
        for f in d["findings"] if f.get("tier") == "preview"
    )
    in_preview = {k for k, f in all_findings(recorded, judged_only=True).items() if f.get("tier") == "preview"}
    rows = []
    for code, rule in all_rules().items():
        keys = [k for k in found if k[3] == code]
        verdicts = [judged[k]["verdict"] for k in keys if k in judged]
        true = verdicts.count("TRUE")
        # The preview tier is judged too, for what it is worth: how often an assumption holds.
        preview_verdicts = [judged[k]["verdict"] for k in in_preview if k[3] == code and k in judged]
        rows.append({
            "code": code, "before": baseline.get(code, 0), "after": len(keys), "preview": preview.get(code, 0),
            "judged": len(verdicts), "true": true,
            "precision": round(true / len(verdicts), 3) if verdicts else None,
            "earns_stable": earns_stable(len(keys), len(verdicts), true),
            "status": getattr(rule, "status", "stable"),
            "preview_judged": len(preview_verdicts), "preview_true": preview_verdicts.count("TRUE"),
        })
    return rows


def all_findings(recorded: dict, judged_only: bool = False) -> dict[tuple, dict]:
    """Every recorded finding, either tier, by key."""
    return {_key(f, project): f for project, data in recorded["projects"].items()
            if data["judged"] or not judged_only for f in data["findings"]}


def earns_stable(found: int, judged: int, true: int) -> bool:
    """At least 90% TRUE over at least 10 judged findings, or all TRUE where fewer are found."""
    if judged == 0:
        return found == 0
    if judged >= MIN_JUDGED:
        return true / judged >= STABLE_PRECISION
    return judged == found and true == judged


def command_report(arguments: argparse.Namespace) -> None:
    recorded = json.loads(FINDINGS.read_text(encoding="utf-8"))
    judged = load_judged()
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))["default"] if BASELINE.exists() else {}
    rows = precision_table(recorded, judged, baseline)
    print(f"corpus {recorded['corpus']}, linted {recorded['date']} at {recorded['commit']}")
    print("| code | before | after | judged | TRUE | precision | preview | preview judged (TRUE) | status |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for row in rows:
        if row["code"] == "HYB000" and not row["after"]:
            continue
        shown = "—" if row["precision"] is None else f"{row['precision']:.0%}"
        sampled = f"{row['preview_judged']} ({row['preview_true']})" if row["preview_judged"] else "—"
        print(f"| {row['code']} | {row['before']} | {row['after']} | {row['judged']} | {row['true']} | {shown} "
              f"| {row['preview']} | {sampled} | {row['status']} |")
    total_judged = sum(r["judged"] for r in rows)
    total_true = sum(r["true"] for r in rows)
    if total_judged:
        print(f"\nall default findings: {sum(r['after'] for r in rows)}; judged {total_judged}, TRUE {total_true} "
              f"({total_true / total_judged:.0%})")
    found = default_findings(recorded)
    everything = all_findings(recorded)
    gone = [entry for key, entry in judged.items() if key not in everything]
    shown = default_findings(recorded, judged_only=False)
    moved = [entry for key, entry in judged.items()
             if key in everything and key not in shown and entry.get("tier") == "default"]
    for title, entries in (("judged findings that disappeared", gone),
                           ("judged default findings now in the preview tier", moved)):
        verdicts = Counter(entry["verdict"] for entry in entries)
        print(f"\n{title}: {len(entries)} ({verdicts['TRUE']} TRUE, {verdicts['FALSE']} FALSE)")
        for entry in entries[: arguments.limit]:
            print(f"  {entry['project']}:{entry['path']}:{entry['line']} {entry['code']} [{entry['verdict']}] "
                  f"{entry.get('reason', '')[:100]}")
    unjudged = [key for key in found if key not in judged]
    print(f"default findings not yet judged: {len(unjudged)}")
    for key in sorted(unjudged)[: arguments.limit]:
        print(f"  {key[0]}:{key[1]}:{key[2]} {found[key]['message'][:160]}")
    crashes = [(p, f) for p, d in recorded["projects"].items() for f in d["findings"] if f["code"] == "HYB000"]
    print(f"HYB000 (analysis errors) anywhere, TensorFlow's sources included: {len(crashes)}")
    for project, finding in crashes[:20]:
        print(f"  {project}:{finding['path']}: {finding['message'][:160]}")
    for project, data in recorded["projects"].items():
        print(f"  {project}: {data['stats']}")
    if arguments.write:
        PRECISION.write_text(json.dumps({
            "corpus": recorded["corpus"], "date": recorded["date"], "commit": recorded["commit"],
            "codes": {r["code"]: {k: r[k] for k in ("after", "judged", "true", "precision", "earns_stable")}
                      for r in rows},
        }, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        write_rule_status(recorded, rows)
        print(f"wrote {PRECISION} and {RULE_STATUS}")


RULE_STATUS = HERE.parent.parent / "flake8_hybrid" / "data" / "rule_status.yaml"


def write_rule_status(recorded: dict, rows: list[dict]) -> None:
    """The registry's status and figures, from this benchmark: stable exactly when a code earns it."""
    header = [line for line in RULE_STATUS.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    lines = [*header, f"corpus: {recorded['corpus']}", f'date: "{recorded["date"]}"', "codes:"]
    for row in rows:
        status = "stable" if row["earns_stable"] else "preview"
        lines.append(f"  {row['code']}: {{status: {status}, found: {row['after']}, judged: {row['judged']}, "
                     f"\"true\": {row['true']}}}")  # quoted: YAML reads a bare true as a boolean
    RULE_STATUS.write_text("\n".join(lines) + "\n", encoding="utf-8")


def command_sample(arguments: argparse.Namespace) -> None:
    """The default findings a judge should look at next: per code, all below SAMPLE_SIZE, else
    SAMPLE_SIZE spread over the projects (round robin, in a fixed order)."""
    recorded = json.loads(FINDINGS.read_text(encoding="utf-8"))
    judged = load_judged()
    found = default_findings(recorded)
    by_code: dict[str, list] = defaultdict(list)
    for key in sorted(found):
        by_code[key[3]].append(key)
    wanted = []
    for code, keys in sorted(by_code.items()):
        if arguments.code and code not in arguments.code:
            continue
        done = [k for k in keys if k in judged]
        need = len(keys) if len(keys) < SAMPLE_SIZE else SAMPLE_SIZE
        if len(done) >= need:
            continue
        by_project: dict[str, list] = defaultdict(list)
        for key in keys:
            if key not in judged:
                by_project[key[0]].append(key)
        picks = []
        while len(picks) < need - len(done) and any(by_project.values()):
            for project in sorted(by_project):
                if by_project[project] and len(picks) < need - len(done):
                    queue = by_project[project]
                    picks.append(queue.pop(len(queue) // 2 if len(picks) % 2 else 0))
        wanted += picks
    for key in wanted:
        finding = found[key]
        root = project_root(*_version_of(key[0]))
        print(f"{key[0]}\t{root / key[1]}:{key[2]}\t{key[3]}\t{finding['message']}")


def _version_of(project: str) -> tuple[str, str]:
    return next((n, v) for n, v, _ in PROJECTS if n == project)


def command_baseline(arguments: argparse.Namespace) -> None:
    recorded = json.loads(FINDINGS.read_text(encoding="utf-8"))
    counts = Counter(key[3] for key in default_findings(recorded))
    BASELINE.write_text(json.dumps({"commit": recorded["commit"], "date": recorded["date"],
                                    "default": dict(sorted(counts.items()))}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {BASELINE}: {dict(sorted(counts.items()))}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    lint = commands.add_parser("lint", help="lint the corpus and record every finding")
    lint.add_argument("--only", nargs="*", help="lint only these projects (the others keep their record)")
    lint.add_argument("--output", help="where to write the findings (default findings.json)")
    report = commands.add_parser("report", help="precision per code on the judged sample")
    report.add_argument("--limit", type=int, default=40, help="unjudged findings to list")
    report.add_argument("--write", action="store_true", help="record the table in precision.json")
    sample = commands.add_parser("sample", help="findings still to judge")
    sample.add_argument("--code", nargs="*")
    commands.add_parser("baseline", help="record the default counts of findings.json as the 'before' column")
    arguments = parser.parse_args(argv)
    {"lint": command_lint, "report": command_report, "sample": command_sample,
     "baseline": command_baseline}[arguments.command](arguments)
    return 0


if __name__ == "__main__":
    sys.exit(main())
