"""Follow-up questions: a question that leans on the last turn ("What else did he say?") read with that turn.

Everything here is lexical, on the words of the question and of the last turn; nothing is learned.
`read(question, previous)` says how to search a question: alone (None), or as a `Reading` with the
question to search, how it was read (for the reader to see and correct), the names the answer must
be about, and the passages already given that "else" leaves out. `remember` makes the next `Turn`.

What leans on the last turn:
- a pronoun (he, she, him, his, her, it, its, they, them, their; this or that standing alone), unless
  the question names someone or something before it ("Did Russia say it ...?"): he and she stand for
  the person the last answer was about (its speaker, else a person the last question or answer
  names), it for the thing the last question asked about (its last name, "Khan Sheikhoun"), they for
  the group that made the claim ("the coastguard") or the last question's names; without a name to
  stand for, the pronoun stands for the last question's words;
- an ellipsis: "When?", "Why?", "How many?", "When did that happen?" (the last question asked again
  with the new question word), "And Turkey?", "What about Wednesday?" (the last question with its
  last name, weekday, month or number swapped for the new one);
- "else", "other", "another", "more about": the passages already given in this thread are left out.
A question with none of these, or with its own subject, is read alone and starts a new thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from retrieval import asks_for_words

if TYPE_CHECKING:
    from .answers import Answer

_WORD = re.compile(r"[\w'’-]+|[^\w\s]")
_WH = r"(?:how (?:many|much|long|old|often|far)|when|where|why|who|whom|whose|what|which|how)"
_AUX = {"is", "are", "was", "were", "do", "does", "did", "has", "have", "had", "will", "would", "can",
        "could", "should", "may", "might", "must", "shall"}
_FUNCTION = _AUX | {"a", "an", "the", "and", "or", "but", "so", "of", "to", "in", "on", "at", "by", "for",
                    "with", "from", "as", "about", "into", "than", "then", "be", "been", "being", "that",
                    "this", "these", "those", "there", "it", "its", "he", "she", "him", "his", "her", "they",
                    "them", "their", "what", "when", "where", "why", "who", "whom", "whose", "which", "how",
                    "many", "much", "long", "else", "other", "another", "more", "any", "anything", "tell",
                    "me", "say", "said", "says", "also", "not", "no", "i", "you", "we", "us", "our"}
_PERSON = {"he": "", "she": "", "him": "", "his": "'s", "her": "", "hers": "'s"}
_THING = {"it": "", "its": "'s"}
_GROUP = {"they": "", "them": "", "their": "'s", "theirs": "'s"}
_DEMONSTRATIVE = {"this", "that"}
_POSSESSIVE = {"his", "its", "their"}  # (her is as often "him")
_OWNER_BEFORE = {"the", "a", "an", "many", "much", "several", "some", "all", "most", "few"} | _AUX
_REPORTING = {"say", "said", "says", "think", "thinks", "thought", "believe", "believes", "claim", "claims",
              "claimed", "deny", "denies", "denied", "told", "tell", "tells", "warn", "warned", "warns"}
_TITLES = {"mr", "mrs", "ms", "miss", "dr", "maj", "major", "gen", "general", "col", "colonel", "capt",
           "captain", "lt", "sgt", "prof", "president", "minister", "mayor", "governor", "sir", "dame", "lord",
           "lady", "sheikh", "king", "queen", "prince", "princess", "pope", "senator", "judge", "leader"}
_WHEN_WORDS = ("monday tuesday wednesday thursday friday saturday sunday january february march april may june "
               "july august september october november december today yesterday tomorrow").split()

_ELSE = re.compile(r"\b(?:else|other|others|another|more about|tell me more|anything more)\b", re.IGNORECASE)
_ANYTHING_ELSE = re.compile(r"^\s*(?:and\s+)?(?:anything|what|who|something|any|tell me)?\s*(?:else|more)"
                            r"(?:\s+(?:please|then))?\s*[?.!]*\s*$", re.IGNORECASE)
_WH_ALONE = re.compile(rf"^\s*(?:and|so|but|ok|okay)?[\s,]*({_WH})(?:\s+(?:exactly|then|so|again|now))?"
                       rf"(?:\s+(?:is|was|did|does|do|has|had)\s+(?:that|this|it)(?:\s+(?:happen|happened|so|come))?)?"
                       rf"\s*[?.!]*\s*$", re.IGNORECASE)
_ABOUT = re.compile(r"^\s*(?:(?:and|but)\s+)?(?:(?:what|how)\s+about\s+|and\s+)(.+?)\s*[?.!]*\s*$", re.IGNORECASE)
_LEAVING_OUT = " (leaving out what was already shown)"
_WHAT_ABOUT = re.compile(r"^\s*(?:(?:and|but)\s+)?(?:what|how)\s+about\b", re.IGNORECASE)
_TOO = re.compile(r"^\s*(.+?)\s+(?:too|as well)\s*[?.!]*\s*$", re.IGNORECASE)
_LEADING_WH = re.compile(rf"^\s*{_WH}\b(?:\s+(?:{'|'.join(_AUX)})\b)?", re.IGNORECASE)
# After "who did" / "what has" a subject ("the mayor", "she", "Russia") means the question word was the
# object ("Who did the police arrest?" -> "Why did the police arrest?"). Without one ("Who has won?"), or
# after a form of "be" ("Who is striking?", "What was the toll?"), the question word is the subject or what
# the sentence is, and another question word cannot take its place.
_SUBJECT_WH = {"who", "whom", "what", "which"}
_COPULA = {"is", "are", "was", "were"}
_DO = {"do", "does", "did"}
_VERB_FORM = re.compile(r"\b[a-z]{2,}(?:ing|ed)$")  # the question's last word
_HAS_SUBJECT = re.compile(r"\s+(?:(?:the|a|an|his|her|their|its|our|this|that|these|those|he|she|they|it|we|you|i)\b"
                          r"|[A-Z])")
_NAME_RUN = re.compile(r"(?:(?<=\s)|^)(?:[A-Z][\w'’-]*)(?:\s+(?:(?:al|el|de|bin|van|von|of)\s+)?[A-Z][\w'’-]*)*")


@dataclass(frozen=True)
class Reading:
    """How a follow-up is searched: the words to search, how it was read, and what is left out."""

    search: str  # the question to search, its pronouns replaced by the search form of what they stand for
    read_as: str  # how it was read, in the reader's words: "what else did Maj Youssef Hamoud say?"
    about: tuple[str, ...] = ()  # names the answer must be about (the best passage holds them)
    exclude: frozenset[int] = frozenset()  # corpus positions of passages already given ("else")
    own_words: str | None = None  # the question's own words, searched too: "He promised 40 million crowns"
    #                               answers "What did he promise?" better than a sentence naming him
    topic: tuple[str, ...] = ()  # the last question's words a pronoun stands for, when it names nothing
    subject: str | None = None  # the thing this question is about, for a later "it": the X of "What about X?"
    #                             or what its own "it" stood for
    people: tuple[str, ...] = ()  # the people its he/she stood for (as searched), never a later "it"
    quoting: str | None = None  # whose words "What did she say?" asks for (as searched): their quotes first
    tacked_on: bool = False  # a "What about X?" the last question had no place for ("who resigned as mayor
    #                          — and the ferry?"): when that finds no answer, X is asked alone
    unresolved: str | None = None  # a he or she the last turn names no one for ("the ferry company" is
    #                               no "she"): said, not searched


@dataclass(frozen=True)
class Turn:
    """What the next question can lean on: the last question as read and searched, and what was given."""

    read: str  # the last question as the reader saw it read
    searched: str  # the last question as it was searched
    answer: "Answer"
    shown: frozenset[int] = frozenset()  # positions of every passage given in this thread
    known_names: tuple[str, ...] = ()  # the names of the speakers in the answer's article, for a fuller name
    subject: str | None = None  # what a following "it" stands for first (Reading.subject)
    people: tuple[str, ...] = ()  # the people the last question's he/she stood for (Reading.people)

    def showing(self, answer: "Answer") -> "Turn":
        """This turn, with `answer`'s passages (a "more" after it) counted as given too."""
        return replace(self, shown=self.shown | {p.position for p in answer.passages})


