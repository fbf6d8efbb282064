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
        self.imports_to_add = [i.add_import for i in intents.values() if i.add_import]
        self.imports_to_remove = {i.remove_import for i in intents.values() if i.remove_import}

    # -- decorators --------------------------------------------------------------
    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        line = self.get_metadata(PositionProvider, original.name).start.line
        for kind in ("add-decorator", "remove-decorator"):
            intent = self.pending.get((line, kind))
            if intent is None:
                continue
            if kind == "add-decorator" and intent.old == original.name.value:
                del self.pending[(line, kind)]
                # Innermost: below @staticmethod and the like, which must stay outermost.
                decorator = cst.Decorator(decorator=cst.parse_expression(intent.new))
                updated = updated.with_changes(decorators=[*updated.decorators, decorator])
            elif kind == "remove-decorator":
                removed = _without_decorator(updated, intent.old)
                if removed is not None:
                    del self.pending[(line, kind)]
                    updated = removed
        return updated

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom):
        if not self.imports_to_remove or isinstance(updated.names, cst.ImportStar):
            return updated
        kept = [
            alias for alias in updated.names
            if (alias.asname.name.value if alias.asname else _dotted(alias.name)) not in self.imports_to_remove
        ]
        if len(kept) == len(updated.names):
            return updated
        if not kept:
            return cst.RemovalSentinel.REMOVE
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(names=kept)

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        body = list(updated.body)
        for statement_text in dict.fromkeys(self.imports_to_add):
            if any(_code(statement).strip() == statement_text for statement in body):
                continue
            body.insert(_import_position(body), cst.parse_statement(statement_text + "\n"))
        return updated.with_changes(body=body)

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

    # -- retracing fixes (HYB201, HYB203, HYB204): kinds wrap-argument, add-keyword, replace-name --
    def on_leave(self, original_node: cst.CSTNode, updated_node):
        updated = super().on_leave(original_node, updated_node)
        if not self.pending or not isinstance(updated, cst.CSTNode):
            return updated
        if isinstance(original_node, cst.Decorator) and isinstance(original_node.decorator, (cst.Name, cst.Attribute)):
            intent = self._take_kind(original_node.decorator, "add-keyword")
            if intent is not None:  # a bare @tf.function gets its argument list
                return updated.with_changes(decorator=cst.Call(func=updated.decorator, args=[_keyword_arg(intent)]))
        elif isinstance(original_node, cst.Call) and isinstance(updated, cst.Call):
            intent = self._take_kind(original_node, "add-keyword")
            if intent is not None:
                return _with_keyword(updated, intent)
        elif isinstance(original_node, cst.Arg) and isinstance(updated, cst.Arg):
            intent = self._take_kind(original_node.value, "wrap-argument")
            if intent is not None:
                wrapped = cst.Call(func=cst.parse_expression(intent.new), args=[cst.Arg(value=updated.value)])
                return updated.with_changes(value=wrapped)
        elif isinstance(original_node, cst.Name):
            intent = self._take_kind(original_node, "replace-name")
            if intent is not None and intent.old == original_node.value:
                return cst.parse_expression(intent.new)
        return updated

    def _take_kind(self, node: cst.CSTNode, kind: str) -> Union[FixIntent, None]:
        start = self.get_metadata(PositionProvider, node).start
        intent = self.pending.get((start.line, start.column))
        if intent is None or intent.kind != kind:
            return None
        del self.pending[(start.line, start.column)]
        return intent

    # -- graph safety (HYB101, HYB106, HYB109): statements and calls rewritten --------
    def leave_Assert(self, original: cst.Assert, updated: cst.Assert) -> cst.BaseSmallStatement:
        intent = self._take(original, "assert-to-tf-assert", "assert")
        if intent is None:
            return updated
        if updated.msg is not None:
            message = updated.msg
        else:
            message = cst.SimpleString(repr(_code(updated.test)))
        call = cst.Call(
            func=cst.parse_expression(intent.new),
            args=[
                cst.Arg(updated.test, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                cst.Arg(cst.List([cst.Element(message)])),
            ],
        )
        return cst.Expr(call, semicolon=updated.semicolon)

    def leave_Expr(self, original: cst.Expr, updated: cst.Expr) -> cst.BaseSmallStatement:
        value = original.value
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Name):
            # ``print(...)`` as a statement: call ``intent.new`` instead.
            intent = self._take(value, "rename-call", value.func.value)
            if intent is not None and isinstance(updated.value, cst.Call):
                return updated.with_changes(value=updated.value.with_changes(func=cst.parse_expression(intent.new)))
            return updated
        if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)):
            return updated
        receiver = value.func.value
        if not isinstance(receiver, cst.Name):
            return updated
        intent = self._take(value, "assign-back", receiver.value)
        if intent is None:
            return updated
        return cst.Assign(
            targets=[cst.AssignTarget(cst.Name(intent.new))], value=updated.value, semicolon=updated.semicolon
        )


