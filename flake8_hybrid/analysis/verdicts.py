"""Verdicts: which refactoring each function's facts allow, which rules report it, and on what.

The seed paper's precondition tables decide per function: an eager function
with tensor parameters, no primitive parameters, no Python side effects, no
recursion (and, ours, no eager-only calls, enough work, called repeatedly) may
become hybrid; a hybrid function without tensor parameters, or with primitive
ones, or too little work for its graph, may become eager.  Two rules then need
the whole project:

- only outermost candidates are reported (HYB001): a candidate whose every
  caller is itself a candidate, or graph code, is covered by its callers;
- a ``tf.function`` called only from graph code is redundant (HYB006), where
  "graph code" includes the HYB001 candidates, so that applying every HYB001
  fix never creates a new HYB006 finding: it is reported, and fixed, up front.

Must, not may: a verdict's code is reported by default only when every fact it
needs was proven. Where one rests on an assumption (a value of unknown type is a
tensor, code the analysis cannot see has no side effects, no caller outside the
project exists), the code goes with the assumption in ``assumptions`` and the
rule reports it in the preview tier, naming it. The ``facts`` command and the
rules read the same verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Iterator, Optional

from flake8_hybrid.analysis.function_facts import FunctionFacts
from flake8_hybrid.settings import MIN_OPS_PER_CALL

#: The codes whose fix removes a decorator: they need every caller known.
REMOVALS = ("HYB002", "HYB006", "HYB007")


@dataclass
class Verdict:
    refactoring: Optional[str]  # "convert-to-hybrid" | "convert-to-eager" | None
    blockers: list = field(default_factory=list)
    codes: list = field(default_factory=list)  # HYB0xx codes reported for the function
    #: code -> what its finding assumes (the preview tier); a code not here rests on proof.
    assumptions: dict = field(default_factory=dict)


def hybrid_table(facts: FunctionFacts, min_ops: int = MIN_OPS_PER_CALL) -> tuple[Optional[str], list, list]:
    """HYB001's preconditions for an eager function: (refactoring or None, blockers, assumptions)."""
    blockers: list[str] = []
    assumptions: list[str] = []
    if "<lambda>" in facts.qualname:
        return None, ["is-a-lambda"], []  # no decorator can be added to or removed from one
    tensor = facts.has_tensor_parameter
    if tensor is False:
        blockers.append("has-no-tensor-parameters")
    elif tensor is None:
        blockers.append("undeterminable-tensor-parameters")
    if facts.has_primitive_parameter:
        blockers.append("has-primitive-parameters")
    if facts.keras_tensor_parameters:
        blockers.append("receives-keras-tensors")  # symbolic: a tf.function raises ValueError for them
    if facts.side_effects:
        blockers.append("has-python-side-effects")
    if facts.recursive:
        blockers.append("is-recursive")
    if facts.eager_only_calls:
        blockers.append("has-eager-only-calls")
    if facts.keras_managed:
        blockers.append("is-keras-managed")  # Keras traces call/build itself
    blockers.extend(facts.graph_hazards)  # builds Keras objects, sets seeds, raises on a tensor ...
    if facts.runs_as_graph:
        blockers.append("covered-by-callers")
    if facts.ops_per_call < min_ops:
        blockers.append("too-little-computation")
    if not facts.called_repeatedly:
        if facts.repeated_in_tests and facts.public_api:
            assumptions.append("callers outside the project call it repeatedly, as its tests do")
        else:
            blockers.append("called-repeatedly-only-in-tests" if facts.repeated_in_tests else "not-called-repeatedly")
    if blockers:
        return None, blockers, []
    if not facts.repeated_eagerly:
        assumptions.append(f"the code that calls it {facts.repeated_by} runs eagerly, not inside a graph "
                           f"(its callers are not all known)")
    speculative = [p for p in facts.parameters if p.tensor and p.speculative]
    if speculative:
        first = speculative[0]
        assumptions.insert(0, first.evidence[0].removeprefix("assumed: ") if first.evidence else
                           f"'{first.name}' receives tensors")
    unknown = [p.name for p in facts.parameters if p.tensor is None or p.primitive is None]
    if unknown:
        assumptions.append(f"the values of unknown type passed to '{unknown[0]}' are tensors")
    if facts.opaque_calls:
        assumptions.append("the code it calls that the analysis cannot see has no Python side effects")
    return "convert-to-hybrid", [], assumptions


def verdicts(
    all_facts: Mapping[str, FunctionFacts], min_ops: int = MIN_OPS_PER_CALL, closed_world: bool = False
) -> "Verdicts":
    return Verdicts(all_facts, min_ops, closed_world)


