"""The analysis is bounded on generated worst cases: work is counted (rounds, calls), never timed.

Deep call chains, big modules, huge literal tables and deeply nested expressions
(issue: lint overhead and scaling). Each case checks that the fixpoint stops within
its round limit and that the work per round grows with the program, not faster.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flake8_hybrid.analysis import projects
from flake8_hybrid.analysis.api_model import api_model
from flake8_hybrid.analysis.project import MAX_ROUNDS, Project, _Analysis

TF = "import tensorflow as tf\n\n"


def analyze(root: Path, files: dict, monkeypatch) -> tuple:
    """Facts of a generated project, the rounds run and the call sites bound (work)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "setup.cfg").write_text("[metadata]\nname = generated\n")
    for name, source in files.items():
        (root / name).write_text(source)
    project = Project(str(root), api_model(), cache_directory=None)
    assert project.errors == {}
    bound = [0]
    original = _Analysis.bind

    def counting(self, *args):
        bound[0] += 1
        return original(self, *args)

    monkeypatch.setattr(_Analysis, "bind", counting)
    analysis = _Analysis(project)
    facts = analysis.run()
    calls = sum(len(f.summary.calls) for f in project.functions.values())
    return facts, analysis.rounds, bound[0], calls


def chain(length: int, backwards: bool) -> str:
    # f_i calls f_(i-1): each round carries the argument one step down the chain when the
    # callees come first; written the other way round it settles in one round.
    order = range(length) if not backwards else reversed(range(length))
    body = "".join(f"def f{i}(x):\n    return f{i - 1}(tf.nn.relu(x))\n\n" if i else "def f0(x):\n    return x\n\n"
                   for i in order)
    return TF + body + f"f{length - 1}(tf.ones([2]))\n"


@pytest.mark.parametrize("backwards", [False, True])
def test_deep_call_chain_stops_within_the_round_limit(tmp_path: Path, monkeypatch, backwards: bool) -> None:
    facts, rounds, bound, calls = analyze(tmp_path, {"chain.py": chain(400, backwards)}, monkeypatch)
    assert rounds <= 2 * MAX_ROUNDS  # two passes (before and after speculation), each bounded
    assert bound <= rounds * calls  # each round binds each call site at most once
    # Arguments flow down the chain and return values up: one of the two needs a round per
    # link, so a 400-long chain runs into the limit instead of running 400 rounds.
    if backwards:  # callers first: the first round carries the tensor all the way down
        key = next(k for k in facts if k.endswith("::f0"))
        assert facts[key].parameters[0].tensor is True


def test_big_module_work_grows_linearly(tmp_path: Path, monkeypatch) -> None:
    def module(count: int) -> str:
        return TF + "".join(
            f"def g{i}(x, k={i}):\n    y = tf.nn.relu(x) * k\n    return tf.reduce_sum(y)\n\n\ng{i}(tf.ones([2]))\n\n"
            for i in range(count)
        )

    small = analyze(tmp_path / "small", {"m.py": module(200)}, monkeypatch)
    big = analyze(tmp_path / "big", {"m.py": module(2000)}, monkeypatch)
    assert small[1] == big[1] <= 4  # the same few rounds, whatever the size
    assert big[2] <= 10 * small[2] * 1.05  # and ten times the work for ten times the code


def test_values_cut_down_to_size_settle(tmp_path: Path, monkeypatch) -> None:
    # A registry called with many classes: the parameter's value is cut at MAX_VALUE_ATOMS;
    # it used to re-grow and be cut again every round, never converging.
    classes = "".join(f"class C{i}:\n    pass\n\n" for i in range(80))
    calls = "".join(f"register(C{i})\nregister(C{i}())\nregister(lambda: C{i})\n" for i in range(80))
    source = (
        TF + "REGISTRY = {}\n\ndef register(cls):\n    REGISTRY[cls] = tf.ones([1])\n    return cls\n\n"
        + classes + calls
    )
    facts, rounds, _, _ = analyze(tmp_path, {"registry.py": source}, monkeypatch)
    assert rounds < MAX_ROUNDS  # both passes together: it settles
    register = next(f for k, f in facts.items() if k.endswith("::register"))
    assert register.parameters[0].tensor is None  # cut: unknown, as before


def test_huge_literal_table(tmp_path: Path, monkeypatch) -> None:
    table = "TABLE = {\n" + "".join(f"    'k{i}': [{i}, {i}.5, 'v{i}', (None, True)],\n" for i in range(20_000)) + "}\n"
    source = (
        TF + table + "\ndef lookup(x, key):\n    return tf.nn.relu(x) * TABLE[key][0]\n\nlookup(tf.ones([2]), 'k1')\n"
    )
    facts, rounds, bound, calls = analyze(tmp_path, {"table.py": source}, monkeypatch)
    assert rounds <= 4 and calls < 10  # the table is data: no call sites, no extra rounds


def test_deeply_nested_expressions_are_summarized(tmp_path: Path, monkeypatch) -> None:
    deep_sum = " + ".join(["tf.nn.relu(x)"] * 900)
    lambdas = "lambda: " * 400 + "tf.ones([2])"
    source = TF + f"def f(x):\n    return {deep_sum}\n\n\nG = {lambdas}\n\nf(tf.ones([2]))\n"
    facts, rounds, _, _ = analyze(tmp_path, {"deep.py": source}, monkeypatch)
    assert rounds <= 4
    assert any(k.endswith("::f") for k in facts)


def test_the_plugin_reports_nothing_rather_than_hyb000_on_deep_nesting(tmp_path: Path) -> None:
    import ast

    from flake8_hybrid.plugin import Plugin

    (tmp_path / "setup.cfg").write_text("[metadata]\nname = deep\n")
    for name, body in {
        "lambdas.py": "f = " + "lambda: " * 500 + "tf.ones([2])\n",
        "attributes.py": "y = tf" + ".a" * 1000 + "\n",
        "unary.py": "y = " + "-" * 1000 + "tf.ones([2])\n",
    }.items():
        path = tmp_path / name
        source = TF + body
        path.write_text(source)
        reports = list(Plugin(ast.parse(source), str(path), source.splitlines(True)).run())
        assert not [r for r in reports if "HYB000" in r[2]], (name, reports)
    projects.forget_projects()