def _keyword_arg(intent: FixIntent) -> cst.Arg:
    no_space = cst.SimpleWhitespace("")
    return cst.Arg(
        keyword=cst.Name(intent.old), value=cst.parse_expression(intent.new),
        equal=cst.AssignEqual(whitespace_before=no_space, whitespace_after=no_space),
    )


def _with_keyword(call: cst.Call, intent: FixIntent) -> cst.Call:
    """``call`` with keyword argument ``old=new`` added last, in the style of its argument list."""
    args = list(call.args)
    added = _keyword_arg(intent)
    if args:
        last = args[-1]
        if isinstance(last.comma, cst.Comma) and isinstance(last.comma.whitespace_after, cst.ParenthesizedWhitespace):
            # A trailing comma (one argument per line): the new argument goes on a line of its own,
            # indented like the first; a comment stays on the line it was on.
            ending = last.comma.whitespace_after
            before = call.whitespace_before_args
            indent = before.last_line if isinstance(before, cst.ParenthesizedWhitespace) else ending.last_line
            added = added.with_changes(comma=last.comma.with_changes(
                whitespace_after=ending.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])))
            kept_comment = ending.with_changes(last_line=indent)
            args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=kept_comment))
        else:
            args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return call.with_changes(args=[*args, added])


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
            return new_last.with_changes(
                comma=old_last.comma.with_changes(whitespace_after=ending.with_changes(first_line=line))
            )
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


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _dotted(name: cst.BaseExpression) -> str:
    return _code(name)


def _normalized(expression: str) -> str:
    import ast

    try:
        return ast.unparse(ast.parse(expression.strip(), mode="eval"))
    except SyntaxError:
        return expression.strip()


def _without_decorator(function: cst.FunctionDef, text: str) -> Union[cst.FunctionDef, None]:
    """The function without the decorator whose code is ``text``; its comments stay."""
    wanted = _normalized(text)
    decorators = list(function.decorators)
    for index, decorator in enumerate(decorators):
        if _normalized(_code(decorator.decorator)) != wanted:
            continue
        keep_lines = list(decorator.leading_lines)
        comment = decorator.trailing_whitespace.comment
        if comment is not None:
            keep_lines.append(cst.EmptyLine(comment=comment))
        del decorators[index]
        if index < len(decorators):
            follower = decorators[index]
            decorators[index] = follower.with_changes(leading_lines=[*keep_lines, *follower.leading_lines])
            return function.with_changes(decorators=decorators)
        return function.with_changes(
            decorators=decorators, lines_after_decorators=[*keep_lines, *function.lines_after_decorators]
        )
    return None


def _import_position(body: list) -> int:
    """Where a new import goes: after the module's imports, else after its docstring and __future__ imports."""
    position = 0
    for index, statement in enumerate(body):
        if not isinstance(statement, cst.SimpleStatementLine):
            break
        small = statement.body
        if all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in small):
            position = index + 1
        elif index == 0 and len(small) == 1 and isinstance(small[0], cst.Expr) and isinstance(
            small[0].value, (cst.SimpleString, cst.ConcatenatedString)
        ):
            position = 1  # the docstring
        else:
            break
    return position


def apply_intents(source: str, intents: Iterable[FixIntent]) -> str:
    """Return ``source`` with every intent applied; raise IntentConflict if one is not found."""
    lines: Sequence[str] = re.split(r"\r\n|\r|\n", source)
    by_position: dict = {}
    for intent in intents:
        if intent.kind in ("add-decorator", "remove-decorator"):
            by_position[(intent.line, intent.kind)] = intent  # found by the function's def line
            continue
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
