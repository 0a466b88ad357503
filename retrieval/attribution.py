"""Finding whom a news sentence attributes its claim to ("..., a war monitor said")."""

from __future__ import annotations

import re

# Every pattern reads a stretch of bounded width: the sentence's head or tail, or a few dozen
# characters after a mark (a comma, a quotation's close, "according to"). So attribution takes time
# linear in the sentence's length whatever the text is (an unpunctuated megabyte included).
_TAIL = 240  # a trailing "..., X said on Monday." or `"...," X, a spokesman.` fits well within this

_PLAIN_VERBS = (
    "said|says|say|told|tells|added|adds|stated|states|claimed|claims|denied|denies|"
    "announced|announces|reported|reports|warned|warns|insisted|insists|confirmed|confirms|"
    "alleged|alleges|argued|argues|explained|explains|wrote|writes|noted|notes|believes?|"
    "estimated|estimates"
)
# Verbs that report a claim only when "that", "to" or a quotation follows: "She promised that ...", "He
# vowed to ...", not "The hospital admitted 12 patients" or "The budget promises 300 homes".
_CLAIM_VERBS = "promised|promises|pledged|pledges|vowed|vows|admitted|admits|acknowledged|acknowledges|conceded|concedes"
_VERBS = rf"(?:{_PLAIN_VERBS}|(?:{_CLAIM_VERBS})(?=(?:\s+(?:on|in|at|last|this|earlier|later)(?:\s+\w+)?)?\s+(?:that|to)\b|\s*[,:]?\s*[\"“]))"
# after a quotation or a clause ('"…," the mayor vowed.') any of them closes the sentence as its speaker's
_ANY_VERB = rf"(?:{_PLAIN_VERBS}|{_CLAIM_VERBS})"
_PERSON_CLAIM = re.compile(rf"^(?P<who>He|She|They|We|I)\s+(?:also\s+|later\s+|then\s+)?(?:{_CLAIM_VERBS})\b")
# Whom a speaker told: `told reporters`, `told the BBC's Today programme`, `told a news conference`.
_TOLD_WHOM = (
    r"(?:reporters|journalists|lawmakers|parliament|me|us|state (?:television|TV|media|news agency)"
    r"|(?:a|the) (?:news|press) (?:conference|briefing)|(?:a|the) (?:briefing|rally|crowd|court|jury|meeting)"
    r"|the (?:media|press|[A-Z][\w'’.\-]*(?: [A-Z][\w'’.\-]*){0,3})"
    r"(?: (?:programme|program|newspaper|radio|channel|news agency|agency|television))?"
    r"|[A-Z][\w'’.\-]*(?: [A-Z][\w'’.\-]*){0,2})"
)
# What may follow the verb: `on Monday`, `in a statement`, `on X`, `in a post on Telegram`, `earlier`,
# `outside the town hall`.
_ADJUNCT = (
    r"(?:\s+(?:yesterday|today|tonight|earlier|later|afterwards|recently"
    r"|(?:(?:late|early)\s+)?(?:on|in|at|during|after|before|last|this|via|with|from|to|outside|inside|near|"
    r"behind|beside|amid|around|following|ahead of)\s+"
    r"(?:(?:a|an|the|his|her|their|its)\s+)?[\w'’\-]+(?:\s+[\w'’\-]+)?))"
)
_VERB_PHRASE = rf"(?:told\s+{_TOLD_WHOM}|{_ANY_VERB}|posted|tweeted){_ADJUNCT}{{0,3}}"

# Words that show a leading phrase is a clause of its own, not a speaker ("Air strikes were reported").
_NOT_SPEAKER = re.compile(
    r"\b(?:was|were|is|are|be|been|being|has|have|had|it|this|that|there|which|who|what|when|if|also|"
    r"not|never|could|would|should|will|can|may|might|must)\b",
    re.IGNORECASE,
)
_QUOTE_CLOSE = "\"”’'"
# A speaker who is only a pronoun names nobody; the sentence before may.
_PRONOUN = re.compile(r"^(?:he|she|they|it|we|i|you)$", re.IGNORECASE)
_REFERS_BACK = re.compile(r"^(?:he|she|they|it|we|i|the spokesman|the spokeswoman|the spokesperson|"
                          r"the official)$", re.IGNORECASE)