def remember(question: str, reading: Reading | None, answer: "Answer", previous: Turn | None,
             speakers: tuple[str, ...] = ()) -> Turn:
    """The turn the next question leans on after `answer` to `question` (read as `reading`); `speakers`
    are the attributions in the answer's article, for the fullest name of a person."""
    given = frozenset(p.position for p in answer.passages)
    names = tuple(dict.fromkeys(n for n in map(_speaker_name, speakers) if n and _is_person(n)))
    if reading is None:
        return Turn(question, question, answer, given, names)
    kept = previous.shown if previous is not None else frozenset()
    return Turn(reading.read_as, reading.search, answer, kept | given, names, reading.subject, reading.people)


def read(question: str, previous: Turn | None) -> Reading | None:
    """How to search `question` after `previous`; None when it is read alone."""
    if previous is None or not previous.answer.passages:
        return None
    q = " ".join(question.split())
    if _ANYTHING_ELSE.match(q):
        # after "What did Aiko Tanaka say?", her other words come first, as after "What else did she say?"
        whose = (previous.people or tuple(map(_search_form, _people_in(previous.searched)))) \
            if asks_for_words(previous.searched) else ()
        last = _bare(previous.read.removesuffix(_LEAVING_OUT))  # "Anything else?" twice: said once
        return Reading(previous.searched, f"{_lower_first(_bare(last))}?{_LEAVING_OUT}",
                       _about_of(previous), previous.shown, quoting=whose[0] if whose else None)
    wh = _WH_ALONE.match(q)
    if wh:
        return _ask_again(wh.group(1).lower(), previous)
    topic = _ABOUT.match(q) or _TOO.match(q)
    if topic and _looks_like_topic(topic.group(1)):
        return _swap_topic(topic.group(1), previous, asked_about=_WHAT_ABOUT.match(q) is not None)
    return _resolve_pronouns(q, previous)


