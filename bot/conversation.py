"""One reader's conversation: the answer shown last, which "more" and "context" continue, and the thread
a follow-up question leans on (bot/followup.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from . import followup
from .answers import Answer
from .filters import Filters
from .service import AnsweringService, clean_question

FORGET_AFTER = 600.0  # seconds of silence after which the next question starts a new thread


class Conversation:
    def __init__(self, service: AnsweringService, top_k: int = 1, forget_after: float = FORGET_AFTER,
                 clock: Callable[[], float] = time.monotonic, filters: Filters | None = None):
        self.service = service
        self.top_k = top_k
        self.forget_after = forget_after
        self._clock = clock
        self.filters = filters  # what every question of this conversation searches within (--since, ...)
        self.latest: Answer | None = None  # the last answer or refusal shown, or the next-best after it
        self.thread: followup.Turn | None = None  # what the next question may lean on
        self._last_asked = 0.0
        self._index = service.index.fingerprint  # the index the thread's sentence positions are of

    def ask(self, question: str, article: str | None = None, top_k: int | None = None,
            filters: Filters | None = None) -> Answer:
        """Answer `question`, read with the thread when it leans on it ("What else did he say?")."""
        now = self._clock()
        if self.thread is not None and now - self._last_asked > self.forget_after:
            self.thread = None
        self._follow_index()
        self._last_asked = now
        reading = followup.read(clean_question(question), self.thread)
        given = (self.filters or Filters()).merged(filters)  # a chat's `since:` … over the conversation's
        answer = self.service.ask(question, top_k=top_k or self.top_k, article=article, reading=reading,
                                  filters=given or None)
        if reading is not None and reading.tacked_on and answer.kind == "declined":
            # "What about the ferry?" after "Who resigned as mayor?": no answer to both at once, so the
            # reader has moved on to the ferry; asked alone, it starts a new thread if it is answered
            alone = self.service.ask(question, top_k=top_k or self.top_k, article=article, filters=given or None)
            if alone.answered:
                answer, reading = alone, None
        if answer.kind in ("answer", "declined") and not answer.unresolved:
            self.latest = answer  # ("more" after "I don't know who she is" goes on from the answer before)
        # A question the articles do not answer leaves the thread where it was; one they may answer
        # ("this may answer it", or two stories match it as well: "not sure which story") moves it on,
        # as the reader reads on from the matches shown.
        if _read_on(answer):
            speakers = self.service.speakers(answer.passages[0])
            self.thread = followup.remember(question, reading, answer, self.thread, speakers)
        elif self.thread is not None and reading is not None and reading.subject:
            # unanswered, "What about the ferry?" still names what a following "it" stands for
            self.thread = replace(self.thread, subject=reading.subject)
        return answer

    def lean_on(self, answer: Answer) -> None:
        """The next question leans on `answer`, not on this conversation's last one: a Telegram reader who
        replies to an earlier answer, or to another reader's, asks about that one. "more" goes on from it."""
        self._follow_index()
        if answer is self.latest or not _read_on(answer):
            return
        if not self.service.still_holds(answer):
            return  # given before the articles changed: its sentence positions are another index's
        self.latest = answer
        self.thread = followup.remember(answer.question, answer.reading, answer, None,
                                        self.service.speakers(answer.passages[0]))
        self._last_asked = self._clock()

    def _follow_index(self) -> None:
        """After the articles changed (a reload), the thread's sentence positions are another index's:
        what was shown can no longer be told apart, so the next question is read alone."""
        fingerprint = self.service.index.fingerprint
        if fingerprint != self._index:
            self._index = fingerprint
            self.thread = None

    def more(self, after: Answer | None = None) -> Answer:
        """The next-best answer after `after` (by default the latest answer shown); it becomes the latest."""
        self._follow_index()
        after = after or self.latest
        if after is None:
            return Answer("", False, (), "ask_first")
        answer = self.service.ask(after.question, top_k=1, article=after.article, skip=after.next_skip,
                                  reading=after.reading, filters=after.filters)
        if answer.passages:
            self.latest = answer
            if self.thread is not None:
                self.thread = self.thread.showing(answer)
        return answer

    def context(self):
        """The paragraph around the latest answer shown (service.context), or None before any answer."""
        if self.latest is None or not self.latest.passages:
            return None
        return self.service.context(self.latest.passages[0])

    def context_passage(self):
        """The passage `context` is about (the latest answer's best), or None before any answer."""
        return self.latest.passages[0] if self.latest is not None and self.latest.passages else None

    def new(self) -> None:
        """Start afresh: the next question is read alone, and "more" and "context" have nothing to continue."""
        self.latest = None
        self.thread = None


def _read_on(answer: Answer) -> bool:
    """Whether a next question may lean on `answer`: it showed matches the articles may answer with (an
    answer, a "maybe", or a close call between two stories)."""
    return bool(answer.passages) and (answer.answered or answer.confidence == "maybe" or answer.close_call)
