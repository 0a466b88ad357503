"""A corpus folder's change check begun in a forked child, while the process that asked imports and loads."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from .cache import FileKey, cache_version, corpus_files, default_cache_root, fingerprint
from .folder import Warn


class Prefetch:
    """A corpus folder's change check made in a child process, while this one imports the index code and
    loads the saved index: the fingerprint of its article files and the warnings its listing gave.

    Listing and stat-ing 50,000 files is mostly system calls (0.2-0.5 s on a shared 2-core machine);
    in a thread they would wait on each other with the imports for the interpreter lock, in a
    forked child they run beside them. `open_corpus(..., prefetch=)` trusts a saved index only when
    its fingerprint equals this one; otherwise it lists the folder again itself, as without one. Made
    only where os.fork exists and this process runs no other thread (a fork copies no thread, and
    one holding a lock the child needs would hang it); else `fingerprint()` says None.
    """

    def __init__(self, folder: Path | str, cache_root: Path | str | None = None):
        self.folder = Path(folder).expanduser()
        self.cache = Path(cache_root) if cache_root else default_cache_root()
        self._pid = 0
        self._read = -1
        self._result: tuple[str, list[str]] | None = None
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return
        cache_version()  # worked out here, so the child imports nothing
        try:
            read, write = os.pipe()
        except OSError:
            return
        try:
            pid = os.fork()
        except OSError:  # no process to spare: the check is made where the index is opened
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the child: list, hash, say it, and leave without running any of the parent's exit code
            code = 1
            try:
                os.close(read)
                warnings: list[str] = []
                keys: list[FileKey] = []
                found = corpus_files(self.folder, self.cache, warnings.append, keys=keys)
                data = json.dumps({"fingerprint": fingerprint(found, keys) if found else "",
                                   "warnings": warnings}, ensure_ascii=True).encode()
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def fingerprint(self, folder: Path, cache: Path, warn: Warn) -> str | None:
        """The folder's fingerprint as the child found it, its listing's warnings said through `warn`;
        None (and nothing said) when it was made for another folder or cache, or could not be made:
        the caller lists the folder itself."""
        if self._pid and (folder != self.folder or cache != self.cache):
            self.close()
        self._collect()
        if self._result is None:
            return None
        found, warnings = self._result
        self._result = None  # said once
        for message in warnings:
            warn(message)
        return found

    def close(self) -> None:
        """Stop the child if it still runs and forget what it found."""
        if self._pid:
            try:
                os.kill(self._pid, 9)
            except OSError:
                pass
        self._collect()
        self._result = None

    def _collect(self) -> None:
        if not self._pid:
            return
        chunks = []
        with os.fdopen(self._read, "rb") as source:
            while chunk := source.read(1 << 16):
                chunks.append(chunk)
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        try:
            data = json.loads(b"".join(chunks)) if status == 0 else None
            self._result = (str(data["fingerprint"]), [str(m) for m in data["warnings"]]) if data else None
        except (ValueError, KeyError, TypeError):
            self._result = None
