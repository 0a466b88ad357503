"""`newsbot add`: web pages and feeds saved as article files, against a loopback web server serving
pages and feeds written for these tests (tests/web_fixtures/)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from retrieval.articles import read_article
from web.adding import Adder
from web.shelf import Shelf, normalise_url, slug, write_new

from . import forked, in_process
from .conftest import PYTHON, ROOT, run_env
from .web_server import FIXTURES, WebServer

RSS = "application/rss+xml"
ATOM = "application/atom+xml"


@pytest.fixture
def web():
    with WebServer() as server:
        server.page("/articles/ferry", "clean.html")
        server.page("/articles/bridge", "bridge.html")
        server.page("/articles/lighthouse", "messy.html")
        server.page("/copies/ferry", "copy.html")
        server.page("/post/fishing", "fishing.html")
        server.page("/post/museum", "museum.html")
        server.page("/feeds/news.rss", "news.rss", content_type=RSS)
        server.page("/feeds/news.atom", "news.atom", content_type=ATOM)
        server.page("/feeds/broken-item.rss", "broken-item.rss", content_type=RSS)
        server.page("/feeds/broken.rss", "broken.rss", content_type=RSS)
        yield server


def newsbot_process(*args: str, corpus=None) -> subprocess.CompletedProcess:
    """`python -m bot ARGS [--corpus DIR]` in a process of its own."""
    extra = ["--corpus", str(corpus)] if corpus is not None else []
    return forked.run([PYTHON, "-m", "bot", *args, *extra], capture_output=True, text=True,
                          env=run_env(), cwd=ROOT, timeout=120)


def newsbot(*args: str, corpus=None):
    """The same command line run in this process (tests/in_process.py)."""
    extra = ["--corpus", str(corpus)] if corpus is not None else []
    return in_process.newsbot(*args, *extra, env=run_env(), cwd=ROOT)


class Recorder:
    def __init__(self):
        self.events = []

    def __call__(self, event):
        self.events.append(event)

    def kinds(self, kind):
        return [e for e in self.events if e.kind == kind]


def adder(folder, **options) -> tuple[Adder, Recorder]:
    recorder = Recorder()
    return Adder(Shelf(folder), recorder, **options), recorder


def articles(folder):
    """The article files, as the corpus sees them (dot files such as the ledger left out)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts))


# -- pages ------------------------------------------------------------------------------------------
def test_a_clean_page_becomes_an_article_file_with_its_metadata_in_front_matter(web, tmp_path):
    add, seen = adder(tmp_path)
    add.add(web.url("/articles/ferry"))
    assert add.failures == 0
    assert articles(tmp_path) == ["harbour-gazette.example/2024-06-16-harbour-ferry-returns-after-storm-repairs.txt"]
    article = read_article(tmp_path / articles(tmp_path)[0])
    assert article.title == "Harbour ferry returns after storm repairs"
    assert article.source == "Harbour Gazette"
    assert article.author == "Maria Okafor"
    assert article.published == "2024-06-16"
    assert article.url == "https://harbour-gazette.example/news/ferry-returns"  # the page's canonical URL
    texts = [p.text for p in article.paragraphs]
    assert texts[0].startswith("The Kestrel ferry carried its first passengers")
    assert texts[-1].startswith("Ticket prices will stay at six pounds") and len(texts) == 4
    assert seen.kinds("saved")[0].path == tmp_path / articles(tmp_path)[0]


def test_a_messy_page_keeps_the_story_and_leaves_out_navigation_ads_comments_and_footer(web, tmp_path):
    add, _ = adder(tmp_path)
    add.add(web.url("/articles/lighthouse"))
    [name] = articles(tmp_path)
    text = (tmp_path / name).read_text()
    for line in ("Agnes Moreau climbed the 212 steps", "She first lit the lamp in 1984",
                 "The lighthouse was automated in 2009", "would move to her sister's farm inland",
                 "would become a small museum of coastal navigation"):
        assert line in text
    for junk in ("Politics section", "Sport results", "Subscribe now", "luxury cruise", "GlowTooth",
                 "Share on Facebook", "Mayor unveils plan", "Celebrity chef", "newsletter", "cookies",
                 "sailor_joe", "Absolutely ridiculous", "gave us a tour", "Post comment", "All rights reserved",
                 "Privacy policy", "tracking pixel", "A new role for the tower"):
        assert junk not in text, junk
    article = read_article(tmp_path / name)
    assert (article.title, article.source, article.author, article.published) == (
        "Lighthouse keeper retires after forty years", "The Coastal Courier", "Tom Reyes", "2024-05-02")


