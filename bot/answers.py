"""What the answering service gives an adapter: structured answers, their passages and sources, and the decline rule.

Nothing here is display text. An `Answer` says what kind it is and where it stands among the matches
(`skip`); each adapter makes its own words from that (bot/render.py for the console and the command
line, bot/telegram/render.py for Telegram).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from retrieval import DateMention

    from .filters import Filters
    from .followup import Reading

Kind = Literal[
    "answer",  # the best passage answers the question; the rest are the other matches
    "declined",  # no passage answers it well enough; the passages (maybe none) are the closest matches
    "help",  # not a question (empty, a greeting): the reader wants to know how to ask
    "no_more",  # asked to go further down the matches than there are
    "ask_first",  # asked for more before any question
    "started_afresh",  # "new": the conversation's next question is read alone
    "unknown_article",  # asked to search only an article that is not in the corpus (`article`)
    "bad_request",  # a request the command line could not read as a question
    "filtered_out",  # no article is within the filters (`filters`) at all
]


Confidence = Literal[
    "answer",  # the best match is given as the answer (`answered`)
    "maybe",  # the evidence is middling: the best match may answer it
    "none",  # the evidence is weak: the articles don't seem to cover it; the closest matches follow
]


@dataclass(frozen=True)
class AnswerSettings:
    """When the best match is the answer, and when it may be (calibrated with benchmarks/tune_tiers.py on the
    shared NewsQA half with its left-out stories and WikiQA train together, keeping the seed set right)."""

    min_coverage: float = 0.55  # share of the question's weighted words the sentence must contain
    min_score: float = 0.9  # the ranked score (coverage plus context, article evidence too) of the best sentence
    # How far the best sentence must stand above the best one of an article that tells another story
    # (Hit.margin; another outlet's report or an update of the same story is no rival, documents.same_story).
    # On the NewsQA half F1 is flat from 0.05 to 0.15 while precision climbs 0.44 -> 0.51 and questions
    # about stories not in the archive are answered 0.30 -> 0.16 of the time; beyond 0.15 F1 falls.
    min_margin: float = 0.15
    # The "maybe" tier: as strong a match as an answer (the same score bar) that holds less of the
    # question's words or leads another story by less (news: right 0.19 of the time against 0.11 for
    # "none"; WikiQA train: 0.16 against 0.07).
    maybe_coverage: float = 0.3
    maybe_score: float = 0.9
    maybe_margin: float = 0.05

    @property
    def weighs_margins(self) -> bool:
        """True when a tier asks for a lead over other articles: only then does a search work it out."""
        return self.min_margin > 0 or self.maybe_margin > 0

    def accepts(self, score: float, coverage: float, margin: float = float("inf")) -> bool:
        """True when a best match with this ranked score, coverage and lead over other articles is given
        as the answer."""
        return coverage >= self.min_coverage and score >= self.min_score and margin >= self.min_margin

    def confidence(self, score: float, coverage: float, margin: float = float("inf")) -> Confidence:
        """The tier of a best match with this ranked score, coverage and lead over other articles."""
        if self.accepts(score, coverage, margin):
            return "answer"
        if coverage >= self.maybe_coverage and score >= self.maybe_score and margin >= self.maybe_margin:
            return "maybe"
        return "none"


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    source: str | None = None
    url: str | None = None
    published: str | None = None
    sentences: int = 0
    author: str | None = None
    tags: tuple[str, ...] = ()

    def to_json(self) -> dict:
        """The JSON `article` object (also each entry of `also_in` and `earlier`)."""
        return {"id": self.id, "title": self.title, "source": self.source, "url": self.url,
                "published": self.published, "author": self.author, "tags": list(self.tags)}


@dataclass(frozen=True)
class Context:
    """The text around an answer: its paragraph, with the paragraphs either side of it when it is the
    answer's sentence alone (news copy runs one sentence a paragraph); paragraphs `first` to `last`."""

    text: str  # the paragraphs, a blank line between them
    first: int
    last: int


@dataclass(frozen=True)
class Earlier:
    """Another report's figure for what an answer's figure counts: an earlier one the answer's replaces
    ("at least 12" before "15", `Passage.earlier`), or a later one that replaces it (`Passage.later`)."""

    figure: str  # as the other sentence words it: "At least 12"
    text: str  # the other sentence
    article: Source
    value: float | None = None  # the figure's value (12.0): "some 300" and "about 300" are one figure


