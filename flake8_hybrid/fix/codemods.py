"""Apply fix intents to source text with LibCST.

An intent names the exact keyword or attribute to change by its position, so
the codemod touches that node and nothing else; everything outside the edit
(comments, spacing, newlines) is kept byte for byte by LibCST's round trip.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence, Union

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from flake8_hybrid.findings import FixIntent

CharPosition = tuple[int, int]


class IntentConflict(Exception):
    """Some intents could not be applied (their node was not found)."""


def _char_column(line_text: str, byte_column: int) -> int:
    return len(line_text.encode("utf-8")[:byte_column].decode("utf-8", errors="ignore"))


class _IntentApplier(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, intents: dict[CharPosition, FixIntent]) -> None:
        super().__init__()
        self.pending = dict(intents)

    def _take(self, node: cst.CSTNode, kind: str, name: str) -> Union[FixIntent, None]:
        start = self.get_metadata(PositionProvider, node).start
        intent = self.pending.get((start.line, start.column))
        if intent is None or intent.kind != kind or intent.old != name:
            return None
        del self.pending[(start.line, start.column)]
        return intent

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        args = list(updated.args)
        kept: list[cst.Arg] = []
        changed = False
        for original_arg, arg in zip(original.args, args):
            keyword = original_arg.keyword
            if keyword is None:
                kept.append(arg)
                continue
            rename = self._take(keyword, "rename-keyword", keyword.value)
            if rename is not None:
                kept.append(arg.with_changes(keyword=cst.Name(rename.new)))
                changed = True
            elif self._take(keyword, "remove-keyword", keyword.value) is not None:
                changed = True
            else:
                kept.append(arg)
        if not changed:
            return updated
        if kept and len(kept) < len(args):
            # The new last argument takes over the removed one's trailing comma
            # (or lack of one), so `f(a, b=1)` becomes `f(a)`, not `f(a, )`.
            kept[-1] = kept[-1].with_changes(comma=args[-1].comma)
        return updated.with_changes(args=kept)

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        intent = self._take(original.attr, "rename-attribute", original.attr.value)
        if intent is None:
            return updated
        return updated.with_changes(attr=cst.Name(intent.new))


def apply_intents(source: str, intents: Iterable[FixIntent]) -> str:
    """Return ``source`` with every intent applied; raise IntentConflict if one is not found."""
    lines: Sequence[str] = re.split(r"\r\n|\r|\n", source)
    by_position: dict[CharPosition, FixIntent] = {}
    for intent in intents:
        line_text = lines[intent.line - 1] if 0 < intent.line <= len(lines) else ""
        by_position[(intent.line, _char_column(line_text, intent.col))] = intent
    if not by_position:
        return source
    module = cst.parse_module(source)
    applier = _IntentApplier(by_position)
    fixed = MetadataWrapper(module, unsafe_skip_copy=True).visit(applier)
    if applier.pending:
        missing = ", ".join(f"{i.kind} {i.old!r} at {i.line}:{i.col + 1}" for i in applier.pending.values())
        raise IntentConflict(f"could not apply: {missing}")
    return fixed.code
