"""An index as a base build and one delta, searched as one: the base's removed articles masked, idf of the whole.

A delta (delta.py writes it) holds only the articles added or changed since the base was built, as a
build of its own, plus what the whole needs: which base articles are gone (a tombstone mask), every
term's document frequency over the live sentences, and each sentence's length factor. At open::

    N         = live sentences (base less tombstoned, plus delta)
    idf(t)    = ln((1 + N) / (1 + df(t))) + 1        # df summed over the segments' live sentences
    w(t, s)   = data(t, s) * idf(t) / idf_g(t) * f(s)

where data(t, s) = (1 + ln tf) * idf_g(t) / |s|_g is what segment g stored (the base: the cold
build's weights, idf_g its idf; the delta: 1 + ln tf, idf_g = 1), and f(s) = 1 / |sum over t of
(data(t, s) idf(t) / idf_g(t))^2|^(1/2) puts each sentence back to unit length under the new idf.
So every weight, query weight and coverage is what a cold build of the same files computes (to
float32 rounding: tests/test_segments.py compares them), while an update writes only the delta.

Positions are compact: the base's live sentences in its order, then the delta's. Articles in the
delta come after the base's (a cold build has them in folder order), which matters only where two
sentences score exactly alike (wire copies): the first in position wins the tie.
"""

from __future__ import annotations

import io
import json
import math
import mmap
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from .folder import Corpus
from .query import IndexSettings, Lexicon, QueryTerms, ReadsByLexicon, question_terms
from .ranking import Ranker
from .records import Article, Rows, Sentence
from .store import StoredArticles, StoredSentences, mapped
from .tfidf import SentenceIndex
from .walk import Walk, union

GENERATION = "generation.json"  # in a delta: its base, and the sizes of the whole
DEAD = "dead.npy"  # bool per base article: removed or changed since the base was built
DF = "df.npy"  # int32 per term of the whole vocabulary: live sentences holding it
FACTOR = "factor.npy"  # float32 per live sentence (compact positions): f(s) of the module docstring
TERM_MAP = "term_map.npy"  # int32 per delta term: its id in the whole vocabulary
EXTRA_TERMS = "extra_terms.txt"  # the terms the base lacks, numbered after its own
ARTICLE_DF = "article_df.npy"  # int64 per term of the whole vocabulary: live articles holding it (documents.py)
BASE_LENGTHS = "base_lengths.npy"  # float32 per base article: its length in terms, as documents.py counts it
ARTICLE_TF = "article_tf.npz"  # the delta's articles' term counts, term-major (terms x articles)
ARTICLE_LENGTHS = "article_lengths.npy"  # float32 per delta article: its length in terms
BASE_ARTICLE_TF = "base_article_tf.npz"  # counts of base headline words only the delta brought in
BASE_HEADLINES = "base_headlines.npz"  # base headlines' terms that only the delta's sentences brought in
UNKNOWN_WORDS = "base_headline_words.json"  # [term, base article] of base headline terms its vocabulary lacks


def idf_of(df: np.ndarray, sentences: int) -> np.ndarray:
    """idf(t) = ln((1 + N) / (1 + df(t))) + 1, in float32 step by step as scikit-learn's
    TfidfTransformer(smooth_idf=True) computes it from float32 counts (so a cold build's idf is equalled)."""
    return (np.log((sentences + 1) / (np.asarray(df) + 1).astype(np.float32)) + 1).astype(np.float32)


