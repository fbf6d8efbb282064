"""The registry against the public catalog (RULES.md), and the docs generated from it."""

from __future__ import annotations

import re
import string

import pytest

from conftest import ROOT, SHARED
from flake8_hybrid import docs
from flake8_hybrid.registry import Applicability, all_rules, get_rule
from flake8_hybrid.rules import implemented_codes

RULES_MD = (SHARED / "RULES.md").read_text(encoding="utf-8")
CATALOG = dict(re.findall(r"^\| (HYB\d{3}) \| ([a-z0-9-]+) \|", RULES_MD, re.MULTILINE))


def test_rules_md_parses() -> None:
    assert len(CATALOG) >= 30 and "HYB301" in CATALOG


def test_every_public_code_is_registered_under_its_name() -> None:
    registered = {code: rule.name for code, rule in all_rules().items()}
    assert registered == CATALOG


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_each_rule_is_fully_documented(code: str) -> None:
    rule = get_rule(code)
    for section in ("summary", "what_it_does", "why_it_matters", "fix_safety"):
        assert getattr(rule, section).strip(), f"{code} lacks {section}"
    if code != "HYB000":
        assert rule.example.strip() and rule.use_instead.strip(), code
        compile(rule.example, f"{code}-example", "exec")
        compile(rule.use_instead, f"{code}-use-instead", "exec")
    if rule.fix in (Applicability.SAFE, Applicability.UNSAFE):
        assert rule.fix_title, f"{code} has a fix but no fix title"
    # One line, no trailing period, placeholders only by name.
    fields = [name for _, name, _, _ in string.Formatter().parse(rule.message) if name is not None]
    assert all(field.isidentifier() for field in fields), fields
    rendered = rule.format_message(**{field: "x" for field in fields})
    assert rendered.startswith(code + " ") and "\n" not in rendered and not rendered.endswith(".")


def test_implemented_codes_are_known() -> None:
    assert implemented_codes() <= set(CATALOG)
    assert {"HYB004", "HYB005", "HYB301", "HYB309"} <= implemented_codes()


def test_version_dependent_fixes_name_their_minimum() -> None:
    assert get_rule("HYB301").fix_min_tf == "2.9"
    assert get_rule("HYB302").fix_min_tf == "2.5"
    assert get_rule("HYB303").fix_min_tf == "2.11"
    assert get_rule("HYB304").fix_min_tf is None


def test_docs_rules_md_is_up_to_date() -> None:
    generated = docs.render_rules_md()
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == generated, (
        "docs/rules.md is stale: run `python -m flake8_hybrid docs`"
    )
    for code in CATALOG:
        assert f"## {code} " in generated


def test_readme_rule_table_is_up_to_date() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert docs.replace_readme_table(readme) == readme, "README rule table is stale: run `python -m flake8_hybrid docs`"


def test_unimplemented_rules_are_marked_so() -> None:
    table = docs.render_rule_table()
    for code in CATALOG:
        row = next(line for line in table.splitlines() if line.startswith(f"| {code} "))
        status = row.split("|")[5].strip()
        assert (status != "planned") == (code in implemented_codes()), row
        assert status in ("stable", "preview", "planned"), row


def test_status_and_precision_match_the_real_code_benchmark() -> None:
    """The registry's figures are the benchmark's (benchmarks/real_code/precision.json), and a code is
    stable exactly when its judged sample earns it: 90% TRUE over at least 10 judged findings, or all
    TRUE where the corpus yields fewer."""
    import json
    import sys
    from pathlib import Path

    benchmark = Path(__file__).resolve().parent.parent / "benchmarks" / "real_code"
    sys.path.insert(0, str(benchmark))
    try:
        from run import earns_stable
    finally:
        sys.path.remove(str(benchmark))
    recorded = json.loads((benchmark / "precision.json").read_text(encoding="utf-8"))
    for code, rule in all_rules().items():
        figures = recorded["codes"][code]
        precision = rule.precision
        assert precision is not None, code
        assert (precision.found, precision.judged, precision.true) == (
            figures["after"], figures["judged"], figures["true"]), code
        assert precision.corpus == recorded["corpus"] and precision.date == recorded["date"], code
        stable = earns_stable(figures["after"], figures["judged"], figures["true"])
        assert rule.status == ("stable" if stable else "preview"), (code, rule.status, figures)
