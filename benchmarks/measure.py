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


def proportional(pid: int | str = "self") -> int:
    """A process's proportional set size in bytes (Pss of /proc/PID/smaps_rollup: each page it shares
    with other processes counted as its share), 0 when it is gone or cannot be read."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _tree(pid: int) -> list[int]:
    """The process and all its descendants (those alive now)."""
    found, pending = [], [pid]
    while pending:
        p = pending.pop()
        found.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as handle:
                pending.extend(int(c) for c in handle.read().split())
        except OSError:
            pass
    return found


class TreeSampler:
    """Samples, every `interval` seconds in a thread, the summed Pss of a process and its descendants
    (a build and its reading workers, or anything else it starts): the peak of the memory the whole
    work holds at one time, each shared page counted once over the processes sharing it."""

    def __init__(self, pid: int, interval: float = 0.02):
        import threading

        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(proportional(p) for p in _tree(self.pid)))
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def in_child(work, *args) -> dict:
    """Run work(*args) -> dict (or None) in a forked child: its result plus `seconds`, `peak_mb`, the
    child's peak resident memory above what it started with, `children_peak_mb`, the same of the
    largest process it started (0 when none), and `tree_peak_mb`: the peak of the summed Pss of the
    child and every process it started (sampled every 20 ms), above the child's Pss at its start.

    `peak_mb` counts the child alone, exactly (the kernel's high-water mark); `tree_peak_mb` counts
    its workers too, alive at the same time, sampled (a peak shorter than 20 ms may be missed)."""
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
            start_pss = proportional()
            began = time.perf_counter()
            result = work(*args) or {}
            import resource

            # Processes the work started and waited for (a build's workers): the largest one's peak
            # resident memory, above what this child started with (pages it shares with this one count).
            children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
            result.update(seconds=time.perf_counter() - began, peak_mb=(status("VmHWM") - start) / 2**20,
                          children_peak_mb=max(children - start, 0) / 2**20 if children else 0.0,
                          start_pss=start_pss)
            out.write_text(json.dumps(result))
            code = 0
        finally:
            os._exit(code)
    sampler = TreeSampler(pid)
    _, code = os.waitpid(pid, 0)
    tree_peak = sampler.stop()
    if code != 0 or not out.exists():
        raise RuntimeError(f"{getattr(work, '__name__', 'the work')} failed in its child process")
    result = json.loads(out.read_text())
    out.unlink()
    result["tree_peak_mb"] = max(tree_peak - result.pop("start_pss"), 0) / 2**20
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
