"""Searching only some articles: published since or until a moment, from one outlet; and the chat form of these.

A filter is read once, at the edge (`--since`, a JSON line's `"since"`, Telegram's `since:`), into a
`Filters`; the service turns it into the set of articles searched, so only their sentences are ranked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from retrieval import parse_time

DATE_FORMAT = "YYYY-MM-DD or an ISO time such as 2024-06-01T12:00"


class FilterError(ValueError):
    """A filter that cannot be read; the message is one line naming what is wrong and the format."""


@dataclass(frozen=True)
class Filters:
    """Which articles a question searches. A day-only bound takes in the whole day (until 2024-06-17 is
    up to its last moment); an article dated by its day alone is in when that day overlaps the bounds.
    With `since` or `until`, articles without a date are left out (nothing says when they were written)."""

    since: datetime | None = None
    until: datetime | None = None
    source: str | None = None  # an outlet's name, matched without regard to case or a leading "The"
    written: tuple[tuple[str, str], ...] = ()  # the filters as given, for the reply: ("since", "2024-06-01")

    def __bool__(self) -> bool:
        return self.since is not None or self.until is not None or self.source is not None

    @classmethod
    def read(cls, since: str | None = None, until: str | None = None, source: str | None = None) -> "Filters":
        """Filters from their written forms; raises FilterError for a bad date or an empty outlet."""
        written = []
        low = high = None
        if since is not None:
            low = _bound("since", since, end_of_day=False)
            written.append(("since", since.strip()))
        if until is not None:
            high = _bound("until", until, end_of_day=True)
            written.append(("until", until.strip()))
        if low and high and low > high:
            raise FilterError(f"since {since} is after until {until}")
        if source is not None:
            if not isinstance(source, str) or not source.strip():
                raise FilterError("source: give an outlet's name, e.g. source:\"Harbour Times\"")
            source = " ".join(source.split())
            written.append(("source", source))
        return cls(low, high, source, tuple(written))

    def merged(self, other: "Filters | None") -> "Filters":
        """These filters with `other`'s given ones put over them."""
        if not other:
            return self
        keys = {k for k, _ in other.written}
        return Filters(other.since if "since" in keys else self.since, other.until if "until" in keys else self.until,
                       other.source if "source" in keys else self.source,
                       tuple(w for w in self.written if w[0] not in keys) + other.written)

    def admits(self, published: str | None, outlet: str | None) -> bool:
        """True when an article with this `published` value and outlet is searched."""
        if self.source is not None and not same_outlet(self.source, outlet):
            return False
        if self.since is None and self.until is None:
            return True
        if not published:
            return False
        try:
            first = parse_time(published)
            last = parse_time(published, end_of_day=True)
        except ValueError:
            return False
        return (self.since is None or last >= self.since) and (self.until is None or first <= self.until)


def _bound(name: str, value: object, end_of_day: bool) -> datetime:
    if not isinstance(value, str):
        raise FilterError(f"{name}: give a date as text ({DATE_FORMAT})")
    try:
        return parse_time(value, end_of_day=end_of_day)
    except ValueError:
        raise FilterError(f"{name}: not a date: {value.strip()!r} (use {DATE_FORMAT})") from None


def _outlet_words(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.casefold())
    words = re.findall(r"[^\W_]+", "".join(c for c in folded if not unicodedata.combining(c)))
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def same_outlet(wanted: str, outlet: str | None) -> bool:
    """True when `outlet` is the outlet named: the same words (case, accents, punctuation and a leading
    "The" aside), or those words within its name ("planet" is The Daily Planet)."""
    if not outlet:
        return False
    want, have = _outlet_words(wanted), _outlet_words(outlet)
    return bool(want) and (want == have or f" {want} " in f" {have} ")


_PREFIX = re.compile(r"""\s*(since|until|source):\s*(?:"([^"]*)"|“([^”]*)”|'([^']*)'|(\S+))""", re.IGNORECASE)


def split_prefix(text: str) -> tuple[Filters | None, str]:
    """Filters written before a question in a chat — `since:2024-06-01 until:2024-06-30
    source:"Harbour Times" How many were killed?` — and the question after them. (None, text) when the
    text opens with none; raises FilterError for a bad one."""
    given: dict[str, str] = {}
    at = 0
    while True:
        match = _PREFIX.match(text, at)
        if not match:
            break
        key = match.group(1).lower()
        value = next(v for v in match.groups()[1:] if v is not None)
        if key in given:
            raise FilterError(f"{key}: given twice")
        given[key] = value
        at = match.end()
    if not given:
        return None, text
    return Filters.read(given.get("since"), given.get("until"), given.get("source")), text[at:].strip()
