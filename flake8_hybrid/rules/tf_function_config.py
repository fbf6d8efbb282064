"""HYB301-HYB303, HYB305-HYB309: the arguments given to ``tf.function``."""

from __future__ import annotations

import ast
import difflib
import os
from dataclasses import dataclass
from typing import Iterator, Optional

from flake8_hybrid.analysis.api_model import FunctionParameter
from flake8_hybrid.analysis.local_tensors import LocalTensors, body_nodes
from flake8_hybrid.analysis.names import FunctionNode
from flake8_hybrid.analysis.module import ModuleContext
from flake8_hybrid.analysis.tf_function import TfFunctionSite, signature_parameters
from flake8_hybrid.findings import Finding, FixIntent
from flake8_hybrid.registry import Applicability, get_rule
from flake8_hybrid.rules.registration import check
from flake8_hybrid.versions import TargetVersion, Version

_DEPRECATED_ARGUMENT_CODES = {
    "experimental_relax_shapes": "HYB301",
    "experimental_compile": "HYB302",
    "experimental_follow_type_hints": "HYB303",
}


@check("HYB301", "HYB302", "HYB303", "HYB305", "HYB306", "HYB307", "HYB308", "HYB309")
def check_tf_function_arguments(module: ModuleContext) -> Iterator[Finding]:
    for site in module.tf_function_sites:
        yield from _invalid_arguments(module, site)
        yield from _deprecated_arguments(module, site)
        yield from _input_signature(module, site)
        yield from _autograph_disabled(module, site)
        yield from _jit_incompatible(module, site)
        yield from _redundant_reduce_retracing(module, site)


def not_fixed_note(reason: Optional[str]) -> str:
    return f" (not fixed automatically: {reason})" if reason else ""


def version_blocker(module: ModuleContext, code: str) -> Optional[str]:
    """Why the target TF version forbids ``code``'s fix, or None when it allows it."""
    minimum = get_rule(code).fix_min_tf
    if minimum is None or module.target.allows(Version.parse(minimum)):
        return None
    return module.target.why_not(Version.parse(minimum))


def keyword_fix(
    module: ModuleContext, code: str, keyword: ast.keyword, new: str, blocker: Optional[str]
) -> FixIntent:
    rule = get_rule(code)
    return FixIntent(
        kind="rename-keyword" if new else "remove-keyword",
        line=keyword.lineno,
        col=keyword.col_offset,
        old=keyword.arg or "",
        new=new,
        applicability=rule.fix if blocker is None else Applicability.DISPLAY_ONLY,
        title=rule.fix_title,
    )


# -- HYB308 ----------------------------------------------------------------
def _invalid_arguments(module: ModuleContext, site: TfFunctionSite) -> Iterator[Finding]:
    valid = [parameter.name for parameter in module.api.tf_function_parameters]
    for node, kind, detail in site.invalid:
        if kind == "unknown":
            close = difflib.get_close_matches(detail, valid, n=1)
            problem = f"unknown tf.function argument '{detail}'"
            remedy = f"did you mean '{close[0]}'? (TF raises TypeError)" if close else (
                "tf.function raises TypeError for it"
            )
        elif kind == "twice":
            problem = f"tf.function argument '{detail}' is given twice"
            remedy = "keep one (TF raises TypeError)"
        else:
            problem = f"tf.function takes at most {len(valid)} positional arguments"
            remedy = "pass options by keyword (TF raises TypeError)"
        yield module.finding("HYB308", node, problem=problem, remedy=remedy)
    target = module.target
    if target.version is None:
        return
    for name, keyword in site.keywords.items():
        parameter = module.api.tf_function_parameter(name)
        if parameter is not None and parameter.since > target.version:
            yield module.finding(
                "HYB308",
                keyword,
                problem=(
                    f"tf.function argument '{name}' is new in TF {parameter.since}, but the target is TF "
                    f"{target.version} ({target.origin()}), where tf.function raises TypeError for it"
                ),
                remedy=_newer_argument_remedy(target, parameter.since),
            )


def _newer_argument_remedy(target: TargetVersion, since: Version) -> str:
    """Raise the requirement: the code needs the argument (dropping it would change what it does)."""
    if target.ceiling is not None and target.ceiling <= since:
        # No release the requirement admits has the argument: the requirement and the code disagree.
        return f"require tensorflow>={since} (the requirement stops before TF {target.ceiling})"
    return f"require tensorflow>={since}"


