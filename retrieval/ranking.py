"""Ranking a question's candidate sentences: word overlap, context, position, word order and answer type.

A candidate's score is a weighted sum of evidence, each piece in 0..1 (weights in `RankSettings`)::

    score = coverage_weight * coverage     # share of the question's idf mass the sentence contains
          + headline_weight  * headline    # ... that its article's headline contains, where the
                                           #     sentence lacks it (the headline is its context)
          + article_weight   * article     # its article's TF-IDF score as one document, over the
                                           #     best article's (documents.py): which article
          + neighbour_weight * neighbour   # ... that the sentence before or after adds
          + lead_weight      / (1 + i)     # i-th sentence of its article (0 = the first)
          + bigram_weight    * bigrams     # share of the question's word pairs found side by side
          + proximity_weight * proximity   # matched words / the shortest span holding them all
          + answer_type_weight * answer_type  # holds what the question asks for: a number, a date,
                                              # a name, a place, a definition
          + lede_weight      * lede        # 1 for a first sentence opening with a dateline (a news lede)
          + news_position_weight * position  # in a news article (a dateline or a front-matter date or
                                           #     outlet), 0.5 - i / news_position_span, down to -0.5; else 0
          + novelty_weight   * (novelty - 1)  # what it says beyond the question's words, up to 6 terms, or
                                           #     1 when it holds a new thing of the kind asked for
          + cosine_weight    * cosine      # the TF-IDF cosine (favours short sentences)

Coverage is an idf-weighted count of the question's words that the sentence holds, divided by the
question's own idf mass; unlike the cosine it does not shrink as the sentence grows, and long
sentences are where answers are. The weights were picked on the WikiQA and TrecQA train splits
(benchmarks/README.md keeps what each piece gained on dev).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .answer_type import answer_type_bonus, wanted_kinds
from .cues import is_dateline_lede, is_news_article, news_position
from .documents import article_scores
from .walk import Walk, top_k

if TYPE_CHECKING:
    import scipy.sparse as sp

    from .folder import Corpus
    from .query import QueryTerms
    from .tfidf import SentenceIndex


@dataclass(frozen=True)
class RankSettings:
    """Weights of the evidence added to a sentence's coverage of the question (see the module docstring)."""

    # headline, lead, bigram, cosine and news_position tuned together (benchmarks/tune_joint.py:
    # news seeds 5 + 7 with WikiQA / TrecQA train MAP held within 0.005); the rest on WikiQA / TrecQA train.
    coverage_weight: float = 1.0
    headline_weight: float = 0.4
    article_weight: float = 0.3  # 0.45 jointly, but then tests/test_archive.py names a wrong earlier figure
    neighbour_weight: float = 0.1
    lead_weight: float = 0.09
    bigram_weight: float = 0.04
    proximity_weight: float = 0.05
    answer_type_weight: float = 0.2
    cosine_weight: float = 0.0
    # Tuned on the shared NewsQA half (benchmarks/news.py seeds 5 and 7, not 11) and checked on WikiQA /
    # TrecQA train (cues.py): a first sentence that opens with a dateline is a news lede, which carries
    # the story; a sentence that says little beyond the question's own words is seldom its answer.
    lede_weight: float = 0.15
    novelty_weight: float = 0.1
    # Only for news articles (cues.is_news_article), tuned the same way (seeds 5 and 7): a sentence's
    # place in the story, from +0.5 for the first sentence to -0.5 at the 16th and after. WikiQA / TrecQA documents are
    # not news articles, and there a larger lead_weight cost 0.02-0.03 of TrecQA MAP.
    news_position_weight: float = 0.11
    news_position_span: int = 16
    # How many sentences get the word-order and answer-type checks: the best by the cheap evidence
    # plus the answer-type weight where the sentence holds the kind of thing asked for at all (see
    # `held_kinds`). 20 scores as 200 did on the WikiQA and TrecQA dev sets (benchmarks/README.md).
    candidates: int = 20


