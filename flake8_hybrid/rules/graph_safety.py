"""HYB101-HYB111: Python that breaks, or silently changes meaning, once traced into a graph.

Where a rule applies comes from the project analysis: a function whose facts
say ``runs_as_graph`` (a ``tf.function`` body, a helper such code calls, a
``Dataset.map`` callback, a Keras step under ``fit``).  Inside such a body the
checks skip what TensorFlow itself keeps out of the graph: nested functions
(they have facts of their own), ``with tf.init_scope():`` blocks and the eager
branch of ``if tf.executing_eagerly():``.

Precision first: a finding needs evidence (a TF op's result, a parameter every
caller passes a tensor, a literal list), never a guess.  The shared walk and
evidence live here; each rule is one small function below.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, field
from typing import Iterator, Optional

from flake8_hybrid.analysis.local_tensors import LocalTensors, body_nodes
from flake8_hybrid.analysis.module import ModuleContext
from flake8_hybrid.analysis.names import child_nodes, statements, walk
from flake8_hybrid.analysis.function_facts import FunctionFacts
from flake8_hybrid.analysis.layout import display_path
from flake8_hybrid.analysis.summary import LOGGER_METHODS, is_logger
from flake8_hybrid.findings import Finding, FixIntent
from flake8_hybrid.registry import Applicability, get_rule
from flake8_hybrid.rules.registration import check

_LAMBDA_KEY = re.compile(r"<lambda#\d+>$")
CODES = ("HYB101", "HYB102", "HYB103", "HYB104", "HYB105", "HYB106", "HYB107", "HYB108", "HYB109", "HYB110", "HYB111")
DefNode = (ast.FunctionDef, ast.AsyncFunctionDef)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
#: Parameter kinds (``values.py`` atoms) that make a parameter a plain tensor, not a tuple of them.
_PLAIN_TENSOR = frozenset({"tensor", "variable"})


@check(*CODES)
def check_graph_safety(module: ModuleContext) -> Iterator[Finding]:
    analyzed = module.project.facts_for(module.filename)
    # HYB109 needs a tf.TensorArray made in this module (or its write's result); every
    # other rule a graph body: most modules have neither, and need no walk at all.
    tensor_arrays = "TensorArray" in module.source
    if not analyzed or not tensor_arrays and not any(facts.runs_as_graph for facts in analyzed):
        return
    module_info = None  # made for the first graph body
    global_arrays = _tensor_array_names(module, module.tree) if tensor_arrays else set()
    for node in module.function_nodes:
        facts = module.function_facts.get(node.lineno)
        if facts is None or facts.qualname.rsplit(".", 1)[-1] != node.name:
            continue
        if tensor_arrays:
            yield from _hyb109(module, node, facts, global_arrays)
        if facts.runs_as_graph:
            module_info = module_info or _ModuleInfo(module)
            body = _GraphBody(module, module_info, node, facts)
            yield from body.findings()
    # Lambdas TensorFlow traces (``ds.map(lambda x: ...)``, ``tf.function(lambda ...)``).
    lambdas = {}
    for facts in analyzed:
        if facts.runs_as_graph and _LAMBDA_KEY.search(facts.key):
            lambdas[(facts.line, facts.col)] = facts
    if lambdas:
        for node in walk(module.tree):  # (ast.walk's order, twice as fast)
            if isinstance(node, ast.Lambda) and (node.lineno, node.col_offset) in lambdas:
                module_info = module_info or _ModuleInfo(module)
                yield from _GraphBody(module, module_info, node, lambdas[(node.lineno, node.col_offset)]).findings()


def entry_note(module: ModuleContext, facts: FunctionFacts) -> str:
    """Which graph entry point makes this function graph code, when it is not one itself."""
    if not facts.runs_as_graph:
        return ""
    if facts.graph_entry in (None, facts.key):
        if facts.hybrid:
            return ""
        if facts.qualname.rsplit(".", 1)[-1] in module.api.keras_graph_methods:
            return " (runs as graph: Keras traces it under fit, evaluate or predict)"
        return " (runs as graph: TensorFlow traces it as a callback)"
    entry = module.project.facts().get(facts.graph_entry)
    if entry is None:
        return ""
    where = "" if entry.path == facts.path else f" in {display_path(entry.path)}"
    return f" (runs as graph via {entry.qualname}{where}, line {entry.line})"


def _short(node: ast.AST, limit: int = 48) -> str:
    text = ast.unparse(node).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- what the module assigns where ---------------------------------------------------
class _ModuleInfo:
    """What the module's classes assign to ``self`` attributes, and the function holding each name
    (what a plain name was given is its binding's ``value``: names.py).

    Each table is made on first use, once per module: most graph bodies need none of them
    (making them all up front, in a walk of the whole module, was most of this family's
    time on tf-models-official)."""

    def __init__(self, module: ModuleContext) -> None:
        self.module = module
        self._self_attributes: dict[int, dict[str, list]] = {}
        self._loads: Optional[dict[str, list]] = None
        self._attribute_index: Optional[dict[str, list]] = None

    def class_of_method(self, function: ast.AST) -> Optional[ast.ClassDef]:
        """The class whose body defines ``function``, when it takes a receiver (``self``)."""
        if not isinstance(function, DefNode) or not function.args.args:
            return None
        scope = self.module.names.scope_of(function)
        owner = scope.parent if scope is not None else None
        if owner is None or owner.kind != "class":
            return None
        return owner.node if any(statement is function for statement in owner.node.body) else None

    def self_attributes(self, cls: ast.ClassDef) -> dict[str, list]:
        """Attribute -> [(value, method name, line)] of each ``self.attr = value`` in the class' methods."""
        if id(cls) not in self._self_attributes:
            self._self_attributes[id(cls)] = self._assigned_attributes(cls)
        return self._self_attributes[id(cls)]

    def _assigned_attributes(self, cls: ast.ClassDef) -> dict[str, list]:
        attributes: dict[str, list] = {}
        for method in cls.body:
            if not isinstance(method, DefNode) or not method.args.args:
                continue
            receiver = method.args.args[0].arg
            for inner in statements(method):  # assignments are statements
                if isinstance(inner, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                    targets = inner.targets if isinstance(inner, ast.Assign) else [inner.target]
                    for target in targets:
                        if _is_attribute_of(target, receiver):
                            value = inner.value if not isinstance(inner, ast.AugAssign) else inner
                            attributes.setdefault(target.attr, []).append((value, method.name, inner.lineno))
        return attributes

    def eager_name_reads(self, name: ast.Name, writer: ast.AST) -> list[int]:
        """Lines where code that runs eagerly (module code, or a function not reached from graph
        code) reads the global or closure variable ``name`` stands for in ``writer``."""
        scope = self._variable_scope(name, writer)
        if scope is None:
            return []
        lines = []
        for node in self._loads_of(name.id):
            holder = self.function_of_name.get(id(node))
            if holder is writer:
                continue
            binding = self.module.names.binding_of(node)
            if binding is None or binding not in scope.bindings.get(name.id, []):
                continue
            if holder is None or self._runs_eagerly(holder):
                lines.append(node.lineno)
        return sorted(lines)

    def _variable_scope(self, name: ast.Name, writer: ast.AST) -> Optional[object]:
        """The scope holding the variable ``name`` refers to in ``writer`` (a global, a closure's)."""
        names = self.module.names
        scope = names.scope_of(writer)
        if scope is None:
            return None
        if name.id in scope.global_names:
            return names.module_scope
        binding = names.binding_of(name) if isinstance(name.ctx, ast.Load) else None
        current = scope.parent if name.id in scope.nonlocal_names or binding is not None else None
        while current is not None:
            if name.id in current.bindings and (binding is None or binding in current.bindings[name.id]):
                return current
            current = current.parent
        return None

    def _loads_of(self, identifier: str) -> list[ast.Name]:
        """Reads of a name, not counting changes made through it (``h.append(x)``, ``h[k] = v``)."""
        if self._loads is None:
            self._loads = {}
            changed = set()
            for node in walk(self.module.tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _MUTATORS:
                    changed.add(id(node.func.value))
                elif isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load):
                    changed.add(id(node.value))
            for node in walk(self.module.tree):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and id(node) not in changed:
                    self._loads.setdefault(node.id, []).append(node)
        return self._loads.get(identifier, [])

    def eager_attribute_reads(self, cls: Optional[ast.ClassDef], attribute: str) -> list[int]:
        """Lines where a method of ``cls`` that runs eagerly (not reached from graph code, and not
        a constructor: it runs before any trace) reads ``self.<attribute>``."""
        if cls is None:
            return []
        lines = []
        for method in cls.body:
            if not isinstance(method, DefNode) or not method.args.args or method.name in _CONSTRUCTORS:
                continue
            if not self._runs_eagerly(method):
                continue
            receiver = method.args.args[0].arg
            for node in walk(method):
                if isinstance(node, ast.Attribute) and node.attr == attribute and isinstance(node.ctx, ast.Load) \
                        and _is_attribute_of(node, receiver):
                    lines.append(node.lineno)
        # ``tracker = Tracker(); ...; tracker.steps`` in eager code of the module.
        for node in self._attribute_loads(attribute):
            if isinstance(node.value, ast.Name) and self._instance_of(node.value, cls):
                holder = self.function_of_name.get(id(node.value))
                if holder is None or self._runs_eagerly(holder):
                    lines.append(node.lineno)
        return sorted(lines)

    def _instance_of(self, name: ast.Name, cls: ast.ClassDef) -> bool:
        """Whether ``name`` was assigned ``cls(...)`` (a name bound to the class itself)."""
        binding = self.module.names.binding_of(name)
        value = binding.value if binding is not None else None
        if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Name) or value.func.id != cls.name:
            return False
        made = self.module.names.binding_of(value.func)
        return made is not None and made.node is cls

    def _attribute_loads(self, attribute: str) -> list[ast.Attribute]:
        if self._attribute_index is None:
            self._attribute_index = {}
            for node in walk(self.module.tree):
                if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                    self._attribute_index.setdefault(node.attr, []).append(node)
        return self._attribute_index.get(attribute, [])

    def graph_called_between(self, first: int, last: int) -> bool:
        """Whether module-level code between the two lines calls a function that runs as a graph."""
        for statement in self.module.tree.body:
            if not first < statement.lineno < last or isinstance(statement, (*DefNode, ast.ClassDef)):
                continue
            for node in walk(statement):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    binding = self.module.names.binding_of(node.func)
                    if binding is not None and isinstance(binding.node, DefNode) and self._runs_as_graph(binding.node):
                        return True
        return False

    def runs_eagerly(self, cls: ast.ClassDef, method_name: str) -> bool:
        """Whether the class's method of that name is proven eager (not reached from graph code)."""
        for method in cls.body:
            if isinstance(method, DefNode) and method.name == method_name:
                return self._runs_eagerly(method)
        return False

    def _runs_eagerly(self, function: ast.AST) -> bool:
        """Proven to run eagerly (``FunctionFacts.runs_eagerly``), not merely never seen in a graph."""
        facts = self.module.function_facts.get(getattr(function, "lineno", -1))
        return facts is not None and facts.runs_eagerly and not facts.runs_as_graph

    def _runs_as_graph(self, function: ast.AST) -> bool:
        facts = self.module.function_facts.get(getattr(function, "lineno", -1))
        return facts is None or facts.runs_as_graph or facts.hybrid

    @functools.cached_property
    def function_of_name(self) -> dict[int, ast.AST]:
        """id of a name -> the innermost function whose body holds it (a ``global x; x = ...`` rebinding)."""
        function_of_name: dict[int, ast.AST] = {}
        # One pass, carrying the innermost function whose body holds each node (a def's
        # decorators and defaults belong to the enclosing function, not to it).
        stack: list[tuple[ast.AST, Optional[ast.AST]]] = [(self.module.tree, None)]
        while stack:
            node, holder = stack.pop()
            if isinstance(node, ast.Name) and holder is not None:
                function_of_name[id(node)] = holder
            if isinstance(node, DefNode):
                body = {id(statement) for statement in node.body}
                stack.extend((child, node if id(child) in body else holder) for child in child_nodes(node))
            else:
                stack.extend((child, holder) for child in child_nodes(node))
        return function_of_name


def _is_attribute_of(node: ast.AST, receiver: str) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == receiver


def _is_python_value(module: ModuleContext, value: Optional[ast.expr]) -> bool:
    """A literal number, string or bool, a container of such, or a NumPy value: no TF object."""
    if value is None:
        return False
    if isinstance(value, ast.Constant):
        return value.value is not None
    if isinstance(value, ast.UnaryOp):
        return _is_python_value(module, value.operand)
    if isinstance(value, ast.BinOp):
        return _is_python_value(module, value.left) and _is_python_value(module, value.right)
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        return all(_is_python_value(module, e) for e in value.elts)
    if isinstance(value, ast.IfExp):
        return _is_python_value(module, value.body) and _is_python_value(module, value.orelse)
    if isinstance(value, ast.Call):
        name = module.qualified_name(value.func) or ""
        return name.startswith("numpy.") and not name.startswith("numpy.random.")
    return False


def _makes_tf_object(module: ModuleContext, value: Optional[ast.expr]) -> bool:
    """A value that comes from TensorFlow or Keras (a tensor, a variable, a layer): read on every call."""
    if value is None:
        return False
    for node in ast.walk(value):
        if isinstance(node, ast.Call) and (module.qualified_name(node.func) or "").startswith(
            ("tensorflow.", "keras.", "tf_keras.")
        ):
            return True
    return False


def _container_literal(module: ModuleContext, value: Optional[ast.expr]) -> Optional[str]:
    """'list', 'dict' or 'set' when the value is a new Python container, else None."""
    if isinstance(value, (ast.List, ast.ListComp)):
        return "list"
    if isinstance(value, (ast.Dict, ast.DictComp)):
        return "dict"
    if isinstance(value, (ast.Set, ast.SetComp)):
        return "set"
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and not value.args:
        if value.func.id in ("list", "dict", "set") and module.names.binding_of(value.func) is None:
            return value.func.id
    if isinstance(value, ast.Call) and (module.qualified_name(value.func) or "") in (
        "collections.defaultdict", "collections.OrderedDict", "collections.deque",
    ):
        return "dict" if "dict" in (module.qualified_name(value.func) or "").lower() else "list"
    return None


# -- the body of one graph function ---------------------------------------------------
_OUTPUT_CALLS = frozenset({"warnings.warn", "sys.stdout.write", "sys.stderr.write"})
_MUTATORS = frozenset({"append", "extend", "insert", "pop", "update", "setdefault", "add", "remove", "clear",
                       "discard", "popitem", "appendleft"})
_GROWERS = frozenset({"append", "extend", "insert", "appendleft", "add", "update", "setdefault"})
_RANDOM_KEEP = frozenset({"seed", "Random", "SystemRandom", "getstate", "setstate"})
_NUMPY_RANDOM_KEEP = frozenset({"seed", "default_rng", "RandomState", "Generator", "SeedSequence", "get_state",
                                "set_state", "BitGenerator", "PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"})
_CLOCKS = frozenset({"time.time", "time.time_ns", "time.perf_counter", "time.perf_counter_ns", "time.monotonic",
                     "time.monotonic_ns", "time.process_time", "time.localtime", "time.gmtime", "time.ctime",
                     "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today",
                     "datetime.date.today"})
_ENVIRONMENT = frozenset({"os.getenv", "os.environ.get"})
_KERAS_ENDPOINTS = frozenset({"fit", "predict", "evaluate", "train_on_batch", "test_on_batch", "predict_on_batch",
                              "fit_generator", "evaluate_generator", "predict_generator"})
_KERAS_STATEFUL = ("layers", "optimizers", "metrics")
_KERAS_ROOTS = ("tensorflow.keras.", "keras.", "tf_keras.")
_CONSTRUCTORS = frozenset({"__init__", "__new__", "__post_init__"})
#: Methods that set an object up once (Keras builds a layer on its first call, inside the trace).
_SETUP_METHODS = frozenset({"build", "_build", "setup", "__setstate__"})

#: HYB102's advice, by what changes: a tf.Variable holds numbers and fixed-shape tensors only.
_COUNTER_ADVICE = "count in a tf.Variable with assign_add, or outside graph code"
_VALUE_ADVICE = "return the value instead, or set it outside graph code"
_CONTAINER_ADVICE = "return the values (collect tensors in a tf.TensorArray) instead"
#: Keras layers that create no variables: constructing one in graph code works (measured on TF 2.21
#: and Keras 3 for each listed name; Dropout, GaussianNoise and the random layers do create one).
_WEIGHTLESS_LAYERS = frozenset({
    "Flatten", "ReLU", "Activation", "Reshape", "Add", "Concatenate", "Multiply", "Subtract", "Average",
    "Maximum", "Minimum", "Lambda", "Softmax", "Permute", "Rescaling", "Identity", "RepeatVector", "Input",
    "InputLayer", "Masking", "ActivityRegularization", "LeakyReLU", "ELU",
})
_WEIGHTLESS_LAYER_FAMILIES = ("MaxPooling", "AveragePooling", "GlobalMaxPooling", "GlobalAveragePooling",
                              "ZeroPadding", "UpSampling", "Cropping")
#: TF ops that return a tuple (or list) of tensors, not one tensor: unpacking the result is fine
#: (each measured on TF 2.21: the eager result is a tuple, a namedtuple or a list).
_TUPLE_RESULTS = frozenset(
    "tensorflow." + name for name in (
        "nn.moments", "nn.weighted_moments", "nn.sufficient_statistics", "math.top_k", "nn.top_k",
        "linalg.eigh", "linalg.eig", "linalg.svd", "linalg.qr", "linalg.slogdet", "linalg.lu",
        "linalg.eigh_tridiagonal", "nn.max_pool_with_argmax", "nn.fractional_max_pool", "nn.fractional_avg_pool",
        "nn.ctc_greedy_decoder", "strings.unicode_decode_with_offsets", "image.combined_non_max_suppression",
        "image.non_max_suppression_with_scores", "image.non_max_suppression_padded", "shape_n", "dynamic_partition",
        "unique", "unique_with_counts", "split", "unstack", "meshgrid",
    )
)


_ITERATING_BUILTINS = frozenset({"list", "tuple", "zip", "enumerate", "sorted", "reversed", "set", "dict", "sum",
                                 "min", "max", "map", "filter", "iter", "any", "all"})


def _weightless_layer(name: str) -> bool:
    return name in _WEIGHTLESS_LAYERS or name.startswith(_WEIGHTLESS_LAYER_FAMILIES)


@dataclass
class _Walked:
    node: ast.AST
    ancestors: tuple
    #: Inside ``with tf.init_scope():``: runs eagerly, once per trace.
    lifted: bool = False


@dataclass
class _GraphBody:
    module: ModuleContext
    info: _ModuleInfo
    node: ast.AST
    facts: FunctionFacts
    note: str = ""
    nodes: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.note = entry_note(self.module, self.facts)
        arguments = getattr(self.node, "args", None)
        # *args and **kwargs hold a tuple and a dict of what callers pass, never one tensor.
        packed = {a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None} if arguments else set()
        self.plain_tensor_parameters = [
            p.name for p in self.facts.parameters
            if p.tensor and not p.speculative and p.kinds and p.kinds <= _PLAIN_TENSOR and p.name not in packed
        ]
        self.tensors = LocalTensors(self.node, self.module.names, self.module.api, self.plain_tensor_parameters)
        self.scope = self.module.names.scope_of(self.node)
        #: The class this is a method of (None for a function, a lambda, a nested def).
        self.cls = self.info.class_of_method(self.node)
        self.self_name = self._self_name()
        #: A constructor run from graph code initializes an object made there: its own state is new.
        self.constructor = self.self_name is not None and self.node.name in _CONSTRUCTORS
        self.autograph_off = self._reached_without_autograph()
        self._once_guard: Optional[str] = None
        self._isinstance_spans: Optional[list] = None
        body = self.node.body if isinstance(self.node.body, list) else [self.node.body]  # a lambda's expression
        self.nodes = list(self._walk(body, ()))
        self.tuple_names = self._tuple_names()

    def _tuple_names(self) -> set:
        """Local names only ever assigned a tuple of tensors from a TF op (``stats = tf.nn.moments(x, [0])``)."""
        tuples, others = set(), set()
        for walked in self.nodes:
            node = walked.node
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                returns_tuple = isinstance(node.value, ast.Call) and self.qualified(node.value.func) in _TUPLE_RESULTS
                for target in targets:
                    if isinstance(target, ast.Name):
                        (tuples if returns_tuple and not isinstance(node, ast.AugAssign) else others).add(target.id)
        return tuples - others

    def iterable_tensor(self, expr: ast.expr) -> bool:
        """One tensor, whose Python iteration fails in a graph (not a tuple of tensors an op returns,
        nor a name a surrounding ``if isinstance(name, (list, tuple)):`` says is something else)."""
        if isinstance(expr, ast.Call) and self.qualified(expr.func) in _TUPLE_RESULTS:
            return False
        if isinstance(expr, ast.Name) and (expr.id in self.tuple_names or self._narrowed(expr)):
            return False
        return self.tensors.is_tensor(expr)

    def _narrowed(self, name: ast.Name) -> bool:
        """Inside the body of an ``if`` that tests ``isinstance(name, ...)``: a Python type there."""
        if self._isinstance_spans is None:
            self._isinstance_spans = []
            for walked in self.nodes:
                node = walked.node
                if isinstance(node, ast.If) and node.body:
                    tested = {
                        call.args[0].id for call in ast.walk(node.test)
                        if isinstance(call, ast.Call) and self.is_builtin(call.func, "isinstance")
                        and call.args and isinstance(call.args[0], ast.Name)
                    }
                    span = (node.body[0].lineno, node.body[-1].end_lineno or node.body[-1].lineno)
                    self._isinstance_spans.extend((identifier, span) for identifier in tested)
        return any(identifier == name.id and first <= name.lineno <= last
                   for identifier, (first, last) in self._isinstance_spans)

    def _reached_without_autograph(self) -> bool:
        """A helper that a ``tf.function(autograph=False)`` of this module reaches: nothing converts it.

        The entry itself is HYB306's: it reports that function's tensor control flow once.
        """
        if self.facts.graph_entry in (None, self.facts.key):
            return False
        entry = self.module.project.facts().get(self.facts.graph_entry)
        if entry is None or entry.path != self.facts.path:
            return False
        return any(
            isinstance(site.target, DefNode) and site.target.lineno == entry.line and site.literal("autograph") is False
            for site in self.module.tf_function_sites
        )

    def _self_name(self) -> Optional[str]:
        if self.cls is None:
            return None
        if any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in self.node.decorator_list):
            return None
        return self.node.args.args[0].arg

    # -- the walk ----------------------------------------------------------------------
    def _walk(self, body: list, ancestors: tuple, lifted: bool = False) -> Iterator[_Walked]:
        """The body's nodes in source order, with their ancestors (iterative: deep expressions are fine)."""
        stack = [(node, ancestors, lifted) for node in reversed(body)]
        while stack:
            node, above, inside = stack.pop()
            if isinstance(node, _SCOPES):
                continue  # nested functions have facts of their own
            if isinstance(node, (ast.With, ast.AsyncWith)) and any(
                self.qualified(item.context_expr) == "tensorflow.init_scope" for item in node.items
            ):
                # Lifted out of the graph: it runs eagerly, once per trace.  Only variable
                # creation still matters there (measured: TF still rejects it on a second trace).
                inside = True
            if isinstance(node, ast.If):
                eager = self._executing_eagerly(node.test)
                if eager is not None:
                    branch = node.orelse if eager else node.body
                    stack.extend((child, above + (node,), inside) for child in reversed(branch))
                    continue
            yield _Walked(node, above, inside)
            children = child_nodes(node)
            children.reverse()
            below = above + (node,)  # one tuple for all the children
            stack.extend((child, below, inside) for child in children)

    def _executing_eagerly(self, test: ast.expr) -> Optional[bool]:
        """True for ``if tf.executing_eagerly():`` (its body is eager), False for its negation."""
        negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
        call = test.operand if negated else test
        if isinstance(call, ast.Call) and self.qualified(call.func) == "tensorflow.executing_eagerly":
            return not negated
        return None

    def qualified(self, node: ast.AST) -> Optional[str]:
        return self.module.qualified_name(node)

    def is_builtin(self, node: ast.AST, *names: str) -> bool:
        return isinstance(node, ast.Name) and node.id in names and self.module.names.binding_of(node) is None

    def finding(self, code: str, node: ast.AST, fix: Optional[FixIntent] = None, **args: object) -> Finding:
        if self.module.is_test_file and not args.get("assumed"):
            # A test exercises graph behaviour on purpose (counting traces, expecting an error).
            args["assumed"] = "the test does not mean to exercise this graph behaviour"
        return self.module.finding(code, node, fix, note=self.note, **args)

    def findings(self) -> Iterator[Finding]:
        yield from self._hyb107()
        for walked in self.nodes:
            node = walked.node
            if walked.lifted:
                if isinstance(node, ast.Call):
                    yield from self._hyb104(node, walked.ancestors)
                continue
            if isinstance(node, ast.Call):
                statement = bool(walked.ancestors) and isinstance(walked.ancestors[-1], ast.Expr)
                yield from self._hyb101(node, statement)
                yield from self._hyb103(node)
                yield from self._hyb104(node, walked.ancestors)
                yield from self._hyb105(node)
                yield from self._hyb106_call(node)
                yield from self._hyb110_call(node)
            elif isinstance(node, ast.Assert):
                yield from self._hyb106_assert(node)
            elif isinstance(node, _COMPREHENSIONS):
                yield from self._comprehension(node)
            elif isinstance(node, ast.Subscript):
                yield from self._hyb103_environ(node)
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                yield from self._hyb102_assignment(node, walked.ancestors)
                yield from self._hyb110_unpacking(node)
            if isinstance(node, ast.Call):
                yield from self._hyb102_mutator(node, walked.ancestors)
            if self.autograph_off:
                yield from self._unconverted_control_flow(node)
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)) and self._tensor_loop(node):
                yield from self._hyb108(node)
        yield from self._hyb111()

    # -- HYB101 ------------------------------------------------------------------------
    def _hyb101(self, call: ast.Call, statement: bool) -> Iterator[Finding]:
        func = call.func
        name = self.qualified(func) or ""
        if self.is_builtin(func, "print"):
            what, fix = "print", self._print_fix(call) if statement else None
        elif name in _OUTPUT_CALLS:
            what, fix = ast.unparse(func), None
        elif isinstance(func, ast.Attribute) and func.attr in LOGGER_METHODS and (
            name.startswith(("logging.", "absl.logging.")) or is_logger(func.value, self.module.names, self.qualified)
        ):
            what, fix = ast.unparse(func), None
        else:
            return
        # Output that shows a tensor is wrong when traced: once per trace, and a symbolic tensor
        # instead of its value. Output of Python values only may be meant for trace time (a
        # "tracing ..." message, a deprecation warning).
        if self._outputs_a_tensor(call):
            yield self.finding("HYB101", call, fix, call=what)
        elif name != "warnings.warn":  # the default filter shows a warning once per place eagerly too
            yield self.finding("HYB101", call, fix, call=what,
                               assumed="the output is meant for every call, not for trace time (it shows no tensor)")

    def _outputs_a_tensor(self, call: ast.Call) -> bool:
        for argument in [*call.args, *(k.value for k in call.keywords)]:
            argument = argument.value if isinstance(argument, ast.Starred) else argument
            parts = [v.value for v in argument.values if isinstance(v, ast.FormattedValue)] \
                if isinstance(argument, ast.JoinedStr) else [argument]
            if any(self.tensors.is_tensor(part) for part in parts):
                return True
        return False

    def _print_fix(self, call: ast.Call) -> Optional[FixIntent]:
        if any(k.arg in ("file", "flush") or k.arg is None for k in call.keywords):
            return None  # tf.print takes neither: the result would not run
        alias, add_import = self.module.tensorflow_spelling()
        rule = get_rule("HYB101")
        return FixIntent(
            "rename-call", call.func.lineno, call.func.col_offset, "print", f"{alias}.print",
            Applicability.UNSAFE, rule.fix_title, add_import=add_import,
        )

    # -- HYB102 ------------------------------------------------------------------------
    # A change to Python state in graph code happens once per trace. It is a finding when the
    # state is read across the trace boundary: in eager code (default), or, where no eager read
    # is found, by graph code that reads it before writing it (preview: a later trace may read
    # what an earlier one left). State set and read within one trace (per-call tensors, decoder
    # memory, names of ops), one-time setup (build, `built`, first-call guards) and configuration
    # set around a trace (a context manager's __enter__/__exit__) are not.
    def _hyb102_assignment(self, node: ast.AST, ancestors: tuple) -> Iterator[Finding]:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        counter = isinstance(node, ast.AugAssign)
        for target in targets:
            for name in _names_in_target(target):
                scope = self.scope
                if scope is not None and (name.id in scope.global_names or name.id in scope.nonlocal_names):
                    kind = "global" if name.id in scope.global_names else "nonlocal"
                    yield from self._state_change(
                        name, f"{kind} {name.id}", "rebound", self.info.eager_name_reads(name, self.node),
                        advice=_COUNTER_ADVICE if counter else _VALUE_ADVICE, read_first=counter,
                    )
            if (
                self.self_name and not self.constructor and _is_attribute_of(target, self.self_name)
                and not self._keeps_tf_object(node, target) and not self._one_time_setup(target.attr, ancestors)
            ):
                read_first = counter or self._read_before_written(target.attr)
                yield from self._state_change(
                    target, ast.unparse(target), "set", self.info.eager_attribute_reads(self.cls, target.attr),
                    advice=_COUNTER_ADVICE if counter else _VALUE_ADVICE, read_first=read_first,
                )
            if isinstance(target, ast.Subscript) and self._outliving_container(target.value):
                yield from self._container_change(target, target.value)

    def _hyb102_mutator(self, call: ast.Call, ancestors: tuple) -> Iterator[Finding]:
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in _MUTATORS:
            return
        receiver = func.value
        if self._outliving_container(receiver):
            if _is_attribute_of(receiver, self.self_name or "") and self._one_time_setup(receiver.attr, ancestors):
                return
            yield from self._container_change(call, receiver)

    def _container_change(self, node: ast.AST, receiver: ast.expr) -> Iterator[Finding]:
        if isinstance(receiver, ast.Name):
            reads = self.info.eager_name_reads(receiver, self.node)
        else:
            reads = self.info.eager_attribute_reads(self.cls, receiver.attr)
        yield from self._state_change(node, _short(receiver), "changed", reads, advice=_CONTAINER_ADVICE,
                                      read_first=True)

    def _state_change(
        self, node: ast.AST, name: str, verb: str, eager_reads: list, advice: str, read_first: bool
    ) -> Iterator[Finding]:
        guard = self.once_guard()
        if guard and (eager_reads or read_first):
            # `@once def _initialize`: setting state once per object is setup, if the decorator
            # is the once-only kind; the analysis cannot tell.
            yield self.finding("HYB102", node, name=name, verb=verb, read="", advice=advice,
                               assumed=f"the decorator '{guard}' runs it on more than one call")
        elif eager_reads:
            read = f", and eager code reads it (line {eager_reads[0]})"
            yield self.finding("HYB102", node, name=name, verb=verb, read=read, advice=advice)
        elif read_first:
            yield self.finding(
                "HYB102", node, name=name, verb=verb, read="", advice=advice,
                assumed="a later call reads the value a trace left (no read in eager code was found)",
            )

    def _one_time_setup(self, attribute: str, ancestors: tuple) -> bool:
        """Setup done once per object, not per call: Keras' build and its ``built`` flag, a write
        under a first-call guard, a context manager setting configuration around the trace."""
        if attribute in ("built", "_built"):
            return True
        name = getattr(self.node, "name", "")
        if name in _SETUP_METHODS or name in ("__enter__", "__exit__") or self._is_context_manager():
            return True
        return any(isinstance(a, ast.If) and self._first_call_guard(a.test) for a in ancestors)

    def _is_context_manager(self) -> bool:
        decorators = getattr(self.node, "decorator_list", [])
        return any(self.qualified(d) in ("contextlib.contextmanager", "contextlib.asynccontextmanager")
                   for d in decorators)

    def _read_before_written(self, attribute: str) -> bool:
        """Whether this body reads ``self.<attribute>`` before it first sets it (in source order):
        then it reads what an earlier trace, or eager code, left there."""
        for walked in self.nodes:
            node = walked.node
            if isinstance(node, ast.Attribute) and node.attr == attribute and _is_attribute_of(node, self.self_name):
                return isinstance(node.ctx, ast.Load)
        return False

    def _keeps_tf_object(self, node: ast.AST, target: ast.Attribute) -> bool:
        """``self.v = tf.Variable(...)`` (HYB104's business) and attributes that hold TF objects."""
        value = getattr(node, "value", None)
        if isinstance(node, ast.AugAssign):
            value = None
        if value is not None and self._creates_tf_object(value):
            return True
        return False

    def _creates_tf_object(self, value: ast.expr) -> bool:
        if isinstance(value, ast.Call):
            name = self.qualified(value.func) or ""
            return name.startswith(("tensorflow.", "keras.", "tf_keras.")) and self.module.api.value_kind(name) in (
                "variable", "keras") or self._stateful_keras(name) is not None or name == "tensorflow.Variable"
        return False

    def _outliving_container(self, receiver: ast.expr) -> bool:
        """A list, dict or set created outside this call: a global, a closure variable, ``self.attr``."""
        if isinstance(receiver, ast.Name):
            binding = self.module.names.binding_of(receiver)
            if binding is None or binding.imported is not None or self._is_local(receiver.id):
                return False
            return _container_literal(self.module, binding.value) is not None
        if self.self_name and not self.constructor and _is_attribute_of(receiver, self.self_name):
            assigned = self.info.self_attributes(self.cls).get(receiver.attr, []) if self.cls else []
            return bool(assigned) and all(
                _container_literal(self.module, value) is not None for value, _, _ in assigned
            )
        return False

    def _is_local(self, name: str) -> bool:
        if self.scope is None:
            return False
        scope = self.scope
        return name in scope.bindings and name not in scope.global_names and name not in scope.nonlocal_names

    # -- HYB103 ------------------------------------------------------------------------
    def _hyb103(self, call: ast.Call) -> Iterator[Finding]:
        name = self.qualified(call.func) or ""
        suggestion, assumed = None, ""
        if name.startswith("random.") and name.split(".")[1] not in _RANDOM_KEEP:
            suggestion = "tf.random.Generator or a tf.random op"
        elif name.startswith("numpy.random.") and name.split(".")[2] not in _NUMPY_RANDOM_KEEP:
            suggestion = "tf.random.Generator or a tf.random op"
        elif name in _CLOCKS:
            suggestion = "tf.timestamp()"
        elif name in ("uuid.uuid1", "uuid.uuid4", "os.urandom"):
            suggestion = "a tf.random op"
            # Almost always an identifier (a unique name for an op or a function): fine frozen.
            assumed = "the value is used as data, not as a unique name"
        elif name in _ENVIRONMENT:
            suggestion = "a value read outside graph code and passed in as an argument"
        elif self.is_builtin(call.func, "open"):
            suggestion = "tf.io.read_file or tf.io.write_file"
        if suggestion:
            yield self.finding("HYB103", call, call=ast.unparse(call.func), suggestion=suggestion, assumed=assumed)

    def _hyb103_environ(self, node: ast.Subscript) -> Iterator[Finding]:
        if isinstance(node.ctx, ast.Load) and self.qualified(node.value) == "os.environ":
            yield self.finding(
                "HYB103", node, call="os.environ[...]",
                suggestion="a value read outside graph code and passed in as an argument",
            )

    # -- HYB104 ------------------------------------------------------------------------
    def _hyb104(self, call: ast.Call, ancestors: tuple) -> Iterator[Finding]:
        name = self.qualified(call.func) or ""
        if name != "tensorflow.Variable" and self._stateful_keras(name) is None:
            return
        if any(isinstance(a, ast.If) and self._first_call_guard(a.test) for a in ancestors):
            return
        if getattr(self.node, "name", "") in _SETUP_METHODS:
            return  # Keras' build: run once per object, on its first call
        guard = self.once_guard()
        assumed = f"the decorator '{guard}' does not make it run once per object" if guard else ""
        yield self.finding("HYB104", call, call=ast.unparse(call.func), assumed=assumed)

    def once_guard(self) -> str:
        """A decorator the analysis does not know, on this function or on a caller up to three calls
        away (``@once def _initialize`` calling ``_make_w``): it may run the code once per object."""
        if self._once_guard is None:
            self._once_guard = ""
            all_facts = self.module.project.facts()
            frontier, seen = [self.facts], set()
            for _ in range(4):
                callers = []
                for facts in frontier:
                    if facts.decorators:
                        self._once_guard = facts.decorators[0]
                        return self._once_guard
                    callers += [all_facts[c] for c in facts.callers if c in all_facts and c not in seen]
                    seen.update(facts.callers)
                frontier = callers
        return self._once_guard

    @staticmethod
    def _stateful_keras(name: str) -> Optional[str]:
        """The kind of Keras object (layers, optimizers, metrics) a constructor name makes, if any."""
        for root in _KERAS_ROOTS:
            if not name.startswith(root):
                continue
            parts = name[len(root):].split(".")
            if len(parts) == 2 and parts[0] in _KERAS_STATEFUL and parts[1][:1].isupper():
                if parts[0] == "layers" and _weightless_layer(parts[1]):
                    return None
                return parts[0]
            if len(parts) == 1 and parts[0] in ("Sequential", "Model"):
                return "models"
        return None

    @staticmethod
    def _first_call_guard(test: ast.expr) -> bool:
        """``if self.v is None:``, ``if not hasattr(...)``, ``if not self.built:``: runs on the first call only."""
        for node in ast.walk(test):
            if isinstance(node, ast.Compare) and any(
                isinstance(c, ast.Constant) and c.value is None for c in node.comparators
            ):
                return True
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "hasattr":
                return True
            if isinstance(node, ast.Attribute) and node.attr in ("built", "_built"):
                return True
        return False

    # -- HYB105 ------------------------------------------------------------------------
    def _hyb105(self, call: ast.Call) -> Iterator[Finding]:
        func = call.func
        name = self.qualified(func) or ""
        if isinstance(func, ast.Attribute) and func.attr == "numpy" and not call.args and not call.keywords:
            if not name and not self._module_global(func.value):
                assumed = "" if self.tensors.is_tensor(func.value) else f"'{_short(func.value)}' is a tensor"
                yield self.finding("HYB105", call, call=_short(call), assumed=assumed)
        elif name.startswith("numpy.") and not name.startswith("numpy.random."):
            arguments = [*call.args, *(k.value for k in call.keywords)]
            if any(self.tensors.is_tensor(a.value if isinstance(a, ast.Starred) else a) for a in arguments):
                yield self.finding("HYB105", call, call=_short(call))
        elif isinstance(func, ast.Attribute) and func.attr in _KERAS_ENDPOINTS:
            if f".{func.attr}() (line {call.lineno})" in self.facts.eager_only_calls:
                yield self.finding("HYB105", call, call=_short(func) + "()")

    def _module_global(self, receiver: ast.expr) -> bool:
        """A module-level name: an eager value captured by the graph (frozen, HYB111's business)."""
        if not isinstance(receiver, ast.Name):
            return False
        binding = self.module.names.binding_of(receiver)
        return binding is not None and binding in self.module.names.module_scope.bindings.get(receiver.id, [])

    # -- HYB106 ------------------------------------------------------------------------
    def _hyb106_assert(self, node: ast.Assert) -> Iterator[Finding]:
        if not self.tensors.is_tensor(node.test):
            return
        alias, add_import = self.module.tensorflow_spelling()
        fix = FixIntent(
            "assert-to-tf-assert", node.lineno, node.col_offset, "assert", f"{alias}.debugging.Assert",
            Applicability.UNSAFE, get_rule("HYB106").fix_title, add_import=add_import,
        )
        yield self.finding("HYB106", node.test, fix, expression=f"assert {_short(node.test)}")

    def _hyb106_call(self, call: ast.Call) -> Iterator[Finding]:
        if self.is_builtin(call.func, "bool") and len(call.args) == 1 and self.tensors.is_tensor(call.args[0]):
            yield self.finding("HYB106", call, expression=_short(call))

    def _comprehension(self, node: ast.AST) -> Iterator[Finding]:
        for generator in node.generators:
            if self.iterable_tensor(generator.iter):
                yield self.finding("HYB110", generator.iter, expression=f"for ... in {_short(generator.iter)}")
            for condition in generator.ifs:
                if self.tensors.is_tensor(condition):
                    yield self.finding("HYB106", condition, expression=_short(condition))

    def _unconverted_control_flow(self, node: ast.AST) -> Iterator[Finding]:
        """Without AutoGraph, Python's own ``if``/``while``/``and``/``or``/``not``/``for`` meet the tensor."""
        if isinstance(node, (ast.If, ast.While, ast.IfExp)) and self.tensors.is_tensor(node.test):
            keyword = {ast.If: "if", ast.While: "while", ast.IfExp: "if-else"}[type(node)]
            yield self.finding("HYB106", node.test, expression=f"{keyword} {_short(node.test)}")
        elif isinstance(node, ast.BoolOp) and any(self.tensors.is_tensor(value) for value in node.values):
            yield self.finding("HYB106", node, expression=_short(node))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and self.tensors.is_tensor(node.operand):
            yield self.finding("HYB106", node, expression=_short(node))
        elif isinstance(node, (ast.For, ast.AsyncFor)) and self.iterable_tensor(node.iter):
            yield self.finding("HYB110", node.iter, expression=f"for ... in {_short(node.iter)}")

    # -- HYB107 ------------------------------------------------------------------------
    def _hyb107(self) -> Iterator[Finding]:
        # Recursion that a Python argument bounds (a depth, a count) unrolls at trace time and ends:
        # only recursion on tensors alone is reported.
        if not self.facts.recursive:
            return
        if self.plain_tensor_parameters and self.facts.has_primitive_parameter is False:
            yield self.finding("HYB107", self.node, function=self.facts.qualname)
        elif not self.facts.callers and self.facts.parameters and all(
            p.tensor is None and p.primitive is None for p in self.facts.parameters
        ):
            # No caller in the project (a library's): what it receives is unknown.
            yield self.finding("HYB107", self.node, function=self.facts.qualname,
                               assumed="its callers, outside the project, pass tensors, which no Python value bounds")

    # -- HYB108 ------------------------------------------------------------------------
    def _tensor_loop(self, node: ast.AST) -> bool:
        """A loop AutoGraph turns into a tf.while_loop: over a tensor, tf.range, or while a tensor holds."""
        if isinstance(node, ast.While):
            return self.tensors.is_tensor(node.test)
        iterable = node.iter
        if isinstance(iterable, ast.Call):
            name = self.qualified(iterable.func) or ""
            if name == "tensorflow.range":
                return True
            if self.is_builtin(iterable.func, "range"):
                return any(self.tensors.is_tensor(a) for a in iterable.args)
        return self.iterable_tensor(iterable)

    def _hyb108(self, loop: ast.AST) -> Iterator[Finding]:
        """A list grown in a tensor loop raises InaccessibleTensorError when its tensors are used
        after the loop (measured); one read nowhere after the loop, or made in the loop, is fine."""
        for walked in self._walk(loop.body, ()):
            node = walked.node
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _GROWERS:
                receiver = node.func.value
                if isinstance(receiver, ast.Name) and self._grown_across(receiver, loop):
                    yield self.finding("HYB108", node, name=receiver.id)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if (
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Name)
                        and not isinstance(target.slice, ast.Constant)
                        and self._grown_across(target.value, loop)
                    ):
                        yield self.finding("HYB108", target, name=target.value.id)

    def _grown_across(self, name: ast.Name, loop: ast.AST) -> bool:
        """A list or dict made before the loop, whose elements code after the loop reads."""
        if not self._python_collection(name):
            return False
        binding = self.module.names.binding_of(name)
        if binding is not None and loop.lineno <= binding.position[0] <= (loop.end_lineno or loop.lineno):
            return False  # made anew in each iteration
        end = loop.end_lineno or loop.lineno
        for walked in self.nodes:
            node = walked.node
            if isinstance(node, ast.Name) and node.id == name.id and isinstance(node.ctx, ast.Load) \
                    and node.lineno > end:
                parent = walked.ancestors[-1] if walked.ancestors else None
                if not (isinstance(parent, ast.Call) and self.is_builtin(parent.func, "len")):
                    return True
        return False

    def _python_collection(self, name: ast.Name) -> bool:
        binding = self.module.names.binding_of(name)
        if binding is None or binding.imported is not None:
            return False
        return _container_literal(self.module, binding.value) in ("list", "dict")

    # -- HYB110 ------------------------------------------------------------------------
    def _hyb110_unpacking(self, node: ast.AST) -> Iterator[Finding]:
        if not isinstance(node, ast.Assign):
            return
        for target in node.targets:
            if isinstance(target, (ast.Tuple, ast.List)) and self.iterable_tensor(node.value):
                names = ", ".join(ast.unparse(e) for e in target.elts)
                yield self.finding("HYB110", target, expression=f"{names[:24]} = {_short(node.value, 24)}")

    def _hyb110_call(self, call: ast.Call) -> Iterator[Finding]:
        func = call.func
        if isinstance(func, ast.Name) and func.id in _ITERATING_BUILTINS and self.is_builtin(func, func.id):
            if call.func.id in ("min", "max", "sum", "any", "all") and len(call.args) != 1:
                return
            positions = call.args[1:] if call.func.id in ("map", "filter") else call.args
            if any(self.iterable_tensor(a) for a in positions if not isinstance(a, ast.Starred)):
                yield self.finding("HYB110", call, expression=_short(call))
                return
        for argument in call.args:
            if isinstance(argument, ast.Starred) and self.iterable_tensor(argument.value):
                yield self.finding("HYB110", argument, expression=_short(argument))

    # -- HYB111 ------------------------------------------------------------------------
    def _hyb111(self) -> Iterator[Finding]:
        seen: set[str] = set()
        for walked in self.nodes:
            node = walked.node
            if walked.lifted:
                continue
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in seen:
                line = self._rebound_global(node)
                if line:
                    seen.add(node.id)
                    yield self._hyb111_finding(node, node.id, *line)
            elif (
                self.self_name and isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)
                and _is_attribute_of(node, self.self_name) and f"self.{node.attr}" not in seen
            ):
                line = self._rebound_attribute(node.attr)
                if line:
                    seen.add(f"self.{node.attr}")
                    yield self._hyb111_finding(node, ast.unparse(node), *line)

    def _hyb111_finding(self, node: ast.AST, name: str, line: int, where: str, numeric: bool) -> Finding:
        """``where``: "eager" when eager code rebinds it (proven: between calls); else where, as an
        assumption. ``numeric``: every value is a number or bool, which a tf.Variable can hold."""
        assumed = "" if where == "eager" else f"the rebinding at line {line} ({where}) runs after a trace"
        advice = ("store it in a tf.Variable, or pass it as a tensor argument" if numeric else
                  "pass it as an argument (each new value traces again), or keep it out of graph code")
        return self.finding("HYB111", node, name=name, line=line, advice=advice, assumed=assumed)

    def _rebound_global(self, name: ast.Name) -> Optional[tuple[int, str, bool]]:
        """The line of a later rebinding of a global or closure variable that holds a Python value."""
        binding = self.module.names.binding_of(name)
        if binding is None or binding.imported is not None or not isinstance(binding.node, ast.Name):
            return None
        if self._is_local(name.id) or (self.scope is not None and name.id in self.scope.global_names):
            return None
        scope = self._scope_holding(binding)
        if scope is None:
            return None
        bindings = scope.bindings.get(name.id, [])
        if len(bindings) < 2 or not all(isinstance(b.node, ast.Name) for b in bindings):
            return None
        values = [b.value for b in bindings]  # None where it is not a plain assignment
        augmented = [b for b, value in zip(bindings, values) if value is None]
        # The value the graph first sees is a Python value, and no rebinding makes it a TF object.
        if not _is_python_value(self.module, values[0]):
            return None
        if any(_makes_tf_object(self.module, value) for value in values):
            return None
        if augmented and not all(self._augmented_python(b) for b in augmented):
            return None
        # A rebinding in the same scope's own code before this function exists happens before
        # any trace; one in another function (``global``/``nonlocal``), or after, may come later.
        holder = scope.node if scope.kind == "function" else None
        later = [
            b for b in bindings[1:]
            if self.info.function_of_name.get(id(b.node)) is not holder or b.position[0] > self.node.lineno
        ]
        numeric = _numeric(values)
        for binding in later:  # a function that runs eagerly rebinding it between calls proves it
            rebinder = self.info.function_of_name.get(id(binding.node))
            if rebinder is not None and rebinder is not holder and self.info._runs_eagerly(rebinder):
                return binding.position[0], "eager", numeric
        if not later:
            return None
        line = later[0].position[0]
        if holder is None and self.info.graph_called_between(self.node.lineno, line):
            return line, "eager", numeric  # module code calls graph code, then rebinds the value
        return line, "later in the module's code, which may run before any trace", numeric

    def _augmented_python(self, binding) -> bool:
        """A binding by ``x += <number>`` (not by a plain assignment): still a Python value."""
        for node in ast.walk(self.module.tree):
            if isinstance(node, ast.AugAssign) and node.target is binding.node:
                return _is_python_value(self.module, node.value)
        return False

    def _scope_holding(self, binding) -> Optional[object]:
        names = self.module.names
        if binding in names.module_scope.bindings.get(binding.name, []):
            return names.module_scope
        # A closure variable: the enclosing function scope that holds the binding.
        scope = self.scope.parent if self.scope is not None else None
        while scope is not None:
            if binding in scope.bindings.get(binding.name, []):
                return scope if scope.kind == "function" else None
            scope = scope.parent
        return None

    def _rebound_attribute(self, attribute: str) -> Optional[tuple[int, str, bool]]:
        """(line, where) of a rebinding of ``self.<attribute>`` to a Python value, outside the setup
        an object gets before it runs graphs (its constructor, Keras' ``build``, the ``built`` flag)."""
        if attribute in ("built", "_built"):
            return None
        assigned = self.info.self_attributes(self.cls).get(attribute, []) if self.cls else []
        values = [value.value if isinstance(value, ast.AugAssign) else value for value, _, _ in assigned]
        if not values or not _is_python_value(self.module, values[0]):
            return None
        if any(_makes_tf_object(self.module, value) for value in values):
            return None
        if any(method == self.node.name for _, method, _ in assigned):
            return None  # rebinding it here is HYB102's finding
        later = [(line, method) for _, method, line in assigned if method not in _CONSTRUCTORS | _SETUP_METHODS]
        if not later:
            return None
        numeric = _numeric(values)
        for line, method in later:  # eager code rebinding it between calls proves it
            if self.info.runs_eagerly(self.cls, method):
                return line, "eager", numeric
        line, method = later[0]
        return line, f"in '{method}', which may run as graph code", numeric


