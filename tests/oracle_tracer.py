"""Runtime oracle: run fixture programs under real TensorFlow and record every call.

    python tests/oracle_tracer.py PROGRAM_DIR...

Each PROGRAM_DIR holds an entry script ``main.py``.  For every call of a
function defined in a file under the program's directory, the tracer records
what each argument actually was.  TensorFlow is imported once for all
programs; the program's own modules are dropped from ``sys.modules`` between
programs, so two programs may both have a ``models.py``.

The last line of stdout is one JSON object::

    {"programs": {DIR: {"ok": bool, "error": str|None, "output": str,
                        "functions": [{"path", "qualname", "first_line", "calls",
                                       "parameters": {NAME: {"kinds": [...], "values": [...]}}}]}}}

``kinds`` are the kinds of value the parameter received (``tensor``,
``variable``, ``container_tensor``, ``ndarray``, ``int``, ``float``, ``bool``,
``str``, ``none``, ``list``, ``callable``, ``keras``, ``object:Name`` ...);
``values`` are ``kind:digest`` of the Python scalars it received (a digest of
the repr, at most 20 per parameter), so a reader can tell a constant from a
varying Python value.  Run it in a subprocess: it imports TensorFlow and
changes global TensorFlow settings.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import io
import json
import os
import runpy
import sys
import threading
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.dont_write_bytecode = True  # no __pycache__ in the fixture tree

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

# Graph code is invisible to a Python profiler: a tf.function body runs as
# Python only while it is traced (once per input signature, with symbolic
# tensors), and a Dataset.map callback only while tf.data traces it into a
# graph function; afterwards the graph runs in C++ and the profiler sees no
# call.  Running tf.functions eagerly and tf.data in debug mode turns both back
# into plain Python calls, one per actual call, with the actual arguments.
tf.config.run_functions_eagerly(True)
tf.data.experimental.enable_debug_mode()

#: Code objects that are not functions a user defines (comprehensions, module
#: code); class bodies are excluded by flags (they are not CO_OPTIMIZED).
_NOT_FUNCTIONS = frozenset({"<module>", "<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>"})
_TENSOR_KINDS = frozenset({"tensor", "variable", "container_tensor"})
_MAX_VALUES = 20


def _is_tensor(value: object) -> bool:
    return isinstance(value, (tf.Tensor, tf.Variable)) or tf.is_tensor(value)


def kind_of(value: object, depth: int = 0) -> str:
    """What a value is, in the terms of the static analysis' abstract values."""
    if isinstance(value, tf.Variable):
        return "variable"
    if _is_tensor(value):
        return "tensor"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, (str, bytes)):
        return "str"
    if isinstance(value, np.ndarray):
        return "ndarray"
    if isinstance(value, np.generic):
        return "numpy_scalar"
    if isinstance(value, (list, tuple, dict)):
        # A container holding at least one tensor is tensor-like: the
        # analysis treats containers of tensors as tensor evidence.
        items = value.values() if isinstance(value, dict) else value
        if depth < 4 and any(kind_of(item, depth + 1) in _TENSOR_KINDS for item in items):
            return "container_tensor"
        return type(value).__name__
    if isinstance(value, tf.data.Dataset):
        return "dataset"
    if isinstance(value, (tf.keras.layers.Layer, tf.keras.Model)):
        return "keras"
    if inspect.isroutine(value) or isinstance(value, functools.partial):
        return "callable"
    return f"object:{type(value).__name__}"


def _digest(value: object) -> str:
    return hashlib.sha1(repr(value).encode()).hexdigest()[:10]


