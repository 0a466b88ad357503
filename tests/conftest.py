"""Shared fixtures: the bundled corpus, throwaway corpora and cache folders."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def _keep_compiled_modules() -> None:
    """With PYTHONDONTWRITEBYTECODE set, every Python process the tests start compiles newsbot's modules
    from source again, and every test worker rewrites and compiles every test module again (pytest keeps
    its rewritten modules only where bytecode may be written): seconds of CPU per run. So the test run
    writes bytecode as Python does by default, next to the sources (in `__pycache__` folders, which git
    ignores), and the processes it starts do too. What is compiled, and so what runs, is the same.

    Not a PYTHONPYCACHEPREFIX folder: a prefix hides the bytecode pip compiled when it installed the
    dependencies, so a fresh machine compiles numpy, SciPy, scikit-learn, python-telegram-bot and aiohttp
    again, in every worker and child process at once. From fresh checkouts, old and new in turn on 2 cores:
    89-93 s (151-157 user CPU-s) with a prefix, 64-74 s (109-126) like this."""
    if not sys.dont_write_bytecode or sys.pycache_prefix or os.environ.get("PYTHONPYCACHEPREFIX"):
        return
    sys.dont_write_bytecode = False
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # the processes the tests start


_keep_compiled_modules()


def _with_checkout_on_path(env: dict[str, str]) -> dict[str, str]:
    """`env` with this checkout first on PYTHONPATH (once), so that a Python process started with it
    imports newsbot from here wherever it runs."""
    paths = env.get("PYTHONPATH", "").split(os.pathsep)
    if paths[0] != str(ROOT):
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, paths)])
    return env


# The test run's own environment too: the processes newsbot starts itself (its index builds) then
# start as those the tests start (with run_env), which lets tests/forked.py fork them all.
_with_checkout_on_path(os.environ)

# Scheduling on pytest-xdist's workers (pyproject's addopts: --dist loadscope --no-loadscope-reorder): the
# tests of a module, or of a class in one, run on one worker, so that their module-scoped fixtures are built
# once; a long test put in a class of its own runs beside the rest of its module. The scopes that take
# longest start first (`pytest --durations=0`, summed per scope), so that the workers finish
# together rather than one starting a long module when the other is almost done; the others follow in the
# order they are collected.
LONGEST_FIRST = (  # measured with the whole suite on 2 busy cores, longest first
    "tests/test_telegram_reliability.py::TestBacklogAcrossRestarts",
    "tests/test_telegram.py",
    "tests/test_telegram_reliability.py",
    "tests/test_segments.py",
    "tests/test_startup.py",
    "tests/test_followup_adapters.py",
    "tests/test_reading_files.py",
    "tests/test_cache_damage.py",
    "tests/test_cli.py",
    "tests/test_install.py",
    "tests/test_telegram_cli.py",
    "tests/test_incremental.py",
    "tests/test_scale_correctness.py",
    "tests/test_follow.py",
    "tests/test_background_build.py",
    "tests/test_hostile_input.py",
)


def pytest_xdist_auto_num_workers(config):
    """`-n auto`: two workers a core. Many tests spend much of their time waiting (on a child process's
    start, a Bot API server's reply, a timeout they test), and a second worker on the core uses it
    meanwhile: on 2 cores the suite took 82.7 s with 2 workers, 63.8 s with 3 and 61.6 s with 4."""
    return 2 * (os.cpu_count() or 1)


def pytest_configure(config):
    """In pytest's main process (not in xdist's workers): the interpreter the tests' newsbot processes
    are forked from (tests/forked.py). In the process that runs the tests: newsbot's builds in child
    processes are forked from it too."""
    from tests import forked

    if not hasattr(config, "workerinput"):
        forked.start()
    runs_tests = hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None)
    if runs_tests and os.environ.get(forked.ADDRESS):
        forked.launch_builds()


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput"):
        from tests import forked

        forked.stop()


def pytest_collection_modifyitems(config, items):
    rank = {scope: n for n, scope in enumerate(LONGEST_FIRST)}
    # The scope as loadscope splits it: the node id up to its last "::".
    items.sort(key=lambda item: rank.get(item.nodeid.rsplit("::", 1)[0], len(rank)))  # stable


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own index cache, so none sees another's."""
    monkeypatch.setenv("NEWSBOT_CACHE", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("NEWSBOT_CORPUS", raising=False)


@pytest.fixture(scope="session")
def seed_service(tmp_path_factory):
    from bot.service import AnsweringService

    return AnsweringService.open(SEEDS, tmp_path_factory.mktemp("seed-cache"))


@functools.cache
def shared_cache() -> Path:
    """One index cache folder per test process for the corpora in the repository (seeds/, tests/data/),
    which no test changes: built on a test's first use of a corpus, loaded by the tests after it."""
    folder = Path(tempfile.mkdtemp(prefix="newsbot-test-cache-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def cache_for(corpus: Path | None) -> Path | None:
    """The shared cache for a corpus of the repository's own (None: the seeds); None for any other folder,
    which then gets the test's own cache (NEWSBOT_CACHE, see _isolated_cache)."""
    if corpus is None or Path(corpus).resolve().is_relative_to(SEEDS) or \
            Path(corpus).resolve().is_relative_to(ROOT / "tests" / "data"):
        return shared_cache()
    return None


def warm(corpus: Path, cache: Path | None = None) -> None:
    """Build `corpus`'s index cache (default: the test's own, NEWSBOT_CACHE) in this process, where the
    modules are loaded already, so that a program the test starts next loads the index instead of
    building it (about 2 s of CPU in a fresh interpreter): for tests whose point is not the build."""
    from retrieval import open_corpus

    open_corpus(corpus, cache)


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def run_env(**extra: str) -> dict[str, str]:
    """Environment for running the CLI as a subprocess from this checkout."""
    env = _with_checkout_on_path(dict(os.environ))
    env.update(extra)
    return env


PYTHON = sys.executable
