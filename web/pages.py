"""A web page's article: its main text and metadata (trafilatura), and the article file that holds it."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, replace

MIN_WORDS = 15  # a page whose main text is shorter holds no article (a login wall, an index page)


class ExtractError(Exception):
    """A page with no article in it; the message says why in a few words."""


@dataclass(frozen=True)
class WebArticle:
    """An article as found on the web: what goes into the file's front matter, and its paragraphs."""

    title: str
    paragraphs: tuple[str, ...]
    url: str | None = None
    source: str | None = None  # the outlet: the name the site gives itself
    published: str | None = None  # YYYY-MM-DD
    author: str | None = None
    extra: tuple[tuple[str, str], ...] = ()  # more front matter: where it was fetched from, and when

    def with_extra(self, **fields: str | None) -> "WebArticle":
        kept = dict(self.extra)
        kept.update({k: v for k, v in fields.items() if v})
        return replace(self, extra=tuple(kept.items()))


def looks_like_html(body: bytes) -> bool:
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html")) or any(
        tag in head for tag in (b"<head", b"<body", b"<article", b"<p>", b"<div"))


def extract_page(html: bytes | str, url: str | None = None) -> WebArticle:
    """The main text and metadata of one page. Navigation, ads, sidebars, comments and the byline are
    left out (trafilatura's extraction); subheadings are left out too, list items and table rows kept
    as lines. Raises ExtractError when the page has no main text."""
    import trafilatura

    # Precision first (it drops ads and teasers inside the story too); when that leaves too little,
    # trafilatura's balanced setting.
    for precise in (True, False):
        try:
            document = trafilatura.bare_extraction(
                html, url=url, with_metadata=True, include_comments=False, include_tables=True,
                include_images=False, include_links=False, favor_precision=precise)
        except Exception as err:  # noqa: BLE001 - lxml or the date parser on markup they choke on
            raise ExtractError(f"could not read the page ({err.__class__.__name__})") from None
        if document is None or document.body is None:
            continue
        paragraphs = [line for line in _body_lines(document.body) if line]
        title = _one_line(document.title)
        if paragraphs and title and paragraphs[0] == title:
            paragraphs.pop(0)
        if sum(len(p.split()) for p in paragraphs) >= MIN_WORDS:
            break
    else:
        raise ExtractError("no main text found")
    page_url = document.url or url
    return WebArticle(
        title=title or paragraphs[0],
        paragraphs=tuple(paragraphs),
        url=page_url,
        source=_site_name(document.sitename, page_url),
        published=_date(document.date),
        author=_one_line(document.author),
    )


def _body_lines(body) -> list[str]:
    lines = []
    for element in body:
        if element.tag == "head":
            continue
        if element.tag == "list":
            lines.extend(_one_line(" ".join(item.itertext())) for item in element.iter("item"))
        elif element.tag == "table":
            for row in element.iter("row"):
                cells = [_one_line(" ".join(cell.itertext())) for cell in row.iter("cell")]
                lines.append("; ".join(c for c in cells if c))
        else:
            lines.append(_one_line(" ".join(element.itertext())))
    return lines


def _site_name(name: str | None, url: str | None) -> str | None:
    """The name a site gives itself; None when trafilatura only had the host to go on."""
    name = _one_line(name)
    if not name or (url and name.lower() in {urllib.parse.urlsplit(url).netloc.lower(), site_of(url)}):
        return None
    return name


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _date(value: str | None) -> str | None:
    match = re.match(r"\d{4}-\d{2}-\d{2}", value or "")
    return match.group(0) if match else None


def site_of(url: str | None) -> str | None:
    """The host a URL points at, without `www.` and port: the outlet when a page does not name itself."""
    if not url:
        return None
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None


def file_text(article: WebArticle) -> str:
    """The article file: front matter (known keys, then the extras), then one paragraph a line (the
    `.txt` reading, so no text can be mistaken for Markdown markup)."""
    fields = [("title", article.title), ("source", article.source), ("url", article.url),
              ("published", article.published), ("author", article.author), *article.extra]
    lines = ["---"]
    lines += [f"{key}: {_value(value)}" for key, value in fields if value]
    lines.append("---")
    lines += article.paragraphs
    return "\n".join(lines) + "\n"


def _value(value: str) -> str:
    """A front matter value read back exactly: quoted when it would otherwise read as YAML markup
    (surrounding quotes, a `>`/`|` block, a `[list]`)."""
    value = _one_line(value)
    if value[:1] in "\"'[>|" or value[-1:] in "\"'":
        return f'"{value}"'
    return value
