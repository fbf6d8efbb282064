"""The project analysis: facts for every function, from every module's summary.

1. Find the project root and its modules (``layout.py`` names them).
2. Summarize each module, or load its summary from the cache.
3. Resolve symbolic references across modules (imports, re-exports through
   package ``__init__``, methods through class hierarchies).
4. Propagate abstract values from call sites into parameters and from returns
   back into callers, to a fixpoint over the whole call graph.
5. Derive the facts: tensor and primitive parameters (with evidence), Python
   side effects and eager-only calls (transitive), recursion (call-graph
   cycles), runs-as-graph (reachable from graph entry points), work estimates.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import os
import weakref
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Optional, Sequence

from flake8_hybrid.analysis import sharing
from flake8_hybrid.analysis import values as v
from flake8_hybrid.analysis.api_model import ApiModel
from flake8_hybrid.analysis.bounds import (
    ASSUMED,
    KEPT_IN_CONTAINERS,
    MAX_VALUE_ATOMS,
    TENSORISH,
    bounded_value,
    cut_value,
    element_of,
    elements_of,
    python_qualname,
)
from flake8_hybrid.analysis.cache import DEFAULT_DIRECTORY, SummaryCache
from flake8_hybrid.analysis.call_sites import (
    callback_text, default_value, python_value_sites, received, record, site_text,
)
from flake8_hybrid.analysis.call_sites import evidence as evidence_of
from flake8_hybrid.analysis.function_facts import FunctionFacts, ParameterFacts, RenderedFacts
from flake8_hybrid.analysis.graphs import on_cycles
from flake8_hybrid.analysis.layout import (
    KEY_SEPARATOR,
    discover,
    key_of,
    module_identity,
    module_name,
    qualname_of,
    relative_to_root,
)
from flake8_hybrid.analysis.memory import fewer_collections, settle
from flake8_hybrid.analysis.positions import mark
from flake8_hybrid.analysis.summary import (
    KERAS_CALL_OPS,
    MAX_WEIGHT,
    MODULE_CODE,
    CallSite,
    FunctionSummary,
    ModuleSummary,
    Parameter,
    summarize,
)
from flake8_hybrid.analysis.world import is_installable, is_public, is_test_path
from flake8_hybrid.settings import DEFAULT_TEST_PATTERNS

#: Rounds of the interprocedural fixpoint; values only grow, so it converges
#: long before this on real code, and the bound protects against pathologies.
MAX_ROUNDS = 25
#: A callee that is a method of a TensorFlow value (a tensor, a variable, a Generator): one op.
API_METHOD = "api_method"
#: Callees that are TensorFlow's own code: calling one is no call the analysis cannot see.
_TF_CALLABLES = frozenset({v.KERAS, v.TF_OBJECT, v.TF_FUNCTION_DECORATOR})


# -- the analysis ------------------------------------------------------------
@dataclass
class _Function:
    key: str
    module: ModuleSummary
    summary: FunctionSummary
    class_key: Optional[str]

    @functools.cached_property
    def parameters(self) -> list:
        parameters = self.summary.parameters
        return parameters[1:] if self.summary.bound else parameters

    @functools.cached_property
    def signature(self) -> "_Signature":
        """Its parameters by role in a call, worked out once (the fixpoint binds every call again)."""
        parameters = self.parameters
        by_keyword: dict[str, Parameter] = {}
        for parameter in parameters:
            if parameter.kind != "varargs":
                by_keyword.setdefault(parameter.name, parameter)  # the first of a name, as a call binds
        return _Signature(
            positional=[p for p in parameters if p.kind == "positional"],
            varargs=next((p for p in parameters if p.kind == "varargs"), None),
            varkw=next((p for p in parameters if p.kind == "varkw"), None),
            by_keyword=by_keyword,
        )


@dataclass
class _Signature:
    positional: list
    varargs: Optional[Parameter]
    varkw: Optional[Parameter]
    by_keyword: dict


@dataclass
class _Edge:
    caller: str
    callee: str
    line: int
    in_loop: bool
    graph: bool = False  # a graph callback (Dataset.map) or wrapping (tf.function)
    #: How many times the callee runs per call of the caller (loop trip counts, backward passes).
    weight: int = 1


#: The summaries of the projects alive in this process, by cache key and path (the key names
#: the module by its path from the project root: two checkouts of a project share keys). A project analyzed again
#: in the same process (an editor's buffer, the fixer's re-lint of each file it fixed) takes
#: its unchanged modules' summaries from here instead of reading them again (0.8 s a time over
#: tf-models-official). Nothing changes a summary once it is made, so projects can share them.
_LIVE: "weakref.WeakValueDictionary[tuple, ModuleSummary]" = weakref.WeakValueDictionary()

#: What ``Project._summary`` returns for a module to be read in ``complete``: another worker is
#: summarizing it, or (``later``) its summary is cached, and only the worker that runs the
#: fixpoint reads it (after an edit, each other worker read every cached summary for nothing).
_LATER = object()


class Project:
    """All modules of one project and the facts of all their functions."""

    def __init__(
        self,
        root: str,
        api: ApiModel,
        cache_directory: Optional[str] = "",
        overrides: Optional[dict[str, str]] = None,
        paths: Optional[Sequence[str]] = None,
        parsed: Optional[dict[str, tuple]] = None,
        include: Sequence[str] = (),
        share_only: bool = False,
        test_patterns: Sequence[str] = DEFAULT_TEST_PATTERNS,
    ) -> None:
        """``share_only``: summarize only the modules no other worker has claimed, and wait
        for nothing (sharing.py); ``complete()`` collects the rest when this worker needs them.
        ``test_patterns``: which files are tests (``settings.is_test_file``): their loops are
        evidence of argument types, never of a hot path."""
        self.root = os.path.abspath(root)
        self.api = api
        self.test_patterns = tuple(test_patterns)
        if cache_directory == "":
            cache_directory = os.path.join(self.root, DEFAULT_DIRECTORY)
        self.cache = SummaryCache(cache_directory, _fingerprint(api))
        self.claims = sharing.Claims(cache_directory)
        self.overrides = {os.path.abspath(p): text for p, text in (overrides or {}).items()}
        #: Files the caller has already parsed: path -> (tree, ModuleNames or a function making
        #: them), not parsed again. (A function: a file whose project is already analyzed never
        #: needs its names for that.)
        self.parsed = {os.path.abspath(p): trees for p, trees in (parsed or {}).items()}
        self.errors: dict[str, str] = {}
        self.timings: dict[str, float] = {}
        #: The summary cache key of each module read (absolute path -> key): the entries this
        #: project state uses, which the cache keeps (``results.store``).
        self.summary_keys: dict[str, str] = {}
        files = list(paths) if paths is not None else discover(self.root)
        # Files asked about are analyzed even where discovery does not look (.hidden, build/).
        known = {os.path.abspath(f) for f in files}
        files += [p for p in (*self.overrides, *map(os.path.abspath, include)) if p not in known and not known.add(p)]
        # Other workers may be summarizing this project now (sharing.py): modules they
        # have claimed are left to them, and collected once through the list; so are the
        # cached ones, when another worker may yet be the one that needs them.
        with fewer_collections():
            self._loaded = {path: self._summary(path, wait=False, later=share_only) for path in files}
        if not share_only:
            self.complete()

    def complete(self) -> None:
        """Collect the summaries left for later (made by other workers, or cached), and index
        the whole project."""
        loaded, self._loaded = self._loaded, {}
        with fewer_collections():
            for path, summary in loaded.items():
                if summary is _LATER:
                    loaded[path] = self._summary(path, wait=True)
        self.modules: dict[str, list[ModuleSummary]] = defaultdict(list)
        self.summaries: list[ModuleSummary] = []
        for summary in loaded.values():
            if summary is not None:
                self.summaries.append(summary)
                self.modules[summary.module].append(summary)
        self.by_path = {summary.path: summary for summary in self.summaries}
        self.functions: dict[str, _Function] = {}
        self.classes: dict[str, tuple[ModuleSummary, object]] = {}
        for module in self.summaries:
            for cls in module.classes:
                self.classes[key_of(module, cls.qualname)] = (module, cls)
        for module in self.summaries:
            for function in module.functions:
                key = key_of(module, function.qualname)
                class_key = key_of(module, function.class_qualname) if function.class_qualname else None
                self.functions[key] = _Function(key, module, function, class_key)
        self._keras_memo: dict[str, bool] = {}
        self._resolved: dict[tuple, Optional[str]] = {}  # memo of resolve_ref
        self._methods: dict[tuple, Optional[str]] = {}  # memo of method
        self._facts: Optional[RenderedFacts] = None
        self._verdicts: dict[tuple, dict] = {}
        self._children: Optional[dict[str, list[str]]] = None
        self._subclass_methods: dict[tuple, tuple[str, ...]] = {}  # memo of subclass_methods
        settle()

    # -- loading -------------------------------------------------------------
    def _summary(self, path: str, wait: bool = True, later: bool = False):
        """The module's summary, from the cache or made now; None when it cannot be read, parsed
        or analyzed (``errors`` says why); ``_LATER`` when another worker is making it and
        ``wait`` is false, or when it is cached and ``later`` is true."""
        import time

        started = time.perf_counter()
        absolute = os.path.abspath(path)
        try:
            if absolute in self.overrides:
                content = self.overrides[absolute].encode("utf-8")
            else:
                with open(absolute, "rb") as file:
                    content = file.read()
        except OSError as error:
            self.errors[path] = f"cannot read: {error.strerror or error}"
            return None
        name = module_name(absolute)
        key = self.summary_keys[absolute] = self.cache.key(module_identity(name, absolute, self.root), content)
        summary = _LIVE.get((key, absolute))
        if summary is not None:
            return summary
        if later and self.cache.directory is not None and os.path.exists(self.cache.entry_path(key)):
            return _LATER
        summary = self._load_summary(key, absolute)
        claimed = False
        if summary is None:
            # Another worker may be making it (sharing.py): wait for it, or claim it first.
            if wait:
                self.claims.wait(key, lambda: os.path.exists(self.cache.entry_path(key)))
                summary = self._load_summary(key, absolute)  # else made here unclaimed: whoever held it is gone
            elif self.claims.claim(key):
                claimed = True
            else:
                return _LATER
        if summary is None:
            try:
                summary = self._summarize(path, absolute, name, content)
                if summary is None:
                    return None
                self.cache.store(key, summary, content)
            finally:
                if claimed:
                    self.claims.release(key)
        self.timings[absolute] = time.perf_counter() - started
        _LIVE[key, absolute] = summary
        return summary

    def _load_summary(self, key: str, absolute: str) -> Optional[ModuleSummary]:
        """The cached summary, for the module at this path (it may have been stored by a checkout
        of the project at another path: the key names the module from the project root)."""
        summary = self.cache.load(key)
        if summary is not None:
            summary.path = absolute  # made by this load, shared with no one yet
        return summary

    def _summarize(self, path: str, absolute: str, name: str, content: bytes) -> Optional[ModuleSummary]:
        tree, names = self.parsed.get(absolute, (None, None))
        if callable(names):
            names = names()
        if tree is None:
            try:
                tree = ast.parse(content, filename=absolute)
            except (SyntaxError, ValueError, MemoryError, RecursionError) as error:
                self.errors[path] = f"cannot parse: {error}"
                return None
        try:
            return summarize(tree, name, absolute, self.api, names)
        except RecursionError:
            self.errors[path] = "too deeply nested to analyze"
            return None

    def release(self) -> None:
        """Let go of what points back at the project, before the project is dropped.

        Its analysis and its retracing facts (retracing.py) refer to the project, and the
        project to them. Once ``settle`` has frozen them, the collector never looks at them
        again, so such a cycle kept a dropped project alive; unfreezing instead made every
        later full collection scan all the analyses still alive (the fixer, which analyzes the
        project again for each file it fixes: 22 s of 77 over tf-models-official). Without
        these two references reference counting frees the whole project (checked: the
        collector finds nothing left of one). A released project still answers: what it let
        go is computed again if asked for.
        """
        for name in ("_analysis", "_retracing", "marked_facts"):
            self.__dict__.pop(name, None)
        self._facts = None
        self._verdicts = {}

    # -- resolution ----------------------------------------------------------
    def module(self, name: str, near: Optional[ModuleSummary] = None) -> Optional[ModuleSummary]:
        candidates = self.modules.get(name)
        if not candidates:
            return None
        if near is not None and len(candidates) > 1:
            directory = os.path.dirname(near.path)
            for candidate in candidates:
                if os.path.dirname(candidate.path) == directory:
                    return candidate
        return candidates[0]

    def resolve_ref(
        self, ref: object, module: ModuleSummary, class_key: Optional[str], depth: int = 0
    ) -> Optional[str]:
        """A reference -> ``module:qualname`` of a project function or class, or None."""
        if depth:
            return self._resolve_ref(ref, module, class_key, depth)
        # Resolution depends only on the project's modules, which do not change once
        # loaded, and the fixpoint asks the same questions every round: memoized
        # (resolution was a quarter of the fixpoint's time on tf-models-official).
        memo = (ref, module.path, class_key)
        try:
            return self._resolved[memo]
        except KeyError:
            resolved = self._resolved[memo] = self._resolve_ref(ref, module, class_key, 0)
            return resolved
        except TypeError:  # an unhashable reference: not memoized
            return self._resolve_ref(ref, module, class_key, 0)

    def _resolve_ref(self, ref: object, module: ModuleSummary, class_key: Optional[str], depth: int) -> Optional[str]:
        if isinstance(ref, str) or not isinstance(ref, tuple) or depth > 12:
            return ref if isinstance(ref, str) else None
        kind = ref[0]
        if kind == "def":
            key = key_of(module, ref[1])
            return key if key in self.functions or key in self.classes else None
        if kind == "qual":
            return self.resolve_dotted(ref[1], module, depth + 1)
        if kind == "self":
            return self.method(class_key, ref[1]) if class_key else None
        if kind == "super":  # super().name: the first base class (in order) that has it
            if class_key is None or class_key not in self.classes:
                return None
            owner, cls = self.classes[class_key]
            for base in cls.bases:
                found = self.method(self.resolve_ref(base, owner, None, depth + 1), ref[1])
                if found:
                    return found
            return None
        if kind == "method":
            owner = self.resolve_ref(ref[1], module, class_key, depth + 1)
            return self.method(owner, ref[2]) if owner in self.classes else None
        return None

    def resolve_dotted(self, dotted: str, near: ModuleSummary, depth: int = 0) -> Optional[str]:
        if depth > 12:
            return None
        parts = dotted.split(".")
        for split in range(len(parts) - 1, 0, -1):
            module = self.module(".".join(parts[:split]), near)
            if module is None:
                continue
            name, rest = parts[split], parts[split + 1 :]
            ref = module.exports.get(name)
            if ref is None:
                continue
            if ref[0] == "qual":
                return self.resolve_dotted(".".join([ref[1], *rest]), module, depth + 1)
            if ref[0] == "var":
                return key_of(module, ref[1]) if not rest else None  # a module variable
            key = key_of(module, ref[1])
            for attribute in rest:
                key = self.method(key, attribute) if key in self.classes else None
                if key is None:
                    return None
            return key if key in self.functions or key in self.classes else None
        return None

    def method(self, class_key: Optional[str], name: str, depth: int = 0) -> Optional[str]:
        if depth == 0:  # memoized, like resolve_ref
            memo = (class_key, name)
            if memo not in self._methods:
                self._methods[memo] = self._method(class_key, name, 0)
            return self._methods[memo]
        return self._method(class_key, name, depth)

    def _method(self, class_key: Optional[str], name: str, depth: int) -> Optional[str]:
        if class_key is None or class_key not in self.classes or depth > 20:
            return None
        module, cls = self.classes[class_key]
        if name in cls.methods:
            return f"{class_key}.{name}"
        for base in cls.bases:
            found = self.method(self.resolve_ref(base, module, None), name, depth + 1)
            if found:
                return found
        return None

    def subclass_methods(self, class_key: str, name: str) -> tuple[str, ...]:
        """Methods named ``name`` defined by subclasses of the class (dynamic dispatch on self)."""
        memo = (class_key, name)  # memoized, like resolve_ref: every self.method() call asks
        if memo not in self._subclass_methods:
            self._subclass_methods[memo] = tuple(self._find_subclass_methods(class_key, name))
        return self._subclass_methods[memo]

    def _find_subclass_methods(self, class_key: str, name: str) -> list[str]:
        if self._children is None:
            self._children = defaultdict(list)
            for key, (module, cls) in self.classes.items():
                for base in cls.bases:
                    parent = self.resolve_ref(base, module, None)
                    if parent in self.classes:
                        self._children[parent].append(key)
        found, stack, seen = [], list(self._children.get(class_key, ())), set()
        while stack:
            child = stack.pop()
            if child in seen:
                continue
            seen.add(child)
            if name in self.classes[child][1].methods:
                found.append(f"{child}.{name}")
            stack.extend(self._children.get(child, ()))
        return found

    def is_keras(self, class_key: str, depth: int = 0) -> bool:
        if class_key in self._keras_memo:
            return self._keras_memo[class_key]
        self._keras_memo[class_key] = False  # cycles in broken hierarchies
        module, cls = self.classes[class_key]
        result = False
        for base in cls.bases:
            if base[0] == "qual" and self.api.canonical(base[1]) in self.api.keras_bases:
                result = True
            else:
                resolved = self.resolve_ref(base, module, None)
                result = resolved in self.classes and depth < 20 and self.is_keras(resolved, depth + 1)
            if result:
                break
        self._keras_memo[class_key] = result
        return result

    # -- the fixpoint --------------------------------------------------------------
    def facts(self) -> RenderedFacts:
        if self._facts is None:
            analysis = _Analysis(self)
            with fewer_collections():
                #: The facts as stored (``results.py``): where they point, as tokens (``positions.py``).
                self.marked_facts = analysis.run()
                self._facts = RenderedFacts(self.marked_facts)
            self._analysis = analysis  # its resolved values, for the retracing facts (retracing.py)
            settle()
        return self._facts

    def verdicts(self, min_ops: int, closed_world: bool = False) -> dict:
        """The refactoring verdicts of every function (``verdicts.py``), computed once per setting."""
        from flake8_hybrid.analysis.verdicts import verdicts

        if (min_ops, closed_world) not in self._verdicts:
            self._verdicts[min_ops, closed_world] = verdicts(self.facts(), min_ops, closed_world)
        return self._verdicts[min_ops, closed_world]

    def facts_for(self, path: str) -> list[FunctionFacts]:
        return self.facts().for_path(os.path.abspath(path))


def _fingerprint(api: ApiModel) -> str:
    """A stable digest of the API model's content: summaries depend on it."""

    def stable(item: object) -> object:
        if isinstance(item, (set, frozenset)):
            return sorted(map(repr, item))
        if isinstance(item, dict):
            return sorted((repr(k), stable(value)) for k, value in item.items())
        if isinstance(item, (list, tuple)):
            return [stable(value) for value in item]
        return repr(item)

    text = repr(sorted((name, stable(value)) for name, value in vars(api).items() if not name.endswith("_cache")))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class _Analysis:
    def __init__(self, project: Project, order: Optional[list] = None) -> None:
        """``order``: the order to visit functions in (the project's by default). It changes the
        rounds taken; the values reached, only in tuples' and containers' structure (design.md)."""
        self.project = project
        self.order = list(project.functions.values()) if order is None else order
        self.values: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        #: What each call site passes each parameter over every round (``call_sites.py``):
        #: key -> parameter -> site -> atoms.
        self.passed: dict[str, dict[str, dict[tuple, set]]] = defaultdict(lambda: defaultdict(dict))
        self.returns: dict[str, set] = defaultdict(set)
        self.attributes: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        self.edges: dict[tuple, _Edge] = {}
        self.wrapped: set[str] = set()  # made graphs by tf.function(f)
        self.callbacks: dict[str, set] = defaultdict(set)  # graph callbacks -> (path, line, how) registering them
        self.callback_registrars: dict[str, set] = defaultdict(set)  # graph callbacks -> who registers them
        self.seeds: dict[tuple[str, str], str] = {}  # speculative: (function, parameter) -> convention
        tests = {path for path, module in project.by_path.items() if self._in_test(module)}  # (once a module)
        self._tests = {key for key, f in project.functions.items() if f.module.path in tests}
        #: Per function, whether each call resolved to nothing the analysis knows (at its last
        #: evaluation: a call unresolved in an early round may resolve once values flow).
        self._call_opaque: dict[str, list] = {}
        self._call_keras_model: dict[str, list] = {}
        self.keras_work: dict[str, int] = {}  # Keras models and layers called (found only in this pass)
        self.cut: set[tuple] = set()  # values cut down to size: they stay cut (see _grown)
        self.rounds = 0  # rounds of propagation run, over both passes (tests count them)
        self.settled = False  # the values grew as far as they can from what is known (``run``)
        self.early_reads: set[tuple[str, int]] = set()  # parts that read an empty value before then
        # The worklist (see ``propagate``): the parts of each function (``_parts``) whose
        # inputs grew since they were last evaluated, and for each slot (a parameter's value,
        # a function's returns, a class attribute) the parts whose evaluation read it.
        self.pending: dict[str, set[int]] = defaultdict(set)
        for key, function in project.functions.items():
            self.pending[key] = set(range(_parts(function)))
        self.readers: dict[tuple, set[tuple[str, int]]] = defaultdict(set)
        self.reading: Optional[tuple[str, int]] = None  # the part being evaluated, while propagating
        # Per function, each call's targets and unseen Keras work at its last evaluation.
        self._call_targets: dict[str, list] = {}
        self._call_keras_work: dict[str, list] = {}
        self._display_paths: dict[str, str] = {}  # module path -> its path in messages

    # -- the slots the rounds grow, read through these so the worklist knows who reads them --
    def _read(self, slot: tuple) -> None:
        if self.reading is not None:
            self.readers[slot].add(self.reading)

    def _parameter_value(self, key: str, parameter: str) -> set:
        self._read(("value", key, parameter))
        return set(self.values[key].get(parameter, ()))

    def _returned(self, key: str) -> set:
        self._read(("returns", key))
        return set(self.returns[key])

    def _attribute(self, class_key: str, name: str, depth: int = 0) -> set:
        """What instances of the class hold in ``self.<name>``: what its methods and its base
        classes' set (``super().__init__``), or the literal its body gives it (a dataclass field)."""
        self._read(("attribute", class_key, name))
        value = set(self.attributes[class_key].get(name, ()))
        if class_key in self.project.classes and depth < 10:
            module, cls = self.project.classes[class_key]
            if name in cls.fields:
                value |= cls.fields[name]
            for base in cls.bases:
                parent = self.project.resolve_ref(base, module, None)
                if parent in self.project.classes:
                    value |= self._attribute(parent, name, depth + 1)
        return value

    def _or_unknown(self, value: set) -> set:
        """``value``, or unknown when it is empty once the values have settled.

        Before they have, empty is "not known yet": a read made too early would leave an
        unknown in its readers that the value arriving later never takes back, and which reads
        come too early depends on the order functions are visited in."""
        if value:
            return value
        if self.settled:
            return {v.UNKNOWN}
        if self.reading is not None:
            self.early_reads.add(self.reading)  # evaluated again once settled (``run``)
        return value

    def _slot_changed(self, slot: tuple) -> None:
        """A slot grew: the parts that read it must be evaluated again."""
        self.changed = True
        for key, part in self.readers.get(slot, ()):
            self.pending[key].add(part)

    # -- values --------------------------------------------------------------------
    def concrete(self, function: _Function, value: Iterable, depth: int = 0) -> set:
        """Resolve the symbolic atoms of a value in the context of ``function``."""
        result: set = set()
        for atom in value:
            result |= self.concrete_atom(function, atom, depth)
        return result

    def concrete_atom(self, function: _Function, atom: object, depth: int) -> set:
        if not isinstance(atom, tuple):
            return {atom}
        if depth > 6:
            return {v.UNKNOWN}
        kind = atom[0]
        project = self.project
        if kind == "param":
            # Nothing known yet is "pending", not unknown: a later round may know it.
            return self._parameter_value(function.key, atom[1])
        if kind == "global":
            return self.global_value(function.module, atom[1], depth)
        if kind in ("function", "partial"):
            key = project.resolve_ref(atom[1], function.module, function.class_key)
            if key in project.classes:
                return {("class", key)}
            if key in project.functions:
                found = {(kind, key, *atom[2:])}
                if atom[1][0] == "self" and function.class_key:
                    # self.method() may run an override of a subclass.
                    found |= {(kind, m, *atom[2:]) for m in project.subclass_methods(function.class_key, atom[1][1])}
                return found
            if kind == "function":
                return self.data_value(function, atom[1], key, depth)
            return {v.UNKNOWN}
        if kind in ("class", "instance"):
            return {atom}
        if kind == "returns":
            key = project.resolve_ref(atom[1], function.module, function.class_key)
            if key in project.classes:
                return {("instance", key)}
            if key in project.functions:
                return self._returned(key)
            result = set()
            for callee in self.data_value(function, atom[1], key, depth):
                result |= self.call_result(callee)  # calling a value: a Keras model, an object
            return self._or_unknown(result)
        if kind == "self_attr":
            if function.class_key is None:
                return {v.UNKNOWN}
            method = project.method(function.class_key, atom[1])
            if method is not None:
                return {("function", method)}
            if atom[1] in project.api.keras_variable_attributes and project.is_keras(function.class_key):
                return {v.CONTAINER_TENSOR}  # self.trainable_variables: a list of variables
            return self._or_unknown(self._attribute(function.class_key, atom[1]))
        if kind in ("enumerated", "pair"):
            return {v.CONTAINER}
        if kind == "tuple":
            elements = tuple(frozenset(bounded_value(self.concrete(function, e, depth + 1), 1)) for e in atom[1])
            marker = v.CONTAINER_TENSOR if any(e & TENSORISH for e in elements) else v.CONTAINER
            return {("tuple", elements), marker}
        if kind == "item":
            inner = self.concrete_atom(function, atom[1], depth + 1)
            index = atom[2]
            tuples = [a for a in inner if isinstance(a, tuple) and a[0] == "tuple" and index < len(a[1])]
            result: set = set()
            for a in tuples:
                result |= a[1][index]  # the position itself, not the union of all
            for a in inner:
                if not (isinstance(a, tuple) and a[0] == "tuple") and not (
                    tuples and a in (v.CONTAINER, v.CONTAINER_TENSOR)
                ):
                    result.add(element_of(a))
            return result
        if kind == "container":
            elements = self.concrete_atom(function, atom[1], depth + 1)
            if elements & TENSORISH:
                return {v.CONTAINER_TENSOR}
            kept = {("container_of", e) for e in elements if isinstance(e, tuple) or e in KEPT_IN_CONTAINERS}
            if elements and elements <= v.NOT_TENSOR | {a for a in elements if isinstance(a, tuple)}:
                kept.add(v.CONTAINER)
            return kept or ({v.UNKNOWN} if v.UNKNOWN in elements else set())
        inner = self.concrete_atom(function, atom[1], depth + 1) if len(atom) > 1 else {v.UNKNOWN}
        if kind in ("attr_of", "method_of"):
            result = set()
            for a in inner:
                if isinstance(a, tuple) and a[0] == "instance":
                    method = project.method(a[1], atom[2])
                    if method and kind == "attr_of" and project.functions[method].summary.is_property:
                        result |= self._returned(method)  # reading a property calls it
                    elif method:
                        result.add(("function", method))
                    elif kind == "attr_of" and atom[2] in project.api.keras_variable_attributes \
                            and project.is_keras(a[1]):
                        result.add(v.CONTAINER_TENSOR)  # model.trainable_variables
                    elif kind == "attr_of":
                        result |= self._attribute(a[1], atom[2])
                elif kind == "attr_of" and a == v.KERAS and atom[2] in project.api.keras_variable_attributes:
                    result.add(v.CONTAINER_TENSOR)
                elif kind == "method_of" and self._is_api_method(a, atom[2]):
                    result.add(API_METHOD)
                elif isinstance(a, tuple) and a[0] == "class":
                    method = project.method(a[1], atom[2])
                    if method:
                        # Through the class: a bound method's first argument is explicit.
                        result.add(("unbound" if project.functions[method].summary.bound else "function", method))
            return self._or_unknown(result)
        if kind == "method_result":
            result: set = set()
            for a in inner:
                result |= self.method_result(a, atom[2])
            return result
        if kind == "element":
            result = set()
            has_tuple = any(isinstance(a, tuple) and a[0] == "tuple" for a in inner)
            kept = any(isinstance(a, tuple) and a[0] == "container_of" for a in inner)
            for a in inner:
                if has_tuple and a in (v.CONTAINER, v.CONTAINER_TENSOR) or kept and a == v.CONTAINER:
                    continue  # the tuple's positions, or the elements kept, say more than its marker
                result |= elements_of(a)
            return result
        if kind == "arith":
            return {
                v.TENSOR if a in TENSORISH else a if a in (v.NUMBER, v.COUNTER, v.NDARRAY, v.KERAS_TENSOR)
                else v.UNKNOWN
                for a in inner
            }
        if kind == "layer_output":
            # A Keras layer's output: a KerasTensor on one (a functional model), else a tensor.
            output = {v.KERAS_TENSOR} if v.KERAS_TENSOR in inner else set()
            return output | ({v.TENSOR} if inner - {v.KERAS_TENSOR} else set())
        if kind == "called":
            result: set = set()
            for a in inner:
                result |= self.call_result(a)
            return result
        if kind == "call_result":
            key = project.resolve_ref(atom[1], function.module, function.class_key)
            return self.call_result(("instance", key)) if key else {v.UNKNOWN}
        return {v.UNKNOWN}

    def global_value(self, module: ModuleSummary, name: str, depth: int) -> set:
        """The value of a module variable, as the module's own top-level code computes it."""
        value = module.globals.get(name)
        owner = self.project.functions.get(key_of(module, MODULE_CODE))
        if value is None or owner is None:
            return {v.UNKNOWN}
        return self._or_unknown(self.concrete(owner, value, depth + 1))

    def data_value(self, function: _Function, ref: object, key: Optional[str], depth: int) -> set:
        """A reference that names data, not a function: a module variable or an attribute of self."""
        if key is not None and key not in self.project.functions and key not in self.project.classes:
            path, _, name = key.partition(KEY_SEPARATOR)
            module = self.project.by_path.get(path)
            return self.global_value(module, name, depth) if module else {v.UNKNOWN}
        if isinstance(ref, tuple) and ref[0] == "self" and function.class_key:
            return self._or_unknown(self._attribute(function.class_key, ref[1]))
        return {v.UNKNOWN}

    def _is_api_method(self, receiver: object, method: str) -> bool:
        """A method of a TF value that runs a TF op (``v.assign_add``, ``generator.normal``)."""
        api = self.project.api
        if receiver == v.GENERATOR:
            return method in api.generator_tensor_methods
        return receiver in TENSORISH and method not in api.eager_only_tensor_methods and not method.startswith("_")

    def method_result(self, receiver: object, method: str) -> set:
        api = self.project.api
        if method in _DICT_VIEWS and (receiver in (v.CONTAINER, v.CONTAINER_TENSOR) or (
                isinstance(receiver, tuple) and receiver[0] == "container_of")):
            return {_dict_view(receiver, method)}
        if receiver == v.DATASET:
            if method in api.dataset_tensor_methods:
                return {v.TENSOR}  # Dataset.reduce
            return {v.DATASET} if method in api.dataset_methods else {v.UNKNOWN}
        if receiver == v.NUMPY_GENERATOR:
            return {v.NDARRAY} if method in api.numpy_generator_array_methods else {v.UNKNOWN}
        if receiver in TENSORISH:
            return {v.NDARRAY} if method in api.eager_only_tensor_methods else {v.TENSOR}
        if receiver == v.KERAS:
            return {v.TENSOR} if method in ("__call__", "call") else {v.UNKNOWN}
        if receiver == v.GENERATOR:
            return {v.TENSOR} if method in api.generator_tensor_methods else {v.UNKNOWN}
        if isinstance(receiver, tuple) and receiver[0] in ("instance", "class"):
            key = self.project.method(receiver[1], method)
            return self._returned(key) if key else {v.UNKNOWN}
        return {v.UNKNOWN}

    def call_result(self, callee: object) -> set:
        if callee == v.KERAS:
            return {v.TENSOR}
        if isinstance(callee, tuple) and callee[0] in ("function", "partial"):
            return self._or_unknown(self._returned(callee[1]))
        if isinstance(callee, tuple) and callee[0] == "class":
            return {("instance", callee[1])}
        if isinstance(callee, tuple) and callee[0] == "instance" and callee[1] in self.project.classes:
            if self.project.is_keras(callee[1]):
                return {v.TENSOR}
            method = self.project.method(callee[1], "__call__")
            return self._returned(method) if method else {v.UNKNOWN}
        return {v.UNKNOWN}

    # -- call targets ---------------------------------------------------------------
    def targets(self, function: _Function, callee: Iterable) -> Iterator[tuple[str, int]]:
        """(function key, positional arguments bound before the call's own) for each callee."""
        return self.targets_among(self.concrete(function, callee))

    def targets_among(self, callees: set) -> Iterator[tuple[str, int]]:
        """``targets`` of callee atoms already resolved (``concrete``)."""
        project = self.project
        for atom in callees:
            if not isinstance(atom, tuple):
                continue
            kind, key = atom[0], atom[1]
            if kind == "function" and key in project.functions:
                yield key, 0
            elif kind == "unbound" and key in project.functions:
                yield key, -1
            elif kind == "partial" and key in project.functions:
                yield key, atom[2]
            elif kind == "class":
                init = project.method(key, "__init__")
                if init:
                    yield init, 0
            elif kind == "instance" and key in project.classes:
                name = "call" if project.is_keras(key) and project.method(key, "call") else "__call__"
                method = project.method(key, name)
                if method:
                    yield method, 0

    def _display_path(self, module: ModuleSummary) -> str:
        """A module's path in messages, worked out once per analysis (the working directory stays)."""
        try:
            return self._display_paths[module.path]
        except KeyError:
            shown = self._display_paths[module.path] = relative_to_root(module.path, self.project.root)
            return shown

    def _at(self, module: ModuleSummary, line: int) -> str:
        """Line ``line`` of ``module`` as facts write it: a token, rendered when they are read."""
        return mark(self._display_path(module), line)

    def _at_function(self, key: str, line: int) -> str:
        return self._at(self.project.functions[key].module, line)

    def _site(self, module: ModuleSummary, line: int) -> str:
        """``path:line`` in messages (the path from the project root)."""
        return site_text(self._display_path(module), line)

    def call_targets(self, function: _Function) -> list:
        """Each call's ``targets``, in the function's call order, once the fixpoint is done.

        Those of the function's last evaluation, unless what they were resolved from
        grew since (only when the rounds hit their limit): then resolved again.
        """
        if self.pending.get(function.key) or function.key not in self._call_targets:
            return [list(self.targets(function, call.callee)) for call in function.summary.calls]
        return self._call_targets[function.key]

    def bind(self, caller: _Function, callee: _Function, call, prebound: int, converts: bool = False) -> None:
        """Flow a call's arguments into the callee's parameters. ``converts``: Keras calls the
        method (``layer(x)`` runs ``call``), converting its first argument to a tensor."""
        signature = callee.signature
        positional = signature.positional[prebound:] if prebound > 0 else signature.positional
        if prebound < 0:
            # Class.method(obj, ...): the first argument is the instance.
            call = _Shifted(call, -prebound)
        site = (self._display_path(caller.module), call.line)
        bound: set[str] = set()
        for index, argument in enumerate(call.args):
            target = positional[index] if index < len(positional) else signature.varargs
            if target is None:
                continue
            self.flow(caller, callee, target, argument, site, converts and index == 0)
            bound.add(target.name)
        for name, argument in call.kwargs.items():
            target = signature.by_keyword.get(name, signature.varkw)
            if target is not None:
                self.flow(caller, callee, target, argument, site)
                bound.add(target.name)
        for parameter in callee.parameters:
            if call.unpacked and parameter.kind in ("varargs", "varkw"):
                # f(*values) or f(**options): what they hold reaches *args and **kwargs too.
                self.add(callee.key, parameter.name, {v.UNKNOWN})
                continue
            if parameter.name in bound or parameter.kind in ("varargs", "varkw") or getattr(call, "partial", False):
                continue
            if call.unpacked:
                self.add(callee.key, parameter.name, {v.UNKNOWN})
            elif parameter.has_default:
                # The call relies on the default: a constant Python value, not a tensor.
                self.add(callee.key, parameter.name, {default_value(parameter.default_kind)})

    def flow(
        self, caller: _Function, callee: _Function, parameter: Parameter, argument, site: tuple, converts: bool = False
    ) -> None:
        concrete = self.concrete(caller, argument)
        if not concrete:
            return  # not known yet: a later round will flow it
        concrete = received(concrete, converts)
        self.add(callee.key, parameter.name, concrete)
        record(self.passed[callee.key][parameter.name], (*site, "", caller.key in self._tests), concrete)

    def add(self, key: str, parameter: str, atoms: set) -> bool:
        """Grow a parameter's value (what passed it is recorded apart: ``passed``)."""
        atoms = bounded_value(atoms)
        current = self.values[key][parameter]
        new = atoms - current
        if not new:
            return False
        merged = self._grown(("value", key, parameter), current, new)
        if merged is None:
            return False  # a value already cut down to size absorbs what it dropped: settled
        current.clear()
        current |= merged
        self._slot_changed(("value", key, parameter))
        return True

    def _grown(self, slot: tuple, current: set, atoms: set) -> Optional[set]:
        """``current`` grown by ``atoms`` and bounded, or None when that changes nothing.

        A value cut down to size (over ``MAX_VALUE_ATOMS``) stays cut: what it
        dropped (functions, classes, structure) is absorbed when it comes back.
        Without this, a cut value re-grew from the atoms it had dropped and was
        cut again, changing every round, so the fixpoint never converged and
        always ran ``MAX_ROUNDS`` (measured on tf-models-official: 2 x 25
        rounds, settled after 8 once cut values stay cut).

        Both ``current`` and ``atoms`` are bounded already (made by ``bounded_value``
        or this), and normalizing a normalized atom changes nothing: their union
        needs no normalizing again, only cutting when it is too big.
        """
        if slot in self.cut:
            atoms = cut_value(atoms)
        merged = current | atoms
        if len(merged) > MAX_VALUE_ATOMS:
            merged = cut_value(merged)
            self.cut.add(slot)
        return None if merged == current else merged

    # -- the rounds -------------------------------------------------------------------
    def propagate(self) -> None:
        """Evaluate functions, in ``self.order``, round after round until nothing grows.

        A round evaluates only the parts of functions (``_parts``) whose inputs (the
        slots their last evaluation read) grew since: evaluating any other would
        compute what it computed last time, which the slots already hold, and change
        nothing.  So the rounds grow the slots in the same order as rounds evaluating
        every function (the same values, evidence and edges), at a fraction of the work.
        """
        for _ in range(MAX_ROUNDS):
            self.changed = False
            self.rounds += 1
            for function in self.order:
                parts = self.pending.get(function.key)
                if parts:
                    self.evaluate(function, parts)
            self.reading = None
            if not self.changed:
                return

    def evaluate(self, function: _Function, parts: set) -> None:
        """Evaluate the parts of one function that are due (``parts``, by index), in order."""
        summary = function.summary
        if function.key not in self._call_targets:  # its first evaluation: every part is due
            self._call_targets[function.key] = [[] for _call in summary.calls]
            self._call_keras_work[function.key] = [0 for _call in summary.calls]
            self._call_opaque[function.key] = [False for _call in summary.calls]
            self._call_keras_model[function.key] = [False for _call in summary.calls]
        for index, call in enumerate(summary.calls):
            if self._due(function, parts, index):
                self._flow_call(function, index, call)
        part = len(summary.calls)
        for target, line, how in summary.graph_targets:
            if self._due(function, parts, part):
                for key, prebound in self.targets(function, [target]):
                    self.graph_target(function, key, prebound, line, how)
            part += 1
        self.keras_work[function.key] = sum(self._call_keras_work[function.key])
        if self._due(function, parts, part):
            self._flow_returns(function)
        if function.class_key:
            for attribute, value in summary.self_attributes.items():
                part += 1
                if self._due(function, parts, part):
                    self._flow_attribute(function, attribute, value)

    def _due(self, function: _Function, parts: set, part: int) -> bool:
        """Whether a part's inputs grew; if so it is the part being evaluated, no longer pending.

        (What it changes while evaluated, it reads again in the next round.)
        """
        if part not in parts:
            return False
        parts.discard(part)
        self.reading = (function.key, part)
        return True

    def _flow_call(self, function: _Function, index: int, call: CallSite) -> None:
        """Flow one call's arguments into the functions it calls."""
        project = self.project
        callee_atoms = self.concrete(function, call.callee)
        keras_work = 0
        # Keras calls the summary could not see (the summary counted the ones it saw).
        if v.KERAS not in call.callee and v.KERAS in callee_atoms:
            keras_work += call.weight * KERAS_CALL_OPS
        resolved = API_METHOD in callee_atoms
        if resolved:
            keras_work += call.weight  # a TF op through a method: x.assign_add(...)
        # A Keras model or layer, or another object TF made (a loss): TF's own code, not opaque.
        resolved = resolved or bool(callee_atoms) and callee_atoms <= _TF_CALLABLES
        if v.TF_FUNCTION_DECORATOR in callee_atoms and call.args:
            # tf.function(...) applied later, or a project wrapper's decorator: a graph entry.
            resolved = True
            for key, prebound in self.targets(function, call.args[0]):
                self.graph_target(function, key, prebound, call.line, "tf.function")
        self._call_keras_work[function.key][index] = keras_work
        # A Keras model's work is its layers': unknown here (the estimate counts one layer).
        self._call_keras_model[function.key][index] = v.KERAS in callee_atoms
        targets = self._call_targets[function.key][index] = list(self.targets_among(callee_atoms))
        if call.partial:  # functools.partial(f, ...): its arguments go to f's parameters, nothing is called
            for key, prebound in targets:
                self.bind(function, project.functions[key], call, prebound)
            self._call_opaque[function.key][index] = False
            return
        for atom in callee_atoms:
            if isinstance(atom, tuple) and atom[0] == "class" and atom[1] in project.classes:
                self._construct(function, atom[1], call)
        converted = {  # `layer(x)` with a Keras layer of the project: Keras runs `call` on a tensor
            project.method(a[1], "call") for a in callee_atoms
            if isinstance(a, tuple) and a[0] == "instance" and a[1] in project.classes and project.is_keras(a[1])
        }
        for key, prebound in targets:
            resolved = True
            callee = project.functions[key]
            edge = self.edges.get((function.key, key, call.line))
            if edge is None:  # (not setdefault: it would make an edge each time, to throw it away)
                edge = self.edges[function.key, key, call.line] = _Edge(function.key, key, call.line, call.in_loop)
            edge.weight = max(edge.weight, call.weight)
            self.bind(function, callee, call, prebound, key in converted)
        self._call_opaque[function.key][index] = not resolved and call.method not in _PLAIN_PYTHON_METHODS

    def _construct(self, function: _Function, class_key: str, call) -> None:
        """A dataclass made from its fields: what the call passes is what its instances hold."""
        cls = self.project.classes[class_key][1]
        if not cls.dataclass or self.project.method(class_key, "__init__") is not None:
            return
        fields = list(cls.fields)
        passed = [(fields[i], argument) for i, argument in enumerate(call.args) if i < len(fields)]
        passed += [(name, argument) for name, argument in call.kwargs.items() if name in cls.fields]
        for name, argument in passed:
            atoms = bounded_value(self.concrete(function, argument))
            known = self.attributes[class_key][name]
            if atoms - known:
                slot = ("attribute", class_key, name)
                merged = self._grown(slot, known, atoms)
                if merged is not None:
                    self.attributes[class_key][name] = merged
                    self._slot_changed(slot)

    def _flow_returns(self, function: _Function) -> None:
        summary = function.summary
        if summary.returns:
            returned = bounded_value(self.concrete(function, summary.returns))
        else:
            returned = {v.NONE}
        if returned - self.returns[function.key]:
            merged = self._grown(("returns", function.key), self.returns[function.key], returned)
            if merged is not None:
                self.returns[function.key] = merged
                self._slot_changed(("returns", function.key))

    def _flow_attribute(self, function: _Function, attribute: str, value) -> None:
        """An attribute of self a method sets: its class's attribute grows by the value."""
        atoms = bounded_value(self.concrete(function, value))
        known = self.attributes[function.class_key][attribute]
        if atoms - known:
            slot = ("attribute", function.class_key, attribute)
            merged = self._grown(slot, known, atoms)
            if merged is not None:
                self.attributes[function.class_key][attribute] = merged
                self._slot_changed(slot)

    def graph_target(self, function: _Function, key: str, prebound: int, line: int, how: str) -> None:
        callee = self.project.functions[key]
        # A dataset callback runs once per element; wrapping with tf.function calls nothing yet.
        repeated = how != "tf.function"
        self.edges.setdefault((function.key, key, line), _Edge(function.key, key, line, repeated, graph=True))
        if how == "tf.function":
            self.wrapped.add(key)
            return
        where = (self._display_path(function.module), line, how)
        self.callbacks[key].add(where)
        self.callback_registrars[key].add(function.key)
        for parameter in [p for p in callee.parameters if p.kind == "positional"][prebound:]:
            self.add(key, parameter.name, {v.DATASET_ELEMENT})
            record(self.passed[key][parameter.name], (*where, False), {v.DATASET_ELEMENT})

    def speculate(self) -> bool:
        """Keras conventions for functions nobody in the project calls."""
        project = self.project
        called = {edge.callee for edge in self.edges.values()}
        added = False
        for function in project.functions.values():
            if function.key in called or not function.parameters:
                continue
            name = function.summary.qualname.rsplit(".", 1)[-1]
            keras = function.class_key is not None and project.is_keras(function.class_key)
            if keras and name in ("call", "__call__"):
                convention = f"'{name}' of a Keras Model/Layer subclass receives tensors"
            elif keras and name in ("train_step", "test_step", "predict_step"):
                convention = f"'{name}' of a Keras Model subclass receives a batch of tensors"
            else:
                continue
            first = function.parameters[0]
            if first.kind == "positional" and self.add(function.key, first.name, {ASSUMED}):
                self.seeds[function.key, first.name] = convention
                added = True
        return added

    def run(self) -> dict[str, FunctionFacts]:
        self.propagate()
        if self.speculate():
            self.propagate()
        # What is still empty now stays empty: read as unknown (``_or_unknown``) from here on,
        # by every part that read it empty (such a read need not have read a slot), and flowed on.
        self.settled = True
        for key, part in self.early_reads:
            self.pending[key].add(part)
        self.propagate()
        return self.derive()

    # -- derived facts ------------------------------------------------------------------
    def derive(self) -> dict[str, FunctionFacts]:
        project = self.project
        callees: dict[str, list[_Edge]] = defaultdict(list)
        callers: dict[str, list[_Edge]] = defaultdict(list)
        for _, edge in sorted(self.edges.items()):  # (in an order the visiting order does not change)
            callees[edge.caller].append(edge)
            callers[edge.callee].append(edge)
        recursive = _recursive(project.functions, callees)
        passing = _passing_calls(callees, self._at_function)
        mutated, escaping = self._mutations()
        effects = self._transitive(
            passing,
            lambda f: [f"{r} (line {self._at(f.module, n)})" for r, n in f.summary.side_effects] + escaping[f.key],
            "side effects",
        )
        for key, reasons in mutated.items():  # its own callers' objects: a side effect of the function itself
            effects[key].extend(f"changes the object its caller passes as '{name}': {reason}"
                                for name, reason in reasons.items())
        eager = self._transitive(passing, self._eager_only, "eager-only calls")
        graph = self._graph_reach(callees)
        tests = self._tests
        repeated_anywhere = self._called_repeatedly(callers, graph, set())
        repeated = self._called_repeatedly(callers, graph, tests)
        installable = is_installable(project.root)
        ops = self._ops(callees)
        runs_once = self._runs_once(callers)
        opaque = self._transitive(passing, lambda f: ["opaque"] if any(self._call_opaque.get(f.key, ())) else [],
                                  "opaque calls")
        distributes = self._transitive(passing, lambda f: ["replicas"] if f.summary.runs_replicas else [], "replicas")
        on_replicas = {  # functions a strategy runs on its replicas: their graph is the strategy's business
            key for function in project.functions.values() for atom in function.summary.replica_functions
            for key, _prebound in self.targets(function, [atom])
        }
        keras_models = self._transitive(
            passing, lambda f: ["keras"] if any(self._call_keras_model.get(f.key, ())) or v.KERAS in set().union(
                *(c.callee for c in f.summary.calls)) else [], "Keras calls")
        hazards = self._graph_hazards(passing, repeated)
        eager_code = self._proven_eager(callers, graph, tests)
        maybe_eager = self._may_run_eagerly(callers, graph)
        facts = {}
        for key, function in project.functions.items():
            summary = function.summary
            if summary.qualname == MODULE_CODE:
                continue
            parameters = [self._parameter_facts(function, p) for p in function.parameters]
            facts[key] = FunctionFacts(
                key=key,
                path=function.module.path,
                qualname=python_qualname(summary.qualname),
                line=summary.line,
                col=summary.col,
                hybrid=summary.hybrid or key in self.wrapped,
                runs_as_graph=key in graph,
                graph_entry=graph.get(key),
                parameters=parameters,
                side_effects=bool(effects[key]),
                side_effect_reasons=effects[key],
                recursive=key in recursive,
                eager_only_calls=eager[key],
                ops_per_call=ops[key],
                called_repeatedly=key in repeated,
                repeated_by=repeated[key][0] if key in repeated else "",
                repeated_eagerly=key in repeated and repeated[key][1] in eager_code,
                runs_eagerly=key in eager_code,
                graph_only=key in graph and key not in maybe_eager,
                callers=sorted({edge.caller for edge in callers[key]}),
                input_signature=summary.input_signature,
                jit_compile=summary.jit_compile,
                opaque_calls=bool(opaque[key]),
                keras_managed=(
                    function.class_key is not None
                    and summary.qualname.rsplit(".", 1)[-1] in _KERAS_MANAGED_METHODS
                    and project.is_keras(function.class_key)
                ),
                fresh_keras_arguments=self._fresh_keras_arguments(function, callers, runs_once),
                in_test=key in tests,
                public_api=installable and key not in tests and is_public(
                    function.module.path, project.root, summary.qualname),
                repeated_in_tests=key in repeated_anywhere and key not in repeated,
                decorated=summary.hybrid,
                distributes=bool(distributes[key]) or key in on_replicas,
                callback=callback_text(self.callbacks.get(key)),
                calls_keras_models=bool(keras_models[key]),
                graph_hazards=hazards.get(key, []),
                keras_tensor_parameters=[
                    p.name for p in function.parameters if v.KERAS_TENSOR in self.values[key].get(p.name, ())
                ],
                exported_module_method=function.class_key is not None and project.is_keras(function.class_key),
                decorators=list(summary.decorators),
            )
        return facts

    def _mutations(self) -> tuple[dict[str, dict], dict[str, list]]:
        """Which parameters' objects each function changes (itself, or by passing them on to a
        function that does), and the calls through which a function changes an object it did not
        make: passing a callee an object this function made itself is no side effect of it
        (``lst = [10]; grow(lst)``), passing a global or an attribute is."""
        functions = self.project.functions
        mutated = {
            key: {
                name: f"{reason} (line {self._at(f.module, line)})" for name, reason, line in f.summary.param_mutations
            }
            for key, f in functions.items()
        }
        escaping: dict[str, list] = defaultdict(list)
        changed, rounds = True, 0
        while changed and rounds < MAX_ROUNDS:
            changed, rounds = False, rounds + 1
            for key, function in functions.items():
                own = {p.name for p in function.parameters}
                for call, targets in zip(function.summary.calls, self._call_targets.get(key, ())):
                    for callee, _prebound in targets:
                        for name in mutated[callee]:
                            argument = _argument(call, functions[callee], name)
                            passed = {a[1] for a in argument if isinstance(a, tuple) and a[0] == "param"} & own
                            what = (f"calls '{python_qualname(qualname_of(callee))}' "
                                    f"(line {self._at(function.module, call.line)}), which changes")
                            for parameter in passed - set(mutated[key]):
                                mutated[key][parameter] = f"{what} it"
                                changed = True
                            reason = f"{what} its argument '{name}'"
                            if argument and not passed and not _made_here(argument) and reason not in escaping[key]:
                                escaping[key].append(reason)
        return mutated, escaping

    def _graph_hazards(self, passing: dict, repeated: set) -> dict[str, list]:
        """Why running a function as a graph would break it or slow it down (HYB001 blockers):

        - it builds Keras layers, models, optimizers or metrics (they create variables, which
          a later trace may not), or compiles a model;
        - it raises under a tensor-valued ``if`` (AutoGraph makes the raise part of the graph);
        - it reads attributes of self that another method rebinds (a graph keeps the traced value);
        - a caller passes a tensor whose shape changes on every call (a trace per call);
        - it is defined inside a function called repeatedly (a new graph for each definition).
        """
        built = self._transitive(passing, lambda f: [f"builds {w} (line {self._at(f.module, n)})"
                                                     for w, n in f.summary.keras_built],
                                 "Keras objects built")
        raising = self._transitive(passing, self._raises_on_tensor, "a raise on a tensor")
        rebound = self._rebound_attributes()
        reshaped = self._new_shape_targets()
        hazards: dict[str, list] = defaultdict(list)
        for key, function in self.project.functions.items():
            if built[key]:
                hazards[key].append("builds-keras-objects")
            if raising[key]:
                hazards[key].append("raises-under-tensor-condition")
            if function.class_key and rebound.get(function.class_key, set()) & set(function.summary.self_reads):
                hazards[key].append("reads-rebound-attribute")
            if key in reshaped:
                hazards[key].append("new-shape-each-call")
            parent = key.rpartition(".<locals>.")[0]
            if parent and parent in repeated:
                hazards[key].append("defined-anew-on-each-call")
        return hazards

    def _raises_on_tensor(self, function: _Function) -> list[str]:
        return [f"raises under a tensor condition (line {self._at(function.module, line)})"
                for test, line in function.summary.raises_if
                if self.concrete(function, test) & TENSORISH]

    def _rebound_attributes(self) -> dict[str, set]:
        """Per class, the attributes of self a method other than a constructor or ``build`` sets
        to a Python value (not a TF object: a variable's value is read at run time)."""
        rebound: dict[str, set] = defaultdict(set)
        for function in self.project.functions.values():
            summary = function.summary
            if function.class_key is None or summary.qualname.rsplit(".", 1)[-1] in _SETUP_METHODS:
                continue
            for attribute, value in summary.self_attributes.items():
                atoms = self.concrete(function, value)
                if not atoms & (TENSORISH | {v.KERAS, v.DATASET, v.GENERATOR, v.TF_OBJECT}):
                    rebound[function.class_key].add(attribute)
        return rebound

    def _new_shape_targets(self) -> set[str]:
        """Functions some loop passes a tensor whose shape changes on every iteration."""
        targets = set()
        for key, function in self.project.functions.items():
            calls = self._call_targets.get(key, ())
            for call, called in zip(function.summary.calls, calls):
                if any(fact[0] == "shape" and len(fact) > 2 and fact[2] for fact in call.varying.values()):
                    targets.update(callee for callee, _prebound in called)
        return targets

    def _in_test(self, module: ModuleSummary) -> bool:
        project = self.project
        return is_test_path(module.path, project.root, project.test_patterns)

    def _parameter_facts(self, function: _Function, parameter: Parameter) -> ParameterFacts:
        atoms = self.values[function.key].get(parameter.name, set())
        passed = sorted(self.passed[function.key].get(parameter.name, {}).items())  # by site, in line order
        seeded = self.seeds.get((function.key, parameter.name))
        evidence = evidence_of([seeded] if seeded else [], passed)
        proven = bool(atoms & v.TENSOR_LIKE)
        assumed = ASSUMED in atoms and not proven
        if parameter.tensor_hint:
            proven = True
            evidence.insert(0, f"annotated as a tensor at {self._site(function.module, function.summary.line)}")
        known = bool(atoms) and v.UNKNOWN not in atoms
        tensor: Optional[bool] = True if (proven or assumed) else (False if known else None)
        primitive: Optional[bool]
        if atoms & v.PRIMITIVE:
            primitive = True
        elif known:
            primitive = False
        else:
            primitive = None
        if parameter.kind in ("varargs", "varkw") and not atoms:
            tensor, primitive = None, None
        sites, test_sites, varies = python_value_sites(passed)
        kinds = frozenset(atom if isinstance(atom, str) else "structured" for atom in atoms)
        spec: Optional[bool] = True if (proven or assumed or atoms & v.TRACED_BY_SPEC) else tensor
        return ParameterFacts(
            parameter.name, tensor, primitive, assumed, evidence, sites,
            varies=varies, kinds=kinds, traced_by_spec=spec, test_primitive_sites=test_sites,
        )

    def _transitive(self, passing: dict, local, what: str) -> dict[str, list]:
        """Each function's reasons for a fact: its own (``local``), then its calls of functions with the fact.

        By rounds in project order, as many as the reasons take to travel up the calls.
        A function seen in a round gains the reasons of all its callees that have the fact
        then; it can gain more only when a callee gains its first reason, so only the
        callers of such a callee are seen again (the same reasons, in the same order).
        """
        result = {key: list(local(function)) for key, function in self.project.functions.items()}
        reasons = {
            key: [(callee, f"{call}, which has {what}") for callee, call in calls] for key, calls in passing.items()
        }
        callers = defaultdict(list)
        for key, calls in passing.items():
            for callee, _call in calls:
                callers[callee].append(key)
        to_see = set(result)
        changed = True
        rounds = 0
        while changed and rounds < MAX_ROUNDS:
            changed, rounds = False, rounds + 1
            for key in self.project.functions:
                if key not in to_see:
                    continue
                to_see.discard(key)
                if len(result[key]) >= 10:
                    continue  # enough reasons to explain the fact
                had_fact = bool(result[key])
                for callee, reason in reasons.get(key, ()):
                    if result[callee] and reason not in result[key]:
                        result[key].append(reason)
                        changed = True
                if result[key] and not had_fact:
                    to_see.update(callers[key])
        return result

    def _eager_only(self, function: _Function) -> list[str]:
        calls = [f"{what} (line {self._at(function.module, line)})" for what, line in function.summary.eager_only]
        for what, line, receiver in function.summary.maybe_eager_only:
            name = what.strip(".()")
            for atom in self.concrete(function, receiver):
                keras_object = atom == v.KERAS or (
                    isinstance(atom, tuple) and atom[0] == "instance" and self.project.is_keras(atom[1])
                    and self.project.method(atom[1], name) is None
                )
                if keras_object:
                    calls.append(f"{what} (line {self._at(function.module, line)})")
                    break
        return calls

    def _graph_reach(self, callees: dict) -> dict[str, str]:
        """Functions that run as graphs -> the entry point that makes them graphs."""
        project = self.project
        entries: dict[str, str] = {}
        for key, function in project.functions.items():
            if function.summary.hybrid or key in self.wrapped or key in self.callbacks:
                entries[key] = key
        # Both sorted: a helper reached from two entries is claimed by the same one every run
        # (the method names are a frozenset, whose order changes with hash randomization).
        for class_key in sorted(self._trained_keras_classes()):
            for name in sorted(project.api.keras_graph_methods):
                method = project.method(class_key, name)
                if method:
                    entries.setdefault(method, method)
        reach = dict(entries)
        stack = list(entries)
        while stack:
            key = stack.pop()
            for edge in callees.get(key, ()):
                if edge.callee not in reach:
                    reach[edge.callee] = reach[key]
                    stack.append(edge.callee)
        return reach

    def _trained_keras_classes(self) -> set[str]:
        trained: set[str] = set()
        eager: set[str] = set()
        for function in self.project.functions.values():
            for receiver, _method, _line in function.summary.keras_runs:
                trained |= self._instances(function, receiver)
            for receiver, _line in function.summary.keras_eager:
                eager |= self._instances(function, receiver)
        return {key for key in trained - eager if self.project.is_keras(key)}

    def _instances(self, function: _Function, value) -> set[str]:
        return {a[1] for a in self.concrete(function, value) if isinstance(a, tuple) and a[0] == "instance"}

    def _called_repeatedly(self, callers: dict, graph: dict, ignored: set) -> dict[str, tuple[str, str]]:
        """Functions called repeatedly, each with where the repetition comes from: a loop, a
        per-element callback, Keras under fit, or such a function calling it; calls made by
        ``ignored`` functions (tests) do not count."""
        functions = self.project.functions
        repeated: dict[str, tuple[str, str]] = {}  # key -> (where, the function that repeats the calls)
        for key, edges in callers.items():
            loop = next((e for e in sorted(edges, key=lambda e: (e.caller, e.line))
                         if e.in_loop and e.caller not in ignored), None)
            if loop is not None:
                caller = functions[loop.caller]
                repeated[key] = (f"in a loop at {self._site(caller.module, loop.line)}", loop.caller)
        for key, registrars in self.callback_registrars.items():
            if registrars - ignored and key not in repeated:
                repeated[key] = (f"as a callback ({callback_text(self.callbacks.get(key))})", "")
        for key, entry in graph.items():
            if key == entry and key not in self.wrapped and key not in self.callbacks and key not in ignored \
                    and not functions[key].summary.hybrid and key not in repeated:
                repeated[key] = ("by Keras under fit, evaluate or predict", "")
        changed = True
        while changed:
            changed = False
            for key, edges in callers.items():
                if key in repeated:
                    continue
                via = next((e.caller for e in sorted(edges, key=lambda e: e.caller)
                            if e.caller in repeated and e.caller not in ignored), None)
                if via is not None:
                    repeated[key] = repeated[via]
                    changed = True
        return repeated

    def _may_run_eagerly(self, callers: dict, graph: dict) -> set[str]:
        """Functions that may run outside any graph: not a graph entry (whose body is traced), and
        called by nothing in the project (anyone may call it), by module code, or by a function
        that may run eagerly (through a plain call, not a graph callback)."""
        functions = self.project.functions
        entries = {key for key, entry in graph.items() if key == entry}
        maybe = {key for key in functions if key not in entries and not callers.get(key)}
        changed = True
        while changed:
            changed = False
            for key, edges in callers.items():
                if key in maybe or key in entries:
                    continue
                if any(e.caller in maybe and not e.graph for e in edges):
                    maybe.add(key)
                    changed = True
        return maybe

    def _proven_eager(self, callers: dict, graph: dict, tests: set) -> set[str]:
        """Functions proven to run eagerly: module code; an application's function nobody in the
        project calls (a script's entry point); and functions outside graph code all of whose
        callers are proven eager. A library's public function may be called from anyone's graph."""
        functions = self.project.functions
        installable = is_installable(self.project.root)
        eager = set()
        for key, function in functions.items():
            if function.summary.qualname == MODULE_CODE:
                eager.add(key)
            elif not callers.get(key) and key not in graph and key not in tests and not (
                installable and is_public(function.module.path, self.project.root, function.summary.qualname)
            ) and "<locals>" not in function.summary.qualname and function.class_key is None:
                eager.add(key)  # main(): run by its script, or an application's console entry point
        changed = True
        while changed:
            changed = False
            for key, edges in callers.items():
                if key in eager or key in graph or not edges:
                    continue
                if all(e.caller in eager and not e.graph for e in edges):
                    eager.add(key)
                    changed = True
        return eager

    def _runs_once(self, callers: dict) -> set[str]:
        """Functions that run at most once per program run: called once, from code that runs once.

        Module code runs once; a function with no caller in the project is called from
        outside (a test, a library user) as often as they like.
        """
        once = {key for key, f in self.project.functions.items() if f.summary.qualname == MODULE_CODE}
        changed = True
        while changed:
            changed = False
            for key, edges in callers.items():
                if key in once or len(edges) != 1:
                    continue
                edge = edges[0]
                if not edge.in_loop and not edge.graph and edge.weight == 1 and edge.caller in once:
                    once.add(key)
                    changed = True
        return once

    def _fresh_keras_arguments(self, function: _Function, callers: dict, runs_once: set) -> list[str]:
        project = self.project
        names = set()
        for parameter in function.parameters:
            atoms = self.values[function.key].get(parameter.name, ())
            if v.KERAS in atoms or any(
                isinstance(a, tuple) and a[0] == "instance" and a[1] in project.classes and project.is_keras(a[1])
                for a in atoms
            ):
                names.add(parameter.name)
        names.update(function.summary.optimizer_parameters)
        if not names:
            return []
        return [] if self._created_once(function, names, callers, runs_once, set()) else sorted(names)

    def _created_once(self, function: _Function, names: set, callers: dict, runs_once: set, seen: set) -> bool:
        """Whether the objects the parameters ``names`` receive are created once per program run.

        Follows arguments passed through from the callers' own parameters up to where they are
        made: module code (once), or a function that must run once and not make them in a loop.
        """
        if function.key in seen or len(seen) > 20:
            return False
        seen = seen | {function.key}
        edges = callers.get(function.key, ())
        if not edges:
            return False  # called from outside the project, as often as the caller likes
        for edge in edges:
            caller = self.project.functions[edge.caller]
            passed_through: set = set()
            for call in caller.summary.calls:
                if call.line != edge.line:
                    continue
                for name in names:
                    for atom in _argument(call, function, name):
                        if isinstance(atom, tuple) and atom[0] == "param":
                            passed_through.add(atom[1])
                        elif not (isinstance(atom, tuple) and atom[0] == "global"):
                            if edge.caller not in runs_once or caller.summary.keras_created_in_loop:
                                return False  # made by code that may run again
            if passed_through and not self._created_once(caller, passed_through, callers, runs_once, seen):
                return False
        return True

    def _ops(self, callees: dict) -> dict[str, int]:
        totals: dict[str, int] = {}
        for key in self.project.functions:
            self._ops_total(key, set(), totals, callees)
        return totals

    def _ops_total(self, key: str, active: set, totals: dict, callees: dict) -> int:
        # A method, not a function nested in _ops: one calling itself through its closure is a
        # reference cycle, and that one held the analysis, and so the project (``release``).
        if key in totals:
            return totals[key]
        if key in active or len(active) > 50:
            return 0
        active.add(key)
        summary = self.project.functions[key].summary
        count = summary.tensor_ops + self.keras_work.get(key, 0)
        if summary.maybe_tensor_ops and any(self.values[key][p] & TENSORISH for p in self.values[key]):
            count += summary.maybe_tensor_ops  # operators on parameters that receive tensors
        count += sum(
            edge.weight * self._ops_total(edge.callee, active, totals, callees)
            for edge in callees.get(key, ())
            if not edge.graph
        )
        count = min(count, MAX_WEIGHT)
        active.discard(key)
        totals[key] = count
        return count


