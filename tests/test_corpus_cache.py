"""The corpus cache: used when fresh, memory-mapped, read back as it was written, rebuilt when damaged."""

from __future__ import annotations

import contextlib
import os

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from retrieval import CorpusIndex, open_corpus
from retrieval.corpus import article_files, ingest
from retrieval.records import Article, Paragraph

ARTICLE = """---
title: Rebels {n} say regime amassing near Idlib
source: Example Wire
url: https://example.com/{n}
published: 2019-05-0{d}
---

Syrian rebels said on Tuesday that government forces were massing near the town of Kafr Nabuda, {n}.
"We will not withdraw," Naji Mustafa, a spokesman for the National Front, told reporters. Café owners fled.

A man walks past rubble in Idlib. / AFP / Omar HAJ KADOUR

The UN said 150,000 people had been displaced since April. Russia denied conducting the strikes.
"""


def write_articles(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"story-{n:03d}.md").write_text(ARTICLE.format(n=n, d=n % 9 + 1), encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"")
    return folder


@pytest.fixture()
def corpus_dir(tmp_path):
    return write_articles(tmp_path / "articles", 12)


def reading_recorder(seen: list[tuple[str, int, int]]):
    """A progress callback for open_corpus that notes each reading: (what, bytes to read, bytes metered)."""

    @contextlib.contextmanager
    def progress(what, total):
        read = [0]

        class Meter:
            def update(self, n):
                read[0] += n

        yield Meter()
        seen.append((what, total, read[0]))

    return progress


def _bytes(corpus_dir) -> int:
    """The size of every article file of a corpus folder, the broken one too."""
    return sum(os.stat(path).st_size for _, path in article_files(corpus_dir))  # paths are plain strings


def test_a_fresh_cache_is_loaded_without_reading_the_article_files(corpus_dir, tmp_path):
    first_reads: list[str] = []
    second_reads: list[str] = []
    first_warnings: list[str] = []
    second_warnings: list[str] = []
    built = open_corpus(corpus_dir, tmp_path / "cache", first_warnings.append, progress=reading_recorder(first_reads))
    loaded = open_corpus(corpus_dir, tmp_path / "cache", second_warnings.append,
                         progress=reading_recorder(second_reads))
    # 12 stories and the broken file, all read
    assert not built.from_cache and first_reads == [("reading", _bytes(corpus_dir), _bytes(corpus_dir))]
    assert loaded.from_cache and second_reads == []
    assert list(loaded.corpus.sentences) == list(built.corpus.sentences)
    assert second_warnings == first_warnings and "broken.txt" in " ".join(second_warnings)  # still named


def test_a_changed_article_alone_is_read_again_and_the_cache_replaced(corpus_dir, tmp_path):
    open_corpus(corpus_dir, tmp_path / "cache")
    story = corpus_dir / "story-003.md"
    story.write_text(story.read_text(encoding="utf-8").replace("150,000", "1,750,000"), encoding="utf-8")
    reads: list[str] = []
    changed = open_corpus(corpus_dir, tmp_path / "cache", progress=reading_recorder(reads))
    again = open_corpus(corpus_dir, tmp_path / "cache")
    size = story.stat().st_size
    assert not changed.from_cache and reads == [("reading", size, size)]  # the changed file only (test_incremental.py)
    assert any("1,750,000" in s.text for s in changed.corpus.sentences)
    assert again.from_cache and any("1,750,000" in s.text for s in again.corpus.sentences)


