"""One task of ingest: a run of article files read, split, attributed and analysed into compact columns.

A worker process makes a `Part` of each run of files and sends it back: the articles, and their
sentences as columns (texts, numbers, speakers) with what the index needs of each sentence already
found there, on both cores: its term ids (against the worker's own vocabulary, of which each part
sends only the terms new to it), the kinds of thing it holds (answer_type.held_kinds) and the days it
names (dates.py). Arrays travel as bytes, not as lists of Python objects, so sending a part costs
little; `merge` joins the parts in file order.
"""

from __future__ import annotations

import os
from array import array
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from .answer_type import held_kinds
from .articles import DEFAULT_MAX_FILE_BYTES, ArticleError, read_article
from .dates import DayIndex, days, published_day
from .records import BODY, CAPTION, Article, Rows, Sentence
from .sentences import Splitter, split_article
from .store import CorpusWriter
from .text import Analyzer

_analyzer: Analyzer | None = None  # one per process: its stem cache serves every run of files it reads
_splitter: Splitter | None = None
# One per process and build: the term ids of every run of files this process reads for the build
# (term -> id, and word -> id or -1 for a stop word), so that each run sends only its new terms.
_vocabulary: tuple[object, dict[str, int], dict[str, int]] | None = None


@dataclass(frozen=True)
class Part:
    """What a run of files gave, in file order."""

    outcomes: list[tuple[bool, str, list[str]]]  # per file: (read, why it was skipped, warnings)
    articles: list[Article]
    counts: bytes  # int32: each article's number of sentences
    texts: list[str]
    numbers: bytes  # int32 pairs: paragraph, sentence number
    kinds: list[str]  # the paragraph kind of each sentence
    speakers: list[str | None]
    credits: list[str | None]
    terms: list[str]  # the terms new to the reading process, numbered from `terms_from`
    terms_from: int  # how many terms the process had numbered before (its earlier runs' `terms`)
    reader: tuple  # which process read the run, for which build: its runs' term ids are one numbering
    tokens: bytes  # int32: every sentence's term ids in order
    lengths: bytes  # int32: how many term ids each sentence has
    held: bytes  # uint8: held_kinds of each sentence
    day_ordinals: bytes  # int32, with day_positions (int32, sentence numbers in the part): the days named


_trim: Callable[[int], int] | None | bool = None


def release_freed_memory() -> None:
    """Give the pages the heap holds free back to the system (glibc's `malloc_trim`; elsewhere nothing).

    After a part is handed back, a reading worker's heap keeps the freed texts' pages as its own, so
    each worker would stay at its largest part's size for the rest of the build; the joining process
    likewise after reading."""
    global _trim
    if _trim is None:
        try:
            import ctypes

            _trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc
            _trim = False
    if _trim:
        _trim(0)


