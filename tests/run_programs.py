"""Run fixture programs in one process: ``python run_programs.py PATH...``.

Each PATH is a Python file defining ``main()`` that returns a JSON-serialisable
dict.  TensorFlow is imported once for all of them; the last line of stdout is
one JSON object mapping each PATH to what its ``main()`` returned.

``python run_programs.py --dirs [DIR...]`` runs program directories instead:
each DIR holds an entry script ``main.py`` (and maybe modules and packages it
imports).  With no DIR on the command line, TensorFlow is imported first and
the directories are then read from stdin, one per line until end of input, so
a caller can start this process before its programs are ready.  For each
directory, in order: the Keras/NumPy/Python seeds are reset, DIR goes first on
``sys.path``, ``main()`` runs with stdout captured, and afterwards the
program's modules are dropped from ``sys.modules`` (two programs may both have
a ``model.py``).  A failing program is a result, not a crash: the last line of
stdout maps each DIR to ``{"ok": bool, "result": ..., "stdout": str,
"error": str|None}``.
"""

import contextlib
import io
import json
import os
import runpy
import sys
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def run(paths):
    return {path: runpy.run_path(path)["main"]() for path in paths}


def _forget_modules(directory):
    prefix = directory + os.sep
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if path and os.path.realpath(path).startswith(prefix):
            del sys.modules[name]


def run_directory(directory):
    """Run ``directory/main.py``'s ``main()`` in this process, as a project of its own."""
    import tensorflow as tf

    directory = os.path.realpath(directory)
    tf.keras.utils.set_random_seed(0)  # the same start for every program, whatever ran before
    output = io.StringIO()
    saved_path = list(sys.path)
    sys.path.insert(0, directory)
    try:
        with contextlib.redirect_stdout(output):
            result = runpy.run_path(os.path.join(directory, "main.py"))["main"]()
        json.dumps(result)  # fails here, for this program only, when not serialisable
        return {"ok": True, "result": result, "stdout": output.getvalue(), "error": None}
    except BaseException:  # noqa: B902 - a failing program is a result, not a crash
        return {"ok": False, "result": None, "stdout": output.getvalue(), "error": traceback.format_exc()}
    finally:
        sys.path[:] = saved_path
        _forget_modules(directory)


def run_directories(directories):
    if not directories:
        import tensorflow  # noqa: F401 - the slow import, before the programs are ready

        directories = (line.strip() for line in sys.stdin if line.strip())
    return {directory: run_directory(directory) for directory in directories}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--dirs"]:
        sys.dont_write_bytecode = True  # no __pycache__ next to the programs
        print(json.dumps(run_directories(sys.argv[2:])))
    else:
        print(json.dumps(run(sys.argv[1:])))