# A relative clause after a speaker describes them and is not part of the name.
_RELATIVE_CLAUSE = re.compile(r",\s*(?:who|whose|whom|which|where)\b.*$", re.DOTALL)

# `"...," Mohammad Rashid, spokesman for the group said.` / `..., a war monitor said.` /
# `..., regional governor X told reporters on Monday.` / `..., X wrote on Telegram.`
_TRAILING_VERB = re.compile(r"\s+" + _VERB_PHRASE + r"\s*[.!?]?\s*$")
# `"...," said Marta Ionescu, who runs the shelter.` / `..., said police.` (the verb before its speaker)
_SAID_THEN = re.compile(
    r"[,\"”’]\s*(?:said|says|added|adds|asked|wrote|writes|explained|noted|insisted|warned)\s+"
    r"(?P<who>[^,;:!?\"“”()]{2,60}?)\s*(?=,|[.!?]?\s*$)"
)
# `, said to cost ...`, `, asked about the remark, said ...`: the verb is no speaker's.
_NOT_A_NAME_START = re.compile(
    r"^(?:about|above|across|after|against|along|among|around|as|at|before|behind|below|between|beyond|by|"
    r"despite|during|for|from|in|inside|into|like|near|of|off|on|onto|out|over|since|through|to|towards?|"
    r"under|until|up|upon|via|with|within|without|whether|how|why|what|where|that|if|and|but|or|so|than|"
    r"when|while|because|then|now|earlier|later|yesterday|today|also|only|just|once|again)\b",
    re.IGNORECASE,
)
# `... offensive, say rebels` (speaker after the verb, as headlines put it)
# In a sentence the inverted verb follows a comma or a quotation ("..., said police."); a headline
# has no full stop.
_INVERTED = re.compile(r"(?:[,\"”’]\s*|\s(?=[^.!?]*$))(?:say|says|said)\s+(?P<who>[\w\- ]{2,60}?)\s*[.!?]?\s*$")
# `After an 11-day pause, opposition fighters say Syrian and Russian forces ...` /
# `On Monday, regional governor X told reporters that ...`
_MID = re.compile(r",\s*(?P<who>[^,;\"“”]{2,60}?)\s+(?:say|says|said|told|wrote|writes|warned|insisted)\s+"
                  r"(?:that\s+)?\w")
# `"...," Maj Youssef Hamoud, a spokesman of the National Army.` (a quote closed by its speaker alone)
_QUOTE_THEN_NAME = re.compile(r"[,.!?][\"”]\s+(?P<who>[A-Z][^\"“”]{2,200}?)\s*[.]?\s*$")
# `... according to activists and a monitor.`
_ACCORDING = re.compile(r"\baccording to (?P<who>[^,.;:\"“”()]{2,120})", re.IGNORECASE)
# `Russian Foreign Minister Sergei Lavrov said in August that ...` / `Rebels say that ...`
# (an adverb between them is no part of the speaker: "She also said ...", "He later told ...")
_LEADING = re.compile(r"^(?P<who>[A-Z\"“][^,;:\"“”]{1,100}?)(?:\s+(?:also|later|then|again|further|previously|"
                      r"earlier|separately|repeatedly|once|had|has|have))?\s+" + _VERBS + r"\b")
# `The mayor, Jane Roe, said ...` (a speaker and an apposition before the verb)
_LEADING_APPOSITION = re.compile(r"^(?P<who>[A-Z][^,;:\"“”]{1,60},\s[^,;:\"“”]{2,80}),\s+" + _VERBS + r"\b")
# `... in what the opposition says has been ...`
_WHAT_X_SAYS = re.compile(r"\bin what (?P<who>(?:the |a )?[\w\- ]{2,60}?) (?:says?|said|calls?|called)\b")


