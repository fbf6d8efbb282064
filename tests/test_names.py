"""Import resolution and tf.function site recognition: every way code reaches TensorFlow."""

from __future__ import annotations

import ast
import textwrap

import pytest

from flake8_hybrid.analysis.api_model import api_model
from flake8_hybrid.analysis.names import ModuleNames
from flake8_hybrid.analysis.tf_function import find_tf_function_sites, signature_parameters


def _names(source: str) -> tuple[ast.Module, ModuleNames]:
    tree = ast.parse(textwrap.dedent(source))
    api = api_model()
    return tree, ModuleNames(tree, api.canonical, api.star_exports)


def _resolve_marked(source: str) -> str | None:
    """Resolve the expression assigned to ``probe`` (the last one in the module)."""
    tree, names = _names(source)
    probes = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "probe" for t in node.targets)
    ]
    return names.qualified_name(probes[-1])


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import tensorflow as tf\nprobe = tf.function", "tensorflow.function"),
        ("import tensorflow\nprobe = tensorflow.function", "tensorflow.function"),
        ("from tensorflow import function\nprobe = function", "tensorflow.function"),
        ("from tensorflow import function as tff\nprobe = tff", "tensorflow.function"),
        ("import tensorflow as tf\nprobe = tf.compat.v2.function", "tensorflow.function"),
        ("import tensorflow.compat.v2 as tf\nprobe = tf.function", "tensorflow.function"),
        ("import tensorflow.compat.v2\nprobe = tensorflow.compat.v2.function", "tensorflow.function"),
        ("import tensorflow as tf\nprobe = tf.compat.v1.function", "tensorflow.function"),
        ("from tensorflow.python.eager.def_function import function\nprobe = function", "tensorflow.function"),
        ("from tensorflow import config\nprobe = config.run_functions_eagerly",
         "tensorflow.config.run_functions_eagerly"),
        ("from tensorflow import *\nprobe = function", "tensorflow.function"),
        ("from tensorflow import *\nprobe = config.run_functions_eagerly", "tensorflow.config.run_functions_eagerly"),
        # A name TensorFlow does not export stays unresolved under a star import.
        ("from tensorflow import *\nprobe = not_a_tf_name", None),
        # Conditional imports: the except branch is a fallback, not a shadow.
        ("try:\n    import tensorflow as tf\nexcept ImportError:\n    tf = None\nprobe = tf.function",
         "tensorflow.function"),
        ("import numpy as np\nprobe = np.function", "numpy.function"),
    ],
)
def test_spellings_resolve(source: str, expected: str | None) -> None:
    assert _resolve_marked(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        # A local rebinding shadows the import from there on.
        "from tensorflow import function\ndef function(f):\n    return f\nprobe = function",
        "import tensorflow as tf\ntf = object()\nprobe = tf.function",
        # A parameter, a local variable, a loop variable, a comprehension variable.
        "import tensorflow as tf\ndef f(tf):\n    probe = tf.function",
        "import tensorflow as tf\ndef f():\n    tf = make()\n    probe = tf.function",
        "import tensorflow as tf\nfor tf in range(3):\n    probe = tf.function",
        "from tensorflow import function\nprobe = [function for function in range(3)][0]",
        # A star-imported name that the module binds itself.
        "from tensorflow import *\ndef function(f):\n    return f\nprobe = function",
        # global / nonlocal rebinding.
        "import tensorflow as tf\ndef f():\n    global tf\n    tf = None\nprobe = tf.function",
        "import tensorflow as tf\nwith open('x') as tf:\n    probe = tf.function",
    ],
)
def test_shadowing_is_not_tensorflow(source: str) -> None:
    resolved = _resolve_marked(source)
    assert resolved is None or not resolved.startswith("tensorflow"), resolved


def test_use_before_a_shadowing_def_still_sees_the_import() -> None:
    source = """
        from tensorflow import function
        probe = function
        def function(f):
            return f
    """
    assert _resolve_marked(source) == "tensorflow.function"


def test_class_scope_is_invisible_to_methods() -> None:
    source = """
        import tensorflow as tf
        class Model:
            tf = None
            def step(self):
                probe = tf.function
    """
    assert _resolve_marked(source) == "tensorflow.function"


def test_nested_function_sees_enclosing_import() -> None:
    source = """
        def build():
            import tensorflow as tf
            def inner():
                probe = tf.function
    """
    assert _resolve_marked(source) == "tensorflow.function"