def word_order_evidence(question_terms: Sequence[str], sentence_terms: Sequence[Sequence[str]]
                        ) -> tuple[np.ndarray, np.ndarray]:
    """(bigrams, proximity) of each sentence, given as its index terms in order.

    bigrams: the share of the question's adjacent term pairs that the sentence also has side by side
    (stop words are already gone from both, so "the capital of France" and "France's capital" differ
    but "capital France" pairs survive in "capital of France").
    proximity: distinct matched terms / the length of the shortest run of the sentence holding them
    all; 1.0 when they stand together, 0 when fewer than two match.
    """
    wanted = set(question_terms)
    pairs = set(zip(question_terms, question_terms[1:]))
    bigrams = np.zeros(len(sentence_terms), np.float32)
    proximity = np.zeros(len(sentence_terms), np.float32)
    for row, terms in enumerate(sentence_terms):
        if pairs:
            bigrams[row] = len(pairs.intersection(zip(terms, terms[1:]))) / len(pairs)
        proximity[row] = _proximity([t for t in terms if t in wanted], [i for i, t in enumerate(terms) if t in wanted])
    return bigrams, proximity


def _proximity(matched: list[str], at: list[int]) -> float:
    distinct = len(set(matched))
    if distinct < 2:
        return 0.0
    # Shortest window over the matched positions that holds every distinct matched term.
    counts: dict[str, int] = {}
    have, left, shortest = 0, 0, at[-1] - at[0] + 1
    for right, term in enumerate(matched):
        counts[term] = counts.get(term, 0) + 1
        have += counts[term] == 1
        while have == distinct:
            shortest = min(shortest, at[right] - at[left] + 1)
            counts[matched[left]] -= 1
            have -= counts[matched[left]] == 0
            left += 1
    return distinct / shortest


