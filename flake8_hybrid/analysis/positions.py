"""Where facts point in the source, kept apart from what the facts say.

Facts name places for their messages ("line 12", "train.py:41"). The analysis writes each such
line through ``mark``: a token that names the module (its path from the project root) and the
line. ``render`` turns the tokens into the numbers messages show. Stored facts keep their tokens,
so that when an edit only moves lines (a comment, a blank line: ``line_moves`` decides), the
facts of the state before the edit are the facts after it, rendered with each line where it went.

A token is made of characters from Unicode's private use area, which no message text holds.
Foundations floor: imports nothing from the package.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Optional, Union

_START, _SEPARATOR, _END = "\ue000", "\ue001", "\ue002"
_TOKEN = re.compile(f"{_START}([^{_SEPARATOR}{_END}]*){_SEPARATOR}(-?\\d+){_END}")

#: Per module (its path from the project root): each line of the state the facts were made
#: in -> where that line is now. Modules whose lines did not move are not in it.
Moves = dict[str, dict[int, int]]


class Unplaced(ValueError):
    """A position the moves do not place: the facts cannot be reused for the new state."""


def mark(module: str, line: int) -> str:
    """Line ``line`` of ``module`` (its path from the project root), as facts write it."""
    return f"{_START}{module}{_SEPARATOR}{line}{_END}"


def move_line(module: str, line: int, moves: Optional[Moves]) -> int:
    """Where line ``line`` of ``module`` is now; ``Unplaced`` when its module moved and the
    moves do not say where it went."""
    table = moves.get(module) if moves else None
    if table is None:
        return line
    try:
        return table[line]
    except KeyError:
        raise Unplaced(f"{module}:{line}") from None


def render(text: str, moves: Optional[Moves] = None) -> str:
    """``text`` with its tokens as the line numbers they name, moved by ``moves``."""
    if _START not in text:
        return text
    return _TOKEN.sub(lambda match: str(move_line(match[1], int(match[2]), moves)), text)


#: A token as JSON writes it (``json.dumps`` escapes the private use characters).
_JSON_TOKEN = re.compile(r"\\ue000((?:[^\\]|\\(?!ue00[12]))*)\\ue001(-?\d+)\\ue002")


def render_json(text: str, moves: Optional[Moves] = None) -> str:
    """``render`` applied to JSON text, before it is read: one pass over the text, not one per
    string of tens of thousands (stored facts are read so)."""
    if not moves:
        return _JSON_TOKEN.sub(r"\2", text)
    modules: dict[str, str] = {}

    def line(match: re.Match) -> str:
        module = modules.get(match[1])
        if module is None:
            module = modules[match[1]] = json.loads(f'"{match[1]}"')
        return str(move_line(module, int(match[2]), moves))

    return _JSON_TOKEN.sub(line, text)


def render_value(value: object, moves: Optional[Moves] = None) -> object:
    """``render`` applied to every string in ``value`` (lists, tuples, sets and dicts, keys
    included); the value itself when nothing in it changes."""
    if isinstance(value, str):
        return render(value, moves)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [render_value(item, moves) for item in value]
        if all(new is old for new, old in zip(items, value)):
            return value
        return type(value)(items)
    if isinstance(value, dict):
        pairs = [(render_value(k, moves), render_value(v, moves)) for k, v in value.items()]
        if all(k is old_k and v is old_v for (k, v), (old_k, old_v) in zip(pairs, value.items())):
            return value
        return dict(pairs)
    return value


def line_moves(old: Union[str, bytes, ast.Module], new: Union[str, bytes, ast.Module]) -> Optional[dict[int, int]]:
    """Where each line of ``old`` that holds code is in ``new``, when the two differ only in
    where their lines are (comments, blank lines, line continuations added or removed); None
    when they differ in anything else, or when either does not parse.

    Same syntax tree apart from positions, every node at the same columns, and the lines
    moved in order (the n-th line with code stays the n-th): everything the analysis derives
    from ``old`` holds for ``new``, each position moved. Nothing reads comments or blank
    lines, and lines are only ever compared with each other, never counted. Either may be given
    parsed already (the lint's tree of the file it lints: not parsed again).
    """
    try:
        before, after = (text if isinstance(text, ast.Module) else ast.parse(text) for text in (old, new))
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    try:
        if ast.dump(before, include_attributes=False) != ast.dump(after, include_attributes=False):
            return None
    except RecursionError:
        return None
    pairs = []
    for node, moved in zip(ast.walk(before), ast.walk(after)):
        if getattr(node, "lineno", None) is None:
            continue
        if (node.col_offset, node.end_col_offset) != (moved.col_offset, moved.end_col_offset):
            return None
        pairs += [(node.lineno, moved.lineno), (node.end_lineno, moved.end_lineno)]
    return _in_order(pairs)


def _in_order(pairs: list) -> Optional[dict[int, int]]:
    """The lines (was, now) as a map, when each line went to one place and they kept their
    order; None otherwise."""
    moves: dict[int, int] = {}
    for was, now in pairs:
        if moves.setdefault(was, now) != now:
            return None
    lines = sorted(moves)
    if any(moves[a] >= moves[b] for a, b in zip(lines, lines[1:])):
        return None
    return moves


#: Where a module summary, as JSON holds it (``cache.py``), writes lines: a function's and a
#: class's ``line``, a call's ``line``, and the position in each record of these lists of a
#: function. Nothing else in a summary is a line (columns are compared as they are).
_SUMMARY_LINE_ITEMS = {
    "side_effects": 1, "eager_only": 1, "maybe_eager_only": 1, "graph_targets": 1, "keras_runs": 2,
    "keras_eager": 1, "keras_built": 1, "raises_if": 1, "param_mutations": 2,
}


def summary_moves(before: dict, after: dict) -> Optional[dict[int, int]]:
    """Where each line ``before`` names is in ``after``, when the two summaries of a module (as
    JSON holds them) differ only in their lines, and those moved in order; None otherwise.

    An edit that changes nothing the analysis reads (a new local variable, a reworded log
    message, a statement without calls) leaves the summary as it was but for its lines: the
    facts derived from it hold, each line moved. (Everything the project analysis reads of a
    module is in its summary, and it compares lines only with each other.)
    """
    old_lines: list[int] = []
    new_lines: list[int] = []
    try:
        if _without_lines(before, old_lines) != _without_lines(after, new_lines) or len(old_lines) != len(new_lines):
            return None
    except (KeyError, TypeError, IndexError, AttributeError):  # not a summary as the cache writes it
        return None
    return _in_order(list(zip(old_lines, new_lines)))


def _without_lines(summary: dict, lines: list) -> dict:
    """A copy of the summary with its lines taken out, in order, into ``lines``."""
    def take(record: dict, extra: dict) -> dict:
        lines.append(record["line"])
        return {**record, "line": None, **extra}

    functions = []
    for function in summary.get("functions", ()):
        changed = {"calls": [take(call, {}) for call in function.get("calls", ())]}
        for name, position in _SUMMARY_LINE_ITEMS.items():
            items = []
            for item in function.get(name, ()):
                lines.append(item[position])
                items.append([*item[:position], None, *item[position + 1:]])
            changed[name] = items
        functions.append(take(function, changed))
    classes = [take(cls, {}) for cls in summary.get("classes", ())]
    return {**summary, "functions": functions, "classes": classes}
