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
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


PYTHON = sys.executable