@dataclass(frozen=True)
class Columns:
    """A sparse matrix column by column (CSC arrays): what ranking reads of the headline vectors."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]


def load_sparse(path: Path) -> Columns:
    """A matrix saved by scipy's save_npz, its arrays as they were saved (CSR: rows first), with numpy
    alone; its indices and data memory-mapped (read as questions reach them: the article vectors of
    50,000 articles are 61 MB, which reading whole took a third of a warm `ask`'s load)."""
    saved = mapped_npz(path, ("shape", "indptr", "indices", "data"))
    rows, cols = (int(x) for x in saved["shape"])
    return Columns(np.asarray(saved["indptr"], np.int64), saved["indices"], saved["data"], (rows, cols))


def mapped_npz(path: Path, names: Sequence[str]) -> dict[str, np.ndarray]:
    """The named arrays of an .npz file, each memory-mapped (a read-only plain ndarray over the file)
    when numpy.savez stored it uncompressed, else read whole as np.load reads it. Raises ValueError
    (or OSError) when the file is not such an archive or lacks one of them."""
    import zipfile

    arrays: dict[str, np.ndarray] = {}
    with open(path, "rb") as handle, zipfile.ZipFile(handle) as archive:
        view = None
        for name in names:
            try:
                info = archive.getinfo(f"{name}.npy")
            except KeyError:
                raise ValueError(f"{path.name} holds no {name}") from None
            array = None
            if info.compress_type == zipfile.ZIP_STORED and not info.flag_bits & 0x1 and info.file_size:
                if view is None:
                    view = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
                array = _stored_array(view, info)
            if array is None:
                with archive.open(info) as member:
                    array = np.lib.format.read_array(member, allow_pickle=False)
            arrays[name] = array
    return arrays


def _stored_array(view: mmap.mmap, info) -> np.ndarray | None:
    """The .npy member `info` of a zip archive mapped in `view`, as an ndarray over it; None when it
    cannot be mapped (a header numpy does not know, objects in it)."""
    local = info.header_offset
    if view[local:local + 4] != b"PK\x03\x04":
        raise ValueError("damaged zip archive")
    name_length, extra_length = struct.unpack("<HH", view[local + 26:local + 30])
    start = local + 30 + name_length + extra_length
    header = io.BytesIO(view[start:start + min(info.file_size, 1 << 16)])
    try:
        version = np.lib.format.read_magic(header)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read_header is None:
            return None
        shape, fortran, dtype = read_header(header)
    except ValueError:
        return None
    if dtype.hasobject:
        return None
    offset = start + header.tell()
    if offset + dtype.itemsize * math.prod(shape) > start + info.file_size:
        raise ValueError("damaged zip archive")
    return np.ndarray(shape, dtype, buffer=view, offset=offset, order="F" if fortran else "C")


def load_columns(path: Path) -> Columns:
    """A matrix saved by scipy's save_npz (CSR or CSC), as CSC arrays, read with numpy alone."""
    with np.load(path, allow_pickle=False) as saved:
        kind = bytes(saved["format"].item()) if saved["format"].dtype.kind == "S" else str(saved["format"]).encode()
        indptr, indices, data = saved["indptr"], saved["indices"], saved["data"]
        rows, cols = (int(x) for x in saved["shape"])
    if kind == b"csc":
        return Columns(np.asarray(indptr, np.int64), indices, data, (rows, cols))
    if kind != b"csr":
        raise ValueError("headline vectors are in an unknown format")
    row_of = np.repeat(np.arange(rows, dtype=np.int32), np.diff(indptr))
    order = np.argsort(indices, kind="stable")
    column_indptr = np.zeros(cols + 1, np.int64)
    np.cumsum(np.bincount(indices, minlength=cols), out=column_indptr[1:])
    return Columns(column_indptr, row_of[order], data[order], (rows, cols))


def save_columns(path: Path, columns: Columns) -> None:
    """The arrays as save_npz writes a CSC matrix (so load_columns reads both)."""
    with open(path, "wb") as handle:
        np.savez(handle, indices=columns.indices, indptr=columns.indptr, format=np.array(b"csc"),
                 shape=np.asarray(columns.shape, np.int64), data=columns.data)


@dataclass
class Part:
    """One build folder's arrays: a base, or a delta's own articles."""

    folder: Path
    articles: StoredArticles
    starts: np.ndarray
    sentences: StoredSentences
    index: SentenceIndex
    headlines: Columns
    kinds: np.ndarray
    days: object  # dates.DayIndex
    documents: Columns | None = None  # terms x articles BM25 vectors (documents.py); a delta keeps counts apart


def load_part(folder: Path) -> Part:
    """A build's stored corpus, index, headlines, kinds and days; raises ValueError when they do not fit."""
    from .dates import DayIndex

    articles = StoredArticles(folder)
    starts = np.load(folder / "starts.npy", allow_pickle=False)
    if starts.shape != (len(articles) + 1,) or (len(starts) and starts[0] != 0) or np.any(np.diff(starts) < 0):
        raise ValueError("cache arrays do not match")
    article_of = np.repeat(np.arange(len(articles), dtype=np.int32), np.diff(starts))
    sentences = StoredSentences(folder, articles.ids, article_of)
    index = SentenceIndex.load(folder)
    headlines = load_columns(folder / "headlines.npz")
    kinds = np.load(folder / "kinds.npy", mmap_mode="r", allow_pickle=False)
    if len(index) != len(sentences) or headlines.shape[0] != len(articles) \
            or kinds.shape != (len(sentences),) or kinds.dtype != np.uint8:
        raise ValueError("cache arrays do not match")
    documents = None
    if (folder / "articles.npz").exists():
        documents = load_sparse(folder / "articles.npz")
        if documents.shape != (len(index.vocabulary), len(articles)):
            raise ValueError("cache arrays do not match")
    return Part(folder, articles, starts, sentences, index, headlines, np.asarray(kinds),
                DayIndex.load(folder, len(sentences)), documents)


class Generation:
    """A base part, the delta part and the arrays joining them (the module docstring)."""

    def __init__(self, base: Part, delta: Part, folder: Path):
        self.base, self.delta, self.folder = base, delta, folder
        meta = json.loads((folder / GENERATION).read_text(encoding="utf-8"))
        self.dead = np.load(folder / DEAD, allow_pickle=False)
        self.df = mapped(folder / DF)
        self.factor = mapped(folder / FACTOR)
        self.term_map = np.load(folder / TERM_MAP, allow_pickle=False)
        self.base_headlines = load_columns(folder / BASE_HEADLINES)
        self.article_df = np.load(folder / ARTICLE_DF, allow_pickle=False)
        self.base_lengths = np.load(folder / BASE_LENGTHS, allow_pickle=False)
        self.article_tf = load_sparse(folder / ARTICLE_TF)
        self.article_lengths = np.load(folder / ARTICLE_LENGTHS, allow_pickle=False)
        self.base_article_tf = load_columns(folder / BASE_ARTICLE_TF)  # (base articles x terms, by term)
        text = (folder / EXTRA_TERMS).read_text(encoding="utf-8")
        extra = text.split("\n") if text else []
        vb = len(base.index.vocabulary)
        nb = len(base.articles)
        if self.dead.shape != (nb,) or self.dead.dtype != bool or self.df.shape != (vb + len(extra),) \
                or self.term_map.shape != (len(delta.index.vocabulary),) \
                or (len(self.term_map) and (self.term_map.min() < 0 or self.term_map.max() >= len(self.df))) \
                or delta.headlines.shape != (len(delta.articles), len(self.df)) \
                or self.base_headlines.shape != (nb, len(self.df)) \
                or self.article_df.shape != self.df.shape or self.base_lengths.shape != (nb,) \
                or self.article_tf.shape != (len(self.df), len(delta.articles)) \
                or self.article_lengths.shape != (len(delta.articles),) \
                or meta.get("base_sentences") != len(base.sentences):
            raise ValueError("cache arrays do not match")
        self.alive = np.flatnonzero(~self.dead)  # base article numbers still served, in order
        counts = np.diff(base.starts)
        live_counts = counts[self.alive]
        self.base_live = int(live_counts.sum())
        self.sentences = self.base_live + len(delta.sentences)
        if self.factor.shape != (self.sentences,):
            raise ValueError("cache arrays do not match")
        self.vocabulary_size = len(self.df)
        self.extra = extra
        self.starts = np.zeros(len(self.alive) + len(delta.articles) + 1, np.int64)
        np.cumsum(np.concatenate([live_counts, np.diff(delta.starts)]), out=self.starts[1:])
        self.article_of = np.repeat(np.arange(len(self.starts) - 1, dtype=np.int32), np.diff(self.starts))
        # Base sentence -> compact position; removed ones go to a sink one past the end's end.
        self.sink = self.sentences + 1
        if self.dead.any():
            live = np.repeat(~self.dead, counts)
            remap = np.full(len(base.sentences), self.sink, np.int64)
            remap[live] = np.arange(self.base_live)
            self.base_remap: np.ndarray | None = remap
            article_remap = np.full(nb, len(self.starts) - 1, np.int64)
            article_remap[self.alive] = np.arange(len(self.alive))
            self.base_article_remap: np.ndarray | None = article_remap
        else:
            self.base_remap = self.base_article_remap = None
        # Whole-vocabulary id -> delta term id (-1 where the delta lacks the term).
        self.delta_ids = np.full(self.vocabulary_size + 1, -1, np.int64)
        self.delta_ids[self.term_map] = np.arange(len(self.term_map))

    @cached_property
    def base_position(self) -> np.ndarray:
        """Compact position -> base sentence number, for the base's live sentences."""
        if self.base_remap is None:
            return np.arange(self.base_live)
        return np.flatnonzero(self.base_remap != self.sink)

    def locate(self, position: int) -> tuple[Part, int]:
        """The part a compact sentence position is in, and its number there."""
        if position < self.base_live:
            return self.base, int(self.base_position[position]) if self.base_remap is not None else position
        return self.delta, position - self.base_live

    def locate_article(self, number: int) -> tuple[Part, int]:
        if number < len(self.alive):
            return self.base, int(self.alive[number])
        return self.delta, number - len(self.alive)


class JoinedArticles(Rows[Article]):
    """The live articles of a generation, base first."""

    def __init__(self, generation: Generation):
        self.g = generation
        base_ids = generation.base.articles.ids
        self.ids = [base_ids[i] for i in generation.alive.tolist()] + list(generation.delta.articles.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def row(self, i: int):
        part, number = self.g.locate_article(i)
        return part.articles[number]

    def header(self, i: int) -> Article:
        part, number = self.g.locate_article(i)
        return part.articles.header(number)


class JoinedSentences(Rows[Sentence]):
    """The live sentences of a generation at compact positions."""

    def __init__(self, generation: Generation):
        self.g = generation

    def __len__(self) -> int:
        return self.g.sentences

    def row(self, i: int):
        if not 0 <= i < len(self):
            raise IndexError("sentence index out of range")
        part, number = self.g.locate(i)
        return part.sentences[number]

    def text_and_speaker(self, i: int) -> tuple[str, str | None]:
        part, number = self.g.locate(i)
        return part.sentences.text_and_speaker(number)

    def run(self, start: int, stop: int) -> list[Sentence]:
        """The sentences start..stop-1 (runs of one part read at once)."""
        out: list[Sentence] = []
        g = self.g
        while start < stop:
            if start >= g.base_live:
                return out + g.delta.sentences.run(start - g.base_live, stop - g.base_live)
            # A run of consecutive base sentences: up to the next removed one or the base's end.
            first = g.locate(start)[1]
            end = min(stop, g.base_live)
            if g.base_remap is not None:
                numbers = g.base_position[start:end]
                gaps = np.flatnonzero(np.diff(numbers) != 1)
                end = start + (int(gaps[0]) + 1 if len(gaps) else len(numbers))
            out += g.base.sentences.run(first, first + end - start)
            start = end
        return out


class JoinedDays:
    """Which live sentences name which day: each part's own day index, at compact positions."""

    def __init__(self, generation: Generation):
        self.g = generation

    def on(self, day) -> np.ndarray:
        g = self.g
        base = np.asarray(g.base.days.on(day), np.int64)
        if g.base_remap is not None:
            base = g.base_remap[base]
            base = base[base != g.sink]
        delta = np.asarray(g.delta.days.on(day), np.int64) + g.base_live
        return np.sort(np.concatenate([base, delta]))


class SegmentedIndex(ReadsByLexicon):
    """The sentence index of a generation: SentenceIndex's questions-side interface over both parts."""

    def __init__(self, generation: Generation, settings: IndexSettings | None = None):
        g = self.g = generation
        base = g.base.index
        self.analyzer = base.analyzer
        vocabulary = list(base.vocabulary) + g.extra
        df = np.asarray(g.df, np.int64)
        for tid in np.flatnonzero(df == 0).tolist():  # a term no live sentence holds is not a term:
            vocabulary[tid] = f"\0{tid}"  # a name no question or text can have (each its own)
        self.vocabulary = vocabulary
        self.idf = idf_of(df, g.sentences)
        indptr = np.zeros(len(df) + 1, np.int64)
        np.cumsum(df, out=indptr[1:])  # so that Lexicon.df(t) is df(t)
        self.lexicon = Lexicon(vocabulary, self.idf, indptr, g.sentences, self.analyzer, settings or IndexSettings())
        vb = len(base.vocabulary)
        self._rescale_base = self.idf[:vb] / base.idf  # idf(t) / idf_g(t); the delta's idf_g is 1
        self._scratch = threading.local()

    def __len__(self) -> int:
        return self.g.sentences

    def query(self, text: str) -> QueryTerms:
        return question_terms(text, self.lexicon)

    def walk(self, query: QueryTerms, within: tuple[int, int] | None = None) -> Walk:
        """Every live sentence sharing a term with the query: its cosine and the bit sets (walk.py's Walk)."""
        g = self.g
        empty = Walk(np.zeros(0, np.int64), np.zeros(0, np.float32), *(np.zeros(0, np.int64),) * 3)
        if not query:
            return empty
        from .bits import bits_dtype

        score = self._array("score", np.float32)
        marks = self._array(f"marks{len(query.ids)}", bits_dtype(len(query.ids)))
        found: list[np.ndarray] = []
        ids = np.asarray(query.ids, np.int64)
        weights = query.weights.astype(np.float32)
        vb = len(self._rescale_base)
        try:
            for part, local, rescale, remap, offset in (
                    (g.base, np.where(ids < vb, ids, -1), None, g.base_remap, 0),
                    (g.delta, g.delta_ids[ids], True, None, g.base_live)):
                p = part.index._postings
                for column, (tid, weight) in enumerate(zip(local.tolist(), weights.tolist())):
                    if tid < 0:
                        continue
                    a, b = int(p.indptr[tid]), int(p.indptr[tid + 1])
                    if a == b:
                        continue
                    at = p.indices[a:b]
                    data = p.data[a:b]
                    if remap is not None:  # removed sentences are mapped to the sink, and left out
                        at = remap[at]
                        keep = at != g.sink
                        at, data = at[keep], data[keep]
                    elif offset:
                        at = at + offset
                    if within is not None:
                        keep = (at >= within[0]) & (at < within[1])
                        at, data = at[keep], data[keep]
                    if not len(at):
                        continue
                    factor = self.idf[ids[column]] if rescale else self._rescale_base[tid]
                    found.append(at)
                    score[at] += np.float32(weight * factor) * data
                    marks[at] |= 1 << column
            if not found:
                return empty
            positions = union(found)
            cosine = score[positions] * g.factor[positions]
            return Walk(positions, cosine, marks[positions], marks[positions - 1], marks[positions + 1])
        finally:
            for at in found:
                score[at] = 0
                marks[at] = 0

    def search(self, question: str, k: int = 10, within: tuple[int, int] | None = None) -> list[tuple[int, float]]:
        """The k best sentences by cosine alone: (position, score), best first, positive only."""
        from .walk import top_k

        walked = self.walk(self.query(question), within)
        best = top_k(walked.cosine, k) if k > 0 else []
        return [(int(walked.positions[i]), float(walked.cosine[i])) for i in best if walked.cosine[i] > 0]

    def _array(self, name: str, dtype) -> np.ndarray:
        """A per-thread array over every compact position and the sink, all zero between walks."""
        array = getattr(self._scratch, name, None)
        if array is None:
            array = np.zeros(self.g.sink + 1, dtype)
            setattr(self._scratch, name, array)
        return array

    def term_run(self, start: int, end: int) -> np.ndarray | None:
        """The whole-vocabulary term ids of the compact sentences start..end-1, which lie in one part
        (an article's do), as one array in reading order; None when a part keeps no term ids."""
        g = self.g
        if g.base.index._tokens is None or g.delta.index._tokens is None:
            return None
        if start >= end:
            return np.zeros(0, np.int64)
        part, first = g.locate(start)
        ids = part.index.term_run(first, first + end - start)
        return np.asarray(g.term_map[ids], np.int64) if part is g.delta else ids

    def sentence_terms(self, positions, as_ids: bool = False):
        """The index terms (or whole-vocabulary ids) of the given sentences, in reading order."""
        g = self.g
        out = []
        for position in np.asarray(positions, np.int64).tolist():
            part, number = g.locate(position)
            ids = part.index.sentence_terms([number], as_ids=True)[0]
            if part is g.delta:
                ids = g.term_map[np.asarray(ids, np.int64)].tolist() if ids else []
            out.append(ids if as_ids else [self.vocabulary[t] for t in ids])
        return out

    @cached_property
    def _tokens(self) -> tuple[np.ndarray, np.ndarray]:
        """Every live sentence's term ids (whole vocabulary) and their offsets: what a merge reassembles."""
        g = self.g
        parts = []
        for part, numbers in ((g.base, g.base_position), (g.delta, None)):
            tokens, offsets = part.index._tokens
            tokens, offsets = np.asarray(tokens), np.asarray(offsets, np.int64)
            if part is g.delta:
                tokens = g.term_map[tokens] if len(tokens) else tokens.astype(np.int32)
                parts.append((tokens, np.diff(offsets)))
                continue
            starts, sizes = offsets[numbers], offsets[numbers + 1] - offsets[numbers]
            at = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(int(sizes.sum()), dtype=np.int64)
            parts.append((tokens[at], sizes))
        lengths = np.concatenate([s for _, s in parts])
        offsets = np.zeros(len(lengths) + 1, np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return np.concatenate([t.astype(np.int32) for t, _ in parts]), offsets


class JoinedDocuments:
    """documents.py's article scores over a base and a delta, at the whole's document idf and mean length.

    The base stored d(t, a) at its own idf_a and mean length; its term count is recovered exactly from
    it (tf = x K / (k1 + 1 - x), x = d / idf_base(t), K the base's length term, rounded to the whole
    number it is) and d worked out again at the whole's; the delta stored its counts.
    """

    def __init__(self, generation: Generation):
        from .documents import B, K1

        g = self.g = generation
        self.k1, self.b = K1, B
        base = g.base.documents
        self.base = base
        self.k1 = K1
        articles = len(g.starts) - 1
        vb = len(g.base.index.vocabulary)
        base_df = np.diff(base.indptr)
        nb = len(g.base.articles)
        self.idf_base = np.log1p((nb - base_df + 0.5) / (base_df + 0.5))
        self.idf = np.log1p((articles - g.article_df + 0.5) / (g.article_df + 0.5))
        base_lengths = np.asarray(g.base_lengths, np.float32)
        mean_base = max(float(base_lengths.mean()), 1.0) if nb else 1.0
        # documents.py's length term K1 (1 - B + B len / mean), in float32 as it computes it
        self.k_base = K1 * (1 - B + B * (base_lengths / mean_base))
        # The base articles' lengths now: plus the headline words only the delta's sentences hold, less
        # the headline words no live sentence holds any more (they are no terms now).
        extra = g.base_article_tf
        now = base_lengths.astype(np.float64) + np.bincount(np.asarray(extra.indices, np.int64),
                                                            np.asarray(extra.data, np.float64), minlength=nb)
        gone = np.flatnonzero(np.asarray(g.df[:vb]) == 0)
        if len(gone):
            at, term, _ = _gather(base, gone, np.zeros(len(gone)))
            article = np.asarray(base.indices[at], np.int64)
            now -= np.bincount(article, self._base_tf(at, term, article), minlength=nb)
        now_lengths = now.astype(np.float32)
        lengths = np.concatenate([now_lengths[g.alive], np.asarray(g.article_lengths, np.float32)])
        mean = max(float(lengths.mean()), 1.0) if len(lengths) else 1.0
        self.k_now_base = K1 * (1 - B + B * (now_lengths / mean))
        self.k_now_delta = K1 * (1 - B + B * (np.asarray(g.article_lengths, np.float32) / mean))
        self.vb, self.articles = vb, articles

    def _base_tf(self, at: np.ndarray, term: np.ndarray, article: np.ndarray) -> np.ndarray:
        """The term counts behind base entries `at` (of terms `term`, articles `article`), recovered."""
        x = np.asarray(self.base.data[at], np.float64) / self.idf_base[term]
        return np.rint(x * self.k_base[article] / np.maximum((self.k1 + 1) - x, 1e-12))

    def scores(self, query: QueryTerms) -> np.ndarray:
        g, k1 = self.g, self.k1
        ids = np.asarray(query.ids, np.int64)
        weights = np.asarray(query.weights, np.float64)
        if not len(ids) or not self.articles:
            return np.zeros(self.articles, np.float32)
        rows, values = [], []
        # The base's entries: counts recovered, then weighed at the whole's statistics.
        in_base = ids < self.vb
        at, term, weight = _gather(self.base, ids[in_base], weights[in_base])
        if len(at):
            article = np.asarray(self.base.indices[at], np.int64)
            tf = self._base_tf(at, term, article).astype(np.float32)
            d = (self.idf[term] * tf * (k1 + 1) / (tf + self.k_now_base[article])).astype(np.float32)
            rows.append(g.base_article_remap[article] if g.base_article_remap is not None else article)
            values.append(weight * d)
        # Base headline words that only the delta's sentences brought in, then the delta's own articles.
        for counts, k_now, remap, offset in ((g.base_article_tf, self.k_now_base, g.base_article_remap, 0),
                                             (g.article_tf, self.k_now_delta, None, len(g.alive))):
            at, term, weight = _gather(counts, ids, weights)
            if not len(at):
                continue
            article = np.asarray(counts.indices[at], np.int64)
            tf = np.asarray(counts.data[at], np.float32)
            d = (self.idf[term] * tf * (k1 + 1) / (tf + k_now[article])).astype(np.float32)
            rows.append(remap[article] if remap is not None else article + offset)
            values.append(weight * d)
        if not rows:
            return np.zeros(self.articles, np.float32)
        score = np.bincount(np.concatenate(rows), np.concatenate(values), minlength=self.articles + 1)
        score = score[:self.articles].astype(np.float32)  # (the last: removed base articles)
        best = float(score.max())
        return score / best if best > 0 else score


def _gather(matrix: Columns, ids: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The entries of rows `ids` of a term-major matrix: (entry numbers, their term, their term's weight)."""
    starts, ends = matrix.indptr[ids].astype(np.int64), matrix.indptr[ids + 1].astype(np.int64)
    sizes = ends - starts
    at = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(int(sizes.sum()), dtype=np.int64)
    return at, np.repeat(ids, sizes), np.repeat(weights, sizes)


class SegmentRanker(Ranker):
    """The ranker over a generation: headline bits come from both parts' headlines."""

    def headline_bits(self, query: QueryTerms) -> np.ndarray:
        g: Generation = self.headlines
        articles = len(g.starts) - 1
        bits = np.zeros(articles + 1, np.int64)  # the last: removed base articles, dropped
        ids = np.asarray(query.ids, np.int64)
        vb = len(g.base.index.vocabulary)
        for h, local, remap, offset in ((g.base.headlines, np.where(ids < vb, ids, -1), g.base_article_remap, 0),
                                        (g.base_headlines, np.where(ids >= vb, ids, -1), g.base_article_remap, 0),
                                        (g.delta.headlines, ids, None, len(g.alive))):
            for column, tid in enumerate(local.tolist()):
                if tid < 0:
                    continue
                a, b = int(h.indptr[tid]), int(h.indptr[tid + 1])
                if a < b:
                    rows = np.asarray(h.indices[a:b][h.data[a:b] != 0], np.int64)
                    rows = remap[rows] if remap is not None else rows + offset
                    bits[rows] |= 1 << column
        return bits[:articles]


def open_generation(base_folder: Path, folder: Path):
    """The live index of a delta folder over its base (CorpusIndex with the parts joined)."""
    from .corpus import CorpusIndex

    generation = Generation(load_part(base_folder), load_part(folder), folder)
    corpus = Corpus(JoinedArticles(generation), JoinedSentences(generation), generation.article_of, generation.starts)
    base_kinds = generation.base.kinds
    if generation.base_remap is not None:
        base_kinds = base_kinds[generation.base_position]
    kinds = np.concatenate([base_kinds, generation.delta.kinds]).astype(np.uint8)
    if generation.base.documents is None:
        raise ValueError("the base build has no article vectors")
    documents = JoinedDocuments(generation)
    index = CorpusIndex(corpus, SegmentedIndex(generation), generation, kinds=kinds, days=JoinedDays(generation),
                        ranker=SegmentRanker, articles=documents)
    index.generation = generation
    return index