# -- ellipses -----------------------------------------------------------------------------------------
def _ask_again(wh: str, previous: Turn) -> Reading:
    """"When?" after "Why did Moscow capture Khan Sheikhoun?": the same question with the new question word."""
    read_as, search = _with_wh(wh, _bare(previous.read)), _with_wh(wh, _bare(previous.searched))
    if read_as is None or search is None:  # "Who captured Khan Sheikhoun?": no auxiliary to keep
        read_as = f"{wh} — about: {_lower_first(_bare(previous.read))}"
        search = f"{wh} {_without_wh(previous.searched)}"
    return Reading(search, read_as + "?", _about_of(previous))


def _with_wh(wh: str, text: str) -> str | None:
    """`text` with its question word swapped for `wh`, when it opens with one and an auxiliary."""
    lead = _LEADING_WH.match(text)
    if not lead or len(lead.group(0).split()) < 2 or lead.group(0).split()[-1].lower() not in _AUX:
        return None
    asked, aux, rest = lead.group(0).split()[0].lower(), lead.group(0).split()[-1].lower(), text[lead.end():]
    if not rest.strip():
        return None  # "Who did?"
    if asked in _SUBJECT_WH and aux not in _DO:
        # "Who did police arrest?" asks for the object (do-support); "Who is striking?", "What was the
        # toll?" for the subject or what it is: "why is striking?", "why was the toll?" would be no
        # question. "Who is the mayor meeting?" has its subject, and ends with its verb.
        if not _HAS_SUBJECT.match(rest) or aux in _COPULA and not _VERB_FORM.search(rest.rstrip(" ?.!")):
            return None
    return f"{wh} {lead.group(0).split()[-1]}{rest}"


def _looks_like_topic(text: str) -> bool:
    """The X of "And X?" / "What about X?": a short phrase, not a whole new question."""
    words = text.split()
    pronoun = len(words) == 1 and words[0].lower() in {**_PERSON, **_THING, **_GROUP, "that": "", "this": ""}
    return 0 < len(words) <= 5 and not pronoun and words[0].lower() not in _AUX \
        and not re.match(_WH + r"\b", text, re.IGNORECASE)


