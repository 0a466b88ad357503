"""The corpus folder as a place to save web articles: what is already there (by URL and by text),
readable file names, and writes that never land half-written or overwrite another article."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from retrieval.articles import ARTICLE_SUFFIXES, ArticleError, parse_article, read_article

from .pages import WebArticle, file_text, site_of

# Query parameters that say how a reader arrived, not which page it is.
_TRACKING = re.compile(r"^(utm_\w*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi|"
                       r"ref|ref_src|cmpid|ocid|at_medium|at_campaign|ito|spm)$", re.IGNORECASE)


def normalise_url(url: str) -> str:
    """The URL that identifies a page: scheme and host lower-cased, default port, fragment, trailing
    slash and tracking parameters (utm_*, fbclid, gclid, ...) dropped, the other parameters sorted."""
    parts = urllib.parse.urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and (scheme, parts.port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{parts.port}"
    path = re.sub(r"/+$", "", parts.path) or ""
    query = sorted((k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
                   if not _TRACKING.match(k))
    return urllib.parse.urlunsplit((scheme, host, path, urllib.parse.urlencode(query), ""))


def content_key(paragraphs) -> str | None:
    """A hash of an article's words, so the same text under another URL or headline is known again:
    case, accents, punctuation and spacing do not count."""
    text = unicodedata.normalize("NFKD", " ".join(paragraphs)).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", text)
    return hashlib.sha256(" ".join(words).encode()).hexdigest()[:32] if words else None


class Duplicate(Exception):
    """The article is in the corpus already; the message names the file that holds it."""


@dataclass(frozen=True)
class Seen:
    path: str  # relative to the corpus folder


class Shelf:
    """The corpus folder's articles by normalised URL and by content key, and saving new ones."""

    def __init__(self, folder: Path, on_warning=lambda message: None):
        self.folder = Path(folder)
        self.by_url: dict[str, Seen] = {}
        self.by_content: dict[str, Seen] = {}
        self._warn = on_warning
        self._scan()

    def _scan(self) -> None:
        if not self.folder.is_dir():
            return
        for root, dirs, files in os.walk(self.folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith(".") or not name.lower().endswith(ARTICLE_SUFFIXES):
                    continue
                path = Path(root, name)
                try:
                    article = read_article(path)
                except ArticleError:
                    continue  # the corpus names broken files when it is read; they hold nothing to match
                self._remember(path, [article.url], [p.text for p in article.paragraphs])

    def _remember(self, path: Path, urls, paragraphs) -> None:
        seen = Seen(path.relative_to(self.folder).as_posix())
        for url in urls:
            if url:
                self.by_url.setdefault(normalise_url(url), seen)
        key = content_key(paragraphs)
        if key:
            self.by_content.setdefault(key, seen)

    def known_url(self, *urls: str | None) -> Seen | None:
        for url in urls:
            if url and (seen := self.by_url.get(normalise_url(url))):
                return seen
        return None

    def save(self, article: WebArticle, *also_urls: str | None) -> Path:
        """Write the article as a new file and return its path. Raises Duplicate when an article with
        the same URL (or one of `also_urls`, e.g. the link a feed gave) or the same text is already here,
        ArticleError when the text does not make an article."""
        text = file_text(article)
        # Read back as the corpus will read it, so the content key is taken from the same paragraphs.
        parsed = parse_article(text, "new")
        seen = self.known_url(article.url, *also_urls)
        if seen:
            raise Duplicate(f"already in the corpus (same URL as {seen.path})")
        key = content_key(p.text for p in parsed.paragraphs)
        if key and key in self.by_content:
            raise Duplicate(f"already in the corpus (same text as {self.by_content[key].path})")
        path = write_new(self.folder / _folder_name(article), _file_stem(article), ".txt", text)
        self._remember(path, [article.url, *also_urls], [p.text for p in parsed.paragraphs])
        return path


def slug(text: str, limit: int = 60) -> str:
    """Lower-case ASCII words joined by hyphens, cut at a word boundary: "Storm floods towns" -> storm-floods-towns."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text.replace("'", ""))
    out = ""
    for word in words:
        if out and len(out) + 1 + len(word) > limit:
            break
        out = f"{out}-{word}" if out else word[:limit]
    return out


def _folder_name(article: WebArticle) -> str:
    """One subfolder per site: the URL's host (bbc.co.uk), else the outlet's name, else `local`."""
    return site_of(article.url) or slug(article.source or "") or "local"


def _file_stem(article: WebArticle) -> str:
    name = slug(article.title) or "article"
    return f"{article.published}-{name}" if article.published else name


def write_new(folder: Path, stem: str, suffix: str, text: str) -> Path:
    """Write `text` to folder/stem+suffix, or stem-2, stem-3, ... when that name is taken: never over
    another file. The text goes to a hidden temporary file in the same folder first (the corpus skips
    dot files), is flushed to disk, then linked into place in one step, so a reader sees all or nothing."""
    folder.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, prefix=".saving-", suffix=".tmp",
                                         delete=False)
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        for n in range(1, 10_000):
            target = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
            try:
                os.link(handle.name, target)  # fails if the name is taken, even by a racing writer
            except FileExistsError:
                continue
            except OSError:  # a file system without hard links: check, then rename
                if target.exists():
                    continue
                os.replace(handle.name, target)
            return target
        raise OSError(f"no free file name for {stem}{suffix} in {folder}")
    finally:
        if os.path.exists(handle.name):
            os.unlink(handle.name)
