"""One reader's conversation: the answer shown last, which "more" and "context" continue."""

from __future__ import annotations

from .answers import Answer
from .service import AnsweringService


class Conversation:
    def __init__(self, service: AnsweringService, top_k: int = 1):
        self.service = service
        self.top_k = top_k
        self.latest: Answer | None = None  # the last answer or refusal shown, or the next-best after it

    def ask(self, question: str, article: str | None = None) -> Answer:
        answer = self.service.ask(question, top_k=self.top_k, article=article)
        if answer.kind in ("answer", "declined"):
            self.latest = answer
        return answer

    def more(self, after: Answer | None = None) -> Answer:
        """The next-best answer after `after` (by default the latest answer shown); it becomes the latest."""
        after = after or self.latest
        if after is None:
            return Answer("", False, (), "ask_first")
        answer = self.service.ask(after.question, top_k=1, article=after.article, skip=after.next_skip)
        if answer.passages:
            self.latest = answer
        return answer

    def context(self) -> str | None:
        """The paragraph around the latest answer shown, or None before any answer."""
        if self.latest is None or not self.latest.passages:
            return None
        return self.service.context(self.latest.passages[0])

    def context_passage(self):
        """The passage `context` is about (the latest answer's best), or None before any answer."""
        return self.latest.passages[0] if self.latest is not None and self.latest.passages else None