def _parts(function: _Function) -> int:
    """How many parts the fixpoint evaluates a function in, each on its own when its inputs grow.

    In this order: each call, each graph target, its returns, then (a method) each
    attribute of self it sets.
    """
    summary = function.summary
    attributes = len(summary.self_attributes) if function.class_key else 0
    return len(summary.calls) + len(summary.graph_targets) + 1 + attributes


#: Methods of a dict giving its values, keys or (key, value) pairs.
_DICT_VIEWS = frozenset({"values", "items", "keys"})


def _dict_view(receiver: object, method: str) -> object:
    """``d.values()``, ``d.items()``, ``d.keys()`` of a container: what iterating it gives."""
    if method == "keys":
        return v.CONTAINER  # keys: names, indices (a tensor cannot be a dict key)
    if receiver in (v.CONTAINER, v.CONTAINER_TENSOR):
        return receiver
    if method == "values":
        return receiver
    return ("container_of", ("tuple", (frozenset({v.UNKNOWN}), frozenset({receiver[1]}))))


def _made_here(value: frozenset) -> bool:
    """A value the function made itself: a literal container or tuple, not one it was given."""
    return all(
        atom in (v.CONTAINER, v.CONTAINER_TENSOR) or isinstance(atom, tuple) and atom[0] in ("container", "tuple")
        for atom in value
    )


