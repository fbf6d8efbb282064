"""Target TensorFlow version detection, and test-file recognition."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flake8_hybrid.settings import DEFAULT_TEST_PATTERNS, Settings, is_test_file
from flake8_hybrid.versions import Version, detect_target, requirement_floor, target_for


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
    ],
)
def test_requirement_floor(text: str, floor: str) -> None:
    assert requirement_floor(text) == Version.parse(floor)


@pytest.mark.parametrize(
    "text",
    [
        "tensorflow\n",
        "tensorflow<2.16\n",
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
    assert target.source == str(tmp_path / name)


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
