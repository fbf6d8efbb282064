"""Retracing facts of a project: which calls of a ``tf.function`` make it trace again.

The module summaries record, per call site and argument, what may change between
calls (``CallSite.varying``): a loop variable and the number of values it takes,
tensors whose shapes follow a loop, an object created for the call.  Here those
facts meet the project analysis' resolved values: which callee is a
``tf.function``, which parameters receive the varying values, across functions
and modules (a loop in one module, the ``tf.function`` call in a helper of another).
"""

from __future__ import annotations

import dataclasses
import operator
import itertools
from collections import defaultdict
from dataclasses import dataclass
from typing import Optional

from flake8_hybrid.analysis import values as v
from flake8_hybrid.analysis.call_sites import site_text
from flake8_hybrid.analysis.layout import display_path
from flake8_hybrid.analysis.positions import Moves, move_line, render_value

#: Fewer values than this are few: TensorFlow itself warns after 5 retraces.
MIN_VALUES = 5
#: Loops kept as evidence that a function runs repeatedly, and the callers followed up to one.
MAX_EVIDENCE = 5
MAX_CHAIN = 6
#: The count of a loop over ``range(n)`` whose ``n`` takes values the analysis does not know.
UNKNOWN_COUNT = -1
#: Callers followed back for the value of a range bound, and value combinations tried.
MAX_DEPTH = 4
MAX_COMBINATIONS = 64
_COMBINE = {"add": operator.add, "sub": operator.sub, "mul": operator.mul}


@dataclass(frozen=True)
class RetraceCall:
    """An argument of a ``tf.function`` call that makes it trace again."""

    path: str
    line: int
    col: int
    argument: str  # "0", "1" ... or a keyword
    callee: str  # the key of the tf.function
    parameter: str
    kind: str  # "count" (HYB201), "shape" (HYB203), "new" (HYB205), "repeat" (HYB202)
    #: count: number of values (0: one per iteration, how many unknown; UNKNOWN_COUNT: a range
    #: whose bound is not known); shape: the reason; new: what it is;
    #: repeat: the paths of the callers between the function and the loop, "|"-separated
    detail: object
    via: str = ""  # for values from callers: "path:line" of the call in a loop
    #: The key of the function that makes the call ("repeat": the one whose loop calls).
    caller: str = ""
    #: The call runs in a loop of its own function (else, for "new", it repeats only if
    #: that function does: see loops_calling).
    in_loop: bool = False


