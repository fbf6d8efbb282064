"""Measure when each ``tf.function`` argument appeared and was deprecated, release by release.

``tf_function.parameters`` in ``flake8_hybrid/data/tf_api.yaml`` says since which TF release
each argument exists (HYB308 reports an argument newer than the target TF: older releases
raise TypeError for it, since ``tf.function`` takes no ``**kwargs``) and since which release
it is deprecated (HYB301-HYB303 are gated on that). The installed TF can only show today's
signature; this script reads every TF 2 release's own: it downloads each release's wheel
with pip (one at a time, deleted after reading), parses the ``def function(...)`` of
``tf.function``'s module with ``ast`` and the ``@deprecation.deprecated_args`` decorators on it.

    python scripts/tf_function_history.py            # print since/deprecated per argument
    python scripts/tf_function_history.py --check    # compare with tf_api.yaml (exit 1 on a difference)

It needs PyPI (through pip), about 4 GB of downloads and several minutes.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tf_python_support import MODEL, PLATFORMS  # noqa: E402

#: Where tf.function was defined, newest first.
MODULES = (
    "tensorflow/python/eager/polymorphic_function/polymorphic_function.py",
    "tensorflow/python/eager/def_function.py",
    "tensorflow_core/python/eager/def_function.py",
)


def releases() -> list[tuple[str, str]]:
    """(TF minor release, a Python it has wheels for), from the measured python_support table."""
    table = yaml.safe_load(MODEL.read_text(encoding="utf-8"))["python_support"]
    return [(str(tf), str(pythons[-1])) for tf, pythons in table.items()]


def tf_function_source(release: str, python: str, directory: Path) -> str:
    command = [sys.executable, "-m", "pip", "download", f"tensorflow=={release}.*", "--no-deps",
               "--only-binary=:all:", "--python-version", python, "-d", str(directory)]
    for platform in PLATFORMS:
        command += ["--platform", platform]
    subprocess.run(command, check=True, capture_output=True)
    wheel = next(directory.glob("*.whl"))
    try:
        with zipfile.ZipFile(wheel) as archive:
            names = set(archive.namelist())
            for module in MODULES:
                if module in names:
                    source = archive.read(module).decode("utf-8")
                    if "\ndef function(" in source:
                        return source
    finally:
        wheel.unlink()
    raise RuntimeError(f"TF {release}: no def function( in {MODULES}")


def arguments(source: str) -> tuple[list[str], list[str]]:
    """The parameters of ``def function`` and those its ``deprecated_args`` decorators name."""
    definition = next(
        node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef) and node.name == "function"
    )
    names = [argument.arg for argument in definition.args.args]
    deprecated = [
        decorator.args[-1].value
        for decorator in definition.decorator_list
        if isinstance(decorator, ast.Call) and ast.unparse(decorator.func).endswith("deprecated_args")
        and isinstance(decorator.args[-1], ast.Constant)
    ]
    return names, deprecated


def measure() -> dict[str, dict[str, str]]:
    """Argument -> {"since": first release with it, "deprecated": first release deprecating it}."""
    history: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as directory:
        for release, python in releases():
            names, deprecated = arguments(tf_function_source(release, python, Path(directory)))
            print(f"TF {release}: {', '.join(names)}; deprecated: {', '.join(deprecated) or '-'}", file=sys.stderr)
            for name in names:
                history.setdefault(name, {"since": release})
            for name in deprecated:
                history[name].setdefault("deprecated", release)
    return history


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare the measurement with tf_api.yaml")
    arguments_ = parser.parse_args()
    measured = measure()
    if not arguments_.check:
        for name, facts in measured.items():
            print(name, facts)
        return 0
    model = yaml.safe_load(MODEL.read_text(encoding="utf-8"))["tf_function"]["parameters"]
    differences = []
    for entry in model:
        facts = measured.get(entry["name"], {})
        for key in ("since", "deprecated"):
            if str(entry.get(key)) != str(facts.get(key)):
                differences.append(
                    f"{entry['name']}: {key} is {entry.get(key)} in tf_api.yaml, {facts.get(key)} measured"
                )
    print("\n".join(differences) or "tf_function parameters agree with every release's signature")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
