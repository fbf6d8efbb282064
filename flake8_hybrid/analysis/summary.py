"""One module's summary: what the project analysis needs to know about it.

A summary holds, for every function (and for the module's own top-level code,
the entry point ``<module>``): its parameters, the calls it makes with the
abstract values of their arguments, what it returns, its local Python side
effects, eager-only calls and tensor work, and what it turns into graphs
(``tf.function(f)``, ``ds.map(f)``).  Everything is data with symbolic
references (``values.py``), so a summary depends on its module's text alone and
can be cached by content; the project analysis resolves the references.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Optional, Union

from flake8_hybrid.analysis import values as v
from flake8_hybrid.analysis.api_model import ApiModel
from flake8_hybrid.analysis.names import (
    ModuleNames,
    annotates_tensor,
    module_constants,
    statement_children,
    statements,
    walk_without_operators,
)
from flake8_hybrid.analysis.range_bounds import add_range_facts, range_length
from flake8_hybrid.analysis.summary_values import (
    BOOL_VALUE,
    MAX_ATOMS,
    MAX_TUPLE,
    NONE_VALUE,
    NUMBER_VALUE,
    OBJECT_VALUE,
    STR_VALUE,
    arithmetic,
    bounded_atoms,
    call_result_of,
    class_fields,
    container_value,
    element_value,
    is_tensorish,
    keras_layer_output,
    subscript_value,
    unpacked_value,
)
from flake8_hybrid.analysis.values import Value

MODULE_CODE = "<module>"
TAPE = "gradient_tape"
#: Work estimates, in cheap eager ops (settings.MIN_OPS_PER_CALL is in the same
#: unit). Measured on TF 2.21, CPU, 8x8 inputs: one eager op ~18 us; a Keras Dense
#: call ~22 ops; a two-layer Sequential call ~53; tape.gradient about doubles the
#: forward pass; an SGD update of 4 variables ~70, an Adam update ~380. A Keras
#: call counts 20 (one layer's worth: a model has at least one); an optimizer
#: update 40 (a few variables, the cheapest optimizer). A loop whose trip count
#: is not a constant counts as UNKNOWN_TRIP_COUNT iterations; all capped at MAX_WEIGHT.
KERAS_CALL_OPS = 20
OPTIMIZER_OPS = 40
#: Indexing or slicing a tensor: an eager strided slice costs 6-9 elementwise ops
#: (TF 2.21 on CPU: ~95 us against 10-17 us for an add), Python-side argument handling included.
SUBSCRIPT_OPS = 6
UNKNOWN_TRIP_COUNT = 10
MAX_WEIGHT = 100_000
_SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
Ref = tuple


@dataclass
class Parameter:
    name: str
    kind: str  # "positional" | "keyword" | "varargs" | "varkw"
    has_default: bool = False
    default_bool: bool = False  # the default is True/False
    tensor_hint: bool = False  # annotated tf.Tensor / tf.Variable
    #: What the default is, when it is a literal: "number", "str", "bool", "none"; "" otherwise.
    default_kind: str = ""
    #: The default as an integer expression (``range_bounds.py``), when it is one.
    int_default: Optional[list] = None


@dataclass
class CallSite:
    callee: Value  # atoms: ("function", ref) / ("instance", ref) / ("partial", ref, n) / other
    line: int
    args: list  # Value per positional argument
    kwargs: dict  # keyword -> Value
    unpacked: bool = False  # *args / **kwargs: the mapping is incomplete
    in_loop: bool = False
    #: Method name when the call is ``receiver.method(...)`` on a value.
    method: Optional[str] = None
    receiver: Value = frozenset()
    #: How many times it runs per call of the function (constant loop trip counts).
    weight: int = 1
    #: The call's column (0-based, as ast reports it); -1 when not recorded.
    col: int = -1
    #: Not a call but ``functools.partial(callee, ...)``: its arguments are bound to the callee's
    #: parameters now, the rest when the partial is called (no edge, no defaults).
    partial: bool = False
    #: Retracing facts of its arguments, by position ("0", "1", ...) or keyword:
    #: ``["count", n]`` a loop variable taking n values (0: unknown); ``["shape", why]``
    #: tensors whose shapes vary per iteration; ``["new", what]`` an object made
    #: for this call (``lambda``, ``call``, ``attribute``: a bound method, if it is one).
    varying: dict = field(default_factory=dict)
    #: Its arguments that are integer expressions (``range_bounds.py``), by position or keyword.
    int_arguments: dict = field(default_factory=dict)
    #: In a loop: [qualname of the function holding it, bound expressions] of the loop over
    #: ``range`` whose variable the calls on its line pass; None when there is none.
    range_loop: Optional[list] = None


@dataclass
class FunctionSummary:
    qualname: str
    line: int
    parameters: list
    #: The column of its ``def`` or ``lambda`` (a lambda's facts find their node by line and column).
    col: int = 0
    class_qualname: Optional[str] = None  # the class it is a method of
    bound: bool = False  # a method whose first parameter is the instance
    hybrid: bool = False  # decorated with tf.function
    is_property: bool = False  # decorated with @property: reading the attribute calls it
    input_signature: bool = False
    jit_compile: bool = False
    calls: list = field(default_factory=list)
    returns: Value = frozenset()
    side_effects: list = field(default_factory=list)  # [reason, line]
    eager_only: list = field(default_factory=list)  # [what, line]
    #: Keras-looking calls on values known later: [what, line, receiver Value, method].
    maybe_eager_only: list = field(default_factory=list)
    tensor_ops: int = 0
    #: Operators on values known only later (parameters): tensor ops if those are tensors.
    maybe_tensor_ops: int = 0
    #: Functions this one makes graphs of: [ref-atom, line, how].
    graph_targets: list = field(default_factory=list)
    #: self.<attr> = <value> in a method: attr -> Value.
    self_attributes: dict = field(default_factory=dict)
    #: Keras models this function trains: [receiver Value, method, line].
    keras_runs: list = field(default_factory=list)
    #: Keras models compiled with run_eagerly=True: [receiver Value, line].
    keras_eager: list = field(default_factory=list)
    #: It constructs a Keras model, layer or optimizer inside a loop (a new one per iteration).
    keras_created_in_loop: bool = False
    #: Parameters it applies gradients with (optimizers passed in).
    optimizer_parameters: list = field(default_factory=list)
    #: Why the dataset it returns yields batches of many shapes (retracing facts); "" if it does not.
    returns_shaped_dataset: str = ""
    #: It runs a tf.distribute strategy's replicas (``strategy.run(fn, ...)``).
    runs_replicas: bool = False
    #: What it runs on a strategy's replicas (``strategy.run(fn)``): fn, symbolically.
    replica_functions: list = field(default_factory=list)
    #: Keras layers, models, optimizers or metrics it constructs, or models it compiles: [what, line].
    #: A graph would create their variables on a later trace too, which TensorFlow rejects.
    keras_built: list = field(default_factory=list)
    #: ``if <test>: raise ...``: [test Value, line]. With a tensor test, AutoGraph makes the raise
    #: part of the graph, and tracing it raises on valid input too.
    raises_if: list = field(default_factory=list)
    #: Attributes of self it reads (a method): a graph freezes the value a trace saw.
    self_reads: list = field(default_factory=list)
    #: Decorators the analysis does not know (``once.once``, a project's own): one may change how
    #: often the function runs, so what it does once per object may look like per call.
    decorators: list = field(default_factory=list)
    #: Changes to objects its parameters receive: [parameter, reason, line]. A side effect of this
    #: function, but not of a caller that passes an object it made itself (``_mutations``).
    param_mutations: list = field(default_factory=list)


@dataclass
class ClassSummary:
    qualname: str
    line: int
    bases: list  # refs
    methods: list  # names
    #: Attributes its body gives a literal value (``rate: float = 0.1``): what instances hold
    #: until something sets them, in the order declared (a dataclass's fields).
    fields: dict = field(default_factory=dict)
    #: Generated __init__ takes the fields (``@dataclass``, a NamedTuple subclass).
    dataclass: bool = False


@dataclass
class ModuleSummary:
    module: str
    path: str
    functions: list
    classes: list
    #: Module-level names: name -> ref (``("def", q)``, ``("qual", dotted)``, ``("var", name)``).
    exports: dict
    imports_tensorflow: bool = False
    #: Values of module-level variables (``model = tf.keras.Sequential(...)``).
    globals: dict = field(default_factory=dict)


# -- building ---------------------------------------------------------------
def summarize(
    tree: ast.Module, module: str, path: str, api: ApiModel, names: Optional[ModuleNames] = None
) -> ModuleSummary:
    names = names or ModuleNames(tree, api.canonical, api.star_exports)
    builder = _Builder(tree, module, names, api, is_package=path.endswith("__init__.py"))
    summary = builder.build(path)
    add_range_facts(summary, tree, builder.syntax_nodes, builder.constants)
    return summary


class _Builder:
    def __init__(self, tree: ast.Module, module: str, names: ModuleNames, api: ApiModel, is_package: bool) -> None:
        self.tree = tree
        self.module = module
        self.is_package = is_package
        self.names = names
        self.api = api
        self.functions: list[FunctionSummary] = []
        self.classes: list[ClassSummary] = []
        self.qualnames: dict[int, str] = {}
        #: id of a function summary, call site or range loop -> its node (``add_range_facts``).
        self.syntax_nodes: dict[int, ast.AST] = {}
        self.constants = module_constants(tree)  # the names the module assigns once at its top level
        #: Lambdas named so far in each scope (by qualname prefix): ``<lambda#n>`` is the n-th.
        self.lambda_count: Counter = Counter()
        # Per-node facts that depend on the syntax alone, by id of a node of this
        # module's tree (alive as long as the builder): each function body is
        # evaluated twice, and these would otherwise walk the same subtrees each time.
        self._dataset_clues: dict[int, tuple] = {}
        self._loop_counters: dict[int, list] = {}
        self._qualified: dict[int, Optional[str]] = {}
        #: id of a block -> its _definitions, found while naming them and summarized after.
        self._definitions: dict[int, list] = {}
        #: Whether the module names a batching method at all: most do not, and need no search for one.
        self.batches = not _BATCHING_METHODS.isdisjoint(names.attributes)

    def build(self, path: str) -> ModuleSummary:
        # Name every definition first, so a function can refer to one defined after it.
        self._name(self.tree.body, prefix="")
        self._collect(self.tree.body, prefix="", class_qualname=None)
        module_builder = _FunctionBuilder(self, self.tree, MODULE_CODE, None)
        module_code = module_builder.build()
        exports = self._exports()
        variables = {name for name, ref in exports.items() if ref[0] == "var"}
        module_globals = {name: frozenset(module_builder.env[name]) for name in variables if name in module_builder.env}
        imports_tf = any(
            name.split(".")[0] in ("tensorflow", "keras", "tf_keras") for name in self.names.imported_modules()
        )
        return ModuleSummary(
            self.module, path, [module_code, *self.functions], self.classes, exports, imports_tf, module_globals
        )

    def _name(self, body: list, prefix: str) -> None:
        definitions = self._definitions[id(body)] = _definitions(body)
        for node in definitions:
            qualname = prefix + node.name
            self.qualnames[id(node)] = qualname
            self._name(node.body, qualname + ("." if isinstance(node, ast.ClassDef) else ".<locals>."))

    def _collect(self, body: list, prefix: str, class_qualname: Optional[str]) -> None:
        """Summarize every function and class defined in ``body`` (recursively)."""
        for node in self._definitions[id(body)]:
            qualname = prefix + node.name
            self.qualnames[id(node)] = qualname
            if isinstance(node, ast.ClassDef):
                bases = [self.ref_of(base) for base in node.bases]
                methods = [n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
                self.classes.append(ClassSummary(
                    qualname, node.lineno, [b for b in bases if b], methods, class_fields(node),
                    self._generates_init(node),
                ))
                self._collect(node.body, qualname + ".", qualname)
            else:
                self.functions.append(_FunctionBuilder(self, node, qualname, class_qualname).build())
                self._collect(node.body, qualname + ".<locals>.", None)

    def _exports(self) -> dict:
        exports: dict[str, Ref] = {}
        for name, bindings in self.names.module_scope.bindings.items():
            binding = bindings[-1]
            if binding.imported is not None:
                exports[name] = ("qual", self.absolute(binding.imported))
            elif isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                exports[name] = ("def", self.qualnames.get(id(binding.node), name))
            elif isinstance(binding.node, ast.Name):
                exports[name] = ("var", name)
        return exports

    def _generates_init(self, node: ast.ClassDef) -> bool:
        """A dataclass or NamedTuple: Python makes an __init__ taking the fields."""
        decorators = [d.func if isinstance(d, ast.Call) else d for d in node.decorator_list]
        if any((self.qualified(d) or "") in _DATACLASS_DECORATORS for d in decorators):
            return True
        return any((self.qualified(base) or "") in ("typing.NamedTuple",) for base in node.bases)

    def qualified(self, expr: ast.AST) -> Optional[str]:
        """``ModuleNames.qualified_name``: asked several times per call, on both passes."""
        key = id(expr)
        qualified = self._qualified.get(key, _NOT_ASKED)
        if qualified is _NOT_ASKED:
            qualified = self._qualified[key] = self.names.qualified_name(expr)
        return qualified

    def dataset_clues(self, expr: ast.AST) -> tuple[list, str]:
        """What can make an expression a dataset of batches of many shapes: the names in it
        that come before its first batching call of many shapes (``ast.walk`` order), and
        that call's reason ("" if none)."""
        clues = self._dataset_clues.get(id(expr))
        if clues is None:
            names = []
            reason = ""
            for node in walk_without_operators(expr):
                if isinstance(node, ast.Name):
                    names.append(node.id)
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    reason = _batching_reason(node)
                    if reason:
                        break
            clues = self._dataset_clues[id(expr)] = (names, reason)
        return clues

    def loop_counters(self, loop: Union[ast.For, ast.AsyncFor, ast.While]) -> list:
        """The names a loop adds to or subtracts from (``step += 1``), anywhere in it (in no
        particular order: each is noted the same way)."""
        counters = self._loop_counters.get(id(loop))
        if counters is None:
            counters = self._loop_counters[id(loop)] = [
                inner.target.id for inner in statements(loop)
                if isinstance(inner, ast.AugAssign) and isinstance(inner.op, (ast.Add, ast.Sub))
                and isinstance(inner.target, ast.Name)
            ]
        return counters

    def absolute(self, name: str) -> str:
        """Resolve a relative import (``..utils.f``) against this module's package."""
        if not name.startswith("."):
            return name
        level = len(name) - len(name.lstrip("."))
        # A module's package drops its own name; an __init__ module is its package.
        package = self.module.split(".") if self.is_package else self.module.split(".")[:-1]
        base = package[: len(package) - (level - 1)]
        rest = name[level:]
        return ".".join([*base, rest] if rest else base)

    def ref_of(self, expr: ast.AST) -> Optional[Ref]:
        """A symbolic reference to the function or class an expression names."""
        if isinstance(expr, ast.Name):
            binding = self.names.binding_of(expr)
            if binding is not None:
                if binding.imported is not None:
                    return ("qual", self.absolute(binding.imported))
                qualname = self.qualnames.get(id(binding.node))
                if qualname is not None:
                    return ("def", qualname)
                return None
        qualified = self.names.qualified_name(expr)
        if qualified is not None:
            return ("qual", self.absolute(qualified))
        return None


