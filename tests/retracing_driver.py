"""Run the ``case_*`` functions of the retracing fixtures under TensorFlow; print JSON.

    python tests/retracing_driver.py DIR [DIR ...]

For each directory (the fixtures, or a copy the fixer rewrote), imports
hyb201 ... hyb205 from it and calls every ``case_*`` function, each returning
``(count, result)``: traces or graph ops, and what it computed.  One process
for all directories, so TensorFlow is imported once.  Used by
tests/test_retracing_ground_truth.py; the linter itself never imports analyzed code.
"""

from __future__ import annotations

import importlib
import json
import os
import sys

MODULES = ("hyb201", "hyb202", "hyb203", "hyb204", "hyb205")


def run(directory: str) -> dict:
    sys.path.insert(0, directory)
    try:
        results: dict = {}
        for name in MODULES:
            module = importlib.import_module(name)
            cases = {}
            for attribute in sorted(vars(module)):
                if attribute.startswith("case_"):
                    count, value = getattr(module, attribute)()
                    cases[attribute] = [int(count), float(value)]
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
    print(json.dumps({directory: run(directory) for directory in directories}))


if __name__ == "__main__":
    main(sys.argv[1:])