def test_a_page_without_a_site_name_is_filed_under_its_host_and_names_it_the_outlet(web, tmp_path):
    add, _ = adder(tmp_path)
    add.add(web.url("/post/fishing"))
    [name] = articles(tmp_path)
    assert name == "127.0.0.1/2024-06-10-fishing-fleet-lands-record-catch-of-mackerel.txt"
    assert read_article(tmp_path / name).source == "127.0.0.1"


def test_a_page_saved_on_disk_is_added_like_a_fetched_one(tmp_path):
    corpus = tmp_path / "corpus"
    add, _ = adder(corpus)
    add.add(str(FIXTURES / "clean.html"))
    assert add.failures == 0
    [name] = articles(corpus)
    assert read_article(corpus / name).url == "https://harbour-gazette.example/news/ferry-returns"


def test_a_saved_page_dropped_into_the_corpus_is_skipped_naming_add_and_add_makes_it_an_article(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "saved-page.txt").write_bytes((FIXTURES / "clean.html").read_bytes())
    (corpus / "port.txt").write_text("Harbour reopens\nThe harbour master said the port reopened on Monday.\n")
    asked = newsbot("sources", corpus=corpus)
    assert asked.returncode == 0 and "port" in asked.stdout and "saved-page" not in asked.stdout
    [warning] = [line for line in asked.stderr.splitlines() if "saved-page.txt" in line]
    assert "an HTML page" in warning and "newsbot add" in warning
    (corpus / "saved-page.txt").rename(tmp_path / "saved-page.html")
    assert newsbot("add", str(tmp_path / "saved-page.html"), corpus=corpus).returncode == 0
    listed = newsbot("sources", corpus=corpus)
    assert listed.returncode == 0 and "Harbour ferry returns after storm repairs (Harbour Gazette" in listed.stdout
    assert len(listed.stdout.splitlines()) == 3 and "html" not in listed.stdout.lower()  # a heading and 2 articles


# -- feeds ------------------------------------------------------------------------------------------
def test_an_rss_feed_saves_each_items_page_and_falls_back_to_the_items_own_text_saying_so(web, tmp_path):
    add, seen = adder(tmp_path)
    add.add(web.url("/feeds/news.rss"))
    assert add.failures == 0
    assert articles(tmp_path) == [
        "127.0.0.1/2024-06-13-regatta-moved-to-august-after-high-winds.txt",
        "127.0.0.1/2024-06-14-old-swing-bridge-to-close-for-six-months.txt",
        "harbour-gazette.example/2024-06-16-harbour-ferry-returns-after-storm-repairs.txt",  # its canonical URL
    ]
    # The bridge page has no canonical link: its URL is the one fetched; the feed's title is the outlet.
    bridge = read_article(tmp_path / articles(tmp_path)[1])
    assert bridge.url == web.url("/articles/bridge") and bridge.author == "Sam Whitlock"
    assert bridge.source == "Harbour Gazette"
    assert "rusted turning gear" in bridge.paragraphs[0].text
    # The regatta page is a 404: the item's own two paragraphs are saved, and that is said.
    regatta = read_article(tmp_path / articles(tmp_path)[0])
    assert [p.text[:24] for p in regatta.paragraphs] == ["The annual harbour regat", "About 140 boats had ente"]
    assert regatta.url == web.url("/articles/regatta-page-gone") and regatta.published == "2024-06-13"
    assert dict(regatta.metadata)["text_from"].startswith("the feed item")
    [note] = seen.kinds("note")
    assert "HTTP 404" in note.message and "saved the feed's own text instead" in note.message


def test_an_atom_feed_saves_each_entrys_page(web, tmp_path):
    add, _ = adder(tmp_path)
    add.add(web.url("/feeds/news.atom"))
    assert add.failures == 0
    assert articles(tmp_path) == ["127.0.0.1/2024-06-10-fishing-fleet-lands-record-catch-of-mackerel.txt",
                                  "127.0.0.1/2024-06-11-maritime-museum-reopens-with-whale-skeleton.txt"]
    museum = read_article(tmp_path / articles(tmp_path)[1])
    assert museum.source == "Eastmoor Post" and "fin whale" in museum.paragraphs[0].text


