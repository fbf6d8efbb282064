"""Facts reused when lines only move: ``positions.line_moves`` (comments, blank lines) and
``positions.summary_moves`` (an edit the module's summary does not see) tell such an edit from any
other, and over every rule fixture, the facts of the state before such an edit, rendered with each
line where it went (``results.load_moved``), equal the facts of a fresh analysis."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, rule_fixtures
from flake8_hybrid.analysis import positions, projects, results
from flake8_hybrid.analysis.api_model import api_model
from flake8_hybrid.analysis.layout import find_project_root
from flake8_hybrid.analysis.project import Project
from flake8_hybrid.analysis.retracing import retracing_of
from flake8_hybrid.analysis.cache import _summary_text
from flake8_hybrid.analysis.summary import summarize

SOURCE = '''import tensorflow as tf


@tf.function
def step(x):
    print("traced")  # a side effect at line 6
    return x + 1
'''


def test_comments_and_blank_lines_only_move_lines() -> None:
    moved = "# a header\n" + SOURCE.replace("def step(x):\n", "def step(x):\n\n    # why\n")
    moves = positions.line_moves(SOURCE, moved)
    assert moves == {1: 2, 4: 5, 5: 6, 6: 9, 7: 10}


@pytest.mark.parametrize("edited", [
    SOURCE.replace("x + 1", "x + 2"),  # a constant
    SOURCE.replace("x + 1", "x  + 1"),  # a column
    SOURCE.replace('print("traced")', 'print(\n        "traced")'),  # a node on a line of its own
    SOURCE.replace("return x + 1", "return (x\n            + 1)"),  # lines of one node now two
    SOURCE + "\n\ndef helper():\n    pass\n",  # a new function
    SOURCE.replace("def step", "def step(", 1),  # no longer parses
])
def test_any_other_edit_is_no_move(edited: str) -> None:
    assert positions.line_moves(SOURCE, edited) is None


def test_tokens_render_as_lines_moved_or_not() -> None:
    text = f"calls print (line {positions.mark('a.py', 6)}), at b.py:{positions.mark('b.py', 3)}"
    assert positions.render(text) == "calls print (line 6), at b.py:3"
    assert positions.render(text, {"a.py": {6: 9}}) == "calls print (line 9), at b.py:3"
    with pytest.raises(positions.Unplaced):
        positions.render(text, {"a.py": {5: 9}})  # a moved module, a line the moves do not place


def test_stored_facts_render_in_one_pass_over_their_json() -> None:
    """``render_json`` is ``render`` of every string of the JSON text, paths with escapes too."""
    windows = "b\\c.py"  # a backslash, escaped in JSON
    facts = {"reasons": [f"calls print (line {positions.mark('pkg/a.py', 9)})"],
             "sites": [windows + ":" + positions.mark(windows, 3), f"é.py:{positions.mark('é.py', 7)}"]}
    moves = {windows: {3: 4}, "é.py": {7: 70}}
    for moved in (None, moves):
        expected = json.dumps(positions.render_value(facts, moved))
        assert positions.render_json(json.dumps(facts), moved) == expected


def _summary(text: str) -> dict:
    return json.loads(_summary_text(summarize(ast.parse(text), "m", "/project/m.py", api_model())))


def test_a_statement_the_summary_does_not_read_only_moves_lines() -> None:
    before = _summary(SOURCE)
    moves = positions.summary_moves(before, _summary(SOURCE.replace("def step(x):\n", "def step(x):\n    n = 1\n")))
    assert moves is not None and moves[6] == 7 and moves[5] == 5  # the print moved; the def did not
    assert positions.summary_moves(before, _summary(SOURCE.replace('print("traced")', 'tf.print(x)'))) is None
    assert positions.summary_moves(before, _summary(SOURCE + "\n\ndef helper(y):\n    return y\n")) is None


def _move_lines(text: str) -> str:
    """A comment at the top, and a comment or a blank line before every third statement."""
    lines = text.splitlines(keepends=True)
    starts = sorted({node.lineno for node in ast.walk(ast.parse(text)) if isinstance(node, ast.stmt)})
    for number, line in enumerate(reversed(starts[::3])):
        lines.insert(line - 1, "\n" if number % 2 else "# moved\n")
    return "# moved\n" + "".join(lines)


def _first_line(statement: ast.stmt) -> int:
    return min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", ()))])


def _add_statements(text: str) -> str:
    """A new local variable at the start of every function body that starts on a line of its own
    (an edit the summary does not see: it changes the syntax tree, not the summary)."""
    lines = text.splitlines(keepends=True)
    firsts = sorted({(_first_line(node.body[0]), node.body[0].col_offset) for node in ast.walk(ast.parse(text))
                     if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                     and _first_line(node.body[0]) > node.lineno})
    for line, col in reversed(firsts):
        lines.insert(line - 1, " " * col + "_unused_here = 0\n")
    return "".join(lines)


@pytest.mark.parametrize("edit", [_move_lines, _add_statements])
def test_reused_facts_equal_fresh_facts_over_every_fixture(tmp_path: Path, monkeypatch, edit) -> None:
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, root, ignore=shutil.ignore_patterns(".flake8_hybrid_cache"))
    monkeypatch.chdir(root)
    cache = tmp_path / "cache"
    api = api_model()
    modules = [root / path.relative_to(FIXTURES) for path in rule_fixtures()]
    modules = [path for path in modules if find_project_root(str(path)) == str(root)]
    assert len(modules) > 30
    originals = {path: path.read_text() for path in modules}
    projects.forget_projects()
    projects.project_for(str(modules[0]), originals[modules[0]], api, str(cache)).facts()  # the state before
    reused = 0
    for start in range(0, len(modules), results.MAX_MOVED_MODULES):
        batch = modules[start: start + results.MAX_MOVED_MODULES]
        for path in batch:
            path.write_text(edit(originals[path]))
        projects.forget_projects()
        project = projects.project_for(str(batch[0]), batch[0].read_text(), api, str(cache))
        assert type(project).__name__ == "CachedProject", batch  # the facts came from the state before
        fresh = Project(str(root), api, None)
        facts, calls = project.facts(), sorted(project._retracing.calls, key=repr)
        fresh_facts, fresh_calls = fresh.facts(), sorted(retracing_of(fresh).calls, key=repr)
        assert {k: f for k, f in facts.items() if f != fresh_facts.get(k)} == {}, batch
        assert facts.keys() == fresh_facts.keys()
        assert calls == fresh_calls, batch
        reused += 1
        for path in batch:
            path.write_text(originals[path])
    assert reused == -(-len(modules) // results.MAX_MOVED_MODULES)


def test_only_the_marked_fields_hold_positions_and_every_one_is_rendered() -> None:
    """Facts render only ``MARKED_FIELDS``: a position the analysis writes anywhere else would
    reach a message as a token, and would not move with its line."""
    from dataclasses import fields

    from flake8_hybrid.analysis.function_facts import MARKED_FIELDS, MARKED_PARAMETER_FIELDS

    def marked(value) -> bool:
        return positions._START in json.dumps(value, default=lambda o: o.__dict__ if hasattr(o, "__dict__") else
                                              sorted(o), ensure_ascii=False)

    project = Project(str(FIXTURES), api_model(), None)
    rendered = project.facts()
    marked_somewhere = set()
    for facts in project.marked_facts.values():
        for field in fields(facts):
            if field.name != "parameters" and marked(getattr(facts, field.name)):
                marked_somewhere.add(field.name)
        for parameter in facts.parameters:
            marked_somewhere |= {f.name for f in fields(parameter) if marked(getattr(parameter, f.name))}
    assert marked_somewhere <= set(MARKED_FIELDS) | set(MARKED_PARAMETER_FIELDS)
    assert {"side_effect_reasons", "evidence", "primitive_sites"} <= marked_somewhere  # the fixtures exercise them
    assert not any(marked(facts) for facts in rendered.values())
    calls = retracing_of(project)
    assert any(marked(call) for call in calls.marked)
    assert not any(marked(call) for call in calls.calls)
