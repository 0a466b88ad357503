"""A damaged cache is found by its checksums, named, and rebuilt: never trusted, whatever file is hit and however."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

from retrieval import open_corpus

from .conftest import write

STORY = "# Buses for the city\n\nThe council announced 1500 new buses on Monday, officials said.\n"
OTHER = "# Storm hits coast\n\nThe storm flooded 300 homes near the port.\n"
QUESTION = "how many new buses did the council announce"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Two articles and their index cache, built once for the module: each test damages a copy of it (the
    articles are never changed, so a copy is what a build of them would have written)."""
    root = tmp_path_factory.mktemp("built")
    folder = root / "articles"
    write(folder, "buses.md", STORY)
    write(folder, "storm.md", OTHER)
    open_corpus(folder, root / "cache")
    return folder, root / "cache"


def _cached(built, tmp_path):
    folder, built_cache = built
    cache = tmp_path / "cache"
    shutil.copytree(built_cache, cache, symlinks=True)  # the slot's link stays a link to its build
    live = next(p for p in cache.iterdir() if p.is_dir() and not p.name.startswith("."))  # the link (beside: the lock)
    return folder, cache, live


def _files(built, tmp_path):
    _, _, live = _cached(built, tmp_path)
    return sorted(p.name for p in live.iterdir() if p.name != "manifest.json")


# Every file a cache holds (asserted below, so a new file cannot go unchecked).
CACHE_FILES = [
    "article_meta.utf8", "article_meta.utf8.offsets.npy", "article_paragraphs.npy", "articles.json", "articles.npz",
    "day_positions.npy", "days.npy", "files.json", "headlines.npz", "idf.npy", "index.json", "kinds.npy",
    "paragraph_credits.npy", "paragraph_kinds.npy", "paragraphs.utf8", "paragraphs.utf8.offsets.npy",
    "postings_data.npy", "postings_indices.npy", "postings_indptr.npy", "sentence_kinds.npy",
    "sentence_numbers.npy", "sentence_speakers.npy", "sentence_terms.npy", "sentence_terms_offsets.npy",
    "sentences.utf8", "sentences.utf8.offsets.npy", "starts.npy", "strings.json", "vocabulary.txt",
]


def test_the_damage_tests_cover_every_cache_file(built, tmp_path):
    assert _files(built, tmp_path) == CACHE_FILES


def _damage(path, how):
    data = bytearray(path.read_bytes())
    if how == "same-length edit":  # one byte changed in the middle, as a disk error or a hand edit would
        i = len(data) // 2
        data[i] = (data[i] + 1) % 256 if data[i] not in b"0123456789" else ord("9") if data[i] != ord("9") else ord("8")
    elif how == "zeroed":
        data = bytearray(len(data))
    elif how == "truncated":
        data = data[: len(data) // 2]
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["same-length edit", "zeroed", "truncated"])
@pytest.mark.parametrize("name", CACHE_FILES)
def test_a_damaged_cache_file_is_named_and_rebuilt(built, tmp_path, name, how):
    folder, cache, live = _cached(built, tmp_path)
    _damage(live / name, how)
    warnings: list[str] = []
    index = open_corpus(folder, cache, warnings.append)
    assert not index.from_cache
    assert [w for w in warnings if "damaged" in w and name in w], warnings
    assert "1500 new buses" in index.search(QUESTION)[0].sentence.text
    assert open_corpus(folder, cache).from_cache  # rebuilt sound


def test_same_length_edit_of_a_sentence_does_not_change_an_answer(built, tmp_path):
    folder, cache, live = _cached(built, tmp_path)
    text = live / "sentences.utf8"
    text.write_bytes(text.read_bytes().replace(b"1500", b"9999"))
    assert "1500 new buses" in open_corpus(folder, cache).search(QUESTION)[0].sentence.text


def test_a_zeroed_idf_is_rebuilt_not_divided_by(built, tmp_path):
    folder, cache, live = _cached(built, tmp_path)
    idf = np.load(live / "idf.npy")
    np.save(live / "idf.npy", np.zeros_like(idf))
    assert open_corpus(folder, cache).search(QUESTION)[0].score > 0


@pytest.mark.parametrize("manifest", [
    "", "{", "[]", "null", '"text"', "\xff", "checksums dropped", "checksum changed", "file left out",
])
def test_a_bad_manifest_is_named_and_rebuilt(built, tmp_path, manifest):
    folder, cache, live = _cached(built, tmp_path)
    path = live / "manifest.json"
    data = json.loads(path.read_text())
    if manifest == "checksums dropped":
        del data["checksums"]
        manifest = json.dumps(data)
    elif manifest == "checksum changed":
        data["checksums"]["postings_data.npy"][1] = "0" * 16
        manifest = json.dumps(data)
    elif manifest == "file left out":
        del data["checksums"]["sentences.utf8"]
        manifest = json.dumps(data)
    path.write_bytes(manifest.encode("utf-8", "surrogateescape") if manifest != "\xff" else b"\xff")
    warnings: list[str] = []
    index = open_corpus(folder, cache, warnings.append)
    assert not index.from_cache and any("damaged" in w for w in warnings)
    assert "1500 new buses" in index.search(QUESTION)[0].sentence.text


def test_a_missing_cache_file_is_named_and_rebuilt(built, tmp_path):
    folder, cache, live = _cached(built, tmp_path)
    os.unlink(live / "postings_indices.npy")
    warnings: list[str] = []
    assert not open_corpus(folder, cache, warnings.append).from_cache
    assert any("damaged" in w and "postings_indices.npy" in w for w in warnings)


def test_newsbot_index_reports_a_damaged_cache(built, tmp_path):
    from .test_cli import newsbot

    folder, cache, live = _cached(built, tmp_path)
    _damage(live / "postings_data.npy", "zeroed")
    result = newsbot("index", "--corpus", str(folder), "--cache-dir", str(cache))
    assert result.returncode == 0
    assert "damaged" in result.stderr and "postings_data.npy" in result.stderr
    assert "indexed" in result.stdout
    again = newsbot("index", "--corpus", str(folder), "--cache-dir", str(cache))
    assert "damaged" not in again.stderr and "loaded from the cache" in again.stdout
