"""What a rule is: its code, name, message, documentation and fix applicability (``Rule``),
how far its fix may be trusted (``Applicability``), and its status and measured precision
(``data/rule_status.yaml``).

The bottom floor of the package: the catalog (``catalog/``) is made of these, the registry
(``registry.py``) looks them up, and everything else reads them. It imports nothing of ours.
"""

from __future__ import annotations

import enum
import functools
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
    def status(self) -> str:
        """``stable`` (findings resting on proven facts are shown by default) or ``preview`` (every
        finding is shown only with ``--hybrid-preview``): ``data/rule_status.yaml``."""
        return rule_status(self.code)[0]

    @property
    def precision(self) -> Optional["Precision"]:
        """Its measured precision on the real-code benchmark, if it was measured."""
        return rule_status(self.code)[1]

    @property
    def family(self) -> str:
        return self.code[:4] + "xx"

    def format_message(self, **args: object) -> str:
        return f"{self.code} {self.message.format(**args)}"


@dataclass(frozen=True)
class Precision:
    """TRUE findings among the judged default findings of a code on the real-code benchmark."""

    true: int
    judged: int
    found: int  # default findings on the corpus, judged or not
    corpus: str
    date: str

    def __str__(self) -> str:
        if not self.judged:
            found = f"{self.found} default findings, none judged yet" if self.found else "no default findings"
            return f"{found} on the {self.corpus} corpus ({self.date})"
        return (f"{self.true} of {self.judged} judged findings true ({self.true / self.judged:.0%}; "
                f"{self.found} found) on the {self.corpus} corpus ({self.date})")


STATUSES = ("stable", "preview")


@functools.lru_cache(maxsize=None)
def _status_table() -> dict:
    import importlib.resources

    import yaml

    text = importlib.resources.files("flake8_hybrid").joinpath("data/rule_status.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def rule_status(code: str) -> tuple[str, Optional[Precision]]:
    """A code's status and measured precision, from ``data/rule_status.yaml`` (stable when not listed)."""
    table = _status_table()
    entry = (table.get("codes") or {}).get(code) or {}
    status = entry.get("status", "stable")
    if status not in STATUSES:
        raise ValueError(f"rule_status.yaml: {code} has status {status!r}, not one of {STATUSES}")
    precision = None
    if "judged" in entry:
        precision = Precision(entry["true"], entry["judged"], entry.get("found", entry["judged"]),
                              table["corpus"], str(table["date"]))
    return status, precision
