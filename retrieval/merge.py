"""Folding a base and its delta into one new base, so updates stay small: `python -m retrieval.merge FOLDER`.

The merge reassembles every live article from the saved parts (incremental.py: nothing is read or
split again unless its file changed since), learns the idf afresh and saves a build exactly as a
cold build of the same files would be. It takes long on a large corpus, so it runs without the
build lock, and publishes only if the slot still leads to the build it started from: an update
published meanwhile wins, and the merge is dropped (the next update starts another). One merge
runs at a time per cache slot (a lock of its own, not waited on). A merge stopped at any point
leaves the cache as it was.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .articles import DEFAULT_MAX_FILE_BYTES
from .cache import cache_slot, corpus_files, default_cache_root, fingerprint
from .lock import build_lock, lock_path

if TYPE_CHECKING:  # imported where a merge is started: `ask` starts none
    import subprocess

# Below this many base sentences a merge is done in the process that made the delta (a second or
# two); above it, in a background process.
BACKGROUND_SENTENCES = 200_000
COMMAND = [sys.executable, "-m", "retrieval.merge"]
LAUNCH = None  # what starts it: subprocess.Popen, or a test's Popen of the same interface (tests/forked.py)


def merge(folder: Path | str, cache_root: Path | str | None = None, max_file_bytes: int | None = None) -> bool:
    """Merge the folder's cached base and delta into a new base; False when there was nothing to merge,
    another merge was running, or a build was published meanwhile."""
    from filelock import FileLock, Timeout

    from .corpus import CorpusIndex
    from .incremental import update

    folder = Path(folder).expanduser()
    cache = Path(cache_root) if cache_root else default_cache_root()
    max_file_bytes = max_file_bytes or DEFAULT_MAX_FILE_BYTES
    stamp = {"corpus": str(folder.resolve()), "max_file_bytes": max_file_bytes}
    slot = cache_slot(cache, stamp["corpus"])
    lock = FileLock(lock_path(slot).with_suffix(".merge.lock"))
    try:
        lock.acquire(timeout=0)
    except (Timeout, OSError):
        return False
    try:
        try:
            started = os.readlink(slot)
            current = CorpusIndex.load(slot, stamp)
        except Exception:  # noqa: BLE001 - no sound cache: nothing to merge
            return False
        if current.generation is None or os.path.basename(str(current.saved_in)) != started:
            return False
        keys: list = []
        found = corpus_files(folder, cache, keys=keys)
        merged, table = update(current, found, keys, lambda message: None, max_file_bytes=max_file_bytes)
        if not merged.corpus.articles:
            return False
        files = fingerprint(found, keys)
        with build_lock(slot):
            return merged.save(slot, {**stamp, "files": files, "skipped": list(merged.skipped)}, table,
                               expect=started)
    finally:
        lock.release()


def start(folder: Path, cache_root: Path | None, max_file_bytes: int | None) -> subprocess.Popen:
    """Run a merge in a child process of its own session (it outlives this one) and return it."""
    import subprocess

    command = [*COMMAND, str(folder)] + (["--cache-dir", str(cache_root)] if cache_root else []) \
        + (["--max-file-bytes", str(max_file_bytes)] if max_file_bytes else [])
    return (LAUNCH or subprocess.Popen)(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m retrieval.merge", description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--max-file-bytes", type=int, default=None)
    args = parser.parse_args(argv)
    merge(args.folder, args.cache_dir, args.max_file_bytes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
