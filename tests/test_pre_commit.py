"""End-to-end test of the hooks in ``.pre-commit-hooks.yaml`` through the real pre-commit.

``pre-commit try-repo`` runs the ``flake8-hybrid`` (lint) and ``flake8-hybrid-fix``
(autofix) hooks on a throwaway git repository holding a file with a fixable
finding (HYB301, ``experimental_relax_shapes=``) and a ``requirements.txt`` that
pins the TensorFlow version, so the fix is known to be safe. Checked: the lint
hook fails and reports HYB301; the fix hook fails because it rewrote the file,
and the file then differs from the original in exactly that keyword; a second
run of the fix hook passes (the fix is idempotent) and the lint hook passes.

pre-commit installs the package with pip from the repository into a fresh
virtualenv, so this test needs PyPI (or a pip cache) and takes a while.

What pre-commit installs is a snapshot of this working tree: ``try-repo`` on a
dirty repository only carries over modified tracked files and staged files, so
a new, untracked file (a new module, the manifest itself before its first
commit) would silently be missing. The snapshot is a fresh one-commit repository
made from every file git does not ignore, as the files are on disk now.

``try-repo`` builds the hook environment in its own temporary store on every
call; ``PRE_COMMIT_HOME`` points at a per-session directory only so that
pre-commit does not touch the user's cache. Git runs with no global or system
configuration and with an explicit identity, so the test also passes where none
is configured.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 600  # seconds; building a hook environment pip-installs the package

BAD_SOURCE = b"""\
import tensorflow as tf


@tf.function(experimental_relax_shapes=True)
def double(x):
    return x * 2
"""
FIXED_SOURCE = BAD_SOURCE.replace(b"experimental_relax_shapes=True", b"reduce_retracing=True")

GIT = (
    "git",
    "-c", "user.name=flake8-hybrid tests",
    "-c", "user.email=flake8-hybrid-tests@example.invalid",
    "-c", "commit.gpgsign=false",
    "-c", "init.defaultBranch=main",
)


@pytest.fixture(scope="session")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment for git and pre-commit: own pre-commit home, no git config."""
    result = {
        key: value
        for key, value in os.environ.items()
        # GIT_DIR, GIT_INDEX_FILE...: set when the tests run inside a git hook.
        # SKIP / PRE_COMMIT_*: a developer's settings for their own pre-commit runs.
        if not key.startswith(("GIT_", "PRE_COMMIT")) and key != "SKIP"
    }
    result["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))
    result["GIT_CONFIG_GLOBAL"] = os.devnull
    result["GIT_CONFIG_NOSYSTEM"] = "1"
    return result


def git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    process = subprocess.run(
        [*GIT, *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT
    )
    output = process.stdout.decode(errors="replace")
    assert process.returncode == 0, f"git {' '.join(args)} failed in {cwd}:\n{output}"
    return output


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    """A one-commit repository with this working tree's files as they are on disk."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=TIMEOUT,
    )
    if listing.returncode != 0:
        pytest.skip(f"{ROOT} is not a git checkout: {listing.stderr.decode(errors='replace').strip()}")
    snapshot = tmp_path_factory.mktemp("flake8-hybrid-snapshot")
    for name in filter(None, listing.stdout.decode().split("\0")):
        source = ROOT / name
        if not source.is_file():  # deleted but still tracked
            continue
        (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, snapshot / name)
    assert (snapshot / ".pre-commit-hooks.yaml").is_file(), f"no .pre-commit-hooks.yaml in {ROOT}"
    git("init", "-q", cwd=snapshot, env=env)
    git("add", "-A", cwd=snapshot, env=env)
    git("commit", "-q", "--no-verify", "-m", "snapshot of the working tree", cwd=snapshot, env=env)
    return snapshot


def pre_commit(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        timeout=TIMEOUT,
    )


def test_manifest_is_valid(env: dict[str, str]) -> None:
    process = pre_commit("validate-manifest", str(ROOT / ".pre-commit-hooks.yaml"), cwd=ROOT, env=env)
    assert process.returncode == 0, f"pre-commit validate-manifest failed:\n{process.stdout}"


def test_lint_and_fix_hooks(tmp_path: Path, hook_repo: Path, env: dict[str, str]) -> None:
    git("init", "-q", cwd=tmp_path, env=env)
    model = tmp_path / "model.py"
    model.write_bytes(BAD_SOURCE)
    (tmp_path / "requirements.txt").write_bytes(b"tensorflow>=2.12\n")
    git("add", "model.py", "requirements.txt", cwd=tmp_path, env=env)

    def try_repo(hook: str) -> subprocess.CompletedProcess[str]:
        args = ("try-repo", str(hook_repo), hook, "--files", "model.py", "--color=never")
        return pre_commit(*args, cwd=tmp_path, env=env)

    lint = try_repo("flake8-hybrid")
    assert lint.returncode != 0, f"the lint hook passed on a file with a HYB301 finding:\n{lint.stdout}"
    assert "HYB301" in lint.stdout, f"the lint hook did not report HYB301:\n{lint.stdout}"
    assert model.read_bytes() == BAD_SOURCE, f"the lint hook changed model.py:\n{lint.stdout}"

    fix = try_repo("flake8-hybrid-fix")
    assert fix.returncode != 0, f"the fix hook passed without rewriting model.py:\n{fix.stdout}"
    assert "files were modified by this hook" in fix.stdout, f"pre-commit saw no change:\n{fix.stdout}"
    assert "Rewriting model.py" in fix.stdout, f"the fixer did not say it rewrote model.py:\n{fix.stdout}"
    fixed = model.read_bytes()
    assert fixed == FIXED_SOURCE, (
        f"model.py after the fix hook:\n{fixed.decode(errors='replace')}\n"
        f"expected:\n{FIXED_SOURCE.decode()}\npre-commit output:\n{fix.stdout}"
    )

    again = try_repo("flake8-hybrid-fix")
    assert again.returncode == 0, f"the fix hook is not idempotent:\n{again.stdout}"
    assert "Passed" in again.stdout, f"the fix hook did not report Passed:\n{again.stdout}"
    assert model.read_bytes() == FIXED_SOURCE, f"the second fix run changed model.py:\n{again.stdout}"

    relint = try_repo("flake8-hybrid")
    assert relint.returncode == 0, f"the lint hook still fails on the fixed file:\n{relint.stdout}"
    assert "Passed" in relint.stdout, f"the lint hook did not report Passed:\n{relint.stdout}"
