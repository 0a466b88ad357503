"""Updating an index when some article files changed: only those are read and split again.

A saved index keeps, for each article, what reading, splitting, attribution and analysis made of it:
its sentences and paragraphs, their speakers and kinds, and each sentence's term ids (store.py,
tfidf.py), with the file it was read from as (path, size, mtime_ns, ctime_ns, inode) in files.json.
An update reuses those parts for every file whose key is unchanged, reads the others, and assembles
one index again from the parts in the folder's order: the term ids renumbered into one vocabulary,
the counts concatenated, and scikit-learn learning the idf and weights afresh from all of them. So
idf stays exactly what a cold build of the same files gives (tests/test_incremental.py checks the
arrays are equal), and only the changed files cost reading and splitting.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .articles import DEFAULT_MAX_FILE_BYTES
from .cache import FileKey
from .folder import Corpus, Progress, Warn, ingest
from .ranking import RankSettings
from .records import Article, Sentence
from .text import Analyzer
from .tfidf import SentenceIndex, analyse

if TYPE_CHECKING:
    from .corpus import CorpusIndex


def update(previous: "CorpusIndex | None", found: Sequence[tuple[str, str | Path]], keys: Sequence[FileKey],
           warn: Warn, progress: Progress | None = None, settings: RankSettings | None = None,
           notice: Warn | None = None, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
           store: Path | None = None) -> tuple["CorpusIndex", dict]:
    """The index of the files `found` (with their `keys`), reusing `previous` for unchanged files, and
    the files table to save with it. Skipped files are named through `warn` (unchanged ones again,
    without reading them); `notice` hears in one line what is about to be read.

    With `store` (the empty folder of the build that will be saved), a build that reuses nothing
    writes its articles and sentences there as it reads them (folder.ingest) and its corpus reads
    them from there: `building` of the result names the folder (CorpusIndex.save adds the rest)."""
    from .corpus import FILES, CorpusIndex, _held_kinds
    from .documents import article_vectors

    old_articles, old_skipped = _previous_files(previous, FILES)
    plan: list[tuple[str, object]] = []  # ("old", article number) | ("skip", message) | ("new", None)
    changed: list[tuple[str, str | Path]] = []
    for (article_id, path), key in zip(found, keys):
        if same_file(old_articles.get(article_id, (None,))[0], key):
            plan.append(("old", old_articles[article_id][1]))
        elif same_file(old_skipped.get(article_id, (None,))[0], key):
            message = old_skipped[article_id][1]
            warn(f"skipped {message}")
            plan.append(("skip", message))
        else:
            plan.append(("new", None))
            changed.append((article_id, path))
    if notice and len(changed) == len(found):
        notice(f"building the index for {len(found):,} article{'s' if len(found) != 1 else ''}…")
    elif notice and changed:
        notice(f"updating the index: {len(changed):,} of {len(found):,} articles added or changed…")
    streamed = store is not None and bool(changed) and all(what != "old" for what, _ in plan)
    fresh, fresh_skipped = ingest(changed, warn, progress, max_file_bytes=max_file_bytes,
                                  store=store if streamed else None) if changed \
        else (Corpus.from_parts([], []), [])
    fresh_numbers = {a: i for i, a in enumerate(fresh.article_ids)}
    skipped_of = iter(fresh_skipped)

    analyzer = Analyzer()
    ids: dict[str, int] = {}
    old_tokens = old_offsets = None
    if previous is not None:
        ids = {term: i for i, term in enumerate(previous.index.vocabulary)}
        old_tokens, old_offsets = previous.index._tokens
    if fresh.analysis is not None:  # found by ingest as the files were read (parts.py)
        terms, new_tokens, new_offsets = fresh.analysis.numbered(ids)
        new_kinds = fresh.analysis.kinds
    else:
        terms, new_tokens, new_offsets = analyse([s.text for s in fresh.sentences], analyzer, ids)
        new_kinds = _held_kinds(fresh)

    articles: list[Article] = []
    sentences_of: list[Sequence[Sentence]] = []
    tokens, lengths, kinds, skipped = [], [], [], []
    table_articles, table_skipped = [], []

    def take(source_tokens, source_offsets, source_kinds, corpus, numbers: list[int]) -> None:
        """Articles numbers[0].. (consecutive) of `corpus`, with their sentences, term ids and kinds."""
        first, last = numbers[0], numbers[-1] + 1
        a, b = int(corpus.starts[first]), int(corpus.starts[last])
        reader = getattr(corpus.sentences, "run", None)
        run = reader(a, b) if reader else list(corpus.sentences[a:b])
        for number in numbers:
            articles.append(corpus.articles[number])
            sentences_of.append(run[int(corpus.starts[number]) - a:int(corpus.starts[number + 1]) - a])
        tokens.append(np.asarray(source_tokens[int(source_offsets[a]):int(source_offsets[b])], np.int32))
        lengths.append(np.diff(np.asarray(source_offsets[a:b + 1], np.int64)))
        kinds.append(np.asarray(source_kinds[a:b], np.uint8))

    pending: list[int] = []  # consecutive unchanged articles, taken from the cache in one run
    # Nothing reused: the corpus is the one just read, as it is (no records copied out of it).
    cold = fresh.analysis is not None and all(what != "old" for what, _ in plan)

    def flush() -> None:
        if pending:
            take(old_tokens, old_offsets, previous.kinds, previous.corpus, pending[:])
            pending.clear()

    for ((article_id, path), key), (what, value) in zip(zip(found, keys), plan):
        entry = [article_id, str(path), *key]
        if what == "old":
            if pending and pending[-1] + 1 != value:
                flush()
            pending.append(value)
            table_articles.append(entry)
            continue
        flush()
        if what == "skip":
            skipped.append(value)
            table_skipped.append([*entry, value])
        elif article_id in fresh_numbers:
            if not cold:
                take(new_tokens, new_offsets, new_kinds, fresh, [fresh_numbers[article_id]])
            table_articles.append(entry)
        else:
            message = next(skipped_of)
            skipped.append(message)
            if key:
                table_skipped.append([*entry, message])
    flush()

    days = None
    titles = None
    if cold:
        days, kinds, titles = fresh.analysis.days, [new_kinds], fresh.analysis.titles
        # The corpus without its reading's analysis: the index renumbers the term ids into its own, and
        # the reading's copy would stay as long as the corpus does.
        corpus, all_tokens, offsets = replace(fresh, analysis=None), new_tokens, new_offsets
        del fresh
    else:
        corpus = Corpus.from_parts(articles, [list(s) for s in sentences_of])
        all_tokens = np.concatenate(tokens) if tokens else np.zeros(0, np.int32)
        offsets = np.zeros(len(corpus.sentences) + 1, np.int64)
        if lengths:
            np.cumsum(np.concatenate(lengths), out=offsets[1:])
    new_tokens = None
    index = SentenceIndex.from_term_ids(terms, all_tokens, offsets, analyzer=analyzer)
    del all_tokens
    if titles is None:
        titles = [a.title for a in corpus.articles]
    headlines = index.vectorize(titles)
    built = CorpusIndex(corpus, index, headlines, settings,
                        kinds=np.concatenate(kinds) if kinds else np.zeros(0, np.uint8), days=days,
                        articles=article_vectors(index, corpus.article_of, titles))
    built.skipped, built.reread = tuple(skipped), len(changed)
    if streamed:
        built.building = store
    return built, {"articles": table_articles, "skipped": table_skipped}


def _previous_files(previous: "CorpusIndex | None", name: str) -> tuple[dict, dict]:
    """From a saved index's files table: id -> ([path, *key], article number) for its articles and
    id -> ([path, *key], message) for the files it skipped; empty when it cannot be reused."""
    if previous is None or previous.saved_in is None or previous.index._tokens is None:
        return {}, {}
    try:
        table = json.loads((previous.saved_in / name).read_text(encoding="utf-8"))
        rows, skipped = table["articles"], table["skipped"]
        ids = previous.corpus.article_ids
        if len(rows) != len(ids) or any(row[0] != i for row, i in zip(rows, ids)):
            return {}, {}
        return ({row[0]: (row[1:], n) for n, row in enumerate(rows)},
                {row[0]: (row[1:-1], row[-1]) for row in skipped})
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return {}, {}


def same_file(stored: list | None, key: FileKey) -> bool:
    """True when a files-table entry ([path, size, mtime_ns, ctime_ns, inode]) is the article file as it
    is now (`key`). The path is not compared: the article id already names the file within the folder,
    and the folder may be spelt another way by another process (`--corpus news` in a shell, an
    absolute path in the bot), which must not make every file look changed."""
    return bool(key) and stored is not None and list(stored[1:]) == list(key)
