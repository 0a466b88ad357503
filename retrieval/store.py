"""A corpus's sentences and articles on disk as flat arrays and UTF-8 blobs, memory-mapped and read on access."""

from __future__ import annotations

import json
import mmap
from itertools import chain
from pathlib import Path
from typing import Sequence

import numpy as np

from .records import BODY, Article, Paragraph, Rows, Sentence

# Files of a stored corpus, beside the index's own files in the cache folder.
SENTENCE_TEXT = "sentences.utf8"
PARAGRAPH_TEXT = "paragraphs.utf8"
ARTICLE_META = "article_meta.utf8"  # each article's headline and metadata, one JSON object an article


def mapped(path: Path) -> np.ndarray:
    """A saved array, memory-mapped (read from disk as it is used) but as a plain ndarray: numpy's
    memmap subclass costs a Python-level hook on every element read, which a search does thousands of."""
    return np.load(path, mmap_mode="r", allow_pickle=False).view(np.ndarray)


class TextColumn(Rows[str]):
    """Many strings as one UTF-8 blob and the byte offset where each starts (plus the end)."""

    def __init__(self, blob: bytes | mmap.mmap, offsets: np.ndarray):
        self._blob = blob
        self._offsets = offsets

    @classmethod
    def write(cls, folder: Path, name: str, texts: Sequence[str]) -> None:
        offsets = np.zeros(len(texts) + 1, np.int64)
        with open(folder / name, "wb") as handle:  # one text at a time: no second copy of them all
            write = handle.write
            np.cumsum(np.fromiter((write(t.encode("utf-8")) for t in texts), np.int64, len(texts)), out=offsets[1:])
        np.save(folder / f"{name}.offsets.npy", offsets)

    @classmethod
    def open(cls, folder: Path, name: str) -> "TextColumn":
        offsets = mapped(folder / f"{name}.offsets.npy")
        with open(folder / name, "rb") as handle:
            size = handle.seek(0, 2)
            if size != int(offsets[-1]):
                raise ValueError(f"{name} does not match its offsets")
            blob: bytes | mmap.mmap = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        return cls(blob, offsets)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def run(self, start: int, stop: int) -> list[str]:
        """The strings start..stop-1, decoded from one read of their bytes."""
        offsets = self._offsets[start:stop + 1].tolist()
        if not offsets:
            return []
        first = offsets[0]
        blob = self._blob[first:offsets[-1]]
        return [blob[a - first:b - first].decode("utf-8") for a, b in zip(offsets, offsets[1:])]

    def row(self, i: int) -> str:
        if not 0 <= i < len(self):
            raise IndexError("text index out of range")
        return self._blob[int(self._offsets[i]):int(self._offsets[i + 1])].decode("utf-8")


class StoredSentences(Rows[Sentence]):
    """The corpus's sentences, each made into a Sentence record when it is asked for."""

    def __init__(self, folder: Path, article_ids: Sequence[str], article_of: np.ndarray):
        self._text = TextColumn.open(folder, SENTENCE_TEXT)
        self._numbers = mapped(folder / "sentence_numbers.npy")
        self._kinds = mapped(folder / "sentence_kinds.npy")
        self._who = mapped(folder / "sentence_speakers.npy")
        strings = json.loads((folder / "strings.json").read_text(encoding="utf-8"))
        self._strings, self._kind_names = strings["strings"], strings["kinds"]
        self._article_ids = article_ids
        self._article_of = article_of
        n = len(self._text)
        if self._numbers.shape != (n, 2) or self._kinds.shape != (n,) or self._who.shape != (n, 2) \
                or len(article_of) != n:
            raise ValueError("stored sentences do not match")

    def __len__(self) -> int:
        return len(self._text)

    def row(self, i: int):
        text = self._text[i]
        paragraph, sentence = self._numbers[i].tolist()
        speaker, credit = self._who[i].tolist()
        return Sentence(self._article_ids[int(self._article_of[i])], paragraph, sentence, text,
                        self._kind_names[int(self._kinds[i])],
                        self._strings[speaker] if speaker >= 0 else None,
                        self._strings[credit] if credit >= 0 else None)

    def run(self, start: int, stop: int) -> list[Sentence]:
        """The sentences start..stop-1 as records, their columns read once for all of them (what an
        update copies of the articles that did not change)."""
        strings, kinds, ids = self._strings, self._kind_names, self._article_ids
        return [Sentence(ids[a], p, n, text, kinds[k], strings[w] if w >= 0 else None, strings[c] if c >= 0 else None)
                for a, (p, n), text, k, (w, c) in zip(
                    self._article_of[start:stop].tolist(), self._numbers[start:stop].tolist(),
                    self._text.run(start, stop), self._kinds[start:stop].tolist(), self._who[start:stop].tolist())]

    def text_and_speaker(self, i: int) -> tuple[str, str | None]:
        """A sentence's text and speaker alone: what ranking reads of each candidate."""
        speaker = int(self._who[i, 0])
        return self._text[i], self._strings[speaker] if speaker >= 0 else None

    @property
    def texts(self) -> TextColumn:
        return self._text


