"""Which project a file belongs to, and how many projects one process keeps (analysis/project.py).

A file must land in a project whose discovery finds it: otherwise the project is analyzed
again for that file, and a tree of such files is analyzed once per file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flake8_hybrid.analysis import layout
from flake8_hybrid.analysis import projects
from flake8_hybrid.analysis.api_model import api_model
from flake8_hybrid.analysis.layout import discover, find_project_root

MODULE = "import tensorflow as tf\n\n\ndef scale(x):\n    return tf.nn.relu(x) * 2.0\n"


def write(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("" if name.endswith("__init__.py") else MODULE)


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch):
    monkeypatch.setattr(projects, "_SHARED", {})
    monkeypatch.setattr(projects, "_STATES", {})
    projects.forget_projects()
    yield
    projects.forget_projects()


def test_a_package_without_markers_is_one_project_at_its_base(tmp_path: Path) -> None:
    tree = tmp_path / "unpacked"
    write(tree, "pkg/__init__.py", "pkg/nlp/__init__.py", "pkg/nlp/layers/__init__.py", "pkg/nlp/layers/dense.py",
          "pkg/ops.py")
    assert find_project_root(str(tree / "pkg" / "nlp" / "layers" / "dense.py")) == str(tree)
    assert find_project_root(str(tree / "pkg" / "ops.py")) == str(tree)
    # A plain directory of scripts is its own base.
    write(tree, "scripts/train.py")
    assert find_project_root(str(tree / "scripts" / "train.py")) == str(tree / "scripts")


def test_a_tree_that_discovery_skips_is_not_part_of_the_marked_project(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = outer\n")
    write(tmp_path, "outer.py", ".corpus/wheel/pkg/__init__.py", ".corpus/wheel/pkg/ops.py",
          "build/lib/pkg/__init__.py", "build/lib/pkg/ops.py", "venv/lib/tool.py", ".hidden/script.py")
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert find_project_root(str(tmp_path / "outer.py")) == str(tmp_path)
    assert find_project_root(str(tmp_path / ".corpus" / "wheel" / "pkg" / "ops.py")) == str(
        tmp_path / ".corpus" / "wheel"
    )
    assert find_project_root(str(tmp_path / "build" / "lib" / "pkg" / "ops.py")) == str(tmp_path / "build" / "lib")
    assert find_project_root(str(tmp_path / "venv" / "lib" / "tool.py")) == str(tmp_path / "venv" / "lib")
    assert find_project_root(str(tmp_path / ".hidden" / "script.py")) == str(tmp_path / ".hidden")
    # An installed package is its own project, not every distribution beside it.
    write(tmp_path, "venv/lib/site-packages/tensorflow/__init__.py",
          "venv/lib/site-packages/tensorflow/ops/__init__.py",
          "venv/lib/site-packages/tensorflow/ops/math.py", "venv/lib/site-packages/six.py")
    installed = tmp_path / "venv" / "lib" / "site-packages"
    assert find_project_root(str(installed / "tensorflow" / "ops" / "math.py")) == str(installed / "tensorflow")
    # Each file is among what its project discovers.
    for name in ("outer.py", ".corpus/wheel/pkg/ops.py", "build/lib/pkg/ops.py", "venv/lib/tool.py",
                 ".hidden/script.py"):
        path = str(tmp_path / name)
        assert path in discover(find_project_root(path)), name


def test_a_skipped_tree_is_analyzed_once_not_once_per_file(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = outer\n")
    names = [f".corpus/pkg/m{index}.py" for index in range(6)]
    write(tmp_path, ".corpus/pkg/__init__.py", *names)
    analyses = count_analyses(monkeypatch)
    for name in names:
        path = tmp_path / name
        project = projects.project_for(str(path), path.read_text(), api_model(), None)
        assert project.facts_for(str(path)), name
    assert len(analyses) == 1


def test_a_process_keeps_the_two_projects_it_used_last(tmp_path: Path, monkeypatch) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "setup.cfg").write_text(f"[metadata]\nname = {name}\n")
        write(tmp_path / name, "ops.py")
    analyses = count_analyses(monkeypatch)

    def lint(name: str) -> None:
        path = tmp_path / name / "ops.py"
        assert projects.project_for(str(path), path.read_text(), api_model(), None).facts_for(str(path))

    for name in ("a", "b", "a", "c", "a"):
        lint(name)
    assert len(projects._SHARED) == projects.MAX_SHARED_PROJECTS == 2
    assert analyses == [str(tmp_path / name) for name in ("a", "b", "c")]  # "a" was used last before "c" came
    lint("b")  # let go when "c" came: analyzed again
    assert analyses[-1] == str(tmp_path / "b")
    assert {key[0] for key in projects._SHARED} == {str(tmp_path / "a"), str(tmp_path / "b")}


def test_files_discovery_misses_make_few_analyses(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = big\n")
    names = [f"m{index:02}.py" for index in range(12)]
    write(tmp_path, *names)
    monkeypatch.setattr(layout, "MAX_PROJECT_FILES", 2)  # discovery finds m00 and m01 only
    monkeypatch.setattr(projects, "MAX_REANALYSES", 3)
    analyses = count_analyses(monkeypatch)
    facts_seen = []
    for name in names:
        path = tmp_path / name
        project = projects.project_for(str(path), path.read_text(), api_model(), None)
        facts_seen.append(bool(project.facts_for(str(path))))
    # The first file of the project, then one analysis again for each of three files missed.
    assert len(analyses) == 1 + 3
    assert facts_seen == [True] * 5 + [False] * 7


def count_analyses(monkeypatch) -> list:
    roots: list = []
    build = projects._shared_project

    def counting(root, *args, **kwargs):
        roots.append(root)
        return build(root, *args, **kwargs)

    monkeypatch.setattr(projects, "_shared_project", counting)
    return roots


def test_flake8_over_a_package_in_a_skipped_directory_reports_as_over_its_marked_copy(tmp_path: Path) -> None:
    # End to end, with --jobs 2: the package unpacked under a dot-directory of a marked project
    # gets the findings it gets as a project of its own (the cross-module HYB003 included).
    package = {
        "pkg/__init__.py": "",
        "pkg/ops.py": "import tensorflow as tf\n\n\n@tf.function\ndef scale(x, factor):\n    return x * factor\n",
        "pkg/train.py": (
            "import tensorflow as tf\nfrom pkg.ops import scale\n\n"
            "for epoch in range(5):\n    scale(tf.ones([2]), epoch)\n"
        ),
    }
    outputs = []
    for tree, marker in ((tmp_path / "copy", "copy/setup.cfg"), (tmp_path / "outer" / ".unpacked", "outer/setup.cfg")):
        for name, text in package.items():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            (tree / name).write_text(text)
        # A root marker that declares no distribution: both layouts are the same application.
        (tmp_path / marker).write_text("[flake8]\n")
        result = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select=HYB", "--jobs=2", "pkg"],
                                cwd=tree, capture_output=True, text=True, timeout=300)
        assert result.stderr == "", result.stderr
        outputs.append(result.stdout)
    assert "HYB003" in outputs[0] and outputs[1] == outputs[0]
    assert (tmp_path / "outer" / ".unpacked" / ".flake8_hybrid_cache").is_dir()  # its own project's cache
    assert not (tmp_path / "outer" / ".flake8_hybrid_cache").exists()
