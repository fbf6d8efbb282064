"""Target TensorFlow version detection, and test-file recognition."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from flake8_hybrid.settings import DEFAULT_TEST_PATTERNS, Settings, is_test_file
from flake8_hybrid.versions import (
    Bounds,
    TargetVersion,
    Version,
    detect_target,
    first_release_for_python,
    python_floor,
    python_support,
    requirement_bounds,
    requirement_floor,
    target_for,
)


@pytest.mark.parametrize(
    "text, floor",
    [
        ("tensorflow>=2.12\n", "2.12"),
        ("tensorflow==2.15.1\n", "2.15"),
        ("tensorflow ~= 2.9.0\n", "2.9"),
        ("tensorflow>2.10,<2.16\n", "2.10"),
        ("tensorflow[and-cuda]>=2.14\n", "2.14"),
        ("tensorflow-cpu>=2.11\n", "2.11"),
        ("tf-nightly>=2.17.0.dev2024\n", "2.17"),
        ('install_requires=["numpy", "tensorflow>=2.8"]', "2.8"),
        ('dependencies = [\n  "tensorflow (>=2.13)",\n]\n', "2.13"),
        ('[tool.poetry.dependencies]\ntensorflow = "^2.12"\n', "2.12"),
        ('[tool.poetry.dependencies]\ntensorflow = {version = ">=2.11", optional = true}\n', "2.11"),
        # Several requirements: the lowest admitted version counts.
        ("tensorflow>=2.14\n# legacy\ntensorflow-gpu==2.6\n", "2.6"),
        ("[options]\ninstall_requires =\n    tensorflow>=2.10\n", "2.10"),
        # Upper bounds first, as wheels' METADATA and pip freeze write them.
        ("tensorflow<2.22,>=2.21.0\n", "2.21"),
        ("Requires-Dist: tensorflow (<2.16.0,>=2.13.0)\n", "2.13"),
        ("tensorflow ~= 2.15.0\n", "2.15"),
        ("tensorflow==2.15.*\n", "2.15"),
        # Markers do not hide a requirement; one declared only in an extra counts.
        ('Requires-Dist: tensorflow >=2 ; extra == "tensorflow"\n', "2.0"),
        ('tensorflow>=2.16; python_version >= "3.9"\n', "2.16"),
        ("[options.extras_require]\ntf =\n    tensorflow>=2.16\n", "2.16"),
        # An upper bound alone next to a floor elsewhere: the floor counts.
        ("[options.extras_require]\ntensorflow =\n    tensorflow>=2.1\nc4 =\n    tensorflow<2.20.0\n", "2.1"),
        ("tensorflow>=2.8,!=2.9.0\n", "2.8"),
    ],
)
def test_requirement_floor(text: str, floor: str) -> None:
    assert requirement_floor(text) == Version.parse(floor)


@pytest.mark.parametrize(
    "text",
    [
        "tensorflow\n",
        "tensorflow<2.16\n",
        "tensorflow<=2.15.1\n",
        'tensorflow<2.20.0; extra == "c4"\n',
        "tensorflow-io[tensorflow]\n",
        "tensorflow-addons>=0.19\n",
        "tensorflow-probability>=0.20\n",
        "tensorflow_datasets>=4.9\n",
        "mytensorflow>=2.12\n",
    ],
)
def test_no_floor(text: str) -> None:
    assert requirement_floor(text) is None


@pytest.mark.parametrize(
    "name, content",
    [
        ("setup.py", "from setuptools import setup\nsetup(install_requires=['tensorflow>=2.13'])\n"),
        ("setup.cfg", "[options]\ninstall_requires =\n    tensorflow>=2.13\n"),
        ("pyproject.toml", '[project]\ndependencies = ["tensorflow>=2.13"]\n'),
        ("requirements.txt", "tensorflow>=2.13\n"),
        ("requirements-gpu.txt", "tensorflow[and-cuda]>=2.13\n"),
    ],
)
def test_detected_by_walking_up(tmp_path: Path, name: str, content: str) -> None:
    (tmp_path / name).write_text(content)
    package = tmp_path / "src" / "pkg"
    package.mkdir(parents=True)
    detect_target.cache_clear()
    target = target_for(str(package / "model.py"), None)
    assert target.version == Version(2, 13)
    # Relative to the project root (here the directory holding the file, which may not mark a
    # root: requirements*.txt does not), never absolute.
    assert target.source == name


def test_source_is_relative_to_the_project_root(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = project\n")
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "requirements-tf.txt").write_text("tensorflow>=2.4,<2.9\n")
    package = tmp_path / "requirements" / "pkg"
    package.mkdir()
    detect_target.cache_clear()
    target = target_for(str(package / "model.py"), None)
    assert target == TargetVersion(Version(2, 4), os.path.join("requirements", "requirements-tf.txt"), Version(2, 9))
    assert target.why_not(Version(2, 9)) == (
        f"target TensorFlow 2.4 ({os.path.join('requirements', 'requirements-tf.txt')}) is older than 2.9"
    )


def test_walk_stops_at_the_project_root(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("tensorflow>=2.13\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "other"\n')
    detect_target.cache_clear()
    target = target_for(str(project / "model.py"), None)
    assert target.version is None and not target.allows(Version(2, 9))
    assert "target TensorFlow version unknown" in target.why_not(Version(2, 9))


def test_the_option_wins_over_detection(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("tensorflow>=2.13\n")
    target = target_for(str(tmp_path / "model.py"), Version(2, 6))
    assert target.version == Version(2, 6) and target.source == "--hybrid-tf-version"
    assert target.allows(Version(2, 5)) and not target.allows(Version(2, 9))
    assert target.why_not(Version(2, 9)) == "target TensorFlow 2.6 (--hybrid-tf-version) is older than 2.9"


def test_unreadable_requirement_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").mkdir()  # a directory where a file is expected
    (tmp_path / "setup.cfg").write_text("[options]\ninstall_requires = tensorflow>=2.12\n")
    detect_target.cache_clear()
    assert target_for(str(tmp_path / "x.py"), None).version == Version(2, 12)


@pytest.mark.parametrize(
    "text, floor, ceiling",
    [
        ("tensorflow<2.22,>=2.21.0", "2.21", "2.22"),
        ("tensorflow (<2.16.0,>=2.13.0)", "2.13", "2.16"),
        ("tensorflow~=2.15.0", "2.15", "2.16"),
        ("tensorflow~=2.15", "2.15", "3.0"),
        ("tensorflow==2.15.1", "2.15", "2.16"),
        ("tensorflow<2.16.1", None, "2.17"),  # admits 2.16.0
        ("tensorflow<=2.15", None, "2.16"),
        ("tensorflow<2.16.0rc0", None, "2.16"),
        ('[tool.poetry.dependencies]\ntensorflow = "^2.12"\n', "2.12", "3.0"),
        ('[tool.poetry.dependencies]\ntensorflow = "~2.12"\n', "2.12", "2.13"),
        ('[tool.poetry.dependencies]\ntensorflow = {version = ">=2.11,<2.16"}\n', "2.11", "2.16"),
        # Several requirements: the lowest floor; a ceiling only when every one has a ceiling.
        ("tensorflow>=2.1\ntensorflow<2.20.0\n", "2.1", None),
        ("tensorflow>=2.13,<2.16\ntensorflow-cpu>=2.14,<2.17\n", "2.13", "2.17"),
    ],
)
def test_requirement_bounds(text: str, floor: str, ceiling: str) -> None:
    expected = Bounds(floor and Version.parse(floor), ceiling and Version.parse(ceiling))
    assert requirement_bounds(text) == expected


def test_no_tensorflow_requirement_has_no_bounds() -> None:
    assert requirement_bounds("numpy>=1.20\ntensorflow-datasets>=4.9\n") is None


# -- python_requires raises the floor ------------------------------------------------------------
@pytest.mark.parametrize(
    "text, python",
    [
        ("[options]\npython_requires = >=3.10\n", "3.10"),
        ("setup(name='x', python_requires='>=3.9, <4')\n", "3.9"),
        ('[project]\nrequires-python = "~=3.11"\n', "3.11"),
        ('[tool.poetry.dependencies]\npython = "^3.10"\n', "3.10"),
        ("[options]\npython_requires = >=3\n", "3.0"),
        ("[options]\npython_requires = <3.12\n", None),
        ("[options]\ninstall_requires = numpy\n", None),
    ],
)
def test_python_floor(text: str, python: str) -> None:
    assert python_floor(text) == (python and Version.parse(python))


def test_python_support_table_is_consistent() -> None:
    """The measured table (scripts/tf_python_support.py) has every TF 2 release up to the installed
    one, each supporting a run of consecutive Python versions, and neither end moves backwards."""
    import tensorflow as tf

    table = python_support()
    releases = [release for release, _ in table]
    installed = Version.parse(tf.__version__)
    assert releases == [Version(2, minor) for minor in range(installed.minor + 1)]
    for (_, pythons), (_, later) in zip(table, table[1:]):
        assert pythons[0] <= later[0] and pythons[-1] <= later[-1]
    for _, pythons in table:
        assert pythons == tuple(Version(3, minor) for minor in range(pythons[0].minor, pythons[-1].minor + 1))
    # This Python runs the installed TensorFlow: the table says that release supports it.
    assert Version(*sys.version_info[:2]) in dict(table)[installed]


@pytest.mark.parametrize(
    "python, release",
    [
        ("3.10", "2.8"),  # tensorflow-datasets: tensorflow>=2.1 with python_requires>=3.10
        ("3.11", "2.12"),
        ("3.12", "2.16"),
        ("3.13", "2.20"),
        ("3.9", "2.5"),
        ("3.7", None),  # TF 2.0 has it: the table says nothing about TF 1
        ("3.99", "2.21"),  # none yet: only a newer release than the table's last can have it
    ],
)
def test_first_release_for_python(python: str, release: str) -> None:
    assert first_release_for_python(Version.parse(python)) == (release and Version.parse(release))


def test_python_requires_raises_the_declared_floor(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text(
        "[options]\npython_requires = >=3.10\n\n[options.extras_require]\ntensorflow =\n    tensorflow>=2.1\n"
    )
    detect_target.cache_clear()
    target = target_for(str(tmp_path / "pkg" / "model.py"), None)
    assert target.version == Version(2, 8) and target.declared == Version(2, 1)
    assert target.why_not(Version(2, 9)) == (
        "target TensorFlow 2.8 (setup.cfg declares 2.1, raised to 2.8 by python_requires >=3.10 in setup.cfg) "
        "is older than 2.9"
    )


def test_python_requires_in_another_file_and_a_floor_it_does_not_raise(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nrequires-python = ">=3.10"\n')
    (tmp_path / "requirements.txt").write_text("tensorflow>=2.12\n")
    detect_target.cache_clear()
    assert target_for(str(tmp_path / "model.py"), None) == TargetVersion(Version(2, 12), "requirements.txt")
    (tmp_path / "requirements.txt").write_text("tensorflow>=2.4\n")
    detect_target.cache_clear()
    target = target_for(str(tmp_path / "model.py"), None)
    assert target.version == Version(2, 8) and target.raised_by == "python_requires >=3.10 in pyproject.toml"


def test_python_requires_without_a_tensorflow_floor_gives_no_target(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[options]\npython_requires = >=3.10\ninstall_requires = tensorflow<2.20\n")
    detect_target.cache_clear()
    target = target_for(str(tmp_path / "model.py"), None)
    assert target.version is None and target.ceiling == Version(2, 20)
    assert target.admits_any_from(Version(2, 9)) and not target.admits_any_from(Version(2, 20))


@pytest.mark.parametrize("text", ["2", "2.12", "2.12.1", " 2.9 ", "2.16.0rc1"])
def test_version_parse(text: str) -> None:
    assert Version.parse(text).major == 2


@pytest.mark.parametrize("text", ["", "latest", "two", "v2.12"])
def test_bad_version(text: str) -> None:
    with pytest.raises(ValueError, match="not a TensorFlow version"):
        Version.parse(text)


class FakeOptions:
    hybrid_tf_version = "2.10"
    hybrid_test_patterns = ["debug_*.py"]


def test_settings_from_flake8_options() -> None:
    settings = Settings.from_options(FakeOptions())
    assert settings.tf_version == Version(2, 10) and settings.test_patterns == ("debug_*.py",)
    assert Settings.from_options(object()) == Settings()


@pytest.mark.parametrize(
    "path, expected",
    [
        ("test_model.py", True),
        ("model_test.py", True),
        ("model_tests.py", True),
        ("conftest.py", True),
        ("tests/helpers.py", True),
        ("pkg/test/helpers.py", True),
        ("pkg/testing/utils.py", True),
        ("model.py", False),
        ("pkg/contest.py", False),
        ("pkg/latest/model.py", False),
        ("attest_model.py", False),
        ("-", False),
    ],
)
def test_test_file_recognition(path: str, expected: bool) -> None:
    assert is_test_file(path, DEFAULT_TEST_PATTERNS) is expected


def test_directories_above_the_working_directory_do_not_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checkout = tmp_path / "tests" / "checkout"
    checkout.mkdir(parents=True)
    monkeypatch.chdir(checkout)
    assert not is_test_file(str(checkout / "model.py"))
    assert is_test_file(str(checkout / "tests" / "model.py"))
    assert is_test_file(os.path.join("tests", "model.py"))


def test_custom_patterns() -> None:
    assert is_test_file("scripts/debug_run.py", ("debug_*.py",))
    assert not is_test_file("tests/model.py", ("debug_*.py",))
    assert is_test_file("notebooks/explore.py", ("notebooks/",))
