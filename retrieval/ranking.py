"""Ranking a question's candidate sentences: word overlap, context, position, word order and answer type.

A candidate's score is a weighted sum of evidence, each piece in 0..1 (weights in `RankSettings`)::

    score = coverage_weight * coverage     # share of the question's idf mass the sentence contains
          + headline_weight  * headline    # ... that its article's headline contains, where the
                                           #     sentence lacks it (the headline is its context)
          + neighbour_weight * neighbour   # ... that the sentence before or after adds
          + lead_weight      / (1 + i)     # i-th sentence of its article (0 = the first)
          + bigram_weight    * bigrams     # share of the question's word pairs found side by side
          + proximity_weight * proximity   # matched words / the shortest span holding them all
          + answer_type_weight * answer_type  # holds what the question asks for: a number, a date,
                                              # a name, a place, a definition
          + cosine_weight    * cosine      # the TF-IDF cosine (favours short sentences)

Coverage is an idf-weighted count of the question's words that the sentence holds, divided by the
question's own idf mass; unlike the cosine it does not shrink as the sentence grows, and long
sentences are where answers are. The weights were picked on the WikiQA and TrecQA train splits
(benchmarks/README.md keeps what each piece gained on dev).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

# What kind of answer a question wants, read from its words.
_WANTS_NUMBER = re.compile(
    r"\bhow (?:many|much|long|far|old|often|big|large|tall|high|fast|deep|wide|heavy)\b|"
    r"\bwhat (?:number|percentage|percent|share|amount|population|size|age)\b", re.I)
_WANTS_TIME = re.compile(
    r"^\s*(?:when|what (?:year|day|date|month|time|century|decade))\b|\bsince when\b|\bhow long ago\b|"
    r"\b(?:in|on|by) what (?:year|day|date|month)\b|\bwhich (?:year|day|date|month|century)\b", re.I)
_WANTS_PERSON = re.compile(
    r"^\s*(?:who|whom|whose)\b|\bwhich (?:group|official|side|person|company|team|player|actor|band)\b|"
    r"\bwhat (?:company|group|organi[sz]ation|actor|person|team|band|singer)\b|\bname of\b", re.I)
_WANTS_PLACE = re.compile(
    r"^\s*where\b|\b(?:which|what) (?:town|village|city|province|country|state|county|region|continent|river)\b",
    re.I)
# "what is X", "who was X", "what are X": a definition, which usually reads "X is a ...".
_WANTS_DEFINITION = re.compile(r"^\s*(?:what|who)\s+(?:is|are|was|were)\s+(?:an?\s+|the\s+)?[\w'’-]+(?:\s+[\w'’-]+){0,3}\s*\??\s*$", re.I)

# `<num>` stands for a number in tokenised news corpora (TrecQA's among them).
_HAS_NUMBER = re.compile(
    r"\d|<num>|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundreds?|thousands?|millions?|billions?|dozens?|half|several)\b")
_HAS_TIME = re.compile(
    r"\b(?:1\d{3}|20\d{2}|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|"
    r"may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|"
    r"nov|dec|yesterday|today|tomorrow|ago|century|decade|since|until|morning|night|overnight)\b|"
    r"\b(?:in|since|by|until|from) <num>\b|\b\d{2,4}s\b")
_HAS_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")
_HAS_PLACE = re.compile(r"\b(?:in|at|near|from|to|of)\s+(?:the\s+)?[A-Z][a-z]+")
_WORDS = re.compile(r"[^\W_]+|<num>")
_HAS_DEFINITION = re.compile(r"\b(?:is|are|was|were)\s+(?:an?|the|one)\b|\brefers? to\b|\bknown as\b")
# _HAS_NUMBER, _HAS_TIME and _HAS_DEFINITION are matched against lower-cased text (several times
# faster than re.I); _HAS_NAME and _HAS_PLACE need the capitals.


@dataclass(frozen=True)
class RankSettings:
    """Weights of the evidence added to a sentence's coverage of the question (see the module docstring)."""

    coverage_weight: float = 1.0
    headline_weight: float = 0.5
    neighbour_weight: float = 0.1
    lead_weight: float = 0.1
    bigram_weight: float = 0.02
    proximity_weight: float = 0.05
    answer_type_weight: float = 0.2
    cosine_weight: float = 0.01
    # How many sentences get the word-order and answer-type checks: the best by the cheap evidence
    # plus the answer-type weight where the sentence holds the kind of thing asked for at all (see
    # `held_kinds`). 20 scores as 200 did on the WikiQA and TrecQA dev sets (benchmarks/README.md).
    candidates: int = 20


