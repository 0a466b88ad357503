"""Article-level evidence: one BM25 vector per article (headline, lede and body as one document), scored per question.

DrQA ranks documents before paragraphs; here the article's score is one more piece of a sentence's
evidence (ranking.py), so a sentence in the article that is about the question outranks a sentence
that repeats the question's words in an article about something else. Learned at build time::

    idf_a(t)   = ln(1 + (A - df_a(t) + 0.5) / (df_a(t) + 0.5))   # A articles, df_a(t) hold t
    d(t, a)    = idf_a(t) * tf (k1 + 1) / (tf + k1 (1 - b + b len(a) / mean len))   # tf = tf(t, a)
    article(a) = q . d(a) / max over articles of q . d           # 0..1, 1 for the best article

where tf(t, a) counts t over the article's headline and every one of its sentences, len(a) is its
number of terms, and q is the question's weighted terms (query.py, as the sentence walk has them).
k1 = 1.2 and b = 0.3 (a weak length penalty: a long story is not less about its subject) found the
right article first most often on the shared NewsQA half (0.61 alone; TF-IDF cosine 0.52).
The best article always gets 1: this evidence says which article, never whether any answers (the
decline reads the sentence). Kept term-major (terms x articles, CSR), so a question touches only
its own terms' columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

    from .query import QueryTerms
    from .tfidf import SentenceIndex


K1, B = 1.2, 0.3


def article_vectors(index: "SentenceIndex", article_of: np.ndarray, headlines: Sequence[str]) -> sp.csr_matrix:
    """The term-major (terms x articles) matrix of the module docstring's d(t, a), float32; `article_of`
    gives each sentence's article number."""
    import scipy.sparse as sp  # a build's, never answering's: a saved index is read with numpy alone

    articles, terms = len(headlines), len(index.vocabulary)
    counts = index.term_counts(article_of, articles) + _headline_counts(index, headlines)
    counts = sp.csr_matrix(counts, dtype=np.float32)
    counts.sum_duplicates()
    if not counts.nnz:
        return sp.csr_matrix((terms, articles), dtype=np.float32)
    df = np.bincount(counts.indices, minlength=terms)
    idf = np.log1p((articles - df + 0.5) / (df + 0.5))
    length = np.asarray(counts.sum(axis=1)).ravel()
    relative = length / max(float(length.mean()), 1.0)
    row_of = np.repeat(np.arange(articles, dtype=np.int32), np.diff(counts.indptr))
    tf = counts.data
    # In runs of entries, each weighed in place: the same arithmetic, without float64 copies of them all.
    for a in range(0, len(tf), _RUN):
        b = a + _RUN
        part = tf[a:b]
        part[:] = idf[counts.indices[a:b]] * part * (K1 + 1) / (part + K1 * (1 - B + B * relative[row_of[a:b]]))
    del row_of
    return sp.csr_matrix(counts.T, dtype=np.float32)


_RUN = 1 << 18


def _headline_counts(index: "SentenceIndex", headlines: Sequence[str]) -> sp.csr_matrix:
    import scipy.sparse as sp

    rows, cols = [], []
    term_ids = index.term_ids
    for row, text in enumerate(headlines):
        for term in index.analyzer.terms(text):
            tid = term_ids.get(term)
            if tid is not None:
                rows.append(row)
                cols.append(tid)
    return sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                         shape=(len(headlines), len(index.vocabulary)))


def article_scores(vectors: sp.csr_matrix, query: "QueryTerms") -> np.ndarray:
    """article(a) of the module docstring for every article (float32; all 0 when none holds a term)."""
    if hasattr(vectors, "scores"):  # a base and a delta (segments.py) work it out themselves
        return vectors.scores(query)
    articles = vectors.shape[1]
    ids = np.asarray(query.ids, np.int64)
    if not len(ids) or not articles:
        return np.zeros(articles, np.float32)
    starts, ends = vectors.indptr[ids].astype(np.int64), vectors.indptr[ids + 1].astype(np.int64)
    sizes = ends - starts
    # Every query term's column entries in one gather, each weighted by its term's query weight.
    at = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(int(sizes.sum()), dtype=np.int64)
    weights = np.repeat(np.asarray(query.weights, np.float64), sizes) * vectors.data[at]
    score = np.bincount(vectors.indices[at], weights, minlength=articles).astype(np.float32)
    best = float(score.max())
    return score / best if best > 0 else score


SAME_REPORT = 0.5  # shared share of two sentences' terms (Jaccard) from which they report the same thing


def rival_margins(score: np.ndarray, article: np.ndarray, terms_of: Callable[[int], frozenset], rows: np.ndarray
                  ) -> np.ndarray:
    """For each of `rows` (candidates, by their `score`, `article` number and `terms_of(candidate)`, its
    index terms), how far it stands above the best candidate from another article that says something
    else: one sharing less than SAME_REPORT of its terms. A copy, or another outlet's report of the same
    fact, is no rival; a sentence of another story that matches the question as well is. This is the
    decline's "does one story clearly answer this" (bot/answers.py). Infinite where there is no rival
    (asked of one article, or no other article shares the question's words). Terms are read only where
    an article differs, usually for one or two candidates."""
    out = np.full(len(rows), np.inf, np.float32)
    if not len(rows) or len(score) < 2:
        return out
    order = np.argsort(-score, kind="stable").tolist()
    articles = article.tolist()
    for n, row in enumerate(rows.tolist()):
        mine = terms_of(row)
        for other in order:
            if articles[other] == articles[row]:
                continue
            theirs = terms_of(other)
            union = len(mine | theirs)
            if union and len(mine & theirs) >= SAME_REPORT * union:
                continue
            out[n] = score[row] - score[other]
            break
    return out
