"""The incremental index: only changed files are read again, and the result equals a cold build."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import numpy as np
import pytest

from retrieval import open_corpus
from retrieval.merge import merge

from . import forked
from .conftest import PYTHON, run_env, write
from .test_corpus_cache import reading_recorder, write_articles


def _arrays(index):
    """Everything a search reads, as comparable values."""
    p = index.index._postings
    h = index.headlines  # CSC: scipy's when built, segments.Columns when loaded
    tokens, offsets = index.index._tokens
    return {
        "vocabulary": list(index.index.vocabulary), "idf": np.asarray(index.index.idf),
        "indptr": np.asarray(p.indptr), "indices": np.asarray(p.indices), "data": np.asarray(p.data),
        "headlines": (np.asarray(h.indptr).tolist(), np.asarray(h.indices).tolist(), np.asarray(h.data).tolist()),
        "terms": (np.asarray(tokens).tolist(), np.asarray(offsets).tolist()),
        "kinds": np.asarray(index.kinds).tolist(), "starts": np.asarray(index.corpus.starts).tolist(),
        "articles": list(index.corpus.articles), "sentences": list(index.corpus.sentences),
        "skipped": index.skipped,
    }


def _assert_same(a, b):
    x, y = _arrays(a), _arrays(b)
    assert x.keys() == y.keys()
    for key in x:
        if isinstance(x[key], np.ndarray):
            assert np.array_equal(x[key], y[key]), key
        else:
            assert x[key] == y[key], key


def _answers(index):
    """What a search reads, independent of how the index is laid out (one build, or a base and a
    delta): each term's idf and its weight in each sentence (read through the walk itself), each
    article's sentences, kinds and headline terms."""
    from retrieval.query import QueryTerms

    keys = [(s.article_id, s.paragraph, s.sentence) for s in index.corpus.sentences]
    weights, idf = {}, {}
    for tid, term in enumerate(index.index.vocabulary):
        if term.startswith("\0"):  # held by no live sentence: not a term of the corpus
            continue
        idf[term] = float(index.index.idf[tid])
        one = QueryTerms(np.asarray([tid], np.int32), np.ones(1, np.float32), np.ones(1, np.float32), (term,))
        walked = index.index.walk(one)
        for position, weight in zip(walked.positions.tolist(), walked.cosine.tolist()):
            weights[(term, keys[position])] = weight
        for number in np.flatnonzero(index.ranker.headline_bits(one)).tolist():
            weights[(term, index.corpus.article_ids[number])] = "headline"
    return {
        "idf": idf, "weights": weights, "skipped": index.skipped,
        "articles": sorted(index.corpus.articles, key=lambda a: a.id),
        "sentences": sorted(((s.article_id, s.paragraph, s.sentence), repr(s), int(k))
                            for s, k in zip(index.corpus.sentences, np.asarray(index.kinds).tolist())),
    }


def _assert_answers_same(a, b):
    """Equal idf, articles and sentences; weights equal to float32 rounding (a delta's are rescaled)."""
    x, y = _answers(a), _answers(b)
    assert x["idf"] == y["idf"]
    assert x["weights"].keys() == y["weights"].keys()
    for key, value in x["weights"].items():
        assert value == y["weights"][key] if isinstance(value, str) else abs(value - y["weights"][key]) < 1e-6, key
    for key in ("skipped", "articles", "sentences"):
        assert x[key] == y[key], key


def _bump(path):
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


@pytest.mark.parametrize("change", ["add", "modify", "delete", "touch", "break", "mend"])
def test_an_update_reads_only_the_changed_file_and_equals_a_cold_build(tmp_path, change):
    folder = write_articles(tmp_path / "articles", 12)
    if change == "mend":
        write(folder, "story-005.md", b"\xff\xfe not utf-8")
    cache = tmp_path / "cache"
    open_corpus(folder, cache)
    changed = None
    if change == "add":
        changed = write(folder, "zz-new.md", "# Quake shakes Lima\n\nA quake of magnitude 6 shook Lima on Monday.\n")
    elif change == "modify":
        changed = write(folder, "story-003.md",
                        "# Quake shakes Lima\n\nA quake of magnitude 6 shook Lima, aid workers said.\n")
    elif change == "delete":
        (folder / "story-007.md").unlink()
    elif change == "touch":
        changed = folder / "story-002.md"
        _bump(changed)
    elif change == "break":
        changed = write(folder, "story-004.md", b"\x00\x01binary")
    else:
        changed = write(folder, "story-005.md", "# Quake shakes Lima\n\nA quake shook Lima.\n")
    seen: list = []
    warnings: list[str] = []
    updated = open_corpus(folder, cache, warnings.append, progress=reading_recorder(seen), merge=False)
    assert not updated.from_cache
    assert updated.reread == (0 if changed is None else 1)
    size = changed.stat().st_size if changed else 0
    assert seen == ([] if changed is None else [("reading", size, size)])  # that file's bytes alone
    assert updated.generation is not None  # written as a delta over the first build
    cold = open_corpus(folder, tmp_path / "cold-cache")
    _assert_answers_same(updated, cold)
    # And what it saved loads as the same index.
    again = open_corpus(folder, cache)
    assert again.from_cache
    _assert_answers_same(again, cold)
    assert [w for w in warnings if w.startswith("skipped")] == [f"skipped {m}" for m in cold.skipped]
    # Merged into one build, it is the cold build, array for array.
    assert merge(folder, cache)
    merged = open_corpus(folder, cache)
    assert merged.from_cache and merged.generation is None
    _assert_same(merged, cold)


