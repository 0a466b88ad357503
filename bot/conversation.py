"""One reader's conversation: the last question, how far "more" has gone, and the last answer."""

from __future__ import annotations

from .service import Answer, AnsweringService, Passage


class Conversation:
    def __init__(self, service: AnsweringService, top_k: int = 1):
        self.service = service
        self.top_k = top_k
        self.question: str | None = None
        self.article: str | None = None
        self.shown = 0  # passages of the last question shown so far
        self.last: Passage | None = None

    def ask(self, question: str, article: str | None = None) -> Answer:
        answer = self.service.ask(question, top_k=self.top_k, article=article)
        if answer.kind in ("answer", "declined"):
            self.question, self.article, self.shown = question, article, len(answer.passages)
            self.last = answer.passages[0] if answer.passages else None
        return answer

    def more(self) -> Answer:
        """The next-best answer to the last question."""
        if self.question is None:
            return Answer("", False, "Ask a question first; then “more” shows the next-best answer.", (), "no_more")
        answer = self.service.ask(self.question, top_k=1, article=self.article, skip=self.shown)
        if answer.passages:
            self.shown += 1
            self.last = answer.passages[0]
        return answer

    def context(self) -> str | None:
        """The paragraph around the last answer shown, or None before any answer."""
        return self.service.context(self.last) if self.last else None
