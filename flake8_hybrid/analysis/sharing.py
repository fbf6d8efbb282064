"""Dividing a cold analysis between ``flake8 --jobs`` workers.

Every worker needs the whole project's facts at its first file, and on a cold
cache they all get there at once. Left alone, each one summarized every module
and ran the fixpoint: N times the work for one answer. Instead:

- a worker *claims* a module before summarizing it (a file created exclusively
  beside the summary's cache entry); the others skip it, so the workers divide
  the summaries between them;
- the fixpoint runs under an exclusive lock on the cache directory: the first
  worker there waits for the summaries claimed elsewhere, reads them, computes
  and stores the facts (``results.py``); the others wait for the lock and read
  the facts, never the summaries they did not make.

A claim names the process holding it: one whose process is gone (a killed
run) is taken over at once, and any claim older than ``STALE_SECONDS`` is
ignored (another machine's, or a process id used again). Whatever goes wrong,
a worker does the work itself: a cache it cannot write, a platform without
``fcntl``, a claim that is never resolved.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from typing import Iterator, Optional

#: No module takes this long to summarize (the budget is one second a file).
STALE_SECONDS = 60.0
POLL_SECONDS = 0.005


def claim_path(directory: Optional[str], key: str) -> Optional[str]:
    """Where the claim on the summary cached under ``key`` lives (None without a cache)."""
    return os.path.join(directory, key[:2], key + ".claim") if directory else None


def claim(path: Optional[str]) -> bool:
    """Take the claim; False when a live worker holds it (True also when claims cannot be made)."""
    if path is None:
        return True
    for _attempt in range(2):
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            try:
                os.write(descriptor, f"{socket.gethostname()} {os.getpid()}".encode())  # who holds it
            finally:
                os.close(descriptor)
            return True
        except FileExistsError:
            if not _stale(path):
                return False
            release(path)  # left by a process that died: take it over
        except OSError:
            return True  # no way to coordinate: do the work
    return True


def release(path: Optional[str]) -> None:
    if path is None:
        return
    try:
        os.unlink(path)
    except OSError:
        pass


def wait_while_claimed(path: Optional[str], done) -> None:
    """Wait until ``done()`` or until nobody holds the claim (its worker finished, failed or died)."""
    while path is not None and not done() and os.path.exists(path) and not _stale(path):
        time.sleep(POLL_SECONDS)


@contextlib.contextmanager
def exclusive(lock_path: str) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` (created if needed) for the block, if locks can be had."""
    try:
        import fcntl
    except ImportError:  # not POSIX: each worker does the work
        yield
        return
    try:
        os.makedirs(os.path.dirname(lock_path), exist_ok=True)
        descriptor = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o644)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        except OSError:
            pass  # a file system without locks: proceed unlocked
        yield
    finally:
        os.close(descriptor)  # also releases the lock


def _stale(path: str) -> bool:
    try:
        if time.time() - os.stat(path).st_mtime > STALE_SECONDS:
            return True
        with open(path, encoding="utf-8", errors="replace") as file:
            host, _, pid = file.read().partition(" ")
    except OSError:
        return False  # gone meanwhile: not stale, simply free
    return host == socket.gethostname() and pid.isdigit() and not _running(int(pid))


def _running(pid: int) -> bool:
    if os.name != "posix":
        return True  # no safe way to ask here (signal 0 would end the process on Windows)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True