def test_an_unchanged_broken_file_is_named_again_without_being_read(tmp_path):
    folder = write_articles(tmp_path / "articles", 3)  # holds an empty broken.txt
    cache = tmp_path / "cache"
    open_corpus(folder, cache)
    new = write(folder, "new.md", "# Quake shakes Lima\n\nA quake shook Lima.\n")
    seen, warnings = [], []
    updated = open_corpus(folder, cache, warnings.append, progress=reading_recorder(seen))
    assert seen == [("reading", new.stat().st_size, new.stat().st_size)]
    assert updated.skipped and any("broken.txt" in w for w in warnings)


def test_a_new_word_is_searchable_after_an_update(tmp_path):
    folder = write_articles(tmp_path / "articles", 5)
    cache = tmp_path / "cache"
    open_corpus(folder, cache)
    write(folder, "lima.md", "# Quake shakes Lima\n\nA quake of magnitude 6 shook Lima on Monday.\n")
    hit = open_corpus(folder, cache).search("quake Lima magnitude")[0]
    assert hit.sentence.article_id == "lima"


_BUILD = """
import sys
from retrieval import corpus
from retrieval.incremental import update as real_update

def slow_update(*args, **kwargs):
    print("building", flush=True)
    import time
    time.sleep(60)

stage = sys.argv[3]
if stage == "reading":  # a whole build, or a delta's reading of the new file
    import retrieval.folder
    corpus.update = slow_update
    retrieval.folder.ingest = slow_update
else:  # stopped while the new build (or delta) is being written, after some files are in it
    import retrieval.delta
    def slow_manifest(folder, stamp):
        print("building", flush=True)
        import time
        time.sleep(60)
    corpus.write_manifest = slow_manifest
    retrieval.delta.write_manifest = slow_manifest
corpus.open_corpus(sys.argv[1], sys.argv[2])
"""


@pytest.mark.parametrize("stage", ["reading", "writing"])
def test_a_build_killed_midway_leaves_the_previous_cache_usable(tmp_path, stage):
    folder = write_articles(tmp_path / "articles", 4)
    cache = tmp_path / "cache"
    open_corpus(folder, cache)
    lima = write(folder, "lima.md", "# Quake shakes Lima\n\nA quake of magnitude 6 shook Lima on Monday.\n")
    child = forked.Popen([PYTHON, "-c", _BUILD, str(folder), str(cache), stage], env=run_env(),
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "building"
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    # The old build is still the cache, whole and checked: it loads without a rebuild.
    previous = open_corpus(folder, cache, build=False)
    assert previous.from_cache and not previous.has_article("lima")
    # And the next build takes the change in, reading only the new file.
    seen: list = []
    assert open_corpus(folder, cache, progress=reading_recorder(seen)).has_article("lima")
    assert seen == [("reading", lima.stat().st_size, lima.stat().st_size)]


def test_an_index_loaded_before_a_rebuild_keeps_answering_after_it(tmp_path):
    folder = write_articles(tmp_path / "articles", 4)
    cache = tmp_path / "cache"
    open_corpus(folder, cache)
    old = open_corpus(folder, cache)
    write(folder, "lima.md", "# Quake shakes Lima\n\nA quake of magnitude 6 shook Lima on Monday.\n")
    open_corpus(folder, cache, merge=False)  # a delta over the build `old` maps
    assert len([p for p in cache.iterdir() if ".gen-" in p.name]) == 2
    assert merge(folder, cache)  # replaces (and removes) the build `old` maps
    assert old.search("who denied the strikes")[0].sentence.text.startswith("Russia denied")
    assert len([p for p in cache.iterdir() if ".gen-" in p.name]) == 1
