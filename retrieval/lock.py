"""One build at a time per cache slot: a file lock that concurrent newsbot processes wait on.

filelock rather than fcntl.flock: the same lock on Linux, macOS and Windows, and the OS drops it
when a process dies, so a crashed build never leaves a stale lock behind.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator


def lock_path(slot: Path) -> Path:
    """The lock file beside a cache slot (not inside it: the slot is replaced whole when saved)."""
    return slot.parent / f"{slot.name}.lock"


@contextmanager
def build_lock(slot: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the lock of one cache slot while its index is built and saved.

    When another process holds it, `on_wait` is called once and this waits until that process is
    done; the caller should then look in the cache again before building. When the lock file cannot
    be made (a read-only cache folder), this goes on without a lock: the build still works.
    """
    from filelock import FileLock, Timeout

    lock = None
    try:
        slot.parent.mkdir(parents=True, exist_ok=True)
        candidate = FileLock(lock_path(slot))
        try:
            candidate.acquire(timeout=0)
        except Timeout:
            if on_wait:
                on_wait()
            candidate.acquire()
        lock = candidate
    except OSError:
        lock = None
    try:
        yield
    finally:
        if lock is not None:
            lock.release()
