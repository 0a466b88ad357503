"""Many articles about one story: wire copies folded into one answer, newer reports first, earlier figures named.

Works on ranked passages, best first, after the search and before they are cut to `top_k`:

- `copy_groups` and `folded`: a sentence carried (nearly) word for word by several articles is one answer. Two
  sentences are copies when their words are the same (case, accents and punctuation aside) or their
  word 3-shingles overlap by a Jaccard of at least 0.8 (an outlet's changed word or added clause; see
  benchmarks/duplicates.py for how many such pairs NewsQA and BBC hold). The answer cites the newest
  copy (the best-scored among equally new ones) and lists the others in `also_in`.
- `newer_first`: answers whose scores are within 5% of one another are close in evidence; among
  them the more recently published comes first. Undated articles keep the place their score gives.
- `newest_figure_first`: when a question asks for a figure (how many, how much, the toll) and the
  best answers from different articles give different figures, the newest report comes first and
  the earlier figures go with it (`earlier`), each with its outlet and date. When the newest report's
  sentence is not evidence enough to lead, the best answer stays first and names it (`later`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone
from functools import lru_cache
from typing import Callable, Sequence

from retrieval import parse_time

from .answers import Earlier, Passage

COPY_SIMILARITY = 0.8  # word 3-shingle Jaccard at or above which two sentences are one wire copy
# ... or the share of the shorter one's shingles the longer holds, when the shorter has at least
# CONTAINED_MIN of them and half the longer's: an outlet's added clause ("…, and is in a stable condition")
CONTAINED = 0.8
CONTAINED_MIN = 6
CLOSE = 0.05  # answers whose scores differ by at most this share of the higher one are close in evidence
FIGURE_BAND = 0.75  # answers scoring at least this share of the best can be the same story's figure
FIGURE_DEPTH = 5  # ... among this many best answers
LATER_BAND = 0.6  # a newer report's figure this close to the best answer is named under it (`later`)
LATER_COVERAGE = 0.8  # ... when it holds this share of the question's words that the answer holds, or more

_WORDS = re.compile(r"[^\W_]+")
_ASKS_FIGURE = re.compile(
    r"\bhow (?:many|much)\b|\bwhat (?:number|figure|total|amount)\b|\b(?:death )?toll\b|\bnumber of\b", re.IGNORECASE)
_QUALIFIER = r"(?:(?:at least|more than|over|nearly|almost|about|around|some|up to|fewer than|less than|as many as)\s+)?"
_FIGURE = re.compile(
    rf"\b{_QUALIFIER}(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)(?:\s+(?P<scale>million|billion|thousand|hundred))?\b",
    re.IGNORECASE)
# Figures written as words ("at least four", "twenty-five"), as news style has them up to nine or ten;
# "one" is left out ("one of the injured", "no one").
_UNITS = {w: n for n, w in enumerate("two three four five six seven eight nine".split(), start=2)}
_TEENS = {w: n for n, w in enumerate("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen "
                                     "nineteen".split(), start=10)}
_TENS = {w: n * 10 for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
_WORD_FIGURE = re.compile(
    rf"\b{_QUALIFIER}(?P<n>(?P<tens>{'|'.join(_TENS)})(?:[- ](?P<unit>one|{'|'.join(_UNITS)}))?|"
    rf"{'|'.join(_TEENS)}|{'|'.join(_UNITS)})(?:\s+(?P<scale>million|billion|thousand|hundred))?\b", re.IGNORECASE)
_UNIT = re.compile(r"(?:\s+|-)([A-Za-z]+)\b|\s*(%)")  # "300 residents", "52-year-old", "4%"
_PER_CENT = re.compile(r"\s+per\s?cent\b", re.IGNORECASE)
_ASKED_UNIT = re.compile(r"\bhow many\s+(?:more\s+|of\s+the\s+)?([A-Za-z]+)", re.IGNORECASE)
_PEOPLE = frozenset("people person dead killed died victim bodie body death casualtie casualty injured wounded "
                    "resident civilian".split())
_NOT_UNITS = frozenset(
    "on in at by to from and or of the a an after since for with than as per this last yesterday today "
    "tomorrow tonight when who which that were was are is have had has more fewer other so far now".split())
_NEVER = datetime.min.replace(tzinfo=timezone.utc)
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}


def words(text: str) -> list[str]:
    """A sentence's words, case and accents folded, punctuation left out."""
    folded = text.casefold()
    if not folded.isascii():
        folded = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return _WORDS.findall(folded)


