"""flake8_hybrid/data/tf_api.yaml checked against the installed TensorFlow.

The linter never imports TensorFlow; everything it believes about TF's API is in
that file.  These tests import TF and check every entry: names resolve, the
tf.function parameter table matches inspect.signature and the docstring, and
deprecated parameters behave like their replacements.
"""

import importlib
import importlib.resources
import inspect
import os
import re

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # before the import: silences TF's C++ logs

import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
import yaml  # noqa: E402

from flake8_hybrid.analysis.api_model import api_model  # noqa: E402

MODEL = api_model()
# The raw file, for the lists ApiModel only keeps in private form (aliases,
# tensors, star_exports); api_model() is still what the linter uses.
DATA = yaml.safe_load(importlib.resources.files("flake8_hybrid").joinpath("data/tf_api.yaml").read_text("utf-8"))


def resolve(dotted):
    """The object a public ``tensorflow.a.b`` name denotes, walking attributes from ``tf``."""
    first, *rest = dotted.split(".")
    assert first == "tensorflow", dotted
    obj = tf
    for part in rest:
        assert hasattr(obj, part), f"{dotted}: no attribute {part!r} on {obj!r}"
        obj = getattr(obj, part)
    return obj


def is_public(name):
    return ".python." not in name and "._api" not in name


def test_checked_against_the_installed_version():
    assert DATA["checked_against"] == tf.__version__


# -- tf.function's parameters ---------------------------------------------------


def test_tf_function_parameters_match_the_signature_in_order():
    assert MODEL.tf_function_name == "tensorflow.function"
    assert resolve(MODEL.tf_function_name) is tf.function
    assert [p.name for p in MODEL.tf_function_parameters] == list(inspect.signature(tf.function).parameters)


def docstring_deprecates(name):
    """Whether tf.function's docstring calls parameter ``name`` deprecated.

    TF's deprecation decorator adds "SOME ARGUMENTS ARE DEPRECATED: `(name)`" at the
    top, and the Args section describes the parameter as "name: Deprecated ...".
    """
    doc = tf.function.__doc__
    header = f"SOME ARGUMENTS ARE DEPRECATED: `({name})`" in doc
    args_entry = re.search(rf"^\s+{name}: Deprecated\b", doc, re.MULTILINE) is not None
    return header and args_entry


@pytest.mark.parametrize("parameter", MODEL.tf_function_parameters, ids=lambda p: p.name)
def test_deprecated_parameters_are_exactly_those_tf_documents(parameter):
    flagged = parameter.deprecated is not None or parameter.ignored is not None
    assert docstring_deprecates(parameter.name) == flagged
    if parameter.replacement is not None:
        # TF's own update instructions name the same replacement.
        assert f"{parameter.name} is deprecated, use {parameter.replacement} instead" in tf.function.__doc__
        assert MODEL.tf_function_parameter(parameter.replacement) is not None


def five_shapes_traces(**options):
    traces = []

    @tf.function(**options)
    def total(x):
        traces.append(1)  # runs once per trace
        return tf.reduce_sum(x)

    for n in range(1, 6):
        total(tf.ones([n]))
    return len(traces)


def check_relax_shapes_is_reduce_retracing():
    relaxed = five_shapes_traces(experimental_relax_shapes=True)
    assert relaxed == five_shapes_traces(reduce_retracing=True)
    assert relaxed < five_shapes_traces()


def check_experimental_compile_is_jit_compile():
    # Function._jit_compile holds the setting (the returned Function has no public
    # accessor); the traced graph's _XlaMustCompile attribute shows it is used.
    for value in (True, False):
        old = tf.function(tf.identity, experimental_compile=value)  # noqa: HYB302
        new = tf.function(tf.identity, jit_compile=value)
        assert old._jit_compile is new._jit_compile is value
    compiled = tf.function(tf.identity, experimental_compile=True)  # noqa: HYB302
    concrete = compiled.get_concrete_function(tf.constant(1.0))
    assert concrete.function_def.attr["_XlaMustCompile"].b is True
    with pytest.raises(ValueError, match="Cannot specify both"):
        tf.function(tf.identity, experimental_compile=True, jit_compile=True)  # noqa: HYB302


# parameter -> a check that it behaves like its replacement
REPLACEMENT_CHECKS = {
    "experimental_relax_shapes": check_relax_shapes_is_reduce_retracing,
    "experimental_compile": check_experimental_compile_is_jit_compile,
}


@pytest.mark.parametrize(
    "parameter", [p for p in MODEL.tf_function_parameters if p.replacement], ids=lambda p: p.name
)
def test_deprecated_parameter_behaves_like_its_replacement(parameter):
    REPLACEMENT_CHECKS[parameter.name]()


