"""HYB301-HYB303, HYB305-HYB309: the arguments given to ``tf.function``."""

from __future__ import annotations

import ast
import difflib
import os
from typing import Iterator, Optional

from flake8_hybrid.analysis.api_model import FunctionParameter
from flake8_hybrid.analysis.local_tensors import LocalTensors, body_nodes
from flake8_hybrid.analysis.module import ModuleContext
from flake8_hybrid.analysis.tf_function import TfFunctionSite, signature_parameters
from flake8_hybrid.findings import Finding, FixIntent
from flake8_hybrid.registry import Applicability, get_rule
from flake8_hybrid.rules import check
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
    arguments = site.target.args
    function = site.target_name
    anchor = site.keywords.get("input_signature") or site.arguments["input_signature"]
    count = len(specs)
    defaults = len(arguments.defaults)
    required = max(0, len(parameters) - defaults)
    remedy = f"make input_signature match the parameters of '{function}'"
    if arguments.kwarg is not None:
        yield module.finding(
            "HYB305",
            anchor,
            problem=f"'{function}' takes **{arguments.kwarg.arg}, but under input_signature every keyword "
            f"argument fails to bind (TypeError)",
            remedy=f"remove **{arguments.kwarg.arg} or input_signature",
        )
    if count > len(parameters) and arguments.vararg is None:
        problem = (
            f"input_signature has {_count(count, 'spec')} but '{function}' takes "
            f"{_count(len(parameters), 'positional parameter')} (TF raises TypeError: extra type constraints)"
        )
    elif count < required:
        problem = (
            f"input_signature has {_count(count, 'spec')} but '{function}' requires {required} "
            f"(TF raises TypeError: missing type constraint for '{parameters[count].arg}')"
        )
    elif count < len(parameters):
        uncovered = ", ".join(f"'{p.arg}'" for p in parameters[count:])
        problem = (
            f"input_signature leaves {uncovered} of '{function}' uncovered: frozen at the default, "
            f"passing a value raises TypeError"
        )
    else:
        problem = ""
    if problem:
        yield module.finding("HYB305", anchor, problem=problem, remedy=remedy)
    covered = {index: parameters[index].arg for index in range(min(count, len(parameters)))}
    yield from _python_values_from_other_modules(module, site, anchor, set(covered.values()))
    for call in _calls_of(module, site):
        for index, argument in enumerate(call.args):
            if isinstance(argument, ast.Starred):
                break
            if index in covered and _is_python_literal(argument):
                yield module.finding(
                    "HYB305",
                    argument,
                    problem=(
                        f"the Python value {ast.unparse(argument)} passed for '{covered[index]}' "
                        f"becomes a tensor under the input_signature of '{function}'"
                    ),
                    remedy="pass a tensor, or leave the parameter out of input_signature",
                )


def _python_values_from_other_modules(
    module: ModuleContext, site: TfFunctionSite, anchor: ast.AST, covered: set
) -> Iterator[Finding]:
    """Callers elsewhere in the project that pass Python numbers or strings for covered parameters
    (calls in this module are reported at their argument below)."""
    if not isinstance(site.target, (ast.FunctionDef, ast.AsyncFunctionDef)) or not site.is_decorator:
        return
    facts = module.function_facts.get(site.target.lineno) if module.tree.body else None
    if facts is None:
        return
    from flake8_hybrid.analysis.project import display_path

    here = display_path(os.path.abspath(module.filename)) + ":"
    for parameter in facts.parameters:
        elsewhere = [s for s in parameter.primitive_sites if not s.startswith(here)]
        if parameter.name in covered and parameter.primitive and elsewhere:
            yield module.finding(
                "HYB305",
                anchor,
                problem=(
                    f"the Python value passed for '{parameter.name}' at {elsewhere[0]} becomes a tensor "
                    f"under the input_signature of '{site.target_name}'"
                ),
                remedy="pass a tensor, or leave the parameter out of input_signature",
            )


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
