"""A TF-IDF index over sentences: build it, save and load it as plain arrays, search it.

Weights, as scikit-learn computes them with ``sublinear_tf=True, smooth_idf=True``::

    idf(t)    = ln((1 + N) / (1 + df(t))) + 1          # N sentences, df(t) of them contain t
    w(t, s)   = (1 + ln tf(t, s)) * idf(t),  then each sentence's vector is scaled to length 1
    q(t)      = (1 + ln tf(t, q)) * idf(t)             # question terms; synonyms, other forms and close
                                                       # spellings of unknown words at lower weight
    score(s)  = q . w(s) / |q|                         # cosine similarity, in (0, 1]

The idf never reaches zero, so a term found in every sentence of a one-article corpus still counts
(DrQA's ``log((N - Nt + 0.5) / (Nt + 0.5))`` goes negative there). Weights are computed in float32 in
scikit-learn's order of operations, so they are the bits its ``TfidfVectorizer`` would give.

Only sentences that share a term with the question are scored, DrQA's way: the question's rows of the
term-major matrix (each term's postings: sentence positions and weights) are added, one vectorised
step per question term, into a per-thread score array that is zeroed again where it was touched, so a
question costs time in proportion to the postings it walks, not to the corpus. The top k come from a
partial sort (``argpartition``).

A query with no index terms (empty, only stop words, only unknown words with no close spelling)
finds nothing: ``search`` returns an empty list.
"""

from __future__ import annotations

import bisect
import json
import math
import threading
from array import array
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from .text import Analyzer
from .store import mapped

FORMAT_VERSION = 3


@dataclass(frozen=True)
class IndexSettings:
    """How questions are turned into weighted terms."""

    synonym_weight: float = 0.5
    # Unknown question words are matched to index terms spelt alike (1 - edit distance / length at
    # least this), at weight `similarity * fuzzy_weight`.
    fuzzy_min_similarity: float = 0.7
    fuzzy_weight: float = 0.9
    fuzzy_max_terms: int = 2
    fuzzy_coverage: float = 0.5  # the share of an unknown word's coverage a close spelling earns
    # Known but rare words (in at most this many sentences) also match close spellings.
    variant_max_df: int = 3
    variant_min_similarity: float = 0.8
    # Other forms of a question word: index terms starting with its first `related_prefix` letters
    # (discovered / discovery, Egypt / Egyptian), at the synonym weight; at most `related_max_terms`.
    related_prefix: int = 6
    related_max_terms: int = 5


@dataclass(frozen=True)
class QueryTerms:
    """A question as index terms: term ids, their query weights, and idf mass for coverage."""

    ids: np.ndarray  # int32, unique term ids
    weights: np.ndarray  # float32, query weight per id (already scaled to unit length)
    coverage: np.ndarray  # float32, share of the question's idf mass each id stands for
    words: tuple[str, ...]  # the index terms asked for, synonyms and close spellings included
    # Which question word each id stands for: a word and its synonyms, other forms and close
    # spellings form one group, and a sentence earns a group's coverage once, by its best member.
    group: np.ndarray | None = None

    def __bool__(self) -> bool:
        return bool(len(self.ids))

    # -- the same from bit sets: bit i stands for ids[i] (at most 62 ids) -------------------------
    def covered_bits(self, bits: np.ndarray) -> np.ndarray:
        """`covered` of sentences given as bit sets of the ids they hold."""
        return self._look_up(bits, 0)

    def share_bits(self, bits: np.ndarray) -> np.ndarray:
        """The summed coverage share of the ids in each bit set (no best-member rule: what the headline
        and neighbour evidence count)."""
        return self._look_up(bits, 1)

    @property
    def fits_bits(self) -> bool:
        """True when bit sets can stand for this query's ids (see `covered_bits`)."""
        return self._bit_tables is not None

    def _look_up(self, bits: np.ndarray, which: int) -> np.ndarray:
        out = None
        for shift, mask, tables in self._bit_tables:
            value = tables[which][(bits >> shift) & mask if shift or mask != -1 else bits]
            out = value if out is None else out + value
        return out if out is not None else np.zeros(len(bits), np.float32)

    @cached_property
    def _bit_tables(self) -> list[tuple[int, int, tuple[np.ndarray, np.ndarray]]] | None:
        """(shift, mask, (coverage table, share table)) for runs of whole word groups, at most 12 bits
        a run (16 for one wide group); None when the groups are not runs of ids or one is wider."""
        n = len(self.ids)
        group = self.group if self.group is not None else np.arange(n)
        if n > 62 or np.any(np.diff(group) < 0):
            return None
        if not n:
            return []
        cuts = np.flatnonzero(np.diff(group)) + 1
        runs = list(zip([0, *cuts.tolist()], [*cuts.tolist(), n]))
        chunks: list[list[tuple[int, int]]] = [[]]
        for a, b in runs:
            if b - a > 16:
                return None
            if chunks[-1] and b - chunks[-1][0][0] > 12:
                chunks.append([])
            chunks[-1].append((a, b))
        out = []
        for chunk in chunks:
            first, width = chunk[0][0], chunk[-1][1] - chunk[0][0]
            covered, summed = _subset_tables(self.coverage, chunk)
            mask = -1 if first == 0 and len(chunks) == 1 else (1 << width) - 1
            out.append((first, mask, (covered, summed)))
        return out

    def covered(self, present: np.ndarray) -> np.ndarray:
        """Coverage of sentences from their (sentences x ids) presence: per word group, its best member."""
        credit = present * self.coverage
        if self.group is None or len(np.unique(self.group)) == len(self.group):
            return credit.sum(axis=1).astype(np.float32)
        order = np.argsort(self.group, kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(self.group[order]) != 0])
        return np.maximum.reduceat(credit[:, order], starts, axis=1).sum(axis=1).astype(np.float32)