def test_every_replacement_has_a_behaviour_check():
    assert {p.name for p in MODEL.tf_function_parameters if p.replacement} == set(REPLACEMENT_CHECKS)


def int_argument_traces(**options):
    traces = []

    @tf.function(**options)
    def scale(x: tf.Tensor):
        traces.append(x)
        return x * 2

    for value in range(4):  # four distinct Python ints
        scale(value)
    return len(traces)


def test_ignored_parameters_change_nothing():
    ignored = [p.name for p in MODEL.tf_function_parameters if p.ignored]
    assert ignored == ["experimental_follow_type_hints"]  # the one checked below
    # Same trace count as without it: one trace per distinct Python int (measured: 4).
    assert int_argument_traces(experimental_follow_type_hints=True) == int_argument_traces() == 4


# -- names resolve -----------------------------------------------------------------


def public_names():
    names = set(MODEL.run_functions_eagerly)
    for name, entry in MODEL.deprecated_functions.items():
        names.add(name)
        names.add(name.rsplit(".", 1)[0] + "." + entry.replacement)  # same module
    names.update(MODEL.xla_incompatible)
    names.update(DATA["tensors"]["functions"])
    names.update(DATA["tensors"]["modules"])
    names.update(DATA["tensors"]["not_tensors"])
    names.update(DATA["aliases"].values())
    names.update(key for key in DATA["aliases"] if is_public(key))
    return sorted(names)


@pytest.mark.parametrize("name", public_names())
def test_name_resolves_in_installed_tensorflow(name):
    resolve(name)


def test_deprecated_functions_are_deprecated_and_their_replacements_exist():
    for name, entry in MODEL.deprecated_functions.items():
        old = resolve(name)
        new = resolve(name.rsplit(".", 1)[0] + "." + entry.replacement)
        assert "THIS FUNCTION IS DEPRECATED" in old.__doc__
        assert inspect.signature(old) == inspect.signature(new)  # "same arguments"


# Names the linter tracks: checked under each module-prefix alias below.
TRACKED = ["tensorflow.function", *sorted(MODEL.run_functions_eagerly), *sorted(MODEL.deprecated_functions)]


def test_public_aliases_denote_the_same_objects():
    for key, value in DATA["aliases"].items():
        if not is_public(key):
            continue
        assert MODEL.canonical(key) == value
        if inspect.ismodule(resolve(key)):
            # A module prefix: every tracked name is the same object under it.
            for name in TRACKED:
                assert resolve(key + name[len(value):]) is resolve(name), (key, name)
        else:
            assert resolve(key) is resolve(value), key


def test_api_v2_alias_denotes_the_same_submodules():
    # `tensorflow._api.v2` is where TF's public modules really live (tf.config.__name__
    # is "tensorflow._api.v2.config").  Top-level names such as `function` are not in
    # that package, so only names in a submodule are checked.
    assert DATA["aliases"]["tensorflow._api.v2"] == "tensorflow"
    assert tf.config.__name__ == "tensorflow._api.v2.config"
    for name in TRACKED:
        module, attribute = name.rsplit(".", 1)
        if module == "tensorflow":
            continue
        internal = importlib.import_module("tensorflow._api.v2" + module[len("tensorflow"):])
        assert getattr(internal, attribute) is resolve(name), name


# `tensorflow.python...` spellings that TF 2.21 no longer has: the linter still
# canonicalizes them for code written against older TF (def_function held the
# experimental switch until it moved to eager_function_run).
LEGACY_PRIVATE_ALIASES = {"tensorflow.python.eager.def_function.experimental_run_functions_eagerly"}


@pytest.mark.parametrize("key", [k for k in DATA["aliases"] if ".python." in k])
def test_private_alias_is_the_same_object_where_tf_still_has_it(key):
    module_name, attribute = key.rsplit(".", 1)
    module = importlib.import_module(module_name)  # every listed module exists in 2.21
    if key in LEGACY_PRIVATE_ALIASES:
        assert not hasattr(module, attribute), f"{key} exists again: move it out of LEGACY_PRIVATE_ALIASES"
        return
    assert getattr(module, attribute) is resolve(DATA["aliases"][key])
    assert MODEL.canonical(key) == DATA["aliases"][key]


def test_compat_aliases_are_the_same_objects():
    assert tf.compat.v1.function is tf.function
    assert tf.compat.v2.function is tf.function
    for name in MODEL.run_functions_eagerly | set(MODEL.deprecated_functions):
        attribute = name.rsplit(".", 1)[1]
        assert getattr(tf.compat.v1.config, attribute) is resolve(name)
        assert getattr(tf.compat.v2.config, attribute) is resolve(name)


