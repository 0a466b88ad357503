"""A question as weighted index terms: its own words, then synonyms, other forms and close spellings.

Each distinct question word (its index term t, counted tf times in the question) adds, as one word
group::

    t itself, known to the index        weight (1 + ln tf) * idf(t)             coverage idf(t)
    ... if rare (a name), spelt alike   weight tf * sim * fuzzy_weight * idf(c)  coverage sim * idf(t)
    t unknown: index terms spelt alike  weight tf * sim * fuzzy_weight * idf(c)  coverage sim *
                                                                 fuzzy_coverage * idf_unknown / matches
    synonyms and other forms of t       weight synonym_weight * idf(s)          coverage synonym_weight * idf(t)

(`idf_unknown` is the idf a term found nowhere would have.) The weights are scaled to unit length;
a term's coverage is divided by the question's idf mass, the sum of its words' idf, so a sentence
holding every word covers 1. A question is searched on its words up to the one whose terms would
take it past `bits.MAX_TERMS` (62) ids, and a word on at most `bits.MAX_GROUP` (16) ids: a question
of a sentence or two stays well inside both, and one walk (walk.py) serves every question.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .bits import MAX_GROUP, MAX_TERMS, BitTables
from .spelling import Spellings
from .text import Analyzer


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
    # spellings form one group (a run of ids), and a sentence earns a group's coverage once, by its
    # best member.
    group: np.ndarray | None = None

    def __bool__(self) -> bool:
        return bool(len(self.ids))

    @cached_property
    def bits(self) -> BitTables:
        """Coverage and shares of sentences given as bit sets of the ids they hold (see `bits.py`)."""
        group = self.group if self.group is not None else np.arange(len(self.ids))
        return BitTables(self.coverage, group)


class ReadsByLexicon:
    """For an index that reads questions through its `lexicon`: the reading settings and the term ids
    are the lexicon's own (setting them here reads by the new ones; term ids are made on first use, as a
    large vocabulary is loaded faster without them)."""

    lexicon: "Lexicon"

    @property
    def settings(self) -> IndexSettings:
        return self.lexicon.settings

    @settings.setter
    def settings(self, settings: IndexSettings) -> None:
        self.lexicon.settings = settings

    @property
    def term_ids(self) -> dict[str, int]:
        return self.lexicon.term_ids


class Lexicon:
    """What questions are read against: an index's terms, their idf and document frequencies, and
    the look-ups made from them on first use (term ids, sorted terms, close spellings)."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray, indptr: np.ndarray, sentences: int,
                 analyzer: Analyzer, settings: IndexSettings):
        self.vocabulary, self.idf, self._indptr, self.sentences = vocabulary, idf, indptr, sentences
        self.analyzer, self.settings = analyzer, settings
        self._term_ids: dict[str, int] | None = None
        self._sorted: list[str] | None = None
        self._spellings: Spellings | None = None
        self._close_cache: dict[tuple[str, float], list[tuple[int, float]]] = {}

    @property
    def term_ids(self) -> dict[str, int]:
        """Term -> id, made on first use (a large vocabulary is loaded faster without it)."""
        if self._term_ids is None:
            self._term_ids = {term: i for i, term in enumerate(self.vocabulary)}
        return self._term_ids

    def df(self, term_id: int) -> int:
        return int(self._indptr[term_id + 1] - self._indptr[term_id])

    def related(self, term: str) -> tuple[str, ...]:
        """Index terms sharing the term's first `related_prefix` letters (not the term itself)."""
        size, most = self.settings.related_prefix, self.settings.related_max_terms
        if len(term) < size or term.isdigit() or most <= 0:
            return ()
        if self._sorted is None:
            self._sorted = sorted(self.vocabulary)
        words, prefix = self._sorted, term[:size]
        found = []
        at = bisect.bisect_left(words, prefix)
        while at < len(words) and words[at].startswith(prefix) and len(found) < most:
            if words[at] != term:
                found.append(words[at])
            at += 1
        return tuple(found)

    def close(self, term: str, min_similarity: float) -> list[tuple[int, float]]:
        """Index terms spelt like the term ("mohamad" -> "mohammad"), best first."""
        if len(term) < 4 or term.isdigit() or not self.vocabulary:
            return []
        key = (term, min_similarity)
        found = self._close_cache.get(key)
        if found is None:
            if self._spellings is None:
                self._spellings = Spellings(self.vocabulary)
            found = self._spellings.close(term, min_similarity, self.settings.fuzzy_max_terms + 1)
            if len(self._close_cache) >= 10_000:
                self._close_cache.clear()
            self._close_cache[key] = found
        return found