# -- HYB301, HYB302, HYB303 ------------------------------------------------
def _deprecated_arguments(module: ModuleContext, site: TfFunctionSite) -> Iterator[Finding]:
    for name, code in _DEPRECATED_ARGUMENT_CODES.items():
        if name not in site.arguments or _is_positional_none(site, name):
            continue
        parameter = module.api.tf_function_parameter(name)
        assert parameter is not None, f"{name} missing from the API model"
        if not module.target.admits_any_from(_deprecated_since(parameter)):
            # The target TF still takes the argument as it is: the code is right for the TF it runs on.
            continue
        keyword = site.keywords.get(name)
        replacement = parameter.replacement or ""
        fix = None
        if keyword is None:
            blocker: Optional[str] = "given positionally"
        else:
            if replacement in site.arguments:
                blocker = f"'{replacement}' is also given"
                if code == "HYB302":
                    blocker += "; TF raises ValueError for both"
            else:
                blocker = version_blocker(module, code)
            fix = keyword_fix(module, code, keyword, replacement, blocker)
        yield module.finding(
            code,
            keyword or site.arguments[name],
            fix,
            deprecated=parameter.deprecated,
            ignored=parameter.ignored,
            note=not_fixed_note(blocker),
        )


def _deprecated_since(parameter: FunctionParameter) -> Version:
    since = parameter.deprecated or parameter.ignored
    assert since is not None, f"{parameter.name} is neither deprecated nor ignored in the API model"
    return since


def _is_positional_none(site: TfFunctionSite, name: str) -> bool:
    """A positional ``None`` only fills a slot to reach later arguments: not a use."""
    value = site.arguments[name]
    return name not in site.keywords and isinstance(value, ast.Constant) and value.value is None


# -- HYB305 ----------------------------------------------------------------
def _literal_signature(site: TfFunctionSite) -> Optional[list[ast.expr]]:
    signature = site.arguments.get("input_signature")
    if isinstance(signature, (ast.List, ast.Tuple)) and not any(
        isinstance(element, ast.Starred) for element in signature.elts
    ):
        return signature.elts
    return None


def _input_signature(module: ModuleContext, site: TfFunctionSite) -> Iterator[Finding]:
    specs = _literal_signature(site)
    parameters = signature_parameters(site)
    if specs is None or parameters is None or site.target is None:
        return
    anchor = site.keywords.get("input_signature") or site.arguments["input_signature"]
    problem = _length_mismatch(site, len(specs), parameters)
    if problem:
        remedy = f"make input_signature match the parameters of '{site.target_name}'"
        yield module.finding("HYB305", anchor, problem=problem, remedy=remedy)
    covered = {parameter.arg: spec for parameter, spec in zip(parameters, specs)}
    yield from _keywords_into_kwargs(module, site)
    yield from _keywords_into_kwargs_from_other_modules(module, site, anchor)
    yield from _python_values_from_other_modules(module, site, anchor, covered)
    yield from _python_values_in_this_module(module, site, parameters, covered)


def _length_mismatch(site: TfFunctionSite, count: int, parameters: list[ast.arg]) -> str:
    """What TF says about a signature of ``count`` specs for these parameters ("" when it fits)."""
    assert site.target is not None
    arguments = site.target.args
    function = site.target_name
    required = max(0, len(parameters) - len(arguments.defaults))
    if count > len(parameters) and arguments.vararg is None:
        return (
            f"input_signature has {_count(count, 'spec')} but '{function}' takes "
            f"{_count(len(parameters), 'positional parameter')} (TF raises TypeError: extra type constraints)"
        )
    if count < required:
        return (
            f"input_signature has {_count(count, 'spec')} but '{function}' requires {required} "
            f"(TF raises TypeError: missing type constraint for '{parameters[count].arg}')"
        )
    if count < len(parameters):
        uncovered = ", ".join(f"'{p.arg}'" for p in parameters[count:])
        return (
            f"input_signature leaves {uncovered} of '{function}' uncovered: frozen at the default, "
            f"passing a value raises TypeError"
        )
    return ""


