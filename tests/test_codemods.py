"""The decorator codemods on their own: placement, spelling, imports, comments."""

from __future__ import annotations

import ast
import textwrap

import pytest

from flake8_hybrid.findings import FixIntent
from flake8_hybrid.fix.codemods import IntentConflict, apply_intents
from flake8_hybrid.registry import Applicability


def add(line: int, name: str, decorator: str = "tf.function", add_import: str = "") -> FixIntent:
    return FixIntent("add-decorator", line, 0, name, decorator, Applicability.SAFE, "", add_import=add_import)


def remove(line: int, text: str, remove_import: str = "") -> FixIntent:
    return FixIntent(
        "remove-decorator", line, 0, text, "", Applicability.SAFE, "", remove_import=remove_import,
        span=(line - 1, line - 1),
    )


def fixed(source: str, *intents: FixIntent) -> str:
    result = apply_intents(textwrap.dedent(source), intents)
    ast.parse(result)
    return result


def test_import_goes_after_docstring_future_and_imports() -> None:
    source = '''\
        """Docstring."""
        from __future__ import annotations

        import numpy as np


        def step(x):
            return x
    '''
    assert fixed(source, add(7, "step", add_import="import tensorflow as tf")) == textwrap.dedent('''\
        """Docstring."""
        from __future__ import annotations

        import numpy as np
        import tensorflow as tf


        @tf.function
        def step(x):
            return x
    ''')


def test_import_after_docstring_when_there_are_no_imports() -> None:
    source = '"""Only a docstring."""\n\n\ndef step(x):\n    return x\n'
    assert fixed(source, add(4, "step", add_import="import tensorflow as tf")) == (
        '"""Only a docstring."""\nimport tensorflow as tf\n\n\n@tf.function\ndef step(x):\n    return x\n'
    )


def test_existing_import_is_not_duplicated() -> None:
    source = "import tensorflow as tf\n\n\ndef step(x):\n    return x\n"
    assert fixed(source, add(4, "step", add_import="import tensorflow as tf")).count("import tensorflow") == 1


def test_decorator_is_innermost_and_keeps_indentation() -> None:
    source = '''\
        class Model:
            @staticmethod
            def step(x):  # hot
                return x

            async def later(self, x):
                return x
    '''
    result = fixed(source, add(3, "step"), add(6, "later", "graph"))
    assert "    @staticmethod\n    @tf.function\n    def step(x):  # hot\n" in result
    assert "    @graph\n    async def later(self, x):\n" in result


@pytest.mark.parametrize(
    "decorator, text",
    [
        ("@tf.function", "tf.function"),
        ("@tf.function(jit_compile=False)", "tf.function(jit_compile=False)"),
        ("@tf.function( reduce_retracing = True )", "tf.function(reduce_retracing=True)"),
        ("@tensorflow.compat.v2.function", "tensorflow.compat.v2.function"),
    ],
)
def test_removal_matches_any_spelling(decorator: str, text: str) -> None:
    source = f"import tensorflow as tf\n\n\n@other\n{decorator}\ndef step(x):\n    return x\n"
    assert fixed(source, remove(6, text)) == "import tensorflow as tf\n\n\n@other\ndef step(x):\n    return x\n"


def test_removal_keeps_comments_and_tidies_the_import() -> None:
    source = '''\
        from tensorflow import function, constant

        # Above the decorator.
        @function  # on the decorator
        def step(x):
            return constant(1) + x
    '''
    assert fixed(source, remove(5, "function", remove_import="function")) == textwrap.dedent('''\
        from tensorflow import constant

        # Above the decorator.
        # on the decorator
        def step(x):
            return constant(1) + x
    ''')


def test_removing_the_last_imported_name_removes_the_statement() -> None:
    source = (
        "from tensorflow import function as graph\nimport tensorflow as tf\n\n\n@graph\ndef step(x):\n    return x\n"
    )
    assert fixed(source, remove(6, "graph", remove_import="graph")) == (
        "import tensorflow as tf\n\n\ndef step(x):\n    return x\n"
    )


def test_a_missing_target_is_an_error_not_a_silent_skip() -> None:
    with pytest.raises(IntentConflict):
        apply_intents("def step(x):\n    return x\n", [remove(1, "tf.function")])


@pytest.mark.parametrize(
    "source, spelling, import_line",
    [
        ("import tensorflow as tf\n", "tf.function", ""),
        ("import tensorflow\n", "tensorflow.function", ""),
        ("import tensorflow.compat.v2 as tf2\n", "tf2.function", ""),
        ("from tensorflow import function as graph\n", "graph", ""),
        ("import numpy as np\n", "tf.function", "import tensorflow as tf"),
        ("tf = 'not tensorflow'\n", "tensorflow.function", "import tensorflow"),
    ],
)
def test_hyb001_uses_the_modules_own_spelling(source: str, spelling: str, import_line: str) -> None:
    from flake8_hybrid.analysis.module import ModuleContext
    from flake8_hybrid.rules.hybridization import tf_function_spelling
    from flake8_hybrid.settings import Settings

    module = ModuleContext(ast.parse(source), "model.py", source.splitlines(True), Settings())
    assert tf_function_spelling(module) == (spelling, import_line)