def _argument(call: CallSite, callee: _Function, name: str) -> frozenset:
    """The value a call passes to the callee's parameter ``name`` (empty when not passed)."""
    if name in call.kwargs:
        return call.kwargs[name]
    positional = [p.name for p in callee.parameters if p.kind == "positional"]
    if name not in positional:
        return frozenset()
    index = positional.index(name)  # the instance of a bound method is not among them
    return call.args[index] if index < len(call.args) else frozenset()


class _Shifted:
    """A call site seen without its first positional arguments (given to ``self``)."""

    def __init__(self, call: CallSite, drop: int) -> None:
        self.args = call.args[drop:]
        self.kwargs = call.kwargs
        self.unpacked = call.unpacked
        self.line = call.line


def _passing_calls(callees: dict, at: Callable[[str, int], str]) -> dict[str, list[tuple[str, str]]]:
    """Each function's calls that pass a callee's fact (side effects...) on to it: (callee, the call in words).

    Not graph callbacks, nor calls of itself; in line order, as reasons are listed. ``at``:
    line ``n`` of function ``key``'s module as facts write it (``positions.mark``).
    """
    return {
        key: [
            (edge.callee, f"calls '{python_qualname(qualname_of(edge.callee))}' (line {at(key, edge.line)})")
            for edge in sorted(edges, key=lambda e: (e.line, e.callee)) if not edge.graph and edge.callee != key
        ]
        for key, edges in callees.items()
    }


def _recursive(functions: dict, callees: dict) -> set[str]:
    """Functions in a call-graph cycle (graph callbacks and wrappings are no calls)."""
    return on_cycles(functions, lambda key: [edge.callee for edge in callees.get(key, ()) if not edge.graph])


#: Keras traces these itself (and creates variables in them): a decorator there breaks
#: training (measured: variables built inside a traced call get no gradients).
_KERAS_MANAGED_METHODS = frozenset({"call", "__call__", "build"})
#: Methods that set an object up before its graphs run: what they assign is no rebinding.
_SETUP_METHODS = frozenset({"__init__", "__new__", "__post_init__", "build", "_build", "setup", "__setstate__"})

#: Methods of Python's own containers and strings: calling one is no hidden tensor work.
_PLAIN_PYTHON_METHODS = frozenset(
    {"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "add", "discard", "get",
     "items", "keys", "values", "copy", "index", "count", "sort", "reverse", "format", "join", "split",
     "strip", "lower", "upper", "replace", "startswith", "endswith", "encode", "decode"}
)
