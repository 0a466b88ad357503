"""Reading RSS and Atom feeds (feedparser) into their items: link, headline, date and the item's own text."""

from __future__ import annotations

import time
from dataclasses import dataclass

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+xml")


class FeedError(Exception):
    """A document that is not a readable feed; the message says why in a few words."""


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed. `text` is the entry's own content (or summary) as paragraphs."""

    position: int  # from 1, in feed order
    link: str | None
    title: str | None
    published: str | None  # YYYY-MM-DD
    author: str | None
    paragraphs: tuple[str, ...]

    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)

    def name(self) -> str:
        """How a message names the item: its link, else its place and headline."""
        return self.link or f"item {self.position}" + (f" ({self.title!r})" if self.title else "")


@dataclass(frozen=True)
class Feed:
    title: str | None
    link: str | None  # the site the feed belongs to
    items: tuple[FeedItem, ...]


def looks_like_feed(body: bytes, content_type: str = "") -> bool:
    """True for RSS/Atom by content type, or by the document's first element when the type says
    nothing useful (a file on disk, text/xml, application/octet-stream)."""
    if content_type in FEED_TYPES:
        return True
    if "html" in content_type:
        return False
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return any(tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf")) and b"<html" not in head


def parse_feed(body: bytes, url: str | None = None) -> Feed:
    """The feed's title and items. Raises FeedError for XML that is broken before any item could be
    read, or a document that is no feed; feedparser reads past smaller faults, item by item."""
    import feedparser

    parsed = feedparser.parse(body, response_headers={"content-location": url} if url else None)
    if not parsed.entries:
        if parsed.bozo:
            raise FeedError(f"broken feed XML ({_reason(parsed.bozo_exception)})")
        if not parsed.version:
            raise FeedError("not an RSS or Atom feed")
    items = tuple(_item(i, entry) for i, entry in enumerate(parsed.entries, 1))
    meta = parsed.feed
    return Feed(title=_one_line(meta.get("title")) or None, link=meta.get("link") or None, items=items)


def _reason(err: Exception | None) -> str:
    text = " ".join(str(getattr(err, "getMessage", lambda: err)()).split())
    return text or err.__class__.__name__


def _item(position: int, entry) -> FeedItem:
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    text = max(contents + [entry.get("summary", "")], key=len)
    return FeedItem(
        position=position,
        link=(entry.get("link") or "").strip() or None,
        title=_one_line(entry.get("title")) or None,
        published=time.strftime("%Y-%m-%d", when) if when else None,
        author=_one_line(entry.get("author")) or None,
        paragraphs=tuple(html_paragraphs(text)),
    )


def html_paragraphs(fragment: str) -> list[str]:
    """The text of an HTML fragment (a feed item's content) as paragraphs: one per block element,
    or the whole text when it has none."""
    if not fragment.strip():
        return []
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # noqa: BLE001 - markup lxml cannot read at all: keep the words
        return [_one_line(fragment)]
    for junk in root.iter("script", "style"):
        junk.drop_tree()
    blocks = [el for el in root.iter("p", "li", "blockquote", "pre", "td")
              if not any(a.tag in ("p", "li", "blockquote") for a in el.iterancestors())]
    texts = [_one_line(el.text_content()) for el in blocks] if blocks else [_one_line(root.text_content())]
    return [t for t in texts if t]


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())
