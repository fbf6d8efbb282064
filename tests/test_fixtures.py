"""Every rule against its annotated fixtures, through the library and through real flake8."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from annotations import compare, read_annotations
from conftest import FIXTURES, ROOT, flake8, rule_fixtures
from flake8_hybrid.fix.engine import applicable, fix_source
from flake8_hybrid.fix.flake8_config import Flake8Config
from flake8_hybrid.lint import lint_source
from flake8_hybrid.settings import Settings

FIXTURE_FILES = rule_fixtures()
_FLAKE8_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>HYB\d{3}) (?P<text>.*)$")


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("preview", [False, True], ids=["default", "preview"])
@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_library_findings_match_annotations(path: Path, preview: bool) -> None:
    """The default tier reports exactly the ``expect:`` cases; --hybrid-preview adds exactly the
    ``expect-preview:`` ones."""
    source = path.read_text(encoding="utf-8")
    findings = lint_source(source, _relative(path), Settings(preview=preview))
    reported = [(f.line, f.col + 1, f.code, f.message) for f in findings if not _noqa(source, f.line, f.code)]
    assert compare(path, reported, preview=preview) == []


def _noqa(source: str, line: int, code: str) -> bool:
    """A ``# noqa: CODE`` on the line silences it, as flake8 does (the library itself reports it)."""
    match = re.search(r"#\s*noqa:\s*([A-Z0-9, ]+)", source.splitlines()[line - 1])
    return bool(match) and code in re.findall(r"HYB\d{3}", match.group(1))


def _flake8_reports(output: str) -> dict[str, list[tuple[int, int, str, str]]]:
    reports: dict[str, list[tuple[int, int, str, str]]] = {}
    for line in output.splitlines():
        match = _FLAKE8_LINE.match(line)
        assert match, f"unexpected flake8 output line: {line!r}"
        path = str(Path(match["path"]).resolve().relative_to(ROOT))
        reports.setdefault(path, []).append(
            (int(match["line"]), int(match["col"]), match["code"], f"{match['code']} {match['text']}")
        )
    return reports


@pytest.fixture(scope="module")
def flake8_runs() -> dict[str, str]:
    """flake8 over all fixtures, with one and with two jobs."""
    outputs = {}
    for jobs in ("1", "2"):
        result = flake8(
            "--isolated", "--select=HYB", "--extend-exclude=fixed,programs,oracle,semantics", f"--jobs={jobs}",
            "fixtures"
        )
        assert result.returncode == 1, result.stderr  # findings: exit 1, no crash
        assert result.stderr == ""
        outputs[jobs] = result.stdout
    return outputs


def test_real_flake8_reports_exactly_the_annotations(flake8_runs: dict[str, str]) -> None:
    reports = _flake8_reports(flake8_runs["1"])
    problems = []
    for path in FIXTURE_FILES:
        problems += compare(path, reports.pop(_relative(path), []))
    assert problems == []
    assert reports == {}, "flake8 reported on files that are not annotated fixtures"


def test_jobs_do_not_change_the_output(flake8_runs: dict[str, str]) -> None:
    assert sorted(flake8_runs["2"].splitlines()) == sorted(flake8_runs["1"].splitlines())
    assert flake8_runs["1"].count("HYB") > 50


# -- fixes -----------------------------------------------------------------
@pytest.fixture(scope="module")
def config() -> Flake8Config:
    return Flake8Config(["--isolated"])


def _golden(path: Path) -> Path:
    return FIXTURES / "fixed" / path.relative_to(FIXTURES)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fix_matches_golden_output(path: Path, config: Flake8Config) -> None:
    source = path.read_text(encoding="utf-8")
    outcome = fix_source(source, _relative(path), config, unsafe_fixes=False)
    golden = _golden(path)
    if not outcome.changed:
        assert not golden.exists(), f"{golden} exists but the fixer changes nothing in {path.name}"
        return
    assert golden.exists(), f"{path.name} has fixes: its expected output belongs in {golden}"
    assert outcome.fixed_source == golden.read_text(encoding="utf-8")
    # Every applied fix removed its finding, and nothing applicable is left.
    assert not any(applicable(finding, False) for finding in outcome.remaining)
    fixed_codes = {(f.line, f.code) for f in outcome.applied}
    assert fixed_codes, "a changed file must have applied fixes"


@pytest.mark.parametrize("path", sorted((FIXTURES / "fixed").rglob("*.py")), ids=lambda p: p.name)
def test_golden_outputs_are_fixed_points(path: Path, config: Flake8Config) -> None:
    # Lint the fixed code where the original lives, so the target version is the same.
    original = FIXTURES / path.relative_to(FIXTURES / "fixed")
    source = path.read_text(encoding="utf-8")
    outcome = fix_source(source, _relative(original), config, unsafe_fixes=False)
    assert outcome.fixed_source == source, "a second fix run changed the output"
    assert not any(applicable(finding, False) for finding in outcome.findings)


# -- every implemented rule is documented and has positive and negative cases
def test_each_implemented_rule_has_fixtures_both_ways() -> None:
    from flake8_hybrid.rules import implemented_codes

    positives: set[str] = set()
    negatives: set[str] = set()
    for path in FIXTURE_FILES:
        annotations = read_annotations(path)
        positives |= annotations.codes()
        negatives |= annotations.near_miss_codes()
    # HYB000 reports the analyzer's own failures: test_flake8.py provokes it instead.
    for code in sorted(implemented_codes() - {"HYB000"}):
        assert code in positives, f"{code} has no 'expect:' fixture case"
        assert code in negatives, f"{code} has no 'ok:' near-miss fixture case"
