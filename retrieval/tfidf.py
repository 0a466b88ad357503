"""The learned TF-IDF state of a list of sentences (vocabulary, idf, weights): build it, save and load it, search it.

The weights are scikit-learn's ``TfidfTransformer(sublinear_tf=True, smooth_idf=True)``, learned from
the term counts that this index's own analyzer makes (``text.py``) by the same sums in numpy::

    idf(t)    = ln((1 + N) / (1 + df(t))) + 1          # N sentences, df(t) of them contain t
    w(t, s)   = (1 + ln tf(t, s)) * idf(t),  then each sentence's vector is scaled to length 1
    q(t)      = (1 + ln tf(t, q)) * idf(t)             # question terms, and stand-ins (query.py)
    score(s)  = q . w(s) / |q|                         # cosine similarity, in (0, 1]

The idf never reaches zero, so a term found in every sentence of a one-article corpus still counts
(DrQA's ``log((N - Nt + 0.5) / (Nt + 0.5))`` goes negative there). The idf is learned and the count
matrix weighed in place (float32); the index counts the terms itself (its analyzer, in one
pass, faster than a vectorizer's), keeps the weights term-major as three plain arrays (each term's
postings: sentence positions and weights, memory-mapped when loaded) and walks them itself (walk.py).
A query with no index terms finds nothing: ``search`` returns an empty list.
"""

from __future__ import annotations

import importlib
import json
import sys
import threading
import types
from array import array
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from typing import TYPE_CHECKING

import numpy as np

from .query import IndexSettings, Lexicon, QueryTerms, ReadsByLexicon, question_terms
from .store import mapped
from .text import Analyzer
from .walk import Walk, Walker

if TYPE_CHECKING:  # scipy is imported where an index is built, never to answer from a saved one
    import scipy.sparse as sp

FORMAT_VERSION = 3


