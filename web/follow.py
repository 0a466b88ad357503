"""Following feeds: poll each on a schedule with conditional GET, back off on errors, save new items."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

from .adding import Adder, Event
from .feeds import FeedError, looks_like_feed, parse_feed
from .fetch import FetchError, fetch

from . import EVERY, MAX_BACKOFF


@dataclass
class FeedState:
    """What the follower knows of one feed between polls."""

    url: str
    due: float = 0.0  # clock time of the next poll
    etag: str | None = None
    last_modified: str | None = None
    errors: int = 0  # failed polls in a row


class Follower:
    """Polls feeds: each is due `every` seconds after its last poll; after n failed polls in a row it
    waits every × 2ⁿ, at most `max_backoff`. A 304 (the feed unchanged since its ETag or Last-Modified)
    costs one request and saves nothing; new items are saved through the Adder."""

    def __init__(self, feeds: list[str], adder: Adder, *, every: float = EVERY, max_backoff: float = MAX_BACKOFF,
                 clock: Callable[[], float] = time.monotonic):
        self.feeds = [FeedState(url) for url in dict.fromkeys(feeds)]
        self.adder = adder
        self.every = every
        self.max_backoff = max(max_backoff, every)
        self.clock = clock

    def poll_due(self, stop: threading.Event | None = None) -> int:
        """Poll every feed that is due now (until `stop` is set); returns how many items were saved."""
        saved = 0
        for feed in self.feeds:
            if stop is not None and stop.is_set():
                break
            if feed.due <= self.clock():
                try:
                    saved += self.poll(feed)
                except Exception as err:  # noqa: BLE001 - one feed's surprise must not stop the others
                    self._failed(feed, f"unexpected error ({err.__class__.__name__}: {err})")
        return saved

    def poll(self, feed: FeedState) -> int:
        try:
            got = fetch(feed.url, timeout=self.adder.timeout, max_bytes=self.adder.max_bytes,
                        etag=feed.etag, last_modified=feed.last_modified)
        except FetchError as err:
            return self._failed(feed, str(err))
        saved = 0
        if not got.not_modified:
            try:
                if not looks_like_feed(got.body, got.content_type):
                    raise FeedError(f"not an RSS or Atom feed ({got.content_type or 'unknown content'})")
                parsed = parse_feed(got.body, got.url)
            except FeedError as err:
                return self._failed(feed, str(err))
            self.adder.shelf.refresh()  # articles someone else added meanwhile count as there too
            saved = self.adder.add_items(parsed, got.url)
            feed.etag, feed.last_modified = got.etag, got.last_modified
        feed.errors = 0
        feed.due = self.clock() + self.every
        return saved

    def _failed(self, feed: FeedState, why: str) -> int:
        feed.errors += 1
        wait = min(self.every * 2 ** feed.errors, self.max_backoff)
        feed.due = self.clock() + wait
        self.adder.failures += 1
        self.adder.report(Event("failed", feed.url, f"{why}; trying again in {wait:g} s"))
        return 0

    def next_due(self) -> float:
        return min(feed.due for feed in self.feeds)

    def run(self, stop: threading.Event) -> None:
        """Poll until `stop` is set; it is checked between requests and wakes the wait at once."""
        while not stop.is_set():
            self.poll_due(stop)
            stop.wait(max(0.0, self.next_due() - self.clock()))

