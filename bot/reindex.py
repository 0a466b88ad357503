"""Building a corpus's index in a child process, so the process that answers questions never stalls on it.

The bot's `refresh` runs `python -m bot.reindex FOLDER [--cache-dir DIR]`, which updates the cache
(reading only changed files and writing them as a delta over the saved index, retrieval/delta.py)
and exits; the bot then opens the result, memory-mapped, and answers from the old index until then.
When the delta has grown past its share of the base, a merge (retrieval/merge.py) is started in
another child that the bot does not wait for: it keeps answering, and its next refresh opens the
merged base. The builds hold no lock the answering process needs, and their memory goes back to
the system when they exit.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from retrieval import CorpusError, CorpusIndex, open_corpus

if TYPE_CHECKING:  # imported where a child is started: `ask` starts none
    import subprocess

COMMAND = [sys.executable, "-m", "bot.reindex"]  # what runs a build (a test may put a wrapper first)
LAUNCH = None  # what starts it: subprocess.Popen, or a test's Popen of the same interface (tests/forked.py)
_WARNING = "warning: "
_ERROR = "error: "
_CORPUS_ERROR = 3  # the child's exit code when the folder cannot serve


class Builds:
    """Runs builds in child processes, one at a time, and stops the running one on `stop()`."""

    def __init__(self) -> None:
        self._child: subprocess.Popen | None = None
        self._merging: subprocess.Popen | None = None
        self._stopped = threading.Event()

    def build(self, folder: Path, cache_dir: Path | None, warn: Callable[[str], None] | None,
              max_file_bytes: int | None = None) -> CorpusIndex:
        """The folder's index, built (or updated) in a child process and then opened from the cache.

        Raises CorpusError when the folder cannot serve. When the child could leave no cache (the
        cache folder is not writable), the index is built in this process instead.
        """
        warn = warn or (lambda message: None)
        if self._stopped.is_set():
            raise CorpusError("stopping")
        command = [*COMMAND, str(folder)] + (["--cache-dir", str(cache_dir)] if cache_dir else []) \
            + (["--max-file-bytes", str(max_file_bytes)] if max_file_bytes else [])
        import subprocess

        self._child = child = (LAUNCH or subprocess.Popen)(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                                           stderr=subprocess.PIPE, text=True, errors="replace")
        try:
            _, errors = child.communicate()
        finally:
            self._child = None
        if self._stopped.is_set():
            raise CorpusError("stopping")
        lines = errors.splitlines()
        for line in lines:
            if line.startswith(_WARNING):
                warn(line[len(_WARNING):])
        if child.returncode == _CORPUS_ERROR:
            raise CorpusError(next((x[len(_ERROR):] for x in lines if x.startswith(_ERROR)), "corpus unusable"))
        if child.returncode != 0:
            raise RuntimeError(f"the index build exited with {child.returncode}: {lines[-1] if lines else ''}")
        try:
            index = open_corpus(folder, cache_dir, build=False, max_file_bytes=max_file_bytes)
        except CorpusError:
            return open_corpus(folder, cache_dir, warn, max_file_bytes=max_file_bytes)
        from retrieval.delta import needs_merge

        if needs_merge(index):
            self.merge(folder, cache_dir, max_file_bytes)
        return index

    def merge(self, folder: Path, cache_dir: Path | None, max_file_bytes: int | None = None) -> None:
        """Start merging the cache's delta into a new base in a child process, unless one is running."""
        if self._stopped.is_set() or self.merging():
            return
        from retrieval import merge

        self._merging = merge.start(folder, cache_dir, max_file_bytes)

    def merging(self) -> bool:
        """True while a merge started here is running."""
        return self._merging is not None and self._merging.poll() is None

    def wait_for_merge(self, timeout: float | None = None) -> None:
        if self._merging is not None:
            self._merging.wait(timeout)

    def stop(self) -> None:
        """Stop the build and the merge in progress, if any, and refuse new ones."""
        self._stopped.set()
        for child in (self._child, self._merging):
            if child is not None and child.poll() is None:
                child.kill()
                child.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.reindex", description="update a corpus's index cache")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--max-file-bytes", type=int, default=None)
    args = parser.parse_args(argv)
    try:
        open_corpus(args.folder, args.cache_dir, lambda message: print(_WARNING + message, file=sys.stderr),
                    max_file_bytes=args.max_file_bytes, merge=False)  # the bot starts merges itself
    except CorpusError as err:
        print(_ERROR + str(err), file=sys.stderr)
        return _CORPUS_ERROR
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