class Tracer:
    """A profile function recording calls of code under one directory."""

    def __init__(self, directory: str) -> None:
        self.prefix = os.path.realpath(directory) + os.sep
        self.lock = threading.Lock()
        self.records: dict[tuple, dict] = {}
        self._ours: dict[object, bool] = {}  # code object -> defined in the program?

    def ours(self, code) -> bool:
        known = self._ours.get(code)
        if known is None:
            known = (
                bool(code.co_flags & inspect.CO_OPTIMIZED)
                and code.co_name not in _NOT_FUNCTIONS
                and os.path.realpath(code.co_filename).startswith(self.prefix)
            )
            self._ours[code] = known
        return known

    def __call__(self, frame, event: str, arg: object) -> None:
        if event != "call" or not self.ours(frame.f_code):
            return
        code = frame.f_code
        if code.co_flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE) and frame.f_lasti > 0:
            return  # a generator resuming, not a call
        names = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
        extra = code.co_argcount + code.co_kwonlyargcount
        if code.co_flags & inspect.CO_VARARGS:
            names.append(code.co_varnames[extra])
            extra += 1
        if code.co_flags & inspect.CO_VARKEYWORDS:
            names.append(code.co_varnames[extra])
        if names and names[0] in ("self", "cls") and "." in code.co_qualname:
            names = names[1:]  # the receiver of a method
        arguments = frame.f_locals
        observed = {}
        for name in names:
            value = arguments.get(name)
            if code.co_flags & inspect.CO_VARKEYWORDS and name == names[-1] and isinstance(value, dict):
                value = tuple(value.values())  # **kwargs: what the keywords carried
            kind = kind_of(value)
            observed[name] = (kind, f"{kind}:{_digest(value)}" if _is_scalar(value) else None)
        key = (os.path.realpath(code.co_filename), code.co_qualname, code.co_firstlineno)
        with self.lock:
            record = self.records.setdefault(key, {"calls": 0, "parameters": {}})
            record["calls"] += 1
            for name, (kind, digest) in observed.items():
                parameter = record["parameters"].setdefault(name, {"kinds": set(), "values": set()})
                parameter["kinds"].add(kind)
                if digest is not None and len(parameter["values"]) < _MAX_VALUES:
                    parameter["values"].add(digest)

    def report(self) -> list[dict]:
        return [
            {
                "path": path,
                "qualname": qualname,
                "first_line": line,
                "calls": record["calls"],
                "parameters": {
                    name: {"kinds": sorted(p["kinds"]), "values": sorted(p["values"])}
                    for name, p in record["parameters"].items()
                },
            }
            for (path, qualname, line), record in sorted(self.records.items())
        ]


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, (bool, int, float, str, bytes))


@contextlib.contextmanager
def _profiling(tracer: Tracer):
    """Install ``tracer`` in this thread and in the threads that run tf.data callbacks.

    In debug mode tf.data runs a ``map`` callback through ``py_function`` on
    one of its own C++ threads, where ``sys.setprofile`` of the main thread
    (and ``threading.setprofile``, for threads ``threading`` starts) does not
    reach.  Every such call enters Python through ``script_ops.FuncRegistry``,
    so that is where the tracer installs itself on first use in a thread.
    """
    from tensorflow.python.ops import script_ops

    original = script_ops.FuncRegistry.__call__

    def traced_call(self, *args, **kwargs):
        if sys.getprofile() is not tracer:
            sys.setprofile(tracer)
        return original(self, *args, **kwargs)

    script_ops.FuncRegistry.__call__ = traced_call
    threading.setprofile(tracer)
    sys.setprofile(tracer)
    try:
        yield
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
        script_ops.FuncRegistry.__call__ = original


def _forget_modules(directory: str) -> None:
    prefix = os.path.realpath(directory) + os.sep
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if path and os.path.realpath(path).startswith(prefix):
            del sys.modules[name]


def run_program(directory: str) -> dict:
    directory = os.path.realpath(directory)
    tracer = Tracer(directory)
    output = io.StringIO()
    saved_path = list(sys.path)
    sys.path.insert(0, directory)
    error = None
    try:
        with contextlib.redirect_stdout(output), _profiling(tracer):
            runpy.run_path(os.path.join(directory, "main.py"), run_name="__main__")
    except BaseException:  # noqa: B902 - a failing program is a result, not a crash
        error = traceback.format_exc()
    finally:
        sys.path[:] = saved_path
        _forget_modules(directory)
    return {"ok": error is None, "error": error, "output": output.getvalue(), "functions": tracer.report()}


def main(directories: list[str]) -> int:
    results = {}
    for directory in directories:
        tf.keras.utils.set_random_seed(0)
        results[directory] = run_program(directory)
    sys.stdout.write(json.dumps({"programs": results}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