def test_star_exports_are_tf_all():
    assert DATA["star_exports"]["tensorflow"] == sorted(tf.__all__)
    assert MODEL.star_exports("tensorflow") == frozenset(tf.__all__)
    assert MODEL.star_exports("tensorflow.compat.v2") == frozenset(tf.__all__)


# -- tensors: calls that return tensors ----------------------------------------------

TENSOR = tf.Tensor
FUNCTION_SAMPLES = {
    "tensorflow.abs": (lambda: tf.abs(tf.constant([-1.0, 2.0])), TENSOR),
    "tensorflow.add_n": (lambda: tf.add_n([tf.ones([2]), tf.ones([2])]), TENSOR),
    "tensorflow.argmax": (lambda: tf.argmax(tf.constant([1, 3, 2])), TENSOR),
    "tensorflow.as_string": (lambda: tf.as_string(tf.constant(1)), TENSOR),
    "tensorflow.boolean_mask": (lambda: tf.boolean_mask(tf.constant([1, 2]), tf.constant([True, False])), TENSOR),
    "tensorflow.cast": (lambda: tf.cast(tf.constant([1, 2]), tf.float32), TENSOR),
    "tensorflow.concat": (lambda: tf.concat([tf.ones([1]), tf.zeros([1])], axis=0), TENSOR),
    "tensorflow.cond": (lambda: tf.cond(tf.constant(True), lambda: tf.constant(1), lambda: tf.constant(2)), TENSOR),
    "tensorflow.constant": (lambda: tf.constant(1.0), TENSOR),
    "tensorflow.einsum": (lambda: tf.einsum("ij,jk->ik", tf.ones([2, 3]), tf.ones([3, 2])), TENSOR),
    "tensorflow.gather": (lambda: tf.gather(tf.constant([5, 6, 7]), [0, 2]), TENSOR),
    "tensorflow.map_fn": (lambda: tf.map_fn(lambda a: a * 2, tf.ones([3])), TENSOR),
    "tensorflow.matmul": (lambda: tf.matmul(tf.ones([2, 3]), tf.ones([3, 1])), TENSOR),
    "tensorflow.numpy_function": (lambda: tf.numpy_function(lambda a: a * 2, [tf.ones([2])], tf.float32), TENSOR),
    "tensorflow.py_function": (lambda: tf.py_function(lambda a: a * 2, [tf.ones([2])], tf.float32), TENSOR),
    "tensorflow.range": (lambda: tf.range(3), TENSOR),
    "tensorflow.reduce_sum": (lambda: tf.reduce_sum(tf.ones([2, 2])), TENSOR),
    "tensorflow.reshape": (lambda: tf.reshape(tf.ones([4]), [2, 2]), TENSOR),
    "tensorflow.shape": (lambda: tf.shape(tf.ones([2, 3])), TENSOR),
    "tensorflow.vectorized_map": (lambda: tf.vectorized_map(lambda a: a * 2, tf.ones([3])), TENSOR),
    "tensorflow.where": (lambda: tf.where(tf.constant([True, False]), 1.0, 0.0), TENSOR),
    "tensorflow.zeros": (lambda: tf.zeros([2]), TENSOR),
    "tensorflow.Variable": (lambda: tf.Variable(1.0), tf.Variable),
}

MODULE_SAMPLES = {
    "tensorflow.math.reduce_std": (lambda: tf.math.reduce_std(tf.constant([1.0, 3.0])), TENSOR),
    "tensorflow.nn.relu": (lambda: tf.nn.relu(tf.constant([-1.0, 1.0])), TENSOR),
    "tensorflow.linalg.det": (lambda: tf.linalg.det(tf.eye(2)), TENSOR),
    "tensorflow.image.flip_left_right": (lambda: tf.image.flip_left_right(tf.ones([2, 2, 1])), TENSOR),
    "tensorflow.signal.rfft": (lambda: tf.signal.rfft(tf.ones([4])), TENSOR),
    "tensorflow.random.stateless_uniform": (lambda: tf.random.stateless_uniform([2], seed=[1, 2]), TENSOR),
    "tensorflow.bitwise.bitwise_and": (lambda: tf.bitwise.bitwise_and(tf.constant(6), tf.constant(3)), TENSOR),
    "tensorflow.strings.length": (lambda: tf.strings.length(tf.constant(["ab"])), TENSOR),
    "tensorflow.sparse.from_dense": (lambda: tf.sparse.from_dense(tf.eye(2)), tf.SparseTensor),
    "tensorflow.ragged.constant": (lambda: tf.ragged.constant([[1], [2, 3]]), tf.RaggedTensor),
}


