"""Telegram HTML renderings of answers: escaped, highlighted, and never longer than a message may be."""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Iterable, Sequence

from .service import Answer, Passage, Source

MAX_MESSAGE_LENGTH = 4096  # Telegram's limit on a message's visible text, in UTF-16 code units
MAX_HEADLINE = 300
MAX_NAME = 200  # an outlet, a date, a speaker or a photo credit


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts two)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-16 units, at a word boundary when one is near, marked with "…"."""
    if utf16_length(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]
    kept, used = [], 0
    for char in text:
        size = 2 if ord(char) > 0xFFFF else 1
        if used + size > limit - 1:
            break
        kept.append(char)
        used += size
    cut = "".join(kept)
    space = cut.rfind(" ")
    if space > 0 and len(cut) - space <= 30:  # a word boundary close to the end: do not cut a word in half
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


class Markup:
    """Telegram HTML built piece by piece, keeping count of the visible length.

    Text goes in through `text` (escaped), tags through `open`/`close`, so no article or reader
    can ever inject markup, and the visible length is known without parsing the result.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.length = 0

    def text(self, text: str) -> Markup:
        self._parts.append(html.escape(text, quote=False))
        self.length += utf16_length(text)
        return self

    def open(self, tag: str, href: str | None = None) -> Markup:
        self._parts.append(f'<a href="{html.escape(href, quote=True)}">' if href is not None else f"<{tag}>")
        return self

    def close(self, tag: str) -> Markup:
        self._parts.append(f"</{tag}>")
        return self

    def wrapped(self, tag: str, text: str) -> Markup:
        return self.open(tag).text(text).close(tag)

    def link(self, text: str, url: str | None) -> Markup:
        href = web_link(url)
        if href:
            return self.open("a", href=href).text(text).close("a")
        return self.text(text)

    def extend(self, other: Markup) -> Markup:
        self._parts.extend(other._parts)
        self.length += other.length
        return self

    def __str__(self) -> str:
        return "".join(self._parts)


def highlighted(text: str, words: Iterable[str]) -> Markup:
    """`text` with each whole-word occurrence of `words` in bold."""
    markup = Markup()
    words = sorted({w for w in words if w and w.strip()}, key=len, reverse=True)
    if not words:
        return markup.text(text)
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, words)) + r")(?!\w)")
    position = 0
    for match in pattern.finditer(text):
        markup.text(text[position : match.start()]).wrapped("b", match.group())
        position = match.end()
    return markup.text(text[position:])


def attribution(passage: Passage) -> Markup:
    """The italic line saying where a passage comes from: headline (linked); outlet, date; place; speaker."""
    article = passage.article
    line = Markup().open("i").text("— “")
    line.link(clip(article.title or article.id, MAX_HEADLINE), article.url).text("”")
    outlet_and_date = ", ".join(clip(x, MAX_NAME) for x in (article.source, article.published) if x)
    if outlet_and_date:
        line.text(f", {outlet_and_date}")
    place = {"caption": "photo caption", "standfirst": "standfirst"}.get(passage.kind, f"paragraph {passage.paragraph}")
    line.text(f"; {place}")
    if passage.speaker:
        line.text(f"; according to {clip(passage.speaker, MAX_NAME)}")
    if passage.credit:
        line.text(f"; photo: {clip(passage.credit, MAX_NAME)}")
    return line.close("i")


def passage_message(passage: Passage, lead: str | None = None, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """A passage with its matched words in bold and its attribution below, within `limit`."""
    head = Markup()
    if lead:
        head.wrapped("i", clip(lead, 200)).text("\n")
    tail = Markup().text("\n").extend(attribution(passage))
    room = limit - head.length - tail.length
    body = highlighted(clip(passage.text, room), passage.matched)
    return str(head.extend(body).extend(tail))


def answer_message(answer: Answer, help_text: str, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """The reply to a question (or to "more"): the answer, the refusal with the closest match, or help."""
    if answer.kind == "help":
        return str(Markup().text(clip(help_text, limit)))
    if not answer.passages:
        return str(Markup().text(clip(answer.reply, limit)))
    best = answer.passages[0]
    if answer.answered:
        lead = "Next best match:" if answer.reply.startswith("Next best match") else None
        return passage_message(best, lead, limit)
    refusal = re.sub(r"\s*The closest match(es)?:?\s*$", "", answer.reply.split("\n", 1)[0]).strip()
    return passage_message(best, f"{refusal} The closest match:", limit)


def context_message(paragraph: str, passage: Passage, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """The paragraph around an answer, the answer itself in bold, trimmed around it when too long."""
    head = Markup().wrapped("i", f"The paragraph around it ({_place(passage)}):").text("\n")
    room = limit - head.length
    start = paragraph.find(passage.text)
    if start < 0:
        return str(head.text(clip(paragraph, room)))
    before, sentence, after = paragraph[:start], passage.text, paragraph[start + len(passage.text):]
    if utf16_length(paragraph) > room:
        sentence = clip(sentence, room)
        spare = max(0, room - utf16_length(sentence))
        after = clip(after, spare // 2) if after else ""
        before = _clip_left(before, spare - utf16_length(after))
    return str(head.text(before).wrapped("b", sentence).text(after))


def sources_message(sources: Sequence[Source], limit: int = MAX_MESSAGE_LENGTH) -> str:
    """The articles the bot answers from: headline (linked), outlet, date, id, size; as many as fit."""
    message = Markup().wrapped("b", f"I answer from {len(sources)} article{'s' if len(sources) != 1 else ''}:")
    for shown, source in enumerate(sources):
        line = Markup().text("\n• ").link(clip(source.title or source.id, MAX_HEADLINE), source.url)
        details = [clip(x, MAX_NAME) for x in (source.source, source.published) if x]
        details.append(f"{source.sentences} sentences, id {clip(source.id, MAX_NAME)}")
        line.text(" — " + ", ".join(details))
        rest = f"\n… and {len(sources) - shown} more."
        if message.length + line.length + utf16_length(rest) > limit:
            return str(message.text(rest))
        message.extend(line)
    return str(message)


def plain_message(text: str, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """Plain text made safe for HTML parse mode."""
    return str(Markup().text(clip(text, limit)))


def _place(passage: Passage) -> str:
    where = {"caption": "photo caption", "standfirst": "standfirst"}.get(passage.kind, f"paragraph {passage.paragraph}")
    return f"{where} of “{clip(passage.article.title or passage.article.id, MAX_HEADLINE)}”"


def _clip_left(text: str, limit: int) -> str:
    """The end of `text` within `limit` units, starting at a word, marked with a leading "…"."""
    if utf16_length(text) <= limit:
        return text
    if limit <= 1:
        return ""
    return "…" + clip(text[::-1], limit)[:-1][::-1].lstrip()  # clip the reversed text, then turn it back


def web_link(url: str | None) -> str | None:
    """An http(s) URL made safe for an href (spaces, quotes and brackets percent-encoded); else None."""
    url = (url or "").strip()
    if not re.match(r"https?://[^/\s]", url, re.IGNORECASE) or len(url) > 2000:
        return None
    return urllib.parse.quote(url, safe=":/?#[]@!$&'()*+,;=%~")