def _keywords_into_kwargs(module: ModuleContext, site: TfFunctionSite) -> Iterator[Finding]:
    """Calls in this module passing a keyword that lands in ``**kwargs``: under input_signature only
    keywords naming signature parameters bind, any other raises TypeError (measured on TF 2.21).
    A signature on a function with ``**kwargs`` is fine as long as no caller does that."""
    assert site.target is not None
    kwarg = site.target.args.kwarg
    if kwarg is None:
        return
    named = {a.arg for a in (*site.target.args.posonlyargs, *site.target.args.args, *site.target.args.kwonlyargs)}
    for call in _calls_of(module, site):
        for keyword in call.keywords:
            if keyword.arg is not None and keyword.arg not in named:
                yield module.finding(
                    "HYB305",
                    keyword,
                    problem=_into_kwargs(f"'{keyword.arg}'", kwarg.arg, site, "this call"),
                    remedy=f"add a parameter '{keyword.arg}' with a spec in input_signature, or stop passing it",
                )


def _keywords_into_kwargs_from_other_modules(
    module: ModuleContext, site: TfFunctionSite, anchor: ast.AST
) -> Iterator[Finding]:
    """A caller elsewhere in the project passing a keyword into ``**kwargs``: the project analysis
    flows such keywords into that parameter, with the call site as evidence."""
    kwarg = site.target.args.kwarg if site.target is not None else None
    facts = _decorated_function_facts(module, site)
    if kwarg is None or facts is None:
        return
    here = _display_prefix(module)
    for parameter in facts.parameters:
        if parameter.name != kwarg.arg or parameter.speculative:
            continue
        # Evidence reads "<path>:<line> passes <what>" (analysis/project.py, ``flow``).
        sites = [text.split(" passes ")[0] for text in parameter.evidence if " passes " in text]
        elsewhere = [site_text for site_text in sites if not site_text.startswith(here)]
        if elsewhere:
            yield module.finding(
                "HYB305",
                anchor,
                problem=_into_kwargs("a keyword argument", kwarg.arg, site, f"the call at {elsewhere[0]}"),
                remedy="give it a parameter with a spec in input_signature, or stop passing it",
            )


def _into_kwargs(keyword: str, kwarg: str, site: TfFunctionSite, call: str) -> str:
    return (
        f"{keyword} goes to **{kwarg} of '{site.target_name}', but under its input_signature only keywords "
        f"naming signature parameters bind: {call} raises TypeError"
    )


def _decorated_function_facts(module: ModuleContext, site: TfFunctionSite):  # -> Optional[FunctionFacts]
    """The project analysis' facts of the decorated function (None for a wrapped one)."""
    if not isinstance(site.target, (ast.FunctionDef, ast.AsyncFunctionDef)) or not site.is_decorator:
        return None
    return module.function_facts.get(site.target.lineno) if module.tree.body else None


def _display_prefix(module: ModuleContext) -> str:
    """How call sites in this module start in the project analysis' evidence ("path:")."""
    from flake8_hybrid.analysis.layout import display_path

    return display_path(os.path.abspath(module.filename)) + ":"


def _python_values_in_this_module(
    module: ModuleContext, site: TfFunctionSite, parameters: list[ast.arg], covered: dict
) -> Iterator[Finding]:
    """Calls in this module passing a Python literal for a covered parameter the body needs as a
    Python value (reported at the argument)."""
    for call in _calls_of(module, site):
        passed = []
        for parameter, argument in zip(parameters, call.args):
            if isinstance(argument, ast.Starred):
                break
            passed.append((parameter.arg, argument))
        passed += [(keyword.arg, keyword.value) for keyword in call.keywords if keyword.arg is not None]
        for name, argument in passed:
            if name not in covered or not _is_python_literal(argument):
                continue
            use = python_value_use(module, site.target, name, covered[name])
            if use is not None:
                problem = _becomes_a_tensor(f"the Python value {ast.unparse(argument)} passed for '{name}'", site, use)
                yield module.finding("HYB305", argument, problem=problem, remedy=_python_value_remedy(name))


def _becomes_a_tensor(passed: str, site: TfFunctionSite, use: "PythonUse") -> str:
    return (
        f"{passed} becomes a tensor under the input_signature of '{site.target_name}': "
        f"'{use.text}' at line {use.line} then {use.outcome}"
    )