@pytest.mark.parametrize("name", sorted(FUNCTION_SAMPLES))
def test_sampled_tensor_function_returns_a_tensor(name):
    assert name in DATA["tensors"]["functions"]  # the sample is from the file
    call, expected_type = FUNCTION_SAMPLES[name]
    assert isinstance(call(), expected_type)
    assert MODEL.returns_tensor(name)


@pytest.mark.parametrize("name", sorted(MODULE_SAMPLES))
def test_sampled_tensor_module_function_returns_a_tensor(name):
    assert name.rsplit(".", 1)[0] in DATA["tensors"]["modules"]  # the sample is from the file
    call, expected_type = MODULE_SAMPLES[name]
    assert isinstance(call(), expected_type)
    assert MODEL.returns_tensor(name)


def test_samples_are_large_enough():
    assert len(FUNCTION_SAMPLES) >= 15
    assert len({name.rsplit(".", 1)[0] for name in MODULE_SAMPLES}) >= 5


def test_containers_return_python_lists_of_tensors():
    # tensors.containers: TF returns a Python list or tuple of tensors, not a tensor,
    # so iterating one needs no AutoGraph (HYB306 must not report it).
    results = {
        "tensorflow.split": tf.split(tf.ones([4]), 2),
        "tensorflow.unstack": tf.unstack(tf.ones([2])),
        "tensorflow.unique": tf.unique(tf.constant([1, 1, 2])),
        "tensorflow.while_loop": tf.while_loop(lambda i: i < 3, lambda i: [i + 1], [tf.constant(0)]),
        "tensorflow.meshgrid": tf.meshgrid(tf.ones([2]), tf.ones([3])),
        "tensorflow.unique_with_counts": tf.unique_with_counts(tf.constant([1, 1, 2])),
        "tensorflow.nest.flatten": tf.nest.flatten({"a": tf.ones([2]), "b": tf.zeros([1])}),
        "tensorflow.image.sample_distorted_bounding_box": tf.image.sample_distorted_bounding_box(
            [8, 8, 3], tf.constant([[[0.0, 0.0, 1.0, 1.0]]]), min_object_covered=0.1, seed=1),
        "tensorflow.image.stateless_sample_distorted_bounding_box": tf.image.stateless_sample_distorted_bounding_box(
            [8, 8, 3], tf.constant([[[0.0, 0.0, 1.0, 1.0]]]), seed=[1, 2], min_object_covered=0.1),
        "tensorflow.nn.moments": tf.nn.moments(tf.ones([4]), axes=[0]),
        "tensorflow.math.top_k": tf.math.top_k(tf.constant([1.0, 3.0, 2.0]), k=2),
        "tensorflow.nn.top_k": tf.nn.top_k(tf.constant([1.0, 3.0, 2.0]), k=2),
        "tensorflow.linalg.eigh": tf.linalg.eigh(tf.eye(2)),
        "tensorflow.linalg.svd": tf.linalg.svd(tf.eye(2)),
        "tensorflow.linalg.qr": tf.linalg.qr(tf.eye(2)),
        "tensorflow.shape_n": tf.shape_n([tf.ones([2]), tf.ones([3])]),
        "tensorflow.dynamic_partition": tf.dynamic_partition(tf.ones([4]), tf.constant([0, 1, 0, 1]), 2),
    }
    assert set(results) == set(DATA["tensors"]["containers"])
    for name, result in results.items():
        assert name not in DATA["tensors"]["functions"], name
        assert MODEL.value_kind(name) == "container_tensor" and not MODEL.returns_tensor(name), name
        assert isinstance(result, (list, tuple)) and not isinstance(result, tf.Tensor), name
        assert all(isinstance(item, tf.Tensor) for item in result), name


def test_not_tensors_do_not_return_tensors():
    assert not isinstance(tf.random.Generator.from_seed(0), tf.Tensor)
    assert tf.random.set_seed(0) is None
    assert not isinstance(tf.random.get_global_generator(), tf.Tensor)
    assert not isinstance(tf.function(tf.identity), tf.Tensor)
    assert not MODEL.returns_tensor("tensorflow.random.Generator")
    assert not MODEL.returns_tensor("tensorflow.random.set_seed")
    assert not MODEL.returns_tensor("tensorflow.random.get_global_generator")
    assert not MODEL.returns_tensor("tensorflow.function")