def read_part(files: Sequence[tuple[str, str | Path]], max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
              on_file: Callable[[int, Article | None], Callable[[int], None] | None] | None = None,
              build: object = None) -> Part:
    """Read, split, attribute and analyse the files. `on_file(i, article)` is called as file i is read
    (article None when it is skipped) and may return a callback for each paragraph split (a meter).
    Runs read by one process with the same `build` (anything but None) share one numbering of terms;
    with None, the run is numbered alone.

    Each file is read, split and attributed in turn (no Sentence records made); the term ids, kinds
    and days of the run's sentences are found after them all (text.Analyzer.term_ids, which looks
    each word up once per vocabulary, not once per sentence)."""
    global _analyzer, _splitter, _vocabulary
    if build is not None:  # a reading worker: what its last part held is free now
        release_freed_memory()
    analyzer = _analyzer = _analyzer or Analyzer()
    splitter = _splitter = _splitter or Splitter()
    outcomes, articles, counts = [], [], array("i")
    texts: list[str] = []
    numbers = array("i")
    kinds, speakers, credits = [], [], []
    references = []  # each article's published day, and where its sentences start
    for i, (article_id, path) in enumerate(files):
        notes: list[str] = []
        try:
            article = read_article(path, article_id, max_bytes=max_file_bytes, warn=notes.append)
        except ArticleError as err:
            outcomes.append((False, str(err), notes))
            if on_file:
                on_file(i, None)
            continue
        outcomes.append((True, "", notes))
        rows = split_article(article, splitter, on_file(i, article) if on_file else None)
        articles.append(article)
        counts.append(len(rows))
        references.append((published_day(article.published), len(texts)))
        paragraphs = article.paragraphs
        for p_no, s_no, text, speaker in rows:
            paragraph = paragraphs[p_no - 1]
            texts.append(text)
            numbers.append(p_no)
            numbers.append(s_no)
            kinds.append(paragraph.kind)
            speakers.append(speaker)
            credits.append(paragraph.credit if paragraph.kind == CAPTION else None)
    if build is None or _vocabulary is None or _vocabulary[0] != build:
        _vocabulary = (build, {}, {})
    _, ids, words = _vocabulary
    numbered = len(ids)
    tokens, lengths = analyzer.term_ids(texts, ids, words)
    new_terms = list(islice(reversed(ids), len(ids) - numbered))[::-1]
    held = bytes(map(held_kinds, texts, speakers))
    ordinals, positions = array("i"), array("i")
    for n, (reference, start) in enumerate(references):
        end = references[n + 1][1] if n + 1 < len(references) else len(texts)
        for position in range(start, end):
            for day in days(texts[position], reference):
                ordinals.append(day.toordinal())
                positions.append(position)
    return Part(outcomes, articles, counts.tobytes(), texts, numbers.tobytes(), kinds, speakers, credits,
                new_terms, numbered, (build, os.getpid()), tokens.tobytes(), lengths.tobytes(), held,
                ordinals.tobytes() + positions.tobytes())


@dataclass(frozen=True)
class Analysis:
    """What the index needs of every sentence of a corpus, found as it was read."""

    terms: list[str]  # by id
    tokens: np.ndarray  # int32 term ids of every sentence in order
    offsets: np.ndarray  # int64: where each sentence's ids start, plus the end
    kinds: np.ndarray  # uint8: held_kinds of each sentence
    days: DayIndex
    titles: list[str] | None = None  # each article's headline, when the articles themselves are on disk

    def numbered(self, ids: dict[str, int]) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(terms by id, token ids, offsets) as `tfidf.analyse` gives them with `ids`: new terms are
        numbered after the ones `ids` holds (it is extended in place)."""
        if not ids:  # numbered as they are: no copy
            ids.update(zip(self.terms, range(len(self.terms))))
            return list(self.terms), self.tokens, self.offsets
        mapping = np.fromiter((ids.setdefault(t, len(ids)) for t in self.terms), np.int32, len(self.terms))
        by_id = [""] * len(ids)
        for term, number in ids.items():
            by_id[number] = term
        tokens = mapping[self.tokens] if len(self.tokens) else np.zeros(0, np.int32)
        return by_id, tokens, self.offsets


class SentenceColumns(Rows[Sentence]):
    """A corpus's sentences held as columns, each made into a Sentence record when it is asked for."""

    def __init__(self, article_ids: Sequence[str], article_of: np.ndarray, texts: list[str], numbers: np.ndarray,
                 kinds: np.ndarray, kind_names: list[str], speakers: list[str | None], credits: list[str | None]):
        self._article_ids, self._article_of = article_ids, article_of
        self.texts, self.numbers, self.kinds, self.kind_names = texts, numbers, kinds, kind_names
        self.speakers, self.credits = speakers, credits

    def __len__(self) -> int:
        return len(self.texts)

    def row(self, i: int):
        paragraph, sentence = self.numbers[i].tolist()
        return Sentence(self._article_ids[int(self._article_of[i])], paragraph, sentence, self.texts[i],
                        self.kind_names[int(self.kinds[i])], self.speakers[i], self.credits[i])

    def run(self, start: int, stop: int) -> list[Sentence]:
        return self[start:stop]

    def text_and_speaker(self, i: int) -> tuple[str, str | None]:
        return self.texts[i], self.speakers[i]