def _swap_topic(topic: str, previous: Turn, asked_about: bool = False) -> Reading:
    """"And Turkey?" after "What did Russia say about the strikes?": the last question with Turkey for Russia.
    `asked_about`: the question was "What about X?" (not "And X?" or "X too?")."""
    topic = topic.strip()
    kind = _kind(topic)
    read_as, search = _swap(_bare(previous.read), topic, kind), _swap(_bare(previous.searched), topic, kind)
    core = _core(topic)
    # "What about the ferry?" with no place for a thing in the last question may be a new topic; "And
    # Turkey?" or "What about Turkey?" after "Who denied the strikes?" asks whether Turkey did.
    tacked_on = asked_about and kind == "words" and search.endswith(f" — and {topic}")
    return Reading(search, _lower_first(read_as) + "?", (core,) if core else (), subject=_subject(topic) or None,
                   tacked_on=tacked_on)


def _kind(phrase: str) -> str:
    core = _core(phrase)
    if re.fullmatch(r"(?:\d{1,2} )?(?:%s)(?: \d{1,2})?" % "|".join(_WHEN_WORDS), core.lower()):
        return "when"
    if re.fullmatch(r"[\d,.]+", core):
        return "number"
    return "name" if core[:1].isupper() else "words"


def _subject(phrase: str) -> str:
    """How a topic reads in place of "it", without its leading preposition: "about the ferry" -> "the ferry"."""
    return re.sub(r"^(?:in|on|at|for|about|of|from|to|by)\s+", "", phrase.strip(), flags=re.IGNORECASE)


def _core(phrase: str) -> str:
    """A phrase without its leading preposition or article ("in Dunmore" -> "Dunmore", "the ferry" -> "ferry")."""
    return re.sub(r"^the\s+", "", _subject(phrase), flags=re.IGNORECASE)


def _swap(text: str, topic: str, kind: str) -> str:
    """`text` with its last phrase of `topic`'s kind replaced by `topic` (or `topic` added when it has none)."""
    core = _core(topic)
    if kind == "when":
        pattern = r"\b(?:%s)\b" % "|".join(_WHEN_WORDS)
        spans = [m.span() for m in re.finditer(pattern, text, re.IGNORECASE)]
    elif kind == "number":
        spans = [m.span() for m in re.finditer(r"\b\d[\d,.]*\b", text)]
    elif kind == "name":
        spans = [s for s in _name_spans(text)]
    else:  # "What about the ceasefire?" after "What did Russia say about the strikes?": the thing it was about
        abouts = list(re.finditer(r"\babout\s+(?=\S)", text, re.IGNORECASE))
        spans = [(abouts[-1].end(), len(text.rstrip()))] if abouts else []
        if not spans and text.split() and text.split()[-1].lower() in _REPORTING:
            return f"{text} about {_subject(topic)}"  # "what did Ana Ruiz say about the ferry"
        core = _subject(topic)
    if not spans:
        return f"{text} — and {topic}"
    start, end = spans[-1]
    return text[:start] + core + text[end:]


# -- pronouns -----------------------------------------------------------------------------------------
def leaning_pronoun(question: str) -> str | None:
    """The pronoun by which a question leans on an earlier one ("What else did she say?" -> "she"), or
    None when it has none or names what it stands for itself ("Where did the displaced say they went?")."""
    _, pronouns = _pronouns(" ".join(question.split()))
    return pronouns[0][1][0] if pronouns else None


def _pronouns(question: str) -> tuple[list[tuple[str, int, int]], list[tuple[int, tuple[str, int, int]]]]:
    """The question's words, and those of them that are pronouns standing for something before it
    (none when the question names its own subject first)."""
    words = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(question)]
    dummy_it = _DUMMY_IT.search(question) is not None
    pronouns = [(i, w) for i, w in enumerate(words) if _is_pronoun(words, i, dummy_it)]
    if pronouns and _has_own_subject(question, words, pronouns[0][0]):
        pronouns = []
    return words, pronouns