class Verdicts(Mapping):
    """The verdict of each function (key -> ``Verdict``), each worked out when asked for.

    A verdict reads the function's facts and its callers' (are they graph code, or HYB001
    candidates?), nothing else: a lint of one file asks for that file's functions, and stored
    facts (``results.py``) are read only for them and their callers."""

    def __init__(self, all_facts: Mapping[str, FunctionFacts], min_ops: int, closed_world: bool) -> None:
        self._facts = all_facts
        self._min_ops = min_ops
        self._closed_world = closed_world
        self._tables: dict[str, tuple] = {}
        self._verdicts: dict[str, Verdict] = {}

    def _table(self, facts: FunctionFacts) -> tuple:
        table = self._tables.get(facts.key)
        if table is None:
            table = self._tables[facts.key] = hybrid_table(facts, self._min_ops)
        return table

    def _graph_code(self, key: str, only: bool = False) -> bool:
        """Code that runs as a graph: with ``only``, never outside one (a graph entry's body, a
        helper only graph code calls, or a function HYB001 makes a graph entry)."""
        facts = self._facts.get(key)
        if facts is None:
            return False
        candidate = not facts.hybrid and self._table(facts)[0] == "convert-to-hybrid"
        if only:
            return facts.hybrid or facts.graph_only or candidate
        return facts.runs_as_graph or candidate

    def __getitem__(self, key: str) -> Verdict:
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = self._verdict(self._facts[key])
        return verdict

    def _verdict(self, facts: FunctionFacts) -> Verdict:
        if facts.hybrid:
            return _hybrid_verdict(facts, self._min_ops, self._graph_code, self._closed_world)
        kind, blockers, assumptions = self._table(facts)
        verdict = Verdict(kind, list(blockers))
        if kind == "convert-to-hybrid" and facts.callers and all(self._graph_code(c) for c in facts.callers):
            verdict.refactoring = None
            verdict.blockers.append("covered-by-callers")
        if verdict.refactoring == "convert-to-hybrid":
            verdict.codes.append("HYB001")
            if assumptions:
                verdict.assumptions["HYB001"] = "; ".join(assumptions)
        return verdict

    def __iter__(self) -> Iterator[str]:
        return iter(self._facts)

    def __len__(self) -> int:
        return len(self._facts)


def _hybrid_verdict(facts: FunctionFacts, min_ops: int, graph_code, closed_world: bool) -> Verdict:
    """What a ``tf.function`` may become: eager (HYB002, HYB006, HYB007) or kept, and HYB003."""
    verdict = Verdict(None)
    if not facts.parameters and not facts.called_repeatedly:
        return verdict
    if facts.has_tensor_parameter is None and facts.parameters:
        verdict.blockers.append("undeterminable-tensor-parameters")
    if _retraces(facts):
        verdict.codes.append("HYB003")
    removal = _removal_code(facts, min_ops, graph_code, verdict.blockers)
    if removal is None:
        return verdict
    blockers = _removal_blockers(facts)
    if blockers:
        verdict.blockers.extend(blockers)
        return verdict
    verdict.codes.append(removal)
    verdict.refactoring = "convert-to-eager"
    assumptions = []
    if facts.public_api and not closed_world:
        assumptions.append("no code outside the project calls it (it is public API of an installable package; "
                           "--hybrid-closed-world assumes so)")
    if assumptions:
        verdict.assumptions[removal] = "; ".join(assumptions)
    return verdict


def _removal_code(facts: FunctionFacts, min_ops: int, graph_code, blockers: list) -> Optional[str]:
    """The code that asks to remove the decorator, before what may block the removal."""
    if facts.input_signature:
        # Arguments become tensors, and the signature is an enforced check (and an export's).
        if facts.called_repeatedly and facts.ops_per_call < min_ops:
            blockers.append("has-input-signature")
        return None
    if facts.parameters and facts.has_spec_parameter is False:
        return "HYB002"  # (NumPy arrays too are traced by spec: no retrace per value)
    if facts.callback or facts.callers and all(graph_code(c, only=True) for c in facts.callers):
        return "HYB006"  # (a Dataset.map callback is traced by tf.data: its own decorator adds a trace)
    if facts.called_repeatedly and facts.ops_per_call < min_ops:
        if facts.opaque_calls:
            blockers.append("calls-code-not-analyzed")
        elif facts.calls_keras_models:
            blockers.append("calls-keras-models")  # their work is the model's size: unknown
        elif facts.jit_compile:
            blockers.append("has-jit-compile")
        else:
            return "HYB007"
    return None


def _removal_blockers(facts: FunctionFacts) -> list[str]:
    """Why a decorator a removal rule asks about stays: the fix could not be applied, or would
    take away a graph that is wanted (tests of graph behaviour, distribution, export)."""
    blockers = []
    if not facts.decorated:
        blockers.append("wrapped-not-decorated")  # tf.function(f) or a project wrapper: nothing to remove
    if facts.in_test:
        blockers.append("in-a-test")  # a test's tf.function usually tests graph behaviour
    if facts.distributes:
        blockers.append("runs-a-distribution-strategy")  # TF warns: eager strategy.run is slow
    if facts.jit_compile:
        blockers.append("has-jit-compile")  # XLA compiles it: the decorator is not redundant
    if facts.exported_module_method:
        blockers.append("is-a-tf-module-method")  # SavedModel exports its graphs
    return blockers


def _retraces(facts: FunctionFacts) -> bool:
    """HYB003: project code (not tests) passes a parameter Python values that vary."""
    if facts.in_test or facts.input_signature:
        return False
    return any(p.primitive and (p.varies or len(p.primitive_sites) > 1) for p in facts.parameters)