def merge(parts: Iterator[Part], on_file: Callable[[tuple[bool, str, list[str]]], None],
          writer: CorpusWriter | None = None
          ) -> tuple[list[Article] | None, SentenceColumns | None, np.ndarray, Analysis]:
    """The parts joined in order: (articles, their sentences, starts, analysis); `on_file` hears each
    file's outcome in order, as its part arrives.

    With `writer` (store.CorpusWriter), each part's articles and sentences are written through it as
    the part arrives and not kept (articles and sentences are None; the caller closes the writer and
    reads them from its folder): a build holds the term ids and such, not the texts. The analysis
    then keeps the articles' headlines (`titles`), which the index needs."""
    articles: list[Article] = []
    titles: list[str] | None = [] if writer is not None else None
    sentence_count = 0
    texts: list[str] = []
    speakers: list[str | None] = []
    credits: list[str | None] = []
    kind_names = [BODY, CAPTION]
    kind_code = {BODY: 0, CAPTION: 1}
    counts, numbers, kinds, tokens, lengths, held, ordinals, positions = [], [], [], [], [], [], [], []
    ids: dict[str, int] = {}
    numbering: dict[tuple, np.ndarray] = {}  # each reader's term ids -> ids
    for part in parts:
        for outcome in part.outcomes:
            on_file(outcome)
        base = sentence_count
        sentence_count += len(part.texts)
        for name in set(part.kinds) - kind_code.keys():
            kind_code[name] = len(kind_names)
            kind_names.append(name)
        part_kinds = np.fromiter(map(kind_code.__getitem__, part.kinds), np.int8, len(part.kinds))
        counts.append(np.frombuffer(part.counts, np.int32))
        if writer is not None:
            writer.add_sentences(part.texts, np.frombuffer(part.numbers, np.int32), part_kinds, kind_names,
                                 part.speakers, part.credits)
            writer.add_articles(part.articles)
            titles.extend(a.title for a in part.articles)
        else:
            articles.extend(part.articles)
            texts.extend(part.texts)
            speakers.extend(part.speakers)
            credits.extend(part.credits)
            numbers.append(np.frombuffer(part.numbers, np.int32))
            kinds.append(part_kinds)
        known = numbering.get(part.reader, np.zeros(0, np.int32))
        if len(known) != part.terms_from:  # a reader's runs come in the order it read them
            raise RuntimeError("a run of files arrived before one read earlier by the same process")
        mapping = np.concatenate([known, np.fromiter((ids.setdefault(t, len(ids)) for t in part.terms), np.int32,
                                                     len(part.terms))])
        numbering[part.reader] = mapping
        local = np.frombuffer(part.tokens, np.int32)
        tokens.append(mapping[local] if len(local) else local)
        lengths.append(np.frombuffer(part.lengths, np.int32))
        held.append(np.frombuffer(part.held, np.uint8))
        days_named = np.frombuffer(part.day_ordinals, np.int32).reshape(2, -1)
        ordinals.append(days_named[0])
        positions.append(days_named[1].astype(np.int64) + base)

    def joined(arrays: list[np.ndarray], dtype) -> np.ndarray:
        return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype)

    article_counts = joined(counts, np.int64)
    starts = np.zeros(len(article_counts) + 1, np.int64)
    np.cumsum(article_counts, out=starts[1:])
    offsets = np.zeros(sentence_count + 1, np.int64)
    np.cumsum(joined(lengths, np.int64), out=offsets[1:])
    day_ordinals, day_positions = joined(ordinals, np.int32), joined(positions, np.int64)
    order = np.lexsort((day_positions, day_ordinals))  # by day, then position, as DayIndex.build sorts
    by_id = [""] * len(ids)
    for term, number in ids.items():
        by_id[number] = term
    analysis = Analysis(by_id, joined(tokens, np.int32), offsets, joined(held, np.uint8),
                        DayIndex(day_ordinals[order], day_positions[order]), titles)
    if writer is not None:
        return None, None, starts, analysis
    article_of = np.repeat(np.arange(len(articles), dtype=np.int32), np.diff(starts))
    sentences = SentenceColumns([a.id for a in articles], article_of, texts,
                                joined(numbers, np.int32).reshape(-1, 2), joined(kinds, np.int8), kind_names,
                                speakers, credits)
    return articles, sentences, starts, analysis
