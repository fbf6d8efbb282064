"""Warm answers equal cold answers: after every edit of a seeded random sequence, the findings
(both tiers) and the ``facts`` output computed with the cache that earlier runs left equal those
computed with an empty cache, as a fresh checkout would.

The project is kept as a small model (modules, functions, their calls, decorators, side effects,
parameters and the loops that drive them) and written out after each edit, so every edit gives
valid Python: add or remove a call, a decorator, a side effect, a parameter, a module; rename a
function; move a function to another module; move lines (a comment at the top of a module, a
comment or a blank line inside a function, a local variable its summary does not see: the facts
of the state before are reused, each line moved, ``results.load_moved``). Every lint runs as a
new process would (the analysis forgets what it holds in memory), so only the on-disk caches
carry over. The last tests break the cache on purpose (a summary keyed without the module's
text, findings keyed without the rest of the project, facts reused with their lines left where
they were) and check that the sequence catches it: a differential test that could not fail
would prove nothing.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from flake8_hybrid import facts as facts_command
from flake8_hybrid import findings_cache, lint, versions
from flake8_hybrid.analysis import positions, projects, results
from flake8_hybrid.analysis.cache import SummaryCache
from flake8_hybrid.settings import Settings

#: Tensor work lines a function body can hold: enough ops for HYB001 to weigh (DEFAULT min ops).
WORK = (
    "y = tf.nn.relu(y) * 2.0 + tf.math.log1p(y * y) - tf.math.exp(-y)",
    "y = tf.nn.softmax(y) + tf.nn.sigmoid(y) + tf.nn.tanh(y) + tf.square(y) + tf.math.sqrt(y + 1.0)",
    "y = tf.reduce_sum(y) + tf.reduce_mean(y) + tf.reduce_max(y) + tf.math.abs(y) + tf.math.cos(y)",
    "y = tf.math.rsqrt(y + 2.0) + tf.math.softplus(y) + tf.math.erf(y) + tf.math.round(y) + tf.math.sin(y)",
)


@dataclass
class Function:
    name: str
    decorated: bool = False
    parameters: list = field(default_factory=lambda: ["x"])
    work: int = 1
    side_effect: bool = False
    calls: list = field(default_factory=list)  # names of functions called with the tensor y
    gaps: int = 0  # comment and blank lines in its body, after its first statement
    locals: int = 0  # local variables it assigns and never reads


@dataclass
class Module:
    functions: list = field(default_factory=list)
    driven: list = field(default_factory=list)  # (function name, "tensor" | "int") called in a loop
    comments: int = 0


class Model:
    """A small TensorFlow project that edits keep valid."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.counter = 0
        self.modules = {"m0": Module(), "m1": Module(), "m2": Module()}
        for module in self.modules.values():
            for _ in range(2):
                module.functions.append(Function(self._name(), decorated=rng.random() < 0.4,
                                                 work=rng.randint(1, 4), side_effect=rng.random() < 0.3))
        names = self.function_names()
        for module in self.modules.values():
            for function in module.functions:
                if rng.random() < 0.5:
                    function.calls.append(rng.choice([n for n in names if n != function.name]))
        self.modules["m0"].driven.append((names[0], "tensor"))
        self.modules["m1"].driven.append((names[2], "int"))

    def _name(self) -> str:
        self.counter += 1
        return f"f{self.counter}"

    def function_names(self) -> list:
        return [f.name for m in self.modules.values() for f in m.functions]

    def owner(self, name: str) -> str:
        return next(m for m, module in self.modules.items() if any(f.name == name for f in module.functions))

    def functions(self) -> list:
        return [f for m in self.modules.values() for f in m.functions]

    # -- edits ------------------------------------------------------------------------------
    def edit(self) -> str:
        kinds = ["add_call", "remove_call", "decorator", "side_effect", "parameter", "module", "rename",
                 "move", "comment", "gap", "local", "drive", "work"]
        kind = self.rng.choice(kinds)
        getattr(self, f"_edit_{kind}")()
        return kind

    def _edit_add_call(self) -> None:
        caller = self.rng.choice(self.functions())
        caller.calls.append(self.rng.choice([n for n in self.function_names() if n != caller.name]))

    def _edit_remove_call(self) -> None:
        callers = [f for f in self.functions() if f.calls]
        if callers:
            caller = self.rng.choice(callers)
            caller.calls.pop(self.rng.randrange(len(caller.calls)))

    def _edit_decorator(self) -> None:
        function = self.rng.choice(self.functions())
        function.decorated = not function.decorated

    def _edit_side_effect(self) -> None:
        function = self.rng.choice(self.functions())
        function.side_effect = not function.side_effect

    def _edit_parameter(self) -> None:
        function = self.rng.choice(self.functions())
        function.parameters.append(f"p{len(function.parameters)}")

    def _edit_module(self) -> None:
        name = f"m{len(self.modules)}"
        module = Module(functions=[Function(self._name(), work=self.rng.randint(1, 4))])
        module.functions[0].calls.append(self.rng.choice(self.function_names()))
        module.driven.append((module.functions[0].name, self.rng.choice(["tensor", "int"])))
        self.modules[name] = module

    def _edit_rename(self) -> None:
        function = self.rng.choice(self.functions())
        old, new = function.name, self._name()
        function.name = new
        for other in self.functions():
            other.calls = [new if c == old else c for c in other.calls]
        for module in self.modules.values():
            module.driven = [(new if n == old else n, kind) for n, kind in module.driven]

    def _edit_move(self) -> None:
        source = self.rng.choice([m for m, module in self.modules.items() if len(module.functions) > 1] or [None])
        if source is None:
            return
        function = self.modules[source].functions.pop(self.rng.randrange(len(self.modules[source].functions)))
        target = self.rng.choice([m for m in self.modules if m != source])
        self.modules[target].functions.insert(0, function)

    def _edit_comment(self) -> None:
        self.modules[self.rng.choice(list(self.modules))].comments += 1

    def _edit_gap(self) -> None:
        """A comment or a blank line in a function's body: only the lines below it move."""
        self.rng.choice(self.functions()).gaps += 1

    def _edit_local(self) -> None:
        """A new local variable: the syntax tree changes, the module's summary does not."""
        self.rng.choice(self.functions()).locals += 1

    def _edit_drive(self) -> None:
        module = self.modules[self.rng.choice(list(self.modules))]
        if module.driven and self.rng.random() < 0.4:
            module.driven.pop()
        else:
            module.driven.append((self.rng.choice(self.function_names()), self.rng.choice(["tensor", "int"])))

    def _edit_work(self) -> None:
        function = self.rng.choice(self.functions())
        function.work = self.rng.randint(0, len(WORK))

    # -- the files --------------------------------------------------------------------------
    def sources(self) -> dict:
        return {f"{name}.py": self._render(name, module) for name, module in self.modules.items()}

    def _render(self, name: str, module: Module) -> str:
        lines = [f"# comment {i}" for i in range(module.comments)]
        lines += ["import tensorflow as tf"]
        used = {self.owner(c) for f in module.functions for c in f.calls}
        used |= {self.owner(n) for n, _ in module.driven}
        lines += [f"import {other}" for other in sorted(used - {name})]
        lines += ["", "LOG = []", ""]
        for function in module.functions:
            lines += [""]
            if function.decorated:
                lines.append("@tf.function")
            parameters = ", ".join(function.parameters[:1] + [f"{p}=1" for p in function.parameters[1:]])
            lines.append(f"def {function.name}({parameters}):")
            lines.append("    y = x")
            lines += ["    # note" if i % 2 else "" for i in range(function.gaps)]
            lines += [f"    unused_{i} = {i}" for i in range(function.locals)]
            lines += [f"    {line}" for line in WORK[: function.work]]
            if function.side_effect:
                lines.append("    LOG.append(1)")
                lines.append("    print('step')")
            for callee in function.calls:
                owner = self.owner(callee)
                reference = callee if owner == name else f"{owner}.{callee}"
                lines.append(f"    y = {reference}(y)")
            lines.append("    return y")
            lines.append("")
        for callee, kind in module.driven:
            owner = self.owner(callee)
            reference = callee if owner == name else f"{owner}.{callee}"
            argument = "tf.ones([2])" if kind == "tensor" else "step"
            lines += ["", "for step in range(10):", f"    {reference}({argument})"]
        return "\n".join(lines) + "\n"


