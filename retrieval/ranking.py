"""Ranking a question's candidate sentences with their context: neighbours, headline, position, answer type."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

# What kind of answer a question wants, read from its first words.
_WANTS_NUMBER = re.compile(r"\bhow (?:many|much|long|far|old|often)\b|\bwhat (?:number|percentage|share)\b", re.I)
_WANTS_TIME = re.compile(r"^\s*(?:when|what (?:year|day|date|month|time))\b|\bsince when\b|\bhow long ago\b", re.I)
_WANTS_PERSON = re.compile(r"^\s*(?:who|whom|whose)\b|\bwhich (?:group|official|country|side)\b", re.I)
_WANTS_PLACE = re.compile(r"^\s*where\b|\bwhich (?:town|village|city|province|country)\b", re.I)

_HAS_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundreds?|thousands?|millions?|billions?|dozens?|half|several)\b", re.I)
_HAS_TIME = re.compile(
    r"\b(?:\d{4}|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|"
    r"may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|"
    r"nov|dec|yesterday|today|tomorrow|ago|week|month|year|since|until|before|after|morning|night|"
    r"overnight|hours?|days?|early|late)\b", re.I)
_HAS_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")
_HAS_PLACE = re.compile(r"\b(?:in|at|near|from|to|of)\s+(?:the\s+)?[A-Z][a-z]+")


@dataclass(frozen=True)
class RankSettings:
    """Weights of the context evidence added to a sentence's own TF-IDF cosine."""

    neighbour_weight: float = 0.15  # best cosine of the sentence before or after
    headline_weight: float = 0.10  # cosine of the article's headline
    lead_weight: float = 0.03  # bonus for the first sentences of an article, fading as 1/(1+i)
    answer_type_weight: float = 0.04  # the sentence holds what the question asks for
    candidates: int = 200  # how many sentences (by own cosine) are re-ranked


def answer_type_bonus(question: str, texts: list[str], speakers: list[str | None]) -> np.ndarray:
    """1.0 for each sentence that holds the kind of thing the question asks for, else 0.0."""
    checks = []
    if _WANTS_NUMBER.search(question):
        checks.append(lambda text, who: bool(_HAS_NUMBER.search(text)))
    if _WANTS_TIME.search(question):
        checks.append(lambda text, who: bool(_HAS_TIME.search(text)))
    if _WANTS_PERSON.search(question):
        checks.append(lambda text, who: who is not None or bool(_HAS_NAME.search(text)))
    if _WANTS_PLACE.search(question):
        checks.append(lambda text, who: bool(_HAS_PLACE.search(text)))
    if not checks:
        return np.zeros(len(texts), np.float32)
    return np.array([float(any(c(t, w) for c in checks)) for t, w in zip(texts, speakers)], np.float32)


def neighbour_scores(positions: np.ndarray, scores: np.ndarray, article_of: np.ndarray) -> np.ndarray:
    """For each scored position, the best score of the sentence just before or after it in its article.

    `positions` must be sorted ascending (as the index returns them); unscored neighbours count 0.
    """
    best = np.zeros(len(positions), np.float32)
    n = len(article_of)
    for step in (-1, 1):
        target = positions + step
        valid = (target >= 0) & (target < n)
        at = np.searchsorted(positions, target)
        at = np.minimum(at, len(positions) - 1)
        found = valid & (positions[at] == target)
        found &= article_of[np.clip(target, 0, n - 1)] == article_of[positions]
        best = np.maximum(best, np.where(found, scores[at], 0))
    return best
