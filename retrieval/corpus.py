"""A folder of articles as one searchable corpus: loading, the on-disk cache, and ranked Hits."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import scipy.sparse as sp

from .articles import ARTICLE_SUFFIXES, ArticleError, read_article
from .index import IndexSettings, QueryTerms, SentenceIndex, _top_k
from .ranking import Evidence, RankSettings, answer_type_bonus, neighbour_gain, word_order_evidence
from .records import Article, Hit, Paragraph, Sentence
from .sentences import Splitter, article_sentences

CACHE_FORMAT = 1
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
Warn = Callable[[str], None]


class CorpusError(Exception):
    """The corpus as a whole cannot serve: the folder is missing or holds no readable article."""


def article_files(folder: Path) -> list[tuple[str, Path]]:
    """(id, path) of every .txt and .md file under the folder; id is the relative path without suffix."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root, name)
            if path.suffix.lower() in ARTICLE_SUFFIXES and not name.startswith("."):
                found.append((path.relative_to(folder).with_suffix("").as_posix(), path))
    return found


def fingerprint(files: Iterable[tuple[str, Path]]) -> str:
    """Changes when any article file is added, removed, renamed or modified."""
    digest = hashlib.sha256()
    for article_id, path in files:
        try:
            st = path.stat()
            digest.update(f"{article_id}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        except OSError:
            digest.update(f"{article_id}\0?\n".encode())
    return digest.hexdigest()


Progress = Callable[[Iterable, int, str], Iterable]


def read_articles(files: list[tuple[str, Path]], warn: Warn,
                  progress: Progress | None = None) -> tuple[list[Article], list[str]]:
    """Parse the files, skipping (and naming) the ones that are not readable articles."""
    articles, skipped = [], []
    items = progress(files, len(files), "reading") if progress else files
    for article_id, path in items:
        try:
            articles.append(read_article(path, article_id))
        except ArticleError as err:
            skipped.append(str(err))
            warn(f"skipped {err}")
    return articles, skipped


@dataclass(frozen=True)
class Corpus:
    """Articles and their sentences, in one reading order; sentence positions index `sentences`."""

    articles: tuple[Article, ...]
    sentences: tuple[Sentence, ...]
    article_of: np.ndarray  # int32: the article number of each sentence
    starts: np.ndarray  # int64: the first sentence position of each article, plus the total at the end

    @classmethod
    def from_articles(cls, articles: Iterable[Article], splitter: Splitter | None = None) -> "Corpus":
        splitter = splitter or Splitter()
        articles = tuple(articles)
        sentences: list[Sentence] = []
        starts = [0]
        for article in articles:
            sentences.extend(article_sentences(article, splitter))
            starts.append(len(sentences))
        starts_arr = np.asarray(starts, np.int64)
        article_of = np.repeat(np.arange(len(articles), dtype=np.int32), np.diff(starts_arr))
        return cls(articles, tuple(sentences), article_of, starts_arr)

    def article_number(self, article_id: str) -> int | None:
        for i, article in enumerate(self.articles):
            if article.id == article_id:
                return i
        return None

    def paragraph(self, sentence: Sentence) -> Paragraph:
        number = self.article_number(sentence.article_id)
        assert number is not None
        return self.articles[number].paragraphs[sentence.paragraph - 1]


class CorpusIndex:
    """A Corpus with its sentence index and headline vectors: questions in, ranked Hits out."""

    def __init__(self, corpus: Corpus, index: SentenceIndex, headlines: sp.csr_matrix,
                 settings: RankSettings | None = None):
        self.corpus = corpus
        self.index = index
        self.headlines = headlines.tocsc()  # article x term, column access per question term
        self.settings = settings or RankSettings()
        self._article_numbers = {a.id: i for i, a in enumerate(corpus.articles)}
        first = np.zeros(len(corpus.sentences), np.int64)
        if len(corpus.sentences):
            first = corpus.starts[corpus.article_of]
        self._order = (np.arange(len(corpus.sentences)) - first).astype(np.float32)

    @classmethod
    def build(cls, corpus: Corpus, settings: RankSettings | None = None,
              index_settings: IndexSettings | None = None) -> "CorpusIndex":
        index = SentenceIndex.build([s.text for s in corpus.sentences], index_settings)
        headlines = index.vectorize([a.title for a in corpus.articles])
        return cls(corpus, index, headlines, settings)

    def has_article(self, article_id: str) -> bool:
        return article_id in self._article_numbers

    def search(self, question: str, k: int = 10, article: str | None = None) -> list[Hit]:
        """The k best sentences for a question, best first. Unknown `article` ids find nothing."""
        evidence = self.evidence(question, article)
        if evidence is None or k <= 0:
            return []
        score = evidence.scores(self.settings)
        best = _top_k(score, k)
        return [self._hit(int(evidence.positions[i]), float(score[i]), float(evidence.coverage[i]), evidence.words)
                for i in best]

    def evidence(self, question: str, article: str | None = None) -> Evidence | None:
        """The evidence for the best `settings.candidates` sentences sharing a word with the question.

        The cheap evidence (coverage, headline, neighbours, position, cosine) is weighed for every
        sentence sharing a term; word order and answer type, which need the sentence's words, only
        for the shortlist. None when no sentence shares a term (or `article` is unknown).
        """
        within = None
        if article is not None:
            number = self._article_numbers.get(article)
            if number is None:
                return None
            within = (int(self.corpus.starts[number]), int(self.corpus.starts[number + 1]))
        query = self.index.query(question)
        positions, cosine, coverage = self.index.scores(query, within)
        if not len(positions):
            return None
        s = self.settings
        present = self.index.presence(query, positions)
        articles = self.corpus.article_of[positions]
        headline = ((self._headline_presence(query, articles) * (1.0 - present)) @ query.coverage).astype(np.float32)
        neighbour = neighbour_gain(positions, present, query.coverage, self.corpus.article_of)
        lead = (1.0 / (1.0 + self._order[positions])).astype(np.float32)
        cheap = (s.coverage_weight * coverage + s.headline_weight * headline + s.neighbour_weight * neighbour
                 + s.lead_weight * lead + s.cosine_weight * cosine)
        shortlist = np.sort(_top_k(cheap, s.candidates))
        sentences = [self.corpus.sentences[p] for p in positions[shortlist]]
        analyzer = self.index.analyzer
        bigrams, proximity = word_order_evidence(analyzer.terms(question),
                                                 [analyzer.terms(x.text) for x in sentences])
        answer_type = answer_type_bonus(question, [x.text for x in sentences], [x.attributed_to for x in sentences])
        return Evidence(positions[shortlist], coverage[shortlist], cosine[shortlist], headline[shortlist],
                        neighbour[shortlist], lead[shortlist], bigrams, proximity, answer_type, query.words)

    def _headline_presence(self, query: QueryTerms, articles: np.ndarray) -> np.ndarray:
        """Which query terms the headline of each given article holds: (articles x query terms) of 0.0 / 1.0."""
        columns = self.headlines[:, query.ids].tocsr()
        return (columns[articles].toarray() != 0).astype(np.float32)

    def _hit(self, position: int, score: float, coverage: float, words: tuple[str, ...]) -> Hit:
        sentence = self.corpus.sentences[position]
        wanted = set(words)
        analyzer = self.index.analyzer
        matched = tuple(dict.fromkeys(
            word for word in _surface_words(sentence.text) if analyzer.term(word.lower()) in wanted
            or any(t in wanted for t in analyzer.terms(word))
        ))
        return Hit(position, score, sentence, coverage, matched)

    # -- the cache ------------------------------------------------------------------------------
    def save(self, folder: Path, stamp: dict) -> None:
        """Write the whole index as arrays and JSON (never pickle) into `folder`, replacing it atomically."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        try:
            self.index.save(tmp)
            sp.save_npz(tmp / "headlines.npz", self.headlines.tocsr(), compressed=False)
            corpus = {
                "articles": [_article_json(a) for a in self.corpus.articles],
                "sentences": [[s.paragraph, s.sentence, s.text, s.kind, s.attributed_to, s.credit]
                              for s in self.corpus.sentences],
                "starts": self.corpus.starts.tolist(),
            }
            (tmp / "corpus.json").write_text(json.dumps(corpus, ensure_ascii=False), encoding="utf-8")
            (tmp / "manifest.json").write_text(json.dumps({**stamp, "format": CACHE_FORMAT}), encoding="utf-8")
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
            os.replace(tmp, folder)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path, stamp: dict, settings: RankSettings | None = None) -> "CorpusIndex":
        """Load a saved index; raises ValueError (or OSError) when it is stale, corrupt or missing."""
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != CACHE_FORMAT or any(manifest.get(k) != v for k, v in stamp.items()):
            raise ValueError("cache is stale")
        data = json.loads((folder / "corpus.json").read_text(encoding="utf-8"))
        articles = tuple(_article_from_json(a) for a in data["articles"])
        starts = np.asarray(data["starts"], np.int64)
        article_of = np.repeat(np.arange(len(articles), dtype=np.int32), np.diff(starts))
        sentences = tuple(
            Sentence(articles[a].id, p, n, text, kind, who, credit)
            for a, (p, n, text, kind, who, credit) in zip(article_of.tolist(), data["sentences"])
        )
        index = SentenceIndex.load(folder)
        headlines = sp.load_npz(folder / "headlines.npz")
        if len(index) != len(sentences) or headlines.shape != (len(articles), len(index.vocabulary)):
            raise ValueError("cache arrays do not match")
        return cls(Corpus(articles, sentences, article_of, starts), index, headlines, settings)


def _surface_words(text: str) -> list[str]:
    return _WORD.findall(text)


def _article_json(article: Article) -> dict:
    return {
        "id": article.id, "title": article.title, "source": article.source, "url": article.url,
        "published": article.published, "author": article.author, "metadata": list(article.metadata),
        "path": article.path, "paragraphs": [[p.text, p.kind, p.credit] for p in article.paragraphs],
    }


def _article_from_json(data: dict) -> Article:
    return Article(
        id=data["id"], title=data["title"], source=data["source"], url=data["url"],
        published=data["published"], author=data["author"],
        metadata=tuple(tuple(kv) for kv in data["metadata"]), path=data["path"],
        paragraphs=tuple(Paragraph(t, k, c) for t, k, c in data["paragraphs"]),
    )


def default_cache_root() -> Path:
    env = os.environ.get("NEWSBOT_CACHE")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir
    return Path(user_cache_dir("newsbot", appauthor=False))


def open_corpus(folder: Path | str, cache_root: Path | str | None = None, warn: Warn | None = None,
                settings: RankSettings | None = None, use_cache: bool = True,
                progress: Progress | None = None) -> CorpusIndex:
    """Load a corpus folder, from the cache when it is fresh, else by reading and indexing its files.

    Raises CorpusError when the folder is missing or holds no readable article. Broken files are
    skipped and named through `warn`, also when the index comes from the cache.
    """
    warn = warn or (lambda message: None)
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    files = article_files(folder)
    if not files:
        raise CorpusError(f"no .txt or .md articles in {folder}")
    stamp = {"corpus": str(folder.resolve()), "files": fingerprint(files)}
    cache = Path(cache_root) if cache_root else default_cache_root()
    slot = cache / hashlib.sha256(stamp["corpus"].encode()).hexdigest()[:16]
    if use_cache:
        try:
            loaded = CorpusIndex.load(slot, stamp, settings)
            for message in json.loads((slot / "manifest.json").read_text(encoding="utf-8")).get("skipped", []):
                warn(f"skipped {message}")
            return loaded
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            pass  # missing, stale or corrupt: rebuilt below, never trusted
    articles, skipped = read_articles(files, warn, progress)
    if not articles:
        raise CorpusError(f"no readable articles in {folder} ({len(skipped)} skipped)")
    built = CorpusIndex.build(Corpus.from_articles(articles), settings)
    if use_cache:
        stamp = {**stamp, "skipped": skipped}
        try:
            built.save(slot, stamp)
        except OSError as err:
            warn(f"could not write the index cache in {cache} ({err.strerror}); continuing without it")
    return built