# -- tf.function sites -------------------------------------------------------
SITES = """
import tensorflow as tf
from tensorflow import function as tff


@tf.function
def bare(x):
    return x


@tff(jit_compile=True)
def called(x):
    return x


def plain(x, y):
    return x


wrapped = tf.function(plain, [tf.TensorSpec([None])], False)
applied = tf.function(reduce_retracing=True)(plain)
lam = tf.function(lambda a, b: a)


class Model(tf.Module):
    @tf.function(input_signature=[])
    def method(self, x):
        return x

    @staticmethod
    @tf.function
    def static(x):
        return x

    def __init__(self):
        self.step = tf.function(self.method)


def outer():
    @tf.function
    def nested(x):
        return x

    return nested
"""


@pytest.fixture(scope="module")
def sites():
    tree, names = _names(SITES)
    return {site.target_name if site.target else ast.unparse(site.node): site
            for site in find_tf_function_sites(tree, names, api_model())}


def test_every_form_is_a_site(sites) -> None:
    assert set(sites) == {"bare", "called", "plain", "<lambda>", "method", "static", "nested"}
    # 'plain' is wrapped twice; the dict keeps one, so count separately.
    tree, names = _names(SITES)
    targets = [s.target_name for s in find_tf_function_sites(tree, names, api_model())]
    assert targets.count("plain") == 2 and targets.count("method") == 2


def test_arguments_follow_tf_positional_order(sites) -> None:
    tree, names = _names(SITES)
    wrapped = next(s for s in find_tf_function_sites(tree, names, api_model())
                   if s.target_name == "plain" and s.call and s.call.args)
    assert list(wrapped.arguments) == ["func", "input_signature", "autograph"]
    assert wrapped.literal("autograph") is False
    assert sites["called"].literal("jit_compile") is True
    assert sites["bare"].call is None and sites["bare"].is_decorator


def test_methods_drop_self_unless_static(sites) -> None:
    assert [p.arg for p in signature_parameters(sites["method"])] == ["x"]
    assert [p.arg for p in signature_parameters(sites["static"])] == ["x"]
    assert sites["method"].bound and not sites["static"].bound
    tree, names = _names(SITES)
    through_self = [s for s in find_tf_function_sites(tree, names, api_model())
                    if s.target_name == "method" and not s.is_decorator]
    assert through_self and through_self[0].bound


def test_applied_form_reads_the_inner_call(sites) -> None:
    tree, names = _names(SITES)
    applied = [s for s in find_tf_function_sites(tree, names, api_model()) if "reduce_retracing" in s.arguments]
    assert len(applied) == 1 and applied[0].target_name == "plain"


#: Sites a search by lines must not miss: an import's own name for tf.function (with its
#: ``as`` and a comment on other lines), decorators above their def, an attribute's last
#: word on the next line, lines ended by \r (a form feed ends none).
HIDDEN_SITES = """\
import tensorflow as tf
from tensorflow import (function  # the decorator
    as
    compiled)
\f
class Model(tf.Module):
    \"\"\"Its steps run under tf.function.\"\"\"

    def helper(self):
        return 1

    @compiled
    def step(self, x):
        return x

    @tf.\\
function
    def other(self, x):
        return x

def make():
    g = compiled(lambda x: x)
    return tf.function(jit_compile=True)(make)
"""


def _found(sites) -> list:
    return [(ast.dump(site.node), site.target_name, site.bound) for site in sites]


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_the_search_by_lines_finds_every_site(line_end) -> None:
    source = HIDDEN_SITES.replace("\n", line_end)
    tree = ast.parse(source)
    api = api_model()
    names = ModuleNames(tree, api.canonical, api.star_exports)
    everywhere = _found(find_tf_function_sites(tree, names, api))
    assert [target for _, target, _ in everywhere] == ["step", "other", "<lambda>", "make"]
    assert _found(find_tf_function_sites(tree, lambda: names, api, source)) == everywhere


def test_a_module_without_a_site_needs_no_names() -> None:
    source = (
        "import functools\n"
        "def function_of(x):\n"
        "    'Not a tf.function.'\n"
        "    return functools.partial(x, function=None)\n"
    )
    tree = ast.parse(source)
    assert find_tf_function_sites(tree, lambda: pytest.fail("names made"), api_model(), source) == []


def test_a_binding_knows_the_value_a_plain_assignment_gives_it() -> None:
    tree, names = _names(
        "import logging\n"
        "log = logging.getLogger(__name__)\n"
        "level: int = 3\n"
        "a, b = 1, 2\n"
        "total: float\n"
        "for step in range(3):\n"
        "    log.info(step, level, a, total)\n"
    )
    loads = {node.id: names.binding_of(node) for node in ast.walk(tree)
             if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    assert ast.unparse(loads["log"].value) == "logging.getLogger(__name__)"
    assert ast.unparse(loads["level"].value) == "3"
    assert loads["a"].value is None  # unpacking: no single value
    assert loads["step"].value is None  # a loop variable
    assert names.module_scope.bindings["total"][-1].value is None  # annotated, never assigned
