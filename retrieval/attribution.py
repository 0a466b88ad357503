"""Finding whom a news sentence attributes its claim to ("..., a war monitor said")."""

from __future__ import annotations

import re

_VERBS = (
    r"(?:said|says|say|told|tells|added|adds|stated|states|claimed|claims|denied|denies|"
    r"announced|announces|reported|reports|warned|warns|insisted|insists|confirmed|confirms|"
    r"alleged|alleges|argued|argues|explained|explains|wrote|writes|noted|notes|believes?|"
    r"estimated|estimates)"
)
# Words that show a leading phrase is a clause of its own, not a speaker ("Air strikes were reported").
_NOT_SPEAKER = re.compile(
    r"\b(?:was|were|is|are|be|been|being|has|have|had|it|this|that|there|which|who|what|when|if|also|"
    r"not|never|could|would|should|will|can|may|might|must)\b",
    re.IGNORECASE,
)
_QUOTE_CLOSE = "\"”’'"

# `"...," Mohammad Rashid, spokesman for the group said.` / `..., a war monitor said.`
_TRAILING_VERB = re.compile(r"\s+" + _VERBS + r"(?:\s+(?:on|in|last|this)\s+\w+)?\s*[.!?]?\s*$")
# `... offensive, say rebels` (speaker after the verb, as headlines put it)
# In a sentence the inverted verb follows a comma or a quotation ("..., said police."); a headline
# has no full stop.
_INVERTED = re.compile(r"(?:[,\"”’]\s*|\s(?=[^.!?]*$))(?:say|says|said)\s+(?P<who>[\w\- ]{2,60}?)\s*[.!?]?\s*$")
# `After an 11-day pause, opposition fighters say Syrian and Russian forces ...`
_MID = re.compile(r",\s*(?P<who>[^,;\"“”]{2,60}?)\s+(?:say|says|said)\s+(?:that\s+)?\w")
# `"...," Maj Youssef Hamoud, a spokesman of the National Army.` (a quote closed by its speaker alone)
_QUOTE_THEN_NAME = re.compile(r"[,.!?][\"”]\s+(?P<who>[A-Z][^\"“”]{2,200}?)\s*[.]?\s*$")
# `... according to activists and a monitor.`
_ACCORDING = re.compile(r"\baccording to (?P<who>[^,.;:\"“”()]{2,120})", re.IGNORECASE)
# `Russian Foreign Minister Sergei Lavrov said in August that ...` / `Rebels say that ...`
_LEADING = re.compile(r"^(?P<who>[A-Z\"“][^,;:\"“”]{1,100}?)\s+" + _VERBS + r"\b")
# `The mayor, Jane Roe, said ...` (a speaker and an apposition before the verb)
_LEADING_APPOSITION = re.compile(r"^(?P<who>[A-Z][^,;:\"“”]{1,60},\s[^,;:\"“”]{2,80}),\s+" + _VERBS + r"\b")
# `... in what the opposition says has been ...`
_WHAT_X_SAYS = re.compile(r"\bin what (?P<who>(?:the |a )?[\w\- ]{2,60}?) (?:says?|said|calls?|called)\b")


_GERUND = re.compile(r"\b[a-z]+ing\b")
_NAME = re.compile(r"^(?:(?:Mr|Mrs|Ms|Dr|Maj|Gen|Col|Capt|Sgt|Lt|Prof)\.?\s)?(?:[A-Z][\w'’.\-]*\s?){1,4}$")


def _trailing_speaker(text: str) -> str | None:
    verb = _TRAILING_VERB.search(text)
    if not verb:
        return None
    before = text[: verb.start()]
    quote = max(before.rfind(q) for q in _QUOTE_CLOSE)
    if quote > 0 and before[quote - 1] in ",.!?":
        who = before[quote + 1:]  # the speaker of a quotation: everything after it
    else:
        parts = before.split(",")
        if len(parts) < 2:
            return None
        who = parts[-1]
        # "Mohammad Rashid, spokesman for the group": a name, then the role it is given.
        if len(parts) >= 3 and _NAME.match(parts[-2].strip()) and not parts[-1].strip()[:1].isupper():
            who = parts[-2] + "," + parts[-1]
    who = who.strip()
    if not _speaker_like(who.split(",")[0], 10):
        return None
    return _tidy(who)


def _tidy(who: str) -> str | None:
    who = who.strip(" ,;:\"“”'’")
    if len(who) < 2 or len(who) > 200:
        return None
    return who


def _speaker_like(who: str, max_words: int) -> bool:
    words = who.split()
    return 0 < len(words) <= max_words and not _NOT_SPEAKER.search(who)


def attribute(sentence: str) -> str | None:
    """Whom the sentence names as the source of its claim, in the sentence's own words, or None."""
    text = sentence.strip()
    who = _trailing_speaker(text)
    if who:
        return who
    match = _QUOTE_THEN_NAME.search(text)
    if match and _speaker_like(match.group("who").split(",")[0], 6):
        return _tidy(match.group("who"))
    match = _ACCORDING.search(text)
    if match:
        return _tidy(match.group("who"))
    match = _LEADING_APPOSITION.search(text)
    if match and _speaker_like(match.group("who").split(",")[0], 8):
        return _tidy(match.group("who"))
    match = _LEADING.search(text)
    if match and _speaker_like(match.group("who"), 8) and not _GERUND.search(match.group("who")):
        return _tidy(match.group("who"))
    match = _INVERTED.search(text)
    if match and _speaker_like(match.group("who"), 4):
        return _tidy(match.group("who"))
    match = _MID.search(text)
    if match and _speaker_like(match.group("who"), 5):
        return _tidy(match.group("who"))
    match = _WHAT_X_SAYS.search(text)
    if match and _speaker_like(match.group("who"), 5):
        return _tidy(match.group("who"))
    return None
