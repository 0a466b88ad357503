"""Where the test suite's CPU goes: per test module, the CPU of the test worker itself and of the
processes its tests start, beside how fast the machine is at the time.

    python benchmarks/suite_cpu.py            # the suite as the README runs it (`python -m pytest`)
    python benchmarks/suite_cpu.py -n 2 tests/test_cli.py

The suite's wall time on a 2-core machine is about its CPU over two cores, and that CPU changes with
the host: the same suite, same code, took 80 to 198 CPU-s (user and system) in one day. So each run
is bracketed by a fixed pure-Python loop (`calibrate`), timed before and after; compare runs by
CPU-s over that time.

Each test's figures are taken by a pytest plugin (this module, loaded in every worker with
`-p benchmarks.suite_cpu`): the worker's own CPU over the test (setup, call and teardown; a module's
fixtures are counted in its first test) and the CPU of the child processes the test waited for
(resource.RUSAGE_CHILDREN, which includes their own waited-for children, plus what tests/forked.py
reports for the processes it forked). What is not in any test is
the workers' start and collection and pytest's own process: the "outside tests" row.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_FOLDER = "NEWSBOT_SUITE_CPU_DIR"


# -- the plugin, in each pytest process ---------------------------------------------------------
def _cpu() -> tuple[float, float]:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    forked = sys.modules.get("tests.forked")  # processes forked for the tests are the zygote's children
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime + (forked.children_cpu() if forked else 0.0)


def _record(row: dict) -> None:
    folder = os.environ.get(_FOLDER)
    if folder:
        with open(Path(folder) / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as out:
            out.write(json.dumps(row) + "\n")


try:
    import pytest
except ImportError:  # run as a script without pytest installed: main() says so
    pytest = None
else:
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(item, nextitem):
        before, started = _cpu(), time.monotonic()
        yield
        after = _cpu()
        _record({"test": item.nodeid, "own": after[0] - before[0], "children": after[1] - before[1],
                 "wall": time.monotonic() - started})


# -- the command ---------------------------------------------------------------------------------
def calibrate() -> float:
    """Seconds for a fixed pure-Python loop: how fast this host is running just now."""
    started = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - started


def main(argv: list[str]) -> int:
    if pytest is None:
        print("suite_cpu: pytest is not installed (pip install -e '.[test]')", file=sys.stderr)
        return 2
    before = calibrate()
    with tempfile.TemporaryDirectory(prefix="suite-cpu-") as folder:
        env = dict(os.environ, **{_FOLDER: folder})
        started = time.monotonic()
        run = subprocess.run([sys.executable, "-m", "pytest", "-p", "benchmarks.suite_cpu", *argv], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wall = time.monotonic() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        rows = [json.loads(line) for path in Path(folder).glob("*.jsonl")
                for line in path.read_text(encoding="utf-8").splitlines()]
    after = calibrate()
    summary = [line for line in run.stdout.splitlines() if " passed" in line or " failed" in line]
    total = usage.ru_utime + usage.ru_stime
    modules: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for row in rows:
        figures = modules[row["test"].split("::", 1)[0]]
        figures[0] += row["own"]
        figures[1] += row["children"]
        figures[2] += 1
    own, children = sum(r["own"] for r in rows), sum(r["children"] for r in rows)
    print(f"calibration loop: {before:.2f} s before, {after:.2f} s after (lower is a faster host)")
    print(f"pytest: {summary[-1].strip('= ') if summary else 'no summary'} (exit {run.returncode})")
    for line in run.stdout.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):  # pytest's short summary of what did not pass
            print(f"  {line}")
    print(f"wall {wall:.1f} s, CPU {total:.1f} s ({total / wall:.2f} cores busy)\n")
    print(f"{'module':48} {'tests':>5} {'worker CPU-s':>12} {'children CPU-s':>14}")
    for name, (mine, theirs, count) in sorted(modules.items(), key=lambda kv: -(kv[1][0] + kv[1][1])):
        print(f"{name:48} {count:5d} {mine:12.1f} {theirs:14.1f}")
    print(f"{'all tests':48} {len(rows):5d} {own:12.1f} {children:14.1f}")
    print(f"{'outside tests (workers start, collect; pytest)':48} {'':5} {total - own - children:12.1f}\n")
    print("the longest tests, worker + children CPU-s:")
    for row in sorted(rows, key=lambda r: -(r["own"] + r["children"]))[:40]:
        print(f"  {row['own'] + row['children']:5.1f}  {row['test'][:110]}")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
