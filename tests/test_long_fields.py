"""A huge headline or front-matter field is clipped when the article is read, with one warning naming the file."""

from __future__ import annotations

import json

from retrieval.articles import MAX_FIELD_CHARS, MAX_TITLE_CHARS, parse_article

from .conftest import write
from .in_process import newsbot

BODY = "The harbour master said the port reopened on Monday after the storm.\n"
HUGE = "headline " * 1_100_000  # about 10 MB


def _front_matter(**fields: str) -> str:
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()) + "---\n\n" + BODY


def test_long_front_matter_fields_are_clipped_and_named_in_one_warning():
    warnings: list[str] = []
    article = parse_article(_front_matter(title=HUGE, author="Ann " * 5000, source="Port Gazette",
                                          url="https://example.org/" + "a" * 5000, tags="x " * 3000),
                            "harbour", path="news/harbour.md", warn=warnings.append)
    assert len(article.title) <= MAX_TITLE_CHARS and article.title.startswith("headline headline")
    assert article.title.endswith("…") and not article.title.endswith(" …")
    assert len(article.author) <= MAX_FIELD_CHARS and article.author.startswith("Ann Ann")
    assert article.source == "Port Gazette"  # short fields as they were
    assert article.url is None  # a clipped URL would be a wrong link: left out
    assert all(len(v) <= MAX_FIELD_CHARS for _, v in article.metadata)
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert warnings[0].startswith("news/harbour.md: clipped headline (9,899,999 characters)")
    assert "author" in warnings[0] and "url" in warnings[0] and "tags" in warnings[0]
    assert "source" not in warnings[0]
    assert [p.text for p in article.paragraphs] == [BODY.strip()]


def test_an_article_with_short_fields_is_read_without_a_warning():
    warnings: list[str] = []
    article = parse_article(_front_matter(title="Harbour reopens", author="Ann Lee"), "harbour", warn=warnings.append)
    assert (article.title, article.author, warnings) == ("Harbour reopens", "Ann Lee", [])


def test_a_first_line_headline_of_10_mb_is_clipped_too():
    warnings: list[str] = []
    article = parse_article(HUGE + "\n" + BODY, "huge", path="huge.txt", warn=warnings.append)
    assert len(article.title) <= MAX_TITLE_CHARS
    assert len(warnings) == 1 and "huge.txt" in warnings[0] and "headline" in warnings[0]


def test_ask_json_carries_the_clipped_headline_and_author(tmp_path):
    corpus = tmp_path / "articles"
    write(corpus, "huge.md", _front_matter(title=HUGE, author="Ann " * 5000))
    # In this process (tests/in_process.py): the point is the output, not the process (test_cli runs `ask` as one).
    result = newsbot("ask", "--json", "--corpus", str(corpus), "--cache-dir", str(tmp_path / "cache"),
                     "When did the port reopen?")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    article = answer["answers"][0]["article"]
    assert "reopened on Monday" in answer["answers"][0]["text"]
    assert len(article["title"]) <= MAX_TITLE_CHARS and article["title"].startswith("headline")
    assert len(article["author"]) <= MAX_FIELD_CHARS
    assert len(result.stdout) < 5000
    assert [line for line in result.stderr.splitlines() if "huge.md" in line and "clipped headline" in line]
    assert "Traceback" not in result.stderr