class StoredArticles(Rows[Article]):
    """The corpus's articles: their metadata read at once, their paragraphs decoded when asked for."""

    def __init__(self, folder: Path):
        data = json.loads((folder / "articles.json").read_text(encoding="utf-8"))
        self.ids: list[str] = data["ids"]
        self._kind_names = data["kinds"]
        self._credits = data["credits"]
        # Decoded one article at a time: parsed whole, 55,000 articles' metadata took most of a load.
        self._meta = TextColumn.open(folder, ARTICLE_META)
        self._text = TextColumn.open(folder, PARAGRAPH_TEXT)
        self._first = mapped(folder / "article_paragraphs.npy")
        self._kinds = mapped(folder / "paragraph_kinds.npy")
        self._credit = mapped(folder / "paragraph_credits.npy")
        self._headers: dict[int, Article] = {}  # headers decoded (answers cite the same articles again and again)
        if len(self._meta) != len(self.ids) \
                or self._first.shape != (len(self.ids) + 1,) or int(self._first[-1]) != len(self._text) \
                or self._kinds.shape != (len(self._text),) or self._credit.shape != (len(self._text),):
            raise ValueError("stored articles do not match")

    def __len__(self) -> int:
        return len(self.ids)

    def row(self, i: int):
        a, b = int(self._first[i]), int(self._first[i + 1])
        paragraphs = tuple(
            Paragraph(self._text[p], self._kind_names[int(self._kinds[p])],
                      self._credits[int(self._credit[p])] if self._credit[p] >= 0 else None)
            for p in range(a, b))
        return self.header(i, paragraphs)

    def header(self, i: int, paragraphs: tuple[Paragraph, ...] = ()) -> Article:
        """The article's headline and metadata; without its paragraphs (nothing decoded) unless given."""
        if not paragraphs:
            known = self._headers.get(i)
            if known is not None:
                return known
        m = json.loads(self._meta[i])
        article = Article(id=m["id"], title=m["title"], paragraphs=paragraphs, source=m["source"], url=m["url"],
                          published=m["published"], author=m["author"],
                          metadata=tuple(tuple(kv) for kv in m["metadata"]), path=m["path"])
        if not paragraphs:
            if len(self._headers) >= 20_000:  # Articles are small and immutable; a bound all the same
                self._headers.clear()
            self._headers[i] = article
        return article


def write_corpus(folder: Path, articles: Sequence[Article], sentences: Sequence[Sentence]) -> None:
    """Store articles and sentences as the files StoredArticles and StoredSentences read."""
    writer = CorpusWriter(folder)
    n = len(sentences)
    if getattr(sentences, "speakers", None) is not None:  # parts.SentenceColumns: no records made
        names = sentences.kind_names
        writer.add_sentences(sentences.texts, np.asarray(sentences.numbers, np.int32), np.asarray(sentences.kinds),
                             names, sentences.speakers, sentences.credits)
    else:
        numbers = np.zeros((n, 2), np.int32)
        names: list[str] = []
        code_of: dict[str, int] = {}
        kinds = np.zeros(n, np.int8)
        texts, speakers, credits = [], [], []
        for i, s in enumerate(sentences):
            numbers[i] = s.paragraph, s.sentence
            kinds[i] = code_of.setdefault(s.kind, len(code_of))
            if len(code_of) > len(names):
                names.append(s.kind)
            texts.append(s.text)
            speakers.append(s.attributed_to)
            credits.append(s.credit)
        writer.add_sentences(texts, numbers, kinds, names, speakers, credits)
    writer.add_articles(articles)
    writer.close()


class _TextWriter:
    """A TextColumn written a run of strings at a time: the blob appended to, the offsets kept."""

    def __init__(self, folder: Path, name: str):
        self.folder, self.name = folder, name
        self._handle = open(folder / name, "wb")
        self._sizes: list[np.ndarray] = []

    def add(self, texts: Sequence[str]) -> None:
        write = self._handle.write
        self._sizes.append(np.fromiter((write(t.encode("utf-8")) for t in texts), np.int64, len(texts)))

    def close(self) -> None:
        self._handle.close()
        sizes = np.concatenate(self._sizes) if self._sizes else np.zeros(0, np.int64)
        offsets = np.zeros(len(sizes) + 1, np.int64)
        np.cumsum(sizes, out=offsets[1:])
        np.save(self.folder / f"{self.name}.offsets.npy", offsets)


