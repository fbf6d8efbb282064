"""Run fixture functions eagerly and as graphs: ``python graph_truth_runner.py MODULE.py...``.

Every function named ``case_<name>`` in each module runs twice, in a fresh
state of its module's ``reset()`` when it has one: first with
``tf.config.run_functions_eagerly(True)`` (every ``tf.function`` body runs as
plain Python), then with ``False`` (the bodies are traced into graphs).  For
each run it records what the case returned (tensors as nested lists, floats
rounded), the error it raised (type and first line), and everything written
to standard output and standard error (Python streams and the file
descriptors TensorFlow's C++ ``tf.print`` writes to).

Modules are imported by path under their own names, with their directory
first on ``sys.path`` (fixtures import their helper modules).  The last line
of stdout is one JSON object: ``{path: {case: {"eager": run, "graph": run}}}``.
"""

import contextlib
import importlib.util
import io
import json
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def plain(value):
    """A JSON-able copy of a case's result."""
    import numpy as np
    import tensorflow as tf

    if isinstance(value, (tf.Tensor, tf.Variable)):
        value = value.numpy()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float):
        return round(value, 5)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return repr(value)


@contextlib.contextmanager
def captured():
    """Python's and the C++ runtime's stdout and stderr, as text, while the block runs."""
    out = {"stdout": "", "stderr": ""}
    files = {fd: tempfile.TemporaryFile(mode="w+b") for fd in (1, 2)}
    saved = {fd: os.dup(fd) for fd in files}
    python_out, python_err = io.StringIO(), io.StringIO()
    sys.stdout.flush()
    sys.stderr.flush()
    for fd, file in files.items():
        os.dup2(file.fileno(), fd)
    try:
        with contextlib.redirect_stdout(python_out), contextlib.redirect_stderr(python_err):
            yield out
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, file in files.items():
            os.dup2(saved[fd], fd)
            os.close(saved[fd])
            file.seek(0)
            text = file.read().decode("utf-8", "replace")
            file.close()
            key = "stdout" if fd == 1 else "stderr"
            out[key] = (python_out if fd == 1 else python_err).getvalue() + text


def run_case(function, eager):
    import tensorflow as tf

    tf.config.run_functions_eagerly(eager)
    record = {"ok": True, "result": None, "error": None}
    try:
        with captured() as streams:
            try:
                record["result"] = plain(function())
            except Exception as error:  # noqa: B902 - a failing case is a result
                first = (str(error).strip().splitlines() or [""])[-1]
                record.update(ok=False, error=f"{type(error).__name__}: {first[:300]}")
    finally:
        tf.config.run_functions_eagerly(False)
    record["stdout"] = streams["stdout"]
    # TensorFlow's own log lines (warnings about retracing, AutoGraph) are not the program's output.
    record["stderr"] = "".join(
        line for line in streams["stderr"].splitlines(keepends=True)
        if not line.startswith(("WARNING:", "W0000", "I0000", "E0000", "ERROR:tensorflow"))
    )
    return record


def load(path):
    directory = os.path.dirname(os.path.abspath(path))
    if directory not in sys.path:
        sys.path.insert(0, directory)
    name = "truth_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def run_module(path):
    module = load(path)
    results = {}
    for name in sorted(n for n in vars(module) if n.startswith("case_")):
        function = getattr(module, name)
        results[name[len("case_"):]] = {"eager": run_case(function, True), "graph": run_case(function, False)}
    return results


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    import tensorflow  # noqa: F401 - the slow import, once

    print(json.dumps({path: run_module(path) for path in sys.argv[1:]}))