def shingles(text: str) -> frozenset[tuple[str, ...]]:
    """A sentence's runs of three words (the whole sentence when it is shorter)."""
    return _shingles(words(text))


@lru_cache(maxsize=8192)
def _sentence_key(text: str) -> tuple[tuple[str, ...], frozenset[tuple[str, ...]], tuple[float, ...]]:
    """A sentence's words, shingles and figures' values, as copies are told by (kept: a question compares
    the same few sentences again as it fetches more matches, and the next question often the same again)."""
    w = tuple(words(text))
    return w, _shingles(w), tuple(value for _, value in _figure_matches(text))


def _shingles(w: Sequence[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(zip(w, w[1:], w[2:])) if len(w) >= 3 else frozenset([tuple(w)])


def published_at(passage: Passage) -> datetime | None:
    published = passage.article.published
    if not published:
        return None
    try:
        return parse_time(published)
    except ValueError:
        return None


def copy_groups(passages: Sequence[Passage]) -> list[list[int]]:
    """The passages (by their place in `passages`) grouped as copies of one sentence, at most one a
    group from each article: each group in the passages' order, the groups in the order of their first."""
    groups: list[list[int]] = []
    keys: list[tuple[list[tuple], set[str]]] = []  # each group's sentences' keys (_sentence_key); its articles
    for n, p in enumerate(passages):
        mine = _sentence_key(p.text)
        for group, (theirs, articles) in zip(groups, keys):
            # a copy of any of them: the wire's sentence, one outlet's with a clause added, another's
            # with a word put in ("a 52-year-old man from Dunmore")
            if p.article.id not in articles and any(_copies(mine, key) for key in theirs) \
                    and all(_same_figures(mine[2], key[2]) for key in theirs):  # not 14 beside another's 12
                group.append(n)
                theirs.append(mine)
                articles.add(p.article.id)
                break
        else:
            groups.append([n])
            keys.append(([mine], {p.article.id}))
    return groups


def copy_of_any(text: str, others: Sequence[str]) -> bool:
    """True when the sentence `text` is one of `others` or a wire copy of one (as copy_groups tells them)."""
    mine = _sentence_key(text)
    return any(_copies(mine, _sentence_key(other)) for other in others)


def folded(group: Sequence[Passage]) -> Passage:
    """One answer for a group of copies (copy_groups), best first: the newest copy is cited (among
    equally new or undated ones, the best-scored), with the best copy's score, coverage and margin."""
    if len(group) == 1:
        return group[0]
    cited = max(enumerate(group), key=lambda item: (published_at(item[1]) or _NEVER, -item[0]))[1]
    others = tuple(q.article for q in group if q is not cited)
    return replace(cited, score=group[0].score, coverage=group[0].coverage, margin=group[0].margin, also_in=others)


def _copies(mine: tuple, theirs: tuple) -> bool:
    """Whether two sentences (their _sentence_key) are one wire copy. The shared shingles are at most the
    smaller set: sets of sizes too far apart are never copies. Alike sentences where one gives another
    figure in place of the other's are not copies but an update ("rose to 7" / "rose to 9"): folded, the
    later one's outlet would be named as carrying the earlier one's figure. A figure added ("$180bn
    (£96bn)") is an outlet's added clause; "four", "4" and "3,000" / "3000" are one figure each."""
    (w, grams, values), (their_words, their_grams, their_values) = mine, theirs
    if w == their_words:
        return True
    small, large = sorted((len(grams), len(their_grams)))
    if small < COPY_SIMILARITY * large and (small < CONTAINED_MIN or small < large / 2):
        return False
    return _alike(grams, their_grams) and _same_figures(values, their_values)


def _same_figures(mine: Sequence[float], theirs: Sequence[float]) -> bool:
    """True when neither sentence gives a figure in place of one the other gives: the figures of one are
    all among the other's."""
    if tuple(mine) == tuple(theirs):
        return True
    a, b = Counter(mine), Counter(theirs)
    return not (a - b) or not (b - a)


def _alike(mine: frozenset, theirs: frozenset) -> bool:
    """Shingle sets alike enough for copies: a Jaccard of at least COPY_SIMILARITY, or the shorter's
    (of CONTAINED_MIN shingles or more, and half the longer's) held by the longer at CONTAINED or more."""
    shared = len(mine & theirs)
    if shared >= COPY_SIMILARITY * (len(mine) + len(theirs) - shared):
        return True
    small, large = sorted((len(mine), len(theirs)))
    return small >= CONTAINED_MIN and small >= large / 2 and shared >= CONTAINED * small


def newer_first(passages: Sequence[Passage]) -> list[Passage]:
    """Within each run of answers close in evidence (see CLOSE), the dated ones newest first, in the
    places the dated ones held; undated answers keep theirs."""
    out = list(passages)
    i = 0
    while i < len(out):
        top = out[i].score
        j = i + 1
        while j < len(out) and out[j].score >= top - CLOSE * abs(top):
            j += 1
        band = out[i:j]
        slots = [k for k, p in enumerate(band) if published_at(p) is not None]
        dated = sorted((band[k] for k in slots), key=published_at, reverse=True)  # stable: ties keep their order
        for k, p in zip(slots, dated):
            out[i + k] = p
        i = j
    return out


def asks_figure(question: str) -> bool:
    return bool(_ASKS_FIGURE.search(question))


def figures(passage: Passage) -> list[tuple[str, float]]:
    """The figures a passage gives ("at least 12", "3,000"), as written and as values; days, years
    and numbers inside its date expressions left out."""
    return [(m.group(0), value) for m, value in _figures_of(passage)]


def _figures_of(passage: Passage) -> list[tuple[re.Match, float]]:
    taken = [(d.start, d.end) for d in passage.dates]
    return [(m, value) for m, value in _figure_matches(passage.text) if not any(a <= m.start("n") < b for a, b in taken)]


def _figure_matches(text: str) -> list[tuple[re.Match, float]]:
    """Each figure of a text (years left out) and its value, in order."""
    out = []
    for m in sorted([*_FIGURE.finditer(text), *_WORD_FIGURE.finditer(text)], key=lambda m: m.start()):
        number = m.group("n").replace(",", "")
        if number[0].isdigit():
            if re.fullmatch(r"(?:19|20)\d\d", number) and not m.group("scale"):
                continue  # a year
            value = float(number)
        else:
            word = number.lower()
            value = float(_TENS[m.group("tens").lower()] + (_UNITS.get(m.group("unit").lower(), 1) if m.group("unit") else 0)
                          if m.group("tens") else _TEENS.get(word) or _UNITS[word])
        out.append((m, value * _SCALES.get((m.group("scale") or "").lower(), 1)))
    return out


def _unit(text: str, figure: re.Match) -> str | None:
    """What a figure counts, when the word after it says ("60 millimetres", "300 residents" -> "resident"):
    None when no noun follows ("rose to 15 on Tuesday", "killed 12."). The dead are one unit however
    they are told ("12 dead", "15 people", "9 victims")."""
    if _PER_CENT.match(text, figure.end()):
        return "percent"
    after = _UNIT.match(text, figure.end())
    if after and after.group(2):
        return "percent"
    return _noun(after.group(1) if after else None)


def _noun(word: str | None) -> str | None:
    """A unit word as units are compared: singular, lower case; the dead and the people of a place one."""
    if word is None or word.lower() in _NOT_UNITS:
        return None
    word = word.lower()
    word = word[:-1] if word.endswith("s") and len(word) > 3 else word
    return "people" if word in _PEOPLE else word


_AUXILIARIES = frozenset("do does did will would can could should shall may might must have has had be been being "
                         "is are was were".split())


def asked_unit(question: str) -> str | None:
    """What a "how many" question counts ("How many drivers ...?" -> "driver"; "How many did police
    arrest?" counts nothing it names), or None."""
    asked = _ASKED_UNIT.search(question)
    if not asked or asked.group(1).lower() in _AUXILIARIES:
        return None
    return _noun(asked.group(1))


def newest_figure_first(question: str, passages: Sequence[Passage], acceptable: Callable[[Passage], bool],
                        about: Callable[[Passage], bool] = lambda p: True) -> list[Passage]:
    """For a question asking for a figure: when the best answers from different articles give different
    figures, the newest of them first (if it is itself an acceptable answer), carrying the earlier ones.
    Otherwise a newer report's figure of the same thing among the next answers (LATER_BAND; `about`: it
    holds what the question names) is named under the best one (`later`)."""
    out = list(passages)
    if not out or not asks_figure(question):
        return out
    counted = _counter(question)
    changed = _newest_first(out, counted, acceptable)
    return changed if changed is not None else _with_later_note(out, counted, about)


def _counter(question: str) -> "Counted":
    asked = asked_unit(question)

    def counted(p: Passage) -> list[tuple[re.Match, float]]:
        # the figures that can count what the question asks about: "1,200 drivers" or "rose to 14" for
        # "How many drivers?", not "two busiest routes" or "a 52-year-old" or "4%"
        return [(m, v) for m, v in _figures_of(p) if asked is None or _unit(p.text, m) in (asked, None)]

    return counted


Counted = Callable[[Passage], list[tuple[re.Match, float]]]


def _alike_units(units: set) -> set:
    """The units a figure may have to count the same thing as figures of `units`: those, or none named
    ("rose to 11"); beside figures naming none, none or people, not "four firefighters", a part of the whole."""
    return units | {None} if units else {None, "people"}


def _with_later(out: list[Passage], newer: Passage, counted: Counted) -> list[Passage] | None:
    """`out` with `newer`'s figure of what the best answer's figures count named under it (`later`), or
    None when it gives none, or gives the answer's figure too ("Seven people died and 3 were injured")."""
    mine = counted(out[0])
    values = {v for _, v in mine}
    theirs = counted(newer)
    if values & {v for _, v in theirs}:
        return None
    allowed = _alike_units({_unit(out[0].text, m) for m, _ in mine} - {None})
    # the newer figure of the same thing: "risen to 14", not the "Two" of "Two days on"
    same = [(m, v) for m, v in theirs if _unit(newer.text, m) in allowed]
    if not same:
        return None
    figure, value = same[0][0].group(0), same[0][1]
    note = tuple(Earlier(figure, newer.text, a, value) for a in (newer.article, *newer.also_in))
    return [replace(out[0], later=note)] + out[1:]


def _with_later_note(out: list[Passage], counted: Counted, about: Callable[[Passage], bool]) -> list[Passage]:
    """The best answer with the figure of a newer report among the next answers (the best-scored of
    those scoring at least LATER_BAND of it, about what the question names), of the same thing and
    another value: named as `later`, the order kept (a note under the answer, not an answer in its place)."""
    first = out[0]
    when = published_at(first)
    if when is None or not counted(first):
        return out
    # as much of the question as the answer holds (not a toll's "two missing residents" for "How many
    # residents did firefighters pull from rooftops?")
    newer = [p for p in out[1:FIGURE_DEPTH] if p.score >= LATER_BAND * first.score and p.article.id != first.article.id
             and p.coverage >= LATER_COVERAGE * first.coverage
             and (published_at(p) or _NEVER) > when and counted(p) and about(p)]
    if not newer:
        return out
    # the best of them: the one most about the question ("300 residents" evacuated are people too, but a
    # report of the toll scores higher for a toll question)
    return _with_later(out, newer[0], counted) or out


def _newest_first(out: list[Passage], counted: Counted, acceptable: Callable[[Passage], bool]) -> list[Passage] | None:
    """newest_figure_first's reordering (or, when the newest report cannot lead, its note), or None when
    it does not apply."""
    best = out[0].score
    candidates = [p for p in out[:FIGURE_DEPTH] if p.score >= FIGURE_BAND * best and published_at(p) and counted(p)]
    if len(candidates) < 2:
        return None
    newest = max(candidates, key=published_at)
    mine = {value for _, value in counted(newest)}
    units = {_unit(newest.text, m) for m, _ in counted(newest)} - {None}
    earlier: list[tuple[Passage, tuple[str, float]]] = []
    for p in candidates:
        if p is newest or published_at(p) >= published_at(newest) or p.article.id == newest.article.id \
                or mine & {value for _, value in counted(p)}:
            continue
        # the figure of the same thing: not "three days" of rain or "300 residents" before "60 millimetres"
        alike = [(m.group(0), value) for m, value in counted(p) if _unit(p.text, m) in _alike_units(units)]
        if alike:
            earlier.append((p, alike[0]))
    earlier.sort(key=lambda e: published_at(e[0]), reverse=True)  # the latest earlier figure first
    if not earlier:
        return None
    if newest is not out[0] and not acceptable(newest):
        # The newer figure's sentence is not evidence enough to lead ("What is the latest death toll?"
        # beside "The number of people killed has risen to 14"): the answer stays, and says it is not
        # the latest report.
        return _with_later(out, newest, counted) if any(p is out[0] for p, _ in earlier) else None
    # each outlet that gave an earlier figure, a wire copy's other outlets too (render shows a figure once)
    notes = tuple(Earlier(figure, p.text, a, value) for p, (figure, value) in earlier for a in (p.article, *p.also_in))
    out.remove(newest)
    return [replace(newest, earlier=notes)] + out
