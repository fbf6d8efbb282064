"""The analysis engine: each kind of evidence, each fact, across modules (issue: the analysis engine)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_hybrid.analysis.api_model import api_model
from flake8_hybrid.analysis.layout import find_project_root
from flake8_hybrid.analysis.project import FunctionFacts, Project
from flake8_hybrid.analysis.summary import KERAS_CALL_OPS, MAX_WEIGHT, SUBSCRIPT_OPS


def analyze(root: Path, files: dict[str, str], cache: str | None = None) -> dict[str, FunctionFacts]:
    root.mkdir(parents=True, exist_ok=True)
    (root / "setup.cfg").write_text("[metadata]\nname = sample\n")
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    project = Project(str(root), api_model(), cache_directory=cache)
    assert project.errors == {}
    return {facts.qualname: facts for facts in project.facts().values()}


def tensor(facts: FunctionFacts, name: str):
    return next(p for p in facts.parameters if p.name == name).tensor


def primitive(facts: FunctionFacts, name: str):
    return next(p for p in facts.parameters if p.name == name).primitive


def evidence(facts: FunctionFacts, name: str) -> str:
    return " | ".join(next(p for p in facts.parameters if p.name == name).evidence)


# -- point 2: tensor parameters from call sites ---------------------------------
TENSOR_SOURCES = {
    "tf_op": "step(tf.zeros([2]))",
    "variable": "step(tf.Variable(1.0))",
    "keras_layer": "step(tf.keras.layers.Dense(2)(tf.ones([1, 2])))",
    "keras_model": "model = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nstep(model(tf.ones([1, 2])))",
    "container": "step([tf.ones([2]), tf.zeros([2])])",
    "dataset_loop": (
        "for x, y in tf.data.Dataset.from_tensor_slices((tf.ones([4]), tf.ones([4]))).batch(2):\n"
        "    step(x)"
    ),
    "dataset_enumerate": "ds = tf.data.Dataset.range(3)\nfor i, x in enumerate(ds):\n    step(x)",
    "dataset_next": "ds = tf.data.Dataset.range(3).map(lambda v: v * 2)\nstep(next(iter(ds)))",
    "return_value": "def make():\n    return tf.ones([2])\nstep(make())",
    "assignment_unpacking": "a, b = tf.ones([2]), 3\nc = a\nstep(c)",
    "keyword": "step(x=tf.ones([2]))",
    "partial": "import functools\np = functools.partial(step)\np(tf.ones([2]))",
    "main_block": "if __name__ == '__main__':\n    step(tf.ones([2]))",
}


@pytest.mark.parametrize("kind", sorted(TENSOR_SOURCES))
def test_tensor_parameter_from_call_site(tmp_path: Path, kind: str) -> None:
    source = "import tensorflow as tf\n\n\ndef step(x):\n    return x * 2\n\n\n" + TENSOR_SOURCES[kind] + "\n"
    facts = analyze(tmp_path, {"train.py": source})
    assert tensor(facts["step"], "x") is True, evidence(facts["step"], "x")
    assert "train.py:" in evidence(facts["step"], "x")


@pytest.mark.parametrize(
    "call, expected",
    [
        ("step(np.zeros(3))", "a NumPy array"),
        ("step([1, 2, 3])", "a Python container"),
        ("step('text')", "a Python string"),
        ("step(None)", "None"),
        ("step(Config())", "an object"),
    ],
)
def test_non_tensor_arguments(tmp_path: Path, call: str, expected: str) -> None:
    source = f"""
        import dataclasses
        import numpy as np


        @dataclasses.dataclass
        class Config:
            rate: float = 0.1


        def step(x):
            return x


        {call}
    """
    facts = analyze(tmp_path, {"main.py": source})
    assert tensor(facts["step"], "x") is False
    assert expected in evidence(facts["step"], "x")


def test_no_call_site_is_unknown(tmp_path: Path) -> None:
    facts = analyze(tmp_path, {"lib.py": "def helper(x):\n    return x\n"})
    assert tensor(facts["helper"], "x") is None
    assert facts["helper"].has_tensor_parameter is None


def test_methods_bound_methods_and_attributes(tmp_path: Path) -> None:
    source = """
        import tensorflow as tf


        class Trainer:
            def __init__(self):
                self.weights = tf.Variable(tf.ones([2]))

            def loss(self, prediction):
                return tf.reduce_sum(prediction)

            def step(self, batch):
                return self.loss(batch * self.weights)

            def scale(self, values):
                return values


        trainer = Trainer()
        trainer.step(tf.ones([2]))
        scale = trainer.scale
        scale(trainer.weights)
    """
    facts = analyze(tmp_path, {"trainer.py": source})
    assert tensor(facts["Trainer.step"], "batch") is True
    assert tensor(facts["Trainer.loss"], "prediction") is True
    assert tensor(facts["Trainer.scale"], "values") is True
    assert [p.name for p in facts["Trainer.step"].parameters] == ["batch"]  # self is not a parameter fact


def test_dataset_map_callback_and_type_hints(tmp_path: Path) -> None:
    source = """
        import tensorflow as tf


        def augment(image, label):
            return tf.image.flip_left_right(image), label


        def hinted(x: tf.Tensor, rate: float):
            return x * rate


        ds = tf.data.Dataset.from_tensor_slices((tf.ones([4, 2, 2, 1]), tf.ones([4]))).map(augment)
    """
    facts = analyze(tmp_path, {"data.py": source})
    assert tensor(facts["augment"], "image") is True and tensor(facts["augment"], "label") is True
    assert "tf.data elements (Dataset.map)" in evidence(facts["augment"], "image")
    assert facts["augment"].runs_as_graph
    assert tensor(facts["hinted"], "x") is True and "annotated" in evidence(facts["hinted"], "x")
    assert tensor(facts["hinted"], "rate") is None


def test_speculative_keras_conventions(tmp_path: Path) -> None:
    source = """
        import tensorflow as tf


        class Block(tf.keras.layers.Layer):
            def call(self, inputs, training=False):
                return inputs


        class Model(tf.keras.Model):
            def train_step(self, data):
                return {}
    """
    facts = analyze(tmp_path, {"model.py": source})
    call = facts["Block.call"]
    assert tensor(call, "inputs") is True and call.speculative
    assert "assumed: 'call' of a Keras Model/Layer subclass receives tensors" in evidence(call, "inputs")
    assert facts["Model.train_step"].speculative and tensor(facts["Model.train_step"], "data") is True


def test_keras_call_through_model_instance(tmp_path: Path) -> None:
    source = """
        import tensorflow as tf


        class Net(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = tf.keras.layers.Dense(1)

            def call(self, inputs):
                return self.dense(inputs)


        net = Net()
        net(tf.ones([1, 2]))
    """
    facts = analyze(tmp_path, {"net.py": source})
    assert tensor(facts["Net.call"], "inputs") is True and not facts["Net.call"].speculative


# -- point 3: primitive parameters ----------------------------------------------
def test_primitive_parameters(tmp_path: Path) -> None:
    source = """
        import tensorflow as tf


        def scaled(x, factor, training):
            return x * factor


        for epoch in range(10):
            scaled(tf.ones([2]), epoch, True)
        step = 0
        while step < 3:
            step += 1
            scaled(tf.ones([2]), step, False)
        scaled(tf.ones([2]), 0.5, training=False)
    """
    facts = analyze(tmp_path, {"loop.py": source})
    function = facts["scaled"]
    assert primitive(function, "factor") is True and primitive(function, "x") is False
    assert primitive(function, "training") is False  # booleans take few values: not primitive
    assert "changes per iteration" in evidence(function, "factor")
    assert function.has_primitive_parameter is True


# -- point 4: Python side effects ---------------------------------------------------
def test_side_effects_and_non_effects(tmp_path: Path) -> None:
    source = """
        import logging
        import random
        import tensorflow as tf

        STEPS = 0
        history = []


        def counts(x):
            global STEPS
            STEPS += 1
            return x


        def records(x):
            history.append(x)
            return x


        def writes_argument(x, log):
            log["x"] = x
            return x


        def prints(x):
            print("value", x)
            return x


        def logs(x):
            logging.info("x")
            return random.random() * x


        def local_state(x):
            values = []
            values.append(x)
            cache = {}
            cache["x"] = x
            return values


        def graph_ops(x, v):
            tf.print(x)
            v.assign_add(x)
            return tf.reduce_sum(x)


        def calls_printer(x):
            return prints(x)
    """
    facts = analyze(tmp_path, {"effects.py": source})
    for name in ("counts", "records", "writes_argument", "prints", "logs", "calls_printer"):
        assert facts[name].side_effects, name
    assert not facts["local_state"].side_effects, facts["local_state"].side_effect_reasons
    assert not facts["graph_ops"].side_effects, facts["graph_ops"].side_effect_reasons
    assert any("line 12" in reason for reason in facts["counts"].side_effect_reasons)
    assert "calls print" in facts["prints"].side_effect_reasons[0]
    assert any("calls 'prints'" in reason for reason in facts["calls_printer"].side_effect_reasons)


def test_attribute_mutation_outside_init(tmp_path: Path) -> None:
    source = """
        class Counter:
            def __init__(self):
                self.count = 0

            def bump(self, x):
                self.count += 1
                return x
    """
    facts = analyze(tmp_path, {"counter.py": source})
    assert not facts["Counter.__init__"].side_effects
    assert facts["Counter.bump"].side_effects


# -- point 5: recursion, graph, eager-only, computation ------------------------------
def test_recursion_graph_and_eager_only(tmp_path: Path) -> None:
    source = """
        import tensorflow as tf


        def factorial(n):
            return 1 if n <= 1 else n * factorial(n - 1)


        def ping(x):
            return pong(x)


        def pong(x):
            return ping(x) if x is None else x


        def helper(x):
            return tf.nn.relu(x)


        @tf.function
        def decorated(x):
            return helper(x)


        def to_numpy(x):
            return x.numpy()


        def plain(x):
            return x


        wrapped = tf.function(plain)
        wrapped(tf.ones([2]))
        decorated(tf.ones([2]))
        to_numpy(tf.ones([2]))
    """
    facts = analyze(tmp_path, {"graph.py": source})
    assert facts["factorial"].recursive and facts["ping"].recursive and facts["pong"].recursive
    assert not facts["helper"].recursive
    assert facts["decorated"].hybrid and facts["decorated"].runs_as_graph
    assert facts["helper"].runs_as_graph and not facts["helper"].hybrid
    assert facts["plain"].hybrid and tensor(facts["plain"], "x") is True
    assert facts["to_numpy"].eager_only_calls and not facts["to_numpy"].runs_as_graph
    assert facts["helper"].ops_per_call >= 1 and facts["decorated"].ops_per_call >= facts["helper"].ops_per_call


def test_keras_methods_run_as_graph_under_fit_unless_eager(tmp_path: Path) -> None:
    template = """
        import tensorflow as tf


        class Net(tf.keras.Model):
            def call(self, inputs):
                return inputs


        model = Net()
        model.compile(loss="mse"{eager})
        model.fit(tf.ones([4, 1]), tf.ones([4, 1]))
    """
    graph = analyze(tmp_path / "graph", {"fit.py": template.format(eager="")})
    assert graph["Net.call"].runs_as_graph
    eager = analyze(tmp_path / "eager", {"fit.py": template.format(eager=", run_eagerly=True")})
    assert not eager["Net.call"].runs_as_graph


# -- point 6: across modules ------------------------------------------------------------
PACKAGE = {
    "pkg/__init__.py": "from pkg.ops import normalize\n",
    "pkg/ops.py": (
        "import tensorflow as tf\n\n\ndef normalize(x):\n    return x / tf.norm(x)\n\n\n"
        "def scale(x, factor):\n    return x * factor\n"
    ),
    "pkg/layers/__init__.py": "",
    "pkg/layers/base.py": (
        "import tensorflow as tf\n\n\nclass Base(tf.keras.layers.Layer):\n"
        "    def project(self, x):\n        return x\n"
    ),
    "pkg/layers/dense.py": (
        "from .base import Base\nfrom .. import ops\n\n\nclass Dense(Base):\n"
        "    def call(self, inputs):\n        return ops.scale(self.project(inputs), 2.0)\n"
    ),
    "train.py": (
        "import tensorflow as tf\nimport pkg.ops\nfrom pkg import normalize\nfrom pkg.layers.dense import Dense\n\n"
        "layer = Dense()\nfor batch in tf.data.Dataset.range(4).batch(2):\n"
        "    normalize(batch)\n    layer(batch)\n    pkg.ops.scale(batch, 0.5)\n"
    ),
}


def test_facts_flow_across_modules(tmp_path: Path) -> None:
    facts = analyze(tmp_path, PACKAGE)
    assert tensor(facts["normalize"], "x") is True  # through the package __init__ re-export
    assert "train.py:8" in evidence(facts["normalize"], "x")
    assert tensor(facts["scale"], "x") is True  # import pkg.ops, and `from .. import ops`
    assert primitive(facts["scale"], "factor") is True
    assert tensor(facts["Dense.call"], "inputs") is True  # a Keras layer called in another module
    assert tensor(facts["Base.project"], "x") is True  # a method inherited across files
    assert facts["Dense.call"].path.endswith("dense.py")


def test_project_root_and_single_file_view(tmp_path: Path) -> None:
    analyze(tmp_path, PACKAGE)
    assert find_project_root(str(tmp_path / "pkg" / "layers" / "dense.py")) == str(tmp_path)
    # The facts command on one file (or standard input) still sees the whole project.
    result = subprocess.run(
        [sys.executable, "-m", "flake8_hybrid", "facts", "--format=json", "--no-cache",
         "--stdin-display-name", str(tmp_path / "pkg" / "ops.py"), "-"],
        input=PACKAGE["pkg/ops.py"].replace("x / tf.norm(x)", "x / tf.norm(x)  # edited"),
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    functions = {f["qualname"]: f for f in report["functions"]}
    assert set(functions) == {"normalize", "scale"}
    assert functions["normalize"]["parameters"][0]["tensor"] is True


def test_the_project_analysis_never_loads_tensorflow(tmp_path: Path) -> None:
    analyze(tmp_path, PACKAGE)
    script = (
        "import sys\nfrom flake8_hybrid.analysis.api_model import api_model\n"
        "from flake8_hybrid.analysis.project import Project\n"
        f"Project({str(tmp_path)!r}, api_model(), cache_directory=None).facts()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'tf_keras')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# -- the cache -------------------------------------------------------------------------------
def test_cache_is_used_and_survives_corruption(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = analyze(tmp_path, PACKAGE, cache=str(cache))
    entries = sorted(cache.rglob("*.json"))
    assert len(entries) == len(PACKAGE) and (cache / ".gitignore").exists()
    for entry in entries[:3]:
        entry.write_text("{not json")
    entries[3].write_text(json.dumps({"module": "x"}))
    again = analyze(tmp_path, PACKAGE, cache=str(cache))
    assert {k: [(p.name, p.tensor) for p in f.parameters] for k, f in again.items()} == {
        k: [(p.name, p.tensor) for p in f.parameters] for k, f in first.items()
    }


def test_unwritable_cache_is_harmless(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    facts = analyze(tmp_path, PACKAGE, cache=str(blocker))
    assert tensor(facts["normalize"], "x") is True


def test_cached_summaries_give_the_same_facts(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = analyze(tmp_path, PACKAGE, cache=str(cache))
    warm = analyze(tmp_path, PACKAGE, cache=str(cache))
    assert [(k, f.runs_as_graph, [p.tensor for p in f.parameters]) for k, f in sorted(cold.items())] == [
        (k, f.runs_as_graph, [p.tensor for p in f.parameters]) for k, f in sorted(warm.items())
    ]


# -- point 7: the facts command ------------------------------------------------------------
def test_facts_json_schema(tmp_path: Path) -> None:
    analyze(tmp_path, PACKAGE)
    result = subprocess.run(
        [sys.executable, "-m", "flake8_hybrid", "facts", "--format=json", "--no-cache", "."],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["version"] == 1 and report["functions"]
    keys = {
        "path", "qualname", "line", "hybrid", "runs_as_graph", "parameters", "has_tensor_parameter",
        "has_primitive_parameter", "side_effects", "side_effect_reasons", "recursive", "speculative", "work",
        "refactoring", "blockers", "diagnostics",
        "assumptions",  # beyond DESIGN.md's version 1: code -> what a preview diagnostic assumes
    }
    for function in report["functions"]:
        assert set(function) == keys
        assert set(function["work"]) == {"ops_per_call", "called_repeatedly"}
        assert function["refactoring"] in (None, "convert-to-hybrid", "convert-to-eager")
        assert all(b == b.lower() and " " not in b for b in function["blockers"])
        for parameter in function["parameters"]:
            assert set(parameter) == {"name", "tensor", "primitive", "evidence"}
            assert parameter["tensor"] in (True, False, None)
    scale = next(f for f in report["functions"] if f["qualname"] == "scale")
    assert scale["path"] == "pkg/ops.py" and scale["line"] == 8
    assert "has-primitive-parameters" in scale["blockers"]
    text = subprocess.run(
        [sys.executable, "-m", "flake8_hybrid", "facts", "--no-cache", "pkg/ops.py"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert "pkg/ops.py:8: scale [eager] no refactoring" in text.stdout


# -- the work estimate (cost model) -------------------------------------------------
def test_work_counts_tensor_slices_but_not_list_indexing(tmp_path: Path) -> None:
    source = """
        import tensorflow as tf

        def first_row(x):
            return x[0]

        def first_name(names):
            return names[0]

        def local_slice():
            t = tf.ones([3, 3])
            return t[:, 1]

        first_row(tf.ones([2, 2]))
        first_name(["a", "b"])
    """
    facts = analyze(tmp_path, {"work.py": source})
    assert facts["local_slice"].ops_per_call == 1 + SUBSCRIPT_OPS  # tf.ones, then the slice
    assert facts["first_row"].ops_per_call == SUBSCRIPT_OPS  # the parameter receives a tensor
    assert facts["first_name"].ops_per_call == 0  # a Python list


def test_a_name_holds_before_its_assignment_what_it_held_then(tmp_path: Path) -> None:
    # Without a loop, nothing assigned later reaches an earlier line: `(sigma,) * 2` makes a
    # Python tuple, though `sigma` becomes a tensor afterwards (it used to count as a tensor op).
    source = """
        import tensorflow as tf

        def blur(image, sigma):
            sigma = (sigma,) * 2
            sigma = tf.convert_to_tensor(sigma)
            return image * sigma[0]

        def running(xs, total):
            for x in xs:
                doubled = total * 2  # in a loop: total is a tensor from the second iteration on
                total = tf.add(total, x)
            return doubled

        blur(tf.ones([2]), 1.0)
        running([tf.ones([2])], 0.0)
    """
    facts = analyze(tmp_path, {"work.py": source})
    assert facts["blur"].ops_per_call == 1 + 1 + SUBSCRIPT_OPS  # convert_to_tensor, *, the slice
    assert facts["running"].ops_per_call > 2 * 1  # tf.add and `total * 2`, both in the loop


def test_work_of_callees_counts_loop_trips_and_backward_passes(tmp_path: Path) -> None:
    source = """
        import tensorflow as tf

        def exp(x):
            return tf.exp(x)

        def five_times(x):
            for _ in range(5):
                x = exp(x)
            return x

        def loss(w, x):
            return tf.reduce_sum(tf.multiply(w, x))

        def gradient(w, x):
            with tf.GradientTape() as tape:
                value = loss(w, x)
            return tape.gradient(value, w)

        five_times(tf.ones([2]))
        gradient(tf.Variable(tf.ones([2])), tf.ones([2]))
    """
    facts = analyze(tmp_path, {"work.py": source})
    assert facts["exp"].ops_per_call == 1
    assert facts["five_times"].ops_per_call == 5 * facts["exp"].ops_per_call
    assert facts["loss"].ops_per_call == 2
    # The backward pass costs about what the forward pass recorded (+1 for the gradient call).
    assert facts["gradient"].ops_per_call == 2 * facts["loss"].ops_per_call + 1


def test_work_counts_a_keras_call_once(tmp_path: Path) -> None:
    source = """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Dense(2)])

        def local_layer(x):
            layer = tf.keras.layers.Dense(2)
            return layer(x)

        def global_model(x):
            return model(x)

        local_layer(tf.ones([1, 2]))
        global_model(tf.ones([1, 2]))
    """
    facts = analyze(tmp_path, {"work.py": source})
    assert facts["local_layer"].ops_per_call == KERAS_CALL_OPS
    assert facts["global_model"].ops_per_call == KERAS_CALL_OPS


def test_random_generator_samples_are_tensors(tmp_path: Path) -> None:
    source = """
        import tensorflow as tf

        def noisy(x):
            return tf.exp(x)

        def sample(generator):
            return generator.normal([3])

        def main():
            generator = tf.random.Generator.from_seed(1)
            for _ in range(3):
                noisy(generator.uniform([3]))
                noisy(sample(generator))
    """
    facts = analyze(tmp_path, {"work.py": source})
    assert tensor(facts["noisy"], "x") is True
    assert tensor(facts["sample"], "generator") is False  # a Generator is not a tensor
    assert facts["sample"].ops_per_call == 1


_TRAINING = """
    import tensorflow as tf

    def train_step(model, optimizer, x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(x))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    def train(x):
        model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
        optimizer = tf.keras.optimizers.Adam()
        for _ in range(10):
            train_step(model, optimizer, x)
