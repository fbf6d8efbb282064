"""How the fixer reports: text (flake8-like), json, and GitHub annotations."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Sequence, TextIO

from flake8_hybrid.findings import Finding
from flake8_hybrid.registry import get_rule


@dataclass
class Reported:
    """A finding as the fixer reports it."""

    path: str
    finding: Finding
    #: The fix would be (or was) applied in this run's mode.
    fixable: bool
    fixed: bool = False


def _escape_github(text: str, properties: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if properties else text


def write_findings(items: Sequence[Reported], output_format: str, stream: TextIO) -> None:
    if output_format == "json":
        json.dump([_as_json(item) for item in items], stream, indent=2)
        stream.write("\n")
        return
    for item in items:
        finding = item.finding
        if output_format == "github":
            title = _escape_github(f"flake8-hybrid ({finding.code})", properties=True)
            path = _escape_github(item.path, properties=True)
            stream.write(
                f"::error title={title},file={path},line={finding.line},col={finding.col + 1}::"
                f"{_escape_github(finding.message)}\n"
            )
        else:
            code, _, text = finding.message.partition(" ")
            marker = " [*]" if item.fixable and not item.fixed else ""
            stream.write(f"{item.path}:{finding.line}:{finding.col + 1}: {code}{marker} {text}\n")


def _as_json(item: Reported) -> dict:
    finding = item.finding
    rule = get_rule(finding.code)
    fix = None
    if finding.fix is not None:
        fix = {
            "applicability": finding.fix.applicability.value,
            "title": finding.fix.title,
            "kind": finding.fix.kind,
            "applied": item.fixed,
        }
    return {
        "code": finding.code,
        "name": rule.name,
        "message": finding.message.partition(" ")[2],
        "filename": item.path,
        "location": {"row": finding.line, "column": finding.col + 1},
        "fix": fix,
    }


def write_statistics(items: Sequence[Reported], stream: TextIO) -> None:
    counts = Counter(item.finding.code for item in items)
    fixable = {item.finding.code for item in items if item.fixable}
    for code, count in sorted(counts.items()):
        marker = "[*] " if code in fixable else ""
        stream.write(f"{count}\t{code}\t{marker}{get_rule(code).name}\n")


def write_fixes(applied: dict[str, list[Finding]], stream: TextIO) -> None:
    total = sum(len(findings) for findings in applied.values())
    if not total:
        stream.write("No findings fixed.\n")
        return
    stream.write(f"Fixed {total} finding{'s' if total != 1 else ''}:\n")
    for path, findings in applied.items():
        if not findings:
            continue
        stream.write(f"- {path}:\n")
        for code, count in sorted(Counter(f.code for f in findings).items()):
            stream.write(f"    {count} × {code} ({get_rule(code).name})\n")
