"""What kind of thing a question asks for (a number, a date, a name, a place, a definition, someone's words) and whether a sentence holds it."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np

from .text import is_stop_word

# What kind of answer a question wants, read from its words.
_WANTS_NUMBER = re.compile(
    r"\bhow (?:many|much|long|far|old|often|big|large|tall|high|fast|deep|wide|heavy)\b|"
    r"\bwhat (?:number|percentage|percent|share|amount|population|size|age)\b|"
    r"\bwhat (?:was|is|were) the (?:final )?score\b", re.I)  # a match's score: "ended 3-3", "won 22-10"
_WANTS_TIME = re.compile(
    r"^\s*(?:when|what (?:year|day|date|month|time|century|decade))\b|\bsince when\b|\bhow long ago\b|"
    r"\b(?:in|on|by) what (?:year|day|date|month)\b|\bwhich (?:year|day|date|month|century)\b", re.I)
_WANTS_PERSON = re.compile(
    r"^\s*(?:who|whom|whose)\b|\bwhich (?:group|official|side|person|company|team|player|actor|band)\b|"
    r"\bwhat (?:company|group|organi[sz]ation|actor|person|team|band|singer)\b|\bname of\b", re.I)
_WANTS_PLACE = re.compile(
    r"^\s*where\b|\b(?:which|what) (?:town|village|city|province|country|state|county|region|continent|river)\b",
    re.I)
# "What did the mayor say?", "What does the FAA say about it?": the words of someone, which a sentence
# gives with its attribution ("...," Ruiz told reporters).
_SAYING = ("say says said tell tells told claim claims claimed announce announced warn warned think thinks thought "
           "believe believes").split()
_WANTS_QUOTE = re.compile(
    r"^\s*(?:and\s+)?what\s+(?:else\s+)?(?:did|does|do|has|have|had|will|would)\b.*\b(?:%s)\b" % "|".join(_SAYING),
    re.I)
# The words of such a question that do not name the speaker: stop words, the verb, "else", "recently".
_NOT_A_SPEAKER = frozenset(_SAYING) | {"else", "recently"}
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

# The kinds of thing a question can ask for, one bit each.
NUMBER, TIME, PERSON, PLACE, DEFINITION, QUOTE = 1, 2, 4, 8, 16, 32


@lru_cache(maxsize=256)  # asked three times a question (shortlist, word evidence, bonus): once worked out
def wanted_kinds(question: str) -> int:
    """The kinds of thing the question asks for, as bits (0 when it asks for no kind in particular)."""
    return (NUMBER * bool(_WANTS_NUMBER.search(question)) | TIME * bool(_WANTS_TIME.search(question))
            | PERSON * bool(_WANTS_PERSON.search(question)) | PLACE * bool(_WANTS_PLACE.search(question))
            | DEFINITION * bool(_WANTS_DEFINITION.search(question)) | QUOTE * bool(_WANTS_QUOTE.search(question)))


def asks_for_words(question: str) -> bool:
    """True for a question that asks what someone said ("What did the mayor say?", "What else did he tell
    reporters?"): its answer is a sentence attributed to them."""
    return bool(wanted_kinds(question) & QUOTE)


# What held_kinds reads of _HAS_NUMBER, _HAS_TIME and _HAS_DEFINITION: their words are whole words (a
# run of word characters between two \b), so one pass over a sentence's runs, looked up in these sets,
# tells what those expressions would find anywhere in it; tests/test_ingest_paths.py holds the two to
# the same answers.
_RUN = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred hundreds "
    "thousand thousands million millions billion billions dozen dozens half several".split())
_TIME_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december jan feb mar apr jun jul aug sep sept oct nov dec yesterday "
    "today tomorrow ago century decade since until morning night overnight".split())
_NUM_TIME = re.compile(r"\b(?:in|since|by|until|from) <num>\b")
_DEFINITION_WORDS = frozenset(("is", "are", "was", "were", "refer", "refers", "known"))
# Whether _HAS_NAME matches at all (a capital and a small letter, after a non-word character, not at
# the start and not after a sentence's end), written to start at the capital, which `re` finds fast.
_ANY_NAME = re.compile(r"[A-Z](?<=\W[A-Z])(?<![.!?]\s[A-Z])[a-z]")


# _HAS_TIME's `1\d{3}`, `20\d{2}` and `\d{2,4}s`, each a whole run (bounded by \b), in one search.
_TIME_RUN = re.compile(r"\b(?:1\d{3}|20\d{2}|\d{2,4}s)\b")


def held_kinds(text: str, speaker: str | None) -> int:
    """The kinds of thing a sentence holds at all, as bits: what `answer_type_bonus` can find in it
    for some question (it also asks that the thing is not one the question gives)."""
    low = text.lower()
    runs = set(_RUN.findall(low))
    number = _DIGIT.search(low) is not None or "<num>" in low or not runs.isdisjoint(_NUMBER_WORDS)
    time = not runs.isdisjoint(_TIME_WORDS) or number and _TIME_RUN.search(low) is not None \
        or "<num>" in low and _NUM_TIME.search(low) is not None
    definition = not runs.isdisjoint(_DEFINITION_WORDS) and _HAS_DEFINITION.search(low) is not None
    return (NUMBER * number | TIME * time
            | PERSON * (speaker is not None or _ANY_NAME.search(text) is not None)
            | PLACE * bool(_HAS_PLACE.search(text)) | DEFINITION * definition | QUOTE * (speaker is not None))


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
    if wanted & QUOTE:  # words attributed to whom the question names ("the mayor"), or to anyone if it names no one
        whose = {w for w in given if w not in _NOT_A_SPEAKER and not is_stop_word(w)}
        checks.append(lambda text, low, who: who is not None
                      and (not whose or not whose.isdisjoint(w.lower() for w in _WORDS.findall(who))))
    if not checks:
        return np.zeros(len(texts), np.float32)
    return np.array([float(any(c(t, t.lower(), w) for c in checks)) for t, w in zip(texts, speakers)], np.float32)
