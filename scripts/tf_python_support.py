"""Measure which Python versions each TensorFlow release has wheels for.

The target TensorFlow version of a project is the lowest one its requirement admits
(``flake8_hybrid/versions.py``), but a project that requires Python 3.10 cannot install a
TensorFlow that has no wheel for Python 3.10 or newer: its real floor is higher. The table
behind that (``python_support`` in ``flake8_hybrid/data/tf_api.yaml``) is measured, not
recalled: for every Python version, pip lists the ``tensorflow`` releases that have a binary
wheel for it on Linux x86-64 (any manylinux tag), and a TF minor release supports that Python
when any of its patch releases does.

    python scripts/tf_python_support.py            # print the measured table as YAML
    python scripts/tf_python_support.py --check    # compare it with tf_api.yaml (exit 1 on a difference)

It needs PyPI (through pip) and takes about a minute: one ``pip index versions`` per Python version.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import yaml

MODEL = Path(__file__).resolve().parent.parent / "flake8_hybrid" / "data" / "tf_api.yaml"
PYTHONS = [f"3.{minor}" for minor in range(5, 15)]
#: Every manylinux tag a current Linux x86-64 accepts: pip does not expand the PEP 600 names itself.
PLATFORMS = [f"manylinux_2_{glibc}_x86_64" for glibc in range(5, 41)] + [
    "manylinux1_x86_64",
    "manylinux2010_x86_64",
    "manylinux2014_x86_64",
]


def releases_with_wheels(python: str) -> list[str]:
    """The ``tensorflow`` versions pip can install as a wheel on Linux x86-64 under ``python``."""
    command = [sys.executable, "-m", "pip", "index", "versions", "tensorflow", "--only-binary=:all:",
               "--python-version", python]
    for platform in PLATFORMS:
        command += ["--platform", platform]
    completed = subprocess.run(command, capture_output=True, text=True)
    match = re.search(r"^Available versions: (.*)$", completed.stdout, re.MULTILINE)
    if completed.returncode != 0 and "No matching distribution" not in completed.stderr:
        raise RuntimeError(f"pip failed for Python {python}:\n{completed.stderr[-2000:]}")
    return match.group(1).split(", ") if match else []


def measure() -> dict[str, list[str]]:
    """TF minor release ("2.8") -> the Python versions it has wheels for, TF 2 only."""
    table: dict[str, set[str]] = defaultdict(set)
    for python in PYTHONS:
        for release in releases_with_wheels(python):
            major, minor = release.split(".")[:2]
            if major == "2":
                table[f"2.{minor}"].add(python)
    by_minor = lambda version: int(version.split(".")[1])  # noqa: E731
    return {tf: sorted(table[tf], key=by_minor) for tf in sorted(table, key=by_minor)}


def as_yaml(table: dict[str, list[str]]) -> str:
    """Versions quoted: YAML reads an unquoted 3.10 as the number 3.1."""
    lines = []
    for tf, pythons in table.items():
        quoted = ", ".join(f'"{python}"' for python in pythons)
        lines.append(f'  "{tf}": [{quoted}]\n')
    return "".join(lines)


def recorded() -> dict[str, list[str]]:
    data = yaml.safe_load(MODEL.read_text(encoding="utf-8"))
    return {str(tf): [str(python) for python in pythons] for tf, pythons in data["python_support"].items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare the measurement with tf_api.yaml")
    arguments = parser.parse_args()
    measured = measure()
    if not arguments.check:
        print("python_support:\n" + as_yaml(measured), end="")
        return 0
    model = recorded()
    differences = [
        f"TF {tf}: tf_api.yaml says {model.get(tf)}, pip says {measured.get(tf)}"
        for tf in sorted(set(model) | set(measured), key=lambda version: int(version.split(".")[1]))
        if model.get(tf) != measured.get(tf)
    ]
    print("\n".join(differences) or "python_support agrees with the wheels on PyPI")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
