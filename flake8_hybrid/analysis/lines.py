"""Where words are written in a module's text: exact prefilters for walks of its tree.

A node whose text is not on any line where a word stands cannot be (or hold) a name,
an attribute or a keyword spelled with it: a walk that looks for such nodes can skip
every statement whose lines hold none of the words, and what it holds.  Identifiers
are taken as written (like the module-wide ``word in source`` checks, these ignore
names that only Python's NFKC normalization spells with a word).
"""

from __future__ import annotations

import ast
import bisect
import re
from typing import Iterable, Iterator

from flake8_hybrid.analysis.names import child_nodes

_WORD_CHARACTER = re.compile(r"\w")


def lines_with(source: str, words: Iterable[str], whole_words: bool = False) -> list[int]:
    """The numbers of the lines (as ``ast`` counts them) where one of ``words`` is written,
    ascending; with ``whole_words``, only where it is not part of a longer name."""
    # ast ends lines at \r\n, \r and \n only (str.splitlines also at \f, \x1c, \u2028...).
    text = source.replace("\r\n", "\n").replace("\r", "\n") if "\r" in source else source
    starts = []
    for word in set(words):
        # One search per word, starting with it: far faster than an alternation of words or
        # a look-behind for the start of a word (3 ms over tf-models-official, not 0.1 s).
        for match in re.finditer(re.escape(word) + (r"(?!\w)" if whole_words else ""), text):
            start = match.start()
            if not (whole_words and start and _WORD_CHARACTER.match(text, start - 1)):
                starts.append(start)
    starts.sort()
    lines: list[int] = []
    line, position = 1, 0
    for start in starts:
        line += text.count("\n", position, start)
        position = start
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


#: What may stand between the words of an import (``function as tff``): blanks, line
#: continuations and, inside parentheses, line ends and comments (a comment runs to the
#: line end: one way to match it, so no backtracking blows up).
_GAP = r"(?:[ \t\f\r\n\\]|#[^\r\n]*(?=[\r\n]|$))+"


def names_imported_as(source: str, words: Iterable[str]) -> frozenset[str]:
    """The names imports give to what ends in one of ``words`` (``import a.function as f``,
    ``from a import (function as f)``): read in the text, so a superset (``with function as f``)."""
    # (One search per word, and no look-behind for its start, as in lines_with: a longer
    # name ending in the word only makes the superset larger.)
    return frozenset(
        match[1] for word in set(words) for match in re.finditer(rf"{re.escape(word)}{_GAP}as{_GAP}(\w+)", source)
    )


def names_for(api, source: str, functions: Iterable[str]) -> frozenset[str]:
    """The names that can end a reference to one of ``functions`` (canonical API names) in
    ``source``: the last word of one of their spellings (``function`` for ``tf.function``), and
    the names imports give them (``from tensorflow import function as tff``)."""
    last_words = frozenset().union(*(api.last_words(name) for name in functions))
    return last_words | names_imported_as(source, last_words)


def spans_any(statement: ast.stmt, lines: list[int]) -> bool:
    """Whether the statement's text (its decorators included) takes up one of ``lines`` (ascending)."""
    decorators = getattr(statement, "decorator_list", None)
    first = decorators[0].lineno if decorators else statement.lineno  # decorators come before a def
    index = bisect.bisect_left(lines, first)
    return index < len(lines) and lines[index] <= (statement.end_lineno or statement.lineno)


def nodes_on(tree: ast.AST, lines: list[int]) -> Iterator[ast.AST]:
    """Every node of the tree but those of the statements that take up none of ``lines``
    (depth first, in source order; without recursing, however deep the tree)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.stmt) and not spans_any(node, lines):
            continue
        yield node
        children = child_nodes(node)
        children.reverse()
        stack.extend(children)