"""


@pytest.mark.parametrize(
    ("driver", "fresh"),
    [
        ('if __name__ == "__main__":\n    train(tf.ones([2, 2]))\n', []),  # the one run of the program
        ("", ["model", "optimizer"]),  # nothing calls train(): whoever imports it may call it twice
        ("for _ in range(2):\n    train(tf.ones([2, 2]))\n", ["model", "optimizer"]),
    ],
    ids=["main-block", "no-caller", "called-in-loop"],
)
def test_keras_arguments_that_may_be_new_objects(tmp_path: Path, driver: str, fresh: list) -> None:
    facts = analyze(tmp_path, {"train.py": textwrap.dedent(_TRAINING) + driver})
    assert facts["train_step"].fresh_keras_arguments == fresh


def test_keras_objects_created_in_a_loop_are_fresh(tmp_path: Path) -> None:
    source = textwrap.dedent(_TRAINING) + 'if __name__ == "__main__":\n    train(tf.ones([2, 2]))\n'
    source = source.replace(
        "    model = tf.keras.Sequential", "    for trial in range(3):\n      model = tf.keras.Sequential"
    )
    facts = analyze(tmp_path, {"train.py": source})
    assert facts["train_step"].fresh_keras_arguments == ["model", "optimizer"]


def test_keras_arguments_passed_through_are_traced_to_where_they_are_made(tmp_path: Path) -> None:
    source = """
        import tensorflow as tf

        def train_step(model, optimizer, x):
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(model(x))
            optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
            return loss

        def run_epoch(model, optimizer, batches):
            for x in batches:
                train_step(model, optimizer, x)

        def main():
            model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
            optimizer = tf.keras.optimizers.Adam()
            for epoch in range(3):  # the same objects every epoch
                run_epoch(model, optimizer, [tf.ones([2, 2])])

        if __name__ == "__main__":
            main()
    """
    facts = analyze(tmp_path, {"train.py": source})
    assert facts["train_step"].fresh_keras_arguments == []
    twice = analyze(tmp_path / "twice", {"train.py": source + "    main()\n"})
    assert twice["train_step"].fresh_keras_arguments == ["model", "optimizer"]


@pytest.mark.parametrize("loop", ["range(0, 9, 0)", "range(10 ** 30)", "range(10000000000000000000000000000)"])
def test_odd_constant_ranges_do_not_break_the_work_estimate(tmp_path: Path, loop: str) -> None:
    source = f"""
        import tensorflow as tf

        def f(x):
            for _ in {loop}:
                x = tf.exp(x)
            return x

        f(tf.ones([2]))
    """
    facts = analyze(tmp_path, {"work.py": source})
    assert 1 <= facts["f"].ops_per_call <= MAX_WEIGHT