def _python_value_remedy(name: str) -> str:
    return f"use TF ops there, or keep '{name}' a Python value outside input_signature (functools.partial)"


def _python_values_from_other_modules(
    module: ModuleContext, site: TfFunctionSite, anchor: ast.AST, covered: dict
) -> Iterator[Finding]:
    """Callers elsewhere in the project that pass Python numbers or strings for covered parameters
    the body needs as Python values (calls in this module are reported at their argument)."""
    facts = _decorated_function_facts(module, site)
    if facts is None or site.target is None:
        return
    here = _display_prefix(module)
    for parameter in facts.parameters:
        elsewhere = [s for s in parameter.primitive_sites if not s.startswith(here)]
        if parameter.name not in covered or not parameter.primitive or not elsewhere:
            continue
        use = python_value_use(module, site.target, parameter.name, covered[parameter.name])
        if use is not None:
            problem = _becomes_a_tensor(f"the Python value passed for '{parameter.name}' at {elsewhere[0]}", site, use)
            yield module.finding("HYB305", anchor, problem=problem, remedy=_python_value_remedy(parameter.name))


# -- HYB305: where a parameter the signature covers needs a Python value ----------
# Measured on TF 2.21 (tests/test_tf_ground_truth.py): under input_signature the parameter is a
# symbolic tensor, and these Python uses of it fail when traced or silently give another value.
# Uses that AutoGraph converts (`for i in range(n):`, `if n > 0:`) and TF ops (`tf.range(n)`,
# `tf.fill([n], x)`, arithmetic) give the same results as the Python value: not reported.
_FAILS = "fails when traced"
_DIFFERS = "gives another value than the Python value would"


@dataclass(frozen=True)
class PythonUse:
    text: str  # the expression that needs a Python value
    line: int
    outcome: str  # _FAILS or _DIFFERS


def python_value_use(module: ModuleContext, function: FunctionNode, name: str, spec: ast.expr) -> Optional[PythonUse]:
    """The first place in ``function``'s body where parameter ``name``, a tensor under the
    signature, is used as only a Python value can be; None when there is none, or when the body
    rebinds the name (then which value a use sees is not known)."""
    nodes = sorted(body_nodes(function), key=lambda node: (getattr(node, "lineno", 0), getattr(node, "col_offset", 0)))
    if any(isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load) for node in nodes):
        return None
    loop_ranges = {id(node.iter) for node in nodes if isinstance(node, (ast.For, ast.AsyncFor))}
    for node in nodes:
        outcome = _python_use_outcome(module, node, name, spec, loop_ranges)
        if outcome:
            return PythonUse(_use_text(node, name), node.lineno, outcome)
    return None


def _use_text(node: ast.AST, name: str) -> str:
    """The use as the message shows it: the expression, or the header of a statement."""
    if isinstance(node, ast.If):
        return f"if {name}:"
    if isinstance(node, ast.While):
        return f"while {name}:"
    if isinstance(node, ast.IfExp):
        return f"... if {name} else ..."
    return _short(node)


def _python_use_outcome(module: ModuleContext, node: ast.AST, name: str, spec: ast.expr, loop_ranges: set) -> str:
    """_FAILS or _DIFFERS when ``node`` uses ``name`` as a Python value, else ""."""
    if isinstance(node, ast.Call):
        return _call_outcome(module, node, name, loop_ranges)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _repetition_outcome(node, name)
    if isinstance(node, ast.Subscript) and _is_python_sequence(node.value) and _mentions_directly(node.slice, name):
        return _FAILS  # TypeError: tuple indices must be integers; slice indices must be integers
    if isinstance(node, ast.JoinedStr) and any(
        isinstance(part, ast.FormattedValue) and _mentions_directly(part.value, name) for part in node.values
    ):
        return _DIFFERS  # the text of the symbolic tensor, 'Tensor("n:0", shape=(), dtype=int32)'
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _is_text(node.left):
        return _DIFFERS if _mentions_directly(node.right, name) else ""
    if _bare_condition(node, name) and _spec_dtype_is_bool(spec) is False:
        return _FAILS  # ValueError: condition of if statement expected to be `tf.bool` scalar
    return ""