def write(root: Path, sources: dict) -> None:
    for old in root.glob("m*.py"):
        if old.name not in sources:
            old.unlink()
    for name, text in sources.items():
        path = root / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)


def new_process() -> None:
    """What a new flake8 process would not have: the analysis held in memory."""
    projects.forget_projects()
    versions.detect_target.cache_clear()


def answers(root: Path, cache: Path) -> dict:
    """Every module's findings, both tiers, and the facts output, each file linted as its own process."""
    found = {}
    settings = Settings(cache_directory=str(cache), preview=True)
    for path in sorted(root.glob("m*.py")):
        new_process()
        findings = lint.lint_source(path.read_text(), str(path), settings)
        found[path.name] = sorted((f.code, f.line, f.col, f.message, f.preview) for f in findings)
    new_process()
    out = io.StringIO()
    assert facts_command.run([str(root), "--format", "json", "--cache-dir", str(cache)], stdout=out,
                             stderr=io.StringIO()) == 0
    return {"findings": found, "facts": json.loads(out.getvalue())}


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "setup.cfg").write_text("[metadata]\nname = sample\n")
    monkeypatch.chdir(root)
    monkeypatch.setattr(projects, "_SHARED", {})
    monkeypatch.setattr(projects, "_EDITED", {})
    monkeypatch.setattr(projects, "_STATES", {})
    yield root
    new_process()


