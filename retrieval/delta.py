"""Updating a saved index by a delta: only the changed articles are read, split and written; the base is left as it was.

An update over a base build (or over a base and its delta) writes one new delta folder: the
articles added or changed since the base, as a build of their own (those of the previous delta
that did not change are copied from it, not read again), the base articles gone or changed as a
tombstone mask, and the arrays that keep the whole's idf what a cold build would give
(segments.py): document frequencies over the live sentences, and each live sentence's length factor
under the new idf. The delta names its base and the base's fingerprint; it is checksummed and
published like any build, and the base build's files are never touched.

When the delta (its sentences plus the base's tombstoned ones) grows past MERGE_SHARE of the base,
merge.py folds it into a new base in the background.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .cache import FileKey, new_build, publish, write_manifest
from .folder import Progress, Warn
from .incremental import same_file
from .segments import (ARTICLE_DF, ARTICLE_LENGTHS, ARTICLE_TF, BASE_ARTICLE_TF, BASE_HEADLINES, BASE_LENGTHS, DEAD, DF, EXTRA_TERMS, FACTOR, GENERATION, TERM_MAP, UNKNOWN_WORDS, Columns,
                       Part, idf_of, save_columns)
from .store import write_corpus
from .tfidf import PostingArrays, SentenceIndex, analyse

if TYPE_CHECKING:
    from .corpus import CorpusIndex

MERGE_SHARE = 0.05  # a delta past this share of the base's sentences is merged into a new base
_CHUNK = 1 << 21  # postings handled at once when the length factors are worked out


def needs_merge(index: "CorpusIndex") -> bool:
    """True when the index is a base and a delta, and the delta is past MERGE_SHARE of the base."""
    g = index.generation
    if g is None:
        return False
    dead = int(np.diff(g.base.starts)[g.dead].sum())
    return len(g.delta.sentences) + dead > MERGE_SHARE * max(len(g.base.sentences), 1)


def update_by_delta(previous: "CorpusIndex", found: Sequence[tuple[str, str | Path]], keys: Sequence[FileKey],
                    slot: Path, stamp: dict, warn: Warn, notice: Warn, progress: Progress | None,
                    max_file_bytes: int) -> tuple[int, list[str]] | None:
    """Write and publish the delta that brings `previous` (a loaded base, or base and delta) to the
    files `found`; (files read, skipped messages). None when a delta cannot be made from it (no
    base with term ids, or most files changed): the caller builds the whole instead."""
    from .corpus import FILES, _held_kinds
    from .dates import DayIndex
    from .folder import ingest

    g = previous.generation
    if previous.saved_in is None:
        return None
    if g is not None:
        base, delta, alive = g.base, g.delta, g.alive
    else:
        base = Part(previous.saved_in, previous.corpus.articles, previous.corpus.starts, previous.corpus.sentences,
                    previous.index, previous.headlines, previous.kinds, previous.days, previous.articles)
        delta, alive = None, np.arange(len(previous.corpus.articles))
    if base.index._tokens is None or base.documents is None or not hasattr(base.documents, "indptr"):
        return None
    try:
        table = json.loads((previous.saved_in / FILES).read_text(encoding="utf-8"))
        rows, skipped_rows = table["articles"], table["skipped"]
        if len(rows) != len(previous.corpus.article_ids):
            return None
        where = {row[0]: (row[1:], n) for n, row in enumerate(rows)}
        skipped_before = {row[0]: (row[1:-1], row[-1]) for row in skipped_rows}
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None

    # What each file is now: a base article kept, a delta article kept, skipped again, or to read.
    kept_base = np.zeros(len(base.articles), bool)
    plan: list[tuple[str, object]] = []
    changed: list[tuple[str, str | Path]] = []
    for (article_id, path), key in zip(found, keys):
        before = where.get(article_id)
        if before and same_file(before[0], key):
            number = before[1]
            if number < len(alive):
                kept_base[alive[number]] = True
                plan.append(("base", None))
            else:
                plan.append(("delta", number - len(alive)))
        elif article_id in skipped_before and same_file(skipped_before[article_id][0], key):
            warn(f"skipped {skipped_before[article_id][1]}")
            plan.append(("skip", skipped_before[article_id][1]))
        else:
            plan.append(("new", None))
            changed.append((article_id, path))
    if len(changed) * 2 > len(found):
        return None
    if changed:
        notice(f"updating the index: {len(changed):,} of {len(found):,} articles added or changed…")
    fresh, fresh_skipped = ingest(changed, warn, progress, max_file_bytes=max_file_bytes) if changed \
        else (None, [])
    fresh_numbers = {a: i for i, a in enumerate(fresh.article_ids)} if fresh else {}
    skipped_of = iter(fresh_skipped)

    # The new delta's articles, in the folder's order, their sentences and term ids (delta-local).
    analyzer = base.index.analyzer
    ids: dict[str, int] = {}
    articles, sentences_of, token_parts, length_parts, kind_parts = [], [], [], [], []
    table_base, table_delta, table_skipped, skipped = [], [], [], []
    fresh_tokens = fresh_offsets = fresh_kinds = None
    if fresh is not None and len(fresh.sentences):
        _, fresh_tokens, fresh_offsets = analyse([s.text for s in fresh.sentences], analyzer, ids)
        fresh_kinds = _held_kinds(fresh)
    if delta is not None:
        old_tokens, old_offsets = delta.index._tokens
        delta_vocabulary = delta.index.vocabulary
        old_to_new = np.full(len(delta_vocabulary), -1, np.int64)
    for ((article_id, path), key), (what, value) in zip(zip(found, keys), plan):
        entry = [article_id, str(path), *key]
        if what == "base":
            table_base.append(entry)
        elif what == "delta":
            a, b = int(delta.starts[value]), int(delta.starts[value + 1])
            articles.append(delta.articles[value])
            sentences_of.append(delta.sentences.run(a, b))
            tokens = np.asarray(old_tokens[int(old_offsets[a]):int(old_offsets[b])], np.int64)
            for old in np.unique(tokens[old_to_new[tokens] < 0]).tolist():
                old_to_new[old] = ids.setdefault(delta_vocabulary[old], len(ids))
            token_parts.append(old_to_new[tokens])
            length_parts.append(np.diff(np.asarray(old_offsets[a:b + 1], np.int64)))
            kind_parts.append(np.asarray(delta.kinds[a:b], np.uint8))
            table_delta.append(entry)
        elif what == "skip":
            skipped.append(value)
            table_skipped.append([*entry, value])
        elif article_id in fresh_numbers:
            number = fresh_numbers[article_id]
            a, b = int(fresh.starts[number]), int(fresh.starts[number + 1])
            articles.append(fresh.articles[number])
            sentences_of.append(list(fresh.sentences[a:b]))
            token_parts.append(np.asarray(fresh_tokens[int(fresh_offsets[a]):int(fresh_offsets[b])], np.int64))
            length_parts.append(np.diff(np.asarray(fresh_offsets[a:b + 1], np.int64)))
            kind_parts.append(np.asarray(fresh_kinds[a:b], np.uint8))
            table_delta.append(entry)
        else:
            message = next(skipped_of)
            skipped.append(message)
            if key:
                table_skipped.append([*entry, message])
    if not table_base and not articles:
        return None  # nothing left to serve: the caller says so as for a whole build

    terms = [""] * len(ids)
    for term, number in ids.items():
        terms[number] = term
    tokens = np.concatenate(token_parts).astype(np.int32) if token_parts else np.zeros(0, np.int32)
    counts = np.concatenate(length_parts) if length_parts else np.zeros(0, np.int64)
    offsets = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=offsets[1:])
    sentences = [s for part in sentences_of for s in part]
    n = len(sentences)
    postings = _postings(tokens, offsets, len(terms))

    # The whole vocabulary: the base's, then the delta's terms it lacks.
    base_ids = base.index.term_ids
    vb = len(base.index.vocabulary)
    term_map = np.zeros(len(terms), np.int32)
    extra: list[str] = []
    for number, term in enumerate(terms):
        tid = base_ids.get(term)
        if tid is None:
            tid = vb + len(extra)
            extra.append(term)
        term_map[number] = tid
    size = vb + len(extra)

    dead = ~kept_base
    base_counts = np.diff(base.starts)
    live = np.repeat(kept_base, base_counts)
    base_live = int(live.sum())
    df = np.zeros(size, np.int64)
    df[:vb] = np.diff(np.asarray(base.index._postings.indptr, np.int64)) - _dead_df(base, live, vb)
    np.add.at(df, term_map, np.diff(postings.indptr))
    total = base_live + n
    idf = idf_of(df, total)
    factor = np.concatenate([_factors(base.index._postings, idf[:vb] / base.index.idf, len(base.sentences))[live],
                             _factors(postings, idf[term_map], n)])

    starts = np.zeros(len(articles) + 1, np.int64)
    np.cumsum([len(part) for part in sentences_of], out=starts[1:])
    article_of = np.repeat(np.arange(len(articles), dtype=np.int32), np.diff(starts))
    index = SentenceIndex(terms, np.ones(len(terms), np.float32), postings, analyzer=analyzer)
    index._tokens = (tokens, offsets)
    headlines = _headlines([a.title for a in articles], analyzer, base_ids, ids, term_map, size)
    # Headline words of base articles that no base sentence had: a delta's sentences may bring them in.
    unknown, base_lengths = _unknown_headline_words(base, g, analyzer, base_ids)
    pairs = [(row, int(term_map[ids[term]]), count) for term, row, count in unknown if term in ids]
    base_headlines = _columns([r for r, _, _ in pairs], [c for _, c, _ in pairs], len(base.articles), size)
    # documents.py's article vectors: the delta's articles' counts, the base's headline words that the
    # delta's sentences brought in, and every term's article frequency over the live articles.
    base_extra = _columns([r for r, _, _ in pairs], [c for _, c, _ in pairs], len(base.articles), size,
                          [n for _, _, n in pairs])
    article_tf, article_lengths = _article_counts(tokens, offsets, starts, term_map, articles, analyzer, base_ids,
                                                  ids, size)
    article_df = np.zeros(size, np.int64)
    if base.documents is not None:
        doc = base.documents
        entries = np.diff(np.asarray(doc.indptr, np.int64))
        gone = dead[np.asarray(doc.indices, np.int64)] if len(doc.indices) else np.zeros(0, bool)
        article_df[:vb] = entries - np.bincount(np.repeat(np.arange(vb), entries)[gone], minlength=vb)
    extra_live = np.asarray([c for r, c, _ in pairs if kept_base[r]], np.int64)
    article_df += np.bincount(extra_live, minlength=size) + np.diff(article_tf.indptr)
    kinds = np.concatenate(kind_parts) if kind_parts else np.zeros(0, np.uint8)
    days = DayIndex.build([s.text for s in sentences], article_of, [a.published for a in articles])

    base_manifest = json.loads((base.folder / "manifest.json").read_text(encoding="utf-8"))
    build = new_build(slot)
    try:
        write_corpus(build, articles, sentences)
        np.save(build / "starts.npy", starts)
        np.save(build / "kinds.npy", kinds)
        index.save(build)
        save_columns(build / "headlines.npz", headlines)
        save_columns(build / BASE_HEADLINES, base_headlines)
        (build / UNKNOWN_WORDS).write_text(json.dumps(unknown, ensure_ascii=False), encoding="utf-8")
        save_columns(build / BASE_ARTICLE_TF, base_extra)
        np.save(build / ARTICLE_DF, article_df)
        np.save(build / BASE_LENGTHS, base_lengths)
        save_columns(build / ARTICLE_TF, article_tf)
        np.save(build / ARTICLE_LENGTHS, article_lengths)
        days.save(build)
        np.save(build / DEAD, dead)
        np.save(build / DF, df.astype(np.int32))
        np.save(build / FACTOR, factor.astype(np.float32))
        np.save(build / TERM_MAP, term_map)
        (build / EXTRA_TERMS).write_text("\n".join(extra), encoding="utf-8")
        (build / GENERATION).write_text(json.dumps({"base_sentences": len(base.sentences)}), encoding="utf-8")
        (build / FILES).write_text(json.dumps({"articles": table_base + table_delta, "skipped": table_skipped}),
                                   encoding="utf-8")
        write_manifest(build, {**stamp, "skipped": skipped, "base": base.folder.name,
                               "base_files": base_manifest.get("files")})
        publish(build, slot, keep=base.folder.name)
    finally:
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)
    return len(changed), skipped


def _postings(tokens: np.ndarray, offsets: np.ndarray, terms: int) -> PostingArrays:
    """Term-major postings of sentences given as term ids; each weight is 1 + ln tf (the delta's idf is 1
    and its length factors are kept apart, segments.py)."""
    n = len(offsets) - 1
    sentence = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))
    pairs, tf = np.unique(np.asarray(tokens, np.int64) * max(n, 1) + sentence, return_counts=True)
    term, position = pairs // max(n, 1), pairs % max(n, 1)
    indptr = np.zeros(terms + 1, np.int64)
    np.cumsum(np.bincount(term, minlength=terms), out=indptr[1:])
    data = (np.log(tf.astype(np.float32)) + 1).astype(np.float32)
    return PostingArrays(indptr, position.astype(np.int32), data, n)


def _dead_df(base: Part, live: np.ndarray, terms: int) -> np.ndarray:
    """How many of the base's tombstoned sentences hold each term."""
    if live.all():
        return np.zeros(terms, np.int64)
    tokens, offsets = base.index._tokens
    offsets = np.asarray(offsets, np.int64)
    gone = np.flatnonzero(~live)
    starts, sizes = offsets[gone], offsets[gone + 1] - offsets[gone]
    at = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(int(sizes.sum()), dtype=np.int64)
    sentence = np.repeat(np.arange(len(gone), dtype=np.int64), sizes)
    pairs = np.unique(np.asarray(tokens[at], np.int64) * len(gone) + sentence)
    return np.bincount(pairs // max(len(gone), 1), minlength=terms)


def _factors(postings: PostingArrays, rescale: np.ndarray, sentences: int) -> np.ndarray:
    """Each sentence's f(s) (segments.py): 1 / its length once every stored weight is rescaled by its
    term's new idf over the idf it was stored with (1 for a sentence without terms)."""
    indptr = np.asarray(postings.indptr, np.int64)
    squares = np.zeros(sentences, np.float64)
    term = 0
    while term < len(indptr) - 1:  # a few million postings at a time
        last = min(int(np.searchsorted(indptr, indptr[term] + _CHUNK, "right")), len(indptr) - 1)
        last = max(last, term + 1)
        a, b = int(indptr[term]), int(indptr[last])
        if a < b:
            of = np.repeat(np.arange(term, last), np.diff(indptr[term:last + 1]))
            weights = np.asarray(postings.data[a:b], np.float32) * rescale[of].astype(np.float32)
            squares += np.bincount(postings.indices[a:b], np.square(weights, dtype=np.float64), minlength=sentences)
        term = last
    factor = np.ones(sentences, np.float64)
    np.divide(1.0, np.sqrt(squares), out=factor, where=squares > 0)
    return factor


def _headlines(titles: list[str], analyzer, base_ids: dict, delta_ids: dict, term_map: np.ndarray,
               size: int) -> Columns:
    """Which terms of the whole vocabulary each article's headline holds, column by column."""
    rows, cols = [], []
    for row, title in enumerate(titles):
        for term in set(analyzer.terms(title)):
            tid = base_ids.get(term)
            if tid is None and term in delta_ids:
                tid = int(term_map[delta_ids[term]])
            if tid is not None:
                rows.append(row)
                cols.append(tid)
    return _columns(rows, cols, len(titles), size)


def _columns(rows: list[int], cols: list[int], height: int, size: int, values: list | None = None) -> Columns:
    """A matrix (height x size) holding values (default 1) at (rows[i], cols[i]), column by column."""
    rows_a, cols_a = np.asarray(rows, np.int32), np.asarray(cols, np.int64)
    order = np.lexsort((rows_a, cols_a))
    indptr = np.zeros(size + 1, np.int64)
    np.cumsum(np.bincount(cols_a, minlength=size), out=indptr[1:])
    data = np.ones(len(rows), np.float32) if values is None else np.asarray(values, np.float32)[order]
    return Columns(indptr, rows_a[order], data, (height, size))


def _article_counts(tokens: np.ndarray, offsets: np.ndarray, starts: np.ndarray, term_map: np.ndarray,
                    articles: list, analyzer, base_ids: dict, delta_ids: dict, size: int
                    ) -> tuple[Columns, np.ndarray]:
    """Each delta article's term counts over its sentences and headline (whole-vocabulary ids, term
    major) and its length in terms: what documents.py counts."""
    sizes = np.diff(offsets)
    article_of_token = np.repeat(np.repeat(np.arange(len(articles), dtype=np.int64), np.diff(starts)), sizes)
    terms = [term_map[np.asarray(tokens, np.int64)] if len(tokens) else np.zeros(0, np.int64)]
    owners = [article_of_token]
    for row, article in enumerate(articles):
        found = []
        for term in analyzer.terms(article.title):
            tid = base_ids.get(term)
            if tid is None and term in delta_ids:
                tid = int(term_map[delta_ids[term]])
            if tid is not None:
                found.append(tid)
        terms.append(np.asarray(found, np.int64))
        owners.append(np.full(len(found), row, np.int64))
    term, owner = np.concatenate(terms).astype(np.int64), np.concatenate(owners)
    lengths = np.bincount(owner, minlength=len(articles)).astype(np.float32)
    n = max(len(articles), 1)
    keys, counts = np.unique(term * n + owner, return_counts=True)
    term, owner = keys // n, keys % n
    indptr = np.zeros(size + 1, np.int64)
    np.cumsum(np.bincount(term, minlength=size), out=indptr[1:])
    return Columns(indptr, owner.astype(np.int32), counts.astype(np.float32), (size, len(articles))), lengths


def _unknown_headline_words(base: Part, generation, analyzer, base_ids: dict) -> tuple[list, np.ndarray]:
    """[term, base article number, count] for every headline term of the base that its vocabulary
    lacks, and each base article's length in terms as documents.py counts it (its sentences' terms
    and its headline's known ones): read from the previous delta when there is one, else worked out
    (once per base)."""
    if generation is not None:
        try:
            unknown = json.loads((generation.folder / UNKNOWN_WORDS).read_text(encoding="utf-8"))
            return [tuple(entry) for entry in unknown], np.asarray(generation.base_lengths, np.float32)
        except (OSError, ValueError):
            pass
    found = []
    known = np.zeros(len(base.articles), np.int64)
    for number in range(len(base.articles)):
        counts: dict[str, int] = {}
        for term in analyzer.terms(base.articles.header(number).title):
            counts[term] = counts.get(term, 0) + 1
        for term, count in counts.items():
            if term in base_ids:
                known[number] += count
            else:
                found.append((term, number, count))
    tokens, offsets = base.index._tokens
    per_sentence = np.diff(np.asarray(offsets, np.int64))
    article_of = np.repeat(np.arange(len(base.articles), dtype=np.int64), np.diff(base.starts))
    sentence_terms = np.bincount(article_of, per_sentence, minlength=len(base.articles))
    return found, (sentence_terms + known).astype(np.float32)
