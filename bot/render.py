"""Plain-text renderings of answers, shared by every adapter."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .service import Passage


def where_line(passage: "Passage") -> str:
    """Headline; outlet, date; paragraph — where the passage comes from."""
    article = passage.article
    parts = [f"“{article.title}”"]
    parts += [x for x in (article.source, article.published) if x]
    parts.append(("photo caption" if passage.kind == "caption" else "standfirst" if passage.kind == "standfirst"
                  else f"paragraph {passage.paragraph}"))
    return ", ".join(parts)


def attribution_line(passage: "Passage") -> str:
    """One line: where the passage comes from, its link, and who the article says made the claim."""
    line = where_line(passage)
    if passage.article.url:
        line += f" <{passage.article.url}>"
    if passage.speaker:
        line += f"; according to {passage.speaker}"
    if passage.credit:
        line += f"; photo: {passage.credit}"
    return line


def plain_passage(passage: "Passage") -> str:
    return f"{passage.text}\n— {attribution_line(passage)}"
