"""The answering service: a question in, an Answer with sourced passages out. Every adapter calls it."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from retrieval import CorpusIndex, Hit, corpus_fingerprint, is_stop_word, open_corpus
from retrieval.corpus import Progress

from .answers import Answer, AnswerSettings, Passage, Source
from .followup import Reading
from .reindex import Builds

MAX_QUESTION_CHARS = 2000  # longer questions are searched on their first 2,000 characters

_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|howdy|yo|hallo|good (?:morning|afternoon|evening|day)|greetings|"
    r"help|\?+|start|menu|thanks|thank you|cheers|ok|okay)\s*(?:there|bot|newsbot)?\s*[!.?]*\s*$",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_NEEDS_PREVIOUS = re.compile(
    r"^(?:he|she|it|they|this|that|these|those|but|however|also|his|her|their|its)\b", re.IGNORECASE)


@dataclass
class AnsweringService:
    """Answers questions from one corpus folder, and picks up changes to it on `refresh()`."""

    index: CorpusIndex
    folder: Path | None = None
    cache_dir: Path | None = None
    settings: AnswerSettings = field(default_factory=AnswerSettings)
    warn: Callable[[str], None] | None = None
    max_file_bytes: int | None = None  # article files larger than this are skipped (None: the default)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _builds: Builds = field(default_factory=Builds, repr=False)

    @classmethod
    def open(cls, corpus_dir: Path | str | None = None, cache_dir: Path | str | None = None,
             on_warning: Callable[[str], None] | None = None,
             settings: AnswerSettings | None = None, progress: Progress | None = None,
             notice: Callable[[str], None] | None = None, max_file_bytes: int | None = None) -> "AnsweringService":
        """Load a corpus folder (default: the bundled seeds). Raises retrieval.CorpusError.

        `notice` is told in one line when the index has to be built, `progress` meters it (see open_corpus).
        """
        folder = Path(corpus_dir) if corpus_dir else default_corpus()
        cache = Path(cache_dir) if cache_dir else None
        index = open_corpus(folder, cache, on_warning, progress=progress, notice=notice,
                            max_file_bytes=max_file_bytes)
        return cls(index, folder, cache, settings or AnswerSettings(), on_warning, max_file_bytes)

    # -- questions ------------------------------------------------------------------------------
    def ask(self, question: str, top_k: int = 3, article: str | None = None, skip: int = 0,
            reading: Reading | None = None) -> Answer:
        """Answer a question with up to `top_k` ranked passages, after skipping the `skip` best.

        With a `reading` (a follow-up, bot/followup.py) its words are searched instead, the passages it
        leaves out are left out, and passages about its names come first.
        """
        if reading is not None:
            return self._ask_read(question, reading, top_k, article, skip)
        question = question if isinstance(question, str) else str(question)
        text = _CONTROL.sub(" ", question)[:MAX_QUESTION_CHARS].strip()
        if not re.search(r"[^\W_]", text) or _GREETING.match(text):
            return Answer(question, False, (), "help", skip, article)
        index = self.index
        if article is not None and not index.has_article(article):
            return Answer(question, False, (), "unknown_article", skip, article)
        top_k = max(1, min(int(top_k), 50))
        hits = index.search(text, k=skip + top_k, article=article)[skip:]
        passages = tuple(self._passage(index, hit) for hit in hits)
        if not passages:
            return Answer(question, False, (), "no_more" if skip else "declined", skip, article)
        best = hits[0]
        confidence = self.settings.confidence(best.score, best.coverage)
        if confidence != "none" and _missing_names(index, text, passages[0]):
            confidence = "none"  # about someone or somewhere else
        answered = confidence == "answer"
        return Answer(question, answered, passages, "answer" if answered else "declined", skip, article, confidence)

    def _ask_read(self, question: str, reading: Reading, top_k: int, article: str | None, skip: int) -> Answer:
        """A follow-up: the reading's words searched (and the question's own words, when it has some);
        passages about what its pronouns stand for first; the passages it leaves out left out."""
        text = clean_question(question)
        if not re.search(r"[^\W_]", text) or _GREETING.match(text):
            return Answer(question, False, (), "help", skip, article)
        index = self.index
        if article is not None and not index.has_article(article):
            return Answer(question, False, (), "unknown_article", skip, article, reading=reading)
        top_k = max(1, min(int(top_k), 50))
        search = clean_question(reading.search)
        best: dict[int, Hit] = {}
        accepted: dict[int, bool] = {}  # position: would this search give it as the answer (True: the reading's)
        given = set(index.texts(sorted(reading.exclude))) if reading.exclude else set()
        # The question's own words ("What did he promise?") are searched too; a passage found by them
        # alone must still be about what the pronoun stands for (checked below).
        for own, words in ((False, search), (True, reading.own_words)):
            ranked = index.search(words, k=skip + top_k + len(reading.exclude) + 10, article=article) if words else []
            for hit in ranked:
                if hit.position in reading.exclude or hit.sentence.text in given:  # a wire copy given too
                    continue
                if hit.score > getattr(best.get(hit.position), "score", -1):
                    best[hit.position] = hit
                if self.settings.accepts(hit.score, hit.coverage):
                    accepted[hit.position] = accepted.get(hit.position, False) or not own
        hits = sorted(best.values(), key=lambda h: -h.score)
        passages = [self._passage(index, hit) for hit in hits]
        held = {p.position: self._held_terms(index, p) for p in passages}
        if reading.about:  # what the pronoun stands for: passages about it first, in their order
            about = [p for p in passages if not _names_not_held(index, reading.about, held[p.position])]
            passages = about + [p for p in passages if p not in about]
        passages = passages[skip:skip + top_k]
        if not passages:
            kind = "no_more" if skip or reading.exclude else "declined"
            return Answer(question, False, (), kind, skip, article, reading=reading)
        first = passages[0]
        # Found by the question's own words alone, it must hold a word of what a nameless pronoun stands for.
        about_topic = not reading.topic or \
            len(_names_not_held(index, reading.topic, held[first.position])) < len(reading.topic)
        found = bool(accepted.get(first.position)) or (first.position in accepted and about_topic)
        answered = found and not _names_not_held(index, _question_names(search) + list(reading.about),
                                                 held[first.position])
        top = best[first.position]
        confidence = "answer" if answered else self.settings.confidence(top.score, top.coverage)
        if confidence == "answer" and not answered:
            confidence = "none"  # as good as an answer, but about something else
        return Answer(question, answered, tuple(passages), "answer" if answered else "declined", skip, article,
                      confidence, reading=reading)

    def _held_terms(self, index: CorpusIndex, passage: Passage) -> set[str]:
        """The terms a passage is about: its own and its headline's, and the sentence before it when it
        opens with a pronoun ("He promised 40 million crowns" after "... Tomas Berg told reporters ...")."""
        text = f"{passage.text} {passage.article.title}"
        before = index.text_before(passage.position) if _NEEDS_PREVIOUS.match(passage.text) else None
        return set(index.terms(f"{text} {before}" if before else text))

    def _passage(self, index: CorpusIndex, hit: Hit) -> Passage:
        s = hit.sentence
        text, matched = s.text, hit.matched
        position = hit.position
        # The sentence before, when this one opens with a pronoun or continues its quotation, or names
        # no speaker while the one before does (`..., police said. The number of victims could rise.`):
        # the reader then sees who said it, and the passage claims no more than the article does.
        before = index.sentence_before(position)
        if before is not None and (_NEEDS_PREVIOUS.match(s.text) or _open_quote(before.text)
                                   or before.attributed_to and not s.attributed_to):
            text = f"{before.text} {s.text}"
        a = index.header(position)
        source = Source(a.id, a.title, a.source, a.url, a.published)
        return Passage(text, hit.score, source, s.paragraph, s.sentence, s.attributed_to, s.kind, s.credit,
                       matched, position)

    def context(self, passage: Passage) -> str | None:
        """The whole paragraph a passage comes from, or None when the article is gone."""
        article = self.index.article(passage.article.id)
        if article is None or not 0 < passage.paragraph <= len(article.paragraphs):
            return None
        return article.paragraphs[passage.paragraph - 1].text

    def article_count(self) -> int:
        return len(self.index.corpus.articles)

    def speakers(self, passage: Passage) -> tuple[str, ...]:
        """Whom the sentences of a passage's article are attributed to, in its order (for fuller names)."""
        if not 0 <= passage.position < len(self.index.corpus.sentences):
            return ()
        return tuple(dict.fromkeys(self.index.article_speakers(passage.position)))

    def sources(self) -> list[Source]:
        return [Source(a.id, a.title, a.source, a.url, a.published, n) for a, n in self.index.article_list()]

    # -- the corpus changing under us -----------------------------------------------------------
    def refresh(self) -> bool:
        """Reload the corpus when its files changed since the last load. True when it reloaded.

        The changed files are read and the index updated in a child process (bot/reindex.py); this one
        answers from the old index until it opens the new one, memory-mapped. Raises
        retrieval.CorpusError when the folder no longer serves; the old index stays in use.
        """
        if self.folder is None:
            return False
        with self._lock:
            if corpus_fingerprint(self.folder, self.cache_dir) == self.index.fingerprint:
                return False
            self.index = self._builds.build(self.folder, self.cache_dir, self.warn, self.max_file_bytes)
            return True

    def stop_building(self) -> None:
        """Stop a refresh's build in progress (at shutdown); later refreshes fail with CorpusError."""
        self._builds.stop()


