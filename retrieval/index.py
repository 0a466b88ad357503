"""A TF-IDF index over sentences: build it, save and load it as plain arrays, search it.

Weights, as scikit-learn computes them with ``sublinear_tf=True, smooth_idf=True``::

    idf(t)    = ln((1 + N) / (1 + df(t))) + 1          # N sentences, df(t) of them contain t
    w(t, s)   = (1 + ln tf(t, s)) * idf(t),  then each sentence's vector is scaled to length 1
    q(t)      = (1 + ln tf(t, q)) * idf(t)             # question terms; synonyms, other forms and close
                                                       # spellings of unknown words at lower weight
    score(s)  = q . w(s) / |q|                         # cosine similarity, in (0, 1]

The idf never reaches zero, so a term found in every sentence of a one-article corpus still counts
(DrQA's ``log((N - Nt + 0.5) / (Nt + 0.5))`` goes negative there). Only sentences that share a term
with the question are scored: the question's rows of the term-major matrix are multiplied out,
DrQA's way, and the top k picked with a partial sort.

A query with no index terms (empty, only stop words, only unknown words with no close spelling)
finds nothing: ``search`` returns an empty list.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from .text import Analyzer

FORMAT_VERSION = 1


@dataclass(frozen=True)
class IndexSettings:
    """How questions are turned into weighted terms."""

    synonym_weight: float = 0.5
    # Unknown question words are matched to index terms spelt alike (1 - edit distance / length at
    # least this), at weight `similarity * fuzzy_weight`.
    fuzzy_min_similarity: float = 0.7
    fuzzy_weight: float = 0.9
    fuzzy_max_terms: int = 2
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

    def __bool__(self) -> bool:
        return bool(len(self.ids))


class SentenceIndex:
    """TF-IDF over a fixed list of sentences; positions are indexes into that list."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray, postings: sp.csr_matrix,
                 settings: IndexSettings | None = None):
        self.settings = settings or IndexSettings()
        self.vocabulary = vocabulary
        self.term_ids = {term: i for i, term in enumerate(vocabulary)}
        self.idf = idf.astype(np.float32, copy=False)
        # Term-major: row t lists the sentences containing term t and their weights.
        self.postings = postings
        self.analyzer = Analyzer()
        self._trigrams: tuple[TfidfVectorizer, sp.csr_matrix] | None = None
        self._sorted_vocabulary: list[str] | None = None

    # -- building -------------------------------------------------------------------------------
    @classmethod
    def build(cls, texts: Sequence[str], settings: IndexSettings | None = None) -> "SentenceIndex":
        analyzer = Analyzer()
        vectorizer = TfidfVectorizer(analyzer=analyzer.terms, sublinear_tf=True, smooth_idf=True,
                                     norm="l2", dtype=np.float32)
        try:
            matrix = vectorizer.fit_transform(texts)
            vocabulary = vectorizer.get_feature_names_out().tolist()
            idf = vectorizer.idf_
        except ValueError:  # no sentence has a single index term
            matrix, vocabulary, idf = sp.csr_matrix((len(texts), 0), dtype=np.float32), [], np.zeros(0)
        index = cls(vocabulary, np.asarray(idf), _term_major(matrix), settings)
        index.analyzer = analyzer  # keep its warm stem cache
        return index

    def __len__(self) -> int:
        return self.postings.shape[1]

    def vectorize(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Sentence-side TF-IDF vectors of other texts (headlines) in this index's vocabulary."""
        rows, cols, vals = [], [], []
        for row, text in enumerate(texts):
            counts: dict[int, int] = {}
            for term in self.analyzer.terms(text):
                tid = self.term_ids.get(term)
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
        unknown_idf = float(np.log(len(self) + 1) + 1)  # the idf a term found nowhere would have
        words = []
        synonym_weight = self.settings.synonym_weight
        for term, count in counts.items():
            tf = 1 + np.log(count)
            tid = self.term_ids.get(term)
            if tid is not None:
                term_idf = float(self.idf[tid])
                weights[tid] = weights.get(tid, 0) + tf * term_idf
                mass[tid] = mass.get(tid, 0) + term_idf
                words.append(term)
                # A rare word (a name) may be spelt another way elsewhere: Sheikhoun / Sheihkoun.
                if len(term) >= 6 and self._df(tid) <= self.settings.variant_max_df:
                    for cid, sim in self._close_terms(term, self.settings.variant_min_similarity):
                        if cid != tid and cid not in weights:
                            weights[cid] = tf * sim * self.settings.fuzzy_weight * self.idf[cid]
                            mass[cid] = sim * term_idf
                            words.append(self.vocabulary[cid])
            else:
                term_idf = unknown_idf
                close = self._close_terms(term, self.settings.fuzzy_min_similarity)
                for cid, sim in close:
                    weights[cid] = weights.get(cid, 0) + tf * sim * self.settings.fuzzy_weight * self.idf[cid]
                    mass[cid] = mass.get(cid, 0) + sim * term_idf / len(close)
                    words.append(self.vocabulary[cid])
            # A synonym or another form found in a sentence stands in for the question's word, at a
            # lower weight.
            for syn in self.analyzer.synonyms(term) + self._related_terms(term):
                sid = self.term_ids.get(syn)
                if sid is not None and sid not in weights:
                    weights[sid] = synonym_weight * self.idf[sid]
                    mass[sid] = synonym_weight * term_idf
                    words.append(syn)
            total += term_idf
        if not weights:
            empty = np.zeros(0, np.float32)
            return QueryTerms(np.zeros(0, np.int32), empty, empty, ())
        ids = np.fromiter(weights, dtype=np.int32)
        w = np.fromiter(weights.values(), dtype=np.float32)
        w /= np.linalg.norm(w)
        cov = np.array([mass.get(i, 0.0) / total for i in ids.tolist()], dtype=np.float32)
        return QueryTerms(ids, w, cov, tuple(words))

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
        return int(self.postings.indptr[term_id + 1] - self.postings.indptr[term_id])

    def _close_terms(self, term: str, min_similarity: float) -> list[tuple[int, float]]:
        """Index terms spelt like an unknown term ("mohamad" -> "mohammad"), best first."""
        if len(term) < 4 or term.isdigit() or not self.vocabulary:
            return []
        if self._trigrams is None:
            grams = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), dtype=np.float32)
            self._trigrams = (grams, grams.fit_transform(self.vocabulary).T.tocsr())
        grams, matrix = self._trigrams
        sims = (grams.transform([term]) @ matrix).tocsr()
        if not sims.nnz:
            return []
        # Trigrams find the candidates; an edit distance that counts a swap of two letters as one
        # slip ("Sheihkoun") decides.
        shortlist = np.argsort(-sims.data)[:8]
        found = []
        for i in shortlist:
            candidate = self.vocabulary[sims.indices[i]]
            similarity = 1 - edit_distance(term, candidate) / max(len(term), len(candidate))
            if similarity >= min_similarity:
                found.append((int(sims.indices[i]), similarity))
        found.sort(key=lambda pair: -pair[1])
        return found[: self.settings.fuzzy_max_terms + 1]

    # -- searching ------------------------------------------------------------------------------
    def scores(self, query: QueryTerms, within: tuple[int, int] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every sentence sharing a term with the query: (positions, cosine scores, coverage).

        Coverage is the share of the question's idf mass the sentence contains (0..1).
        `within` limits the search to positions start <= p < end.
        """
        if not query:
            empty = np.zeros(0, np.float32)
            return np.zeros(0, np.int32), empty, empty
        rows = self.postings[query.ids]
        if within is not None:
            rows = rows[:, within[0]:within[1]]
        scored = (sp.csr_matrix(query.weights[None, :]) @ rows).tocsr()
        binary = rows.copy()
        binary.data[:] = 1
        covered = (sp.csr_matrix(query.coverage[None, :]) @ binary).toarray().ravel() if scored.nnz else None
        positions = scored.indices.astype(np.int32)
        values = scored.data.astype(np.float32)
        coverage = covered[positions].astype(np.float32) if covered is not None else values
        if within is not None:
            positions = positions + within[0]
        return positions, values, coverage

    def presence(self, query: QueryTerms, positions: np.ndarray) -> np.ndarray:
        """Which query terms each given sentence holds: a (positions x query terms) array of 0.0 / 1.0."""
        if not query or not len(positions):
            return np.zeros((len(positions), len(query.ids)), np.float32)
        rows = self.postings[query.ids][:, positions]
        return (rows.T.toarray() != 0).astype(np.float32)

    def search(self, query: str, k: int = 10, within: tuple[int, int] | None = None) -> list[tuple[int, float]]:
        """The k best sentences for a question: (position, score), best first, positive scores only."""
        positions, values, _ = self.scores(self.query(query), within)
        if k <= 0 or not len(values):
            return []
        top = _top_k(values, k)
        return [(int(positions[i]), float(values[i])) for i in top if values[i] > 0]

    # -- saving ---------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "idf.npy", self.idf)
        np.save(folder / "postings_indptr.npy", self.postings.indptr)
        np.save(folder / "postings_indices.npy", self.postings.indices)
        np.save(folder / "postings_data.npy", self.postings.data)
        (folder / "index.json").write_text(json.dumps({
            "format": FORMAT_VERSION, "sentences": len(self), "vocabulary": self.vocabulary,
        }), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, settings: IndexSettings | None = None) -> "SentenceIndex":
        meta = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError("index format version differs")

        def arr(name: str) -> np.ndarray:
            return np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)

        vocabulary = meta["vocabulary"]
        postings = sp.csr_matrix((arr("postings_data"), arr("postings_indices"), arr("postings_indptr")),
                                 shape=(len(vocabulary), int(meta["sentences"])))
        idf = np.array(arr("idf"))
        if idf.shape != (len(vocabulary),):
            raise ValueError("index arrays do not match")
        return cls(vocabulary, idf, postings, settings)


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


def _top_k(values: np.ndarray, k: int) -> np.ndarray:
    """Indexes of the k largest values, largest first (ties: lower index first)."""
    if len(values) > k:
        part = np.argpartition(-values, k - 1)[:k]
    else:
        part = np.arange(len(values))
    return part[np.lexsort((part, -values[part]))]
