"""Concurrent builds of one corpus take turns: the second waits for the first and loads what it saved."""

from __future__ import annotations

import hashlib
import subprocess
import threading
import time

from filelock import FileLock

from retrieval.lock import lock_path

from . import forked
from .conftest import PYTHON, run_env, write

WAITING = "newsbot: waiting for another newsbot process building this index…"


def _corpus(folder):
    write(folder, "storm.txt", "Storm hits coast\nThe storm flooded 300 homes, officials said.\n")
    write(folder, "fire.txt", "Fire in the hills\nThe fire burned 40 acres, firefighters said.\n")
    return folder


def _slot(cache, corpus):
    return cache / hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:16]


class _Index:
    """`newsbot index` as a process, its stderr read line by line as it comes."""

    def __init__(self, corpus, cache):
        self.process = forked.Popen([PYTHON, "-m", "bot", "index", "--corpus", str(corpus)],
                                        env=run_env(NEWSBOT_CACHE=str(cache)), text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.stderr: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stderr:
            self.stderr.append(line.rstrip("\n"))

    def finish(self) -> str:
        stdout = self.process.stdout.read()  # stderr is the reader thread's alone
        self.process.wait(timeout=120)
        self.reader.join(10)
        assert self.process.returncode == 0, self.stderr
        return stdout


def test_a_second_build_waits_for_the_first_and_reuses_its_cache(tmp_path):
    corpus, cache = _corpus(tmp_path / "corpus"), tmp_path / "cache"
    cache.mkdir()
    held = FileLock(lock_path(_slot(cache, corpus)))
    held.acquire()  # a build in progress elsewhere: both processes must wait for it
    runs = []
    try:
        runs = [_Index(corpus, cache), _Index(corpus, cache)]
        deadline = time.monotonic() + 90
        while not all(WAITING in run.stderr for run in runs):
            assert time.monotonic() < deadline, [run.stderr for run in runs]
            assert all(run.process.poll() is None for run in runs), [run.stderr for run in runs]
            time.sleep(0.05)
    finally:
        held.release()
    outputs = [run.finish() for run in runs]
    building = [line for run in runs for line in run.stderr if "building the index" in line]
    assert building == ["newsbot: building the index for 2 articles…"]  # one build, not two
    assert sorted("loaded from the cache" in out for out in outputs) == [False, True]


def test_two_index_runs_started_together_build_once(tmp_path):
    corpus, cache = _corpus(tmp_path / "corpus"), tmp_path / "cache"
    runs = [_Index(corpus, cache), _Index(corpus, cache)]
    outputs = [run.finish() for run in runs]
    building = [line for run in runs for line in run.stderr if "building the index" in line]
    assert len(building) == 1
    assert sum("loaded from the cache" in out for out in outputs) == 1


def test_without_a_place_for_the_lock_the_build_goes_on(tmp_path):
    from retrieval import open_corpus

    corpus, cache = _corpus(tmp_path / "corpus"), tmp_path / "cache"
    cache.write_text("a file where the cache folder should be")  # no lock file, no cache can be made there
    said: list[str] = []
    index = open_corpus(corpus, cache, said.append)
    assert len(index.corpus.articles) == 2
    assert len(said) == 1 and "could not write the index cache" in said[0]
