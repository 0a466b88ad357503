"""Scoring the bot on a question set: does it find the right sentence, and decline what it cannot answer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .service import AnsweringService


class EvalFileError(Exception):
    """A question-set file that cannot be read; the message names the line."""


@dataclass(frozen=True)
class Item:
    question: str
    expected: tuple[str, ...] | None  # substrings of a right sentence; None: the articles do not answer it


@dataclass
class Report:
    answerable: int = 0
    unanswerable: int = 0
    right_at_1: int = 0  # answerable, and the top sentence is a right one
    right_and_answered: int = 0  # ... and the bot chose to answer
    reciprocal_ranks: float = 0.0
    answered: int = 0  # answerable questions the bot answered
    declined: int = 0  # unanswerable questions the bot declined
    misses: list[str] = field(default_factory=list)

    @property
    def precision_at_1(self) -> float:
        return _share(self.right_at_1, self.answerable)

    @property
    def on_topic_right(self) -> float:
        """Answerable questions answered with a right sentence."""
        return _share(self.right_and_answered, self.answerable)

    @property
    def mrr(self) -> float:
        return _share(self.reciprocal_ranks, self.answerable)

    @property
    def answered_share(self) -> float:
        return _share(self.answered, self.answerable)

    @property
    def declined_share(self) -> float:
        return _share(self.declined, self.unanswerable)

    def table(self) -> str:
        rows = [
            ("questions with an answer", f"{self.answerable}"),
            ("P@1 (right sentence ranked first)", f"{self.precision_at_1:.3f}"),
            ("MRR@10", f"{self.mrr:.3f}"),
            ("answered", f"{self.answered_share:.3f}"),
            ("answered with the right sentence", f"{self.on_topic_right:.3f}"),
            ("questions without an answer", f"{self.unanswerable}"),
            ("declined", f"{self.declined_share:.3f}"),
        ]
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"{name.ljust(width)}  {value}" for name, value in rows)


def _share(part: float, whole: int) -> float:
    return part / whole if whole else 0.0


def read_items(path: Path) -> list[Item]:
    """The questions of a JSON Lines file; raises EvalFileError naming the first bad line (or an empty file)."""
    items = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        items.append(_item(line, f"{path}:{number}"))
    if not items:
        raise EvalFileError(f"{path}: no questions in it")
    return items


_SHAPE = '{"question": str, "expected": [str] | null}'


def _item(line: str, where: str) -> Item:
    try:
        data = json.loads(line)
    except ValueError:
        raise EvalFileError(f"{where}: not valid JSON; expected {_SHAPE}") from None
    if not isinstance(data, dict):
        raise EvalFileError(f"{where}: not a JSON object; expected {_SHAPE}")
    for name in ("question", "expected"):
        if name not in data:
            hint = " (null for a question the articles do not answer)" if name == "expected" else ""
            raise EvalFileError(f"{where}: no \"{name}\" field{hint}")
    question, expected = data["question"], data["expected"]
    if isinstance(expected, str):
        expected = [expected]
    if not isinstance(question, str):
        raise EvalFileError(f"{where}: \"question\" must be a string")
    if not (expected is None or isinstance(expected, list) and all(isinstance(e, str) for e in expected)):
        raise EvalFileError(f"{where}: \"expected\" must be a list of strings or null")
    return Item(question, tuple(expected) if expected is not None else None)


def _is_right(text: str, expected: tuple[str, ...]) -> bool:
    folded = " ".join(text.split()).lower()
    return any(" ".join(e.split()).lower() in folded for e in expected)


def evaluate(service: AnsweringService, items: list[Item], article: str | None = None) -> Report:
    report = Report()
    for item in items:
        answer = service.ask(item.question, top_k=10, article=article)
        if item.expected is None:
            report.unanswerable += 1
            if answer.answered:
                report.misses.append(f"answered an unanswerable question: {item.question!r} -> "
                                     f"{answer.passages[0].text[:100]!r}")
            else:
                report.declined += 1
            continue
        report.answerable += 1
        report.answered += answer.answered
        rank = next((i for i, p in enumerate(answer.passages, 1) if _is_right(p.text, item.expected)), None)
        if rank:
            report.reciprocal_ranks += 1 / rank
        if rank == 1:
            report.right_at_1 += 1
            report.right_and_answered += answer.answered
            if not answer.answered:
                report.misses.append(f"declined though ranked right: {item.question!r}")
        else:
            top = answer.passages[0].text[:100] if answer.passages else "nothing"
            report.misses.append(f"wrong sentence (right one at rank {rank or '>10'}): {item.question!r} -> {top!r}")
    return report