#: What _Builder.qualified finds for an expression it was not asked about before.
_NOT_ASKED = object()


def _definitions(body: list) -> list[Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef]]:
    """Definitions directly in a block, including inside if/try/with/for at that level."""
    found = []
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append(node)
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.While)):
            for block in (getattr(node, "body", None), getattr(node, "orelse", None), getattr(node, "finalbody", None)):
                if block:  # (most else and finally blocks are empty)
                    found.extend(_definitions(block))
            for handler in getattr(node, "handlers", []):
                found.extend(_definitions(handler.body))
    return found


class _FunctionBuilder:
    """Abstract evaluation of one function body (flow-insensitive over its assignments)."""

    def __init__(
        self, owner: _Builder, node: Union[ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda],
        qualname: str, class_qualname: Optional[str],
    ) -> None:
        self.owner = owner
        self.api = owner.api
        self.qualified = owner.qualified
        self.node = node
        #: name -> its value here (frozen: blocks share the values, and reading one copies nothing).
        self.env: dict[str, Value] = {}
        self.loop_depth = 0
        self.final_pass = False
        #: How many times the current statement runs per call (constant loop trip counts).
        self.weight = 1
        # Retracing facts (see _note_loop and the others). Unlike the values, the second pass
        # starts from what the first left in them. name -> (count, first line, last line) of
        # the loop it varies in:
        self._varying_counts: dict[str, tuple] = {}
        #: name -> (reason, first, last) of tensors with varying shapes.
        self._varying_shapes: dict[str, tuple] = {}
        #: name -> why the dataset it holds yields batches of many shapes.
        self._datasets: dict[str, Union[str, list]] = {}
        #: The (first, last) lines of the loops seen.
        self._loops: list[tuple[int, int]] = []
        #: name -> (what, first, last): bound in a loop to an object made there.
        self._fresh: dict[str, tuple] = {}
        #: Reasons for a shape that changes on every iteration (a loop variable decides it, or the
        #: tensor grows), as against one that changes between some batches (a dataset's).
        self._every_iteration: set[str] = set()
        is_def = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        decorators = node.decorator_list if is_def else []
        static = any(isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod") for d in decorators)
        is_property = any(isinstance(d, ast.Name) and d.id in ("property", "cached_property") for d in decorators)
        self.summary = FunctionSummary(
            qualname=qualname,
            line=getattr(node, "lineno", 1),
            col=getattr(node, "col_offset", 0),
            parameters=_parameters(node, owner) if not isinstance(node, ast.Module) else [],
            class_qualname=class_qualname,
            bound=class_qualname is not None and not static,
            is_property=is_property,
        )
        owner.syntax_nodes[id(self.summary)] = node
        self.self_name = self.summary.parameters[0].name if self.summary.bound and self.summary.parameters else None
        self.scope = owner.names.scope_of(node) if not isinstance(node, ast.Module) else None
        self.local_names = self._local_names()
        if is_def:
            self._decorators(decorators)

    # -- setup ---------------------------------------------------------------
    def _local_names(self) -> set[str]:
        scope = self.scope
        return set(scope.bindings) - scope.global_names - scope.nonlocal_names if scope else set()

    def _decorators(self, decorators: list) -> None:
        for decorator in decorators:
            call = decorator if isinstance(decorator, ast.Call) else None
            target = call.func if call else decorator
            if self.qualified(target) == self.api.tf_function_name:
                self.summary.hybrid = True
                keywords = {k.arg: k.value for k in call.keywords} if call else {}
                signature = keywords.get("input_signature")
                self.summary.input_signature = signature is not None and not _is_none(signature)
                self.summary.jit_compile = _is_true(keywords.get("jit_compile")) or _is_true(
                    keywords.get("experimental_compile")
                )
            elif not (isinstance(target, ast.Name) and target.id in _PLAIN_DECORATORS) and \
                    self.qualified(target) not in _KNOWN_DECORATORS:
                self.summary.decorators.append(ast.unparse(target))

    def build(self) -> FunctionSummary:
        for parameter in self.summary.parameters:
            self.env[parameter.name] = frozenset({("param", parameter.name)})
        body = self.node.body if isinstance(self.node.body, list) else [ast.Return(value=self.node.body)]
        # Two passes: the second sees names assigned later in loops. What the first
        # records (calls, side effects ...) is dropped; it only settles the values.
        # Without a loop nothing is assigned later than it is read: one pass (most functions).
        for self.final_pass in (False, True) if _has_loop(body) else (True,):
            self.summary.calls.clear()
            self.summary.side_effects.clear()
            self.summary.eager_only.clear()
            self.summary.maybe_eager_only.clear()
            self.summary.graph_targets.clear()
            self.summary.keras_runs.clear()
            self.summary.keras_eager.clear()
            self.summary.keras_created_in_loop = False
            self.summary.optimizer_parameters.clear()
            self.summary.runs_replicas = False
            self.summary.replica_functions.clear()
            self.summary.keras_built.clear()
            self.summary.raises_if.clear()
            self.summary.self_reads.clear()
            self.summary.param_mutations.clear()
            self.summary.tensor_ops = 0
            self.summary.maybe_tensor_ops = 0
            self.returns: set = set()
            self.statements(body)
        self.summary.returns = frozenset(self.returns)
        return self.summary

    # -- statements ------------------------------------------------------------
    def statements(self, body: list) -> None:
        for statement in body:
            self.statement(statement)

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.decorators(node)
            if not isinstance(node, ast.ClassDef):
                self.env[node.name] = frozenset({("function", ("def", self.owner.qualnames.get(id(node), node.name)))})
            return
        # The commonest statements first.
        if isinstance(node, ast.Assign):
            self._note_assignment(node)
            value = self.expr(node.value)
            for target in node.targets:
                self.assign(target, value, node)
        elif isinstance(node, ast.Expr):
            self.expr(node.value)
        elif isinstance(node, ast.Return):
            self._note_return(node)
            if node.value is not None:
                self.returns |= self.expr(node.value)
        elif isinstance(node, ast.If):
            test = self.expr(node.test)
            if any(isinstance(statement, ast.Raise) for statement in node.body) and self.final_pass:
                self.summary.raises_if.append([test, node.lineno])
            self.branches([node.body, node.orelse])
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.assign(node.target, self.expr(node.value), node)
        elif isinstance(node, ast.AugAssign):
            value = self.expr(node.value)
            current = self.expr(node.target)
            combined = arithmetic(current, value)
            if isinstance(node.target, ast.Name) and combined & {v.NUMBER} and self.loop_depth:
                combined = (combined - {v.NUMBER}) | {v.COUNTER}  # a counter: `step += 1` in a loop
            self.assign(node.target, frozenset(combined), node)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self._note_loop(node)
            iterable = self.expr(node.iter)
            self.assign(node.target, self.iterate(iterable, node.iter), node)
            self.loop(node.body, _trip_count(node.iter))
            self.statements(node.orelse)
        elif isinstance(node, ast.While):
            self._note_loop(node)
            self.expr(node.test)
            self.loop(node.body, UNKNOWN_TRIP_COUNT)
            self.statements(node.orelse)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                value = self.expr(item.context_expr)
                if item.optional_vars is not None:
                    entered = value & {TAPE} or frozenset({v.OBJECT} if value else {v.UNKNOWN})
                    self.assign(item.optional_vars, frozenset(entered), node)
            self.statements(node.body)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            for handler in node.handlers:
                if handler.name:
                    self.env[handler.name] = OBJECT_VALUE
            self.branches([node.body + node.orelse, *(handler.body for handler in node.handlers)])
            self.statements(node.finalbody)
        elif isinstance(node, _MATCH):
            self.expr(node.subject)
            self.branches([case.body for case in node.cases] + [[]])
        elif isinstance(node, (ast.Raise, ast.Assert, ast.Delete)):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expr(child)

    def branches(self, blocks: list) -> None:
        """Alternative blocks: each starts from the same values, and afterwards a name holds
        what any of them left in it (flow-sensitive: an assignment replaces a value)."""
        # The values in env are frozen (a statement replaces a name's value), so the blocks
        # can share them; and each is bounded already (assign() bounds what it stores, the
        # other entries are single shallow atoms), so a union needs only the size cap.
        before = self.env
        merged: dict[str, Value] = {}
        united = set()
        for block in blocks:
            self.env = dict(before)
            self.statements(block)
            for name, value in self.env.items():
                known = merged.get(name)
                # Most names keep the value they had before, in every block: nothing to unite.
                if known is None or known is value:
                    merged[name] = value
                else:
                    merged[name] = known | value
                    united.add(name)
        for name in united:
            if len(merged[name]) > MAX_ATOMS:
                merged[name] = bounded_atoms(merged[name])
        self.env = merged

    def loop(self, body: list, trip_count: int) -> None:
        self.loop_depth += 1
        outer, self.weight = self.weight, min(self.weight * trip_count, MAX_WEIGHT)
        try:
            # The body runs zero or more times: what it leaves merges with what was there.
            self.branches([body, []])
        finally:
            self.loop_depth -= 1
            self.weight = outer

    def work(self, ops: int) -> None:
        """Count tensor ops this call site performs, times the loops around it."""
        self.summary.tensor_ops = min(self.summary.tensor_ops + ops * self.weight, MAX_WEIGHT)

    def maybe_work(self, ops: int) -> None:
        """Ops on values known only later (parameters): counted if those receive tensors."""
        self.summary.maybe_tensor_ops = min(self.summary.maybe_tensor_ops + ops * self.weight, MAX_WEIGHT)

    def iterate(self, iterable: Value, expr: ast.expr) -> Value:
        """The value of a loop variable over ``iterable``."""
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in ("range", "enumerate"):
            if expr.func.id == "range":
                return frozenset({v.COUNTER})
        atoms: set = set()
        for atom in iterable:
            element = element_value(atom)
            # A loop variable over numbers takes a new value on each iteration.
            atoms.add(v.COUNTER if element == v.NUMBER else element)
        return frozenset(atoms or {v.UNKNOWN})

    def assign(self, target: ast.AST, value: Value, statement: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = bounded_atoms(value)  # replaces: branches() merges alternatives
            scope = self.scope
            if scope is not None and (target.id in scope.global_names or target.id in scope.nonlocal_names):
                kind = "global" if target.id in scope.global_names else "nonlocal"
                self.summary.side_effects.append([f"rebinds {kind} '{target.id}'", getattr(statement, "lineno", 0)])
        elif isinstance(target, (ast.Tuple, ast.List)):
            for index, element in enumerate(target.elts):
                if isinstance(element, ast.Starred):
                    self.assign(
                        element.value, frozenset({v.CONTAINER_TENSOR} if is_tensorish(value) else {v.UNKNOWN}),
                        statement,
                    )
                else:
                    self.assign(element, unpacked_value(value, index, len(target.elts)), statement)
        elif isinstance(target, ast.Attribute):
            receiver = target.value
            self.expr(receiver)
            if isinstance(receiver, ast.Name) and receiver.id == self.self_name:
                self.summary.self_attributes.setdefault(target.attr, set()).update(value)
                if self.summary.qualname.rsplit(".", 1)[-1] != "__init__" and not is_tensorish(value):
                    self.mutation(receiver, "sets attribute", target, statement)
            else:
                self.mutation(receiver, "sets attribute", target, statement)
        elif isinstance(target, ast.Subscript):
            self.expr(target.value)
            self.expr(target.slice)
            self.mutation(target.value, "assigns to", target, statement)

    def mutation(self, receiver: ast.expr, verb: str, what: ast.expr, node: ast.AST) -> None:
        """A change to an object (``<verb> '<what>'``): a side effect unless the object was
        created in this function. (The text is made only then: ast.unparse is slow.)"""
        root = receiver
        while isinstance(root, (ast.Attribute, ast.Subscript)):
            root = root.value
        if not isinstance(root, ast.Name) or isinstance(self.node, ast.Module):
            return
        if root.id in self.local_names and root.id != self.self_name and not self._is_parameter(root.id):
            return  # created here (or rebound to something created here)
        line = getattr(node, "lineno", self.summary.line)
        parameter = next((p for p in self.summary.parameters if p.name == root.id), None)
        if parameter is not None and root.id != self.self_name:
            if parameter.kind in ("varargs", "varkw"):
                return  # *args and **kwargs are made anew for each call
            if self.final_pass:
                self.summary.param_mutations.append([root.id, f"{verb} '{ast.unparse(what)}'", line])
            return
        self.summary.side_effects.append([f"{verb} '{ast.unparse(what)}'", line])

    def _is_parameter(self, name: str) -> bool:
        return any(p.name == name for p in self.summary.parameters)

    # -- expressions -----------------------------------------------------------
    def expr(self, node: Optional[ast.AST]) -> Value:
        if node is None:
            return frozenset()
        try:
            return self._expr(node)
        except RecursionError:
            return v.UNKNOWN_VALUE

    def _expr(self, node: ast.AST) -> Value:
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool):
                return BOOL_VALUE
            if isinstance(value, (int, float, complex)):
                return NUMBER_VALUE
            if isinstance(value, (str, bytes)):
                return STR_VALUE
            if value is None:
                return NONE_VALUE
            return OBJECT_VALUE
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            ref = self.owner.ref_of(node)
            if ref is not None:
                return frozenset({("function", ref)})
            binding = self.owner.names.binding_of(node)
            if binding is not None and isinstance(binding.node, ast.Name) and binding in _module_bindings(
                self.owner, node.id
            ):
                return frozenset({("global", node.id)})  # a module variable: resolved by the project analysis
            return v.UNKNOWN_VALUE
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Attribute):
            receiver = self.expr(node.value)
            if isinstance(node.value, ast.Name) and node.value.id == self.self_name:
                if self.final_pass and isinstance(node.ctx, ast.Load) and node.attr not in self.summary.self_reads:
                    self.summary.self_reads.append(node.attr)
                return frozenset({("self_attr", node.attr)})
            qualified = self.qualified(node)
            if qualified is not None:
                return frozenset({("function", ("qual", self.owner.absolute(qualified)))})
            if is_tensorish(receiver):
                return (
                    frozenset({v.OBJECT}) if node.attr in ("shape", "dtype", "ndim", "name", "device")
                    else frozenset({v.TENSOR})
                )
            if v.KERAS in receiver and node.attr in self.api.keras_variable_attributes:
                return frozenset({v.CONTAINER_TENSOR})  # model.trainable_variables: a list of variables
            # An attribute of a value known later (an object made here, a parameter):
            # a bound method or a data attribute, resolved by the project analysis.
            symbolic = {("attr_of", atom, node.attr) for atom in receiver if isinstance(atom, tuple)}
            return frozenset(symbolic) or v.UNKNOWN_VALUE
        if isinstance(node, ast.BinOp):
            result = frozenset(arithmetic(self.expr(node.left), self.expr(node.right)))
            if is_tensorish(result):
                self.work(1)  # an operator on tensors is a TF op
            elif any(isinstance(atom, tuple) for atom in result):
                self.maybe_work(1)
            return result
        if isinstance(node, ast.UnaryOp):
            operand = self.expr(node.operand)
            if is_tensorish(operand) and not isinstance(node.op, ast.Not):
                self.work(1)
            return frozenset({v.BOOL}) if isinstance(node.op, ast.Not) else operand
        if isinstance(node, ast.BoolOp):
            return v.union(self.expr(value) for value in node.values)
        if isinstance(node, ast.Compare):
            operands = [self.expr(node.left), *(self.expr(c) for c in node.comparators)]
            if any(is_tensorish(o) for o in operands):
                self.work(1)
                return frozenset({v.TENSOR})
            return frozenset({v.BOOL})
        if isinstance(node, ast.Tuple) and 1 < len(node.elts) <= MAX_TUPLE and not any(
            isinstance(e, ast.Starred) for e in node.elts
        ):
            # Kept position by position, so that unpacking it gives each name its own value.
            return frozenset({("tuple", tuple(bounded_atoms(self.expr(e)) for e in node.elts))})
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return container_value([self.expr(e.value if isinstance(e, ast.Starred) else e) for e in node.elts])
        if isinstance(node, ast.Dict):
            for key in node.keys:
                self.expr(key)
            return container_value([self.expr(value) for value in node.values])
        if isinstance(node, ast.Subscript):
            container = self.expr(node.value)
            self.expr(node.slice)
            if is_tensorish(container):
                self.work(SUBSCRIPT_OPS)
            elif any(isinstance(atom, tuple) and atom[0] == "param" for atom in container):
                # A parameter known later: a tensor slice if it receives tensors.
                self.maybe_work(SUBSCRIPT_OPS)
            return subscript_value(container)
        if isinstance(node, ast.IfExp):
            self.expr(node.test)
            return self.expr(node.body) | self.expr(node.orelse)
        if isinstance(node, ast.NamedExpr):
            value = self.expr(node.value)
            self.assign(node.target, value, node)
            return value
        if isinstance(node, ast.Lambda):
            return frozenset({("function", ("def", self.owner_lambda(node)))})
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self.comprehension(node)
        if isinstance(node, (ast.JoinedStr, ast.FormattedValue)):
            for child in ast.iter_child_nodes(node):
                self.expr(child)
            return frozenset({v.STR})
        if isinstance(node, (ast.Await, ast.Yield, ast.YieldFrom, ast.Starred)):
            return self.expr(node.value)
        return v.UNKNOWN_VALUE

    def comprehension(self, node: Union[ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp]) -> Value:
        """A comprehension is a loop: what it calls runs once per element."""
        outer_depth, outer_weight = self.loop_depth, self.weight
        try:
            for generator in node.generators:
                iterable = self.expr(generator.iter)
                self.loop_depth += 1
                self.weight = min(self.weight * _trip_count(generator.iter), MAX_WEIGHT)
                self.assign(generator.target, self.iterate(iterable, generator.iter), node)
                for condition in generator.ifs:
                    self.expr(condition)
            if isinstance(node, ast.DictComp):
                self.expr(node.key)
                return container_value([self.expr(node.value)])
            return container_value([self.expr(node.elt)])
        finally:
            self.loop_depth, self.weight = outer_depth, outer_weight

    def owner_lambda(self, node: ast.Lambda) -> str:
        """Lambdas are summarized as functions of their own, named by their order in the scope
        (``f.<locals>.<lambda#2>``), not by line: a line moved elsewhere renames no function."""
        qualname = self.owner.qualnames.get(id(node))
        if qualname is None:
            prefix = "" if self.summary.qualname == MODULE_CODE else self.summary.qualname + ".<locals>."
            self.owner.lambda_count[prefix] += 1
            qualname = f"{prefix}<lambda#{self.owner.lambda_count[prefix]}>"
            self.owner.qualnames[id(node)] = qualname
            self.owner.functions.append(_FunctionBuilder(self.owner, node, qualname, None).build())
        return qualname

    # -- calls ---------------------------------------------------------------------
    def call(self, node: ast.Call) -> Value:
        args = [self.expr(a.value if isinstance(a, ast.Starred) else a) for a in node.args]
        kwargs = {k.arg: self.expr(k.value) for k in node.keywords if k.arg is not None}
        # (No two keywords share a name: one is missing from kwargs only for a **mapping.)
        unpacked = len(kwargs) < len(node.keywords) or any(isinstance(a, ast.Starred) for a in node.args)
        for keyword in node.keywords:
            if keyword.arg is None:
                self.expr(keyword.value)
        func = node.func
        qualified = self.qualified(func)
        if qualified is not None and not self._is_project_name(func):
            return self.api_call(node, qualified, args, kwargs)
        if isinstance(func, ast.Name) and func.id in _BUILTINS_OF_INTEREST and func.id not in self.env:
            return self.builtin_call(node, func.id, args)
        deferred: set = set()
        if isinstance(func, ast.Attribute) and func.attr in _REPLICA_RUNNERS and args:
            self.replica_call(node, args[0])
        if isinstance(func, ast.Attribute) and _is_super(func.value) and "super" not in self.env:
            # super().method(...): the method a base class of the enclosing class defines.
            callee = frozenset({("function", ("super", func.attr))})
        elif isinstance(func, ast.Attribute) and qualified is not None:
            # module.function(...) through a project import: a plain function reference.
            callee = frozenset({("function", ("qual", self.owner.absolute(qualified)))})
        elif isinstance(func, ast.Attribute):
            receiver = self.expr(func.value)
            result = self.method_call(node, func, receiver, args, kwargs, unpacked)
            if result is not None:
                return result
            callee = self._callee_of_attribute(func, receiver)
            # A method of a value known only later (a parameter, a return value):
            # the project analysis resolves both the callee and the result.
            symbolic = {atom for atom in receiver if isinstance(atom, tuple)}
            if symbolic and not (isinstance(func.value, ast.Name) and func.value.id == self.self_name):
                callee = frozenset((callee - {v.UNKNOWN}) | {("method_of", atom, func.attr) for atom in symbolic})
                deferred = {("method_result", atom, func.attr) for atom in symbolic}
        else:
            callee = self.expr(func)
        if v.KERAS in callee:
            self.work(KERAS_CALL_OPS)
        if self.final_pass:  # the first pass's call sites are dropped: no need to make them
            method = func.attr if isinstance(func, ast.Attribute) else None
            call = CallSite(
                callee, node.lineno, args, kwargs, unpacked, self.loop_depth > 0, method, weight=self.weight
            )
            self.summary.calls.append(call)
            self._retracing_arguments(node, call)
        if v.KERAS in callee:
            # A layer called on KerasTensors builds a functional model: its output is one too.
            return frozenset((call_result_of(callee - {v.KERAS}) - {v.UNKNOWN}) | keras_layer_output(args))
        if not deferred:  # (then the callee has no "method_of" atoms: only the branch above makes them)
            return frozenset(call_result_of(callee))
        methods = {atom for atom in callee if isinstance(atom, tuple) and atom[0] == "method_of"}
        result = call_result_of(callee - methods)
        return frozenset((result - {v.UNKNOWN}) | deferred)

    def _is_project_name(self, func: ast.AST) -> bool:
        """A name bound in this module (not an import of an outside API)."""
        root = func
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name):
            return False
        qualified = self.qualified(root)
        top = (qualified or "").split(".")[0]
        return top not in _OUTSIDE_ROOTS and not qualified.startswith("keras") if qualified else False

    def _callee_of_attribute(self, func: ast.Attribute, receiver: Value) -> Value:
        if isinstance(func.value, ast.Name) and func.value.id == self.self_name:
            return frozenset({("function", ("self", func.attr))})
        qualified = self.qualified(func)
        if qualified is not None:
            return frozenset({("function", ("qual", self.owner.absolute(qualified)))})
        callees = set()
        for atom in receiver:
            if isinstance(atom, tuple) and atom[0] == "instance":
                callees.add(("function", ("method", atom[1], func.attr)))
            elif isinstance(atom, tuple) and atom[0] == "self_attr":
                callees.add(("self_attr_method", atom[1], func.attr))
        return frozenset(callees or {v.UNKNOWN})

    def replica_call(self, node: ast.Call, function: Value) -> None:
        """``strategy.run(fn, args=(...))`` calls ``fn(*args)`` (on each replica)."""
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else node.func
        if "strategy" in ast.unparse(receiver).lower() or (self.qualified(receiver) or "").startswith(
            "tensorflow.distribute"
        ):
            self.summary.runs_replicas = True
            self.summary.replica_functions.extend(
                atom for atom in sorted(function, key=repr) if isinstance(atom, tuple))
        functions = frozenset(a for a in function if isinstance(a, tuple))
        if not functions:
            return
        arguments = next((k.value for k in node.keywords if k.arg == "args"), None)
        if arguments is not None and not isinstance(arguments, (ast.Tuple, ast.List)):
            return
        values = [self.expr(element) for element in (arguments.elts if arguments is not None else [])]
        self.summary.calls.append(
            CallSite(functions, node.lineno, values, {}, False, self.loop_depth > 0, None, weight=self.weight)
        )

    def api_call(self, node: ast.Call, name: str, args: list, kwargs: dict) -> Value:
        """A call of an API outside the project (TensorFlow, NumPy, the standard library)."""
        effect = self.api.side_effect(name)
        if effect is not None:
            self.summary.side_effects.append([f"calls {name} ({effect})", node.lineno])
        if name == self.api.tf_function_name:
            target = args[0] if args else kwargs.get("func", frozenset())
            # What it wraps may be known only later: a parameter (a wrapper of the project's own:
            # `def function(fn, **options): return tf.function(fn, **options)`), `self.step`, ...
            callables = {atom for atom in target if isinstance(atom, tuple)}
            for atom in sorted(callables, key=repr):  # a set: sorted, so summaries are the same every run
                self.summary.graph_targets.append([atom, node.lineno, "tf.function"])
            # Calling the result calls the function (as a graph). Without a function (or with
            # `*args`, which may be empty) the result is a decorator.
            starred = bool(node.args) and isinstance(node.args[0], ast.Starred)
            decorator = {v.TF_FUNCTION_DECORATOR} if not target or starred else set()
            return frozenset(callables | decorator) or frozenset({v.OBJECT})
        if name in ("functools.partial",) and args:
            if ("function", ("qual", self.api.tf_function_name)) in args[0] or any(
                self.qualified(a) == self.api.tf_function_name for a in node.args[:1]
            ):
                return frozenset({v.TF_FUNCTION_DECORATOR})  # partial(tf.function, jit_compile=True)
            functions = frozenset(atom for atom in args[0] if isinstance(atom, tuple) and atom[0] == "function")
            if functions and self.final_pass:
                # Its arguments go to the function's parameters now (keywords included).
                self.summary.calls.append(CallSite(
                    functions, node.lineno, args[1:], kwargs, _unpacks(node), False, None, weight=1, partial=True
                ))
            return frozenset(("partial", atom[1], len(args) - 1) for atom in functions) or v.UNKNOWN_VALUE
        if name == "tensorflow.GradientTape":
            return frozenset({TAPE})
        if name == "tensorflow.TensorArray":
            return frozenset({v.TENSOR_ARRAY})
        kind = self.api.value_kind(name)
        if kind == "keras" or name.startswith(_KERAS_STATEFUL_MODULES) and name.rsplit(".", 1)[-1][:1].isupper():
            if self.loop_depth:
                self.summary.keras_created_in_loop = True
            if self.final_pass:
                self.summary.keras_built.append([name.rsplit(".", 1)[-1], node.lineno])
        if kind in ("tensor", "variable", "container_tensor"):
            self.work(1)
        if kind is not None:
            return frozenset({kind})
        if name.startswith(("tensorflow.", "keras.", "tf_keras.")):
            return frozenset({v.TF_OBJECT})
        return v.UNKNOWN_VALUE

    def builtin_call(self, node: ast.Call, name: str, args: list) -> Value:
        if name in ("print", "input", "open", "exec", "eval"):
            self.summary.side_effects.append([f"calls {name}", node.lineno])
            return frozenset({v.OBJECT}) if name == "open" else frozenset({v.NONE})
        if name == "iter":
            return args[0] if args else v.UNKNOWN_VALUE
        if name == "next":
            return self.iterate(args[0], node.args[0]) if args else v.UNKNOWN_VALUE
        if name == "enumerate":
            return frozenset({("enumerated", atom) for atom in (args[0] if args else ())} or {v.UNKNOWN})
        if name in ("zip", "list", "tuple", "sorted", "reversed"):
            return (
                frozenset({v.CONTAINER_TENSOR}) if any(is_tensorish(a) or v.DATASET in a for a in args)
                else frozenset({v.CONTAINER})
            )
        if name in ("len", "int", "float", "abs", "round", "sum", "min", "max"):
            return frozenset({v.NUMBER})
        if name in ("str", "repr", "format"):
            return frozenset({v.STR})
        if name in ("bool", "isinstance", "hasattr", "callable"):
            return frozenset({v.BOOL})
        if name in ("dict", "set", "frozenset"):
            return frozenset({v.CONTAINER})
        if name in ("range",):
            return frozenset({v.CONTAINER})
        if name in ("getattr", "setattr", "object", "type", "super", "vars", "id"):
            return frozenset({v.OBJECT})
        return v.UNKNOWN_VALUE

    def method_call(
        self, node: ast.Call, func: ast.Attribute, receiver: Value, args: list, kwargs: dict, unpacked: bool
    ) -> Optional[Value]:
        """Calls on values whose kind the API model describes; None for other calls."""
        method = func.attr
        if v.DATASET in receiver:
            position = self.api.dataset_callbacks.get(method)
            if position is not None:
                callback = args[position] if len(args) > position else frozenset()
                for atom in sorted(callback, key=repr):
                    if isinstance(atom, tuple):  # a function, or one known later (from a registry ...)
                        self.summary.graph_targets.append([atom, node.lineno, f"Dataset.{method}"])
            if method in self.api.dataset_methods:
                return frozenset({v.DATASET})
            if method in ("as_numpy_iterator",):
                return frozenset({v.NDARRAY})
            if method in self.api.dataset_tensor_methods:
                return frozenset({v.TENSOR})
        if v.TENSOR_ARRAY in receiver and receiver <= v.NOT_TENSOR:
            return frozenset({v.TENSOR_ARRAY} if method in _TENSOR_ARRAY_UPDATES else {v.TENSOR})
        if receiver and receiver <= {v.TF_OBJECT}:
            return v.UNKNOWN_VALUE  # a method of an object TF made (metric.update_state): TF's own code
        if v.GENERATOR in receiver and method in self.api.generator_tensor_methods:
            self.work(1)
            return frozenset({v.TENSOR})
        if method == "numpy" and not args and not (receiver and receiver <= v.NOT_TENSOR):
            # Only tensors have .numpy(): a call on a value of unknown kind counts.
            self.summary.eager_only.append([".numpy()", node.lineno])
            return frozenset({v.NDARRAY})
        if is_tensorish(receiver):
            if method in self.api.eager_only_tensor_methods:
                self.summary.eager_only.append([f".{method}()", node.lineno])
                return frozenset({v.NDARRAY})
            if method in ("assign", "assign_add", "assign_sub"):
                self.work(1)
                return frozenset({v.TENSOR})
            if method in ("write", "stack", "read", "gather", "concat"):
                return frozenset({v.TENSOR})
        on_self = isinstance(func.value, ast.Name) and func.value.id == self.self_name
        if method in self.api.keras_eager_only_methods and not on_self:
            if method in ("fit", "evaluate", "predict"):
                self.summary.keras_runs.append([receiver, method, node.lineno])
            if v.KERAS in receiver:
                self.summary.eager_only.append([f".{method}()", node.lineno])
                return frozenset({v.OBJECT})
            if _has_instance(receiver):
                # Keras' method, or a project class's own method of that name:
                # the project analysis decides, and the call is recorded as usual.
                self.summary.maybe_eager_only.append([f".{method}()", node.lineno, receiver])
        if method == "compile" and v.KERAS in receiver and self.final_pass:
            self.summary.keras_built.append(["compile", node.lineno])
        if method == "compile" and any(k == "run_eagerly" and v.BOOL in value for k, value in kwargs.items()):
            keyword = next(k for k in node.keywords if k.arg == "run_eagerly")
            if _is_true(keyword.value):
                self.summary.keras_eager.append([receiver, node.lineno])
        if method in LOGGER_METHODS and is_logger(func.value, self.owner.names, self.qualified):
            self.summary.side_effects.append([f"calls {ast.unparse(func)} (logging)", node.lineno])
        if method in _MUTATING_METHODS and not is_tensorish(receiver) and v.DATASET not in receiver:
            self.mutation(func.value, "calls", func, node)
        if method == "gradient" and TAPE in receiver:
            # The backward pass costs about what the forward pass recorded so far,
            # in this body and in the functions it called (their call sites count twice).
            self.summary.tensor_ops = min(self.summary.tensor_ops * 2 + 1, MAX_WEIGHT)
            self.summary.maybe_tensor_ops = min(self.summary.maybe_tensor_ops * 2, MAX_WEIGHT)
            for call in self.summary.calls:
                call.weight = min(call.weight * 2, MAX_WEIGHT)
            return frozenset({v.CONTAINER_TENSOR})
        if method in ("apply_gradients", "minimize"):
            self.work(OPTIMIZER_OPS)
            if isinstance(func.value, ast.Name) and self._is_parameter(func.value.id):
                self.summary.optimizer_parameters.append(func.value.id)
            return frozenset({v.OBJECT})
        if v.KERAS in receiver and method in ("__call__", "call"):
            self.work(KERAS_CALL_OPS)
            return frozenset(keras_layer_output(args))
        if v.NUMPY_GENERATOR in receiver and method in self.api.numpy_generator_array_methods:
            return frozenset({v.NDARRAY})
        return None

    # -- retracing facts (HYB201, HYB203, HYB205) ----------------------------------
    # Kept apart from the values: which loop variable takes how many values, and
    # which tensors take a new shape on every iteration, for the retracing rules.
    # Each is noted before the statement is evaluated.
    def decorators(self, node: Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef]) -> None:
        """Evaluate a definition's decorators, and those of a class's methods (they run where the
        class is defined). A decorator of the project's own is a call: ``@wrap def f`` passes ``f``
        to ``wrap``, so a wrapper that applies tf.function makes ``f`` a graph entry."""
        qualname = self.owner.qualnames.get(id(node))
        for decorator in node.decorator_list:
            value = self.expr(decorator)
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if isinstance(node, ast.ClassDef) or qualname is None:
                continue
            if self.qualified(target) is not None and not self._is_project_name(target):
                continue  # tf.function itself, property, functools...: not the project's
            if self.final_pass and (v.TF_FUNCTION_DECORATOR in value or any(isinstance(a, tuple) for a in value)):
                argument = frozenset({("function", ("def", qualname))})
                self.summary.calls.append(
                    CallSite(value, decorator.lineno, [argument], {}, False, False, None, weight=1)
                )
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    self.decorators(statement)

    def _note_loop(self, node: Union[ast.For, ast.AsyncFor, ast.While]) -> None:
        counts, shapes = self._varying_counts, self._varying_shapes
        span = (node.lineno, node.end_lineno or node.lineno)
        self._loops.append(span)
        if isinstance(node, (ast.For, ast.AsyncFor)):
            targets = [t.id for t in walk_without_operators(node.target) if isinstance(t, ast.Name)]
            for name in targets:
                counts.pop(name, None)
                shapes.pop(name, None)
            iterable = node.iter
            if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) and iterable.func.id == "range" \
                    and isinstance(node.target, ast.Name):
                counts[node.target.id] = (self._range_length(iterable), *span)
                self.owner.syntax_nodes[id(node)] = node  # (range_bounds looks for range loops only then)
            elif isinstance(iterable, (ast.List, ast.Tuple, ast.Set)) and isinstance(node.target, ast.Name) \
                    and not any(isinstance(e, ast.Starred) for e in iterable.elts):
                counts[node.target.id] = (len({ast.dump(e) for e in iterable.elts}) or 1, *span)  # a sweep
            elif isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) \
                    and iterable.func.id == "enumerate" and isinstance(node.target, ast.Tuple) \
                    and node.target.elts and isinstance(node.target.elts[0], ast.Name):
                counts[node.target.elts[0].id] = (0, *span)
            reason = self._dataset_shape_reason(iterable) or self._dataset_from_call(iterable)
            if reason:
                for name in targets:
                    shapes[name] = (reason, *span)
        # `x = tf.concat([x, y], 0)` in the loop: x has a new shape on every iteration, from the
        # loop's start (a call before the assignment sees the previous iteration's x).
        for inner in statements(node):
            if isinstance(inner, ast.Assign) and len(inner.targets) == 1 and isinstance(inner.targets[0], ast.Name):
                name = inner.targets[0].id
                if self._grows(inner.value, name):
                    shapes[name] = (f"'{name}', which grows on every iteration", *span)
                    self._every_iteration.add(shapes[name][0])
        # `step += 1` in the loop: a counter (nested functions are rare here).
        for name in self.owner.loop_counters(node):
            known = counts.get(name)
            if known is None or not known[1] <= span[0] <= known[2]:  # not already varying in an outer loop
                counts[name] = (0, *span)

    def _note_assignment(self, node: ast.Assign) -> None:
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            return
        name = node.targets[0].id
        self._fresh.pop(name, None)
        spans = [span for span in self._loops if span[0] < node.lineno <= span[1]]
        syntax = self._fresh_object(node.value) if spans else ""  # (made in a loop, or not noted)
        if syntax and spans:
            self._fresh[name] = (syntax, *max(spans))  # the innermost loop around it
        dataset_reason = self._dataset_shape_reason(node.value) or self._dataset_from_call(node.value)
        reason = self._varying_shape(node.value, node.lineno) if self.loop_depth else ""  # (noted in loops)
        if not reason and self.loop_depth and self._grows(node.value, name):
            reason = f"'{name}', which grows on every iteration"
            self._every_iteration.add(reason)
        self._datasets.pop(name, None)
        self._varying_shapes.pop(name, None)
        if dataset_reason:
            self._datasets[name] = dataset_reason
        if reason and self.loop_depth:
            self._varying_shapes[name] = (reason, 0, 10**9)

    def _note_return(self, node: ast.Return) -> None:
        if node.value is not None:
            reason = self._dataset_shape_reason(node.value)
            if isinstance(reason, str) and reason:
                self.summary.returns_shaped_dataset = reason

    def _range_length(self, call: ast.Call) -> int:
        """How many values ``range(...)`` yields, when its bounds are constants (or module constants); 0 if unknown."""
        bounds = []
        for argument in call.args:
            value = argument
            if isinstance(value, ast.Name) and value.id not in self.local_names:
                constant = self.owner.constants.get(value.id)  # a literal only: EPOCHS = 100
                value = constant if isinstance(constant, (ast.Constant, ast.UnaryOp)) else value
            if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub) \
                    and isinstance(value.operand, ast.Constant):
                value = ast.Constant(-value.operand.value) if isinstance(value.operand.value, int) else value
            if not (isinstance(value, ast.Constant) and type(value.value) is int):
                return 0
            bounds.append(value.value)
        return range_length(bounds) or 0

    def _is_varying_name(self, name: str, line: int) -> Optional[int]:
        """The number of values a name takes per iteration of the loop around ``line`` (0: unknown), or None."""
        counts = self._varying_counts
        if name in counts and counts[name][1] <= line <= counts[name][2]:
            return counts[name][0]
        if self.loop_depth and v.COUNTER in self.env.get(name, ()):
            return 0
        return None

    def _dataset_shape_reason(self, expr: ast.AST) -> str:
        """Why a dataset expression yields batches of many shapes, or ""."""
        datasets = self._datasets
        if not datasets and not self.owner.batches:
            return ""  # neither a dataset assigned earlier nor a batching call to find
        names, reason = self.owner.dataset_clues(expr)
        if datasets:
            for name in names:  # a dataset assigned earlier
                if name in datasets:
                    return datasets[name]
        return reason

    def _dataset_from_call(self, expr: ast.AST) -> list:
        """``["returned", ref]`` when a dataset expression starts from a call of a project function:
        the project analysis looks up whether that function returns batches of many shapes."""
        root = expr
        while isinstance(root, ast.Call) and isinstance(root.func, ast.Attribute) \
                and isinstance(root.func.value, ast.Call):
            root = root.func.value  # make_batches().prefetch(1)
        if not isinstance(root, ast.Call) or not isinstance(root.func, (ast.Name, ast.Attribute)):
            return []
        qualified = self.qualified(root.func) or ""
        if qualified.split(".")[0] in _OUTSIDE_ROOTS:
            return []
        ref = self.owner.ref_of(root.func)
        return ["returned", ref] if ref is not None else []

    def _every(self, reason: str) -> str:
        self._every_iteration.add(reason)
        return reason

    def _grows(self, expr: ast.AST, name: str) -> bool:
        """``x = tf.concat([x, y], 0)`` (or stack, pad, tile of ``x``): a new, larger shape each time."""
        if not isinstance(expr, ast.Call) or not expr.args:
            return False
        if (self.qualified(expr.func) or "") not in _GROWING_OPS:
            return False
        return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(expr.args[0]))

    def _varying_shape(self, expr: ast.AST, line: int) -> str:
        """Why the tensor an expression makes has a new shape on each iteration of a loop, or ""."""
        shapes = self._varying_shapes
        if isinstance(expr, ast.Name) and expr.id in shapes and shapes[expr.id][1] <= line <= shapes[expr.id][2]:
            return shapes[expr.id][0]

        def varying(node: ast.AST) -> bool:
            return any(isinstance(n, ast.Name) and self._is_varying_name(n.id, line) is not None
                       for n in ast.walk(node))

        if isinstance(expr, ast.Subscript):
            container = frozenset(self.env.get(expr.value.id, ())) if isinstance(expr.value, ast.Name) else frozenset()
            if container and container <= v.NOT_TENSOR:
                return ""
            slices = expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]
            # One bound follows the loop, the other does not: the length changes (x[i:i + 4] keeps it).
            if any(isinstance(s, ast.Slice) and (s.lower is not None and varying(s.lower)) != (
                    s.upper is not None and varying(s.upper)) for s in slices):
                return self._every("a slice whose length follows the loop variable")
        if isinstance(expr, ast.Call):
            name = self.qualified(expr.func) or ""
            if name.startswith("tensorflow.ragged.") or name.startswith("tensorflow.RaggedTensor."):
                if any(varying(a) for a in expr.args):
                    return self._every("a ragged tensor whose number of rows follows the loop variable")
            elif name in _SHAPED_CONSTRUCTORS and expr.args and varying(expr.args[0]):
                return self._every(f"'{ast.unparse(expr.func)}' of a shape that follows the loop variable")
        return ""

    def _fresh_object(self, expr: ast.AST) -> str:
        """How an expression makes a new object each time it runs (the project analysis checks it does)."""
        if isinstance(expr, ast.Lambda):
            return "lambda"
        if isinstance(expr, ast.Call) and not (self.qualified(expr.func) or "").startswith(
                ("tensorflow.", "numpy.", "keras.")):
            return "call"
        if isinstance(expr, ast.Attribute) and self.qualified(expr) is None:
            return "attribute"
        return ""

    def _retracing_arguments(self, node: ast.Call, call: CallSite) -> None:
        call.col = node.col_offset
        self.owner.syntax_nodes[id(call)] = node
        arguments = [(str(i), a) for i, a in enumerate(node.args)] + [(k.arg, k.value) for k in node.keywords if k.arg]
        for key, argument in arguments:
            if isinstance(argument, ast.Starred):
                break
            if isinstance(argument, ast.Constant):
                continue  # a literal: nothing varies (and most arguments are literals or names)
            fact = None
            count = self._is_varying_name(argument.id, node.lineno) if isinstance(argument, ast.Name) else None
            if count is not None:
                fact = ["count", count]
            elif self._varying_shape(argument, node.lineno):
                reason = self._varying_shape(argument, node.lineno)
                # A third element: the shape changes on every call (a trace per call).
                every = isinstance(reason, str) and reason in self._every_iteration
                fact = ["shape", reason, True] if every else ["shape", reason]
            elif self._fresh_object(argument):
                fact = ["new", self._fresh_object(argument)]
            elif isinstance(argument, ast.Name) and argument.id in self._fresh:
                syntax, first, last = self._fresh[argument.id]
                if first <= node.lineno <= last:
                    fact = ["new", syntax]  # made in the same loop as the call
            if fact is not None:
                call.varying[key] = fact


