"""HYB201-HYB205: the retracing family, the performance traps of graph code.

HYB201, HYB203 and HYB205 come from the project's retracing facts
(``analysis/retracing.py``): which arguments of a ``tf.function`` call change
between calls, followed across functions and modules.  HYB202 and HYB204 are
local: where a ``tf.function`` is created, and which Python loops in graph code
unroll.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from typing import Iterator, Optional

from flake8_hybrid.analysis.lines import spans_any
from flake8_hybrid.analysis.local_tensors import body_nodes
from flake8_hybrid.analysis.module import ModuleContext
from flake8_hybrid.analysis.names import child_nodes, module_constant, statements
from flake8_hybrid.analysis.layout import display_path
from flake8_hybrid.analysis.retracing import MIN_VALUES, UNKNOWN_COUNT, retracing_of
from flake8_hybrid.analysis.tf_function import TfFunctionSite
from flake8_hybrid.findings import Finding, FixIntent
from flake8_hybrid.registry import Applicability, get_rule
from flake8_hybrid.rules.registration import check
from flake8_hybrid.rules.tf_function_config import not_fixed_note, version_blocker
from flake8_hybrid.settings import is_test_file

DefNode = (ast.FunctionDef, ast.AsyncFunctionDef)
#: A Python loop in graph code this long or longer unrolls into a graph worth reporting. Measured
#: (benchmarks/unrolled_loops.py, TF 2.21, CPU): from 64 iterations of the docs' example body
#: (6 ops each) the unrolled graph's first call costs 0.1 s or more over a tf.range loop's; below,
#: unrolling is a cheap, often deliberate trade (the unrolled graph runs faster per call).
LARGE_LOOP = 64


@check("HYB201", "HYB202", "HYB203", "HYB204", "HYB205")
def check_retracing(module: ModuleContext) -> Iterator[Finding]:
    yield from _hyb202(module)
    yield from _hyb204(module)
    if not module.function_facts:
        return
    facts = retracing_of(module.project)
    yield from _hyb201_205(module, facts)
    yield from _hyb203(module, facts)


def _ancestors(tree: ast.AST, node: ast.AST) -> list[ast.AST]:
    """The nodes that hold ``node``, innermost first.

    The search enters only the statements that take up the node's first line, not
    the whole module (tf-models-official: a map of every node's parent was half the
    retracing rules' time). Should a node lie off its statement's lines (a tree not
    made by the parser), the search is made again everywhere."""
    path = _path_to(tree, node, getattr(node, "lineno", None))
    if path is None:
        path = _path_to(tree, node, None)
    return path[::-1] if path is not None else []


def _path_to(tree: ast.AST, node: ast.AST, line: Optional[int]) -> Optional[list[ast.AST]]:
    """The nodes from the root down to ``node``'s parent; None if it is not found (without
    recursing: depth first, entering only the statements that take up ``line``, if given)."""
    path: list[ast.AST] = []
    stack = [(tree, 0)]
    while stack:
        current, depth = stack.pop()
        del path[depth:]  # back up to the current node's parent
        if current is node:
            return path
        if line is not None and isinstance(current, ast.stmt) and not spans_any(current, [line]):
            continue
        path.append(current)
        stack.extend((child, depth + 1) for child in child_nodes(current))
    return None


def _callee_name(key: str) -> str:
    return key.rpartition("::")[2].replace(".<locals>.", ".")


# -- HYB201, HYB205: arguments that change per call -------------------------------------
def _hyb201_205(module: ModuleContext, facts) -> Iterator[Finding]:
    if module.is_test_file:
        return  # a loop in a test is no hot path
    path = os.path.abspath(module.filename)
    records = [r for r in facts.calls_in(path) if r.kind in ("count", "new")]
    if not records:
        return
    calls = {(n.lineno, n.col_offset): n for n in ast.walk(module.tree) if isinstance(n, ast.Call)}
    seen = set()
    for record in records:
        call = calls.get((record.line, record.col))
        argument = _argument_node(call, record.argument) if call is not None else None
        if argument is None or (record.line, record.col, record.argument) in seen:
            continue
        seen.add((record.line, record.col, record.argument))
        if record.kind == "new":
            yield from _hyb205(module, record, argument)
        else:
            yield from _hyb201(module, record, argument)


def _shown(argument: ast.expr) -> str:
    text = ast.unparse(argument)
    return text if len(text) <= 40 else text[:37] + "..."


def _hyb205(module: ModuleContext, record, argument: ast.expr) -> Iterator[Finding]:
    if not record.in_loop and _runtime_loop(module, record.caller) is None:
        return  # its function runs once, in tests or while a graph traces: no repetition proven
    yield module.finding("HYB205", argument, argument=_shown(argument), function=_callee_name(record.callee),
                         what=record.detail)


def _hyb201(module: ModuleContext, record, argument: ast.expr) -> Iterator[Finding]:
    if record.detail != UNKNOWN_COUNT and 0 < record.detail < MIN_VALUES:
        return  # a few values: a few traces
    via = ""
    if record.via:
        path_of_loop, _, line_of_loop = record.via.rpartition(":")
        if is_test_file(path_of_loop, module.settings.test_patterns):
            return  # a loop in a test is no hot path
        via = f" (passed in the loop at {display_path(path_of_loop)}:{line_of_loop})"
    if record.detail > 0:
        values = f"{record.detail} values, one per loop iteration"
    else:
        values = "a new value on every loop iteration"
    assumed = f"the loop that passes it runs {MIN_VALUES} or more times" if record.detail == UNKNOWN_COUNT else ""
    text = _shown(argument)
    alias, add_import = module.tensorflow_spelling()
    rule = get_rule("HYB201")
    fix = FixIntent(
        "wrap-argument", argument.lineno, argument.col_offset, text, f"{alias}.constant",
        rule.fix, rule.fix_title, add_import=add_import,
    )
    yield module.finding("HYB201", argument, fix, assumed=assumed, argument=text,
                         function=_callee_name(record.callee), values=values, via=via)


def _argument_node(call: ast.Call, key: str) -> Optional[ast.expr]:
    if key.isdigit():
        index = int(key)
        return call.args[index] if index < len(call.args) else None
    return next((k.value for k in call.keywords if k.arg == key), None)


# -- HYB203: tensors of many shapes ---------------------------------------------------------
_RELAXING = ("reduce_retracing", "experimental_relax_shapes", "input_signature")


@dataclass(frozen=True)
class _ShapeSite:
    """A loop that feeds a tf.function tensors of many shapes."""

    path: str
    line: int
    detail: str  # why the shapes vary
    assumed: str = ""  # what that rests on, when it is not proven


def _hyb203(module: ModuleContext, facts) -> Iterator[Finding]:
    local = _dataset_element_sites(module)
    patterns = module.settings.test_patterns
    for site in module.tf_function_sites:
        target = site.target
        if not isinstance(target, DefNode) or any(
            name in site.arguments and not _is_none(site.arguments[name]) for name in _RELAXING
        ):
            continue
        function_facts = module.function_facts.get(target.lineno)
        if function_facts is None:
            continue
        found = [_ShapeSite(r.path, r.line, r.detail) for r in facts.shape_sites(function_facts.key)
                 if not any(is_test_file(p, patterns) for p in (r.path, r.via.rpartition(":")[0]) if p)]
        found += local.get(id(target), [])
        sites = list({(s.path, s.line): s for s in sorted(found, key=lambda s: bool(s.assumed))}.values())
        if not sites:
            continue
        first = sites[0]
        where = f"{display_path(first.path)}:{first.line}"
        more = f" and {len(sites) - 1} more" if len(sites) > 1 else ""
        blocker = version_blocker(module, "HYB203") or _uses_static_dimension(target)
        rule = get_rule("HYB203")
        fix = FixIntent(
            "add-keyword", site.node.lineno, site.node.col_offset, "reduce_retracing", "True",
            rule.fix if blocker is None else Applicability.DISPLAY_ONLY, rule.fix_title,
        )
        yield module.finding(
            "HYB203", target, fix, assumed=first.assumed, function=function_facts.qualname,
            note=f" ({first.detail}, passed at {where}{more})", blocker=not_fixed_note(blocker),
        )


# Datasets whose elements, unbatched, take many shapes: found in the module that iterates them
# (the summaries know batches of many shapes only). Measured on TF 2.21: Dataset.range(1, 20)
# .map(tf.range) traces 19 times, 2 with reduce_retracing; from_generator with a shape of None
# traces once per shape the generator yields (10 for 10 lengths, 1 when all are equal).
_SHAPE_KEEPING_METHODS = frozenset(
    {"prefetch", "shuffle", "repeat", "take", "skip", "filter", "cache", "shard", "with_options", "ignore_errors"}
)
_SHAPED_BY_ARGUMENT = frozenset({"tensorflow.range", "tensorflow.ones", "tensorflow.zeros", "tensorflow.fill"})


def _dataset_element_sites(module: ModuleContext) -> dict:
    """id(def of a tf.function) -> the loops of this module that pass it elements of a dataset
    whose element shapes vary."""
    if module.is_test_file or not module.tf_function_sites or not any(
            source in module.source for source in ("from_generator", "from_tensor_slices", "Dataset.range")):
        return {}  # no dataset it knows of is made here
    targets = _tf_function_targets(module)
    sites: dict = {}
    for loop in statements(module.tree):
        if not isinstance(loop, (ast.For, ast.AsyncFor)) or not isinstance(loop.target, ast.Name):
            continue
        found = _element_shapes(module, _dataset_expression(module, loop.iter))
        if found is None:
            continue
        for call in (n for statement in loop.body for n in ast.walk(statement) if isinstance(n, ast.Call)):
            target = targets.get(id(module.names.binding_of(call.func))) if isinstance(call.func, ast.Name) else None
            if target is not None and any(isinstance(a, ast.Name) and a.id == loop.target.id for a in call.args):
                site = _ShapeSite(os.path.abspath(module.filename), call.lineno, *found)
                sites.setdefault(id(target), []).append(site)
    return sites


def _tf_function_targets(module: ModuleContext) -> dict:
    """id(binding of a name) -> the def it makes a tf.function of: a decorated def, or a name
    assigned ``tf.function(def)``."""
    targets = {}
    scope_bindings = [b for scope in _scopes(module) for bindings in scope.bindings.values() for b in bindings]
    by_node = {id(s.node): s for s in module.tf_function_sites}
    decorated = {id(s.target) for s in module.tf_function_sites if s.is_decorator}
    for binding in scope_bindings:
        if id(binding.node) in decorated:
            targets[id(binding)] = binding.node
        elif binding.value is not None and id(binding.value) in by_node:
            site = by_node[id(binding.value)]
            if isinstance(site.target, DefNode):
                targets[id(binding)] = site.target
    return targets


def _scopes(module: ModuleContext) -> list:
    scopes = [module.names.module_scope]
    scopes += [module.names.scope_of(f) for f in module.function_nodes if module.names.scope_of(f) is not None]
    return scopes


def _dataset_expression(module: ModuleContext, expr: ast.expr) -> ast.expr:
    """The expression a loop iterates, through a name assigned it once."""
    if isinstance(expr, ast.Name):
        binding = module.names.binding_of(expr)
        if binding is not None and binding.value is not None:
            return binding.value
    return expr


def _element_shapes(module: ModuleContext, expr: ast.expr) -> Optional[tuple[str, str]]:
    """(why the elements' shapes vary, what that assumes) for a dataset made and transformed in
    the expression, or None."""
    methods = []
    while isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) \
            and module.qualified_name(expr.func) is None:
        methods.append(expr)
        expr = expr.func.value
    if not isinstance(expr, ast.Call):
        return None
    methods.reverse()
    source = module.qualified_name(expr.func) or ""
    found = None
    if source == "tensorflow.data.Dataset.from_generator":
        found = _generator_shapes(expr)
    elif source == "tensorflow.data.Dataset.from_tensor_slices":
        found = _ragged_rows(module, expr)
    elif source == "tensorflow.data.Dataset.range" and methods and _maps_to_lengths(module, methods[0]):
        found = ("elements of many lengths from Dataset.range(...).map(tf.range)", "")
        methods = methods[1:]
    if found is None or any(m.func.attr not in _SHAPE_KEEPING_METHODS for m in methods):
        return None
    return found


def _generator_shapes(call: ast.Call) -> Optional[tuple[str, str]]:
    """Shapes of None, or none declared: what the generator yields may vary (an assumption)."""
    given = dict(zip(("generator", "output_types", "output_shapes", "args", "output_signature"), call.args))
    given.update({k.arg: k.value for k in call.keywords if k.arg})
    declared = given.get("output_signature") or given.get("output_shapes")
    assumed = "the generator yields elements of different shapes"
    if declared is None:
        undeclared = "elements of Dataset.from_generator, whose shapes are not declared"
        return (undeclared, assumed) if "output_types" in given else None
    if any(isinstance(n, ast.Constant) and n.value is None for shape in _declared_shapes(declared)
           for n in ast.walk(shape)):
        return "elements of Dataset.from_generator, whose declared shape has dimensions of None", assumed
    return None


def _declared_shapes(declared: ast.expr) -> list:
    """The shape expressions of ``output_shapes``, or of the ``TensorSpec(shape, ...)`` calls of an
    ``output_signature`` (not their names or dtypes, which may be None too)."""
    specs = [n for n in ast.walk(declared) if isinstance(n, ast.Call)
             and isinstance(n.func, (ast.Attribute, ast.Name)) and ast.unparse(n.func).endswith("Spec")]
    if not specs:
        return [declared]
    unknown = ast.Constant(None)  # a spec without a shape: of unknown rank
    return [next((k.value for k in spec.keywords if k.arg == "shape"), spec.args[0] if spec.args else unknown)
            for spec in specs]


def _ragged_rows(module: ModuleContext, call: ast.Call) -> Optional[tuple[str, str]]:
    """``from_tensor_slices(tf.ragged.constant([[...], [...]]))`` with rows of different lengths."""
    rows = call.args[0] if call.args else None
    if not (isinstance(rows, ast.Call) and module.qualified_name(rows.func) == "tensorflow.ragged.constant"
            and rows.args and isinstance(rows.args[0], ast.List)):
        return None
    lengths = {len(row.elts) for row in rows.args[0].elts if isinstance(row, (ast.List, ast.Tuple))}
    return ("rows of a ragged tensor, one length per row", "") if len(lengths) > 1 else None


def _maps_to_lengths(module: ModuleContext, call: ast.Call) -> bool:
    """``.map(tf.range)`` or ``.map(lambda n: tf.ones([n]))``: each element a tensor of its own length."""
    if call.func.attr != "map" or not call.args:
        return False
    function = call.args[0]
    if module.qualified_name(function) == "tensorflow.range":
        return True
    if not isinstance(function, ast.Lambda) or not isinstance(function.body, ast.Call):
        return False
    parameters = {a.arg for a in function.args.args}
    made = function.body
    return module.qualified_name(made.func) in _SHAPED_BY_ARGUMENT and bool(made.args) and any(
        isinstance(n, ast.Name) and n.id in parameters for n in ast.walk(made.args[0]))


def _is_none(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _uses_static_dimension(function: ast.AST) -> Optional[str]:
    """A relaxed trace sees None where a dimension varies: Python code on ``x.shape[i]`` breaks."""
    for node in body_nodes(function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range":
            if any(isinstance(n, ast.Attribute) and n.attr == "shape" for a in node.args for n in ast.walk(a)):
                return "it loops over a static dimension, which a relaxed trace sees as None"
    return None


# -- HYB202: a tf.function created again and again -------------------------------------------
# A new tf.function object traces anew on its first call. That is a waste only when the same
# computation is wrapped again: a factory that wraps a different callable or closure per call
# (a signature per export, one function per module or op type) needs each of its traces, and a
# builder that keeps its result (returns it, stores it) traces once per object it builds.
@dataclass(frozen=True)
class _Repetition:
    when: str  # "on every iteration of the loop at line 12"
    scope: str  # where to create it instead: "the loop", "'evaluate'"
    assumed: str = ""  # what the finding rests on that the analysis did not prove


def _hyb202(module: ModuleContext) -> Iterator[Finding]:
    if not module.tf_function_sites or module.is_test_file:
        return  # loops in tests are no hot path
    for site in module.tf_function_sites:
        found = _repeated_creation(module, site)
        if found is not None:
            yield module.finding("HYB202", site.node, assumed=found.assumed, function=_wrapped_name(site),
                                 when=found.when, scope=found.scope)


def _wrapped_name(site: TfFunctionSite) -> str:
    """How the message names what is wrapped: 'double', 'self.model.call', a lambda."""
    wrapped = site.arguments.get("func", site.target)
    if isinstance(wrapped, DefNode):
        return f"'{wrapped.name}'"
    if isinstance(wrapped, (ast.Name, ast.Attribute)):
        text = ast.unparse(wrapped)
        return f"'{text if len(text) <= 40 else '...' + text[-37:]}'"
    return "a lambda" if isinstance(wrapped, ast.Lambda) else "a function"


def _repeated_creation(module: ModuleContext, site: TfFunctionSite) -> Optional[_Repetition]:
    """What runs the creation repeatedly, wrapping the same computation; None if nothing does."""
    node: ast.AST = site.target if site.is_decorator else site.node
    wrapped = _wrapped_node(module, site)
    if wrapped is None:
        return None
    ancestors = _ancestors(module.tree, node)
    for index, parent in enumerate(ancestors):
        if isinstance(parent, ast.ClassDef):
            return None  # a class body runs once
        if isinstance(parent, (ast.For, ast.AsyncFor, ast.While)) and node in parent.body:
            return _in_loop(module, wrapped, parent, ancestors[index + 1:])
        if isinstance(parent, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return _in_loop(module, wrapped, parent, ancestors[index + 1:])
        if isinstance(parent, ast.If) and _is_cache_guard(parent.test):
            return None  # created once and kept: `if self._fn is None: self._fn = tf.function(...)`
        if isinstance(parent, DefNode):
            return _in_function(module, site, wrapped, parent)
        if isinstance(parent, ast.Lambda):
            return None
        node = parent
    return None


def _wrapped_node(module: ModuleContext, site: TfFunctionSite) -> Optional[ast.AST]:
    """The callable made a tf.function: the decorated or named def, a lambda, or the expression
    (``obj.method``, a parameter) when the target is not a definition of this module."""
    wrapped = site.arguments.get("func")
    if wrapped is not None:  # (before the target: `tf.function(f)(x)` reads as `tf.function(...)(x)` there)
        binding = module.names.binding_of(wrapped) if isinstance(wrapped, ast.Name) else None
        return binding.node if binding is not None and isinstance(binding.node, DefNode) else wrapped
    if site.target is not None:
        return site.target
    outer = _parent_call(module, site.node)  # tf.function(...)(f): the outer call names it
    return outer.args[0] if outer is not None and outer.args else None


def _parent_call(module: ModuleContext, node: ast.AST) -> Optional[ast.Call]:
    ancestors = _ancestors(module.tree, node)
    parent = ancestors[0] if ancestors else None
    return parent if isinstance(parent, ast.Call) and parent.func is node else None


# A loop or comprehension: the same computation when what is wrapped does not change per element.
def _in_loop(module: ModuleContext, wrapped: ast.AST, loop: ast.AST, outer: list) -> Optional[_Repetition]:
    scope = next((a for a in outer if isinstance(a, (*DefNode, ast.Lambda))), None)
    per_element = _names_bound_per_element(module, loop, scope)
    if _free_names(module, wrapped) & per_element:
        return None  # a different callable or closure on each iteration: each needs its trace
    if isinstance(loop, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return _Repetition(f"for every element of the comprehension at line {loop.lineno}", "the comprehension")
    return _Repetition(f"on every iteration of the loop at line {loop.lineno}", "the loop")


def _names_bound_per_element(module: ModuleContext, loop: ast.AST, scope: Optional[ast.AST]) -> set:
    """The names a loop binds anew on each iteration, less those bound only to tensors or arrays
    there: a closure over a new tensor per batch still computes the same thing."""
    found = module.names.scope_of(scope) if scope is not None else module.names.module_scope
    if isinstance(loop, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        found = module.names.scope_of(loop) or found
    first, last = (loop.lineno, loop.col_offset), (loop.end_lineno or loop.lineno, loop.end_col_offset or 0)
    names = set()
    for name, bindings in (found.bindings.items() if found is not None else ()):
        inside = [b for b in bindings if first <= b.position <= last]
        if inside and not all(_makes_data(module, b.value) for b in inside):
            names.add(name)
    return names


def _makes_data(module: ModuleContext, value: Optional[ast.expr]) -> bool:
    """A call the API model says returns a tensor or an array (not any TensorFlow call: TF's own
    ``ops.gradient_registry.lookup(op_type)`` returns a different function per op type)."""
    if not isinstance(value, ast.Call):
        return False
    return module.api.value_kind(module.qualified_name(value.func) or "") in ("tensor", "ndarray", "container_tensor")


def _free_names(module: ModuleContext, wrapped: ast.AST) -> set:
    """The names what is wrapped reads from the scopes around it (for an expression: all)."""
    if isinstance(wrapped, ast.Name):
        binding = module.names.binding_of(wrapped)
        if binding is not None and isinstance(binding.node, DefNode):
            return _free_names(module, binding.node)  # the same code, however often the def runs
        return {wrapped.id}
    if not isinstance(wrapped, (*DefNode, ast.Lambda)):
        return {n.id for n in ast.walk(wrapped) if isinstance(n, ast.Name)}
    first = (wrapped.lineno, wrapped.col_offset)
    last = (wrapped.end_lineno or wrapped.lineno, wrapped.end_col_offset or 0)
    free = set()
    for node in ast.walk(wrapped):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            binding = module.names.binding_of(node)
            if binding is not None and not first <= binding.position <= last:
                free.add(node.id)
    return free


# A function: the same computation when what is wrapped depends on none of its arguments, and
# a waste when each call makes one, calls it, and drops it.
def _in_function(module: ModuleContext, site: TfFunctionSite, wrapped: ast.AST, function: ast.AST):
    if function.name in ("__init__", "build", "__new__") or _is_cached(module, function):
        return None
    facts = module.function_facts.get(function.lineno)
    if facts is None or facts.hybrid or facts.runs_as_graph:
        return None  # graph code makes it once per trace, not once per call
    if not _called_once_and_dropped(module, site, function):
        return None  # kept (a builder, a factory) or called in a loop of its own: traced once per use
    parameters = _parameter_names(function) - {"self", "cls"}
    read = _free_names(module, wrapped) & parameters
    if isinstance(wrapped, (ast.Name, ast.Attribute)) and _root_name(wrapped) in parameters:
        return None  # it wraps what the caller passes: a different callable per call
    tensors = {p.name for p in facts.parameters if p.tensor and not p.speculative}
    assumed = ""
    if read - tensors:
        shown = "', '".join(sorted(read - tensors))
        assumed = f"'{function.name}' receives the same '{shown}' on every call"
    name = facts.qualname
    loop = _runtime_loop(module, facts.key)
    if loop is not None:
        return _Repetition(f"on every call of '{name}', which runs in the loop at {loop}", f"'{function.name}'",
                           assumed)
    if not facts.callers and not function.name.startswith("_"):
        return _Repetition(f"on every call of '{name}'", f"'{function.name}'",
                           assumed or f"code outside the project calls '{name}' repeatedly")
    return None


def _runtime_loop(module: ModuleContext, key: str) -> Optional[str]:
    """"path:line" of a loop outside tests that calls the function through eager code."""
    patterns = module.settings.test_patterns
    for record in retracing_of(module.project).loops_calling(key):
        if not any(is_test_file(path, patterns) for path in [record.path, *str(record.detail).split("|")]):
            return f"{display_path(record.path)}:{record.line}"
    return None


def _parameter_names(function: ast.AST) -> set:
    arguments = function.args
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
    return {a.arg for a in every if a is not None}


def _root_name(expr: ast.AST) -> Optional[str]:
    while isinstance(expr, (ast.Attribute, ast.Subscript, ast.Call)):
        expr = expr.func if isinstance(expr, ast.Call) else expr.value
    return expr.id if isinstance(expr, ast.Name) else None


def _called_once_and_dropped(module: ModuleContext, site: TfFunctionSite, function: ast.AST) -> bool:
    """Whether the function calls the tf.function it made, outside its own loops, and lets it go:
    it neither returns, stores nor passes it on, and no closure keeps it."""
    made: ast.AST = site.node
    if site.call is not None and site.arguments.get("func") is None and not site.is_decorator:
        made = _parent_call(module, site.node) or made  # tf.function(...)(f)
    if site.is_decorator:
        name = site.target.name
    else:
        parent = _ancestors(module.tree, made)[0]
        if isinstance(parent, ast.Call) and parent.func is made:
            return True  # tf.function(f)(x): called right away, kept nowhere
        if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1
                and isinstance(parent.targets[0], ast.Name)):
            return False  # returned, stored, passed on
        name = parent.targets[0].id
    uses = [n for n in body_nodes(function) if isinstance(n, ast.Name) and n.id == name
            and isinstance(n.ctx, ast.Load)]
    if any(n.id == name for inner in _nested_definitions(function) for n in ast.walk(inner)
           if isinstance(n, ast.Name)):
        return False  # a closure keeps it
    calls = {id(n.func) for n in body_nodes(function) if isinstance(n, ast.Call)}
    if not uses or any(id(use) not in calls for use in uses):
        return False
    loops = [n for n in body_nodes(function) if isinstance(n, (ast.For, ast.AsyncFor, ast.While))]
    return not any(_inside(use, loop) for use in uses for loop in loops)


def _nested_definitions(function: ast.AST) -> list:
    return [n for n in body_nodes(function) if isinstance(n, (*DefNode, ast.Lambda))]


def _inside(node: ast.AST, outer: ast.AST) -> bool:
    start, end = (outer.lineno, outer.col_offset), (outer.end_lineno, outer.end_col_offset)
    return start <= (node.lineno, node.col_offset) <= end


def _is_cache_guard(test: ast.expr) -> bool:
    for node in ast.walk(test):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Is, ast.NotIn, ast.In)) for op in node.ops):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "hasattr":
            return True
    return False


_CACHING_DECORATORS = ("functools.lru_cache", "functools.cache", "functools.cached_property")


def _is_cached(module: ModuleContext, function: ast.AST) -> bool:
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (module.qualified_name(target) or "") in _CACHING_DECORATORS:
            return True
    return False


# -- HYB204: Python loops unrolled into the graph ----------------------------------------------
def _hyb204(module: ModuleContext) -> Iterator[Finding]:
    decorated = {id(s.target) for s in module.tf_function_sites if isinstance(s.target, DefNode)}
    if not decorated and not any(f.runs_as_graph and not f.keras_managed for f in module.function_facts.values()):
        return  # no graph function here: no need to look for one
    for node in module.function_nodes:
        facts = module.function_facts.get(node.lineno) if id(node) not in decorated else None
        if id(node) not in decorated and not (facts is not None and facts.runs_as_graph and not facts.keras_managed):
            continue
        yield from _unrolled_loops(module, node)


@dataclass(frozen=True)
class _Unrolled:
    kind: str  # "range": a range the fix can make tf.range; "data": a Python list or NumPy array
    assumed: str = ""  # the length is not known: what the finding assumes of it


def _unrolled_loops(module: ModuleContext, function: ast.AST) -> Iterator[Finding]:
    parameters = {a.arg for a in [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]}
    facts = module.function_facts.get(function.lineno)
    python_numbers = {p.name for p in facts.parameters if p.primitive and not p.tensor} if facts else set()
    tensors = None  # found for the first loop that unrolls: most functions have none
    for node in body_nodes(function):
        if not isinstance(node, ast.For):
            continue
        unrolled = _unrolled_iterable(module, node.iter, python_numbers)
        if unrolled is None:
            continue
        if tensors is None:
            tensors = _tensor_names(module, function, parameters - python_numbers - {"self"})
        if not _builds_tensor_ops(module, node.body, tensors):
            continue
        blocker = _graph_loop_blocker(function, node, tensors) if unrolled.kind == "range" else "data"
        fix = None
        if blocker is None:
            alias, add_import = module.tensorflow_spelling()
            rule = get_rule("HYB204")
            func = node.iter.func
            fix = FixIntent("replace-name", func.lineno, func.col_offset, "range", f"{alias}.range",
                            rule.fix, rule.fix_title, add_import=add_import)
        yield module.finding("HYB204", node.iter, fix, assumed=unrolled.assumed, iterable=_shown(node.iter),
                             advice=_ADVICE[blocker])


#: What HYB204's message advises, by what keeps ``range`` -> ``tf.range`` from working.
_ADVICE = {
    None: "loop over tf.range where tracing time matters more than time per call (a graph loop is slower per call)",
    "data": "put the values in a tensor and loop over tf.range where tracing time matters more than time per call",
    "list": ("loop over tf.range and collect the values in a tf.TensorArray (a Python list filled in a "
             "graph loop and read after it raises InaccessibleTensorError)"),
    "index": "loop over tf.range and index tensors, not Python lists, with its value",
}


def _graph_loop_blocker(function: ast.AST, loop: ast.For, tensors: set) -> Optional[str]:
    """Why the loop's body cannot run in a graph loop as it is: "list" when it fills a Python list
    that the function reads after the loop (or returns), "index" when the loop variable indexes a
    Python sequence; None when neither."""
    filled = _lists_filled(loop)
    if filled and any(_read_after(function, loop, name) for name in filled):
        return "list"
    variables = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
    for node in ast.walk(loop):
        if isinstance(node, ast.Subscript) and not (_root_name(node.value) in tensors) and any(
                isinstance(n, ast.Name) and n.id in variables for n in ast.walk(node.slice)):
            return "index"
    return None


_FILLING_METHODS = frozenset({"append", "extend", "insert"})


def _lists_filled(loop: ast.For) -> set:
    """The names a loop grows: ``out.append(...)``, ``out += [...]``, ``out[k] = ...``."""
    names = set()
    for node in ast.walk(loop):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in _FILLING_METHODS and isinstance(node.func.value, ast.Name):
            names.add(node.func.value.id)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) \
                and isinstance(node.value, (ast.List, ast.ListComp)):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names |= {t.value.id for t in node.targets
                      if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name)}
    return names


def _read_after(function: ast.AST, loop: ast.For, name: str) -> bool:
    end = (loop.end_lineno, loop.end_col_offset)
    return any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
               and (n.lineno, n.col_offset) > end for n in body_nodes(function))


def _unrolled_iterable(module: ModuleContext, iterable: ast.expr, python_numbers: set) -> Optional[_Unrolled]:
    """How the loop unrolls into a large graph (proven, or assumed); None if it does not."""
    if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) and iterable.func.id == "range" \
            and module.names.binding_of(iterable.func) is None:
        constants = [_constant_int(module, a) for a in iterable.args]
        if all(c is not None for c in constants) and 1 <= len(constants) <= 3:
            if len(constants) == 3 and constants[2] == 0:
                return None
            return _Unrolled("range") if len(range(*constants)) >= LARGE_LOOP else None
        names = {n.id for a in iterable.args for n in ast.walk(a) if isinstance(n, ast.Name)}
        if any(isinstance(n, ast.Attribute) and n.attr == "shape" for a in iterable.args for n in ast.walk(a)):
            return _Unrolled("range")  # a static dimension: a Python int while tracing, as large as the data
        bounds = sorted(names & python_numbers)
        if bounds:  # what the callers pass is not known: maybe a small configuration value
            return _Unrolled("range", f"'{bounds[0]}' is {LARGE_LOOP} or more")
        return None
    if isinstance(iterable, ast.Call) and (module.qualified_name(iterable.func) or "").startswith("numpy."):
        length = _numpy_length(module, iterable)
        if length is None:
            return _Unrolled("data", f"'{_shown(iterable)}' holds {LARGE_LOOP} or more values")
        return _Unrolled("data") if length >= LARGE_LOOP else None
    if isinstance(iterable, (ast.List, ast.Tuple)) and len(iterable.elts) >= LARGE_LOOP and all(
        isinstance(e, ast.Constant) and isinstance(e.value, (int, float)) for e in iterable.elts
    ):
        return _Unrolled("data")
    if isinstance(iterable, ast.Name):
        value = module_constant(module.tree, iterable.id)  # a module-level list or array
        if value is not None and not isinstance(value, ast.Name):
            return _unrolled_iterable(module, value, python_numbers)
    return None


def _numpy_length(module: ModuleContext, call: ast.Call) -> Optional[int]:
    """How many values ``np.arange(...)`` or ``np.linspace(...)`` with constant arguments gives."""
    name = module.qualified_name(call.func)
    if name == "numpy.arange" and not call.keywords:
        bounds = [_constant_int(module, a) for a in call.args]
        if 1 <= len(bounds) <= 3 and None not in bounds and (len(bounds) < 3 or bounds[2] != 0):
            return len(range(*bounds))
    if name == "numpy.linspace" and len(call.args) >= 2:
        given = call.args[2] if len(call.args) > 2 else next((k.value for k in call.keywords if k.arg == "num"), None)
        return 50 if given is None else _constant_int(module, given)  # 50: NumPy's default
    return None


def _constant_int(module: ModuleContext, expr: ast.expr) -> Optional[int]:
    if isinstance(expr, ast.Name):
        value = module_constant(module.tree, expr.id)
        if value is None:
            return None
        expr = value
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
        inner = _constant_int(module, expr.operand)
        return -inner if inner is not None else None
    if isinstance(expr, ast.Constant) and type(expr.value) is int:
        return expr.value
    return None


def _tensor_names(module: ModuleContext, function: ast.AST, parameters: set) -> set:
    names = set(parameters)
    for _ in range(2):
        for node in body_nodes(function):
            if isinstance(node, ast.Assign) and _tensorish(module, node.value, names):
                names |= {t.id for target in node.targets for t in ast.walk(target) if isinstance(t, ast.Name)}
    return names


def _tensorish(module: ModuleContext, expr: ast.AST, names: set) -> bool:
    for node in ast.walk(expr):
        if isinstance(node, ast.Name) and node.id in names:
            return True
        if _is_tf_call(module, node):
            return True
    return False


def _is_tf_call(module: ModuleContext, node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and (module.qualified_name(node.func) or "").startswith(("tensorflow.", "keras."))


def _builds_tensor_ops(module: ModuleContext, body: list, tensors: set) -> bool:
    for statement in body:
        for node in ast.walk(statement):
            if _is_tf_call(module, node):
                return True
            if isinstance(node, (ast.BinOp, ast.AugAssign)) and _tensorish(module, node, tensors):
                return True
    return False
