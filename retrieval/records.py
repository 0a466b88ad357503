"""The plain records that flow from article files to ranked hits."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")

# Paragraph kinds. Boilerplate never reaches a Paragraph: the parser drops it.
BODY = "body"
STANDFIRST = "standfirst"
CAPTION = "caption"


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of an article's text, as a reader sees it."""

    text: str
    kind: str = BODY
    # A photo credit ("AFP / Omar HAJ KADOUR") cut from the end of a caption.
    credit: str | None = None


@dataclass(frozen=True)
class Article:
    """One article file, parsed: headline, metadata and paragraphs."""

    id: str
    title: str
    paragraphs: tuple[Paragraph, ...]
    source: str | None = None
    url: str | None = None
    published: str | None = None
    author: str | None = None
    # Front-matter keys the format does not name, kept as (key, value) pairs.
    metadata: tuple[tuple[str, str], ...] = ()
    path: str | None = None


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article, with where it stands and who it says made the claim."""

    article_id: str
    paragraph: int  # 1-based paragraph number in the article
    sentence: int  # 1-based sentence number within that paragraph
    text: str
    kind: str = BODY
    attributed_to: str | None = None
    credit: str | None = None


@dataclass(frozen=True)
class Hit:
    """A sentence the index found for a question, with its score."""

    position: int  # index of the sentence in the corpus
    score: float
    sentence: Sentence
    # Share of the question's term weight (idf) found in the sentence, 0..1.
    coverage: float = 0.0
    # The words of the sentence that matched the question (for highlighting).
    matched: tuple[str, ...] = field(default=())
    # How far its score stands above the best sentence of another article (not a copy of it) among
    # those ranked: infinite when no other article competes (documents.rival_margins).
    margin: float = float("inf")


class Rows(Sequence[T]):
    """A sequence of records made one at a time from stored columns: a subclass gives `__len__` and
    `row(i)` for 0 <= i < len; indexing by a negative number or a slice, and iteration, are done here."""

    def row(self, i: int) -> T:
        raise NotImplementedError

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.row(j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        return self.row(i)

    def __iter__(self) -> Iterator[T]:
        return (self.row(i) for i in range(len(self)))