def question_terms(question: str, lexicon: Lexicon) -> QueryTerms:
    """The weighted index terms of a question (the module docstring's table)."""
    counts: dict[str, int] = {}
    for term in lexicon.analyzer.terms(question):
        counts[term] = counts.get(term, 0) + 1
    terms = _Terms()
    for number, (term, count) in enumerate(counts.items()):
        # A word adds at most MAX_GROUP ids: only near the cap may it have to be taken back.
        before = terms.copy() if len(terms.weights) > MAX_TERMS - MAX_GROUP else None
        _add_word(terms, term, 1 + math.log(count), number, lexicon)
        if before is not None and len(terms.weights) > MAX_TERMS:  # searched up to the word before this one
            terms = before
            break
    return terms.query()


class _Terms:
    """A question's terms as they are gathered: weight, coverage mass and word group by term id, in
    the order found, the index terms asked for, and the question's own idf mass."""

    def __init__(self) -> None:
        self.weights: dict[int, float] = {}
        self.mass: dict[int, float] = {}
        self.group: dict[int, int] = {}
        self.words: list[str] = []
        self.total = 0.0  # the question's own idf mass: what full coverage means

    def copy(self) -> "_Terms":
        other = _Terms()
        other.weights, other.mass, other.group = dict(self.weights), dict(self.mass), dict(self.group)
        other.words, other.total = list(self.words), self.total
        return other

    def query(self) -> QueryTerms:
        if not self.weights:
            empty = np.zeros(0, np.float32)
            return QueryTerms(np.zeros(0, np.int32), empty, empty, ())
        n = len(self.weights)
        ids = np.fromiter(self.weights, dtype=np.int32, count=n)
        w = np.fromiter(self.weights.values(), dtype=np.float32, count=n)
        w /= np.linalg.norm(w)
        cov = np.fromiter((self.mass.get(i, 0.0) / self.total for i in self.weights), dtype=np.float32, count=n)
        groups = np.fromiter((self.group[i] for i in self.weights), dtype=np.int32, count=n)
        return QueryTerms(ids, w, cov, tuple(self.words), groups)


def _add_word(terms: _Terms, term: str, tf: float, number: int, lexicon: Lexicon) -> None:
    """Add one question word (its term, with tf) and its stand-ins as word group `number`."""
    settings, idf, vocabulary = lexicon.settings, lexicon.idf, lexicon.vocabulary
    weights, mass = terms.weights, terms.mass
    room = [MAX_GROUP]  # new ids this word may still add

    def admit(tid: int) -> bool:
        """True when the id is already a query term or this word's group has room for it."""
        if tid in weights:
            return True
        if room[0] <= 0:
            return False
        room[0] -= 1
        terms.group[tid] = number
        return True

    tid = lexicon.term_ids.get(term)
    if tid is not None:
        term_idf = float(idf[tid])
        admit(tid)
        weights[tid] = weights.get(tid, 0) + tf * term_idf
        mass[tid] = mass.get(tid, 0) + term_idf
        terms.words.append(term)
        # A rare word (a name) may be spelt another way elsewhere: Sheikhoun / Sheihkoun.
        if len(term) >= 6 and lexicon.df(tid) <= settings.variant_max_df:
            for cid, sim in lexicon.close(term, settings.variant_min_similarity):
                if cid != tid and cid not in weights and admit(cid):
                    weights[cid] = tf * sim * settings.fuzzy_weight * float(idf[cid])
                    mass[cid] = sim * term_idf
                    terms.words.append(vocabulary[cid])
    else:
        term_idf = math.log(lexicon.sentences + 1) + 1  # the idf a term found nowhere would have
        close = lexicon.close(term, settings.fuzzy_min_similarity)
        for cid, sim in close:
            if admit(cid):
                weights[cid] = weights.get(cid, 0) + tf * sim * settings.fuzzy_weight * float(idf[cid])
                # A guess at what was meant ("founded" -> "pound") counts for less coverage.
                mass[cid] = mass.get(cid, 0) + sim * settings.fuzzy_coverage * term_idf / len(close)
                terms.words.append(vocabulary[cid])
    # A synonym or another form found in a sentence stands in for the question's word, at a lower
    # weight (and counts once for its word however many stand-ins a sentence holds).
    term_ids = lexicon.term_ids
    stand_ins = [sid for sid in map(term_ids.get, lexicon.analyzer.synonyms(term) + lexicon.related(term))
                 if sid is not None and sid not in weights]
    for sid in stand_ins:
        if admit(sid):
            weights[sid] = settings.synonym_weight * float(idf[sid])
            mass[sid] = settings.synonym_weight * term_idf
            terms.words.append(vocabulary[sid])
    terms.total += term_idf