class Retracing:
    def __init__(self, project) -> None:
        self.project = project
        project.facts()
        self.analysis = project._analysis
        self.facts = project.facts()
        self.calls: list[RetraceCall] = []
        #: function key -> parameter -> (values taken (0: unknown), site of the loop)
        self.counts: dict[str, dict[str, tuple]] = defaultdict(dict)
        #: function key -> parameter -> (why its tensors take many shapes, site of the loop)
        self.shapes: dict[str, dict[str, tuple]] = defaultdict(dict)
        # Each call's targets, resolved once: (function, call, [(callee key, {argument: parameter})]).
        self.resolved = [
            (function, call, list(self._bindings(call, targets)))
            for function in project.functions.values()
            for call, targets in zip(function.summary.calls, self.analysis.call_targets(function))
            if call.col >= 0
        ]
        self._propagate_counts()
        self._collect()
        self._settle_range_counts()
        self._collect_repetition()
        #: The calls as stored (``results.py``): where they point, as tokens (``positions.py``).
        self.marked = self.calls
        self.calls = [rendered_call(call) for call in self.marked]

    # -- call targets --------------------------------------------------------
    def _bindings(self, call, targets):
        """(callee key, {argument key: parameter name}) for each function the call reaches (``targets``)."""
        project = self.project
        for key, prebound in targets:
            callee = project.functions[key]
            positional = [p for p in callee.parameters if p.kind == "positional"]
            names = {p.name for p in callee.parameters if p.kind in ("positional", "keyword")}
            shift = -prebound if prebound < 0 else 0
            positional = positional[max(prebound, 0):]
            mapping = {}
            for index in range(len(call.args)):
                position = index - shift
                if 0 <= position < len(positional):
                    mapping[str(index)] = positional[position].name
            for name in call.kwargs:
                if name in names:
                    mapping[name] = name
            yield key, mapping

    def _argument(self, call, key: str):
        return call.args[int(key)] if key.isdigit() else call.kwargs.get(key, frozenset())

    # -- how many values a parameter takes -------------------------------------
    def _propagate_counts(self) -> None:
        flowing = [entry for entry in self.resolved if entry[2] and (entry[1].varying or any(
            isinstance(atom, tuple) and atom[0] in ("param", "arith")
            for value in [*entry[1].args, *entry[1].kwargs.values()] for atom in value))]
        # A call reads only its caller's counts and shapes: one made when they have not
        # changed since it was last seen finds what it found then, which is recorded.
        updates: dict[str, int] = defaultdict(int)  # function key -> changes to its counts and shapes
        seen_at: list = [None] * len(flowing)  # each call: its caller's updates when last seen
        for _ in range(10):
            changed = False
            for index, (function, call, bindings) in enumerate(flowing):
                if seen_at[index] == updates[function.key]:
                    continue
                seen_at[index] = updates[function.key]
                for callee, mapping in bindings:
                    for argument, parameter in mapping.items():
                        shape = self._shape_of(function, call, argument)
                        if shape is not None and parameter not in self.shapes[callee]:
                            self.shapes[callee][parameter] = shape
                            updates[callee] += 1
                            changed = True
                        found = self._count_of(function, call, argument)
                        if found is None:
                            continue
                        known = self.counts[callee].get(parameter)
                        if known is None or (found[0] > known[0]):
                            self.counts[callee][parameter] = found
                            updates[callee] += 1
                            changed = True
            if not changed:
                return

    def _count_of(self, function, call, argument: str) -> Optional[tuple]:
        """(values, site) when the argument changes on every iteration of a loop, else None."""
        fact = call.varying.get(argument)
        site = f"{function.module.path}:{call.line}"
        if fact and fact[0] == "count" and call.in_loop:
            return (fact[1], site)
        value = self._argument(call, argument)
        found = None
        for atom in value:
            if isinstance(atom, tuple) and atom[0] in ("param", "arith"):
                inner = atom if atom[0] == "param" else atom[1]
                if isinstance(inner, tuple) and inner[0] == "param" and inner[1] in self.counts[function.key]:
                    candidate = self.counts[function.key][inner[1]]
                    if found is None or candidate[0] > found[0]:
                        found = candidate
        return found

    def _shape_of(self, function, call, argument: str) -> Optional[tuple]:
        """(reason, site) when the argument's tensors take a new shape on every iteration of a loop."""
        fact = call.varying.get(argument)
        if fact and fact[0] == "shape" and call.in_loop:
            reason = self._shape_reason(function, fact[1])
            return (reason, f"{function.module.path}:{call.line}") if reason else None
        for atom in self._argument(call, argument):
            if isinstance(atom, tuple) and atom[0] == "param" and atom[1] in self.shapes[function.key]:
                return self.shapes[function.key][atom[1]]
        return None

    # -- the calls that retrace ---------------------------------------------------
    def _collect(self) -> None:
        facts = self.facts
        for function, call, bindings in self.resolved:
            caller_facts = facts.get(function.key)
            # Whether a loop runs it is settled by _collect_repetition (which drops graph code).
            repeated = caller_facts is not None and caller_facts.called_repeatedly
            for callee, mapping in bindings:
                callee_facts = facts.get(callee)
                if callee_facts is None or not callee_facts.hybrid or callee_facts.input_signature:
                    continue  # under an input_signature every argument becomes a tensor of one spec
                for argument, parameter in mapping.items():
                    record = self._record(function, call, callee, argument, parameter, repeated)
                    if record is not None:
                        self.calls.append(record)

    def _record(self, function, call, callee: str, argument: str, parameter: str, repeated: bool):
        path = function.module.path
        fact = call.varying.get(argument)

        def make(kind: str, detail: object, via: str = "") -> RetraceCall:
            return RetraceCall(path, call.line, call.col, argument, callee, parameter, kind, detail, via,
                               function.key, call.in_loop)

        concrete = self.analysis.concrete(function, self._argument(call, argument))
        shape = self._shape_of(function, call, argument)
        if shape is not None:
            here = f"{path}:{call.line}"
            if shape[1] == here:
                return make("shape", shape[0])
            loop_path, _, loop_line = shape[1].rpartition(":")
            shown = display_path(loop_path)
            return make("shape", f"{shape[0]}, from the loop at {site_text(shown, int(loop_line))}", shape[1])
        numbers = concrete and concrete <= {v.NUMBER, v.COUNTER}
        if fact and fact[0] == "count" and call.in_loop and numbers:
            return make("count", fact[1])  # a loop variable or counter of this loop
        if v.COUNTER in concrete and not concrete & v.TENSOR_LIKE:
            found = self._count_of(function, call, argument)
            if found is not None:
                via = "" if found[1] == f"{path}:{call.line}" else found[1]
                return make("count", found[0], via)
            return None
        if fact and fact[0] == "new" and (call.in_loop or repeated):
            what = self._new_object(concrete, fact[1])
            if what:
                return make("new", what)
        return None

    def _shape_reason(self, function, detail) -> str:
        """The reason a summary gave; for batches from a call of a project function, that function's."""
        if isinstance(detail, str):
            return detail
        if isinstance(detail, (list, tuple)) and len(detail) == 2 and detail[0] == "returned":
            key = self.project.resolve_ref(v.tuple_from_json(detail[1]), function.module, function.class_key)
            callee = self.project.functions.get(key) if key else None
            if callee is not None and callee.summary.returns_shaped_dataset:
                name = callee.summary.qualname.replace(".<locals>.", ".")
                return f"{callee.summary.returns_shaped_dataset}, from '{name}'"
        return ""

    def _new_object(self, concrete: set, syntax: str) -> str:
        if syntax == "lambda":
            return "a lambda"
        for atom in concrete:
            if not isinstance(atom, tuple):
                continue
            if syntax == "call" and atom[0] == "instance" and atom[1] in self.project.classes:
                if self.project.is_keras(atom[1]):
                    continue  # a Keras layer or model: a different problem (variables created per call)
                return f"a new '{atom[1].rpartition('::')[2]}' object"
            if syntax == "call" and atom[0] == "partial":
                return "a new functools.partial"
            if syntax == "attribute" and atom[0] == "function" and atom[1] in self.project.functions:
                summary = self.project.functions[atom[1]].summary
                if summary.bound and not summary.is_property:  # (a property gives its value)
                    return "a bound method (a new object each time it is read)"
        return ""

    # -- how many values a loop over range(<parameter>) takes (HYB201) -----------------------
    # The summaries count the values of ``range`` with constant bounds only. A bound that is a
    # parameter takes what the callers pass: the summaries write bounds, arguments and defaults
    # as integer expressions (``range_bounds.py``), evaluated here with the project's callers.
    def _settle_range_counts(self) -> None:
        """Give each count of a loop over ``range`` with other bounds the number of values the
        callers' literals give it, or UNKNOWN_COUNT. Counters and ``while`` loops keep 0: a new
        value per iteration, however many there are."""
        loops = {
            (function.module.path, call.line): call.range_loop
            for function in self.project.functions.values() for call in function.summary.calls if call.range_loop
        }
        for index, record in enumerate(self.calls):
            if record.kind != "count" or record.detail != 0:
                continue
            path, line = record.path, record.line
            if record.via:
                path, _, loop_line = record.via.rpartition(":")
                line = int(loop_line)
            found = loops.get((path, line))
            if found is not None:
                values = self._range_values(path, found)
                self.calls[index] = dataclasses.replace(record, detail=len(values) if values else UNKNOWN_COUNT)

    def _range_values(self, path: str, loop: list) -> set:
        """Every value the loop variable takes, from what the bounds can be; empty if unknown."""
        qualname, bounds = loop
        key = f"{path}::{qualname}"
        options = [self._values_of(key, bound, 0) for bound in bounds]
        if not options or any(not o for o in options):
            return set()
        values: set = set()
        for combination in itertools.islice(itertools.product(*options), MAX_COMBINATIONS):
            try:
                values.update(range(*combination))
            except (TypeError, ValueError, OverflowError):
                return set()
        return values

    def _values_of(self, key: str, expression: Optional[list], depth: int) -> set:
        """The ints an integer expression of function ``key`` can be (``range_bounds.py``), its
        parameters as the callers give them; empty when any is unknown."""
        kind = expression[0] if expression else None
        if kind == "int":
            return {expression[1]}
        if kind == "neg":
            return {-value for value in self._values_of(key, expression[1], depth)}
        if kind in _COMBINE:
            left = self._values_of(key, expression[1], depth)
            right = self._values_of(key, expression[2], depth)
            pairs = itertools.islice(itertools.product(left, right), MAX_COMBINATIONS)
            return {_COMBINE[kind](a, b) for a, b in pairs}
        if kind == "param":
            return self._parameter_values(key, expression[1], depth)
        return set()

    def _parameter_values(self, key: str, parameter: str, depth: int) -> set:
        """What the callers in the project pass for a parameter (its default where they leave it
        out); empty when a caller passes something else, or when nothing in the project calls it."""
        if depth >= MAX_DEPTH:
            return set()
        values: set = set()
        called = False
        for function, call, bindings in self.resolved:
            for callee, mapping in bindings:
                if callee != key:
                    continue
                called = True
                argument = next((a for a, p in mapping.items() if p == parameter), None)
                if argument is None:
                    found = set() if call.unpacked else self._default_values(key, parameter)
                else:
                    found = self._values_of(function.key, call.int_arguments.get(argument), depth + 1)
                if not found:
                    return set()
                values |= found
        return values if called else set()

    def _default_values(self, key: str, parameter: str) -> set:
        function = self.project.functions.get(key)
        for candidate in function.parameters if function is not None else ():
            if candidate.name == parameter:
                return self._values_of(key, candidate.int_default, MAX_DEPTH)
        return set()

    # -- functions that create tf.functions, and the loops that call them (HYB202) -----------
    def _collect_repetition(self) -> None:
        """Why each function that creates a tf.function runs again and again at run time.

        A record per loop that reaches it through eager callers only: a function that runs
        as a graph runs once per trace, not once per call, so a path through one is no
        evidence. The records keep the callers' paths, so that a rule can drop the loops of
        test code (tests are evidence of argument types, never of a hot path)."""
        # (and the functions that pass a new object to a tf.function outside a loop: HYB205)
        creators = self._tf_function_creators() | {
            record.caller for record in self.calls if record.kind == "new" and not record.in_loop
        }
        if not creators:
            return
        callers: dict[str, list] = defaultdict(list)
        for function, call, bindings in self.resolved:
            for callee, _mapping in bindings:
                callers[callee].append((function, call))
        for key in sorted(creators):
            self.calls.extend(self._loops_reaching(key, callers))

    def _tf_function_creators(self) -> set[str]:
        """Functions whose body makes a tf.function: ``tf.function(f)`` of a function the
        analysis resolves, or a nested ``@tf.function def``."""
        creators = set()
        for key, function in self.project.functions.items():
            summary = function.summary
            if any(how == "tf.function" for _atom, _line, how in summary.graph_targets):
                creators.add(key)
            if summary.hybrid and ".<locals>." in summary.qualname:
                outer = summary.qualname.rpartition(".<locals>.")[0]
                creators.add(f"{function.module.path}::{outer}")
        return creators & set(self.project.functions)

    def _loops_reaching(self, key: str, callers: dict) -> list[RetraceCall]:
        """Up to MAX_EVIDENCE loops that call ``key``, directly or through eager callers."""
        found: list[RetraceCall] = []
        queue = [(key, ())]
        seen = {key}
        while queue and len(found) < MAX_EVIDENCE:
            current, chain = queue.pop(0)
            for caller, call in callers.get(current, ()):
                if self._is_graph_code(caller.key) or len(chain) >= MAX_CHAIN:
                    continue
                path = caller.module.path
                if call.in_loop:
                    found.append(RetraceCall(path, call.line, call.col, "", key, "", "repeat",
                                             "|".join((*chain, path)), "", caller.key, True))
                elif caller.key not in seen:
                    seen.add(caller.key)
                    queue.append((caller.key, (*chain, path)))
                if len(found) >= MAX_EVIDENCE:
                    break
        return found

    def _is_graph_code(self, key: str) -> bool:
        facts = self.facts.get(key)
        return facts is not None and (facts.hybrid or facts.runs_as_graph)

    # -- per module ------------------------------------------------------------------
    def calls_in(self, path: str) -> list[RetraceCall]:
        return [call for call in self.calls if call.path == path]

    def loops_calling(self, key: str) -> list[RetraceCall]:
        """The loops that run ``key`` again and again at run time (see _collect_repetition)."""
        return [call for call in self.calls if call.kind == "repeat" and call.callee == key]

    def shape_sites(self, callee: str) -> list[RetraceCall]:
        return sorted((call for call in self.calls if call.callee == callee and call.kind == "shape"),
                      key=lambda call: (call.path, call.line))


class StoredRetracing:
    """The retracing facts of a project whose facts came from the cache (``results.py``)."""

    def __init__(self, calls: list) -> None:
        self.calls = calls

    calls_in = Retracing.calls_in
    shape_sites = Retracing.shape_sites
    loops_calling = Retracing.loops_calling


def rendered_call(call: RetraceCall, moves: Optional[Moves] = None, module_of=display_path) -> RetraceCall:
    """The call with where it points as messages show it (``positions.render``), moved by
    ``moves`` (``module_of``: a path -> its path from the project root, as ``moves`` names it)."""
    if not moves:
        detail = render_value(call.detail)
        return call if detail is call.detail else dataclasses.replace(call, detail=detail)
    line = move_line(module_of(call.path), call.line, moves)
    via = call.via
    if via:
        path, _, at = via.rpartition(":")
        via = f"{path}:{move_line(module_of(path), int(at), moves)}"
    return dataclasses.replace(call, line=line, via=via, detail=render_value(call.detail, moves))


def retracing_of(project) -> Retracing:
    found = project.__dict__.get("_retracing")
    if found is None:
        from flake8_hybrid.analysis.memory import settle

        found = project.__dict__["_retracing"] = Retracing(project)
        settle()  # kept as long as the project
    return found
