"""The rule registry: the single source of truth for every HYB code.

A rule's code, name, message, documentation and fix applicability live here and
nowhere else; flake8 messages, ``--explain``, ``docs/rules.md`` and the fixer's
JSON output are all rendered from these entries.  The entries themselves are
data (``catalog.py``); the checks that emit them register separately
(``rules/``), so a code can be documented before it is implemented.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Optional


class Applicability(enum.Enum):
    """How far a rule's fix may be trusted (ruff's vocabulary)."""

    SAFE = "safe"  # applied by default: provably keeps behaviour
    UNSAFE = "unsafe"  # applied only with --unsafe-fixes
    DISPLAY_ONLY = "display-only"  # shown, never applied
    NONE = "none"  # the rule has no fix at all


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    #: ``str.format`` template for the text after the code; fields are the
    #: finding's ``args``.
    message: str
    summary: str
    what_it_does: str
    why_it_matters: str
    example: str
    use_instead: str
    fix_safety: str
    fix: Applicability = Applicability.NONE
    #: Lowest target TensorFlow version at which the fix keeps behaviour.
    fix_min_tf: Optional[str] = None
    #: Short imperative title of the fix (``Rename to `reduce_retracing```).
    fix_title: str = ""

    @property
    def family(self) -> str:
        return self.code[:4] + "xx"

    @property
    def implemented(self) -> bool:
        from flake8_hybrid.rules import implemented_codes

        return self.code in implemented_codes()

    def format_message(self, **args: object) -> str:
        return f"{self.code} {self.message.format(**args)}"


def all_rules() -> dict[str, Rule]:
    from flake8_hybrid.catalog import RULES

    return RULES


def get_rule(code: str) -> Rule:
    rules = all_rules()
    try:
        return rules[code.upper()]
    except KeyError:
        raise KeyError(f"unknown rule code {code!r}; codes run from HYB000 to HYB309") from None