# The kinds of thing a question can ask for, one bit each.
NUMBER, TIME, PERSON, PLACE, DEFINITION = 1, 2, 4, 8, 16


def wanted_kinds(question: str) -> int:
    """The kinds of thing the question asks for, as bits (0 when it asks for no kind in particular)."""
    return (NUMBER * bool(_WANTS_NUMBER.search(question)) | TIME * bool(_WANTS_TIME.search(question))
            | PERSON * bool(_WANTS_PERSON.search(question)) | PLACE * bool(_WANTS_PLACE.search(question))
            | DEFINITION * bool(_WANTS_DEFINITION.search(question)))


def held_kinds(text: str, speaker: str | None) -> int:
    """The kinds of thing a sentence holds at all, as bits: what `answer_type_bonus` can find in it
    for some question (it also asks that the thing is not one the question gives)."""
    low = text.lower()
    return (NUMBER * bool(_HAS_NUMBER.search(low)) | TIME * bool(_HAS_TIME.search(low))
            | PERSON * (speaker is not None or bool(_HAS_NAME.search(text)))
            | PLACE * bool(_HAS_PLACE.search(text)) | DEFINITION * bool(_HAS_DEFINITION.search(low)))


def answer_type_bonus(question: str, texts: Sequence[str], speakers: Sequence[str | None]) -> np.ndarray:
    """1.0 for each sentence that holds the kind of thing the question asks for, else 0.0.

    The thing must be new: a name, place or number that the question itself already gives does not
    count ("Who leads Nirvana?" is not answered by "Nirvana's singer ...").
    """
    given = {w.lower() for w in _WORDS.findall(question)}

    def new(pattern: re.Pattern, lower: bool) -> Callable[[str, str, str | None], bool]:
        if lower:
            return lambda text, low, who: any(m.group(0).split()[-1] not in given for m in pattern.finditer(low))
        return lambda text, low, who: any(m.group(0).split()[-1].lower() not in given for m in pattern.finditer(text))

    wanted = wanted_kinds(question)
    checks = []
    if wanted & NUMBER:
        checks.append(new(_HAS_NUMBER, True))
    if wanted & TIME:
        checks.append(new(_HAS_TIME, True))
    if wanted & PERSON:
        has_name = new(_HAS_NAME, False)
        checks.append(lambda text, low, who: who is not None or has_name(text, low, who))
    if wanted & PLACE:
        checks.append(new(_HAS_PLACE, False))
    if wanted & DEFINITION:
        checks.append(lambda text, low, who: bool(_HAS_DEFINITION.search(low)))
    if not checks:
        return np.zeros(len(texts), np.float32)
    return np.array([float(any(c(t, t.lower(), w) for c in checks)) for t, w in zip(texts, speakers)], np.float32)


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


def neighbour_gain(positions: np.ndarray, present: np.ndarray, weights: np.ndarray,
                   article_of: np.ndarray) -> np.ndarray:
    """For each candidate, the most question weight that the sentence before or after it adds.

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

    def scores(self, settings: RankSettings) -> np.ndarray:
        """The ranked score of each candidate (the formula in the module docstring)."""
        s = settings
        return (s.coverage_weight * self.coverage + s.headline_weight * self.headline + s.neighbour_weight * self.neighbour
                + s.lead_weight * self.lead + s.bigram_weight * self.bigrams
                + s.proximity_weight * self.proximity + s.answer_type_weight * self.answer_type
                + s.cosine_weight * self.cosine).astype(np.float32)