# a word in -ing before the verb is a clause ("Protesters chanting slogans said"), unless it is part of
# a title ("managing director Joanna Hale said", "acting mayor")
_GERUND = re.compile(r"\b(?!(?:managing|acting|outgoing|incoming|founding|ruling|governing|presiding|reigning|"
                     r"leading|commanding|consulting|visiting|serving|ranking|supervising|attending)\b)[a-z]+ing\b")
# `, adding that ...`, `, speaking at ...` continue the sentence; `, managing director of ...` is a title.
_PARTICIPLE_CLAUSE = re.compile(r"^[a-z]+ing\s+(?:that|to|the|a|an|his|her|its|their|it|he|she|they|on|at|in|"
                                r"about|for|with|from|after|before)\b")
_CONJUNCTION = re.compile(r"^(?:but|and|yet|so|while|though|although)\s+", re.IGNORECASE)
_NAME = re.compile(r"^(?:(?:Mr|Mrs|Ms|Dr|Maj|Gen|Col|Capt|Sgt|Lt|Prof)\.?\s)?(?:[A-Z][\w'’.\-]*\s?){1,4}$")


def is_pronoun(speaker: str) -> bool:
    """Whether a speaker phrase is a bare pronoun ("She", "they")."""
    return bool(_PRONOUN.match(speaker.strip()))


def refers_back(speaker: str) -> bool:
    """Whether a speaker phrase stands for someone named before ("she", "the spokesman")."""
    return bool(_REFERS_BACK.match(speaker.strip()))


def attribute(sentence: str) -> str | None:
    """Whom the sentence names as the source of its claim, in the sentence's own words, or None.

    A bare pronoun ("…," she said) names nobody on its own, so it gives None; `speaker_phrase` gives
    the pronoun, for a caller that knows the sentence before.
    """
    who = speaker_phrase(sentence)
    return None if who is None or is_pronoun(who) else who


# The verbs the patterns turn on, as whole words. Each pattern is tried only when the sentence has one
# of its verbs as a word of its own (a run of word characters): most sentences name no source, and
# one pass over their words costs less than trying every pattern at every character.
_RUN = re.compile(r"\w+")
_VERB_WORDS = frozenset(f"{_PLAIN_VERBS}|{_CLAIM_VERBS}".replace("believes?", "believe|believes").split("|"))
_TRAILING_WORDS = _VERB_WORDS | {"told", "posted", "tweeted"}
_SAID_THEN_WORDS = frozenset("said says added adds asked wrote writes explained noted insisted warned".split())
_SAY_WORDS = frozenset(("say", "says", "said"))
_MID_WORDS = _SAY_WORDS | {"told", "wrote", "writes", "warned", "insisted"}


