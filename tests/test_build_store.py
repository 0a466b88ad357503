"""A cold build writes its corpus into the new build folder as it reads the files: the same files, no leftovers."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from retrieval import CorpusError, open_corpus
from retrieval.cache import cache_slot
from retrieval.corpus import article_files, ingest
from retrieval.store import write_corpus

from .test_corpus_cache import write_articles

CORPUS_FILES = ("sentences.utf8", "sentences.utf8.offsets.npy", "paragraphs.utf8", "paragraphs.utf8.offsets.npy",
                "article_meta.utf8", "article_meta.utf8.offsets.npy", "sentence_numbers.npy", "sentence_kinds.npy",
                "sentence_speakers.npy", "article_paragraphs.npy", "paragraph_kinds.npy", "paragraph_credits.npy",
                "articles.json", "strings.json")


def _files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in CORPUS_FILES}


def _saved(folder: Path, cache: Path) -> Path:
    return Path(os.path.realpath(cache_slot(cache, str(folder.resolve()))))


@pytest.mark.parametrize("workers", [1, 2])
def test_the_streamed_corpus_is_the_bytes_write_corpus_gives(tmp_path, workers):
    folder = write_articles(tmp_path / "articles", 14)
    (folder / "standfirst.md").write_text("---\ntitle: Aid arrives\n---\n\n> A convoy reached the town.\n\n"
                                          "Trucks crossed at dawn, officials said.\n", encoding="utf-8")
    found = article_files(folder)
    streamed = tmp_path / "streamed"
    streamed.mkdir()
    corpus, skipped = ingest(found, lambda message: None, workers=workers, store=streamed)
    in_memory, skipped_too = ingest(found, lambda message: None, workers=workers)
    assert skipped == skipped_too and len(skipped) == 1  # broken.txt
    columns, records = tmp_path / "columns", tmp_path / "records"
    columns.mkdir(), records.mkdir()
    write_corpus(columns, in_memory.articles, in_memory.sentences)  # parts.SentenceColumns
    write_corpus(records, list(in_memory.articles), list(in_memory.sentences))  # plain records
    assert _files(streamed) == _files(columns) == _files(records)
    # Captions with credits, speakers and several kinds are there to number.
    assert {s.kind for s in in_memory.sentences} >= {"body", "caption"}
    assert any(s.credit for s in in_memory.sentences) and any(s.attributed_to for s in in_memory.sentences)
    # Read back from the folder, it is the corpus read in memory.
    assert list(corpus.sentences) == list(in_memory.sentences)
    assert list(corpus.articles) == list(in_memory.articles)
    assert corpus.analysis.titles == [a.title for a in in_memory.articles]


def test_a_cold_build_saves_its_streamed_corpus_and_leaves_no_build_folder(tmp_path):
    folder, cache = write_articles(tmp_path / "articles", 6), tmp_path / "cache"
    built = open_corpus(folder, cache)
    assert built.building is None and built.cache_error is None
    saved = _saved(folder, cache)
    assert [p.name for p in cache.iterdir() if ".tmp-" in p.name] == []
    loaded = open_corpus(folder, cache)
    assert loaded.from_cache and list(loaded.corpus.sentences) == list(built.corpus.sentences)
    hits = built.search("How many people were displaced?", 1)
    assert hits and "150,000" in hits[0].sentence.text
    # The saved files are the ones write_corpus makes of the corpus read in memory.
    in_memory, _ = ingest(article_files(folder), lambda message: None)
    other = tmp_path / "other"
    other.mkdir()
    write_corpus(other, in_memory.articles, in_memory.sentences)
    assert _files(saved) == _files(other)


def test_a_build_with_no_readable_article_leaves_no_build_folder(tmp_path):
    folder, cache = tmp_path / "articles", tmp_path / "cache"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    with pytest.raises(CorpusError, match="no readable articles"):
        open_corpus(folder, cache)
    assert [p.name for p in cache.iterdir() if ".tmp-" in p.name] == []


def test_a_full_disk_while_the_corpus_is_written_still_gives_the_index(tmp_path, monkeypatch):
    from retrieval import store

    folder, cache = write_articles(tmp_path / "articles", 6), tmp_path / "cache"

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store.CorpusWriter, "add_sentences", full)
    warnings: list[str] = []
    built = open_corpus(folder, cache, warn=warnings.append)
    hits = built.search("How many people were displaced?", 1)
    assert hits and "150,000" in hits[0].sentence.text
    assert built.cache_error and "No space left" in built.cache_error
    assert any("could not write the index cache" in w for w in warnings)
    assert [p.name for p in cache.iterdir() if ".tmp-" in p.name] == []