#: Ops whose result is larger than their input: applied to a name and assigned to it in a loop,
#: the name's shape changes on every iteration.
_GROWING_OPS = frozenset({"tensorflow.concat", "tensorflow.stack", "tensorflow.pad", "tensorflow.tile"})
#: ``match`` statements (Python 3.10+; on 3.9 there are none to find).
_MATCH = getattr(ast, "Match", ())
#: A body with one of these is evaluated twice (see build).
_LOOP_STATEMENTS = (ast.For, ast.AsyncFor, ast.While)


def _has_loop(body: list) -> bool:
    """Whether a loop statement is among ``body``'s statements, at any depth, outside nested definitions."""
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, _LOOP_STATEMENTS):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(statement_children(node))  # most statements have none
    return False


#: Optimizers create their variables on first use, like models and layers.
_KERAS_OPTIMIZER_MODULES = ("tensorflow.keras.optimizers.", "keras.optimizers.", "tf_keras.optimizers.")
#: Keras objects with variables of their own, besides layers and models: optimizers and metrics.
_KERAS_STATEFUL_MODULES = (
    *_KERAS_OPTIMIZER_MODULES, "tensorflow.keras.metrics.", "keras.metrics.", "tf_keras.metrics.",
)
#: Logger methods that write a record, and the calls that make loggers (graph safety: HYB101).
LOGGER_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"})
_LOGGER_FACTORIES = frozenset({"logging.getLogger", "tensorflow.get_logger", "absl.logging.get_absl_logger"})