def speaker_phrase(sentence: str) -> str | None:
    """The words that name the sentence's source, pronouns included, or None."""
    text = sentence.strip()
    tail_start = max(0, len(text) - _TAIL)
    words = set(_RUN.findall(text))
    who = _trailing_speaker(text, tail_start) if not words.isdisjoint(_TRAILING_WORDS) else None
    if who:
        return who
    who = _said_then_speaker(text) if not words.isdisjoint(_SAID_THEN_WORDS) else None
    if who:
        return who
    # Each expression below needs a mark that most sentences lack: a closing quotation, a comma.
    quoted = '"' in text or "”" in text
    match = _QUOTE_THEN_NAME.search(text, tail_start) if quoted else None
    if match and _speaker_like(match.group("who").split(",")[0], 6):
        return _tidy(match.group("who"))
    # case-blind: for ASCII text the lower-cased words tell whether it can match
    match = _ACCORDING.search(text) if not text.isascii() or "according to" in text.lower() else None
    if match:
        return _tidy(match.group("who"))
    if words.isdisjoint(_VERB_WORDS) and words.isdisjoint(_MID_WORDS) and "in what" not in text:
        return None
    comma = "," in text
    match = _LEADING_APPOSITION.search(text) if comma else None
    if match and _speaker_like(match.group("who").split(",")[0], 8):
        return _tidy(match.group("who"))
    match = _LEADING.search(text)
    if match and _speaker_like(match.group("who"), 8) and not _GERUND.search(match.group("who")):
        return _tidy(match.group("who"))
    match = _INVERTED.search(text, tail_start) if not words.isdisjoint(_SAY_WORDS) else None
    if match and _speaker_like(match.group("who"), 4):
        return _tidy(match.group("who"))
    match = _MID.search(text) if comma and not words.isdisjoint(_MID_WORDS) else None
    if match and _speaker_like(match.group("who"), 5):
        return _tidy(match.group("who"))
    match = _WHAT_X_SAYS.search(text) if "in what" in text else None
    if match and _speaker_like(match.group("who"), 5):
        return _tidy(match.group("who"))
    match = _PERSON_CLAIM.match(text)  # "He promised 40 million crowns": a person's pledge is their claim
    return match.group("who") if match else None


def _trailing_speaker(text: str, tail_start: int) -> str | None:
    verb = _TRAILING_VERB.search(text, tail_start)
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
        name = parts[-2].strip()
        if len(parts) >= 3 and len(name) <= 80 and _NAME.match(name) and not parts[-1].strip()[:1].isupper():
            who = parts[-2] + "," + parts[-1]
    who = who.strip()
    if not _speaker_like(who.split(",")[0], 10):
        return None
    return _tidy(who)


# `, on Sunday`, `, in a statement`, `, outside the court` closing a speaker's title
_WHEN_WHERE = re.compile(r",(?:" + _ADJUNCT + r")+\s*$")


def _said_then_speaker(text: str) -> str | None:
    """`..., said Marta Ionescu, who runs the shelter.` -> Marta Ionescu; `, said X, the mayor.` keeps the title."""
    for match in _SAID_THEN.finditer(text):
        who = match.group("who").strip()
        if _NOT_A_NAME_START.match(who) or not _speaker_like(who, 6):
            continue
        rest = text[match.end():]
        # a name may be followed by its title ("said Tim Danton, editor of PC Pro"); "said the report,
        # the highest total to date" is followed by more of the sentence
        if rest.startswith(",") and who[:1].isupper():
            # when and where it was said ("..., the director, on Sunday") is no part of the title
            role = _WHEN_WHERE.sub("", rest.rstrip(".!? "))[1:].strip()
            # a title after the name ("the head of the charity"), not a clause ("adding that ...")
            if (0 < len(role) <= 120 and role[:1].isalpha() and not _RELATIVE_CLAUSE.match("," + role)
                    and not any(q in role for q in "\"“”") and _speaker_like(role, 12)
                    and not _PARTICIPLE_CLAUSE.match(role)):
                who = f"{who}, {role}"
        return _tidy(who)
    return None


# "The inquiry said" opens a sentence, so its article has a capital it would not have after
# "according to": "the inquiry", "a BBC reporter"; "The Times" keeps it (a name may begin with "The").
_OPENING_ARTICLE = re.compile(r"^(?:(The) (?=[a-z])|(An?) )")


def _tidy(who: str) -> str | None:
    who = _RELATIVE_CLAUSE.sub("", who)
    who = _CONJUNCTION.sub("", who.strip(" ,;:\"“”'’"))
    if len(who) < 2 or len(who) > 200:
        return None
    return _OPENING_ARTICLE.sub(lambda article: article.group(0).lower(), who)


def _speaker_like(who: str, max_words: int) -> bool:
    words = who.split(None, max_words + 1)
    return 0 < len(words) <= max_words and not _NOT_SPEAKER.search(who)
