"""Verdicts: which refactoring each function's facts allow, and which rules report it.

The seed paper's precondition tables decide per function: an eager function
with tensor parameters, no primitive parameters, no Python side effects, no
recursion (and, ours, no eager-only calls, enough work, called repeatedly) may
become hybrid; a hybrid function without tensor parameters, or with primitive
ones, may become eager.  Two rules then need the whole project:

- only outermost candidates are reported (HYB001): a candidate whose every
  caller is itself a candidate, or graph code, is covered by its callers;
- a ``tf.function`` called only from graph code is redundant (HYB006), where
  "graph code" includes the HYB001 candidates, so that applying every HYB001
  fix never creates a new HYB006 finding: it is reported, and fixed, up front.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from flake8_hybrid.analysis.project import FunctionFacts
from flake8_hybrid.settings import MIN_OPS_PER_CALL


@dataclass
class Verdict:
    refactoring: Optional[str]  # "convert-to-hybrid" | "convert-to-eager" | None
    blockers: list = field(default_factory=list)
    codes: list = field(default_factory=list)  # HYB0xx codes reported for the function


def table(facts: FunctionFacts, min_ops: int = MIN_OPS_PER_CALL) -> tuple[Optional[str], list[str]]:
    """The precondition tables for one function: (refactoring or None, blockers)."""
    blockers: list[str] = []
    tensor = facts.has_tensor_parameter
    primitive = facts.has_primitive_parameter
    if "<lambda>" in facts.qualname:
        return None, ["is-a-lambda"]  # no decorator can be added to or removed from one
    if facts.hybrid:
        if not facts.parameters:
            return None, []  # nothing to pass tensors through: the cost model (HYB007) judges it
        if tensor is None:
            return None, ["undeterminable-tensor-parameters"]
        if tensor and not primitive:
            return None, []
        if facts.side_effects:
            blockers.append("has-python-side-effects")
        if facts.input_signature:
            blockers.append("has-input-signature")
        return (None if blockers else "convert-to-eager"), blockers
    if tensor is False:
        blockers.append("has-no-tensor-parameters")
    elif tensor is None:
        blockers.append("undeterminable-tensor-parameters")
    if primitive:
        blockers.append("has-primitive-parameters")
    if facts.side_effects:
        blockers.append("has-python-side-effects")
    if facts.recursive:
        blockers.append("is-recursive")
    if facts.eager_only_calls:
        blockers.append("has-eager-only-calls")
    if facts.keras_managed:
        blockers.append("is-keras-managed")  # Keras traces call/build itself
    if facts.runs_as_graph:
        blockers.append("covered-by-callers")
    if facts.ops_per_call < min_ops:
        blockers.append("too-little-computation")
    if not facts.called_repeatedly:
        blockers.append("not-called-repeatedly")
    return (None if blockers else "convert-to-hybrid"), blockers


def verdicts(all_facts: dict[str, FunctionFacts], min_ops: int = MIN_OPS_PER_CALL) -> dict[str, Verdict]:
    tables = {key: table(facts, min_ops) for key, facts in all_facts.items()}
    candidates = {key for key, (kind, _) in tables.items() if kind == "convert-to-hybrid"}

    def graph_code(key: str) -> bool:
        facts = all_facts.get(key)
        return facts is not None and (facts.runs_as_graph or key in candidates)

    result: dict[str, Verdict] = {}
    for key, facts in all_facts.items():
        kind, blockers = tables[key]
        verdict = Verdict(kind, list(blockers))
        if kind == "convert-to-hybrid" and facts.callers and all(graph_code(c) for c in facts.callers):
            verdict.refactoring = None
            verdict.blockers.append("covered-by-callers")
        if verdict.refactoring == "convert-to-hybrid":
            verdict.codes.append("HYB001")
        if facts.hybrid:
            verdict.codes.extend(_hybrid_codes(facts, min_ops, graph_code))
            verdict.blockers.extend(_cost_exemptions(facts, min_ops, verdict.codes))
        result[key] = verdict
    return result


def _hybrid_codes(facts: FunctionFacts, min_ops: int, graph_code) -> list[str]:
    codes = []
    if facts.input_signature:
        return codes  # arguments become tensors, and the signature is an enforced check
    if facts.parameters and facts.has_tensor_parameter is False:
        codes.append("HYB002")
    if any(p.primitive and (p.varies or len(p.primitive_sites) > 1) for p in facts.parameters):
        codes.append("HYB003")
    if facts.callers and all(graph_code(c) for c in facts.callers):
        codes.append("HYB006")
    elif (
        facts.called_repeatedly
        and facts.ops_per_call < min_ops
        and not facts.opaque_calls
        and not facts.jit_compile
        and "HYB002" not in codes
    ):
        codes.append("HYB007")
    return codes


def _cost_exemptions(facts: FunctionFacts, min_ops: int, codes: list) -> list[str]:
    """Why a cheap graph called repeatedly is not reported (HYB007), for the facts output."""
    if "HYB007" in codes or not facts.called_repeatedly or facts.ops_per_call >= min_ops:
        return []
    reasons = []
    if facts.input_signature:
        reasons.append("has-input-signature")
    if facts.jit_compile:
        reasons.append("has-jit-compile")
    if facts.opaque_calls:
        reasons.append("calls-code-not-analyzed")
    return reasons
