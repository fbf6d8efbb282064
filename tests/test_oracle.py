"""The runtime oracle: static parameter facts against what real TensorFlow passes.

``oracle_tracer.py`` runs every program under ``fixtures/oracle/`` (one
project per directory, entry script ``main.py``) in one subprocess and records,
for every call of every function they define, what each argument was.  Here
each observed (function, parameter) is compared with the facts the analysis
derives for it, without TensorFlow:

- tensor: true at runtime when any call passed a tensor, a tf.Variable or a
  container holding one; predicted when the fact is True.  An unknown (None)
  fact predicts nothing: it costs recall, not precision.
- primitive: true at runtime when a call passed a Python int or float (not a
  bool) other than the parameter's default, or when the Python number or string
  it receives differed between calls: the values that make a tf.function
  retrace; predicted when the fact is True.

The thresholds are what the analysis achieves now: a regression fails the
test, with a table of the misses in the assertion message.  The summary line is
also written to the terminal summary (visible without ``-s``).
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

from conftest import FIXTURES
from flake8_hybrid.analysis.api_model import api_model
from flake8_hybrid.analysis.project import FunctionFacts, Project

ORACLE = FIXTURES / "oracle"
PROGRAMS = sorted(path for path in ORACLE.iterdir() if (path / "main.py").is_file())
TRACER = Path(__file__).with_name("oracle_tracer.py")
TENSOR_KINDS = frozenset({"tensor", "variable", "container_tensor"})

# What the analysis achieves now (see the module docstring); raise them as it improves.
MIN_TENSOR_PRECISION = 1.0
MIN_TENSOR_RECALL = 0.93
MIN_PRIMITIVE_PRECISION = 1.0
MIN_PRIMITIVE_RECALL = 0.87
# Facts that say False where the runtime saw a tensor (or a primitive): the
# dangerous direction, since a False fact can make a function "convert to eager".
MAX_TENSOR_WRONGLY_FALSE = 0
MAX_PRIMITIVE_WRONGLY_FALSE = 0

#: Functions defined in the programs that need not run: (program, function name) -> why.
NOT_CALLED: dict[tuple[str, str], str] = {}


# -- the two sides -----------------------------------------------------------------
@dataclass(frozen=True)
class Definition:
    path: str
    line: int  # of the `def` (of the `lambda`)
    name: str
    defaults: dict  # parameter -> "kind:digest" of its literal default (as the tracer records values)


def _literal(value: object) -> Optional[str]:
    """``kind:digest`` of a literal as ``oracle_tracer`` records a Python scalar (keep the two in sync)."""
    kinds = {bool: "bool", int: "int", float: "float", str: "str", bytes: "str", type(None): "none"}
    if type(value) not in kinds:
        return None
    return f"{kinds[type(value)]}:{hashlib.sha1(repr(value).encode()).hexdigest()[:10]}"


def _defaults(arguments: ast.arguments) -> dict:
    positional = [*arguments.posonlyargs, *arguments.args]
    first_default = len(positional) - len(arguments.defaults)
    pairs = list(zip(positional[first_default:], arguments.defaults))
    pairs += [(a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d is not None]
    found = {}
    for argument, default in pairs:
        try:
            digest = _literal(ast.literal_eval(default))
        except ValueError:
            continue
        if digest is not None:
            found[argument.arg] = digest
    return found


def definitions(program: Path) -> dict[tuple[str, int], Definition]:
    """Every function and lambda in a program, keyed by (path, first line of its code object).

    A code object's ``co_firstlineno`` is the line of its first decorator,
    while the facts give the line of ``def``: this maps one to the other.
    """
    found: dict[tuple[str, int], Definition] = {}
    for path in sorted(program.rglob("*.py")):
        absolute = os.path.realpath(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=absolute)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
                name = getattr(node, "name", "<lambda>")
                key = (absolute, first)
                assert key not in found, f"{path}:{first}: two functions start on one line; the oracle cannot tell them apart"  # noqa: E501
                found[key] = Definition(absolute, node.lineno, name, _defaults(node.args))
    return found


@pytest.fixture(scope="module")
def traced() -> dict:
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("the runtime oracle needs TensorFlow")
    result = subprocess.run(
        [sys.executable, str(TRACER), *map(str, PROGRAMS)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])["programs"]


@dataclass
class Row:
    program: str
    path: str
    line: int
    qualname: str
    parameter: str
    kinds: list  # what the parameter received at runtime
    values: list  # kind:digest of the Python scalars it received
    default: Optional[str]  # kind:digest of its literal default
    facts: Optional[FunctionFacts]  # None: no facts for the function
    tensor: Optional[bool]  # the static facts (None also when missing)
    primitive: Optional[bool]
    evidence: list
    speculative: bool

    @property
    def runtime_tensor(self) -> bool:
        return bool(set(self.kinds) & TENSOR_KINDS)

    @property
    def runtime_primitive(self) -> bool:
        """A Python number passed explicitly, or a Python number or string whose value varied.

        A value equal to the parameter's literal default counts as the default
        (a constant), whether it was passed or not.  Variation counts every
        Python scalar received (None and bools too: a tf.function traces again
        for each), once the parameter received a number or a string at all.
        """
        scalars = set(self.values)
        if not {value for value in scalars if value.split(":")[0] in ("int", "float", "str")}:
            return False
        explicit_numbers = {v for v in scalars if v.split(":")[0] in ("int", "float") and v != self.default}
        return bool(explicit_numbers) or len(scalars) > 1

    def describe(self, fact: str) -> str:
        static = {"tensor": self.tensor, "primitive": self.primitive}[fact]
        where = f"{self.program}/{os.path.relpath(self.path, ORACLE / self.program)}:{self.line}"
        evidence = "; ".join(self.evidence[:2]) or "-"
        missing = "" if self.facts is not None else " (no facts for the function)"
        varied = f" ({len(self.values)} distinct scalars)" if fact == "primitive" and self.values else ""
        return (
            f"  {where} {self.qualname}({self.parameter}): runtime {'/'.join(self.kinds)}{varied}, "
            f"static {static}{missing}; evidence: {evidence}"
        )


@dataclass
class Comparison:
    rows: list
    definitions: dict  # program -> {(path, first line): Definition}
    observed: dict  # program -> {(path, def line)}
    without_facts: list  # called functions the analysis has no facts for
    qualname_mismatches: list


@pytest.fixture(scope="module")
def comparison(traced: dict, request: pytest.FixtureRequest) -> Comparison:
    api = api_model()
    rows: list[Row] = []
    all_definitions: dict = {}
    observed: dict = {}
    without_facts: list[str] = []
    mismatches: list[str] = []
    for program in PROGRAMS:
        run = traced[str(program)]
        assert run["ok"], f"{program.name} failed:\n{run['error']}"
        facts = Project(str(program), api, cache_directory=None).facts()
        by_line = {(os.path.realpath(f.path), f.line): f for f in facts.values()}
        known = definitions(program)
        all_definitions[program.name] = known
        observed[program.name] = set()
        for function in run["functions"]:
            definition = known.get((function["path"], function["first_line"]))
            line = definition.line if definition else function["first_line"]
            observed[program.name].add((function["path"], line))
            static = by_line.get((function["path"], line))
            where = f"{program.name}/{os.path.relpath(function['path'], program)}:{line}"
            if static is None:
                without_facts.append(f"  {where} {function['qualname']}")
            elif static.qualname != function["qualname"]:
                mismatches.append(f"  {where}: facts {static.qualname!r}, Python {function['qualname']!r}")
            parameters = {p.name: p for p in static.parameters} if static else {}
            for name, seen in function["parameters"].items():
                fact = parameters.get(name)
                rows.append(
                    Row(
                        program.name, function["path"], line, function["qualname"], name, seen["kinds"], seen["values"],
                        definition.defaults.get(name) if definition else None,
                        static, fact.tensor if fact else None, fact.primitive if fact else None,
                        list(fact.evidence) if fact else [], bool(fact and fact.speculative),
                    )
                )
    result = Comparison(rows, all_definitions, observed, without_facts, mismatches)
    request.config.pluginmanager.register(_SummaryReporter(result), "oracle-summary")
    return result


# -- scores --------------------------------------------------------------------------
@dataclass
class Score:
    fact: str
    true_positives: list
    false_positives: list
    false_negatives: list
    unknown: list  # static None
    wrong_negatives: list  # static False, runtime true
    true_negatives: list  # static False, runtime false
    speculative: list  # true positives only by naming convention

    @property
    def precision(self) -> float:
        predicted = len(self.true_positives) + len(self.false_positives)
        return len(self.true_positives) / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        actual = len(self.true_positives) + len(self.false_negatives)
        return len(self.true_positives) / actual if actual else 1.0

    def line(self) -> str:
        hits = len(self.true_positives)
        return (
            f"{self.fact} parameters: precision {self.precision:.3f} ({hits}/{hits + len(self.false_positives)}), "
            f"recall {self.recall:.3f} ({hits}/{hits + len(self.false_negatives)}), "
            f"{len(self.unknown)} unknown, {len(self.wrong_negatives)} wrongly false, "
            f"{len(self.true_negatives)} rightly false, {len(self.speculative)} true only speculatively"
        )

    def table(self) -> str:
        lines = [self.line()]
        if self.false_positives:
            lines.append(f"false positives (static {self.fact}, runtime not):")
            lines += [row.describe(self.fact) for row in self.false_positives]
        if self.false_negatives:
            lines.append(f"false negatives (runtime {self.fact}, static not True):")
            lines += [row.describe(self.fact) for row in self.false_negatives]
        return "\n".join(lines)


def score(rows: list, fact: str) -> Score:
    def runtime(row: Row) -> bool:
        return row.runtime_tensor if fact == "tensor" else row.runtime_primitive

    def static(row: Row) -> Optional[bool]:
        return row.tensor if fact == "tensor" else row.primitive

    return Score(
        fact,
        [r for r in rows if runtime(r) and static(r) is True],
        [r for r in rows if not runtime(r) and static(r) is True],
        [r for r in rows if runtime(r) and static(r) is not True],
        [r for r in rows if static(r) is None],
        [r for r in rows if runtime(r) and static(r) is False],
        [r for r in rows if not runtime(r) and static(r) is False],
        [r for r in rows if runtime(r) and static(r) is True and r.speculative and fact == "tensor"],
    )


class _SummaryReporter:
    """Writes the scores into pytest's terminal summary (shown without ``-s``)."""

    def __init__(self, comparison: Comparison) -> None:
        self.comparison = comparison

    def pytest_terminal_summary(self, terminalreporter) -> None:
        functions = sum(len(d) for d in self.comparison.definitions.values())
        terminalreporter.write_sep("-", "runtime oracle")
        terminalreporter.write_line(
            f"{len(PROGRAMS)} programs, {functions} functions, {len(self.comparison.rows)} parameters observed"
        )
        for fact in ("tensor", "primitive"):
            terminalreporter.write_line(score(self.comparison.rows, fact).line())