def _call_outcome(module: ModuleContext, call: ast.Call, name: str, loop_ranges: set) -> str:
    arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
    if not any(_mentions_directly(argument, name) for argument in arguments):
        return ""
    qualified = module.qualified_name(call.func) or ""
    if qualified.split(".")[0] in ("numpy", "math"):
        return _FAILS  # NotImplementedError: Cannot convert a symbolic tf.Tensor to a numpy array
    builtin = call.func.id if isinstance(call.func, ast.Name) and module.names.binding_of(call.func) is None else ""
    if builtin == "range" and id(call) not in loop_ranges:
        return _FAILS  # a comprehension or list() iterates it: OperatorNotAllowedInGraphError
    if builtin == "str":
        return _DIFFERS
    if isinstance(call.func, ast.Attribute) and call.func.attr == "format" and _is_text(call.func.value):
        return _DIFFERS
    return ""


def _repetition_outcome(node: ast.BinOp, name: str) -> str:
    """``[x] * n``: another value (a tensor, not a list of n items); ``"-" * n``: TypeError."""
    for sequence, count in ((node.left, node.right), (node.right, node.left)):
        if _mentions_directly(count, name):
            if isinstance(sequence, (ast.List, ast.Tuple)):
                return _DIFFERS
            if _is_text(sequence):
                return _FAILS
    return ""


def _bare_condition(node: ast.AST, name: str) -> bool:
    """``if n:``, ``while n:``, ``a if n else b``, ``not n``, ``n and ...``: the tensor itself as the condition."""
    if isinstance(node, (ast.If, ast.While, ast.IfExp)):
        tests = [node.test]
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        tests = [node.operand]
    elif isinstance(node, ast.BoolOp):
        tests = list(node.values)
    else:
        return False
    return any(isinstance(test, ast.Name) and test.id == name for test in tests)


def _spec_dtype_is_bool(spec: ast.expr) -> Optional[bool]:
    """Whether a literal ``tf.TensorSpec(shape, dtype)`` has dtype ``bool``; None when not known."""
    if not (isinstance(spec, ast.Call) and ast.unparse(spec.func).split(".")[-1] == "TensorSpec"):
        return None
    dtype = spec.args[1] if len(spec.args) > 1 else next((k.value for k in spec.keywords if k.arg == "dtype"), None)
    if dtype is None:
        return False  # TensorSpec's default dtype is float32
    if isinstance(dtype, ast.Attribute):
        return dtype.attr == "bool"
    return None