def _resolve_pronouns(question: str, previous: Turn) -> Reading | None:
    words, pronouns = _pronouns(question)
    leaning = _ELSE.search(question) is not None
    if not pronouns and not leaning:
        return None
    read_as, search, about, topic, people, subject = question, question, [], [], [], None
    referents: dict[str, tuple[str, str, tuple[str, ...], bool]] = {}
    for i, (word, start, end) in reversed(pronouns):
        lower = word.lower()
        if lower not in referents:
            referents[lower] = _referent(lower, previous, question)
        shown, searched, names, topic_only = referents[lower]
        if lower in _PERSON and not shown:
            return Reading(question, _lower_first(_bare(question)) + "?", unresolved=word)
        suffix = {**_PERSON, **_THING, **_GROUP}.get(lower, "")
        after = words[i + 1][0] if i + 1 < len(words) else ""
        if lower == "her" and (after.lower() in _FUNCTION or not after.isalpha()):
            suffix = ""  # "about her", not "her group"
        if names or not topic_only:
            read_as = read_as[:start] + shown + suffix + read_as[end:]
            search = search[:start] + searched + suffix + search[end:]
            about += names
            if lower in _PERSON:
                people.append(searched)
            elif lower in _THING:
                subject = shown
        else:  # no name to stand for: the last question's words, shown in brackets
            read_as = read_as[:end] + f" ({shown})" + read_as[end:]
            search = search[:end] + f" {searched}" + search[end:]
            topic += searched.split()
    exclude = previous.shown if leaning else frozenset()
    search = " ".join(_ELSE.sub(" ", search).split()) if leaning else search  # "else" is not a word to find
    read_as = _lower_first(_bare(read_as)) + "?"
    if not pronouns:
        read_as = read_as[:-1] + "?" + _LEAVING_OUT
    own = _ELSE.sub(" ", question) if leaning else question
    own_words = own if any(w.isalpha() and w.lower() not in _FUNCTION for w, _, _ in words) else None
    quoting = people[0] if people and asks_for_words(question) else None
    return Reading(search, read_as, tuple(dict.fromkeys(about)), exclude, own_words, tuple(dict.fromkeys(topic)),
                   subject, tuple(dict.fromkeys(people)), quoting)


_DUMMY_IT = re.compile(r"^\s*(?:what (?:time|day|date|year|month)|how (?:late|early))\s+(?:is|was)\s+it\b"
                       r"|\bit(?:'s|’s| is| was)? (?:\w+ )?"
                       r"(?:true|possible|likely|said|thought|reported|known|clear)\b"
                       r"|\b(?:is|was) it (?:\w+ )?(?:true|possible|likely|clear) that\b", re.IGNORECASE)


def _is_pronoun(words: list[tuple[str, int, int]], i: int, dummy_it: bool = False) -> bool:
    word = words[i][0].lower()
    if word in ("it", "it's", "it’s") and dummy_it:
        return False  # "What time is it?", "Is it true that ...": an "it" that stands for nothing
    if word in _PERSON or word in _THING or word in _GROUP:
        return True
    if word in _DEMONSTRATIVE:  # "that" standing alone ("Who said that?", "Is that true?"), not "that town"
        after = words[i + 1][0].lower() if i + 1 < len(words) else ""  # or "said that Russia ..."
        before = words[i - 1][0].lower() if i > 0 else ""
        if not after or not after[0].isalnum():
            return True
        return after in _AUX or (before in _AUX and after in {"true", "so", "right", "correct", "important", "new"})
    return False


def _has_own_subject(question: str, words: list[tuple[str, int, int]], first: int) -> bool:
    """True when the question names its own subject before its first pronoun ("Did Russia say it ...?",
    "Where did the displaced people say they went?")."""
    before = question[:words[first][1]]
    if any(start > 0 for start, _ in _name_spans(before)):
        return True
    if first > 0 and words[first - 1][0].lower() in _REPORTING | {"that"}:
        content = [w for w, _, _ in words[:first] if w.isalpha() and w.lower() not in _FUNCTION | _REPORTING]
        return bool(content)
    if words[first][0].lower() in _POSSESSIVE and first > 0 and words[first - 1][0].lower() not in _AUX:
        # "How many residents had to leave their homes?", "When did the mayor announce his resignation?":
        # whose it is comes before it ("many" of "how many" is no one); after an auxiliary it opens the
        # question's subject ("What pay rise did its union accept?"), which is the last question's
        # an owner is a noun the question names as one: after "the", "a", "how many", or an auxiliary
        # ("Where do residents keep their boats?"); "Who criticised his plan?" names none
        owners = [w for n, (w, _, _) in enumerate(words[:first]) if n and w.isalpha()
                  and w.lower() not in _FUNCTION | _REPORTING and words[n - 1][0].lower() in _OWNER_BEFORE]
        return bool(owners)
    return False


