"""Run fixture programs in one process: ``python run_programs.py PATH...``.

Each PATH is a Python file defining ``main()`` that returns a JSON-serialisable
dict.  TensorFlow is imported once for all of them; the last line of stdout is
one JSON object mapping each PATH to what its ``main()`` returned.
"""

import json
import os
import runpy
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def run(paths):
    return {path: runpy.run_path(path)["main"]() for path in paths}


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1:])))