def test_a_feed_saved_on_disk_fetches_its_items_pages(web, tmp_path):
    feed = tmp_path / "saved.atom"
    feed.write_bytes(web.routes["/feeds/news.atom"].body)
    corpus = tmp_path / "corpus"
    add, _ = adder(corpus)
    add.add(str(feed))
    assert len(articles(corpus)) == 2 and add.failures == 0


def test_a_feed_with_broken_items_saves_the_good_one_and_names_each_broken_one(web, tmp_path):
    add, seen = adder(tmp_path)
    add.add(web.url("/feeds/broken-item.rss"))
    assert articles(tmp_path) == ["127.0.0.1/2024-06-14-old-swing-bridge-to-close-for-six-months.txt"]
    # an item with no link and too little text to save is skipped, not failed: no later run could save
    # it, so it must not make every run exit 1; one whose page is gone may be back, and fails
    assert add.failures == 1
    skipped, failed = seen.kinds("skipped"), seen.kinds("failed")
    assert "item 2 ('Untitled draft & nothing else')" in skipped[0].what and "has no link" in skipped[0].message
    assert failed[0].what == web.url("/articles/tides-gone") and "HTTP 404" in failed[0].message
    assert "too short" in failed[0].message


def test_broken_feed_xml_is_named_and_the_rest_still_go_in(web, tmp_path):
    add, seen = adder(tmp_path)
    add.add(web.url("/feeds/broken.rss"))
    add.add(web.url("/articles/ferry"))
    assert add.failures == 1
    [failed] = seen.kinds("failed")
    assert failed.what == web.url("/feeds/broken.rss") and "broken feed XML" in failed.message
    assert len(articles(tmp_path)) == 1


def test_a_404_a_slow_server_and_a_page_that_is_not_html_fail_alone_and_write_nothing(web, tmp_path):
    web.page("/slow", "clean.html", delay=3)
    web.routes["/data.json"] = web.routes["/articles/ferry"].__class__(b'{"a": 1}', content_type="application/json")
    web.routes["/empty"] = web.routes["/articles/ferry"].__class__(b"<html><body><p>Log in to read.</p></body></html>")
    add, seen = adder(tmp_path, timeout=0.5)
    for path in ("/missing", "/slow", "/data.json", "/empty"):
        add.add(web.url(path))
    reasons = {e.what.rsplit("/", 1)[1]: e.message for e in seen.kinds("failed")}
    assert reasons == {"missing": "HTTP 404 Not Found", "slow": "timed out after 0.5 s",
                       "data.json": "not an HTML page or a feed (application/json)", "empty": "no main text found"}
    assert articles(tmp_path) == []


def test_redirects_are_followed(web, tmp_path):
    web.routes["/old-link"] = web.routes["/articles/bridge"].__class__(
        status=301, headers={"Location": web.url("/articles/bridge")})
    add, _ = adder(tmp_path)
    add.add(web.url("/old-link"))
    [name] = articles(tmp_path)
    assert read_article(tmp_path / name).url == web.url("/articles/bridge")


def test_requests_name_newsbot_in_the_user_agent(web, tmp_path):
    add, _ = adder(tmp_path)
    add.add(web.url("/articles/ferry"))
    assert web.hits("/articles/ferry")[0].headers["user-agent"].startswith("newsbot/")


def test_a_page_larger_than_the_cap_is_refused(web, tmp_path):
    add, seen = adder(tmp_path, max_bytes=500)
    add.add(web.url("/articles/ferry"))
    assert seen.kinds("failed")[0].message == "larger than 500 bytes" and articles(tmp_path) == []


# -- already there ----------------------------------------------------------------------------------
def test_normalised_urls_ignore_case_of_scheme_and_host_trailing_slashes_fragments_and_tracking():
    assert normalise_url("HTTPS://WWW.Example.ORG:443/News/Storm/?utm_source=x&b=2&a=1&fbclid=z#top") == \
        "https://www.example.org/News/Storm?a=1&b=2"
    assert normalise_url("http://example.org/") == normalise_url("http://example.org")
    assert normalise_url("http://example.org/a?id=1") != normalise_url("http://example.org/a?id=2")


