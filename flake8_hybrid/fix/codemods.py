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
        before_args = updated.whitespace_before_args
        for original_arg, arg in zip(original.args, args):
            keyword = original_arg.keyword
            rename = keyword and self._take(keyword, "rename-keyword", keyword.value)
            if rename:
                kept.append(arg.with_changes(keyword=cst.Name(rename.new)))
                changed = True
            elif keyword and self._take(keyword, "remove-keyword", keyword.value):
                changed = True
                # A comment at the end of the removed argument's line moves to
                # the line before it instead of disappearing with it.
                comment = _line_comment(arg.comma.whitespace_after) if isinstance(arg.comma, cst.Comma) else None
                if comment is not None:
                    if kept and isinstance(kept[-1].comma, cst.Comma):
                        comma = kept[-1].comma
                        kept[-1] = kept[-1].with_changes(
                            comma=comma.with_changes(whitespace_after=_add_comment(comma.whitespace_after, comment))
                        )
                    elif not kept:
                        before_args = _add_comment(before_args, comment)
            else:
                kept.append(arg)
        if not changed:
            return updated
        if kept and kept[-1] is not args[-1]:
            kept[-1] = _take_over_ending(kept[-1], args[-1])
        return updated.with_changes(args=kept, whitespace_before_args=before_args)

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        intent = self._take(original.attr, "rename-attribute", original.attr.value)
        if intent is None:
            return updated
        return updated.with_changes(attr=cst.Name(intent.new))


def _line_comment(whitespace: cst.BaseParenthesizableWhitespace) -> Union[cst.Comment, None]:
    if isinstance(whitespace, cst.ParenthesizedWhitespace):
        return whitespace.first_line.comment
    return None


def _take_over_ending(new_last: cst.Arg, old_last: cst.Arg) -> cst.Arg:
    """Give the new last argument the removed last one's ending (trailing comma or not).

    So ``f(a, b=1)`` becomes ``f(a)``, not ``f(a, )``, and a multi-line call keeps
    its closing parenthesis where it was. A comment on the new last argument's
    line (its own, or one moved there from removed arguments) is never dropped:
    where the old ending has no line to hold it, the argument keeps its comma.
    """
    comment = _line_comment(new_last.comma.whitespace_after) if isinstance(new_last.comma, cst.Comma) else None
    if isinstance(old_last.comma, cst.Comma):
        ending = old_last.comma.whitespace_after
        if comment is None:
            return new_last.with_changes(comma=old_last.comma)
        if isinstance(ending, cst.ParenthesizedWhitespace):
            line = ending.first_line.with_changes(comment=comment, whitespace=cst.SimpleWhitespace("  "))
            return new_last.with_changes(comma=old_last.comma.with_changes(whitespace_after=ending.with_changes(first_line=line)))
        return new_last
    if comment is None:
        return new_last.with_changes(comma=old_last.comma, whitespace_after_arg=old_last.whitespace_after_arg)
    return new_last


def _add_comment(
    whitespace: cst.BaseParenthesizableWhitespace, comment: cst.Comment
) -> cst.BaseParenthesizableWhitespace:
    """Put ``comment`` at the end of the line this whitespace ends (joined to any comment already there)."""
    if not isinstance(whitespace, cst.ParenthesizedWhitespace):
        return whitespace  # no line break here: the argument shared its line, so did its comment
    line = whitespace.first_line
    if line.comment is not None:
        comment = cst.Comment(f"{line.comment.value}  {comment.value}")
    spacing = line.whitespace if line.comment is not None or line.whitespace.value else cst.SimpleWhitespace("  ")
    return whitespace.with_changes(first_line=line.with_changes(whitespace=spacing, comment=comment))


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