@dataclass(frozen=True)
class PostingArrays:
    """A term-major CSR matrix as its three arrays (int64 indptr, int32 indices, float32 data)."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    sentences: int

    @classmethod
    def of(cls, matrix: sp.spmatrix) -> "PostingArrays":
        import scipy.sparse as sp

        matrix = sp.csr_matrix(matrix, dtype=np.float32)
        matrix.sum_duplicates()  # also sorts each term's positions
        return cls(matrix.indptr.astype(np.int64, copy=False), matrix.indices.astype(np.int32, copy=False),
                   matrix.data.astype(np.float32, copy=False), matrix.shape[1])


class SentenceIndex(ReadsByLexicon):
    """TF-IDF over a fixed list of sentences; positions are indexes into that list."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray, postings: sp.csr_matrix | PostingArrays,
                 settings: IndexSettings | None = None, analyzer: Analyzer | None = None):
        self.vocabulary = vocabulary
        self.idf = np.asarray(idf, dtype=np.float32)
        # Term-major: the postings of term t are positions indices[indptr[t]:indptr[t+1]] (ascending)
        # with their weights w(t, s) in data. Kept as plain arrays, which may be memory-mapped.
        self._postings = postings if isinstance(postings, PostingArrays) else PostingArrays.of(postings)
        self.analyzer = analyzer or Analyzer()
        self.lexicon = Lexicon(vocabulary, self.idf, self._postings.indptr, self._postings.sentences,
                               self.analyzer, settings or IndexSettings())
        self.walker = Walker(self._postings)
        # Each sentence's term ids in reading order (tokens[offsets[i]:offsets[i + 1]]), when known: the
        # ranking's word-order evidence reads them instead of analysing the sentence again.
        self._tokens: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def postings(self) -> sp.csr_matrix:
        """The term-major weight matrix (terms x sentences) as a scipy matrix."""
        import scipy.sparse as sp

        p = self._postings
        return sp.csr_matrix((p.data, p.indices, p.indptr), shape=(len(self.vocabulary), p.sentences))

    def __len__(self) -> int:
        return self._postings.sentences

    # -- learning -------------------------------------------------------------------------------
    @classmethod
    def build(cls, texts: Sequence[str], settings: IndexSettings | None = None) -> "SentenceIndex":
        """Count the texts' terms, then learn the module docstring's weights with scikit-learn."""
        analyzer = Analyzer()
        terms, tokens, offsets = analyse(texts, analyzer)
        return cls.from_term_ids(terms, tokens, offsets, settings, analyzer)

    @classmethod
    def from_term_ids(cls, terms: Sequence[str], tokens: np.ndarray, offsets: np.ndarray,
                      settings: IndexSettings | None = None, analyzer: Analyzer | None = None) -> "SentenceIndex":
        """The index of sentences given as term ids (sentence i: tokens[offsets[i]:offsets[i + 1]], ids
        into `terms`). Terms no sentence uses are left out, so the result is what `build` makes from
        the texts themselves, whatever else `terms` holds."""
        import scipy.sparse as sp

        tokens = np.asarray(tokens, np.int32)
        offsets = np.asarray(offsets, np.int64)
        used = np.zeros(len(terms), bool)
        used[tokens] = True
        ids = np.flatnonzero(used)
        order = sorted(range(len(ids)), key=[terms[i] for i in ids].__getitem__)
        vocabulary = [terms[ids[i]] for i in order]  # alphabetical term ids, as scikit-learn numbers them
        renumber = np.zeros(len(terms), np.int32)
        renumber[ids[np.asarray(order, np.int64)]] = np.arange(len(ids), dtype=np.int32)
        columns = renumber[tokens] if len(tokens) else np.zeros(0, np.int32)
        counts = sp.csr_matrix((np.ones(len(columns), np.float32), columns.copy(), offsets),
                               shape=(len(offsets) - 1, len(vocabulary)))
        counts.sum_duplicates()  # one entry per (sentence, term), data = tf, terms ascending
        idf, weights = _learn_weights(counts)
        del counts
        postings = PostingArrays.of(weights.T)
        del weights
        index = cls(vocabulary, idf, postings, settings, analyzer)  # the analyzer's stem cache is warm
        index._tokens = (columns, offsets)
        return index

    def term_counts(self, group_of: np.ndarray, groups: int) -> sp.csr_matrix:
        """Term counts (groups x terms) of the sentences summed by group (`group_of[s]` of sentence s),
        from the stored terms when there are any, else by analysing nothing (all zero)."""
        import scipy.sparse as sp

        if self._tokens is None:
            return sp.csr_matrix((groups, len(self.vocabulary)), dtype=np.float32)
        tokens, offsets = self._tokens
        group_of = np.asarray(group_of)
        offsets = np.asarray(offsets, np.int64)
        if len(group_of) == 0 or np.all(group_of[1:] >= group_of[:-1]):
            # Groups of consecutive sentences (articles): each group's terms are one run of the tokens,
            # so the matrix is made as CSR straight away, without (row, column) pairs of int64.
            indptr = offsets[np.searchsorted(group_of, np.arange(groups + 1), "left")]
            counts = sp.csr_matrix((np.ones(len(tokens), np.float32), np.array(tokens, np.int32), indptr),
                                   shape=(groups, len(self.vocabulary)))
            counts.sum_duplicates()
            return counts
        sizes = np.diff(offsets)
        rows = np.repeat(group_of.astype(np.int64), sizes)
        return sp.csr_matrix((np.ones(len(rows), np.float32), (rows, np.asarray(tokens, np.int64))),
                             shape=(groups, len(self.vocabulary)))

    def vectorize(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Sentence-side TF-IDF vectors of other texts (headlines) in this index's vocabulary."""
        import scipy.sparse as sp

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
        """The weighted index terms of a question (query.py)."""
        return question_terms(text, self.lexicon)

    def search(self, query: str, k: int = 10, within: tuple[int, int] | None = None) -> list[tuple[int, float]]:
        """The k best sentences for a question by cosine: (position, score), best first, positive only.
        `within` limits the search to positions start <= p < end."""
        return self.walker.best(self.query(query), k, within)

    def walk(self, query: QueryTerms, within: tuple[int, int] | None = None) -> Walk:
        """Every sentence sharing a term with the query, with its cosine and the bit sets of the query
        ids that it and the sentences on either side hold (walk.py)."""
        return self.walker.walk(query, within)

    def scores(self, query: QueryTerms, within: tuple[int, int] | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every sentence sharing a term with the query: (positions ascending, cosine scores, the
        summed coverage share of the query terms each holds, 0..1)."""
        walked = self.walk(query, within)
        return walked.positions, walked.cosine, query.bits.share(walked.bits)

    def term_run(self, start: int, end: int) -> np.ndarray | None:
        """The term ids of sentences start..end-1 as one array, in reading order (an article's, when it
        is those), or None when this index was not built with them."""
        if self._tokens is None:
            return None
        tokens, offsets = self._tokens
        return np.asarray(tokens[int(offsets[start]):int(offsets[end])], np.int64)

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
        words = tokens[at].tolist()
        if not as_ids:
            vocabulary = self.vocabulary
            words = [vocabulary[t] for t in words]
        out, start = [], 0
        for n in sizes.tolist():
            out.append(words[start:start + n])
            start += n
        return out

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


def analyse(texts: Sequence[str], analyzer: Analyzer, ids: dict[str, int] | None = None
            ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Each text's index terms as ids: (terms by id, int32 ids of every text in order, int64 offsets where
    each text's ids start, plus the end). `ids` (term -> id) is extended in place when given, so texts
    analysed at different times share one numbering."""
    if ids is None:
        ids = {}
    numbered: dict[str, int] = defaultdict(None, ids)
    numbered.default_factory = numbered.__len__  # a new term gets the next id
    tokens = array("i")
    lengths = np.zeros(len(texts) + 1, np.int64)
    terms, lookup = analyzer.terms, numbered.__getitem__
    for row, text in enumerate(texts, 1):
        found = terms(text)
        tokens.extend(map(lookup, found))
        lengths[row] = len(found)
    ids.update(numbered)
    by_id = [""] * len(ids)
    for term, number in ids.items():
        by_id[number] = term
    return by_id, np.frombuffer(tokens, np.int32).copy(), np.cumsum(lengths)


class _Deferred(types.ModuleType):
    """A module that is imported when something is first read from it (then it is the real one)."""

    def __getattr__(self, name: str):
        with _IMPORTING:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


_IMPORTING = threading.Lock()


def _import_transformer() -> type:
    """scikit-learn's TfidfTransformer, imported without SciPy's statistics.

    scikit-learn imports `scipy.stats` with its utilities (sklearn.utils.fixes) and reads it only
    inside functions the TfidfTransformer never calls; importing it costs about 20 MB and half a
    second here (a third of importing scikit-learn). So, unless it is imported already, it is left
    a `_Deferred` module until something reads from it, which then imports it as usual."""
    with _IMPORTING:
        if "scipy.stats" not in sys.modules:
            sys.modules["scipy.stats"] = _Deferred("scipy.stats")
    from sklearn.feature_extraction.text import TfidfTransformer

    return TfidfTransformer


def import_learning() -> threading.Thread:
    """Start importing scikit-learn's TfidfTransformer in a thread (a build waiting for its workers
    can do so meanwhile); join the thread before forking any process."""
    thread = threading.Thread(target=_import_transformer, name="import scikit-learn", daemon=True)
    thread.start()
    return thread


def _learn_weights(counts: sp.csr_matrix) -> tuple[np.ndarray, sp.csr_matrix]:
    """(idf, weights) learned by scikit-learn's ``TfidfTransformer(sublinear_tf=True, smooth_idf=True)``
    from term counts (sentences x terms, float32), which it turns into the weights in place."""
    if not counts.shape[1]:  # no sentence holds a term: nothing to learn (scikit-learn would refuse)
        return np.zeros(0, np.float32), counts
    # Imported here, not with the module: answering never needs it, and its import costs more than a
    # warm-cache `ask` takes to answer.
    tfidf = _import_transformer()(sublinear_tf=True, smooth_idf=True)
    return tfidf.fit(counts).idf_, tfidf.transform(counts, copy=False)