def _numeric(values: list) -> bool:
    """The first value is a number or bool, and no other is a literal of another kind."""
    return _is_number(values[0]) and not any(
        isinstance(value, (ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.JoinedStr)) and not _is_number(value)
        for value in values[1:]
    )


def _is_number(value: Optional[ast.expr]) -> bool:
    """A number or bool literal (or arithmetic on them): what a tf.Variable can hold."""
    if isinstance(value, ast.Constant):
        return isinstance(value.value, (int, float, bool))
    if isinstance(value, ast.UnaryOp):
        return _is_number(value.operand)
    if isinstance(value, ast.BinOp):
        return _is_number(value.left) and _is_number(value.right)
    if isinstance(value, ast.IfExp):
        return _is_number(value.body) and _is_number(value.orelse)
    return False


def _names_in_target(target: ast.AST) -> Iterator[ast.Name]:
    if isinstance(target, ast.Name):
        yield target
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _names_in_target(element.value if isinstance(element, ast.Starred) else element)


# -- HYB109: anywhere, graph code or not -------------------------------------------------
_TENSOR_ARRAY_METHODS = frozenset({"write", "scatter", "unstack", "split"})


def _hyb109(module: ModuleContext, function: ast.AST, facts: FunctionFacts, global_arrays: set) -> Iterator[Finding]:
    scope = module.names.scope_of(function)
    local_names = set(scope.bindings) - scope.global_names - scope.nonlocal_names if scope is not None else set()
    arrays = _tensor_array_names(module, function) | (global_arrays - local_names)
    if not arrays:
        return
    note = entry_note(module, facts)
    for node in body_nodes(function):
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
            continue
        func = node.value.func
        if not (isinstance(func, ast.Attribute) and func.attr in ("write", "scatter", "unstack")):
            continue
        receiver = func.value
        if not (isinstance(receiver, ast.Name) and receiver.id in arrays):
            continue
        fix = None
        if receiver.id in local_names:
            fix = FixIntent(
                "assign-back", node.value.lineno, node.value.col_offset, receiver.id, receiver.id,
                Applicability.SAFE, get_rule("HYB109").fix_title,
            )
        yield module.finding("HYB109", node.value, fix, name=receiver.id, method=func.attr, note=note)


def _tensor_array_names(module: ModuleContext, function: ast.AST) -> set[str]:
    """Names this function binds to a tf.TensorArray (made here, or returned by another one's write)."""
    arrays: set[str] = set()
    assignments = [
        n for n in body_nodes(function)
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name)
    ]
    changed = True
    while changed:
        changed = False
        for node in assignments:
            value, name = node.value, node.targets[0].id
            if name in arrays or not isinstance(value, ast.Call):
                continue
            made = module.qualified_name(value.func) == "tensorflow.TensorArray"
            derived = (
                isinstance(value.func, ast.Attribute) and value.func.attr in _TENSOR_ARRAY_METHODS
                and isinstance(value.func.value, ast.Name) and value.func.value.id in arrays
            )
            if made or derived:
                arrays.add(name)
                changed = True
    return arrays
