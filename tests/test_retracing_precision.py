"""The retracing rules on evidence that spans files: what makes a finding proven, what makes
it preview, and what makes it none (issues "Right nine times in ten", "Right on real code").

Each test lays out a small project in a temporary directory and lints one of its files
through the library, as flake8 would."""

from __future__ import annotations

import textwrap
from pathlib import Path

from flake8_hybrid.lint import lint_source
from flake8_hybrid.settings import Settings


def lint(root: Path, files: dict[str, str], path: str, code: str, preview: bool = True) -> list:
    """The findings of ``code`` in ``path`` of a project made of ``files``: (tier, line, message)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "setup.cfg").write_text("[metadata]\nname = sample\n")
    for name, source in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(source))
    source = (root / path).read_text()
    findings = lint_source(source, str(root / path), Settings(preview=preview, cache_directory=None))
    return [("preview" if f.preview else "default", f.line, f.message) for f in findings if f.code == code]


# -- HYB202: where the repetition is proven -------------------------------------------------
EVALUATE = """
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(1)])


def evaluate(x):
    @tf.function
    def forward(x):
        return model(x)

    return forward(x)
"""


def test_hyb202_a_loop_in_another_module_proves_the_repetition(tmp_path: Path) -> None:
    main = "from lib import evaluate\n\nfor batch in range(10):\n    evaluate(batch)\n"
    files = {"lib.py": EVALUATE, "main.py": main}
    [(tier, line, message)] = lint(tmp_path, files, "lib.py", "HYB202")
    assert tier == "default" and line == 8
    assert "on every call of 'evaluate', which runs in the loop at" in message and "main.py:4" in message


def test_hyb202_a_loop_in_a_test_is_no_evidence(tmp_path: Path) -> None:
    """Tests are evidence of argument types, never of a hot path."""
    test = "from lib import evaluate\n\ndef test_evaluate():\n    for batch in range(10):\n        evaluate(batch)\n"
    files = {"lib.py": EVALUATE, "tests/test_lib.py": test}
    assert lint(tmp_path, files, "lib.py", "HYB202") == []


def test_hyb202_no_caller_in_the_project_is_an_assumption(tmp_path: Path) -> None:
    [(tier, _line, message)] = lint(tmp_path, {"lib.py": EVALUATE}, "lib.py", "HYB202")
    assert tier == "preview"
    assert message.endswith("(assumed: code outside the project calls 'evaluate' repeatedly)")
    assert lint(tmp_path, {"lib.py": EVALUATE}, "lib.py", "HYB202", preview=False) == []


def test_hyb202_a_caller_that_runs_once_is_no_evidence(tmp_path: Path) -> None:
    files = {"lib.py": EVALUATE, "main.py": "from lib import evaluate\n\nevaluate(1)\n"}
    assert lint(tmp_path, files, "lib.py", "HYB202") == []


def test_hyb202_a_loop_through_graph_code_is_no_evidence(tmp_path: Path) -> None:
    """A function called from a tf.function runs while that traces: once per trace."""
    main = """
    import tensorflow as tf
    from lib import evaluate

    @tf.function
    def step(x):
        return evaluate(x)

    for batch in range(10):
        step(batch)
    """
    assert lint(tmp_path, {"lib.py": EVALUATE, "main.py": main}, "lib.py", "HYB202") == []


def test_hyb202_loops_in_test_files_are_not_reported(tmp_path: Path) -> None:
    test = """
    import tensorflow as tf

    def test_each_new_function_traces():
        for _ in range(3):
            f = tf.function(lambda x: x + 1)
            assert f(tf.constant(1)) == 2
    """
    assert lint(tmp_path, {"tests/test_trace.py": test}, "tests/test_trace.py", "HYB202") == []


def test_hyb202_a_factory_whose_result_is_kept_is_not_reported(tmp_path: Path) -> None:
    """orbit's create_train_loop_fn: the caller keeps what the factory returns."""
    runner = """
    import tensorflow as tf

    class Runner:
        def __init__(self):
            self._loop_fn = None

        def step(self, x):
            return x + 1

        def create_loop_fn(self):
            return tf.function(self.step)

        def train(self, x):
            if self._loop_fn is None:
                self._loop_fn = self.create_loop_fn()
            return self._loop_fn(x)

    runner = Runner()
    for i in range(10):
        runner.train(i)
    """
    assert lint(tmp_path, {"runner.py": runner}, "runner.py", "HYB202") == []


