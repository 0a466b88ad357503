"""Reading article files (.txt and .md, optional front matter) into Article records."""

from __future__ import annotations

import re
import stat
import unicodedata
from datetime import date
from pathlib import Path
from typing import Callable

from .encodings import UndecodableError, decode

from .records import BODY, CAPTION, STANDFIRST, Article, Paragraph

ARTICLE_SUFFIXES = (".txt", ".md")
KNOWN_KEYS = ("title", "source", "url", "published", "author")
_ALIASES = (("date", "published"), ("publishdate", "published"), ("pubdate", "published"), ("byline", "author"),
            ("outlet", "source"), ("publisher", "source"))


class ArticleError(Exception):
    """An article file that cannot be read as an article; the message says why in a few words."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


# Lines that sites glue into their pages; never an answer, never a paragraph. All but the first
# pattern hold for the whole line from its start (matched there only, not tried at every character).
# (a comment cannot run past its "-->", so leading comments are read one way only: no backtracking)
_HTML_PAGE = re.compile(r"\ufeff?\s*(?:<!--(?:[^-]|-(?!->))*-->\s*)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE)
_BOILERPLATE_ANYWHERE = re.compile(r"powered by (automated|machine) translation", re.IGNORECASE)
_BOILERPLATE = re.compile(
    r"""(
        beta\ v?\.?\s?\d
      | advertisement$
      | (sponsored|promoted)(\ content)?$
      | .{0,100}all\ rights\ reserved.{0,40}$
      | (©|\(c\)|copyright\b).{0,120}$
      | (sign\ up|subscribe)\b.{0,80}$
      | (read|see)\ (more|also)\b.{0,80}$
      | (share|follow)\ (this|us|on)\b.{0,80}$
      | click\ here\b
      | (we|this\ site)\ uses?\ cookies
      | (related|recommended)( articles?| stories)?:?$
    )""",
    re.IGNORECASE | re.VERBOSE,
)

# A photo credit closing a caption: "... said. / AFP / Omar HAJ KADOUR", "... (Photo: Jane Doe/Reuters)",
# "... Photo: AP". A slash or bare "Photo:" credit follows the caption's last sentence (a full stop or a
# closing quote before it); a "(Photo: ...)" in brackets is a credit wherever it closes the paragraph,
# as captions often have no full stop. Case matters: the agency is capitalised.
_CREDIT = re.compile(
    r"""(?:
        (?<=[.!?"”’)])\s*/\s*(?P<slash>[A-Z][\w&.\-]*(?:\ [A-Z][\w&.\-]*){0,3}\s*/\s*[A-Z][^/]{1,80}?)
      | \s*\((?i:photo|picture|image)(?:\ by)?:?\s*(?P<paren>[^()]{2,80})\)
      | (?<=[.!?"”’)])\s*\ (?i:photo|picture|image)(?:\ by)?:\s*(?P<tail>[^.]{2,80})
    )\s*$""",
    re.VERBOSE,
)
# Larger files are not articles (a dump, a disk image, /dev/zero); `read_article` takes another limit.
DEFAULT_MAX_FILE_BYTES = 20_000_000

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Normalise one line of article text: NFC, no invisible characters, single plain spaces."""
    if text.isascii():  # NFC and the invisible characters change nothing; most lines need no sub
        if not text.isprintable():
            text = _CONTROL.sub(" ", text)
        if "  " in text or "\t" in text:
            text = _SPACES.sub(" ", text)
        return text.strip()
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def is_boilerplate(line: str) -> bool:
    return bool(_BOILERPLATE.match(line) or _BOILERPLATE_ANYWHERE.search(line))


def split_credit(text: str) -> tuple[str, str | None]:
    """Cut a trailing photo credit off a caption; returns (caption, credit or None)."""
    if "/" not in text and "(" not in text and ":" not in text:  # each form of credit has one of them
        return text, None
    match = _CREDIT.search(text)
    if not match or match.start() == 0:
        return text, None
    credit = next(g for g in match.group("slash", "paren", "tail") if g)
    credit = re.sub(r"\s*/\s*", " / ", credit.strip())
    return text[: match.start()].rstrip(), credit


def read_article(path: Path | str, article_id: str | None = None, *,
                 max_bytes: int = DEFAULT_MAX_FILE_BYTES, warn: Callable[[str], None] | None = None) -> Article:
    """Parse one article file. Raises ArticleError for empty, binary, undecodable, unreadable files and
    files over `max_bytes`; a file read in an encoding other than UTF-8 is said through `warn`."""
    path = Path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ArticleError(path, "not a regular file")
        if info.st_size > max_bytes:
            raise ArticleError(path, f"too large for an article ({info.st_size:,} bytes; the limit is "
                                     f"{max_bytes:,}, set by --max-file-mb or NEWSBOT_MAX_FILE_MB)")
        raw = path.read_bytes()
    except OSError as err:
        raise ArticleError(path, f"unreadable ({err.strerror or err.__class__.__name__})") from None
    return parse_article(raw, article_id or path.stem, path=path, markdown=path.suffix.lower() == ".md", warn=warn)


def parse_article(raw: bytes | str, article_id: str, *, path: Path | str | None = None,
                  markdown: bool = False, warn: Callable[[str], None] | None = None) -> Article:
    """Parse the text of an article file (bytes as read from disk, or str)."""
    where = path if path is not None else article_id
    if isinstance(raw, bytes):
        if b"\x00" in raw:
            raise ArticleError(where, "binary file, not text")
        try:
            text, encoding = decode(raw)
        except UndecodableError as err:
            raise ArticleError(where, str(err)) from None
        if encoding and warn:
            warn(f"{where}: not UTF-8; read as {encoding}")
    else:
        text = raw
    if _HTML_PAGE.match(text):
        # a saved web page: read as text, its scripts and markup would be answers
        raise ArticleError(where, "an HTML page, not article text; `newsbot add FILE --corpus DIR` saves the "
                                  "article in it as a file of its own")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        meta, body = _front_matter(text)
    except ArticleError as err:
        # no closing `---`: the lines after the opening one are read as a file without `---` lines (its
        # `key: value` header, if it has one, still the front matter), rather than losing the article
        if warn:
            warn(f"{where}: {err.reason}; read as a header of `key: value` lines, then text")
        text = text.split("\n", 1)[1] if "\n" in text else ""
        meta, body = {}, text
    readings = [(meta, body)]
    header = None if meta or body is not text else _header(text)  # no `---` lines: `Title: …` ones?
    if header:
        readings.insert(0, header)
    for meta, body in readings:  # a header that leaves no headline with text under it is text
        notes: list[str] = []
        blocks = _markdown_blocks(body, notes.append) if markdown else _text_blocks(body)
        title = clean_text(meta.pop("title", "") or "")
        taken = None  # the block read as the headline, when the front matter gives none
        if not title:
            while blocks and not title:
                taken = blocks.pop(0)
                title = taken[1]
        paragraphs = _classify(blocks)
        if title and paragraphs:
            break
    if title and not paragraphs and taken is not None and taken[0] == "text" and _reads_as_text(title):
        # a one-paragraph brief with no headline of its own: its text, headed by its first sentence
        paragraphs, title = [Paragraph(title, BODY)], _first_sentence(title)
    for why in notes if warn else ():
        warn(f"{where}: {why}")
    if not title:
        raise ArticleError(where, "empty article, no text")
    if not paragraphs:
        raise ArticleError(where, "no text under the headline")
    for alias, key in _ALIASES:  # `date:` (as Jekyll, Hugo and most exporters write it) is the date published
        if alias in meta and key not in meta:
            meta[key] = meta.pop(alias)
    known = {key: (clean_text(meta.pop(key)) or None) if key in meta else None for key in KNOWN_KEYS[1:]}
    title, known, meta = _clipped(title, known, meta, lambda why: warn and warn(f"{where}: {why}"))
    if known.get("published"):
        written, known["published"] = known["published"], _published(known["published"])
        if known["published"] is None and warn:
            warn(f"{where}: published {written!r} is not a date newsbot reads (2024-05-03, 3 May 2024, "
                 f"Tue, 14 May 2024 10:00:00 GMT); the article counts as undated")
    return Article(
        id=article_id,
        title=title,
        paragraphs=tuple(paragraphs),
        metadata=tuple(sorted(meta.items())),
        path=str(path) if path is not None else None,
        **known,
    )


_YEAR_FIRST = re.compile(r"((?:19|20)\d\d)[/.](\d{1,2})[/.](\d{1,2})")


def _published(value: str) -> str | None:
    """A `published` value as newsbot reads dates (an ISO day or time), from the forms exporters and feeds
    write: ISO as it is, an e-mail/RSS date ("Tue, 14 May 2024 10:00:00 GMT") as its ISO time, a written
    day with its year ("3 May 2024", "May 3, 2024", "Friday, 3 May 2024") as its ISO day; else None."""
    from email.utils import parsedate_to_datetime

    from .dates import mentions, parse_time

    try:
        parse_time(value)
        return value
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    year_first = _YEAR_FIRST.fullmatch(value.strip())  # "2024/05/03", "2024.05.03": no other order reads so
    if year_first:
        try:
            return date(*map(int, year_first.groups())).isoformat()
        except ValueError:
            return None
    days = {m.day for m in mentions(value, None) if m.last is None}
    return days.pop().isoformat() if len(days) == 1 else None


# A headline, a name or a date is short: longer ones (a 10 MB title has been seen) are clipped when
# read, so no index, cache, listing or JSON answer carries them whole; a URL that long is left out.
MAX_TITLE_CHARS, MAX_FIELD_CHARS, MAX_URL_CHARS = 1_000, 500, 2_000


def _clipped(title: str, known: dict, meta: dict, warn: Callable[[str], None]) -> tuple[str, dict, dict]:
    """The headline and front-matter fields within their lengths, and one warning naming what was cut."""
    cut = []

    def fit(name: str, value: str, limit: int) -> str:
        if len(value) <= limit:
            return value
        cut.append(f"{name} ({len(value):,} characters)")
        return value[:limit - 1].rsplit(" ", 1)[0] + "…"

    title = fit("headline", title, MAX_TITLE_CHARS)
    url = known.get("url")
    if url and len(url) > MAX_URL_CHARS:
        cut.append(f"url ({len(url):,} characters, left out)")
        known = {**known, "url": None}
    known = {k: fit(k, v, MAX_FIELD_CHARS) if v and k != "url" else v for k, v in known.items()}
    meta = {fit("a front-matter key", k, MAX_FIELD_CHARS): fit(k[:40], v, MAX_FIELD_CHARS) for k, v in meta.items()}
    if cut:
        warn(f"clipped {', '.join(cut)} to {MAX_TITLE_CHARS:,} characters for the headline, "
             f"{MAX_FIELD_CHARS:,} for other fields")
    return title, known, meta


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    if text.split("\n", 1)[0].strip() != "---":
        return {}, text
    lines = text.split("\n")
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            break
    else:
        raise ArticleError("", "front matter has no closing --- line")
    return _fields(lines[1:end]), "\n".join(lines[end + 1:])


# A header without `---` lines, as Pelican, MultiMarkdown and e-mail-style dumps write it: `Title: …`,
# `Date: …`, `Tags: …` lines at the top, above the text.
_HEADER_LINE = re.compile(r"\s*[A-Za-z][\w-]{0,30}\s*:\s+\S")  # "key: value", not "https://…"
_HEADER_KEYS = {*KNOWN_KEYS, *(alias for alias, _ in _ALIASES)}


def _header(text: str) -> tuple[dict[str, str], str] | None:
    """The leading `key: value` lines and the text below them, when they are a header: one of them a
    key newsbot knows (so "Update: the ferry is running" is text), and ended by a blank line (or the
    end), or two or more of them, or one naming the title. A single such line run straight into the
    text ("Source: a council report said…") stays text. None when there is no header."""
    if not _HEADER_LINE.match(text):  # most files: no need to split them here
        return None
    lines = text.split("\n")
    end = 0
    while end < len(lines) and _HEADER_LINE.match(lines[end]):
        end += 1
    fields = _fields(lines[:end])
    if not _HEADER_KEYS & fields.keys():
        return None
    ended = end == len(lines) or not lines[end].strip()
    if not (ended or end >= 2 or "title" in fields):
        return None
    return fields, "\n".join(lines[end:])


_BLOCK = re.compile(r"[>|][+-]?\d?[+-]?")  # a YAML block scalar's indicator: >, |, >-, |2 ...


def _fields(block: list[str]) -> dict[str, str]:
    """`key: value` lines, everything after the first colon being the value (`title: Syria: rebels
    regroup`, `title: We're #1`), with what hand-written YAML front matter adds: a `>` or `|` value
    on the indented lines below it, a value run on over indented lines, a list of `- item` lines or
    `[a, b]` (joined as "a, b"), quotes around a value. A nested mapping is left out; an empty value
    is no value."""
    meta: dict[str, str] = {}
    key, indent, kind, parts = None, 0, "", []  # the value being read: "text", "list" or "nested"

    def close() -> None:
        if key is not None and kind != "nested":
            meta[key] = " ".join((", " if kind == "list" else " ").join(parts).split())

    for line in block:
        stripped = line.strip()
        if not stripped:
            continue
        depth = len(line) - len(line.lstrip())
        if key is not None and depth > indent:  # more of the value above
            item = stripped.startswith("- ") or stripped == "-"
            if not kind:
                kind = "list" if item else "nested" if _KEY_LINE.match(stripped) else "text"
            if kind == "list" and item:
                parts.append(_unquote(stripped[1:].strip()))
            elif kind == "text":
                parts.append(stripped)
            continue
        close()
        key, kind, parts = None, "", []
        name, sep, value = stripped.partition(":")
        if not sep or not name.strip():
            continue
        key, indent, value = name.strip().lower(), depth, value.strip()
        if value.startswith("[") and value.endswith("]"):
            kind, parts = "list", [_unquote(v.strip()) for v in value[1:-1].split(",")]
        elif value and not _BLOCK.fullmatch(value):  # a block's text is on the indented lines below
            kind, parts = "text", [_unquote(value)]
    close()
    return {k: v for k, v in meta.items() if v}


_KEY_LINE = re.compile(r"[^\s:#-][^:]*:(\s|$)")


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


# A block is (kind hint, text); the hint is "heading" or "text".
def _reads_as_text(line: str) -> bool:
    """A line that is a paragraph, not a headline: it ends with a full stop (a headline has none; "Ferry
    strike called off!" is one), or is longer than any headline."""
    return bool(re.search(r"\.[\"”’)]?$", line)) or len(line) > 300


def _first_sentence(text: str) -> str:
    """The headline of a brief that has none: its first sentence (as newsbot splits sentences: not at
    "Mr."), or its first words when that is long."""
    from .sentences import Splitter

    first = (Splitter().split(text[:2000]) or [text])[0] if text.strip() else text
    if not first.rstrip(". ").strip(" -–—"):
        first = text  # a "sentence" of dots: the whole text heads it
    if len(first) <= 200:
        return first.rstrip(". ") or text.strip()
    cut = first.rfind(" ", 0, 120)
    return first[:cut if cut > 40 else 120].rstrip(" ,;:") + "…"


def _text_blocks(body: str) -> list[tuple[str, str]]:
    return [("text", line) for line in map(clean_text, body.split("\n")) if line]


# markdown-it stops reading at its nesting limit and drops the rest of the text; 100 levels is 50 nested lists.
_MAX_NESTING = 100
_MD = None  # the parser, made on first use: answering from the cache never imports markdown-it


def _markdown():
    global _MD
    if _MD is None:
        from markdown_it import MarkdownIt

        _MD = MarkdownIt("commonmark", {"maxNesting": _MAX_NESTING}).enable("table")
    return _MD
_MARKERS = re.compile(r"^\s*(?:(?:[-*+>]|\d{1,9}[.)]|#{1,6})\s+)*")


def _markdown_blocks(body: str, warn: Callable[[str], None] = lambda why: None) -> list[tuple[str, str]]:
    """Paragraphs and headings of a Markdown text, reduced to the text Markdown renders; each row
    of a table becomes a line of its own ("Town: Idlib; Displaced: 500,000.").

    Markdown nested too deeply to parse is read line by line as plain text instead (list and quote
    markers dropped), with a warning, so that no text is lost.
    """
    plain = _plain_markdown_blocks(body)
    if plain is not None:
        return plain
    blocks: list[tuple[str, str]] = []
    tokens = _markdown().parse(body)
    if any(token.level >= _MAX_NESTING - 2 for token in tokens):
        warn("Markdown nested too deeply to parse; read as plain text, line by line")
        return [("text", line) for line in (clean_text(_MARKERS.sub("", raw)) for raw in body.split("\n")) if line]
    rows: list[list[str]] | None = None  # the rows of the table being read
    for i, token in enumerate(tokens):
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open" and rows is not None:
            rows.append([])
        elif token.type == "table_close" and rows is not None:
            blocks.extend(("text", line) for line in _table_lines(rows))
            rows = None
        if token.type != "inline":
            continue
        if rows is not None:
            if rows:
                rows[-1].append(clean_text(_inline_text(token.children or [])))
            continue
        opener = tokens[i - 1].type if i else ""
        text = clean_text(_inline_text(token.children or []))
        if not text:
            continue
        if opener == "heading_open":
            blocks.append(("heading", text))
        elif opener == "paragraph_open":
            blocks.append(("text", text))
    return blocks


# Markdown that is plain text (paragraphs and `# headings`, nothing Markdown would read as markup) is read
# without markdown-it, which costs more than the rest of reading a file: a paragraph is its lines joined
# by a space, as markdown-it renders them (clean_text then makes the spaces alike). Anything else,
# anywhere in the text, goes to markdown-it: a character that may be markup (emphasis, code, links,
# HTML, escapes, tables), an entity, a line that may open a block (indented code, quotes, lists,
# rules, fences, setext underlines) or a heading with more than its marker in `#`.
_MAYBE_MARKUP = re.compile(r"[\\`*_\[\]<|\x00]|&(?:#\d|#[xX][0-9a-fA-F]|[A-Za-z][A-Za-z0-9]*;)"
                           r"|^(?:[ \t]+[^ \t\n]|[-+*=>~_<\[|]|\d{1,9}[.)]|#{7}|#+[^# \t\n]|#[^\n]*#)", re.MULTILINE)
_HEADING = re.compile(r"#{1,6}(?:[ \t]+|$)")


def _plain_markdown_blocks(body: str) -> list[tuple[str, str]] | None:
    """The blocks of Markdown that is plain text, as `_markdown_blocks` reads them; None for any other."""
    if _MAYBE_MARKUP.search(body):
        return None
    blocks: list[tuple[str, str]] = []
    lines: list[str] = []

    def close() -> None:
        if lines:
            text = clean_text(" ".join(lines))
            if text:
                blocks.append(("text", text))
            lines.clear()

    for line in body.split("\n"):
        if not line.strip(" \t"):
            close()
        elif line.startswith("#"):
            close()
            text = clean_text(line[_HEADING.match(line).end():])
            if text:
                blocks.append(("heading", text))
        else:
            lines.append(line)
    close()
    return blocks


def _table_lines(rows: list[list[str]]) -> list[str]:
    """A table's body rows as lines, each cell named by its column's header."""
    if not rows:
        return []
    header, lines = rows[0], []
    for row in rows[1:]:
        cells = [f"{name}: {cell}" if name else cell for name, cell in zip(header, row) if cell]
        if cells:
            line = "; ".join(cells)
            lines.append(line if re.search(r"[.!?]$", line) else line + ".")
    return lines


def _inline_text(children) -> str:
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_inline_text(child.children or []))
    return "".join(parts)


def _classify(blocks: list[tuple[str, str]]) -> list[Paragraph]:
    paragraphs: list[Paragraph] = []
    for hint, line in blocks:
        if hint == "heading" or is_boilerplate(line):
            continue
        text, credit = split_credit(line)
        if credit:
            paragraphs.append(Paragraph(text, CAPTION, credit))
        elif not paragraphs and not re.search(r"[.!?\"'”’)]$", line):
            # A first paragraph without closing punctuation is the standfirst under the headline.
            paragraphs.append(Paragraph(line, STANDFIRST))
        else:
            paragraphs.append(Paragraph(line, BODY))
    return paragraphs
