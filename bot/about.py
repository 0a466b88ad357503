"""Questions about the articles themselves — who wrote, when published, which outlets — read and answered from front matter."""

from __future__ import annotations

import re
from dataclasses import dataclass

# What a question asks of the articles about something, and that something.
_ABOUT = r"(?:about|on|of|covering|concerning|regarding)"
_PIECE = r"(?:the\s+|that\s+|this\s+|an?\s+)?(?:first\s+|latest\s+|original\s+)?(?:news\s+)?" \
         r"(?:report|article|story|piece|item|coverage|news)s?"
_QUESTIONS = [
    ("author", re.compile(rf"^\s*who\s+(?:wrote|authored|penned|filed|reported|was\s+the\s+author\s+of|"
                          rf"is\s+the\s+author\s+of)\s+{_PIECE}\s+{_ABOUT}\s+(?P<x>.+?)\s*[?.!]*\s*$", re.I)),
    ("author", re.compile(rf"^\s*(?:who\s+is|who\s+was|what\s+is)\s+the\s+(?:author|writer|reporter|byline)\s+of\s+"
                          rf"{_PIECE}\s+{_ABOUT}\s+(?P<x>.+?)\s*[?.!]*\s*$", re.I)),
    ("published", re.compile(rf"^\s*(?:when|what\s+day|on\s+what\s+(?:day|date)|what\s+date)\s+(?:was|were|did)\s+"
                             rf"{_PIECE}\s+{_ABOUT}\s+(?P<x>.+?)\s+(?:published|written|posted|put\s+out|"
                             rf"released|filed|come\s+out|appear|run)\s*[?.!]*\s*$", re.I)),
    ("source", re.compile(r"^\s*(?:which|what)\s+(?:news\s+)?(?:outlets?|papers?|newspapers?|sources?|publications?|"
                          r"media|sites?|agencies|titles)\s+(?:have\s+|has\s+)?(?:covered|reported(?:\s+on)?|carried|"
                          r"wrote\s+about|ran|published|had)\s+(?:stories\s+|reports\s+|articles\s+)?"
                          rf"(?:{_ABOUT}\s+)?(?P<x>.+?)\s*[?.!]*\s*$", re.I)),
    ("source", re.compile(r"^\s*who\s+(?:covered|reported\s+on|carried)\s+(?P<x>.+?)\s*[?.!]*\s*$", re.I)),
]


@dataclass(frozen=True)
class AboutQuestion:
    """A question about articles: what it asks ("author", "published" or "source") and what about."""

    asks: str
    subject: str


def about_question(question: str) -> AboutQuestion | None:
    """What a question about the articles themselves asks, or None for a question about the news."""
    for asks, pattern in _QUESTIONS:
        match = pattern.match(question)
        if match and match.group("x").strip():
            return AboutQuestion(asks, match.group("x").strip())
    return None
