"""`newsbot follow` and `telegram --feed`: feeds polled on a schedule with conditional GET and backoff,
against a loopback web server; the schedule is driven by a clock the tests move."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time

import pytest

from web.adding import Adder
from web.follow import Follower
from web.shelf import Shelf

from . import forked, in_process
from .conftest import PYTHON, ROOT, SEEDS, run_env, warm
from .fake_bot_api import TEST_TOKEN, ThreadedFakeBotApi
from .test_web import ATOM, RSS, Recorder, articles
from .web_server import Route, WebServer


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def web():
    with WebServer() as server:
        server.page("/articles/ferry", "clean.html")
        server.page("/articles/bridge", "bridge.html")
        server.page("/post/fishing", "fishing.html")
        server.page("/post/museum", "museum.html")
        yield server


def follower(folder, feeds, every=60.0, max_backoff=3600.0):
    clock, recorder = Clock(), Recorder()
    adder = Adder(Shelf(folder), recorder, timeout=2)
    return Follower(feeds, adder, every=every, max_backoff=max_backoff, clock=clock), clock, recorder


def test_an_unchanged_feed_is_asked_for_with_its_etag_and_its_304_saves_nothing(web, tmp_path):
    feed = web.page("/feeds/news.atom", "news.atom", content_type=ATOM, etag='"v1"')
    follow, clock, _ = follower(tmp_path, [feed])
    assert follow.poll_due() == 2
    files = articles(tmp_path)
    clock.now += 60
    assert follow.poll_due() == 0
    second = web.hits("/feeds/news.atom")[1]
    assert second.headers["if-none-match"] == '"v1"'
    assert articles(tmp_path) == files
    assert len(web.hits("/post/fishing")) == 1 and len(web.hits("/post/museum")) == 1  # pages not fetched again


def test_an_unchanged_feed_is_asked_for_with_its_last_modified_date(web, tmp_path):
    stamp = "Tue, 11 Jun 2024 09:00:00 GMT"
    feed = web.page("/feeds/news.atom", "news.atom", content_type=ATOM, last_modified=stamp)
    follow, clock, _ = follower(tmp_path, [feed])
    follow.poll_due()
    clock.now += 60
    follow.poll_due()
    assert web.hits("/feeds/news.atom")[1].headers["if-modified-since"] == stamp
    assert len(articles(tmp_path)) == 2 and len(web.hits("/post/fishing")) == 1


def test_a_feed_is_polled_once_per_interval(web, tmp_path):
    feed = web.page("/feeds/news.atom", "news.atom", content_type=ATOM)
    follow, clock, _ = follower(tmp_path, [feed], every=60)
    follow.poll_due()
    clock.now += 59
    follow.poll_due()
    assert len(web.hits("/feeds/news.atom")) == 1
    clock.now += 1
    follow.poll_due()
    assert len(web.hits("/feeds/news.atom")) == 2


def test_a_feed_that_changes_has_only_its_new_items_saved(web, tmp_path):
    feed = web.page("/feeds/news.atom", "news.atom", content_type=ATOM, etag='"v1"')
    follow, clock, _ = follower(tmp_path, [feed])
    follow.poll_due()
    newer = web.routes["/feeds/news.atom"].body.replace(
        b"<entry>", b'<entry><title>Old swing bridge to close</title><link href="%s"/><id>urn:bridge</id>'
        b"<updated>2024-06-14T12:00:00Z</updated></entry><entry>" % web.url("/articles/bridge").encode(), 1)
    web.routes["/feeds/news.atom"] = Route(newer, content_type=ATOM, etag='"v2"')
    clock.now += 60
    assert follow.poll_due() == 1
    assert len(articles(tmp_path)) == 3
    assert len(web.hits("/post/fishing")) == 1  # the items already saved are known by URL, not fetched


def test_errors_double_the_wait_up_to_the_cap_and_a_success_resets_it(web, tmp_path):
    web.routes["/feeds/down.rss"] = Route(b"oops", status=503, content_type="text/plain")
    follow, clock, recorder = follower(tmp_path, [web.url("/feeds/down.rss")], every=10, max_backoff=50)
    polled_at = []
    for _ in range(70):  # 70 s of clock, looked at every second
        before = len(web.hits("/feeds/down.rss"))
        follow.poll_due()
        if len(web.hits("/feeds/down.rss")) > before:
            polled_at.append(clock.now - 1000)
        clock.now += 1
    # waits of 20, 40, then capped at 50 s
    assert polled_at == [0, 20, 60]
    assert [e.message.rsplit("; ", 1)[1] for e in recorder.kinds("failed")] == [
        "trying again in 20 s", "trying again in 40 s", "trying again in 50 s"]
    assert recorder.kinds("failed")[0].message.startswith("HTTP 503")
    web.page("/feeds/down.rss", "news.rss", content_type=RSS)
    clock.now = 1000 + 110
    follow.poll_due()
    assert follow.feeds[0].errors == 0 and follow.feeds[0].due == clock.now + 10


def test_a_broken_feed_or_a_page_given_as_a_feed_backs_off_too(web, tmp_path):
    broken = web.page("/feeds/broken.rss", "broken.rss", content_type=RSS)
    follow, clock, recorder = follower(tmp_path, [broken, web.url("/articles/ferry")], every=10)
    follow.poll_due()
    messages = [e.message for e in recorder.kinds("failed")]
    assert messages == ["broken feed XML (no element found); trying again in 20 s",
                        "not an RSS or Atom feed (text/html); trying again in 20 s"]
    assert articles(tmp_path) == []


def newsbot(*args: str, **popen) -> subprocess.Popen:
    return forked.Popen([PYTHON, "-m", "bot", *args], cwd=ROOT, env=run_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_follow_saves_new_items_and_stops_cleanly_on_sigterm(web, tmp_path):
    feed = web.page("/feeds/news.atom", "news.atom", content_type=ATOM, etag='"v1"')
    process = newsbot("follow", feed, "--corpus", str(tmp_path), "--every", "0.2")
    try:
        wait_for(lambda: len(articles(tmp_path)) == 2)
        wait_for(lambda: len(web.hits("/feeds/news.atom")) >= 3)  # polling on, and 304s saving nothing
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert out.count("saved ") == 2 and "Traceback" not in err
    assert len(articles(tmp_path)) == 2
    assert all(r.headers.get("if-none-match") == '"v1"' for r in web.hits("/feeds/news.atom")[1:])


def test_follow_once_exits_1_naming_a_feed_that_failed(web, tmp_path):
    result = in_process.newsbot("follow", web.url("/feeds/missing.rss"), "--corpus", str(tmp_path), "--once")
    assert result.returncode == 1
    assert result.stderr.strip() == f"newsbot: failed: {web.url('/feeds/missing.rss')}: HTTP 404 Not Found; trying again in 600 s"


def test_follow_wants_feed_urls_not_files(tmp_path):
    result = in_process.newsbot("follow", "saved.rss", "--corpus", str(tmp_path))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "'saved.rss'" in result.stderr


def test_a_surprise_in_one_feed_is_a_failed_poll_not_a_stopped_follower(web, tmp_path, monkeypatch):
    import web.follow as follow_module

    good = web.page("/feeds/news.atom", "news.atom", content_type=ATOM)
    bad = web.page("/feeds/news.rss", "news.rss", content_type=RSS)
    real = follow_module.parse_feed

    def parse(body, url):
        if url == bad:
            raise RuntimeError("a parser bug")
        return real(body, url)

    monkeypatch.setattr(follow_module, "parse_feed", parse)
    follow, _, recorder = follower(tmp_path, [bad, good], every=10)
    assert follow.poll_due() == 2
    assert recorder.kinds("failed")[0].message == "unexpected error (RuntimeError: a parser bug); trying again in 20 s"


def test_the_telegram_bot_follows_a_feed_and_answers_from_its_new_items(web, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / "idlib.txt", corpus / "idlib.txt")
    warm(corpus)  # the bot starts on a built index; the feed's items are built in by its reloads
    feed = web.page("/feeds/news.rss", "news.rss", content_type=RSS)
    environment = run_env(TELEGRAM_BOT_TOKEN=TEST_TOKEN)
    with ThreadedFakeBotApi() as api:
        process = forked.Popen(
            [PYTHON, "-m", "bot", "telegram", "--api-url", api.base_url, "--no-throttle", "--corpus", str(corpus),
             "--reload-every", "0.5", "--feed", feed, "--feed-every", "0.5",
             "--questions-per-minute", "0"],  # it is asked until the reload is in: no reader limit
            cwd=ROOT, env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        try:
            api.wait_for_sync(lambda: api.calls_of("getUpdates") or process.poll() is not None, timeout=30)
            assert process.poll() is None
            wait_for(lambda: len(articles(corpus)) == 4)
            # The bot reloads the folder on its own; ask until the new article is in.
            reply = None
            deadline = time.monotonic() + 90  # deadlines, not waits: generous for a loaded machine
            while time.monotonic() < deadline:
                message_id = api.send_text(7, "How much did the ferry repairs cost?")
                reply = api.wait_for_sync(lambda: api.replies_to(7, message_id), timeout=30)[0]
                if "480,000" in reply.text:
                    break
                time.sleep(0.3)
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=15)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert "480,000 pounds" in reply.text and "Harbour ferry returns after storm repairs" in reply.text
    assert process.returncode == 0
    assert "following 1 feed" in err and "feed item saved" in err
    assert TEST_TOKEN.split(":", 1)[1] not in out + err


def test_telegram_feed_without_a_corpus_folder_is_one_line_and_exit_code_2(web):
    environment = run_env(TELEGRAM_BOT_TOKEN=TEST_TOKEN)
    result = in_process.newsbot("telegram", "--api-url", "http://127.0.0.1:9/bot", "--feed", web.url("/feeds/news.rss"),
                                env=environment, cwd=ROOT)
    assert result.returncode == 2
    assert "name the corpus folder to save into with --corpus DIR or NEWSBOT_CORPUS" in result.stderr
