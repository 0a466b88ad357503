"""Date expressions in news text ("on Sunday", "yesterday", "last week", "June 16", "16/6") resolved to days.

A sentence's relative dates are read against its article's `published` day. The forms are a closed
set, so they are matched by one regular expression and resolved by a few lines of arithmetic: at
ingest this runs on every sentence, where a general date parser costs far more (README: Dates).

Direction: news is written in the past tense, so a bare weekday ("on Sunday") is the latest such day
on or before the reference day; in a sentence that speaks of what is to come ("will", "expect",
"until", "due", "next", ...) it is the next such day on or after it. "last Sunday" is always before,
"next Sunday" always after. A day and month without a year ("on June 16", "16/6") takes the year
that puts it nearest the reference day. Numeric dates are day/month (16/6) unless the first number
cannot be a month (6/16 is 16 June).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Sequence

import numpy as np

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_MONTH = r"(?P<{0}>january|february|march|april|(?-i:May)|june|july|august|september|october|november|" \
         r"december|jan\.?|feb\.?|mar\.?|apr\.?|jun\.?|jul\.?|aug\.?|sept?\.?|oct\.?|nov\.?|dec\.?)"
_DAY = r"(?P<{0}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{0}>(?:19|20)\d\d)"
_PREP = r"(?:(?P<prep>on|since|until|till|from|by|before|after)\s+(?:the\s+)?)?"

# "on Monday night", "yesterday morning": the part of the day goes with the day, so the day shown after
# it reads "on Monday night (3 March 2025)", not "on Monday (3 March 2025) night"
_PART_OF_DAY = r"(?:\s+(?:morning|afternoon|evening|night))?"
_PATTERN = re.compile(
    r"(?<![\w/-])(?:"
    rf"(?P<iso>{_YEAR.format('iy')}-(?P<im>[01]\d)-(?P<id>[0-3]\d))(?![\w-])"
    rf"|{_PREP}(?:"
    rf"{_MONTH.format('m1')}\s+{_DAY.format('d1')}(?![\w%]|[:.,]\d)(?:,?\s+{_YEAR.format('y1')})?"
    rf"|{_DAY.format('d2')}(?:\s+of)?\s+{_MONTH.format('m2')}(?:,?\s+{_YEAR.format('y2')})?(?![\w])"
    rf"|(?P<nd>[0-3]?\d)/(?P<nm>[01]?\d)(?:/(?P<ny>(?:19|20)?\d\d))?(?![\w/%])"
    r"|(?P<rel>last|next|this|coming)\s+(?P<rw>monday|tuesday|wednesday|thursday|friday|saturday|sunday|week)"
    r"|(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:'s)?" + _PART_OF_DAY +
    r"|(?P<two>(?:the\s+)?day\s+(?:before\s+yesterday|after\s+tomorrow))"
    r"|(?P<near>yesterday|today|tomorrow)" + _PART_OF_DAY + r"|(?P<tonight>tonight)"
    r"))(?![\w])",
    re.IGNORECASE,
)
# Words of a sentence about what is still to come, which turns a bare weekday forward.
_FUTURE = re.compile(
    r"\b(?:will|won't|shall|'ll|expects?|expected|forecasts?|due|until|till|plans?\s+to|"
    r"set\s+to|going\s+to|is\s+to|are\s+to|scheduled|planned|upcoming|next)\b",
    re.IGNORECASE,
)
_CLOSING_COMMA = re.compile(r"\s*,")
_RELATIVE = re.compile(r"\s*(?:which|that|when|who)\b", re.IGNORECASE)
# A cheap test that a text may hold a date expression at all (most sentences do not): plain substring
# tests, and one expression that starts at a capital or a digit (months are capitalised in news text).
_MAYBE = re.compile(r"[JFMASOND][a-zA-Z]{2,8}\.?\s[0-9]|[0-9](?:st|nd|rd|th)?\s(?:of\s)?[JFMASOND]|[0-9][/-][0-9]")


def _maybe(text: str) -> bool:
    return ("day" in text or "Day" in text or "eek" in text or "EEK" in text or "night" in text or "NIGHT" in text
            or "DAY" in text or "orrow" in text or "ORROW" in text or _MAYBE.search(text) is not None)


@dataclass(frozen=True)
class DateMention:
    """A date expression in a text and the day (or, for a week, the days) it names."""

    text: str  # as written, with its preposition: "on Sunday"
    start: int  # character offsets of `text` in the sentence
    end: int
    day: date  # the day named, or the first day of the week named
    last: date | None = None  # for a week: its last day (Sunday)
    # named only from the day it is read against ("yesterday", "the day before yesterday"),
    # not a day a text can mean whatever its date ("on Sunday", "16 June")
    from_reference: bool = False

    def to_json(self) -> dict:
        out = {"text": self.text, "date": self.day.isoformat()}
        if self.last is not None:
            out["until"] = self.last.isoformat()
        return out


def published_day(published: str | None) -> date | None:
    """The day an article's `published` value names (a day or a full ISO time), or None."""
    if not published:
        return None
    try:
        return parse_time(published).date()
    except ValueError:
        return None


