"""Adding pages and feeds to the corpus: fetch, extract, skip what is there already, save, report."""

from __future__ import annotations

import re
import time
import urllib.parse
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from retrieval.articles import ArticleError

from .feeds import Feed, FeedError, FeedItem, looks_like_feed, parse_feed
from .fetch import MAX_BYTES, TIMEOUT, FetchError, Fetched, fetch, is_url, read_file
from .pages import ExtractError, WebArticle, extract_page, looks_like_html, site_of
from .shelf import Duplicate, Shelf

FALLBACK_MIN_WORDS = 40  # a feed item's own text is saved in place of its page only when it is this long

_OTHER_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class Event:
    """One thing that happened to one page, feed or item, for the caller to show or log."""

    kind: str  # "saved", "skipped" (already there), "note" (saved, with a caveat), "failed"
    what: str  # the URL, file or feed item
    message: str
    path: Path | None = None  # the file written, for "saved" and "note"
    title: str | None = None  # its headline


class Adder:
    """Saves pages and feed items into one corpus folder. `report` is told every Event; `failures`
    counts the pages, feeds and items that could not be saved."""

    def __init__(self, shelf: Shelf, report: Callable[[Event], None], *, timeout: float = TIMEOUT,
                 max_bytes: int = MAX_BYTES, clock: Callable[[], float] = time.time):
        self.shelf = shelf
        self.report = report
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.clock = clock
        self.failures = 0

    def add(self, target: str) -> None:
        """A URL or a file on disk, each a page or a feed (told apart by content type and content)."""
        if is_url(target):
            if seen := self.shelf.known_url(target):
                return self._event("skipped", target, f"already in the corpus (same URL as {seen.path})")
            try:
                got = self._fetch(target)
            except FetchError as err:
                return self._fail(target, str(err))
            body, content_type, url = got.body, got.content_type, got.url
        elif _OTHER_SCHEME.match(target) and not Path(target).exists():  # "ftp://…", "file:///…"
            return self._fail(target, "only http:// and https:// URLs are fetched (or give a file's path)")
        else:
            try:
                body, content_type, url = read_file(Path(target), self.max_bytes), "", None
            except FetchError as err:
                return self._fail(target, str(err))
        if looks_like_feed(body, content_type):
            self.add_feed(target, body, url)
        elif _is_html(body, content_type):
            self._add_page(target, body, url, requested=target if url else None)
        else:
            self._fail(target, f"not an HTML page or a feed ({content_type or 'unknown content'})")

    def add_feed(self, name: str, body: bytes, url: str | None = None) -> int:
        """Every item of a feed not in the corpus yet; returns how many were saved."""
        try:
            feed = parse_feed(body, url)
        except FeedError as err:
            self._fail(name, str(err))
            return 0
        return self.add_items(feed, url)

    def add_items(self, feed: Feed, url: str | None) -> int:
        """Every item of a parsed feed not in the corpus yet; returns how many were saved."""
        return sum(self._add_item(item, feed, url) for item in feed.items)

    # -- one page, one item -----------------------------------------------------------------------
    def _add_page(self, name: str, body: bytes, url: str | None, *, requested: str | None = None) -> bool:
        try:
            article = extract_page(body, url)
        except ExtractError as err:
            self._fail(name, str(err))
            return False
        article = replace(article, source=article.source or site_of(article.url))
        return self._save(name, self._stamped(article), requested)

    def _add_item(self, item: FeedItem, feed: Feed, feed_url: str | None) -> bool:
        link = urllib.parse.urljoin(feed_url or "", item.link) if item.link else None
        name = link or f"{feed_url or 'feed'}: {item.name()}"
        if link and (seen := self.shelf.known_url(link)):
            self._event("skipped", name, f"already in the corpus (same URL as {seen.path})")
            return False
        why = "the item has no link"
        if link:
            try:
                article = self._item_page(link, item, feed, feed_url)
                return self._save(name, article, link)
            except (FetchError, ExtractError) as err:
                why = f"its page could not be read: {err}"
        if item.words() < FALLBACK_MIN_WORDS:
            too_short = f"{why}, and the feed's own text is too short to save ({item.words()} words)"
            if link:  # its page may be back next time: a failure, tried again
                self._fail(name, too_short)
            else:  # nothing to try again: every later run would fail on it
                self._event("skipped", name, too_short)
            return False
        article = WebArticle(
            title=item.title or item.paragraphs[0], paragraphs=item.paragraphs, url=link,
            source=feed.title or site_of(link) or site_of(feed.link), published=item.published, author=item.author,
        )
        article = self._stamped(article, feed=feed_url, text_from="the feed item (its page could not be read)")
        return self._save(name, article, link, note=f"{why}; saved the feed's own text instead")

    def _item_page(self, link: str, item: FeedItem, feed: Feed, feed_url: str | None) -> WebArticle:
        got = self._fetch(link)
        if not _is_html(got.body, got.content_type):
            raise ExtractError(f"not an HTML page ({got.content_type or 'unknown content'})")
        article = extract_page(got.body, got.url)
        return self._stamped(replace(
            article,
            title=article.title or item.title,
            published=article.published or item.published,
            author=article.author or item.author,
            source=article.source or feed.title or site_of(article.url),
        ), feed=feed_url)

    # -- helpers ----------------------------------------------------------------------------------
    def _fetch(self, url: str) -> Fetched:
        return fetch(url, timeout=self.timeout, max_bytes=self.max_bytes)

    def _stamped(self, article: WebArticle, **extra: str | None) -> WebArticle:
        fetched = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.clock()))
        return article.with_extra(fetched=fetched, **extra)

    def _save(self, name: str, article: WebArticle, requested: str | None, note: str | None = None) -> bool:
        try:
            path = self.shelf.save(article, requested)
        except Duplicate as err:
            self._event("skipped", name, str(err))
            return False
        except ArticleError as err:
            self._fail(name, err.reason)
            return False
        except OSError as err:
            self._fail(name, f"cannot write into {self.shelf.folder} ({err.strerror or err})")
            return False
        self.report(Event("note" if note else "saved", name, note or f"“{article.title}”", path, article.title))
        return True

    def _fail(self, what: str, why: str) -> None:
        self.failures += 1
        self._event("failed", what, why)

    def _event(self, kind: str, what: str, message: str) -> None:
        self.report(Event(kind, what, message))


def _is_html(body: bytes, content_type: str) -> bool:
    if content_type in ("text/html", "application/xhtml+xml"):
        return True
    return content_type in ("", "text/plain", "application/octet-stream") and looks_like_html(body)