def test_a_loaded_cache_holds_the_same_articles_and_sentences(corpus_dir, tmp_path):
    built = open_corpus(corpus_dir, tmp_path / "cache", use_cache=False)
    open_corpus(corpus_dir, tmp_path / "cache")  # writes the cache
    loaded = open_corpus(corpus_dir, tmp_path / "cache")
    assert loaded.from_cache and not built.from_cache
    assert list(loaded.corpus.sentences) == list(built.corpus.sentences)
    assert list(loaded.corpus.articles) == list(built.corpus.articles)
    assert loaded.corpus.starts.tolist() == built.corpus.starts.tolist()
    assert any(s.attributed_to for s in loaded.corpus.sentences)
    assert any(p.credit for a in loaded.corpus.articles for p in a.paragraphs)
    assert loaded.kinds.tolist() == built.kinds.tolist() and loaded.kinds.any()
    for number, article in enumerate(built.corpus.articles):  # the header alone, from the stored metadata
        assert loaded.corpus.article_header(number) == replace(article, paragraphs=())


def test_a_loaded_cache_answers_as_the_built_index(corpus_dir, tmp_path):
    built = open_corpus(corpus_dir, tmp_path / "cache", use_cache=False)
    open_corpus(corpus_dir, tmp_path / "cache")
    loaded = open_corpus(corpus_dir, tmp_path / "cache")
    assert loaded.from_cache
    for question in ("who denied the strikes", "how many people were displaced", "what did the spokesman say",
                     "where were forces massing"):
        assert [(h.position, h.score, h.matched) for h in loaded.search(question, 5)] == \
               [(h.position, h.score, h.matched) for h in built.search(question, 5)]
        assert [h.position for h in loaded.search(question, 3, article="story-004")] == \
               [h.position for h in built.search(question, 3, article="story-004")]


def test_the_cache_keeps_sentences_and_postings_on_disk(corpus_dir, tmp_path):
    open_corpus(corpus_dir, tmp_path / "cache")
    loaded = open_corpus(corpus_dir, tmp_path / "cache")
    assert loaded.from_cache
    assert isinstance(loaded.index._postings.data.base, np.memmap)  # a view of the file mapping
    assert not isinstance(loaded.corpus.sentences, tuple)
    assert loaded.corpus.sentences[-1] == list(loaded.corpus.sentences)[-1]


def test_a_damaged_cache_is_rebuilt_not_trusted(corpus_dir, tmp_path):
    open_corpus(corpus_dir, tmp_path / "cache")
    slot = next(p for p in (tmp_path / "cache").iterdir() if p.is_dir() and not p.name.startswith("."))  # the link
    text = slot / "sentences.utf8"
    text.write_bytes(text.read_bytes()[:-10])
    again = open_corpus(corpus_dir, tmp_path / "cache")
    assert not again.from_cache and again.corpus.sentences[0].text.startswith("Syrian rebels said")
    assert CorpusIndex.load(slot, {}) is not None  # rewritten whole
    assert open_corpus(corpus_dir, tmp_path / "cache").from_cache


def test_parallel_ingestion_gives_the_same_corpus(corpus_dir):
    files = article_files(corpus_dir)
    warnings_serial: list[str] = []
    warnings_parallel: list[str] = []
    serial, skipped_serial = ingest(files, warnings_serial.append, workers=1)
    seen: list[tuple[str, int, int]] = []
    parallel, skipped_parallel = ingest(files, warnings_parallel.append, reading_recorder(seen), workers=2)
    assert list(parallel.articles) == list(serial.articles)
    assert list(parallel.sentences) == list(serial.sentences)
    assert skipped_parallel == skipped_serial and len(skipped_serial) == 1
    assert warnings_parallel == warnings_serial
    assert seen == [("reading", _bytes(corpus_dir), _bytes(corpus_dir))]  # every file's bytes metered


def test_an_empty_paragraph_list_and_no_speakers_round_trip(tmp_path):
    from retrieval import Corpus

    articles = [Article("a", "Only a headline", ()), Article("b", "Two", (Paragraph("One line here."),))]
    corpus = Corpus.from_articles(articles)
    index = CorpusIndex.build(corpus)
    index.save(tmp_path / "slot", {"corpus": "x"})
    loaded = CorpusIndex.load(tmp_path / "slot", {"corpus": "x"})
    assert list(loaded.corpus.articles) == articles
    assert list(loaded.corpus.sentences) == list(corpus.sentences)