def test_a_malformed_url_fails_in_one_line(tmp_path):
    add, seen = adder(tmp_path)
    for url in ("http://[::1/news", "http://example.org:port/", "https:///no-host"):
        add.add(url)
    assert [e.message for e in seen.kinds("failed")] == ["not a well-formed URL"] * 3


def test_a_url_of_another_scheme_is_named_as_one_not_looked_for_as_a_file(tmp_path):
    add, seen = adder(tmp_path)
    for url in ("ftp://example.org/news.html", "file:///tmp/page.html"):
        add.add(url)
    assert [e.message for e in seen.kinds("failed")] == \
        ["only http:// and https:// URLs are fetched (or give a file's path)"] * 2


def test_a_page_already_there_by_url_is_skipped_without_being_fetched_again(web, tmp_path):
    add, seen = adder(tmp_path)
    add.add(web.url("/articles/bridge"))
    again, seen = adder(tmp_path)  # a later run: it reads what the folder holds
    again.add(web.url("/articles/bridge/?utm_campaign=summer").replace("http://127.0.0.1", "HTTP://127.0.0.1"))
    assert len(articles(tmp_path)) == 1 and again.failures == 0
    assert "same URL as 127.0.0.1/2024-06-14-old-swing-bridge" in seen.kinds("skipped")[0].message
    assert len(web.hits("/articles/bridge")) == 1


def test_a_feed_item_whose_page_is_there_by_its_canonical_url_is_skipped(web, tmp_path):
    add, seen = adder(tmp_path)
    add.add(str(FIXTURES / "clean.html"))  # holds the canonical URL, not the server's
    add.add(web.url("/articles/ferry"))
    assert len(articles(tmp_path)) == 1
    assert "same URL as" in seen.kinds("skipped")[0].message


def test_the_address_a_page_was_fetched_from_is_known_on_later_runs_without_fetching(web, tmp_path):
    add, _ = adder(tmp_path)
    add.add(web.url("/articles/ferry"))  # its canonical URL is another
    [name] = articles(tmp_path)
    assert dict(read_article(tmp_path / name).metadata)["fetched_from"] == web.url("/articles/ferry")
    again, seen = adder(tmp_path)
    again.add(web.url("/articles/ferry?utm_source=newsletter"))
    assert len(web.hits("/articles/ferry")) == 1 and seen.kinds("skipped")


def test_a_later_run_reads_only_the_files_that_changed(web, tmp_path, monkeypatch):
    import web.shelf as shelf_module

    add, _ = adder(tmp_path)
    add.add(web.url("/articles/bridge"))
    add.add(web.url("/post/fishing"))
    reads = []
    real = shelf_module.read_article
    monkeypatch.setattr(shelf_module, "read_article", lambda path: reads.append(Path(path).name) or real(path))
    Shelf(tmp_path)
    assert reads == []
    changed = tmp_path / "127.0.0.1/2024-06-10-fishing-fleet-lands-record-catch-of-mackerel.txt"
    changed.write_text(changed.read_text() + "A late paragraph about the fish market.\n")
    shelf = Shelf(tmp_path)
    assert reads == [changed.name]
    assert shelf.known_url(web.url("/post/fishing")) and shelf.known_url(web.url("/articles/bridge"))


def test_the_same_text_under_another_url_and_headline_is_skipped(web, tmp_path):
    add, seen = adder(tmp_path)
    add.add(web.url("/articles/ferry"))
    add.add(web.url("/copies/ferry"))
    assert len(articles(tmp_path)) == 1
    assert "same text as harbour-gazette.example/2024-06-16-harbour-ferry" in seen.kinds("skipped")[0].message


def test_a_hand_written_article_with_the_same_url_counts_as_there(web, tmp_path):
    (tmp_path / "mine.md").write_text(f"---\ntitle: Bridge\nurl: {web.url('/articles/bridge/')}\n---\nMy own notes on it.\n")
    add, seen = adder(tmp_path)
    add.add(web.url("/articles/bridge"))
    assert articles(tmp_path) == ["mine.md"] and "same URL as mine.md" in seen.kinds("skipped")[0].message


