"""Telegram HTML built safely: escaped text, whole tags, lengths counted as Telegram counts them, cut to fit."""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Iterable

MAX_MESSAGE_LENGTH = 4096  # Telegram's limit on a message's visible text, in UTF-16 code units


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts two; a lone
    surrogate, which the encoder passes through, one)."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2


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


def clip_left(text: str, limit: int) -> str:
    """The end of `text` within `limit` units, starting at a word, marked with a leading "…"."""
    if utf16_length(text) <= limit:
        return text
    if limit <= 1:
        return ""
    return "…" + clip(text[::-1], limit)[:-1][::-1].lstrip()  # clip the reversed text, then turn it back


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


def web_link(url: str | None) -> str | None:
    """An http(s) URL made safe for an href (spaces, quotes and brackets percent-encoded); else None."""
    url = (url or "").strip()
    if not re.match(r"https?://[^/\s]", url, re.IGNORECASE) or len(url) > 2000:
        return None
    return urllib.parse.quote(url, safe=":/?#[]@!$&'()*+,;=%~")