def is_logger(receiver: ast.expr, names: ModuleNames, qualified: Callable[[ast.AST], Optional[str]]) -> bool:
    """``logging.getLogger(...)``, or a name assigned one (``log = logging.getLogger(__name__)``)."""
    if isinstance(receiver, ast.Name):
        binding = names.binding_of(receiver)
        receiver = binding.value if binding is not None else None
    return isinstance(receiver, ast.Call) and qualified(receiver.func) in _LOGGER_FACTORIES


#: Distribution-strategy methods that call a function on each replica: fn(*args).
_REPLICA_RUNNERS = frozenset({"run", "experimental_run_v2", "call_for_each_replica"})
_BUILTINS_OF_INTEREST = frozenset(
    {"print", "input", "open", "exec", "eval", "iter", "next", "enumerate", "zip", "list", "tuple", "sorted",
     "reversed", "len", "int", "float", "abs", "round", "sum", "min", "max", "str", "repr", "format", "bool",
     "isinstance", "hasattr", "callable", "dict", "set", "frozenset", "range", "getattr", "setattr", "object",
     "type", "super", "vars", "id"}
)


#: Dataset methods that can batch elements of many shapes together (see _batching_reason).
_BATCHING_METHODS = frozenset({"padded_batch", "bucket_by_sequence_length"})