# -- file names and writing -------------------------------------------------------------------------
def test_file_names_are_slugs_of_the_headline():
    assert slug("Storm floods towns: 'worst in 50 years' — Café owners count cost") == \
        "storm-floods-towns-worst-in-50-years-cafe-owners-count-cost"
    assert len(slug("word " * 40)) <= 60


def test_a_different_article_with_the_same_name_gets_its_own_file(tmp_path):
    first = write_new(tmp_path, "2024-06-16-storm", ".txt", "one\n")
    second = write_new(tmp_path, "2024-06-16-storm", ".txt", "two\n")
    assert (first.name, second.name) == ("2024-06-16-storm.txt", "2024-06-16-storm-2.txt")
    assert first.read_text() == "one\n" and second.read_text() == "two\n"


def test_saved_files_get_the_permissions_of_any_new_file(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_new(tmp_path, "story", ".txt", "text\n")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_write_that_fails_part_way_leaves_nothing_behind(tmp_path, monkeypatch):
    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        write_new(tmp_path, "story", ".txt", "text\n" * 1000)
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_corpus_folder_is_a_failure_named_once(web, tmp_path, monkeypatch):
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(13, "Permission denied")))
    add, seen = adder(tmp_path)
    add.add(web.url("/articles/bridge"))
    assert add.failures == 1 and "cannot write into" in seen.kinds("failed")[0].message
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # no article, no temporary file


# -- the command ------------------------------------------------------------------------------------
def test_add_names_each_failure_in_one_line_and_exits_1_while_the_rest_go_in(web, tmp_path):
    result = newsbot_process("add", web.url("/articles/ferry"), web.url("/missing"), web.url("/feeds/broken.rss"),
                             web.url("/feeds/news.atom"), corpus=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"newsbot: failed: {web.url('/missing')}: HTTP 404 Not Found",
        f"newsbot: failed: {web.url('/feeds/broken.rss')}: broken feed XML (no element found)",
    ]
    assert result.stdout.count("saved ") == 3
    assert len(articles(tmp_path)) == 3


def test_add_exits_0_when_everything_was_saved_or_already_there(web, tmp_path):
    assert newsbot("add", web.url("/articles/bridge"), corpus=tmp_path).returncode == 0
    again = newsbot("add", web.url("/articles/bridge"), corpus=tmp_path)
    assert again.returncode == 0 and again.stdout.startswith("skipped ")


def test_add_without_a_corpus_folder_says_so_and_exits_2(web, tmp_path):
    result = newsbot("add", web.url("/articles/bridge"))
    assert result.returncode == 2
    assert result.stderr.strip() == "newsbot: error: name the corpus folder to save into with --corpus DIR or NEWSBOT_CORPUS"


def test_added_articles_are_answered_with_headline_outlet_date_and_url(web, tmp_path):
    added = newsbot("add", web.url("/feeds/news.rss"), web.url("/articles/lighthouse"), corpus=tmp_path)
    assert added.returncode == 0, added.stderr
    answer = json.loads(newsbot("ask", "--json", "How much did the ferry repairs cost?", corpus=tmp_path).stdout)
    assert answer["answered"] is True
    best = answer["answers"][0]
    assert "480,000 pounds" in best["text"]
    assert {k: best["article"][k] for k in ("id", "title", "source", "url", "published")} == {
                               "id": "harbour-gazette.example/2024-06-16-harbour-ferry-returns-after-storm-repairs",
                               "title": "Harbour ferry returns after storm repairs", "source": "Harbour Gazette",
                               "url": "https://harbour-gazette.example/news/ferry-returns", "published": "2024-06-16"}
    assert "Harbour ferry returns after storm repairs" in answer["reply"]
    keeper = json.loads(newsbot("ask", "--json", "How many steps did Agnes Moreau climb?", corpus=tmp_path).stdout)
    assert keeper["answered"] is True and "212 steps" in keeper["answers"][0]["text"]
    assert keeper["answers"][0]["article"]["source"] == "The Coastal Courier"
    # Nothing of the page's comments made it into the corpus to be answered from.
    comment = json.loads(newsbot("ask", "--json", "Who called it ridiculous that the council never thanked her?",
                                 corpus=tmp_path).stdout)
    assert all("ridiculous" not in a["text"] for a in comment["answers"])
