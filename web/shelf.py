"""The corpus folder as a place to save web articles: what is already there (by URL and by text),
readable file names, and writes that never land half-written or overwrite another article."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
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
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a malformed host or port: compared as written
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
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


LEDGER = ".newsbot-web.json"  # in the corpus folder; a dot file, so the corpus leaves it out
LEDGER_VERSION = 2


class Shelf:
    """The corpus folder's articles by normalised URL and by content key, and saving new ones.

    What each file holds is kept in a ledger in the folder, keyed by its size and modification
    time, so a later run reads only the files that changed since (a cache: deleting it costs one
    slower scan)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.by_url: dict[str, Seen] = {}
        self.by_content: dict[str, Seen] = {}
        self._ledger: dict[str, list] = {}
        self.refresh()

    def refresh(self) -> None:
        """Look at the folder again: files added, changed or removed by anyone since the last look."""
        self.by_url, self.by_content = {}, {}
        if not self.folder.is_dir():
            return
        old = self._ledger or self._read_ledger()
        ledger: dict[str, list] = {}
        for rel, path in _article_files(str(self.folder)):
            try:
                info = os.stat(path)
            except OSError:
                continue
            entry = old.get(rel)
            if not (entry and entry[0] == info.st_size and entry[1] == info.st_mtime_ns):
                try:
                    article = read_article(path)
                except ArticleError:
                    continue  # the corpus names broken files when it reads them; they hold nothing to match
                urls = (article.url, dict(article.metadata).get("fetched_from"))
                entry = [info.st_size, info.st_mtime_ns, [normalise_url(u) for u in urls if u],
                         content_key(p.text for p in article.paragraphs)]
            ledger[rel] = entry
            self._remember(rel, entry[2], entry[3])
        if ledger != old:
            self._write_ledger(ledger)
        self._ledger = ledger

    def _remember(self, rel: str, keys: list[str], content: str | None) -> None:
        """Note a file's normalised URLs and content key (the first file holding one keeps it)."""
        seen = Seen(rel)
        for key in keys:
            self.by_url.setdefault(key, seen)
        if content:
            self.by_content.setdefault(content, seen)

    def _read_ledger(self) -> dict[str, list]:
        try:
            data = json.loads((self.folder / LEDGER).read_text(encoding="utf-8"))
            files = data["files"] if data.get("version") == LEDGER_VERSION else {}
            return {k: v for k, v in files.items() if isinstance(v, list) and len(v) == 4 and isinstance(v[2], list)}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return {}  # none yet, or unreadable: every file is read

    def _write_ledger(self, ledger: dict[str, list]) -> None:
        temporary = None
        try:
            temporary, handle = _temporary_file(self.folder)
            with handle:
                json.dump({"version": LEDGER_VERSION, "files": ledger}, handle)
            os.replace(temporary, self.folder / LEDGER)
            temporary = None
        except OSError:
            pass  # a read-only folder: no ledger, and the next run reads every file again
        finally:
            if temporary:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)

    def known_url(self, *urls: str | None) -> Seen | None:
        for url in urls:
            if url and (seen := self.by_url.get(normalise_url(url))):
                return seen
        return None

    def save(self, article: WebArticle, *also_urls: str | None) -> Path:
        """Write the article as a new file and return its path. Raises Duplicate when an article with
        the same URL (or one of `also_urls`, e.g. the link a feed gave) or the same text is already here,
        ArticleError when the text does not make an article."""
        also = [u for u in also_urls if u and (not article.url or normalise_url(u) != normalise_url(article.url))]
        if also:  # the address it was fetched from, when the page names another: known again next time
            article = article.with_extra(fetched_from=also[0])
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
        rel = path.relative_to(self.folder).as_posix()
        urls = [normalise_url(u) for u in (article.url, *also) if u]
        self._remember(rel, urls, key)
        info = path.stat()
        self._ledger[rel] = [info.st_size, info.st_mtime_ns, urls, key]
        self._write_ledger(self._ledger)
        return path


def _article_files(folder: str):
    """(relative path, path) of the article files under `folder` as the corpus sees them: .txt and
    .md, no dot names."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        base = os.path.relpath(root, folder).replace(os.sep, "/")
        prefix = "" if base == "." else base + "/"
        for name in sorted(files):
            if not name.startswith(".") and name.lower().endswith(ARTICLE_SUFFIXES):
                yield prefix + name, os.path.join(root, name)


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


def _temporary_file(folder: Path):
    """(path, open text file) of a new hidden file in `folder`, with the permissions the umask gives any
    new file (tempfile's are private to their owner, and a linked article would keep that)."""
    for _ in range(100):
        path = folder / f".saving-{secrets.token_hex(8)}.tmp"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        return str(path), open(fd, "w", encoding="utf-8")
    raise OSError(f"cannot make a temporary file in {folder}")


def write_new(folder: Path, stem: str, suffix: str, text: str) -> Path:
    """Write `text` to folder/stem+suffix, or stem-2, stem-3, ... when that name is taken: never over
    another file. The text goes to a hidden temporary file in the same folder first (the corpus skips
    dot files), is flushed to disk, then linked into place in one step, so a reader sees all or nothing."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary, handle = _temporary_file(folder)
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        for n in range(1, 10_000):
            target = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
            try:
                os.link(temporary, target)  # fails if the name is taken, even by a racing writer
            except FileExistsError:
                continue
            except OSError:  # a file system without hard links: check, then rename
                if target.exists():
                    continue
                os.replace(temporary, target)
            return target
        raise OSError(f"no free file name for {stem}{suffix} in {folder}")
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
