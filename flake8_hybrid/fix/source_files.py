"""Reading and writing the files the fixer works on, without losing anything.

A file is read as bytes and decoded the way Python itself would (coding cookie
or BOM, else UTF-8), so it can be written back in the same encoding with the
same newlines.  Writes go to a temporary file in the same directory that then
replaces the original, so a crash never leaves a file half-written; the file's
mode is kept, and a symbolic link keeps pointing at the rewritten target.
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
import tokenize
from dataclasses import dataclass


class UnfixableFile(Exception):
    """A file the fixer must leave alone; the message says why."""


@dataclass
class SourceFile:
    text: str
    encoding: str

    @classmethod
    def decode(cls, data: bytes) -> "SourceFile":
        if b"\0" in data:
            raise UnfixableFile("binary file (contains null bytes)")
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            text = data.decode(encoding)
        except (SyntaxError, LookupError, UnicodeDecodeError) as error:
            raise UnfixableFile(f"cannot decode: {error}") from None
        if encoding == "utf-8-sig" or text.startswith("\ufeff"):
            encoding, text = "utf-8-sig", text.lstrip("\ufeff")
        return cls(text, encoding)

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding)

    @property
    def lines(self) -> list[str]:
        """The lines as flake8 sees them (universal newlines)."""
        return io.StringIO(self.text, newline=None).readlines()


def read_source(path: str) -> tuple[bytes, SourceFile]:
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        raise OSError(f"cannot read: {error.strerror or error}") from None
    return data, SourceFile.decode(data)


def write_atomically(path: str, data: bytes) -> None:
    target = os.path.realpath(path)
    mode = stat.S_IMODE(os.stat(target).st_mode)
    directory, name = os.path.split(target)
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".hybrid-fix")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