def _referent(pronoun: str, previous: Turn, question: str) -> tuple[str, str, tuple[str, ...], bool]:
    """What a pronoun stands for after `previous`: as shown, as searched, the names the answer must hold,
    and whether it is only the last question's words (no name or speaker to stand for)."""
    best = previous.answer.passages[0]
    speaker = _speaker_name(best.speaker)
    question_names = [_span_text(previous.read, s) for s in _name_spans(previous.read)]
    if pronoun in _PERSON:
        people = [n for n in [speaker] + question_names + _people_in(best.text) if n and _is_person(n)]
        # else someone the speaker's words describe ("a spokesman for the harbour board") or a name that
        # may be a person's ("Solberg"), never an organisation ("the ferry company", "Police", "Dunmore Ferries")
        candidates = people or [n for n in [speaker] + question_names if n and _may_be_a_person(n)]
        if not candidates:
            return "", "", (), True
    elif pronoun in _GROUP:
        group = best.speaker if best.speaker and not _is_person(speaker or "") else None
        candidates = [group] if group else question_names
    elif pronoun in _THING:  # what the last question was about ("the ferry" of "What about the ferry?"), else
        # the last thing it named ("Khan Sheikhoun"): not the speaker, nor a person its he/she stood for
        if previous.subject:
            return previous.subject, _core(previous.subject), \
                (_core(previous.subject),) if previous.subject[:1].isupper() else (), False
        candidates = [n for n in reversed(question_names) if n != speaker and not _titled(n)
                      and n.split()[-1] not in previous.people]
    else:
        candidates = []
    if candidates:
        name = _full_name(candidates[0], previous.known_names) if pronoun in _PERSON else candidates[0]
        key = _search_form(name) if pronoun in _PERSON else name
        return name, key, (key,) if key[:1].isupper() else (), False
    return _topic(previous.read, question), _topic(previous.searched, question), (), True


def _topic(text: str, question: str) -> str:
    """The last question's own words that this one does not repeat ("ceasefire" for "Who declared it?"
    after "When was the ceasefire declared?")."""
    have = {w.lower() for w in re.findall(r"[\w'’-]+", question)}
    words = _without_wh(text).split()
    return " ".join(w for w in words if w.lower() not in have) or " ".join(words)


def _full_name(name: str, known: tuple[str, ...]) -> str:
    """The fullest name the article gives the same person ("Mr Hamoud" -> "Maj Youssef Hamoud")."""
    if not _is_person(name):
        return name
    last = name.split()[-1]
    same = [k for k in known if k.split()[-1] == last and len(k) > len(name)]
    return max(same, key=len) if same else name


def _titled(name: str) -> bool:
    return name.split()[0].lower().rstrip(".") in _TITLES


def _speaker_name(speaker: str | None) -> str | None:
    """The name in an attribution: "Maj Youssef Hamoud, a spokesman of ..." -> "Maj Youssef Hamoud",
    "Regional governor Tomas Berg" -> "Tomas Berg"."""
    if not speaker:
        return None
    head = re.split(r",|;| who | which | according ", speaker, maxsplit=1)[0].strip()
    runs = _name_spans(head)
    if runs and runs[-1][1] == len(head):
        return head[runs[-1][0]:]
    return head


_PERSON_NOUNS = frozenset(
    "spokesman spokeswoman spokesperson official officer minister mayor director chief leader secretary "
    "president chairman chairwoman chair head manager governor judge prosecutor lawyer witness resident doctor "
    "nurse teacher driver captain coach player man woman engineer analyst economist expert worker member "
    "mother father son daughter wife husband owner founder editor reporter".split())
_ORG_NOUNS = frozenset(
    "police government council company ministry army service board agency union party court office department "
    "authority authorities firm group club team operator ferries airline bank committee commission coastguard "
    "university school hospital station newspaper".split())