def parse_time(text: str, end_of_day: bool = False) -> datetime:
    """A day (YYYY-MM-DD) or full ISO time (2024-06-01T12:00, with or without an offset) as an aware
    datetime (UTC when no offset is given); a bare day is its first moment, or with `end_of_day` its
    last. Raises ValueError for anything else."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        day = date.fromisoformat(text)
        moment = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        return moment + timedelta(days=1, microseconds=-1) if end_of_day else moment
    if not re.fullmatch(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d.*", text):
        raise ValueError(f"not a day or ISO time: {text!r}")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


_SPAN_END = re.compile(r"\b(?:to|through|until|till)\s+$", re.IGNORECASE)
_THEN_AND = re.compile(r"^\s*,?\s*and\s+(?:\w+\s+){0,3}$", re.IGNORECASE)


def mentions(text: str, reference: date | None) -> list[DateMention]:
    """The date expressions of `text` resolved against the reference day (an article's published day,
    or today for a question); [] without a reference day, except for dates that carry their year."""
    if not _maybe(text):
        return []
    out: list[DateMention] = []
    ahead_from: date | None = None  # the latest day ahead a weekday before this one named
    ahead_end = 0  # where that weekday's expression ends
    for match in _PATTERN.finditer(text):
        future = False
        if match.group("wd") or match.group("rel") in ("this", "coming") and match.group("rw") != "week":
            # the weekday's own clause tells its tense: "Forecasters expect rain on Wednesday", "closed
            # until Friday"; not "approved on Wednesday, with more going to schools" or "Fares will
            # rise, the company announced on Friday"
            clause = max(text.rfind(mark, 0, match.start()) for mark in ",;:—(") + 1
            future = bool(_FUTURE.search(text, clause, match.end()))
            if not future and clause and text[clause - 1] == "," and _CLOSING_COMMA.match(text, match.end()):
                # set off by commas (", on Monday,", ", which starts on Monday,"): the clause around it
                # tells ("The ferry will, on Monday, resume", "The strike, which starts on Monday, will last")
                outer = max(text.rfind(mark, 0, clause - 1) for mark in ",;:—(") + 1
                future = bool(_FUTURE.search(text, outer, clause))
                if not future and _RELATIVE.match(text, clause):  # what the thing it describes will do
                    after = text.find(",", match.end())
                    end = min([i for i in (text.find(m, after + 1) for m in ",;:—.") if i >= 0] or [len(text)])
                    future = bool(_FUTURE.search(text, after, end))
        resolved = _resolve(match, reference, future)
        if resolved is not None:
            day, last = resolved
            if future and match.group("wd"):
                # The end of a span is after its start: "due to begin on Monday and last until Friday",
                # "from Monday to Friday", "between Monday and Friday", "close on Monday and reopen on
                # Friday" give the Friday after that Monday, though the article is Friday's. Only a span's
                # end: "reopen on Monday, after repairs due to finish on Saturday" names the earlier day
                # last. (What is read between them is at most 40 characters: a long text stays linear.)
                between = text[max(ahead_end, match.start() - 40):match.start()] if ahead_from is not None else ""
                ends_span = ahead_from is not None and (
                    match.group("prep") in ("until", "till") or _SPAN_END.search(between)
                    or (match.start() - ahead_end <= 40 and _THEN_AND.match(between)))
                if ends_span and 0 < (ahead_from - day).days <= 6:  # a span's end within the week after its start
                    day += timedelta(weeks=1)
                ahead_from, ahead_end = max(day, ahead_from or day), match.end()
            # ("tonight" is not: NewsQA asks about "The Tonight Show" and "Piers Morgan Tonight")
            relative = bool(match.group("near") or match.group("two"))
            out.append(DateMention(match.group(0), match.start(), match.end(), day, last, relative))
    return out


def days(text: str, reference: date | None) -> list[date]:
    """The single days a text names (weeks left out), in order, each once."""
    return list(dict.fromkeys(m.day for m in mentions(text, reference) if m.last is None))


def _resolve(m: re.Match, ref: date | None, future: bool) -> tuple[date, date | None] | None:
    try:
        if m.group("iso"):
            return date(int(m.group("iy")), int(m.group("im")), int(m.group("id"))), None
        if m.group("m1") or m.group("m2"):
            month = _MONTHS[(m.group("m1") or m.group("m2")).lower().rstrip(".")]
            day = int(m.group("d1") or m.group("d2"))
            year = m.group("y1") or m.group("y2")
            return _day_month(day, month, int(year) if year else None, ref), None
        if m.group("nd"):
            first, second = int(m.group("nd")), int(m.group("nm"))
            year = m.group("ny")
            # A bare "3/4" is as likely a fraction or a score: only a day over 12, a year or a
            # preposition ("on 3/4") makes it a date.
            if not (year or m.group("prep") or first > 12):
                return None
            day, month = (first, second) if second <= 12 else (second, first)
            full_year = None if not year else int(year) + (2000 if len(year) == 2 else 0)
            return _day_month(day, month, full_year, ref), None
    except (ValueError, KeyError):  # 31 June, month 13: not a date
        return None
    if ref is None:
        return None
    if m.group("two"):  # "the day before yesterday", "the day after tomorrow"
        return ref + timedelta(days=-2 if "before" in m.group("two").lower() else 2), None
    if m.group("tonight"):
        return ref, None
    if m.group("near"):
        word = m.group("near").lower()
        return ref + timedelta(days={"yesterday": -1, "tomorrow": 1}.get(word, 0)), None
    if m.group("rel"):
        rel, what = m.group("rel").lower(), m.group("rw").lower()
        if what == "week":
            monday = ref - timedelta(days=ref.weekday())
            monday += timedelta(weeks={"last": -1, "next": 1}.get(rel, 0))
            return monday, monday + timedelta(days=6)
        return _weekday(ref, WEEKDAYS.index(what), {"last": "before", "next": "after"}.get(rel, "forward")), None
    weekday = WEEKDAYS.index(m.group("wd").lower())
    return _weekday(ref, weekday, "forward" if future else "back"), None


def _weekday(ref: date, weekday: int, how: str) -> date:
    """The day with this weekday: latest on or before ref ("back"), strictly before ("before"), next
    on or after ("forward"), strictly after ("after")."""
    back = (ref.weekday() - weekday) % 7
    ahead = (weekday - ref.weekday()) % 7
    if how == "back":
        return ref - timedelta(days=back)
    if how == "before":
        return ref - timedelta(days=back or 7)
    if how == "after":
        return ref + timedelta(days=ahead or 7)
    return ref + timedelta(days=ahead)


def _day_month(day: int, month: int, year: int | None, ref: date | None) -> date:
    if year is not None:
        return date(year, month, day)
    if ref is None:
        raise ValueError("no year")
    # The year that puts the day nearest the reference day ("on December 30" read in January).
    candidates = []
    for y in (ref.year - 1, ref.year, ref.year + 1):
        try:
            candidates.append(date(y, month, day))
        except ValueError:  # 29 February
            pass
    if not candidates:
        raise ValueError("no such day")
    return min(candidates, key=lambda d: abs((d - ref).days))


def long_form(day: date) -> str:
    """16 June 2024."""
    return f"{day.day} {day.strftime('%B')} {day.year}"


# -- questions ------------------------------------------------------------------------------------
_DAY_LEVEL = re.compile(
    r"\d|yesterday|today|tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|ago",
    re.IGNORECASE)


def question_day(question: str, today: date) -> DateMention | None:
    """The one day a question names ("What happened on 16 June 2024?", "... last Sunday", "2 days ago"),
    read against `today`; None when it names none, or only a month, a year or a week.

    The forms the resolver above knows are read by it, the same way as in the sentences (a question's
    Sunday is the Sunday the articles mean) and at no cost; questions in other forms that may hold a
    date ("3 days ago", "16.06.2024", "the day before yesterday") go to dateparser, which is made for
    free-form dates but costs milliseconds a question (and about half a second to load)."""
    if not (_maybe(question) or "ago" in question.lower()):
        return None
    found = [m for m in mentions(question, today) if m.last is None]
    if found:
        return found[0]
    if any(m.last is not None for m in mentions(question, today)) or not _LIBRARY_HINT.search(question):
        return None  # "last week" is a week, not a day; "What day …?" names none
    return _library_day(question, today, bool(_FUTURE.search(question)))


# What the other day-naming forms hold: a number ("16.06.2024", "3 days ago") or "ago", "day before …".
_LIBRARY_HINT = re.compile(r"\d|\bago\b|\bday (?:before|after)\b", re.IGNORECASE)


def _library_day(question: str, today: date, future: bool) -> DateMention | None:
    try:
        from dateparser.search import search_dates
    except ImportError:  # pragma: no cover - dateparser comes with trafilatura
        return None
    base = datetime(today.year, today.month, today.day, 12)
    try:
        found = search_dates(question, languages=["en"], settings={
            "RELATIVE_BASE": base, "PREFER_DATES_FROM": "future" if future else "past",
            "RETURN_AS_TIMEZONE_AWARE": False})
    except Exception:  # noqa: BLE001 - a parser's failure on a question is no date, not an error
        return None
    for text, moment in found or []:
        if not _DAY_LEVEL.search(text) or re.fullmatch(r"\s*(?:19|20)\d\d\s*", text):
            continue  # "in June", "2019": not one day
        if re.search(r"\bweeks?\b|\bmonths?\b|\byears?\b", text, re.IGNORECASE) and "ago" not in text.lower():
            continue  # "last week": a week, not a day
        start = question.find(text)
        # A weekday is read the resolver's way (with the whole question's tense), so that a question's
        # Sunday is the Sunday an article's sentence means.
        mine = [m for m in mentions(question, today) if m.last is None and m.start <= start + len(text)
                and start <= m.end] if _weekday_only(text) else []
        day = mine[0].day if mine else moment.date()
        return DateMention(text, max(start, 0), max(start, 0) + len(text), day)
    return None


def _weekday_only(text: str) -> bool:
    """A bare or qualified weekday: "on Sunday", "last Sunday"."""
    return bool(re.fullmatch(r"\s*(?:on\s+)?(?:last\s+|next\s+|this\s+)?"
                             r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s*", text, re.IGNORECASE))


# -- the corpus's days ----------------------------------------------------------------------------
class DayIndex:
    """Which sentences name which day: for every (day, sentence) pair, sorted by day. Built at ingest
    with the corpus (a date question then costs two binary searches), kept in the index cache."""

    FILES = ("days.npy", "day_positions.npy")

    def __init__(self, days_: np.ndarray, positions: np.ndarray):
        self.days = days_  # int32 proleptic ordinals (date.toordinal), ascending
        self.positions = positions  # int64 sentence positions; ascending within one day

    @classmethod
    def build(cls, texts: Sequence[str], article_of: np.ndarray, published: Sequence[str | None]) -> "DayIndex":
        """From every sentence's text, the article number of each, and each article's `published`."""
        references = [published_day(p) for p in published]
        pairs: list[tuple[int, int]] = []
        for position, text in enumerate(texts):
            if _maybe(text):
                for day in days(text, references[int(article_of[position])]):
                    pairs.append((day.toordinal(), position))
        pairs.sort()
        return cls(np.fromiter((d for d, _ in pairs), np.int32, len(pairs)),
                   np.fromiter((p for _, p in pairs), np.int64, len(pairs)))

    def on(self, day: date) -> np.ndarray:
        """The positions of the sentences that name `day`, ascending."""
        ordinal = day.toordinal()
        lo, hi = np.searchsorted(self.days, ordinal, "left"), np.searchsorted(self.days, ordinal, "right")
        return np.asarray(self.positions[lo:hi])

    def save(self, folder: Path) -> None:
        np.save(folder / self.FILES[0], self.days)
        np.save(folder / self.FILES[1], self.positions)

    @classmethod
    def load(cls, folder: Path, sentences: int) -> "DayIndex":
        """Raises ValueError (or OSError) when the saved arrays are missing or do not fit the corpus."""
        loaded = [np.load(folder / name, allow_pickle=False) for name in cls.FILES]
        found, positions = loaded
        if found.shape != positions.shape or found.dtype != np.int32 or positions.dtype != np.int64 \
                or (len(positions) and (positions.min() < 0 or positions.max() >= sentences)):
            raise ValueError("cache arrays do not match")
        return cls(found, positions)