def word_figures(question_terms: Sequence, sentence_terms: Sequence[Sequence], enough: int = 6
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bigrams, proximity, novelty) of each sentence, in one pass over its terms: what
    `word_order_evidence` and `cues.novelty` give (tests/test_ranking.py holds the three to it)."""
    wanted = set(question_terms)
    pairs = set(zip(question_terms, question_terms[1:]))
    n = len(sentence_terms)
    bigrams, proximity, novel = np.zeros(n, np.float32), np.zeros(n, np.float32), np.zeros(n, np.float32)
    for row, terms in enumerate(sentence_terms):
        novel[row] = min(len(set(terms) - wanted), enough) / enough
        at = [i for i, t in enumerate(terms) if t in wanted]
        if len(at) < 2:  # no pair of question terms side by side, and no span of two
            continue
        if pairs:  # a question pair side by side is two matched terms next to each other
            side = {(terms[i], terms[j]) for i, j in zip(at, at[1:]) if j == i + 1}
            if side:
                bigrams[row] = len(pairs.intersection(side)) / len(pairs)
        proximity[row] = _proximity([terms[i] for i in at], at)
    return bigrams, proximity, novel


def neighbour_gain(positions: np.ndarray, present: np.ndarray, weights: np.ndarray,
                   article_of: np.ndarray) -> np.ndarray:
    """For each candidate, the most question weight that the sentence before or after it adds: the
    neighbour evidence stated plainly, over a presence matrix (the ranker reads the same from bit sets).

    `positions` are sorted ascending (as the index returns them); `present` says which query terms
    each candidate holds, `weights` what each term is worth. A neighbour that is not a candidate
    shares no term with the question and adds nothing.
    """
    best = np.zeros(len(positions), np.float32)
    if not len(positions):
        return best
    missing = 1.0 - present
    # Candidates are distinct and ascending, so the sentence after candidate i can only be candidate
    # i + 1 (and the one before, i - 1): no search needed.
    follows = (positions[1:] == positions[:-1] + 1) & (article_of[positions[1:]] == article_of[positions[:-1]])
    if follows.any():
        after = np.where(follows, (present[1:] * missing[:-1]) @ weights, 0)
        before = np.where(follows, (present[:-1] * missing[1:]) @ weights, 0)
        best[:-1] = np.maximum(best[:-1], after)
        best[1:] = np.maximum(best[1:], before)
    return best


@dataclass(frozen=True)
class Evidence:
    """What speaks for each candidate sentence of one question; all arrays align with `positions`."""

    positions: np.ndarray  # corpus positions of the candidates
    coverage: np.ndarray
    cosine: np.ndarray
    headline: np.ndarray
    neighbour: np.ndarray
    lead: np.ndarray
    bigrams: np.ndarray
    proximity: np.ndarray
    answer_type: np.ndarray
    words: tuple[str, ...] = ()  # the index terms the question was searched with
    article: np.ndarray | None = None  # None: no article evidence (counts as 0)
    novelty: np.ndarray | None = None  # how much the sentence says beyond the question (cues.py)
    lede: np.ndarray | None = None  # 1 for an article's first sentence
    position: np.ndarray | None = None  # a news article's place prior (cues.news_position), else 0

    def scores(self, settings: RankSettings) -> np.ndarray:
        """The ranked score of each candidate (the formula in the module docstring)."""
        return weighted_sum(settings, self.coverage, self.headline, self.neighbour, self.lead, self.cosine,
                            self.bigrams, self.proximity, self.answer_type, self.article, self.novelty,
                            self.lede, self.position)


def weighted_sum(s: RankSettings, coverage: np.ndarray, headline: np.ndarray, neighbour: np.ndarray,
                 lead: np.ndarray, cosine: np.ndarray, bigrams: np.ndarray | None = None,
                 proximity: np.ndarray | None = None, answer_type: np.ndarray | None = None,
                 article: np.ndarray | None = None, novelty: np.ndarray | None = None,
                 lede: np.ndarray | None = None, position: np.ndarray | None = None) -> np.ndarray:
    """The score: the module docstring's sum (float32). Without the word evidence (None), the part of it
    that needs no sentence text, which picks the shortlist."""
    total = s.coverage_weight * coverage + s.headline_weight * headline + s.neighbour_weight * neighbour \
        + s.lead_weight * lead
    if article is not None and s.article_weight:
        total = total + s.article_weight * article
    if novelty is not None and s.novelty_weight:  # a penalty: a sentence that says enough keeps its score
        total = total + s.novelty_weight * (novelty - 1)
    for weight, value in ((s.bigram_weight, bigrams), (s.proximity_weight, proximity),
                          (s.answer_type_weight, answer_type), (s.lede_weight, lede),
                          (s.news_position_weight, position)):
        if value is not None and weight:
            total = total + weight * value
    return (total + s.cosine_weight * cosine).astype(np.float32, copy=False)


@dataclass(frozen=True)
class CheapEvidence:
    """The evidence that needs no sentence text, for every sentence sharing a term (rows align with
    `positions`)."""

    positions: np.ndarray  # ascending
    coverage: np.ndarray
    cosine: np.ndarray
    headline: np.ndarray
    neighbour: np.ndarray
    lead: np.ndarray
    score: np.ndarray  # their weighted sum
    words: tuple[str, ...]
    article: np.ndarray | None = None
    lede: np.ndarray | None = None  # 1 for an article's first sentence
    position: np.ndarray | None = None  # a news article's place prior (cues.news_position), else 0
    kinds: np.ndarray | None = None  # the kinds of thing each holds (answer_type.held_kinds bits)


_PLACED, _LEDE, _PLACE, _ARTICLE = _PRIORS = (0, 1, 2, 3)  # the columns of `Ranker._priors`
_KINDS_AT, _ORDER_AT = 1, 9  # the bits of a _PLACED entry: last-in-article flag, kinds, order in article


class Ranker:
    """Ranks one corpus's sentences for a question: the cheap evidence for every sentence sharing a
    term, from one walk over the postings; the word evidence for a shortlist of them."""

    def __init__(self, index: "SentenceIndex", corpus: "Corpus", headlines: sp.csc_matrix, kinds: np.ndarray,
                 settings: RankSettings, articles: sp.csr_matrix | None = None):
        self.index, self.corpus, self.headlines, self.kinds, self.settings = index, corpus, headlines, kinds, settings
        self.articles = articles  # terms x articles (documents.py); None: no article evidence
        first = np.zeros(len(corpus.sentences), np.int64)
        if len(corpus.sentences):
            first = corpus.starts[corpus.article_of]
        order = np.arange(len(corpus.sentences)) - first
        # What the ranking reads of a sentence without the question, one row of 16 bytes per sentence,
        # gathered as one item (`_PRIORS`; one random read a candidate, where the article numbers, the
        # priors, the last flags and the kinds were four gathers): as int32, its place (its order in
        # its article, whose lead is 1 / (1 + order); the kinds of thing it holds, answer_type.held_kinds;
        # whether it is its article's last sentence, none after it) and its article number; as
        # float32 its lede flag, 1 for a first sentence that opens with a dateline (a news lede, which
        # carries the story), and its news place prior (cues.news_position; 0 outside news articles).
        # The lede and place are written when a question first reaches one of the article's sentences
        # (`_read_articles`), not here: reading every article's first sentence when a 50,000-article
        # index opens cost 0.4 s of each `ask`.
        if len(order) and order.max() >= 1 << (31 - _ORDER_AT):
            raise ValueError("an article of more than 4 million sentences")
        opens = np.r_[order == 0, True]  # where a new article opens (and one past the end)
        self._priors = np.zeros((len(corpus.sentences), len(_PRIORS)), np.float32)
        placed = self._priors.view(np.int32)
        placed[:, _PLACED] = (order << _ORDER_AT) | (np.asarray(kinds, np.int64) << _KINDS_AT) | opens[1:]
        placed[:, _ARTICLE] = corpus.article_of
        self._rows = self._priors.view(np.complex128).reshape(-1)
        # Unread articles (-1 in `_news`) left: none, and `_read_articles` has nothing to look for.
        self._unread = len(corpus.starts) - 1
        # Per article: 1 for a news article (cues.is_news_article), 0 for another, -1 not read yet.
        self._news = np.full(max(len(corpus.starts) - 1, 0), -1, np.int8)
        self._place_span = 0  # the news_position_span the place priors were written for

    def _read_articles(self, article_of: np.ndarray) -> np.ndarray | None:
        """Writes the lede flag and news place priors of the articles among `article_of` not read yet,
        from their first sentence and front matter; which of `article_of` they were (None: none)."""
        s = self.settings
        if s.news_position_span != self._place_span:  # written for another span: read again
            self._news[:], self._priors[:, _PLACE], self._place_span = -1, 0, s.news_position_span
            self._unread = len(self._news)
        if not self._unread:
            return None
        fresh = self._news[article_of] < 0
        if not fresh.any():
            return None
        unread = np.unique(article_of[fresh])
        starts = self.corpus.starts
        firsts = starts[unread]
        texts, _ = self.corpus.texts_and_speakers(firsts.tolist())
        self._priors[firsts, _LEDE] = [is_dateline_lede(t) for t in texts]
        headers = [self.corpus.article_header(a) for a in unread.tolist()]
        news = [is_news_article(t, h.published, h.source) for t, h in zip(texts, headers)]
        self._news[unread] = news
        self._unread -= len(unread)
        for a in unread[np.asarray(news, bool)].tolist():
            a0, a1 = int(starts[a]), int(starts[a + 1])
            self._priors[a0:a1, _PLACE] = news_position(np.arange(a1 - a0), s.news_position_span)
        return fresh

    def evidence(self, question: str, within: tuple[int, int] | None = None, k: int | None = None,
                 allowed: np.ndarray | None = None) -> Evidence | None:
        """The whole evidence for the best `settings.candidates` (or `k`, if more) sentences by their
        cheap evidence, among the `allowed` ones (a boolean per sentence) if given; None when no such
        sentence shares a term with the question."""
        ranking = self.ranking(question, within, allowed)
        return None if ranking is None else ranking.evidence(k)

    def ranking(self, question: str, within: tuple[int, int] | None = None,
                allowed: np.ndarray | None = None) -> "Ranking | None":
        """The question's candidates with their cheap evidence, weighed in full as far as asked
        (`Ranking.evidence`); None when no `allowed` sentence shares a term with the question."""
        cheap = self.cheap_evidence(self.index.query(question), within, allowed)
        if cheap is None:
            return None
        s = self.settings
        hopeful = cheap.score
        wanted = wanted_kinds(question)
        if wanted and s.answer_type_weight > 0:
            # A sentence that holds the kind of thing asked for may earn the answer-type weight: it is
            # shortlisted as if it did, so that a dated sentence among many alike is still read.
            hopeful = hopeful + np.float32(s.answer_type_weight) * ((cheap.kinds & wanted) != 0)
        return Ranking(self, question, cheap, hopeful, s)

    def cheap_evidence(self, query: "QueryTerms", within: tuple[int, int] | None = None,
                       allowed: np.ndarray | None = None) -> CheapEvidence | None:
        """Coverage, headline, neighbours, lead and cosine of every sentence sharing a term (and
        `allowed`, if given): the walk notes which query ids each sentence and its two neighbours hold,
        as bit sets, and the rest are table look-ups (bits.py)."""
        walk = self.index.walk(query, within)
        if allowed is not None and len(walk.positions):
            keep = allowed[walk.positions]
            walk = Walk(walk.positions[keep], walk.cosine[keep], walk.bits[keep], walk.before[keep], walk.after[keep])
        positions = walk.positions
        if not len(positions):
            return None
        tables = query.bits
        missing = ~walk.bits
        # One gather of the rows: lead, lede, news place, article and last flag (one 16-byte item a
        # row: as fast as gathering one column, where np.take of whole rows took 2-3 times as long and
        # the article numbers and last flags were two more gathers).
        priors = self._rows[positions].view(np.float32).reshape(-1, len(_PRIORS))
        placed, article_of = priors.view(np.int32)[:, _PLACED], priors.view(np.int32)[:, _ARTICLE]
        fresh = self._read_articles(article_of)
        if fresh is not None:  # their rows as just written
            priors[fresh] = self._priors[positions[fresh]]
        order = placed >> _ORDER_AT
        lead = (1.0 / (1.0 + order)).astype(np.float32)
        coverage, cosine = tables.covered(walk.bits), walk.cosine
        before = np.where(order == 0, 0, walk.before)  # none before an article's first sentence
        after = np.where((placed & 1).astype(bool), 0, walk.after)  # nor after its last
        in_headline = self.headline_bits(query)[article_of]
        headline = tables.share(in_headline & missing)
        neighbour = np.maximum(tables.share(before & missing), tables.share(after & missing))
        article = None
        if self.articles is not None:
            # Over all articles even when searching one, so that a score means the same either way.
            article = article_scores(self.articles, query)[article_of]
        lede = priors[:, _LEDE]
        position = priors[:, _PLACE] if self.settings.news_position_weight else None
        score = weighted_sum(self.settings, coverage, headline, neighbour, lead, cosine, article=article, lede=lede,
                             position=position)
        return CheapEvidence(positions, coverage, cosine, headline, neighbour, lead, score, query.words, article,
                             lede, position, (placed >> _KINDS_AT) & 0xFF)

    def with_word_evidence(self, question: str, cheap: CheapEvidence, rows: np.ndarray) -> Evidence:
        """The whole evidence of the given rows (ascending) of `cheap`: word order and answer type added."""
        bigrams, proximity, answer_type, new = self.word_evidence(question, cheap, rows)
        return _whole(cheap, rows, bigrams, proximity, answer_type, new)

    def word_evidence(self, question: str, cheap: CheapEvidence, rows: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(bigrams, proximity, answer type, novelty) of the given rows of `cheap`: what needs the
        sentences' terms and text. Each row's figures are its own (no row's depend on another's)."""
        positions = cheap.positions[rows]
        index = self.index
        asked = index.analyzer.terms(question)
        terms = index.sentence_terms(positions, as_ids=True)  # stored at build: no second analysis
        # Only a sentence that holds the kind of thing asked for at all (its `held_kinds`) can earn the
        # answer-type bonus: only those are read, unless their terms must be read from the text too.
        wanted = wanted_kinds(question)
        held = (self.kinds[positions] & wanted) != 0 if terms is not None else np.ones(len(positions), bool)
        read = positions[held].tolist()
        texts, speakers = self.corpus.texts_and_speakers(read) if read else ([], [])
        if terms is None:
            terms = [index.analyzer.terms(text) for text in texts]
        else:  # compared as term ids; each word the index lacks gets one id no sentence has
            ids, unknown = index.term_ids, {}
            asked = [ids[term] if term in ids else unknown.setdefault(term, -1 - len(unknown)) for term in asked]
        bigrams, proximity, novel = word_figures(asked, terms)
        answer_type = np.zeros(len(positions), np.float32)
        if read:
            answer_type[held] = answer_type_bonus(question, texts, speakers)
        # A sentence that holds a new thing of the kind asked for ("... on Thursday") says enough.
        return bigrams, proximity, answer_type, np.maximum(novel, answer_type)

    def headline_bits(self, query: "QueryTerms") -> np.ndarray:
        """For every article, the bit set of the query ids its headline holds."""
        h = self.headlines
        indptr, indices, data = h.indptr, h.indices, h.data
        bits = np.zeros(h.shape[0], np.int64)
        for column, (a, b) in enumerate(zip(indptr[query.ids].tolist(), indptr[query.ids + 1].tolist())):
            if a < b:
                bits[indices[a:b][data[a:b] != 0]] |= 1 << column
        return bits


