"""Pinned third-party sources for the benchmarks: a wheel from PyPI, its ``.py`` files unpacked.

    from corpus import corpus_sources
    root = corpus_sources("tf-models-official", "2.20.0")  # benchmarks/.corpus/tf-models-official-2.20.0

The wheel is downloaded once with pip (``--no-deps --only-binary=:all:``) into the corpus
directory (default ``benchmarks/.corpus/``, git-ignored) and its ``.py`` files are unpacked
next to it. A ``.complete`` marker makes later calls free; delete the folder to unpack again.
Nothing here imports the package (nor TensorFlow).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath
from typing import Optional

DEFAULT_DIRECTORY = Path(__file__).resolve().parent / ".corpus"
MARKER = ".complete"


def corpus_sources(name: str, version: str, directory: Optional[Path] = None) -> Path:
    """The folder holding the ``.py`` files of the wheel ``name==version`` (downloaded if needed)."""
    directory = Path(directory) if directory is not None else DEFAULT_DIRECTORY
    target = directory / f"{name}-{version}"
    if (target / MARKER).exists():
        return target
    wheel = download_wheel(name, version, directory)
    partial = directory / f"{name}-{version}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    count = unpack_python_files(wheel, partial)
    (partial / MARKER).write_text(f"{name}=={version}: {count} .py files from {wheel.name}\n", encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def download_wheel(name: str, version: str, directory: Path) -> Path:
    """The wheel file of ``name==version`` in ``directory``, downloaded by pip unless already there."""
    directory.mkdir(parents=True, exist_ok=True)
    found = _wheels(name, version, directory)
    if not found:
        print(f"downloading {name}=={version} into {directory} ...", file=sys.stderr, flush=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             f"{name}=={version}", "-d", str(directory)],
            check=True,
        )
        found = _wheels(name, version, directory)
    if len(found) != 1:
        raise RuntimeError(f"expected one wheel of {name}=={version} in {directory}, found {[p.name for p in found]}")
    return found[0]


def unpack_python_files(wheel: Path, target: Path) -> int:
    """Extract the ``.py`` members of ``wheel`` under ``target``; return how many."""
    count = 0
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.infolist():
            path = PurePosixPath(member.filename)
            if member.is_dir() or path.suffix != ".py":
                continue
            if path.is_absolute() or ".." in path.parts:
                raise RuntimeError(f"unsafe path in {wheel.name}: {member.filename!r}")
            destination = target.joinpath(*path.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.read(member))
            count += 1
    return count


def _wheels(name: str, version: str, directory: Path) -> list[Path]:
    # Wheel file names carry the normalized project name (PEP 427/503): tf-models-official -> tf_models_official.
    normalized = re.sub(r"[-_.]+", "_", name).lower()
    return sorted(
        p for p in directory.glob("*.whl")
        if p.name.lower().startswith(f"{normalized}-{version}-")
    )
