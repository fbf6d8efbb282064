"""The rule registry: the single source of truth for every HYB code.

A rule's code, name, message, documentation and fix applicability live here and
nowhere else; flake8 messages, ``--explain``, ``docs/rules.md`` and the fixer's
JSON output are all rendered from these entries.  The entries themselves are
data (``catalog/``, made of ``rule.Rule``); the checks that emit them register
separately (``rules/``), so a code can be documented before it is implemented.
"""

from __future__ import annotations

# The registry's types, for whoever looks rules up here.
from flake8_hybrid.rule import STATUSES, Applicability, Precision, Rule, rule_status  # noqa: F401


def all_rules() -> dict[str, Rule]:
    from flake8_hybrid.catalog import RULES

    return RULES


def get_rule(code: str) -> Rule:
    rules = all_rules()
    try:
        return rules[code.upper()]
    except KeyError:
        raise KeyError(f"unknown rule code {code!r}; codes run from HYB000 to HYB309") from None