def first_difference(root: Path, seed: int, edits: int) -> str:
    """The first edit after which warm and cold answers differ ('' when none does)."""
    model = Model(random.Random(seed))
    warm_cache = root.parent / "warm-cache"
    write(root, model.sources())
    answers(root, warm_cache)  # the cache every later run starts from
    for number in range(edits):
        kind = model.edit()
        write(root, model.sources())
        warm = answers(root, warm_cache)
        cold_cache = root.parent / f"cold-cache-{number}"
        cold = answers(root, cold_cache)
        shutil.rmtree(cold_cache, ignore_errors=True)
        if warm != cold:
            return f"seed {seed}, edit {number} ({kind})"
    return ""


#: Seeds whose sequences together make every kind of edit and findings of the main families.
SEEDS = (3, 5, 7)


@pytest.mark.parametrize("seed", SEEDS)
def test_warm_answers_equal_cold_answers_after_every_edit(project: Path, seed: int) -> None:
    assert first_difference(project, seed, edits=12) == ""


def test_the_sequences_exercise_every_edit_and_findings_that_come_and_go(project: Path, monkeypatch) -> None:
    """The edits are not idle: over the seeds of the test above, every kind of edit is made, the
    answers change along the way, with findings of the main families, and the facts of a state
    before an edit that only moved lines are reused."""
    seen_codes, kinds = set(), set()
    reused = []
    load_moved = results.load_moved
    monkeypatch.setattr(results, "load_moved", lambda *args, **kwargs: reused.append(load_moved(*args, **kwargs))
                        or reused[-1])
    for seed in SEEDS:
        model = Model(random.Random(seed))
        states = set()
        for _ in range(12):
            write(project, model.sources())
            result = answers(project, project.parent / f"cache-{seed}")
            seen_codes |= {f[0] for found in result["findings"].values() for f in found}
            states.add(json.dumps(result, sort_keys=True))
            kinds.add(model.edit())
        assert len(states) >= 6, seed
    assert {"HYB001", "HYB002", "HYB006", "HYB007", "HYB101", "HYB102"} <= seen_codes, seen_codes
    assert kinds == {name[len("_edit_"):] for name in dir(Model) if name.startswith("_edit_")}
    assert any(found is not None for found in reused)


def _summary_keyed_by_path_alone(monkeypatch) -> None:
    keyed = SummaryCache.key
    monkeypatch.setattr(SummaryCache, "key", lambda self, identity, content: keyed(self, identity, b""))


def _findings_keyed_by_their_file_alone(monkeypatch) -> None:
    entry_for = findings_cache.entry_for

    def one_state(*args, **kwargs):
        entry = entry_for(*args, **kwargs)
        if entry is None:
            return None
        return findings_cache.FindingsEntry(os.path.join(os.path.dirname(entry.folder), "any-state"), entry.key)

    monkeypatch.setattr(findings_cache, "entry_for", one_state)


def _lines_never_move(monkeypatch) -> None:
    for name in ("line_moves", "summary_moves"):
        monkeypatch.setattr(positions, name, _in_place(getattr(positions, name)))


def _in_place(moves):
    def in_place(old, new):
        found = moves(old, new)
        return None if found is None else {line: line for line in found}

    return in_place


@pytest.mark.parametrize(
    "breakage", [_summary_keyed_by_path_alone, _findings_keyed_by_their_file_alone, _lines_never_move]
)
def test_a_broken_cache_is_caught(project: Path, monkeypatch, breakage) -> None:
    """Break the cache on purpose: a module's summary found again by its path alone (an edited
    module keeps its old summary), or a file's findings found again whatever the rest of the
    project became, or facts reused after lines moved with every line where it was. The
    differential sequence must notice within its edits."""
    breakage(monkeypatch)
    assert any(first_difference(project, seed, edits=12) for seed in SEEDS)