def test_hyb202_names_the_method_it_wraps(tmp_path: Path) -> None:
    source = """
    import tensorflow as tf

    class Task:
        def step(self, x):
            return x * 2

    task = Task()
    for i in range(10):
        tf.function(task.step)(tf.constant(i))
    """
    [(tier, _line, message)] = lint(tmp_path, {"main.py": source}, "main.py", "HYB202")
    assert tier == "default" and message.startswith("HYB202 'task.step' is wrapped in a new tf.function")


# -- HYB201: how many values a loop over range(<parameter>) gives ---------------------------
STEP = """
import tensorflow as tf


@tf.function
def step(x, epoch):
    return x * tf.cast(epoch, tf.float32)


def train(x, epochs):
    for epoch in range(epochs):
        step(x, epoch)
"""


def test_hyb201_counts_what_callers_in_other_modules_pass(tmp_path: Path) -> None:
    main = "import tensorflow as tf\nfrom lib import train\n\nEPOCHS = 20\ntrain(tf.ones([2]), EPOCHS)\n"
    [(tier, _line, message)] = lint(tmp_path, {"lib.py": STEP, "main.py": main}, "lib.py", "HYB201")
    assert tier == "default" and "'epoch' is a Python number that takes 20 values" in message


def test_hyb201_reads_the_loop_from_the_buffer_being_linted(tmp_path: Path) -> None:
    """An editor's unsaved buffer: the loop's bounds are the buffer's, not the file's on disk."""
    main = "import tensorflow as tf\nfrom lib import train\n\nEPOCHS = 20\ntrain(tf.ones([2]), EPOCHS)\n"
    lint(tmp_path, {"lib.py": STEP, "main.py": main}, "lib.py", "HYB201")
    buffer = (tmp_path / "lib.py").read_text().replace("range(epochs)", "range(epochs * 2)")
    findings = lint_source(buffer, str(tmp_path / "lib.py"), Settings(cache_directory=None))
    [message] = [f.message for f in findings if f.code == "HYB201"]
    assert "'epoch' is a Python number that takes 40 values" in message


def test_hyb201_few_values_from_callers_are_no_finding(tmp_path: Path) -> None:
    main = "import tensorflow as tf\nfrom lib import train\n\ntrain(tf.ones([2]), 2)\ntrain(tf.ones([2]), epochs=3)\n"
    assert lint(tmp_path, {"lib.py": STEP, "main.py": main}, "lib.py", "HYB201") == []


def test_hyb201_an_unknown_bound_is_an_assumption(tmp_path: Path) -> None:
    main = "import sys\nimport tensorflow as tf\nfrom lib import train\n\ntrain(tf.ones([2]), int(sys.argv[1]))\n"
    [(tier, _line, message)] = lint(tmp_path, {"lib.py": STEP, "main.py": main}, "lib.py", "HYB201")
    assert tier == "preview" and message.endswith("(assumed: the loop that passes it runs 5 or more times)")


def test_hyb201_counts_defaults_and_constants_made_of_constants(tmp_path: Path) -> None:
    """Bounds, arguments and defaults are summary facts (``range_bounds.py``): a default, and a
    constant defined by other constants, count as before."""
    lib = STEP.replace("def train(x, epochs):", "def train(x, epochs=BASE * 3 - 1):").replace(
        "import tensorflow as tf\n", "import tensorflow as tf\n\nBASE = 7\n")
    [(tier, _line, message)] = lint(tmp_path, {"lib.py": lib, "main.py": "from lib import train\n\ntrain(1.0)\n"},
                                    "lib.py", "HYB201")
    assert tier == "default" and "'epoch' is a Python number that takes 20 values" in message