# -- the tests -----------------------------------------------------------------------
def test_the_programs_cover_enough_ground(comparison: Comparison) -> None:
    functions = sum(len(d) for d in comparison.definitions.values())
    multi_module = [p.name for p in PROGRAMS if len(list(p.rglob("*.py"))) > 1]
    assert len(PROGRAMS) >= 8
    assert functions >= 40
    assert len(multi_module) >= 3, multi_module
    for program in PROGRAMS:
        assert (program / "setup.cfg").read_text(encoding="utf-8").strip() == f"[metadata]\nname = {program.name}"


def test_every_function_is_called(comparison: Comparison) -> None:
    never = [
        f"  {program}/{os.path.relpath(d.path, ORACLE / program)}:{d.line} {d.name}"
        for program, known in comparison.definitions.items()
        for d in known.values()
        if (d.path, d.line) not in comparison.observed[program] and (program, d.name) not in NOT_CALLED
    ]
    assert never == [], "functions the programs never call (call them, or list them in NOT_CALLED):\n" + "\n".join(
        never
    )


def test_every_called_function_has_facts_with_its_python_qualname(comparison: Comparison) -> None:
    assert comparison.without_facts == [], "called functions without facts:\n" + "\n".join(comparison.without_facts)
    assert comparison.qualname_mismatches == [], "qualnames differ:\n" + "\n".join(comparison.qualname_mismatches)
    unlisted = [
        row.describe("tensor")
        for row in comparison.rows
        if row.facts is not None and row.parameter not in {p.name for p in row.facts.parameters}
    ]
    assert unlisted == [], "parameters seen at runtime that the facts do not list:\n" + "\n".join(unlisted)


def test_tensor_parameters_against_runtime(comparison: Comparison) -> None:
    result = score(comparison.rows, "tensor")
    assert result.precision >= MIN_TENSOR_PRECISION, result.table()
    assert result.recall >= MIN_TENSOR_RECALL, result.table()
    assert len(result.wrong_negatives) <= MAX_TENSOR_WRONGLY_FALSE, result.table()


def test_primitive_parameters_against_runtime(comparison: Comparison) -> None:
    result = score(comparison.rows, "primitive")
    assert result.precision >= MIN_PRIMITIVE_PRECISION, result.table()
    assert result.recall >= MIN_PRIMITIVE_RECALL, result.table()
    assert len(result.wrong_negatives) <= MAX_PRIMITIVE_WRONGLY_FALSE, result.table()
