"""A corpus folder: article ids, skipped files, the on-disk cache and when it is rebuilt."""

from __future__ import annotations

import os

import pytest

from retrieval import CorpusError, open_corpus
from retrieval.corpus import article_files

from .conftest import write


def _corpus(folder):
    write(folder, "idlib.txt", "Rebels regroup in Idlib\nRebels say the army is massing troops near Idlib.")
    write(folder, "world/storm.md", "# Storm hits coast\n\nThe storm flooded 300 homes, officials said.\n")
    return folder


def test_ids_are_relative_paths_without_suffix(tmp_path):
    _corpus(tmp_path)
    write(tmp_path, "notes.json", "{}")
    write(tmp_path, ".hidden.txt", "Hidden\nText.")
    assert [i for i, _ in article_files(tmp_path)] == ["idlib", "world/storm"]


def test_linked_folders_are_read_once_and_a_link_loop_ends(tmp_path):
    corpus, archive = tmp_path / "corpus", tmp_path / "archive"
    _corpus(corpus)
    write(archive, "2024/flood.txt", "River floods town\nThe river burst its banks on Monday.")
    (corpus / "2024").symlink_to(archive / "2024", target_is_directory=True)
    (corpus / "again").symlink_to(archive / "2024", target_is_directory=True)  # the same folder twice
    (archive / "2024" / "up").symlink_to(corpus, target_is_directory=True)  # a loop back to the top
    (corpus / "a-current").symlink_to(corpus / "world", target_is_directory=True)  # a folder also linked
    warnings = []
    ids = [i for i, _ in article_files(corpus, warnings.append)]
    # Linked folders come after the real ones: world/storm keeps its own id, not a-current/storm.
    assert ids == ["idlib", "world/storm", "2024/flood"]
    assert warnings == [f"{corpus / '2024' / 'up'}: links to a folder that holds the corpus; not followed"]
    service = open_corpus(corpus, tmp_path / "cache")
    assert service.search("When did the river burst its banks?", 1)[0].sentence.article_id == "2024/flood"


def test_broken_files_are_skipped_and_named_and_the_rest_serves(tmp_path):
    _corpus(tmp_path)
    write(tmp_path, "empty.txt", "")
    write(tmp_path, "binary.txt", b"\x00\x01\x02")
    write(tmp_path, "latin1.md", b"Caf\xe9\n")
    warnings: list[str] = []
    index = open_corpus(tmp_path, tmp_path / ".cache", warnings.append)
    assert sorted(a.id for a in index.corpus.articles) == ["idlib", "world/storm"]
    read_as = [w for w in warnings if not w.startswith("skipped ")]
    assert len(read_as) == 1 and read_as[0].endswith("latin1.md: not UTF-8; read as cp1252")
    warnings = [w for w in warnings if w.startswith("skipped ")]
    assert len(warnings) == 3  # latin1.md read, but it holds a headline only
    assert {n for n in ("empty.txt", "binary.txt", "latin1.md") if any(n in w for w in warnings)} == {
        "empty.txt", "binary.txt", "latin1.md"}
    assert index.search("how many homes flooded")[0].sentence.article_id == "world/storm"


def test_skipped_files_are_named_again_when_the_cache_is_used(tmp_path):
    _corpus(tmp_path)
    write(tmp_path, "empty.txt", "")
    cache = tmp_path / ".cache"
    open_corpus(tmp_path, cache)
    warnings: list[str] = []
    open_corpus(tmp_path, cache, warnings.append)
    assert len(warnings) == 1 and "empty.txt" in warnings[0]


@pytest.mark.parametrize("make", [lambda p: None, lambda p: p.mkdir()])
def test_missing_or_empty_corpus_is_an_error(tmp_path, make):
    folder = tmp_path / "corpus"
    make(folder)
    with pytest.raises(CorpusError):
        open_corpus(folder, tmp_path / ".cache")


def test_corpus_of_only_broken_files_is_an_error(tmp_path):
    write(tmp_path, "empty.txt", "")
    with pytest.raises(CorpusError, match="no readable articles"):
        open_corpus(tmp_path, tmp_path / ".cache")


def test_cache_is_used_when_fresh(tmp_path, monkeypatch):
    _corpus(tmp_path)
    cache = tmp_path / ".cache"
    first = open_corpus(tmp_path, cache)
    import retrieval.folder as corpus_module

    def no_reading(*args, **kwargs):
        raise AssertionError("articles were read again although the cache is fresh")

    monkeypatch.setattr(corpus_module, "ingest", no_reading)
    again = open_corpus(tmp_path, cache)
    assert [s.text for s in again.corpus.sentences] == [s.text for s in first.corpus.sentences]
    assert [h.sentence.text for h in again.search("storm homes")] == [h.sentence.text for h in first.search("storm homes")]


def _bump(path):
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


