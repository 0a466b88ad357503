"""The answering service picks up changed files with a build in a child process, answering from the old index meanwhile."""

from __future__ import annotations

import sys
import threading

import pytest

from bot import reindex
from bot.service import AnsweringService
from retrieval import CorpusError

from .conftest import write

STORM = "Storm hits coast\nThe storm flooded 300 homes, officials said."
QUAKE = "Quake shakes city\nA quake of magnitude 6 shook the city of Lima."

# Runs the real build after a file named by the first argument appears, saying when it is waiting.
_HELD_BUILD = """
import os, sys, time
release = sys.argv.pop(1)
print("waiting", file=sys.stderr, flush=True)
with open(release + ".started", "w"):
    pass
while not os.path.exists(release):
    time.sleep(0.02)
from bot.reindex import main
raise SystemExit(main())
"""


def _service(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", STORM)
    return corpus, AnsweringService.open(corpus, tmp_path / ".cache")


def test_refresh_builds_in_another_process(tmp_path, monkeypatch):
    corpus, service = _service(tmp_path)
    write(corpus, "b.txt", QUAKE)

    def no_build_here(*args, **kwargs):
        raise AssertionError("the index was built in the answering process")

    monkeypatch.setattr("retrieval.corpus.update", no_build_here)
    assert service.refresh()
    assert service.ask("What shook Lima?").passages[0].article.id == "b"
    assert service.index.from_cache  # opened, memory-mapped, from what the child saved


def test_questions_are_answered_from_the_old_index_while_a_build_runs(tmp_path, monkeypatch):
    corpus, service = _service(tmp_path)
    release = tmp_path / "release"
    monkeypatch.setattr(reindex, "COMMAND", [sys.executable, "-c", _HELD_BUILD, str(release)])
    write(corpus, "b.txt", QUAKE)
    refreshed: list[bool] = []
    worker = threading.Thread(target=lambda: refreshed.append(service.refresh()))
    worker.start()
    try:
        started = release.with_name("release.started")
        for _ in range(1000):
            if started.exists():
                break
            worker.join(0.02)
        assert started.exists()
        during = service.ask("How many homes did the storm flood?")
        assert during.answered and "300 homes" in during.passages[0].text
        assert not service.index.has_article("b")
    finally:
        release.write_text("go")
        worker.join(60)
    assert refreshed == [True]
    assert service.ask("What shook Lima?").passages[0].article.id == "b"


def test_a_folder_that_no_longer_serves_keeps_the_old_index(tmp_path):
    corpus, service = _service(tmp_path)
    (corpus / "a.txt").write_bytes(b"")
    with pytest.raises(CorpusError, match="no readable articles"):
        service.refresh()
    assert service.ask("How many homes did the storm flood?").answered


def test_warnings_from_the_build_reach_the_service(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", STORM)
    warnings: list[str] = []
    service = AnsweringService.open(corpus, tmp_path / ".cache", on_warning=warnings.append)
    write(corpus, "bad.txt", b"\x00binary")
    assert service.refresh()
    assert len([w for w in warnings if "bad.txt" in w]) == 1


def test_stopping_kills_a_build_in_progress(tmp_path, monkeypatch):
    corpus, service = _service(tmp_path)
    release = tmp_path / "release"  # never written: the build would wait for ever
    monkeypatch.setattr(reindex, "COMMAND", [sys.executable, "-c", _HELD_BUILD, str(release)])
    write(corpus, "b.txt", QUAKE)
    errors: list[Exception] = []

    def refresh():
        try:
            service.refresh()
        except CorpusError as err:
            errors.append(err)

    worker = threading.Thread(target=refresh)
    worker.start()
    started = release.with_name("release.started")
    for _ in range(1000):
        if started.exists():
            break
        worker.join(0.02)
    service.stop_building()
    worker.join(30)
    assert not worker.is_alive() and errors
    assert not service.index.has_article("b")