def test_hyb201_a_constant_defined_by_itself_is_unknown_not_a_crash(tmp_path: Path) -> None:
    """``N = N + 1`` at the top of a module: before bounds were summary facts, following it
    recursed until Python's limit (HYB000)."""
    lib = STEP + "\nN = N + 1\n\n\ndef run(x):\n    train(x, N)\n"
    files = {"lib.py": lib, "main.py": "from lib import run\n\nrun(1.0)\n"}
    [(tier, _line, message)] = lint(tmp_path, files, "lib.py", "HYB201")
    assert tier == "preview" and "(assumed: the loop that passes it runs 5 or more times)" in message


def test_hyb201_a_loop_in_a_test_is_no_hot_path(tmp_path: Path) -> None:
    helper = STEP.partition("def train")[0] + "def apply(x, epoch):\n    return step(x, epoch)\n"
    test = ("import tensorflow as tf\nfrom lib import apply\n\n"
            "def test_apply():\n    for e in range(10):\n        apply(tf.ones([2]), e)\n")
    files = {"lib.py": helper, "tests/test_lib.py": test}
    assert lint(tmp_path, files, "lib.py", "HYB201") == []
    assert lint(tmp_path, files, "tests/test_lib.py", "HYB201") == []


# -- HYB205: a new object per call, in code that runs again and again -------------------------
SCALE = """
import tensorflow as tf


class Config:
    rate = 0.5


@tf.function
def scale(x, config):
    return x * config.rate


def train_step(x):
    return scale(x, Config())
"""


def test_hyb205_a_helper_called_in_a_loop_elsewhere(tmp_path: Path) -> None:
    main = "import tensorflow as tf\nfrom lib import train_step\n\nfor _ in range(10):\n    train_step(tf.ones([2]))\n"
    [(tier, line, message)] = lint(tmp_path, {"lib.py": SCALE, "main.py": main}, "lib.py", "HYB205")
    assert tier == "default" and line == 15 and "'Config()' is a new 'Config' object" in message


def test_hyb205_a_helper_called_in_a_test_loop_only(tmp_path: Path) -> None:
    test = ("import tensorflow as tf\nfrom lib import train_step\n\n"
            "def test_step():\n    for _ in range(10):\n        train_step(tf.ones([2]))\n")
    assert lint(tmp_path, {"lib.py": SCALE, "tests/test_lib.py": test}, "lib.py", "HYB205") == []


# -- HYB203: where the shapes come from -------------------------------------------------------
TOTAL = """
import tensorflow as tf


@tf.function
def total(tokens):
    return tf.reduce_sum(tokens)
"""
PADDED_LOOP = """
for tokens in tf.data.Dataset.range(1, 20).map(tf.range).padded_batch(4):
    total(tokens)
"""


def test_hyb203_batches_of_many_shapes_from_another_module(tmp_path: Path) -> None:
    main = "import tensorflow as tf\nfrom lib import total\n" + PADDED_LOOP
    [(tier, line, message)] = lint(tmp_path, {"lib.py": TOTAL, "main.py": main}, "lib.py", "HYB203")
    assert tier == "default" and line == 6 and "batches from padded_batch" in message


def test_hyb203_a_loop_in_a_test_is_no_evidence(tmp_path: Path) -> None:
    test = "import tensorflow as tf\nfrom lib import total\n\ndef test_total():" + PADDED_LOOP.replace("\n", "\n    ")
    assert lint(tmp_path, {"lib.py": TOTAL, "tests/test_lib.py": test}, "lib.py", "HYB203") == []
