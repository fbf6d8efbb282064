"""Inline expectations in fixture files (the fixture is its own test case).

    tf.function(experimental_relax_shapes=True)  # expect: HYB301:13
    tf.function(reduce_retrace=True)  # expect: HYB308:13 "did you mean"
    some_decorator(experimental_relax_shapes=True)  # ok: HYB301

``expect: CODE[:COL] ["text"]`` (several separated by commas) says that
finding is reported on this line, at this 1-based column (as flake8 prints
it), with a message containing the text. ``expect-preview: ...`` says the same
of a finding in the preview tier: reported only with ``--hybrid-preview``. ``ok: CODE`` marks a near miss that
must stay silent; every line without ``expect`` must stay silent anyway, the
marker documents the case and lets the suite check each rule has negatives.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

_EXPECT = re.compile(r"(HYB\d{3})(?::(\d+))?(?:\s+\"([^\"]*)\")?")


@dataclass(frozen=True)
class Expected:
    line: int
    code: str
    col: Optional[int]  # 1-based
    text: Optional[str]
    preview: bool = False


@dataclass
class Annotations:
    expected: list[Expected]
    near_misses: dict[int, list[str]]  # line -> codes that must stay silent there

    def codes(self) -> set[str]:
        return {e.code for e in self.expected}

    def near_miss_codes(self) -> set[str]:
        return {code for codes in self.near_misses.values() for code in codes}


def read_annotations(path: Path) -> Annotations:
    expected: list[Expected] = []
    near_misses: dict[int, list[str]] = {}
    source = path.read_text(encoding="utf-8")
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        line = token.start[0]
        comment = token.string
        for marker, preview in (("expect:", False), ("expect-preview:", True)):
            if marker not in comment:
                continue
            spec = comment.split(marker, 1)[1]
            for other in ("expect:", "expect-preview:", "ok:"):
                if other != marker:
                    spec = spec.split(other, 1)[0]
            for match in _EXPECT.finditer(spec):
                code, col, text = match.groups()
                expected.append(Expected(line, code, int(col) if col else None, text, preview))
        if "ok:" in comment:
            near_miss = comment.split("ok:", 1)[1].split("expect:", 1)[0].split("expect-preview:", 1)[0]
            near_misses.setdefault(line, []).extend(re.findall(r"HYB\d{3}", near_miss))
    return Annotations(expected, near_misses)


def compare(path: Path, reported: list[tuple[int, int, str, str]], preview: bool = False) -> list[str]:
    """Differences between a fixture's annotations and (line, col 1-based, code, message) reports:
    by default the default tier's; with ``preview``, both tiers'."""
    annotations = read_annotations(path)
    problems = []
    unmatched = list(reported)
    for expectation in annotations.expected:
        if expectation.preview and not preview:
            continue
        match = next(
            (
                report
                for report in unmatched
                if report[0] == expectation.line
                and report[2] == expectation.code
                and (expectation.col is None or report[1] == expectation.col)
                and (expectation.text is None or expectation.text in report[3])
            ),
            None,
        )
        if match is None:
            on_line = [r for r in reported if r[0] == expectation.line]
            problems.append(f"{path.name}:{expectation.line}: expected {expectation} but got {on_line}")
        else:
            unmatched.remove(match)
    for report in unmatched:
        problems.append(f"{path.name}:{report[0]}:{report[1]}: unexpected {report[2]} {report[3]!r}")
    return problems
