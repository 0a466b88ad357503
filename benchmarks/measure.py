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
    """Run work(*args) -> dict (or None) in a forked child: its result plus `seconds` and `peak_mb`, the
    child's peak resident memory above what it started with."""
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
            result.update(seconds=time.perf_counter() - began, peak_mb=(status("VmHWM") - start) / 2**20)
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
