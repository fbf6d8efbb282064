"""Inputs that have broken linters: written as bytes, exactly (tests/test_no_crash.py)."""

from __future__ import annotations

from pathlib import Path

TF = "import tensorflow as tf\n\n"


def _nested_defs(depth: int) -> str:
    # CPython allows 100 levels of indentation; keep below it.
    lines = [f"{'    ' * i}def f{i}(x):" for i in range(depth)]
    return TF + "\n".join(lines) + "\n" + "    " * depth + "return tf.nn.relu(x)\n"


def hostile_cases(big: bool = False) -> dict:
    """File name -> bytes. ``big`` adds a 50,000-line TensorFlow module with real code."""
    cases = {
        "empty.py": b"",
        "only_newline.py": b"\n",
        "only_comment.py": b"# tensorflow\n",
        "bom.py": b"\xef\xbb\xbf" + TF.encode() + b"x = tf.ones([2])\n",
        "crlf.py": (TF + "@tf.function\ndef f(x):\n    return x\n").replace("\n", "\r\n").encode(),
        "cr_only.py": (TF + "def f(x):\n    return tf.nn.relu(x)\n").replace("\n", "\r").encode(),
        "no_final_newline.py": (TF + "x = tf.ones([2])").encode(),
        "form_feed.py": (TF + "\f\ndef f(x):\n\f    return tf.nn.relu(x)\n").encode(),
        "syntax_error.py": (TF + "def f(x:\n    return tf.nn.relu(x)\n").encode(),
        "syntax_error_unclosed.py": (TF + "x = tf.ones([2]\n").encode(),
        "null_bytes.py": TF.encode() + b"x = 1\0\0\ny = tf.ones([2])\n",
        "null_in_string.py": TF.encode() + b"x = '\0'\n",
        "mixed_tabs.py": (TF + "def f(x):\n\tif x:\n        return tf.nn.relu(x)\n\treturn x\n").encode(),
        "tabs_consistent.py": (TF + "def f(x):\n\treturn tf.nn.relu(x)\n\nf(tf.ones([2]))\n").encode(),
        "latin1_with_cookie.py": b"# -*- coding: latin-1 -*-\n" + TF.encode() + "s = 'caf\xe9'\n".encode("latin-1"),
        "latin1_without_cookie.py": TF.encode() + "s = 'caf\xe9'  # tensorflow\n".encode("latin-1"),
        "bad_cookie.py": b"# -*- coding: no-such-codec -*-\n" + TF.encode(),
        "cookie_mismatch.py": b"# -*- coding: utf-8 -*-\n" + TF.encode() + b"s = '\xff\xfe'\n",
        "utf16.py": ("# -*- coding: utf-16 -*-\n" + TF).encode("utf-16"),
        "surrogates.py": (TF + "s = '\\ud800'\n").encode(),
        "lambdas_500.py": (TF + "f = " + "lambda: " * 500 + "tf.ones([2])\n").encode(),
        "binop_1000.py": (TF + "def f(x):\n    return " + " + ".join(["tf.nn.relu(x)"] * 1000)
                          + "\n\nf(tf.ones([2]))\n").encode(),
        "attribute_1000.py": (TF + "y = tf" + ".a" * 1000 + "\n").encode(),
        "subscript_1000.py": (TF + "y = tf.ones([2])" + "[0]" * 1000 + "\n").encode(),
        "not_1000.py": (TF + "y = " + "not " * 1000 + "tf.ones([2])\n").encode(),
        "unary_1000.py": (TF + "y = " + "-" * 1000 + "tf.ones([2])\n").encode(),
        "ternary_600.py": (TF + "def f(x):\n    return " + " if x else ".join(["tf.ones([1])"] * 600) + "\n").encode(),
        "call_chain_1000.py": (TF + "y = tf.ones([2])" + ".numpy()" * 1000 + "\n").encode(),
        "parens_150.py": (TF + "z = " + "tf.identity(" * 150 + "tf.ones([2])" + ")" * 150 + "\n").encode(),
        "parens_3000.py": (TF + "z = " + "(" * 3000 + "1" + ")" * 3000 + "\n").encode(),  # CPython refuses
        "string_concat_3000.py": (TF + "y = " + " + ".join(["'a'"] * 3000) + "\n").encode(),  # CPython's ast overflows
        "compare_1000.py": (TF + "y = " + " < ".join(["tf.ones([2])"] * 1000) + "\n").encode(),
        "boolop_3000.py": (TF + "y = " + " and ".join(["tf.ones([2])"] * 3000) + "\n").encode(),
        "nested_defs_90.py": _nested_defs(90).encode(),
        "nested_classes_90.py": (TF + "".join("    " * i + f"class C{i}(tf.keras.Model):\n" for i in range(90))
                                 + "    " * 90 + "def call(self, x):\n" + "    " * 91 + "return x\n").encode(),
        "recursion.py": (TF + "def f(x):\n    return f(tf.nn.relu(x))\n\nf(tf.ones([2]))\n").encode(),
        "mutual_recursion.py": (TF + "".join(f"def f{i}(x):\n    return f{(i + 1) % 50}(tf.nn.relu(x))\n\n"
                                             for i in range(50))
                                + "f0(tf.ones([2]))\n").encode(),
        "star_imports.py": b"from tensorflow import *\nfrom os import *\nfunction(lambda x: x)\n",
        "weird_decorators.py": (TF + "@(lambda f: f)\n@tf.function(\n    jit_compile=True,\n)\n@tf.function\n"
                                "def f(x):\n    return x\n\n@tf.function()()\ndef g(x): return x\n").encode(),
        "walrus_match.py": (TF + "def f(x):\n    match x:\n        case [a, *rest] if (y := a):\n"
                            "            return tf.nn.relu(y)\n        case {'k': v, **kw}:\n            return v\n"
                            "        case tf.Tensor() as t:\n            return t\n"
                            "    return [z := tf.ones([2]) for _ in range(3)]\n").encode(),
        "long_line.py": (TF + "x = [" + ", ".join(["tf.ones([2])"] * (20_000 if big else 5_000)) + "]\n").encode(),
        "table.py": (TF + "TABLE = [\n" + "".join(f"    ({i}, 'k{i}', {i}.5),\n"
                                                  for i in range(50_000 if big else 10_000))
                     + "]\n").encode(),
        "plain_50k_lines.py": "".join(f"x{i} = {i}\n" for i in range(50_000)).encode(),
    }
    if big:
        lines = [TF]
        for i in range(7_000):
            lines.append(f"def f{i}(x, y={i}):\n    z = tf.nn.relu(x) * y + f{max(i - 1, 0)}(x)\n"
                         f"    return tf.reduce_sum(z, axis={i % 3})\n\n\nf{i}(tf.ones([2]), {i})\n\n")
        cases["tf_50k_lines.py"] = "".join(lines).encode()
    return cases


def write_hostile(directory: Path, big: bool = False) -> list:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "setup.cfg").write_text("[metadata]\nname = hostile\n", encoding="utf-8")
    paths = []
    for name, data in hostile_cases(big).items():
        path = directory / name
        path.write_bytes(data)
        paths.append(path)
    return paths