@pytest.mark.parametrize("change", ["add", "modify", "remove"])
def test_cache_is_rebuilt_when_articles_change(tmp_path, change):
    _corpus(tmp_path)
    cache = tmp_path / ".cache"
    open_corpus(tmp_path, cache)
    if change == "add":
        write(tmp_path, "quake.txt", "Quake shakes city\nA quake of magnitude 6 shook the city.")
    elif change == "modify":
        path = write(tmp_path, "idlib.txt", "Rebels regroup in Idlib\nA quake of magnitude 6 shook the city.")
        _bump(path)
    else:
        (tmp_path / "world" / "storm.md").unlink()
    index = open_corpus(tmp_path, cache)
    texts = " ".join(s.text for s in index.corpus.sentences)
    assert ("quake" in texts) == (change != "remove")
    assert ("storm" in texts) == (change != "remove")


@pytest.mark.parametrize("damage", ["garbage", "truncate", "delete"])
def test_corrupt_cache_is_rebuilt_not_trusted(tmp_path, damage):
    _corpus(tmp_path)
    cache = tmp_path / ".cache"
    open_corpus(tmp_path, cache)
    slot = next(p for p in cache.iterdir() if p.is_dir() and not p.name.startswith("."))
    target = slot / ("articles.json" if damage != "truncate" else "postings_data.npy")
    if damage == "garbage":
        target.write_bytes(b"\x00garbage{")
    elif damage == "truncate":
        target.write_bytes(target.read_bytes()[:20])
    else:
        target.unlink()
    index = open_corpus(tmp_path, cache)
    assert index.search("storm homes")[0].sentence.article_id == "world/storm"


def test_read_only_corpus_with_unwritable_cache_still_serves(tmp_path):
    _corpus(tmp_path)
    blocker = write(tmp_path, "not-a-folder", "x")
    warnings: list[str] = []
    index = open_corpus(tmp_path, blocker / "cache", warnings.append)
    assert index.search("storm")
    assert any("cache" in w for w in warnings)


def test_search_in_one_article_only(tmp_path):
    _corpus(tmp_path)
    index = open_corpus(tmp_path, tmp_path / ".cache")
    assert all(h.sentence.article_id == "idlib" for h in index.search("storm troops officials", article="idlib"))
    assert index.search("storm", article="nope") == []


def test_files_sharing_an_id_keep_their_suffix_and_both_serve(tmp_path):
    write(tmp_path, "dup.txt", "Storm hits coast\nThe storm flooded 300 homes.")
    write(tmp_path, "dup.md", "# Quake shakes city\n\nA quake shook Lima.\n")
    warnings: list[str] = []
    index = open_corpus(tmp_path, tmp_path / ".cache", warnings.append)
    assert sorted(a.id for a in index.corpus.articles) == ["dup.md", "dup.txt"]
    assert len(warnings) == 2 and all("same name" in w for w in warnings)
    assert index.search("quake Lima", article="dup.md")[0].sentence.article_id == "dup.md"


def test_file_name_that_is_not_utf8_is_skipped_and_named(tmp_path):
    write(tmp_path, "storm.txt", "Storm hits coast\nThe storm flooded 300 homes.")
    (tmp_path / os.fsdecode(b"caf\xe9.txt")).write_text("Cafe\nText here.")
    warnings: list[str] = []
    index = open_corpus(tmp_path, tmp_path / ".cache", warnings.append)
    assert [a.id for a in index.corpus.articles] == ["storm"]
    assert len(warnings) == 1 and "not UTF-8" in warnings[0]


def test_content_replaced_with_the_old_size_and_mtime_is_seen(tmp_path):
    path = write(tmp_path, "a.txt", "Storm hits coast\nThe storm flooded 300 homes.")
    cache = tmp_path / ".cache"
    open_corpus(tmp_path, cache)
    before = path.stat()
    path.write_text("Storm hits coast\nThe quake flooded 300 homes.")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as cp -p or rsync -a would
    assert "quake" in open_corpus(tmp_path, cache).corpus.sentences[0].text


@pytest.mark.parametrize("manifest", ["[]", "null", '{"format": "x"}', '"text"'])
def test_a_manifest_of_the_wrong_shape_is_rebuilt(tmp_path, manifest):
    _corpus(tmp_path)
    cache = tmp_path / ".cache"
    open_corpus(tmp_path, cache)
    slot = next(p for p in cache.iterdir() if p.is_dir() and not p.name.startswith("."))
    (slot / "manifest.json").write_text(manifest)
    assert open_corpus(tmp_path, cache).search("storm homes")[0].sentence.article_id == "world/storm"
    assert open_corpus(tmp_path, cache).from_cache


def test_out_of_range_postings_are_rebuilt_not_read(tmp_path):
    import numpy as np

    _corpus(tmp_path)
    cache = tmp_path / ".cache"
    open_corpus(tmp_path, cache)
    slot = next(p for p in cache.iterdir() if p.is_dir() and not p.name.startswith("."))
    indices = np.load(slot / "postings_indices.npy")
    np.save(slot / "postings_indices.npy", indices + 10_000_000)
    index = open_corpus(tmp_path, cache)
    assert not index.from_cache
    assert index.search("storm homes")[0].sentence.article_id == "world/storm"