def _may_be_a_person(name: str) -> bool:
    """Whether he or she can stand for `name`: a phrase naming a person by role ("a spokesman for the
    harbour board"), or a capitalised name that is no organisation's ("Solberg", not "Police")."""
    raw = [w.strip("'’,.") for w in name.split()]
    words = [w.lower() for w in raw]
    if any(w in _ORG_NOUNS for w, r in zip(words, raw) if r[:1].isupper()):
        return False  # "The Driver and Vehicle Standards Agency", "Head Office": a name with an organisation's word
    role = next((n for n, (w, r) in enumerate(zip(words, raw)) if w in _PERSON_NOUNS and r[:1].islower()), None)
    org = next((n for n, w in enumerate(words) if w in _ORG_NOUNS), None)
    if role is not None and (org is None or role < org):
        return True  # "a spokesman for the harbour board"
    return name[:1].isupper() and org is None


def _is_person(name: str) -> bool:
    """A name shaped like a person's: a title and a name ("Mr Hamoud"), or two capitalised words."""
    words = name.split()
    if not words or not all(w[:1].isupper() for w in words):
        return words[0].lower() in _TITLES if words else False
    return words[0].lower().rstrip(".") in _TITLES or len(words) >= 2


def _search_form(name: str) -> str:
    """How to search for a name in every sentence about it: a person by the last word of their name
    ("Maj Youssef Hamoud" -> "Hamoud", as "Mr Hamoud said" names him too), anything else whole."""
    words = name.split()
    return words[-1] if _is_person(name) and words[-1][:1].isupper() else name


def _about_of(previous: Turn) -> tuple[str, ...]:
    return tuple(_span_text(previous.searched, s) for s in _name_spans(previous.searched))


def _name_spans(text: str) -> list[tuple[int, int]]:
    """Where the names are in `text`: runs of capitalised words, not the first word of the question
    (which is capitalised anyway) unless the run goes on past it, possessive 's cut off."""
    spans = []
    for m in _NAME_RUN.finditer(text):
        start, end = m.span()
        value = m.group(0)
        if start == 0 or not text[:start].strip(" \"'“(—-"):
            first = value.split()[0]
            if first.lower() in _FUNCTION or first.lower() in _PERSON or len(value.split()) == 1:
                rest = value[len(first):].lstrip()
                if not rest:
                    continue
                start = end - len(rest)
        for suffix in ("'s", "’s", "'", "’"):
            if text[start:end].endswith(suffix):
                end -= len(suffix)
                break
        if text[start:end].lower() not in _FUNCTION and text[start:end] != "I":
            spans.append((start, end))
    return spans


def _names_in(text: str) -> list[str]:
    return [_span_text(text, s) for s in _name_spans(text)]


# A name after one of these is a place or a body more often than a person ("the mayor of Port Elling").
_PLACE_BEFORE = re.compile(r"\b(?:in|at|from|of|near|to|into|outside)\s+(?:the\s+)?$", re.IGNORECASE)


def _people_in(text: str) -> list[str]:
    """The names in `text` that may be a person's: not capitals alone (a dateline's "PORT ELLING",
    "HT"), not a name after a preposition of place ("of Port Elling", "in Idlib")."""
    return [text[s:e] for s, e in _name_spans(text)
            if not text[s:e].isupper() and not _PLACE_BEFORE.search(text[:s])]


def _span_text(text: str, span: tuple[int, int]) -> str:
    return text[span[0]:span[1]]


def _without_wh(text: str) -> str:
    """A question without its question word and auxiliary: the words it is about."""
    lead = _LEADING_WH.match(text)
    words = [w for w in re.findall(r"[\w'’-]+", text[lead.end():] if lead else text)]
    kept = [w for w in words if w.lower() not in _FUNCTION or w[:1].isupper()]
    return " ".join(kept) or _bare(text)


def _bare(text: str) -> str:
    return text.strip().rstrip("?.! ").strip()


def _lower_first(text: str) -> str:
    """"What else ..." -> "what else ...", keeping "Moscow ..." and "I ..." as they are."""
    first = text.split(" ", 1)[0]
    if first.lower() in _FUNCTION or first.lower() in {"anything", "tell", "since", "according", "did", "does"}:
        return text[:1].lower() + text[1:]
    return text
