"""The facts the project analysis derives for each function (``project.py``), as plain data:
what the rules read, what ``results.py`` stores and ``python -m flake8_hybrid facts`` prints.

Three-valued where the analysis may not know: ``None`` is unknown, never proof.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Iterable, Iterator, Optional

from flake8_hybrid.analysis.positions import render_value


@dataclass
class ParameterFacts:
    name: str
    tensor: Optional[bool]
    primitive: Optional[bool]
    speculative: bool
    evidence: list
    #: Call sites (path:line) that pass a Python number or string.
    primitive_sites: list = field(default_factory=list)
    #: A Python value that changes per iteration (a loop variable, a counter) reaches it.
    varies: bool = False
    #: What callers pass, by kind (``values.py`` atoms; "structured" for tuples and
    #: other structured values): graph-safety rules tell a plain tensor from a tuple.
    kinds: frozenset = frozenset()
    #: It receives values tf.function traces by type spec (tensors, NumPy arrays ...): no retrace
    #: per value, so a graph taking them is not wasted (HYB002). None when unknown.
    traced_by_spec: Optional[bool] = None
    #: Call sites in tests that pass a Python number or string (not counted for retracing).
    test_primitive_sites: list = field(default_factory=list)


@dataclass
class FunctionFacts:
    key: str
    path: str
    qualname: str
    line: int
    hybrid: bool
    runs_as_graph: bool
    graph_entry: Optional[str]  # the graph entry point that reaches it (itself when it is one)
    parameters: list
    side_effects: bool
    side_effect_reasons: list
    recursive: bool
    eager_only_calls: list
    ops_per_call: int
    called_repeatedly: bool
    callers: list
    input_signature: bool
    jit_compile: bool
    #: It (or a function it calls) calls code the analysis cannot see, whose work is unknown.
    opaque_calls: bool = False
    #: A method Keras itself traces and calls (``call``, ``build``...) of a Keras Model/Layer subclass.
    keras_managed: bool = False
    #: Parameters that receive Keras models or optimizers which may be new objects on a later
    #: call (their creator may run more than once): as a graph, the retrace for a new object
    #: would create variables, which tf.function rejects after its first trace.
    fresh_keras_arguments: list = field(default_factory=list)
    #: It is defined in a test file (``--hybrid-test-patterns``).
    in_test: bool = False
    #: Public API of an installable package: callers outside the project may call it
    #: (``world.py``), so what its project callers pass or are proves nothing alone.
    public_api: bool = False
    #: Loops in test files call it repeatedly (``called_repeatedly`` counts only the project's
    #: own code: a test's loop is no hot path).
    repeated_in_tests: bool = False
    #: Where the repetition comes from, for messages: "in a loop at train.py:41", "as a callback ...".
    repeated_by: str = ""
    #: The function whose loop repeats the calls is proven to run eagerly (module code, or called
    #: only from eager code, up to the module's or an application's entry points): a graph of this
    #: one would be a graph of its own, not one nested in a caller's graph.
    repeated_eagerly: bool = False
    #: Proven to run eagerly: module code, an application's entry point, or a function called only
    #: from such code (``_proven_eager``). Not graph code is not enough: it may never run at all.
    runs_eagerly: bool = False
    #: It runs only inside graphs: a graph entry's body, or called only from such code. A helper
    #: both a tf.function and eager code call runs as graph code, but not only.
    graph_only: bool = False
    #: Decorated with ``@tf.function`` itself (a decorator a fix can remove), not only wrapped.
    decorated: bool = False
    #: Parameters that receive symbolic KerasTensors (a functional model being built): a
    #: tf.function raises ValueError for them.
    keras_tensor_parameters: list = field(default_factory=list)
    #: Why running it as a graph would break or slow it (kebab-case blockers of HYB001):
    #: it builds Keras objects, sets global state, raises under a tensor condition ...
    graph_hazards: list = field(default_factory=list)
    #: It (or what it calls) runs a tf.distribute strategy's replicas (``strategy.run``).
    distributes: bool = False
    #: A method of a tf.Module (or Keras) class: SavedModel may export its graph.
    exported_module_method: bool = False
    #: How tf.data (or another API) traces it as a callback ("Dataset.map at data.py:12"); "" if not one.
    callback: str = ""
    #: It (or what it calls) calls a Keras model or layer, whose work the estimate only bounds below.
    calls_keras_models: bool = False
    #: Decorators the analysis does not know (``once.once``): they may run it once per object.
    decorators: list = field(default_factory=list)
    #: The column of its ``def`` or ``lambda``: with ``line``, where a lambda is.
    col: int = 0

    @property
    def has_tensor_parameter(self) -> Optional[bool]:
        return _any3(p.tensor for p in self.parameters)

    @property
    def has_primitive_parameter(self) -> Optional[bool]:
        return _any3(p.primitive for p in self.parameters)

    @property
    def has_spec_parameter(self) -> Optional[bool]:
        """A parameter receives values tf.function traces by spec (tensors, NumPy arrays)."""
        return _any3(p.traced_by_spec for p in self.parameters)

    @property
    def speculative(self) -> bool:
        return any(p.speculative for p in self.parameters if p.tensor)


def plain(facts: FunctionFacts) -> dict:
    """The facts as JSON holds them (sets as sorted lists)."""
    entry = {name: _json_value(value) for name, value in facts.__dict__.items()}
    entry["parameters"] = [{name: _json_value(value) for name, value in p.__dict__.items()} for p in facts.parameters]
    return entry


def _json_value(value: object) -> object:
    return sorted(value) if isinstance(value, (set, frozenset)) else value


def rendered(facts: FunctionFacts) -> FunctionFacts:
    """The facts the analysis just derived, with where they point as messages show it
    (``positions.render``); the facts themselves when nothing changes. (Stored facts are
    rendered as JSON text when read: ``results.StoredFacts``.)

    Lists of sites are sorted as rendered: "a.py:9" and "a.py:10" sort as text, as they are shown.
    """
    changes = {}
    parameters = [_rendered_parameter(p) for p in facts.parameters]
    if any(new is not old for new, old in zip(parameters, facts.parameters)):
        changes["parameters"] = parameters
    for name in MARKED_FIELDS:
        value = getattr(facts, name)
        new = render_value(value)
        if new is not value:
            changes[name] = new
    return replace(facts, **changes) if changes else facts


class RenderedFacts(Mapping):
    """The facts the analysis just derived (key -> ``FunctionFacts``, where they point as
    tokens), each rendered (``rendered``) the first time it is asked for: a lint reads the facts
    of a few functions of thousands, and stored facts are written from the tokens."""

    def __init__(self, marked: dict) -> None:
        self._marked = dict(marked)
        self._rendered: dict = {}
        self._by_path: Optional[dict] = None

    def __getitem__(self, key: str) -> FunctionFacts:
        found = self._rendered.get(key)
        if found is None:
            found = self._rendered[key] = rendered(self._marked[key])
        return found

    def for_path(self, path: str) -> list:
        """The facts of the functions of the module at ``path`` (absolute), in the analysis's order."""
        if self._by_path is None:
            self._by_path = {}
            for key, facts in self._marked.items():
                self._by_path.setdefault(facts.path, []).append(key)
        return [self[key] for key in self._by_path.get(path, ())]

    def __iter__(self) -> Iterator[str]:
        return iter(self._marked)

    def __len__(self) -> int:
        return len(self._marked)


#: The fields where the analysis writes positions (``positions.mark``): the only ones rendered.
MARKED_FIELDS = ("side_effect_reasons", "eager_only_calls", "repeated_by", "callback")
MARKED_PARAMETER_FIELDS = ("evidence", "primitive_sites", "test_primitive_sites")


def _rendered_parameter(parameter: ParameterFacts) -> ParameterFacts:
    changes = {}
    for name in MARKED_PARAMETER_FIELDS:
        value = getattr(parameter, name)
        new = render_value(value)
        if new is not value:
            changes[name] = sorted(new) if name != "evidence" else new
    return replace(parameter, **changes) if changes else parameter


def _any3(items: Iterable[Optional[bool]]) -> Optional[bool]:
    items = list(items)
    if any(item is True for item in items):
        return True
    if items and all(item is False for item in items):
        return False
    return None if items else False
