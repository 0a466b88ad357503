"""How the benchmarks measure a piece of work: in a forked child, its seconds and peak memory; or the best of n runs."""

from __future__ import annotations

import gc
import json
import os
import tempfile
import time
from pathlib import Path


def status(key: str) -> int:
    """A figure of /proc/self/status in bytes (VmRSS, VmHWM), 0 where there is none."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def release_free_memory() -> None:
    """Give freed heap memory back to the system (glibc), so that resident memory is memory in use."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def in_child(work, *args) -> dict:
    """Run work(*args) -> dict (or None) in a forked child: its result plus `seconds`, `peak_mb`, the
    child's peak resident memory above what it started with, and `children_peak_mb`, the same of the
    largest process it started (0 when none)."""
    gc.collect()
    release_free_memory()
    out = Path(tempfile.mktemp(suffix=".json"))
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            release_free_memory()  # memory the parent freed but kept would hide the work's own use
            try:
                with open("/proc/self/clear_refs", "w") as handle:
                    handle.write("5")  # restart the peak-RSS count at the current RSS
            except OSError:
                pass
            start = status("VmRSS")
            began = time.perf_counter()
            result = work(*args) or {}
            import resource

            # Processes the work started and waited for (a build's workers): the largest one's peak
            # resident memory, above what this child started with (pages it shares with this one count).
            children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
            result.update(seconds=time.perf_counter() - began, peak_mb=(status("VmHWM") - start) / 2**20,
                          children_peak_mb=max(children - start, 0) / 2**20 if children else 0.0)
            out.write_text(json.dumps(result))
            code = 0
        finally:
            os._exit(code)
    _, code = os.waitpid(pid, 0)
    if code != 0 or not out.exists():
        raise RuntimeError(f"{getattr(work, '__name__', 'the work')} failed in its child process")
    result = json.loads(out.read_text())
    out.unlink()
    return result


def best_of(times: int, run) -> float:
    """The fewest seconds `run()` took in `times` runs."""
    values = []
    for _ in range(times):
        began = time.perf_counter()
        run()
        values.append(time.perf_counter() - began)
    return min(values)


def drop_from_page_cache(files: list[Path]) -> None:
    """Ask the kernel to forget the files' pages (clean pages only: the build flushed them)."""
    for path in files:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def resident_share(files: list[Path]) -> float:
    """The share of the files' pages in the page cache now (mincore over a read-only map of each)."""
    import ctypes
    import mmap

    import numpy as np

    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.mincore.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p)
    page = mmap.PAGESIZE
    resident = total = 0
    for path in files:
        size = path.stat().st_size
        if not size:
            continue
        with open(path, "rb") as handle, mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_READ) as view:
            pages = (size + page - 1) // page
            vec = ctypes.create_string_buffer(pages)
            bytes_view = np.frombuffer(view, np.uint8)  # a read-only map's address, through numpy
            base = bytes_view.ctypes.data
            if libc.mincore(ctypes.c_void_p(base), size, vec) != 0:
                raise OSError(ctypes.get_errno(), "mincore failed")
            del bytes_view
            resident += int((np.frombuffer(vec.raw, np.uint8) & 1).sum())
            total += pages
    return resident / total if total else 0.0