@dataclass(frozen=True)
class Passage:
    """One ranked answer sentence (with the sentence before it when it only makes sense with it)."""

    text: str
    score: float
    article: Source
    paragraph: int
    sentence: int
    speaker: str | None  # whom the article says made the claim
    kind: str = "body"  # body, standfirst or caption
    credit: str | None = None  # photo credit of a caption
    matched: tuple[str, ...] = ()  # words of `text` that matched the question
    position: int = 0  # the sentence's position in the corpus
    coverage: float = 0.0  # the share of the question's weighted words it holds (for the decline rule)
    margin: float = float("inf")  # its lead over other articles' best sentence (Hit.margin; the decline rule)
    also_in: tuple[Source, ...] = ()  # other articles carrying the same (or nearly the same) sentence
    earlier: tuple[Earlier, ...] = ()  # older reports giving another figure for the same thing
    # newer reports giving another figure for it, whose sentence is not evidence enough to lead
    later: tuple[Earlier, ...] = ()
    dates: tuple["DateMention", ...] = ()  # date expressions of `text`, resolved against `published`
    # Set when the passage answers from the article's front matter, not its text: "author", "published"
    # or "source"; `text` is then that value (empty when the article does not give it).
    about: str | None = None

    @property
    def attributed_to(self) -> str | None:
        """The claim's source as the JSON gives it; for a caption, its photo credit too."""
        parts = [self.speaker] if self.speaker else []
        if self.kind == "caption":
            parts.append(f"photo caption{', credit: ' + self.credit if self.credit else ''}")
        return "; ".join(parts) or None

    def to_json(self) -> dict:
        out = {
            "text": self.text, "score": round(float(self.score), 4), "article": self.article.to_json(),
            "paragraph": self.paragraph, "sentence": self.sentence, "attributed_to": self.attributed_to,
            "also_in": [s.to_json() for s in self.also_in],
            "earlier": [{"figure": e.figure, "text": e.text, "article": e.article.to_json()} for e in self.earlier],
            "later": [{"figure": e.figure, "text": e.text, "article": e.article.to_json()} for e in self.later],
            "dates": [d.to_json() for d in self.dates],
        }
        if self.about:
            out["about"] = self.about
        return out


@dataclass(frozen=True)
class Answer:
    """The service's reply to a question: what kind it is, the ranked passages, and what it continues."""

    question: str
    answered: bool  # the service's decision to give passages[0] as the answer
    passages: tuple[Passage, ...] = ()  # best first
    kind: Kind = "answer"
    skip: int = 0  # how many better matches came before these (0: a new question, 1 or more: "more")
    article: str | None = None  # the one article searched, or None for all
    filters: "Filters | None" = None  # the dates and outlet searched within, which "more" keeps
    # How sure the service is of passages[0]: "answer" exactly when `answered`; a declined question is
    # "maybe" (the best match may answer it) or "none" (the articles don't seem to cover it).
    confidence: Confidence = "none"
    reading: "Reading | None" = field(default=None, compare=False)  # how a follow-up was read; None: alone
    # Declined ("none") only for want of a lead: another story matches about as well, so which one the
    # reader means is not clear (the replies say so rather than that the articles don't cover it).
    close_call: bool = False
    # The day the question names ("yesterday", "16 June 2024") that no sentence searched is about: the
    # passages are the closest matches to the rest of the question, never an answer.
    missed_day: "date | None" = None
    # A pronoun the question leans on with nothing before it to stand for ("What else did she say?" as
    # a first question): said, rather than that no sentence shares its words.
    unresolved: str | None = None

    @property
    def read_as(self) -> str | None:
        """How a follow-up question was read ("what else did Maj Youssef Hamoud say?"), None when read alone."""
        return self.reading.read_as if self.reading is not None else None

    @property
    def next_skip(self) -> int:
        """Where the next-best match after this answer's passages starts, for "more"."""
        return self.skip + len(self.passages)

    def to_json(self, reply: str) -> dict:
        """The `newsbot ask --json` object; `reply` is the text a person is shown (made by a renderer)."""
        return {"question": self.question, "read_as": self.read_as, "answered": self.answered,
                "confidence": self.confidence, "close_call": self.close_call, "reply": reply,
                "answers": [p.to_json() for p in self.passages]}