def _subset_tables(share: np.ndarray, runs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """(coverage, summed share) of every subset of the ids in these runs of word groups, indexed by
    the subset's bits (the first id of the first run is bit 0)."""
    first, width = runs[0][0], runs[-1][1] - runs[0][0]
    if width <= 8:  # a small table: all subsets at once
        credit = _bit_patterns(width) * share[first:first + width]
        summed = credit.sum(axis=1)
        if len(runs) == width:
            return summed, summed
        return np.maximum.reduceat(credit, [a - first for a, _ in runs], axis=1).sum(axis=1), summed
    # A large one by doubling: the table over one more id is the table, then the table with it added.
    covered = summed = np.zeros(1, np.float32)
    for a, b in runs:
        best = sums = np.zeros(1, np.float32)
        for c in share[a:b]:
            best = np.concatenate([best, np.maximum(best, c)])
            sums = np.concatenate([sums, sums + c])
        covered = (best[:, None] + covered[None, :]).ravel()  # this group's ids are the higher bits
        summed = (sums[:, None] + summed[None, :]).ravel()
    return covered, summed


@lru_cache(maxsize=None)
def _bit_patterns(width: int) -> np.ndarray:
    """(2**width x width) float32: row r holds the bits of r, lowest first."""
    patterns = (np.arange(1 << width)[:, None] >> np.arange(width)) & 1
    patterns = patterns.astype(np.float32)
    patterns.flags.writeable = False
    return patterns


@dataclass(frozen=True)
class Walk:
    """What one walk over a query's postings found (see `SentenceIndex.walk`); rows align with positions."""

    positions: np.ndarray  # ascending
    cosine: np.ndarray
    bits: np.ndarray  # unsigned (or int64 past 32 ids): which query ids each sentence holds
    before: np.ndarray  # ... the sentence at position - 1 holds (any article)
    after: np.ndarray  # ... the sentence at position + 1 holds


class SentenceIndex:
    """TF-IDF over a fixed list of sentences; positions are indexes into that list."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray, postings: sp.csr_matrix | PostingArrays,
                 settings: IndexSettings | None = None):
        self.settings = settings or IndexSettings()
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, dtype=np.float32)
        # Term-major: the postings of term t are positions indices[indptr[t]:indptr[t+1]] (ascending)
        # with their weights w(t, s) in data. Kept as plain arrays, which may be memory-mapped.
        if isinstance(postings, PostingArrays):
            self._postings = postings
        else:
            self._postings = PostingArrays.of(postings)
        self.analyzer = Analyzer()
        self._sorted_vocabulary: list[str] | None = None
        self._term_ids: dict[str, int] | None = None
        self._spellings: _Spellings | None = None
        self._close_cache: dict[tuple[str, float], list[tuple[int, float]]] = {}
        self._scratch = threading.local()
        # Each sentence's term ids in reading order (tokens[offsets[i]:offsets[i + 1]]), when known: the
        # ranking's word-order evidence reads them instead of analysing the sentence again.
        self._tokens: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def term_ids(self) -> dict[str, int]:
        """Term -> id, made on first use (a large vocabulary is loaded faster without it)."""
        if self._term_ids is None:
            self._term_ids = {term: i for i, term in enumerate(self.vocabulary)}
        return self._term_ids

    @property
    def postings(self) -> sp.csr_matrix:
        """The term-major weight matrix (terms x sentences) as a scipy matrix."""
        p = self._postings
        return sp.csr_matrix((p.data, p.indices, p.indptr), shape=(len(self.vocabulary), p.sentences))

    # -- building -------------------------------------------------------------------------------
    @classmethod
    def build(cls, texts: Sequence[str], settings: IndexSettings | None = None) -> "SentenceIndex":
        """Index the texts with the weights of the module docstring."""
        analyzer = Analyzer()
        ids: dict[str, int] = defaultdict()
        ids.default_factory = ids.__len__  # a new term gets the next id
        tokens = array("i")
        lengths = np.zeros(len(texts) + 1, np.int64)
        terms, lookup = analyzer.terms, ids.__getitem__
        for row, text in enumerate(texts, 1):
            found = terms(text)
            tokens.extend(map(lookup, found))
            lengths[row] = len(found)
        vocabulary = sorted(ids)  # alphabetical term ids, as scikit-learn numbers them
        renumber = np.zeros(len(ids), np.int32)
        renumber[np.fromiter(map(ids.__getitem__, vocabulary), np.int32, len(ids))] = np.arange(len(ids))
        del ids
        columns = renumber[np.frombuffer(tokens, np.int32)] if len(tokens) else np.zeros(0, np.int32)
        del tokens
        offsets = np.cumsum(lengths)
        counts = sp.csr_matrix((np.ones(len(columns), np.float32), columns.copy(), offsets),
                               shape=(len(texts), len(vocabulary)))
        counts.sum_duplicates()  # one entry per (sentence, term), data = tf, terms ascending
        idf = _weigh(counts, len(vocabulary))
        postings = counts.T.tocsr()
        del counts
        index = cls(vocabulary, idf, PostingArrays.of(postings), settings)
        index._tokens = (columns, offsets)
        index.analyzer = analyzer  # keep its warm stem cache
        return index

    def __len__(self) -> int:
        return self._postings.sentences

    def vectorize(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Sentence-side TF-IDF vectors of other texts (headlines) in this index's vocabulary."""
        rows, cols, vals = [], [], []
        term_ids = self.term_ids
        for row, text in enumerate(texts):
            counts: dict[int, int] = {}
            for term in self.analyzer.terms(text):
                tid = term_ids.get(term)
                if tid is not None:
                    counts[tid] = counts.get(tid, 0) + 1
            if not counts:
                continue
            ids = np.fromiter(counts, dtype=np.int64)
            w = (1 + np.log(np.fromiter(counts.values(), dtype=np.float32))) * self.idf[ids]
            w /= np.linalg.norm(w)
            rows.extend([row] * len(ids)), cols.extend(ids.tolist()), vals.extend(w.tolist())
        return sp.csr_matrix((np.asarray(vals, np.float32), (rows, cols)),
                             shape=(len(texts), len(self.vocabulary)))

    # -- questions ------------------------------------------------------------------------------
    def query(self, text: str) -> QueryTerms:
        """The weighted index terms of a question."""
        terms = self.analyzer.terms(text)
        counts: dict[str, int] = {}
        for term in terms:
            counts[term] = counts.get(term, 0) + 1
        weights: dict[int, float] = {}
        mass: dict[int, float] = {}
        total = 0.0  # the question's own idf mass: what full coverage means
        unknown_idf = math.log(len(self) + 1) + 1  # the idf a term found nowhere would have
        words = []
        settings = self.settings
        synonym_weight = settings.synonym_weight
        term_ids, idf, vocabulary = self.term_ids, self.idf, self.vocabulary
        group: dict[int, int] = {}
        for number, (term, count) in enumerate(counts.items()):
            tf = 1 + math.log(count)
            tid = term_ids.get(term)
            if tid is not None:
                term_idf = float(idf[tid])
                weights[tid] = weights.get(tid, 0) + tf * term_idf
                mass[tid] = mass.get(tid, 0) + term_idf
                words.append(term)
                # A rare word (a name) may be spelt another way elsewhere: Sheikhoun / Sheihkoun.
                if len(term) >= 6 and self._df(tid) <= settings.variant_max_df:
                    for cid, sim in self._close_terms(term, settings.variant_min_similarity):
                        if cid != tid and cid not in weights:
                            weights[cid] = tf * sim * settings.fuzzy_weight * float(idf[cid])
                            mass[cid] = sim * term_idf
                            words.append(vocabulary[cid])
            else:
                term_idf = unknown_idf
                close = self._close_terms(term, settings.fuzzy_min_similarity)
                for cid, sim in close:
                    weights[cid] = weights.get(cid, 0) + tf * sim * settings.fuzzy_weight * float(idf[cid])
                    # A guess at what was meant ("founded" -> "pound") counts for less coverage.
                    mass[cid] = mass.get(cid, 0) + sim * settings.fuzzy_coverage * term_idf / len(close)
                    words.append(vocabulary[cid])
            # A synonym or another form found in a sentence stands in for the question's word, at a
            # lower weight (and counts once for its word however many stand-ins a sentence holds).
            stand_ins = [sid for sid in map(term_ids.get, self.analyzer.synonyms(term) + self._related_terms(term))
                         if sid is not None and sid not in weights]
            for sid in stand_ins:
                weights[sid] = synonym_weight * float(idf[sid])
                mass[sid] = synonym_weight * term_idf
                words.append(vocabulary[sid])
            for tid_ in weights:
                group.setdefault(tid_, number)
            total += term_idf
        if not weights:
            empty = np.zeros(0, np.float32)
            return QueryTerms(np.zeros(0, np.int32), empty, empty, ())
        ids = np.fromiter(weights, dtype=np.int32, count=len(weights))
        w = np.fromiter(weights.values(), dtype=np.float32, count=len(weights))
        w /= np.linalg.norm(w)
        cov = np.fromiter((mass.get(i, 0.0) / total for i in weights), dtype=np.float32, count=len(weights))
        groups = np.fromiter((group[i] for i in weights), dtype=np.int32, count=len(weights))
        return QueryTerms(ids, w, cov, tuple(words), groups)

    def _related_terms(self, term: str) -> tuple[str, ...]:
        """Index terms sharing the term's first `related_prefix` letters (not the term itself)."""
        size = self.settings.related_prefix
        if len(term) < size or term.isdigit() or self.settings.related_max_terms <= 0:
            return ()
        if self._sorted_vocabulary is None:
            self._sorted_vocabulary = sorted(self.vocabulary)
        words, prefix = self._sorted_vocabulary, term[:size]
        found = []
        at = bisect.bisect_left(words, prefix)
        while at < len(words) and words[at].startswith(prefix) and len(found) < self.settings.related_max_terms:
            if words[at] != term:
                found.append(words[at])
            at += 1
        return tuple(found)

    def _df(self, term_id: int) -> int:
        indptr = self._postings.indptr
        return int(indptr[term_id + 1] - indptr[term_id])

    def _close_terms(self, term: str, min_similarity: float) -> list[tuple[int, float]]:
        """Index terms spelt like an unknown term ("mohamad" -> "mohammad"), best first."""
        if len(term) < 4 or term.isdigit() or not self.vocabulary:
            return []
        key = (term, min_similarity)
        found = self._close_cache.get(key)
        if found is None:
            if self._spellings is None:
                self._spellings = _Spellings(self.vocabulary)
            found = self._spellings.close(term, min_similarity, self.settings.fuzzy_max_terms + 1)
            if len(self._close_cache) >= 10_000:
                self._close_cache.clear()
            self._close_cache[key] = found
        return found

    # -- searching ------------------------------------------------------------------------------
    def scores(self, query: QueryTerms, within: tuple[int, int] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every sentence sharing a term with the query: (positions ascending, cosine scores, coverage).

        Coverage is the share of the question's idf mass the sentence contains (0..1).
        `within` limits the search to positions start <= p < end.
        """
        return self._walk(query, within, False)[:3]

    def scores_and_presence(self, query: QueryTerms, within: tuple[int, int] | None = None
                            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """`scores` and `presence(query, positions)` together, from one walk over the postings."""
        if len(query.ids) > 62:  # one bit per term in an int64
            positions, values, coverage = self.scores(query, within)
            return positions, values, coverage, self.presence(query, positions)
        return self._walk(query, within, True)

    def _walk(self, query: QueryTerms, within: tuple[int, int] | None, with_presence: bool):
        empty = np.zeros(0, np.float32)
        slices = self._slices(query, within)
        if not slices:
            return np.zeros(0, np.int32), empty, empty, np.zeros((0, len(query.ids)), np.float32)
        score, covered = self._accumulators()
        marks = self._marks() if with_presence else None
        found = []
        try:
            for column, ((a, b), weight, share) in enumerate(zip(slices, query.weights.tolist(),
                                                                 query.coverage.tolist())):
                if a == b:
                    continue
                at = self._postings.indices[a:b]
                found.append(at)  # before touching: whatever happens next, it is cleared
                score[at] += weight * self._postings.data[a:b]
                if marks is None:
                    covered[at] += share
                else:
                    marks[at] |= 1 << column
            positions = _union(found)
            values = score[positions]
            bits = marks[positions] if marks is not None else None
            coverage = covered[positions] if marks is None else None
        finally:
            for at in found:
                score[at] = 0
                if marks is None:
                    covered[at] = 0
                else:
                    marks[at] = 0
        present = None
        if bits is not None:
            present = ((bits[:, None] >> np.arange(len(query.ids), dtype=np.int64)) & 1).astype(np.float32)
            # The same additions, in the same term order, as the coverage accumulator makes.
            coverage = np.zeros(len(positions), np.float32)
            for column, share in enumerate(query.coverage.tolist()):
                coverage += present[:, column] * np.float32(share)
        return positions, values, coverage, present

    def walk(self, query: QueryTerms, within: tuple[int, int] | None = None) -> "Walk | None":
        """Every sentence sharing a term with the query, with the bit sets of the query ids that it and
        the sentences on either side hold (bit i: query.ids[i]); None when the query has more than
        62 ids. The cosine is the one `scores` gives."""
        if not query.fits_bits:
            return None
        slices = self._slices(query, within)
        if not slices:
            return Walk(np.zeros(0, np.int32), np.zeros(0, np.float32), *(np.zeros(0, np.int64),) * 3)
        score, _ = self._accumulators()
        marks = self._marks(len(query.ids))
        found = []
        try:
            for column, ((a, b), weight) in enumerate(zip(slices, query.weights.tolist())):
                if a == b:
                    continue
                at = self._postings.indices[a:b]
                found.append(at)  # before touching: whatever happens next, it is cleared
                score[at] += weight * self._postings.data[a:b]
                marks[at] |= 1 << column
            positions = _union(found)
            cosine = score[positions]
            bits = marks[positions]
            # Position - 1 of the first sentence is -1: the extra last mark, always 0; so is position + 1
            # of the last one.
            before = marks[positions - 1]
            after = marks[positions + 1]
        except BaseException:
            for at in found:
                score[at] = 0
                marks[at] = 0
            raise
        score[positions] = 0  # every sentence touched, at once
        marks[positions] = 0
        return Walk(positions, cosine, bits, before, after)

    def sentence_terms(self, positions: Sequence[int] | np.ndarray, as_ids: bool = False
                       ) -> list[list[str]] | list[list[int]] | None:
        """The index terms of the given sentences in reading order (what `analyzer.terms` gives for
        their texts; their term ids with `as_ids`), or None when this index was not built with them."""
        if self._tokens is None:
            return None
        tokens, offsets = self._tokens
        positions = np.asarray(positions, np.int64)
        starts = np.asarray(offsets[positions], np.int64)
        sizes = np.asarray(offsets[positions + 1], np.int64) - starts
        # All the sentences' tokens in one gather, then cut back into sentences.
        at = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(int(sizes.sum()), dtype=np.int64)
        lengths = sizes.tolist()
        vocabulary = self.vocabulary
        words = tokens[at].tolist()
        if not as_ids:
            words = [vocabulary[t] for t in words]
        out, start = [], 0
        for n in lengths:
            out.append(words[start:start + n])
            start += n
        return out

    def presence(self, query: QueryTerms, positions: np.ndarray) -> np.ndarray:
        """Which query terms each given sentence holds: a (positions x query terms) array of 0.0 / 1.0."""
        out = np.zeros((len(positions), len(query.ids)), np.float32)
        if not query or not len(positions):
            return out
        p = self._postings
        _, marks = self._accumulators()  # all zero between calls; marked and cleared one term at a time
        for column, (a, b) in enumerate(zip(p.indptr[query.ids].tolist(), p.indptr[query.ids + 1].tolist())):
            if a < b:
                held = p.indices[a:b]
                try:
                    marks[held] = 1
                    out[:, column] = marks[positions]
                finally:
                    marks[held] = 0
        return out

    def search(self, query: str, k: int = 10, within: tuple[int, int] | None = None) -> list[tuple[int, float]]:
        """The k best sentences for a question: (position, score), best first, positive scores only."""
        terms = self.query(query)
        slices = self._slices(terms, within)
        if k <= 0 or not slices:
            return []
        score, _ = self._accumulators()
        found = []
        try:
            for (a, b), weight in zip(slices, terms.weights.tolist()):
                if a == b:
                    continue
                at = self._postings.indices[a:b]
                found.append(at)  # before touching: whatever happens next, it is cleared
                score[at] += weight * self._postings.data[a:b]
            hits = np.concatenate(found)
            values = score[hits]
        finally:
            for at in found:
                score[at] = 0
        # A sentence occurs once per query term it contains, so the best k * terms entries hold the best k
        # sentences; entries tied with the last of them are kept so that ties break as in a full sort.
        enough = k * len(found)
        if len(values) > enough:
            cut = values[np.argpartition(values, len(values) - enough)[len(values) - enough]]
            keep = values >= cut
            hits, values = hits[keep], values[keep]
        order = np.lexsort((hits, -values))
        hits, values = hits[order], values[order]
        if len(found) > 1:  # a sentence's repeats carry its same full score, so they sort side by side
            first = np.ones(len(hits), bool)
            np.not_equal(hits[1:], hits[:-1], out=first[1:])
            hits, values = hits[first], values[first]
        hits, values = hits[:k], values[:k]
        return [(int(p), float(v)) for p, v in zip(hits.tolist(), values.tolist()) if v > 0]

    def _slices(self, query: QueryTerms, within: tuple[int, int] | None) -> list[tuple[int, int]]:
        """Where each query term's postings are (limited to `within`); [] when none holds a sentence."""
        if not query:
            return []
        p = self._postings
        starts, ends = p.indptr[query.ids].tolist(), p.indptr[query.ids + 1].tolist()
        if within is not None:
            lo, hi = within
            bounded = []
            for a, b in zip(starts, ends):
                positions = p.indices[a:b]
                bounded.append((a + int(np.searchsorted(positions, lo)), a + int(np.searchsorted(positions, hi))))
            slices = bounded
        else:
            slices = list(zip(starts, ends))
        return slices if any(a < b for a, b in slices) else []

    def _accumulators(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-thread score and coverage arrays over all sentences, all zero between queries."""
        scratch = self._scratch
        arrays = getattr(scratch, "arrays", None)
        if arrays is None:
            arrays = scratch.arrays = (np.zeros(len(self), np.float32), np.zeros(len(self), np.float32))
        return arrays

    def _marks(self, terms: int = 62) -> np.ndarray:
        """A per-thread array over all sentences, all zero between queries: which of up to `terms`
        query terms each holds, a bit a term. The narrowest that holds the bits: fewer bytes to touch
        at random in a large corpus."""
        dtype = np.uint16 if terms <= 16 else np.uint32 if terms <= 32 else np.int64
        arrays = getattr(self._scratch, "marks", None)
        if arrays is None:
            arrays = self._scratch.marks = {}
        marks = arrays.get(dtype)
        if marks is None:
            marks = arrays[dtype] = np.zeros(len(self) + 1, dtype)  # one past the end: 0
        return marks

    # -- saving ---------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        p = self._postings
        np.save(folder / "idf.npy", self.idf)
        np.save(folder / "postings_indptr.npy", np.asarray(p.indptr, np.int64))
        np.save(folder / "postings_indices.npy", np.asarray(p.indices, np.int32))
        np.save(folder / "postings_data.npy", np.asarray(p.data, np.float32))
        (folder / "vocabulary.txt").write_text("\n".join(self.vocabulary), encoding="utf-8")
        if self._tokens is not None:
            np.save(folder / "sentence_terms.npy", np.asarray(self._tokens[0], np.int32))
            np.save(folder / "sentence_terms_offsets.npy", np.asarray(self._tokens[1], np.int64))
        (folder / "index.json").write_text(json.dumps({
            "format": FORMAT_VERSION, "sentences": len(self), "terms": len(self.vocabulary),
            "tokens": self._tokens is not None,
        }), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, settings: IndexSettings | None = None) -> "SentenceIndex":
        """Load a saved index; its postings arrays are memory-mapped, not read."""
        meta = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError("index format version differs")

        def arr(name: str) -> np.ndarray:
            return mapped(folder / f"{name}.npy")

        text = (folder / "vocabulary.txt").read_text(encoding="utf-8")
        vocabulary = text.split("\n") if text else []
        postings = PostingArrays(arr("postings_indptr"), arr("postings_indices"), arr("postings_data"),
                                 int(meta["sentences"]))
        idf = np.array(arr("idf"))
        if idf.shape != (len(vocabulary),) or len(vocabulary) != meta.get("terms") \
                or postings.indptr.shape != (len(vocabulary) + 1,) \
                or postings.indices.shape != postings.data.shape \
                or int(postings.indptr[-1]) != len(postings.indices):
            raise ValueError("index arrays do not match")
        # Out-of-range positions would be read as memory, not raise: check them once, here.
        n = int(meta["sentences"])
        if len(postings.indices) and (int(postings.indices.min()) < 0 or int(postings.indices.max()) >= n) \
                or int(postings.indptr[0]) != 0 or np.any(np.diff(postings.indptr) < 0):
            raise ValueError("index arrays are out of range")
        index = cls(vocabulary, idf, postings, settings)
        if meta.get("tokens"):
            tokens, offsets = arr("sentence_terms"), arr("sentence_terms_offsets")
            if offsets.shape != (len(index) + 1,) or int(offsets[-1]) != len(tokens):
                raise ValueError("index arrays do not match")
            index._tokens = (tokens, offsets)
        return index


@dataclass(frozen=True)
class PostingArrays:
    """A term-major CSR matrix as its three arrays (int64 indptr, int32 indices, float32 data)."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    sentences: int

    @classmethod
    def of(cls, matrix: sp.spmatrix) -> "PostingArrays":
        matrix = sp.csr_matrix(matrix, dtype=np.float32)
        matrix.sum_duplicates()  # also sorts each term's positions
        return cls(matrix.indptr.astype(np.int64, copy=False), matrix.indices.astype(np.int32, copy=False),
                   matrix.data.astype(np.float32, copy=False), matrix.shape[1])


class _Spellings:
    """Close spellings through a deletion index: each term is listed under itself and under every string
    one deletion away from it (hashed).

    A question's word looks up itself, its one-deletion strings and, when the similarity asked for
    allows two edits, its two-deletion strings. Two words one edit apart (an insertion, deletion,
    substitution or swap of neighbours) always meet under a shared string, and so do most pairs two
    edits apart; the edit distance then decides.
    """

    def __init__(self, vocabulary: list[str]):
        self.vocabulary = vocabulary
        keys: list[int] = []
        owners: list[int] = []
        for tid, term in enumerate(vocabulary):
            if len(term) < 3:  # questions' words have at least 4 letters, and 0.7 * 4 > 2
                continue
            variants = {term, *(term[:i] + term[i + 1:] for i in range(len(term)))}
            keys.extend(map(hash, variants))
            owners.extend([tid] * len(variants))
        order = np.argsort(np.asarray(keys, np.int64), kind="stable")
        self.keys = np.asarray(keys, np.int64)[order]
        self.owners = np.asarray(owners, np.int32)[order]

    def close(self, term: str, min_similarity: float, limit: int) -> list[tuple[int, float]]:
        """Terms with 1 - distance / longer length >= min_similarity: most similar first, then alphabetical."""
        longest = math.floor(len(term) / min_similarity + 1e-9)  # no longer term can be similar enough
        edits = math.floor((1 - min_similarity) * longest + 1e-9)
        variants = {term, *(term[:i] + term[i + 1:] for i in range(len(term)))}
        if edits >= 2:
            variants.update(v[:i] + v[i + 1:] for v in list(variants) for i in range(len(v)))
        hashes = np.fromiter(map(hash, variants), np.int64, len(variants))
        lo = np.searchsorted(self.keys, hashes, "left")
        hi = np.searchsorted(self.keys, hashes, "right")
        found = [self.owners[a:b] for a, b in zip(lo.tolist(), hi.tolist()) if a < b]
        if not found:
            return []
        out = []
        for tid in _union(found).tolist():
            candidate = self.vocabulary[tid]
            bigger = max(len(term), len(candidate))
            allowed = math.floor((1 - min_similarity) * bigger + 1e-9)
            if abs(len(candidate) - len(term)) > allowed:
                continue
            similarity = 1 - edit_distance(term, candidate) / bigger
            if similarity >= min_similarity:
                out.append((tid, similarity))
        out.sort(key=lambda pair: -pair[1])  # stable: alphabetical among equals
        return out[:limit]


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def _term_major(matrix: sp.spmatrix) -> sp.csr_matrix:
    postings = sp.csr_matrix(matrix.T, dtype=np.float32)
    postings.sort_indices()
    postings.indices = postings.indices.astype(np.int32, copy=False)
    postings.indptr = postings.indptr.astype(np.int64, copy=False)
    return postings


def _weigh(counts: sp.csr_matrix, terms: int, block: int = 65_536) -> np.ndarray:
    """Turn term counts (sentences x terms, float32) into the module docstring's weights, in place;
    returns the idf.

    In float32 and in scikit-learn's order of operations (squares summed in float64 per sentence), so
    the weights are the bits its TfidfVectorizer gives; a block of sentences at a time, to keep the
    float64 temporaries small.
    """
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=terms).astype(np.float32)
    idf = np.log(np.float32(n + 1) / (df + np.float32(1))) + np.float32(1)
    data, indptr = counts.data, counts.indptr
    for first in range(0, n, block):
        last = min(first + block, n)
        a, b = int(indptr[first]), int(indptr[last])
        part = data[a:b]
        np.log(part, out=part)
        part += np.float32(1)
        part *= idf[counts.indices[a:b]]
        rows = np.repeat(np.arange(last - first, dtype=np.int32), np.diff(indptr[first:last + 1]))
        norms = np.sqrt(np.bincount(rows, (part * part).astype(np.float64), minlength=last - first))
        part[:] = part / norms[rows]
    return idf


def _union(arrays: list[np.ndarray]) -> np.ndarray:
    """The distinct values of some ascending arrays, ascending (a sort beats np.unique's hashing here)."""
    if len(arrays) == 1:
        return np.array(arrays[0])
    merged = np.sort(np.concatenate(arrays))
    keep = np.empty(len(merged), bool)
    keep[:1] = True
    np.not_equal(merged[1:], merged[:-1], out=keep[1:])
    return merged[keep]


def _top_k(values: np.ndarray, k: int) -> np.ndarray:
    """Indexes of the k largest values, largest first (ties: lower index first, also for which of
    the values tied with the k-th are taken)."""
    if len(values) > k:
        negated = -values
        kth = np.partition(negated, k - 1)[k - 1]
        above = np.flatnonzero(negated < kth)
        part = np.concatenate([above, np.flatnonzero(negated == kth)[:k - len(above)]])
    else:
        part = np.arange(len(values))
    return part[np.lexsort((part, -values[part]))]
