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

import math
from typing import TYPE_CHECKING, Callable, NamedTuple, Sequence

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
    # Summed in float64 a term at a time, in the order of the query's terms (a term's column names each
    # article once): the sums np.bincount over all the entries at once gives, with fewer passes.
    score = np.zeros(articles, np.float64)
    indptr, indices, data = vectors.indptr, vectors.indices, vectors.data
    for term, weight in zip(ids.tolist(), np.asarray(query.weights, np.float64)):
        a, b = int(indptr[term]), int(indptr[term + 1])
        if a < b:
            score[indices[a:b]] += weight * data[a:b]  # a float64 weight: a float64 product, as before
    score = score.astype(np.float32)
    best = float(score.max())
    return score / best if best > 0 else score


SAME_REPORT = 0.5  # shared share of two sentences' terms (Jaccard) from which they report the same thing
# Two articles are reports of one story when their headlines' idf-weighted term sets have a cosine of at
# least SAME_HEADLINE, or their whole texts' TF-IDF vectors one of at least SAME_TEXT. In the multi-outlet
# test archive (tests/data/archive) the reports of one event have 0.44-0.90 by headline (an update of the
# toll, "Port Elling flood toll rises to 15", has only 0.09-0.15 by text against the first reports), and
# different stories at most 0.21 by headline and 0.06 by text; on the shared NewsQA half (distinct CNN
# stories and BBC articles) 18 of 1,374 best rival articles reach 0.35 by headline and 45 0.3 by text.
SAME_HEADLINE = 0.35
SAME_TEXT = 0.3


def unit_vector(ids: np.ndarray, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A text's terms (their ids, in any order, repeated as often as they occur) as a unit TF-IDF vector:
    (sorted distinct ids, weights) with weight (1 + ln tf) idf."""
    ids = np.sort(np.asarray(ids, np.int64))
    starts = np.flatnonzero(np.concatenate([[True], ids[1:] != ids[:-1]])) if len(ids) else np.zeros(0, np.int64)
    terms, counts = ids[starts], np.diff(np.append(starts, len(ids)))
    weights = idf[terms].astype(np.float64) * (1 + np.log(counts))
    norm = float(np.sqrt(weights @ weights))
    return terms, weights / norm if norm > 0 else weights


def cosine(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    """The cosine of two unit_vector results."""
    if len(a[0]) > len(b[0]):
        a, b = b, a
    if not len(a[0]):
        return 0.0
    at = np.searchsorted(b[0], a[0])  # both sorted: where each of the shorter's terms would be in the longer
    at[at == len(b[0])] = 0
    shared = b[0][at] == a[0]
    return float(a[1][shared] @ b[1][at[shared]])


class Story(NamedTuple):
    """An article as same_story compares it: its headline's unit vector (a few terms: a dict, term id to
    weight) and its whole text's (unit_vector)."""

    headline: dict[int, float]
    text: tuple[np.ndarray, np.ndarray]

    @classmethod
    def of(cls, headline: np.ndarray, text: np.ndarray, idf: np.ndarray) -> "Story":
        """From the term ids of an article's headline and of its sentences (the headline counted with them)."""
        weights = {t: float(idf[t]) for t in headline.tolist()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return cls({t: w / norm for t, w in weights.items()}, unit_vector(np.concatenate([text, headline]), idf))


def same_story(a: Story, b: Story) -> bool:
    """True when two articles report one story (SAME_HEADLINE, SAME_TEXT): another outlet's report or a
    later update of it, not another story that shares the question's words."""
    mine, theirs = a.headline, b.headline
    if sum(w * theirs[t] for t, w in mine.items() if t in theirs) >= SAME_HEADLINE:
        return True
    return cosine(a.text, b.text) >= SAME_TEXT


def leaders(score: np.ndarray, article: np.ndarray) -> np.ndarray:
    """Each article's best candidate (by `score`; `article` gives each candidate's), best article first."""
    order = np.argsort(-score, kind="stable")
    _, first = np.unique(article[order], return_index=True)
    return order[np.sort(first)]


def rival_margins(score: np.ndarray, article: np.ndarray, rows: np.ndarray,
                  same_report: Callable[[int, int], bool], same_story: Callable[[int, int], bool],
                  best: np.ndarray | None = None) -> np.ndarray:
    """For each of `rows` (candidates, by their `score` and `article` number), how far it stands above the
    best candidate of the best article that tells another story: not its own article, not one that
    `same_story(article, other article)` says reports the same story, and not one whose best candidate
    `same_report(row, candidate)` says is a copy or rewrite of the row's sentence. Another outlet's
    report or an update of the same story is no rival; a sentence of another story that matches the
    question as well is. This is the decline's "does one story clearly answer this" (bot/answers.py).
    Infinite where there is no rival (asked of one article, or no other story shares the question's
    words). Only each article's best candidate is looked at, in order, and usually one or two of them.
    `best` is `leaders(score, article)` when the caller has it already."""
    out = np.full(len(rows), np.inf, np.float32)
    if not len(rows) or len(score) < 2:
        return out
    best = leaders(score, article) if best is None else best
    if len(best) < 2:
        return out
    best_articles = article[best].tolist()
    articles = article.tolist()
    told: dict[tuple[int, int], bool] = {}
    for n, row in enumerate(rows.tolist()):
        mine = articles[row]
        for other, theirs in zip(best.tolist(), best_articles):
            if theirs == mine:
                continue
            pair = (mine, theirs)
            if pair not in told:
                told[pair] = same_story(mine, theirs)
            if told[pair] or same_report(row, other):
                continue
            out[n] = score[row] - score[other]
            break
    return out