def _batching_reason(call: ast.Call) -> str:
    """Why a ``ds.<method>(...)`` call batches elements of many shapes together, or ""."""
    method = call.func.attr  # type: ignore[attr-defined]
    if method == "padded_batch":
        shapes = next((k.value for k in call.keywords if k.arg == "padded_shapes"), None)
        if shapes is None and len(call.args) >= 2:
            shapes = call.args[1]
        fixed = shapes is not None and not any(
            isinstance(n, ast.Constant) and (n.value is None or n.value == -1) for n in ast.walk(shapes)
        ) and not any(isinstance(n, ast.UnaryOp) for n in ast.walk(shapes))
        if not fixed:
            return "batches from padded_batch, padded to each batch's longest element"
    if method == "bucket_by_sequence_length":
        return "batches from bucket_by_sequence_length, one length per bucket"
    return ""


#: TF calls whose first argument is the shape of the tensor they make (retracing facts).
_SHAPED_CONSTRUCTORS = frozenset(
    {"tensorflow.ones", "tensorflow.zeros", "tensorflow.fill", "tensorflow.random.normal", "tensorflow.random.uniform",
     "tensorflow.range"}
)
_MUTATING_METHODS = frozenset(
    {"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "add", "discard",
     "popitem", "sort", "reverse", "__setitem__", "write"}
)
# Imports from these roots are outside APIs (described by the API model), never project code.
_OUTSIDE_ROOTS = frozenset(
    {"tensorflow", "keras", "tf_keras", "numpy", "logging", "random", "time", "os", "sys", "warnings", "json",
     "pickle", "shutil", "uuid", "datetime", "functools", "math", "itertools", "collections", "re", "typing"}
)


