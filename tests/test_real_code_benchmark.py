"""The real-code benchmark's own logic, offline: its project layout, the stable rule, the sample
and the precision table (the corpus itself is downloaded only by ``run.py lint``)."""

from __future__ import annotations

import email.parser
import json
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "real_code"
sys.path.insert(0, str(BENCHMARK))
import run  # noqa: E402  (benchmarks/real_code/run.py)

sys.path.remove(str(BENCHMARK))


@pytest.mark.parametrize("found, judged, true, stable", [
    (0, 0, 0, True),      # nothing found: nothing wrong
    (3, 3, 3, True),      # fewer than ten found, all judged TRUE
    (3, 3, 2, False),     # one of three wrong
    (3, 2, 2, False),     # not all judged
    (40, 20, 18, True),   # 90% over at least ten judged
    (40, 20, 17, False),  # 85%
    (40, 9, 9, False),    # too few judged
])
def test_a_code_earns_stable_at_ninety_percent_over_ten_or_all_of_fewer(found, judged, true, stable):
    assert run.earns_stable(found, judged, true) is stable


def test_the_layout_declares_what_the_wheel_declares():
    metadata = email.parser.Parser().parsestr(
        "Name: sample\nVersion: 1.0\nRequires-Python: >=3.10\nRequires-Dist: numpy\n"
        "Requires-Dist: tensorflow>=2.16; extra == \"tf\"\n"
    )
    text = run._setup_cfg(metadata)
    assert "[metadata]\nname = sample\nversion = 1.0" in text
    assert "python_requires = >=3.10" in text and "install_requires =\n    numpy" in text
    assert "[options.extras_require]\ntf =\n    tensorflow>=2.16" in text


def _recorded(findings: dict) -> dict:
    return {"corpus": "c", "date": "d", "commit": "x", "projects": {
        project: {"judged": project != "tensorflow", "findings": entries} for project, entries in findings.items()
    }}


def test_precision_counts_judged_default_findings_only(tmp_path, monkeypatch):
    finding = {"path": "a.py", "col": 0, "message": "m", "tier": "default"}
    recorded = _recorded({
        "p": [{**finding, "line": 1, "code": "HYB001"}, {**finding, "line": 2, "code": "HYB001"},
              {**finding, "line": 3, "code": "HYB001", "tier": "preview"}],
        "tensorflow": [{**finding, "line": 1, "code": "HYB001"}],  # not judged: never counted
    })
    judged = {("p", "a.py", 1, "HYB001"): {"verdict": "TRUE"}, ("p", "a.py", 3, "HYB001"): {"verdict": "FALSE"},
              ("tensorflow", "a.py", 1, "HYB001"): {"verdict": "FALSE"}}
    rows = {row["code"]: row for row in run.precision_table(recorded, judged, {"HYB001": 7})}
    row = rows["HYB001"]
    assert (row["before"], row["after"], row["preview"], row["judged"], row["true"]) == (7, 2, 1, 1, 1)
    assert (row["preview_judged"], row["preview_true"]) == (1, 0)  # the preview tier's sample, apart
    assert rows["HYB001"]["earns_stable"] is False  # one of two found is unjudged


def test_judged_entries_must_say_how_they_were_checked(tmp_path, monkeypatch):
    path = tmp_path / "judged.yaml"
    path.write_text("- {project: p, path: a.py, line: 1, code: HYB001, verdict: TRUE, reason: r}\n")
    monkeypatch.setattr(run, "JUDGED", path)
    with pytest.raises(ValueError, match="checked read/ran"):
        run.load_judged()
    path.write_text("- {project: p, path: a.py, line: 1, code: HYB001, verdict: TRUE, reason: r, checked: ran}\n")
    assert list(run.load_judged()) == [("p", "a.py", 1, "HYB001")]


def test_the_recorded_figures_cover_every_code():
    recorded = json.loads((BENCHMARK / "precision.json").read_text(encoding="utf-8"))
    from flake8_hybrid.registry import all_rules

    assert set(recorded["codes"]) == set(all_rules())