def clean_question(question: str) -> str:
    """A question as it is searched: control and direction characters blanked, its first 2,000 characters."""
    return _CONTROL.sub(" ", question)[:MAX_QUESTION_CHARS].strip()


def default_corpus() -> Path:
    import os

    env = os.environ.get("NEWSBOT_CORPUS")
    if env:
        return Path(env)
    import seeds

    return seeds.folder()


def _open_quote(text: str) -> bool:
    """True when a sentence opens a quotation it does not close."""
    straight = text.count('"') % 2 == 1
    curly = text.count("“") > text.count("”")
    return straight or curly


def _missing_names(corpus_index: CorpusIndex, question: str, passage: Passage) -> list[str]:
    """Names the question gives ("Did Iran deny ...?") that neither the passage nor its headline holds.

    A sentence about someone else does not answer a question about a named person, place or
    group, however many other words it shares. A name counts as held when the passage has it,
    a synonym of it, or a close spelling of it.
    """
    names = _question_names(question)
    if not names:
        return []
    held = set(corpus_index.terms(f"{passage.text} {passage.article.title}"))
    return [name for name in names if not held.intersection(corpus_index.searched_terms(name))]


def _names_not_held(corpus_index: CorpusIndex, names, held: set[str]) -> list[str]:
    """The names whose terms (or a synonym's or a close spelling's) are not among `held`."""
    return [name for name in names if not held.intersection(corpus_index.searched_terms(name))]


_NAME = re.compile(r"(?<![\w'’])(?:[A-Z][\w'’-]*[a-z][\w'’-]*|[A-Z]{2,})(?![\w'’])")


def _question_names(question: str) -> list[str]:
    """Capitalised words after a question's first word: the names it asks about.

    A shouted question (no lower-case letters) names nothing this way.
    """
    if not re.search(r"[a-z]", question):
        return []
    first = re.match(r"\W*[\w'’-]+", question)
    rest = question[first.end():] if first else question
    return [m.group(0) for m in _NAME.finditer(rest) if not is_stop_word(m.group(0))]