def _whole(cheap: CheapEvidence, rows: np.ndarray, bigrams: np.ndarray, proximity: np.ndarray,
           answer_type: np.ndarray, new: np.ndarray) -> Evidence:
    """The Evidence of `rows` of `cheap`, with their word evidence (aligned with `rows`)."""
    return Evidence(cheap.positions[rows], cheap.coverage[rows], cheap.cosine[rows], cheap.headline[rows],
                    cheap.neighbour[rows], cheap.lead[rows], bigrams, proximity, answer_type, cheap.words,
                    None if cheap.article is None else cheap.article[rows], new,
                    None if cheap.lede is None else cheap.lede[rows],
                    None if cheap.position is None else cheap.position[rows])


class Ranking:
    """One question's candidates: the cheap evidence of every sentence sharing a term, worked out once,
    and the word evidence of the shortlist, each sentence's at most once however far the shortlist
    grows. Asking for more answers (a larger `k`, as folding copies away does) walks nothing again."""

    def __init__(self, ranker: Ranker, question: str, cheap: CheapEvidence, hopeful: np.ndarray,
                 settings: RankSettings):
        self.question, self.cheap, self.settings = question, cheap, settings
        self._ranker, self._hopeful = ranker, hopeful
        self._rows = np.zeros(0, np.int64)  # the rows of `cheap` weighed in full so far, ascending
        self._word: tuple[np.ndarray, ...] = ()  # their word evidence, aligned with _rows
        self._shortlists: dict[int, np.ndarray] = {}  # shortlist size: its rows

    @property
    def words(self) -> tuple[str, ...]:
        """The index terms the question was searched with."""
        return self.cheap.words

    def evidence(self, k: int | None = None) -> Evidence:
        """The whole evidence for the best `settings.candidates` (or `k`, if more) candidates by their
        cheap evidence (and the answer-type weight they may earn), in position order."""
        size = max(self.settings.candidates, k or 0)
        rows = self._shortlists.get(size)
        if rows is None:  # asked again for the same shortlist (k = 8, then 16): not sorted out again
            rows = self._shortlists[size] = np.sort(top_k(self._hopeful, size))
        new = rows[np.isin(rows, self._rows, assume_unique=True, invert=True)] if len(self._rows) else rows
        if len(new):
            word = self._ranker.word_evidence(self.question, self.cheap, new)
            if len(self._rows):
                order = np.argsort(np.concatenate([self._rows, new]), kind="stable")
                self._rows = np.concatenate([self._rows, new])[order]
                self._word = tuple(np.concatenate([have, more])[order] for have, more in zip(self._word, word))
            else:
                self._rows, self._word = new, word
        if len(self._rows) == len(rows):
            return _whole(self.cheap, rows, *self._word)
        at = np.searchsorted(self._rows, rows)
        return _whole(self.cheap, rows, *(values[at] for values in self._word))
