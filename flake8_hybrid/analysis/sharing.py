"""Dividing a cold analysis between ``flake8 --jobs`` workers.

Every worker needs the whole project's facts at its first file, and on a cold
cache they all get there at once. Left alone, each one summarized every module
and ran the fixpoint: N times the work for one answer. Instead:

- a worker *claims* a module before summarizing it; the others skip it, so the
  workers divide the summaries between them;
- the fixpoint runs under an exclusive lock on the cache directory: the first
  worker there waits for the summaries claimed elsewhere, reads them, computes
  and stores the facts (``results.py``); the others wait for the lock and read
  the facts, never the summaries they did not make.

A claim is a lock on one byte of a file in the cache directory, at an offset
taken from the summary's key: no file is made per module (creating and removing
one per module cost a second per worker over tf-models-official), and the
kernel lets go of a worker's claims when it exits, however it ends, so a killed
run leaves nothing behind to wait for. Two keys may share a byte: a worker then
waits for, or leaves to another, a module nobody else is making, and makes it
itself once the claim is gone. No worker waits for a claim longer than
``STALE_SECONDS`` (one stuck on a module). Whatever goes wrong, a worker does the
work itself: a cache it cannot write, a file system without locks, a platform
without ``fcntl``.
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import Callable, Iterator, Optional

#: No module takes this long to summarize (the budget is one second a file).
STALE_SECONDS = 60.0
POLL_SECONDS = 0.005
#: The file of claims in a cache directory.
CLAIMS = "claims"

#: Claim files open in this process, by path. Kept open for the process's life: closing any
#: descriptor of a file lets go of every lock the process holds on it.
_OPEN: dict[str, Optional[int]] = {}


class Claims:
    """Claims on the summaries cached in ``directory`` (None: no cache, every claim is granted)."""

    def __init__(self, directory: Optional[str]) -> None:
        self.path = os.path.join(directory, CLAIMS) if directory else None

    def claim(self, key: str) -> bool:
        """Take the claim on ``key``; False when another process holds it."""
        return self._lock(key) is not False

    def release(self, key: str) -> None:
        descriptor = self._descriptor()
        if descriptor is not None:
            fcntl = _fcntl()
            with contextlib.suppress(OSError, OverflowError):
                fcntl.lockf(descriptor, fcntl.LOCK_UN, 1, _offset(key))

    def wait(self, key: str, done: Callable[[], bool]) -> None:
        """Wait until ``done()`` or until no other process holds the claim on ``key``
        (its worker finished, failed or died), for ``STALE_SECONDS`` at most."""
        deadline = time.monotonic() + STALE_SECONDS
        while not done() and time.monotonic() < deadline:
            if self._lock(key) is not False:
                self.release(key)  # free: only looked
                return
            time.sleep(POLL_SECONDS)

    def _lock(self, key: str) -> Optional[bool]:
        """True: locked; False: held by another process; None: no locks to be had here."""
        descriptor = self._descriptor()
        if descriptor is None:
            return None
        fcntl = _fcntl()
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _offset(key))
        except (BlockingIOError, PermissionError):
            return False
        except (OSError, OverflowError):
            return None  # a file system without locks: do the work
        return True

    def _descriptor(self) -> Optional[int]:
        if self.path is None or _fcntl() is None:
            return None
        if self.path not in _OPEN:
            try:
                os.makedirs(os.path.dirname(self.path), exist_ok=True)
                _OPEN[self.path] = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
            except OSError:
                _OPEN[self.path] = None
        return _OPEN[self.path]


def _offset(key: str) -> int:
    # 31 bits of the key: within a 32-bit file offset, and 20,000 modules share a byte
    # about once in ten projects (which costs a little waiting, nothing else).
    return int(key[:8], 16) & 0x7FFFFFFF


def _fcntl():
    try:
        import fcntl
    except ImportError:  # not POSIX
        return None
    return fcntl


@contextlib.contextmanager
def exclusive(lock_path: str) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` (created if needed) for the block, if locks can be had."""
    fcntl = _fcntl()
    if fcntl is None:  # not POSIX: each worker does the work
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
