"""Turning English news text into index terms: tokens, stems, stop words, synonyms and number words."""

from __future__ import annotations

import re
import unicodedata
from array import array
from typing import Sequence

import numpy as np
import Stemmer

# Function words, and the words of a question about nothing in particular ("what happened?", "is it
# true?", "what did they say?"). Words a question turns on ("first", "last", "not", "no", numbers,
# "US", "May") stay searchable; question words are dropped from matching but read for the answer type.
STOP_WORDS = frozenset(
    """a an the and or but if of to in on at by for with from as into onto than then so
    is are was were be been being am do does did done doing has have had having
    i me my we our you your he him his she her it its they them their this that these those
    there here which who whom whose what when where why how whats
    will would shall should can could might must
    about also just very s t ll d re ve m
    tell please know many much
    say says said happen happens happened true thing things new time""".split()
)

_NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17",
    "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40",
    "fifty": "50", "hundred": "100", "thousand": "1000", "million": "1000000",
}

# Words news writers use for one another. Expanded on the question side only, at a lower weight.
_SYNONYM_GROUPS = [
    "displaced uprooted fled evacuated homeless refugees",
    "killed dead died deaths death",
    "ceasefire truce",
    "troops forces soldiers",
    "strike raid bombing attack",
    "warplanes jets aircraft planes",
    "offensive assault attack campaign",
    "captured seized took",
    "rebels opposition insurgents",
    "militants jihadists islamists",
    "spokesman spokeswoman spokesperson",
    "government regime",
    "denied rejected",
    "town village city",
    "highway highways road roads motorway",
    "shelling artillery",
    "civilians people residents",
    "reinforcements troops",
    "russia russian moscow kremlin",
    "syria syrian damascus",
    "iran iranian tehran",
    "turkey turkish ankara",
    "america american us",
    "britain british uk",
    "un united nations",
    "started began launched restarted resumed",
    "stopped ended halted",
    "deal agreement arrangement",
    # news paraphrase: the words a reader asks with for the ones a report uses
    "closed shut",
    "injured hurt wounded",
    "arrested detained",
    "resigned quit",
    "promised pledged vowed",
    "electricity power",
    "sacked dismissed",  # ("fired" is "fire" to the stemmer: the fire, not the sacking)
    "bought purchased acquired",
    "funding funds money cash",
    "jailed imprisoned sentenced",
]

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_DIGIT_GROUP = re.compile(r"(?<=\d)[,.](?=\d{3}\b)")
_POSSESSIVE = re.compile(r"['’]s?$")


def is_stop_word(word: str) -> bool:
    """True for a word that is never searched (a function word, or one of a question about nothing)."""
    return word.lower() in STOP_WORDS


def fold(text: str) -> str:
    """Lower-case, typographic apostrophes made plain, accents removed (é -> e)."""
    text = text.lower()
    if text.isascii():
        return text
    text = text.replace("’", "'").replace("‘", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class Analyzer:
    """Text -> stemmed terms, the same for sentences and questions."""

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("english")
        self._cache: dict[str, str | None] = {}
        # word -> its term, "" for a stop word: `terms` looks a text's words up in one pass over it
        self._known: dict[str, str] = {}

    def words(self, text: str) -> list[str]:
        """Surface tokens, folded, possessives cut (Syria's -> syria), digit groups joined."""
        text = fold(text)
        if "," in text or "." in text:
            text = _DIGIT_GROUP.sub("", text)
        if "'" not in text:  # no possessive to cut
            return _TOKEN.findall(text)
        out = []
        for token in _TOKEN.findall(text):
            token = _POSSESSIVE.sub("", token) if "'" in token else token
            if token:
                out.append(token)
        return out

    def term(self, word: str) -> str | None:
        """The index term for one folded word, or None for a stop word."""
        cached = self._cache.get(word, False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        if word in STOP_WORDS:
            term = None
        else:
            word = _NUMBER_WORDS.get(word, word)
            term = word if word.isdigit() else self._stemmer.stemWord(word)
        if len(self._cache) < 2_000_000:
            self._cache[word] = term
        return term

    def terms(self, text: str) -> list[str]:
        words = self.words(text)
        found = list(map(self._known.get, words))
        if None in found:  # words not seen before: stemmed once each
            found = [self._learn(w) if t is None else t for t, w in zip(found, words)]
        return [t for t in found if t]

    def _learn(self, word: str) -> str:
        term = self.term(word) or ""
        if len(self._known) < 2_000_000:
            self._known[word] = term
        return term

    def term_ids(self, texts: Sequence[str], ids: dict[str, int], table: dict[str, int] | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
        """Every text's `terms` as ids (new terms numbered in order of first use, as `tfidf.analyse`
        numbers them; `ids` is extended in place): (int32 ids of all the texts in order, int32 count
        of each text's ids). Each word is looked up in `table` (word -> its term's id in `ids`, -1 for
        a stop word; extended in place, so it can serve later calls with the same `ids`), and the
        stop words are dropped from all the texts' ids at once."""
        table = {} if table is None else table
        get, words_of, term_of = table.get, self.words, self.term
        found = array("i")
        lengths = np.zeros(len(texts), np.int64)
        for row, text in enumerate(texts):
            words = words_of(text)
            numbers = list(map(get, words))
            if None in numbers:
                for word in words:  # in order, so that new terms are numbered in order of first use
                    if word not in table:
                        term = term_of(word)
                        table[word] = ids.setdefault(term, len(ids)) if term else -1
                numbers = list(map(table.__getitem__, words))
            found.extend(numbers)
            lengths[row] = len(numbers)
        every = np.frombuffer(found, np.int32) if len(found) else np.zeros(0, np.int32)
        kept = every >= 0
        of_text = np.repeat(np.arange(len(texts)), lengths)
        return every[kept], np.bincount(of_text[kept], minlength=len(texts)).astype(np.int32)

    def synonyms(self, term: str) -> tuple[str, ...]:
        """Terms that news writers use for `term` (not including it)."""
        return _SYNONYMS.get(term, ())


def _synonym_table() -> dict[str, tuple[str, ...]]:
    analyzer = Analyzer()
    table: dict[str, set[str]] = {}
    for group in _SYNONYM_GROUPS:
        terms = {analyzer.term(w) for w in group.split()} - {None}
        for t in terms:
            table.setdefault(t, set()).update(terms - {t})  # type: ignore[arg-type]
    return {t: tuple(sorted(s)) for t, s in table.items()}


_SYNONYMS: dict[str, tuple[str, ...]] = {}
_SYNONYMS.update(_synonym_table())
