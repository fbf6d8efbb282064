"""Run the ``case_*`` functions of the retracing fixtures under TensorFlow; print JSON.

    python tests/retracing_driver.py DIR [DIR ...]

For each directory (the fixtures, or a copy the fixer rewrote), imports
hyb201 ... hyb205 from it and calls every ``case_*`` function, each returning
``(count, result)``: traces or graph ops, and what it computed.  A case that
returns ``None`` for the count gets the traces of every tf.function made while
it ran (HYB202: functions made and dropped inside the code under test, which the
case cannot reach): ``tf.function`` is wrapped to remember each object it makes.
One process for all directories, so TensorFlow is imported once.  Used by
tests/test_retracing_ground_truth.py; the linter itself never imports analyzed code.
"""

from __future__ import annotations

import importlib
import json
import os
import sys

MODULES = ("hyb201", "hyb202", "hyb203", "hyb204", "hyb205")
#: Every tf.function object made since the driver started (see record_tf_functions).
MADE: list = []


def record_tf_functions(tf) -> None:
    """Make ``tf.function`` remember each Function it makes, in every spelling the fixtures use."""
    original = tf.function

    def remember(made):
        if hasattr(made, "experimental_get_tracing_count"):
            MADE.append(made)
            return made
        return lambda function: remember(made(function))  # tf.function(jit_compile=...)(f)

    def function(*args, **kwargs):
        return remember(original(*args, **kwargs))

    tf.function = function


def traces() -> int:
    return sum(f.experimental_get_tracing_count() for f in MADE)


def run(directory: str) -> dict:
    sys.path.insert(0, directory)
    try:
        results: dict = {}
        for name in MODULES:
            module = importlib.import_module(name)
            cases = {}
            for attribute in sorted(vars(module)):
                if attribute.startswith("case_"):
                    before = traces()
                    count, value = getattr(module, attribute)()
                    cases[attribute] = [int(traces() - before if count is None else count), float(value)]
            results[name] = cases
        return results
    finally:
        sys.path.remove(directory)
        for name in [m for m in sys.modules if m.startswith("hyb20")]:
            del sys.modules[name]


def main(directories: list[str]) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    record_tf_functions(tf)
    print(json.dumps({directory: run(directory) for directory in directories}))


if __name__ == "__main__":
    main(sys.argv[1:])
