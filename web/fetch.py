"""Getting the bytes of a page or feed: over HTTP(S) with a timeout, a size cap and conditional GET,
or from a file on disk."""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

from . import MAX_BYTES, TIMEOUT
_CHUNK = 64 * 1024


def _user_agent() -> str:
    try:
        from importlib.metadata import version

        return f"newsbot/{version('newsbot')} (article saver; +https://pypi.org/project/newsbot/)"
    except Exception:  # noqa: BLE001 - running from a checkout that is not installed
        return "newsbot/0.1 (article saver)"


USER_AGENT = _user_agent()


class FetchError(Exception):
    """A page or feed that could not be got; the message says why in a few words ("HTTP 404 Not Found")."""


@dataclass(frozen=True)
class Fetched:
    """What came back: the final URL after redirects, the status (200, or 304 not modified) and the body."""

    url: str
    status: int
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def is_url(target: str) -> bool:
    return target.lower().startswith(("http://", "https://"))


def fetch(url: str, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES, etag: str | None = None,
          last_modified: str | None = None) -> Fetched:
    """GET `url`, following redirects. With `etag`/`last_modified` (from an earlier response) the
    request is conditional and an unchanged resource comes back as status 304 with no body.
    Raises FetchError for an HTTP error status, a timeout, a refused connection or a body over `max_bytes`."""
    if not is_url(url):
        raise FetchError("not an http:// or https:// URL")
    try:
        parts = urllib.parse.urlsplit(url)
        if not parts.hostname or (parts.port is None and parts.netloc.endswith(":")):
            raise ValueError
    except ValueError:
        raise FetchError("not a well-formed URL") from None
    headers = {"User-Agent": USER_AGENT,
               "Accept": "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
                         "application/xml;q=0.9,*/*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = _read_capped(response, max_bytes, deadline, timeout)
            return _fetched(response.geturl(), response.status, body, response.headers)
    except urllib.error.HTTPError as err:
        if err.code == 304:
            return _fetched(err.geturl() or url, 304, b"", err.headers)
        raise FetchError(f"HTTP {err.code} {err.reason}".strip()) from None
    except urllib.error.URLError as err:
        if isinstance(err.reason, (socket.timeout, TimeoutError)):
            raise FetchError(f"timed out after {timeout:g} s") from None
        raise FetchError(f"cannot connect ({getattr(err.reason, 'strerror', None) or err.reason})") from None
    except (socket.timeout, TimeoutError):
        raise FetchError(f"timed out after {timeout:g} s") from None
    except (OSError, ValueError, http.client.HTTPException) as err:  # a connection cut mid-body, a bad header
        raise FetchError(f"failed ({err.__class__.__name__}: {err})") from None


def _read_capped(response, max_bytes: int, deadline: float, timeout: float) -> bytes:
    """The body, at most `max_bytes`, within the deadline (a server dripping bytes cannot hold us)."""
    parts, size = [], 0
    while True:
        chunk = response.read(_CHUNK)
        if not chunk:
            return b"".join(parts)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"larger than {max_bytes:,} bytes")
        if time.monotonic() > deadline:
            raise FetchError(f"timed out after {timeout:g} s")
        parts.append(chunk)


def _fetched(url: str, status: int, body: bytes, headers: Message | None) -> Fetched:
    headers = headers or Message()
    return Fetched(url=url, status=status, body=body,
                   content_type=(headers.get("Content-Type") or "").split(";")[0].strip().lower(),
                   etag=headers.get("ETag"), last_modified=headers.get("Last-Modified"),
                   headers={k.lower(): v for k, v in headers.items()})


def read_file(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """A page or feed saved on disk. Raises FetchError when it is missing, unreadable or too large."""
    try:
        if path.stat().st_size > max_bytes:
            raise FetchError(f"larger than {max_bytes:,} bytes")
        return path.read_bytes()
    except IsADirectoryError:
        raise FetchError("a folder, not a file") from None
    except OSError as err:
        raise FetchError(f"cannot read it ({err.strerror or err.__class__.__name__})") from None