class CorpusWriter:
    """Writes a corpus into `folder` as the files StoredArticles and StoredSentences read, a run of
    sentences and articles at a time (the texts go to disk as they come; a build does not hold them
    all): `add_sentences` and `add_articles` in corpus order, then `close`. The files are the same
    bytes whichever runs they came in.

    Numbering, as the stored files have it: sentence and paragraph kinds in order of first use,
    the sentences' before the paragraphs' (body is 0); speakers and credits in order of first use,
    each sentence's speaker before its credit; photo credits of paragraphs in order of first use."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._sentences = _TextWriter(folder, SENTENCE_TEXT)
        self._paragraphs = _TextWriter(folder, PARAGRAPH_TEXT)
        self._meta = _TextWriter(folder, ARTICLE_META)
        self._strings: dict[str, int] = {}
        self._sentence_kinds: dict[str, int] = {}  # a kind name -> its code here, in order of first use
        self._paragraph_kinds: dict[str, int] = {}
        self._credits: dict[str, int] = {}
        self._numbers: list[np.ndarray] = []
        self._kinds: list[np.ndarray] = []  # codes of _sentence_kinds
        self._who: list[np.ndarray] = []
        self._first = [0]
        self._p_kinds: list[int] = []  # codes of _paragraph_kinds
        self._p_credits: list[int] = []
        self.ids: list[str] = []

    def add_sentences(self, texts: Sequence[str], numbers: np.ndarray, kinds: np.ndarray, kind_names: Sequence[str],
                      speakers: Sequence[str | None], credits: Sequence[str | None]) -> None:
        """The next sentences: their texts, (paragraph, sentence) numbers, kinds as codes into
        `kind_names`, speakers and credits."""
        n = len(texts)
        self._sentences.add(texts)
        self._numbers.append(np.asarray(numbers, np.int32).reshape(n, 2))
        kinds = np.asarray(kinds)
        table = np.full(len(kind_names), -1, np.int8)
        if n:
            used, first = np.unique(kinds, return_index=True)
            for c in used[np.argsort(first, kind="stable")].tolist():
                table[c] = self._sentence_kinds.setdefault(kind_names[c], len(self._sentence_kinds))
        self._kinds.append(table[kinds] if n else np.zeros(0, np.int8))
        strings = self._strings

        def code(value: str | None) -> int:
            return -1 if value is None else strings.setdefault(value, len(strings))

        pairs = chain.from_iterable(zip(speakers, credits))  # numbered in this order
        self._who.append(np.fromiter(map(code, pairs), np.int32, 2 * n).reshape(n, 2))

    def add_articles(self, articles: Sequence[Article]) -> None:
        """The next articles: their metadata and paragraphs."""
        meta = []
        paragraph_texts = []
        kinds, credits = self._paragraph_kinds, self._credits
        for article in articles:
            meta.append(json.dumps({"id": article.id, "title": article.title, "source": article.source,
                                    "url": article.url, "published": article.published, "author": article.author,
                                    "metadata": [list(kv) for kv in article.metadata], "path": article.path},
                                   ensure_ascii=False))
            self.ids.append(article.id)
            for p in article.paragraphs:
                paragraph_texts.append(p.text)
                self._p_kinds.append(kinds.setdefault(p.kind, len(kinds)))
                self._p_credits.append(-1 if p.credit is None else credits.setdefault(p.credit, len(credits)))
            self._first.append(self._first[-1] + len(article.paragraphs))
        self._paragraphs.add(paragraph_texts)
        self._meta.add(meta)

    def close(self) -> None:
        """The arrays and tables, written once every run is in."""
        folder = self.folder
        self._sentences.close()
        self._paragraphs.close()
        self._meta.close()
        kinds: dict[str, int] = {BODY: 0}
        for name in self._sentence_kinds:
            kinds.setdefault(name, len(kinds))
        sentence_table = np.array([kinds[name] for name in self._sentence_kinds] or [0], np.int8)
        for name in self._paragraph_kinds:
            kinds.setdefault(name, len(kinds))
        paragraph_table = np.array([kinds[name] for name in self._paragraph_kinds] or [0], np.int8)

        def joined(arrays: list[np.ndarray], dtype, shape: tuple) -> np.ndarray:
            return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(shape, dtype)

        np.save(folder / "sentence_numbers.npy", joined(self._numbers, np.int32, (0, 2)))
        codes = joined(self._kinds, np.int8, (0,))
        np.save(folder / "sentence_kinds.npy", sentence_table[codes] if len(codes) else codes)
        np.save(folder / "sentence_speakers.npy", joined(self._who, np.int32, (0, 2)))
        np.save(folder / "article_paragraphs.npy", np.asarray(self._first, np.int64))
        p_kinds = np.asarray(self._p_kinds, np.int8)
        np.save(folder / "paragraph_kinds.npy", paragraph_table[p_kinds] if len(p_kinds) else p_kinds)
        np.save(folder / "paragraph_credits.npy", np.asarray(self._p_credits, np.int32))
        kind_names = sorted(kinds, key=kinds.get)
        (folder / "articles.json").write_text(json.dumps(
            {"ids": self.ids, "kinds": kind_names, "credits": sorted(self._credits, key=self._credits.get)},
            ensure_ascii=False), encoding="utf-8")
        strings = self._strings
        (folder / "strings.json").write_text(json.dumps(
            {"strings": sorted(strings, key=strings.get), "kinds": kind_names}, ensure_ascii=False), encoding="utf-8")
