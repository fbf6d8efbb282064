"""What the project analysis follows beyond plain calls: super() chains, functools.partial keywords,
dict views of containers, dispatch tables, and dataclass-style configuration objects."""

from __future__ import annotations

from pathlib import Path

from test_analysis import analyze, evidence, tensor

SOURCE = """
    import dataclasses
    import functools

    import tensorflow as tf

    dense = tf.keras.layers.Dense(4)


    class Base:
        def __init__(self, scale):
            self.scale = scale


    class Child(Base):
        def __init__(self, scale):
            super().__init__(scale)

        def apply(self, x):
            return x * self.scale


    def apply_all(layers, x):
        for name, layer in layers.items():
            x = layer(x)
        return x


    def relu(x):
        return tf.nn.relu(x)


    OPS = {"relu": relu}


    def dispatch(name, x):
        return OPS[name](x)


    def scaled(x, factor):
        return x * factor


    @dataclasses.dataclass
    class Config:
        rate: float = 0.1
        units: int = 4


    def scale_by(x, rate):
        return x * rate


    def use_config(config, x):
        return scale_by(x, config.rate)


    child = Child(tf.ones([2]))
    child.apply(tf.ones([2]))
    apply_all({"a": dense}, tf.ones([1, 4]))
    dispatch("relu", tf.ones([2]))
    half = functools.partial(scaled, factor=0.5)
    half(tf.ones([2]))
    use_config(Config(rate=0.2), tf.ones([2]))
"""


def test_super_init_chains_bind_the_base_class_parameters(tmp_path: Path) -> None:
    facts = analyze(tmp_path, {"main.py": SOURCE})
    assert tensor(facts["Base.__init__"], "scale") is True
    assert "main.py:17 passes a tensor" in evidence(facts["Base.__init__"], "scale")
    assert not facts["Child.apply"].opaque_calls


def test_partial_keywords_reach_the_parameters(tmp_path: Path) -> None:
    facts = analyze(tmp_path, {"main.py": SOURCE})
    factor = next(p for p in facts["scaled"].parameters if p.name == "factor")
    assert factor.primitive is True and factor.tensor is False
    assert tensor(facts["scaled"], "x") is True


def test_dict_items_give_the_values_and_dispatch_tables_resolve(tmp_path: Path) -> None:
    facts = analyze(tmp_path, {"main.py": SOURCE})
    assert not facts["apply_all"].opaque_calls  # layer(x) is the Keras layer of the dict
    assert facts["apply_all"].ops_per_call >= 20
    assert tensor(facts["relu"], "x") is True


def test_dataclass_fields_hold_what_the_constructor_passes(tmp_path: Path) -> None:
    facts = analyze(tmp_path, {"main.py": SOURCE})
    rate = next(p for p in facts["scale_by"].parameters if p.name == "rate")
    assert rate.tensor is False and rate.primitive is True  # a Python number, from the field


def test_facts_and_the_lint_read_one_verdict(tmp_path: Path) -> None:
    """A function the lint asks to convert to eager (HYB007) is convert-to-eager in ``facts``, with
    the same code; a preview finding's assumption is named in both."""
    import io
    import json

    from flake8_hybrid import facts as facts_command
    from flake8_hybrid.lint import lint_source
    from flake8_hybrid.settings import Settings

    source = (
        "import tensorflow as tf\n\n\n@tf.function\ndef tiny(x):\n    return x + 1.0\n\n\n"
        "for _ in range(10):\n    tiny(tf.ones([2]))\n"
    )
    (tmp_path / "setup.cfg").write_text("[flake8]\n")
    path = tmp_path / "app.py"
    path.write_text(source)
    findings = lint_source(source, str(path), Settings(cache_directory=None))
    assert [f.code for f in findings] == ["HYB007"]
    out = io.StringIO()
    assert facts_command.run(["--no-cache", "--format", "json", str(path)], stdout=out) == 0
    record = next(r for r in json.loads(out.getvalue())["functions"] if r["qualname"] == "tiny")
    assert record["refactoring"] == "convert-to-eager" and record["diagnostics"] == ["HYB007"]
    assert record["assumptions"] == {}