def _parameters(node: Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda], owner: _Builder) -> list:
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    result = []
    for arg, default in zip(positional, defaults):
        result.append(_parameter(arg, "positional", default, owner))
    if args.vararg:
        result.append(Parameter(args.vararg.arg, "varargs"))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        result.append(_parameter(arg, "keyword", default, owner))
    if args.kwarg:
        result.append(Parameter(args.kwarg.arg, "varkw"))
    return result


def _parameter(arg: ast.arg, kind: str, default: Optional[ast.expr], owner: _Builder) -> Parameter:
    hint = arg.annotation is not None and annotates_tensor(arg.annotation, owner.qualified)
    default_kind = ""
    if isinstance(default, ast.UnaryOp) and isinstance(default.op, ast.USub):
        default = default.operand
    if isinstance(default, ast.Constant):
        literal = default.value
        default_kind = (
            "bool" if isinstance(literal, bool) else "number" if isinstance(literal, (int, float))
            else "str" if isinstance(literal, str) else "none" if literal is None else ""
        )
    return Parameter(
        arg.arg, kind, has_default=default is not None,
        default_bool=default_kind == "bool", tensor_hint=hint, default_kind=default_kind,
    )


def _is_true(expr: Optional[ast.AST]) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is True


def _is_none(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _has_instance(value: Value) -> bool:
    """May hold an object of a project class (resolved by the project analysis)."""
    return any(isinstance(atom, tuple) for atom in value)


def _module_bindings(owner: _Builder, name: str) -> list:
    return owner.names.module_scope.bindings.get(name, [])


def _trip_count(iterable: ast.expr) -> int:
    """A ``for`` loop's trip count: ``range`` with constant bounds, else a guess."""
    if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) and iterable.func.id == "range":
        bounds = [a.value for a in iterable.args if isinstance(a, ast.Constant) and isinstance(a.value, int)]
        if len(bounds) == len(iterable.args):
            length = range_length(bounds)
            return UNKNOWN_TRIP_COUNT if length is None else min(max(length, 1), MAX_WEIGHT)
    if isinstance(iterable, (ast.List, ast.Tuple)):
        return max(len(iterable.elts), 1)
    return UNKNOWN_TRIP_COUNT


#: TensorArray methods that give the array (the others give tensors: stack, read, gather ...).
_TENSOR_ARRAY_UPDATES = frozenset({"write", "scatter", "unstack", "split", "mark_used"})


#: Decorators that change nothing about when a function runs, or that the analysis understands.
_PLAIN_DECORATORS = frozenset({"staticmethod", "classmethod", "property", "cached_property"})
_KNOWN_DECORATORS = frozenset({
    "functools.wraps", "abc.abstractmethod", "typing.overload", "typing.final", "contextlib.contextmanager",
})


def _unpacks(call: ast.Call) -> bool:
    """``f(*args)`` or ``f(**options)``: which parameters the call binds is not known."""
    return any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords)


def _is_super(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "super"


#: Decorators that make a class's __init__ from its fields.
_DATACLASS_DECORATORS = frozenset({"dataclasses.dataclass", "attr.s", "attr.attrs", "attr.define", "attrs.define",
                                   "attr.frozen", "attrs.frozen"})
