"""The one walk over a question's postings: each sentence sharing a term, its cosine and which terms it holds.

DrQA's way: only sentences that share a term with the question are touched. Each query term's
postings (sentence positions and weights, see `tfidf.py`) are added, one vectorised step a term, into a
per-thread score array; with `mark`, the term's bit (see `bits.py`) is or-ed into a per-thread marks
array too. The reader takes what it needs while the walk is open; on leaving, exactly what was
touched is zeroed again, so a question costs time in proportion to the postings it walks, not to the
corpus, and leaves no trace in the next one, whatever happens in between.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

import numpy as np

from .bits import bits_dtype

if TYPE_CHECKING:
    from .query import QueryTerms
    from .tfidf import PostingArrays


@dataclass(frozen=True)
class Walk:
    """Every sentence sharing a term with a query; rows align with positions."""

    positions: np.ndarray  # ascending
    cosine: np.ndarray
    bits: np.ndarray  # which query ids each sentence holds (bit i: query.ids[i])
    before: np.ndarray  # ... the sentence at position - 1 holds (any article)
    after: np.ndarray  # ... the sentence at position + 1 holds


class Touched:
    """The open walk: the postings slices it added (`found`), the score and marks arrays, and the
    positions it touched (ascending, distinct; worked out on first use)."""

    def __init__(self, found: list[np.ndarray], score: np.ndarray, marks: np.ndarray | None):
        self.found, self.score, self.marks = found, score, marks
        self._positions: np.ndarray | None = None

    @property
    def positions(self) -> np.ndarray:
        if self._positions is None:
            self._positions = union(self.found)
        return self._positions


class Walker:
    """Walks one index's postings; holds the per-thread arrays the walks add into."""

    def __init__(self, postings: "PostingArrays"):
        self.postings = postings
        self._scratch = threading.local()

    @contextmanager
    def walking(self, query: "QueryTerms", within: tuple[int, int] | None = None,
                mark: bool = True) -> Iterator[Touched | None]:
        """Add up the query's postings (limited to positions within [start, end)); None when no
        posting is left. The arrays are zeroed where touched when the block ends."""
        slices = self._slices(query, within)
        if not slices:
            yield None
            return
        p = self.postings
        score = self._score()
        marks = self._marks(len(query.ids)) if mark else None
        touched = Touched([], score, marks)
        try:
            for column, ((a, b), weight) in enumerate(zip(slices, query.weights.tolist())):
                if a == b:
                    continue
                at = p.indices[a:b]
                touched.found.append(at)  # before adding: whatever happens next, it is cleared
                score[at] += weight * p.data[a:b]
                if marks is not None:
                    marks[at] |= 1 << column
            yield touched
        finally:
            # Every touched sentence at once when the positions are known, else term by term.
            for at in [touched._positions] if touched._positions is not None else touched.found:
                score[at] = 0
                if marks is not None:
                    marks[at] = 0

    def walk(self, query: "QueryTerms", within: tuple[int, int] | None = None) -> Walk:
        """Every sentence sharing a term with the query, its cosine, and the bit sets of the query
        ids that it and the sentences on either side hold."""
        with self.walking(query, within) as touched:
            if touched is None:
                return Walk(np.zeros(0, np.int32), np.zeros(0, np.float32), *(np.zeros(0, np.int64),) * 3)
            positions, marks = touched.positions, touched.marks
            bits = marks[positions]
            cosine = touched.score[positions]
        # Only a touched sentence has a mark, and the positions are ascending and distinct: the sentence
        # at position - 1 holds a query id only when it is the previous entry (no gather needed).
        follows = positions[1:] == positions[:-1] + 1
        before, after = np.zeros_like(bits), np.zeros_like(bits)
        np.copyto(before[1:], bits[:-1], where=follows)
        np.copyto(after[:-1], bits[1:], where=follows)
        return Walk(positions, cosine, bits, before, after)

    def best(self, query: "QueryTerms", k: int, within: tuple[int, int] | None = None) -> list[tuple[int, float]]:
        """The k sentences of highest cosine: (position, cosine), best first, positive only."""
        if k <= 0:
            return []
        with self.walking(query, within, mark=False) as touched:
            if touched is None:
                return []
            hits = np.concatenate(touched.found)  # a sentence once per query term it holds
            values = touched.score[hits]
            terms = len(touched.found)
        # The best k * terms entries hold the best k sentences (no sort of all positions needed);
        # entries tied with the last of them are kept so that ties break as in a full sort.
        enough = k * terms
        if len(values) > enough:
            cut = values[np.argpartition(values, len(values) - enough)[len(values) - enough]]
            keep = values >= cut
            hits, values = hits[keep], values[keep]
        order = np.lexsort((hits, -values))
        hits, values = hits[order], values[order]
        if terms > 1:  # a sentence's repeats carry its same full score, so they sort side by side
            first = np.ones(len(hits), bool)
            np.not_equal(hits[1:], hits[:-1], out=first[1:])
            hits, values = hits[first], values[first]
        hits, values = hits[:k], values[:k]
        return [(int(p), float(v)) for p, v in zip(hits.tolist(), values.tolist()) if v > 0]

    def _slices(self, query: "QueryTerms", within: tuple[int, int] | None) -> list[tuple[int, int]]:
        """Where each query term's postings are (limited to `within`); [] when none holds a sentence."""
        if not query:
            return []
        p = self.postings
        starts, ends = p.indptr[query.ids].tolist(), p.indptr[query.ids + 1].tolist()
        if within is None:
            slices = list(zip(starts, ends))
        else:
            lo, hi = within
            slices = []
            for a, b in zip(starts, ends):
                positions = p.indices[a:b]
                slices.append((a + int(np.searchsorted(positions, lo)), a + int(np.searchsorted(positions, hi))))
        return slices if any(a < b for a, b in slices) else []

    def _score(self) -> np.ndarray:
        """This thread's score array over all sentences, all zero between walks."""
        score = getattr(self._scratch, "score", None)
        if score is None:
            score = self._scratch.score = np.zeros(self.postings.sentences, np.float32)
        return score

    def _marks(self, terms: int) -> np.ndarray:
        """This thread's marks array for `terms` ids (the narrowest that holds their bits), one past
        the end too (always 0); all zero between walks."""
        dtype = bits_dtype(terms)
        arrays = getattr(self._scratch, "marks", None)
        if arrays is None:
            arrays = self._scratch.marks = {}
        marks = arrays.get(dtype)
        if marks is None:
            marks = arrays[dtype] = np.zeros(self.postings.sentences + 1, dtype)
        return marks


def union(arrays: list[np.ndarray]) -> np.ndarray:
    """The distinct values of some ascending arrays, ascending (a sort beats np.unique's hashing here)."""
    if len(arrays) == 1:
        return np.array(arrays[0])
    merged = np.sort(np.concatenate(arrays))
    keep = np.empty(len(merged), bool)
    keep[:1] = True
    np.not_equal(merged[1:], merged[:-1], out=keep[1:])
    return merged[keep]


def top_k(values: np.ndarray, k: int) -> np.ndarray:
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