def _mentions_directly(expr: ast.AST, name: str) -> bool:
    """Whether ``name`` is read in ``expr`` outside any call or lambda in it (``n + 1``, not ``tf.shape(n)``)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and node.id == name:
            return True
        if not isinstance(node, (ast.Call, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))
    return False


def _is_python_sequence(expr: ast.expr) -> bool:
    """A list, tuple or string literal, or ``x.shape`` (a TensorShape, indexed by Python ints)."""
    return isinstance(expr, (ast.List, ast.Tuple)) or _is_text(expr) or (
        isinstance(expr, ast.Attribute) and expr.attr == "shape"
    )


def _is_text(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and isinstance(expr.value, str)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _is_python_literal(expr: ast.expr) -> bool:
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
        expr = expr.operand
    return isinstance(expr, ast.Constant) and isinstance(expr.value, (bool, int, float, str))


def _calls_of(module: ModuleContext, site: TfFunctionSite) -> Iterator[ast.Call]:
    """Calls in this module of a decorated function, by its name or as ``self.name``."""
    target = site.target
    if not site.is_decorator or not isinstance(target, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == target.name and not site.bound:
            binding = module.names.binding_of(func)
            if binding is not None and binding.node is target:
                yield node
        elif (
            site.bound
            and isinstance(func, ast.Attribute)
            and func.attr == target.name
            and isinstance(func.value, ast.Name)
            and func.value.id == "self"
        ):
            yield node


# -- HYB306 ----------------------------------------------------------------
def _tensor_parameters(site: TfFunctionSite) -> list[str]:
    specs = _literal_signature(site)
    parameters = signature_parameters(site) or []
    return [parameter.arg for parameter in parameters[: len(specs)]] if specs is not None else []


def _autograph_disabled(module: ModuleContext, site: TfFunctionSite) -> Iterator[Finding]:
    if site.literal("autograph") is not False or site.target is None:
        return
    tensors = LocalTensors(site.target, module.names, module.api, _tensor_parameters(site))
    reported: set[int] = set()
    for node in body_nodes(site.target):
        construct, condition, remedy = _python_control_flow(node)
        if condition is None or id(condition) in reported or not tensors.is_tensor(condition):
            continue
        reported.update(id(n) for n in ast.walk(condition))
        yield module.finding(
            "HYB306",
            node,
            construct=construct,
            expression=_short(condition),
            function=site.target_name,
            remedy=remedy,
        )


def _python_control_flow(node: ast.AST) -> tuple[str, Optional[ast.expr], str]:
    """(construct, the expression Python turns into a bool or iterates, remedy)."""
    if isinstance(node, ast.If):
        return "if", node.test, "tf.cond"
    if isinstance(node, ast.IfExp):
        return "if-else", node.test, "tf.cond or tf.where"
    if isinstance(node, ast.While):
        return "while", node.test, "tf.while_loop"
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return "for", node.iter, "tf.while_loop or tf.map_fn"
    if isinstance(node, ast.BoolOp):
        operator = "and" if isinstance(node.op, ast.And) else "or"
        return operator, node.values[0], f"tf.logical_{operator}"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return "not", node.operand, "tf.logical_not"
    return "", None, ""


def _short(expr: ast.expr, limit: int = 40) -> str:
    text = ast.unparse(expr)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- HYB307 ----------------------------------------------------------------
def _jit_incompatible(module: ModuleContext, site: TfFunctionSite) -> Iterator[Finding]:
    if site.target is None:
        return
    if site.literal("jit_compile") is not True and site.literal("experimental_compile") is not True:
        return
    parameters = {
        arg.arg for arg in (*site.target.args.posonlyargs, *site.target.args.args, *site.target.args.kwonlyargs)
    }
    for node in body_nodes(site.target):
        if not isinstance(node, ast.Call):
            continue
        name = module.qualified_name(node.func)
        if name == "tensorflow.Variable":
            # XLA cannot lift a variable whose initial value depends on the
            # arguments (measured: UnimplementedError); creating one from
            # constants behind a first-call guard compiles.  Unguarded creation
            # fails with or without XLA: that is HYB104's finding.
            if _mentions(node, parameters):
                yield module.finding(
                    "HYB307", node, call=ast.unparse(node.func), reason="a variable initialised from the arguments",
                    function=site.target_name, remedy="create it outside the compiled function",
                )
            continue
        reason = module.api.xla_incompatibility(name) if name else None
        if reason is None or (reason == "string ops" and _all_constant(node, module)):
            # String ops on constants only are folded away before XLA sees them.
            continue
        yield module.finding(
            "HYB307",
            node,
            call=ast.unparse(node.func),
            reason=reason,
            function=site.target_name,
            remedy="move it out of the compiled function or drop jit_compile",
        )


def _mentions(call: ast.Call, names: set[str]) -> bool:
    arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
    return any(isinstance(node, ast.Name) and node.id in names for arg in arguments for node in ast.walk(arg))


def _all_constant(call: ast.Call, module: ModuleContext) -> bool:
    """Whether every argument is a literal or ``tf.constant(<literal>)``."""

    def constant(expr: ast.expr) -> bool:
        if isinstance(expr, ast.Constant):
            return True
        if isinstance(expr, ast.Call) and module.qualified_name(expr.func) == "tensorflow.constant":
            return all(constant(arg) for arg in expr.args)
        if isinstance(expr, (ast.List, ast.Tuple)):
            return all(constant(element) for element in expr.elts)
        return False

    return all(constant(arg) for arg in [*call.args, *(k.value for k in call.keywords)])


# -- HYB309 ----------------------------------------------------------------
def _redundant_reduce_retracing(module: ModuleContext, site: TfFunctionSite) -> Iterator[Finding]:
    if site.literal("reduce_retracing") is not True or _literal_signature(site) is None:
        return
    keyword = site.keywords.get("reduce_retracing")
    fix = keyword_fix(module, "HYB309", keyword, "", None) if keyword is not None else None
    blocker = None if keyword is not None else "given positionally"
    yield module.finding("HYB309", keyword or site.arguments["reduce_retracing"], fix, note=not_fixed_note(blocker))
