"""A folder of articles as one searchable corpus: loading, the on-disk cache, and ranked Hits."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from contextlib import nullcontext
from typing import Callable, ContextManager, Iterable, Protocol, Sequence

import numpy as np
import scipy.sparse as sp

from .articles import ARTICLE_SUFFIXES, DEFAULT_MAX_FILE_BYTES, ArticleError, read_article
from .index import IndexSettings, QueryTerms, SentenceIndex, _top_k
from .ranking import (Evidence, RankSettings, answer_type_bonus, held_kinds, neighbour_gain, wanted_kinds,
                      word_order_evidence)
from .records import Article, Hit, Sentence
from .lock import build_lock
from .sentences import Splitter, article_sentences
from .store import StoredArticles, StoredSentences, write_corpus

CACHE_FORMAT = 3
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
Warn = Callable[[str], None]


class CorpusError(Exception):
    """The corpus as a whole cannot serve: the folder is missing or holds no readable article."""


def article_files(folder: Path, warn: Warn | None = None) -> list[tuple[str, Path]]:
    """(id, path) of every .txt and .md file under the folder; id is the relative path without suffix.

    Names starting with a dot are left out. Symbolic links to folders are followed, after the folders
    themselves: a file keeps the id of its own path when it is also reachable through a link, and a
    folder reached twice is read once. A link to a folder that holds the corpus folder is not
    followed (it would read the corpus again and more). Two files that would share an id (`a.txt`,
    `a.md`) keep their suffix in it; a file whose name is not UTF-8 is skipped. Both are said
    through `warn`.
    """
    warn = warn or (lambda message: None)
    found: list[tuple[str, Path]] = []
    seen: set[tuple[int, int]] = set()
    links: list[Path] = []
    top = os.path.realpath(folder)

    def walk(start: Path) -> None:
        for root, dirs, files in os.walk(start):  # links to folders are listed in dirs, not entered
            try:
                st = os.stat(root)
            except OSError:  # gone since it was listed
                dirs[:] = []
                continue
            if (st.st_dev, st.st_ino) in seen:
                dirs[:] = []
                continue
            seen.add((st.st_dev, st.st_ino))
            names = sorted(d for d in dirs if not d.startswith("."))
            links.extend(Path(root, d) for d in names if os.path.islink(os.path.join(root, d)))
            dirs[:] = [d for d in names if not os.path.islink(os.path.join(root, d))]
            for name in sorted(files):
                add(Path(root, name))

    def add(path: Path) -> None:
        if path.suffix.lower() not in ARTICLE_SUFFIXES or path.name.startswith("."):
            return
        relative = path.relative_to(folder)
        try:
            relative.as_posix().encode("utf-8")
        except UnicodeEncodeError:
            warn(f"skipped {os.fsencode(path)!r}: file name is not UTF-8")
            return
        found.append((relative.with_suffix("").as_posix(), path))

    walk(folder)
    while links:  # the linked folders, in the order found, each one's own links after it
        link = links.pop(0)
        target = os.path.realpath(link)
        if top == target or top.startswith(target.rstrip(os.sep) + os.sep):
            warn(f"{link}: links to a folder that holds the corpus; not followed")
            continue
        walk(link)
    counts: dict[str, int] = {}
    for article_id, _ in found:
        counts[article_id] = counts.get(article_id, 0) + 1
    if len(counts) == len(found):
        return found
    named = []
    for article_id, path in found:
        if counts[article_id] > 1:
            article_id = path.relative_to(folder).as_posix()
            warn(f"{path}: another file has the same name; its id is {article_id}")
        named.append((article_id, path))
    return named


def _library_versions() -> bytes:
    """The versions of the libraries that read, split and stem the articles."""
    from importlib import metadata

    versions = []
    for name in ("markdown-it-py", "pysbd", "PyStemmer"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} ?")
    return "\n".join(versions).encode()


# What the cache was made by: it is rebuilt when the code that reads, splits or indexes changes, or
# the libraries it uses to do so.
_CODE_VERSION = hashlib.sha256(b"".join(
    p.read_bytes() for p in sorted(Path(__file__).parent.glob("*.py"))) + _library_versions()).hexdigest()[:16]


def fingerprint(files: Iterable[tuple[str, Path]]) -> str:
    """Changes when any article file is added, removed, renamed or modified.

    Size, modification time, change time and inode: copying tools can restore a modification time,
    but a write always moves the change time.
    """
    digest = hashlib.sha256(_CODE_VERSION.encode())
    for article_id, path in files:
        try:
            st = path.stat()
            digest.update(f"{article_id}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}\n".encode())
        except OSError:
            digest.update(f"{article_id}\0?\n".encode())
    return digest.hexdigest()


class Meter(Protocol):
    def update(self, n: int) -> None: ...


# `progress(what, total)` gives a context manager whose meter is advanced by `update(n)` until `total`
# (bytes of the files being read); a tqdm bar is one.
Progress = Callable[[str, int], ContextManager[Meter]]


class _NoMeter:
    def update(self, n: int) -> None:
        pass


def _no_progress(what: str, total: int) -> ContextManager[Meter]:
    return nullcontext(_NoMeter())


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# Below this many files one process reads and splits faster than starting workers would allow.
PARALLEL_MIN_FILES = 2000
_CHUNK = 100  # files per task handed to a worker


def ingest(files: list[tuple[str, Path]], warn: Warn, progress: Progress | None = None,
           workers: int | None = None, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> tuple["Corpus", list[str]]:
    """Read, clean and split the files into a Corpus, naming (and skipping) the unreadable ones.

    With more than PARALLEL_MIN_FILES files (or `workers` > 1) the work is spread over all cores;
    the corpus is the same either way. `progress` counts the files' bytes: one process advances it
    paragraph by paragraph (so one large file shows progress), workers file by file.
    """
    if workers is None:
        workers = (os.cpu_count() or 1) if len(files) > PARALLEL_MIN_FILES else 1
    sizes = [_size(path) for _, path in files]
    with (progress or _no_progress)("reading", sum(sizes)) as meter:
        if workers <= 1:
            return _ingest_here(files, sizes, warn, meter, max_file_bytes)
        return _ingest_in_workers(files, sizes, warn, meter, workers, max_file_bytes)


def _ingest_here(files: list[tuple[str, Path]], sizes: list[int], warn: Warn, meter: Meter,
                 max_file_bytes: int) -> tuple["Corpus", list[str]]:
    splitter = Splitter()
    articles: list[Article] = []
    sentences_of: list[list[Sentence]] = []
    skipped: list[str] = []
    for (article_id, path), size in zip(files, sizes):
        try:
            article = read_article(path, article_id, max_bytes=max_file_bytes, warn=warn)
        except ArticleError as err:
            skipped.append(str(err))
            warn(f"skipped {err}")
            meter.update(size)
            continue
        # The file's bytes, shared out over its paragraphs by their length, as each is split.
        lengths = [len(p.text) for p in article.paragraphs]
        sentences_of.append(article_sentences(article, splitter, _paragraph_meter(meter, size, lengths)))
        articles.append(article)
    return Corpus.from_parts(articles, sentences_of), skipped


def _paragraph_meter(meter: Meter, size: int, lengths: list[int]) -> Callable[[int], None]:
    """A callback for each paragraph split (by number from 1) that advances `meter` by its share of `size`."""
    total = sum(lengths) or 1
    counted = [0, 0]  # characters seen, bytes reported

    def done(number: int) -> None:
        counted[0] += lengths[number - 1]
        reach = size * counted[0] // total if number < len(lengths) else size
        meter.update(reach - counted[1])
        counted[1] = reach

    if not lengths:
        meter.update(size)
    return done


def _ingest_in_workers(files: list[tuple[str, Path]], sizes: list[int], warn: Warn, meter: Meter, workers: int,
                       max_file_bytes: int) -> tuple["Corpus", list[str]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunks = [files[i:i + _CHUNK] for i in range(0, len(files), _CHUNK)]
    articles: list[Article] = []
    sentences_of: list[list[Sentence]] = []
    skipped: list[str] = []
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        results = (item for chunk in pool.map(partial(_read_and_split, max_file_bytes=max_file_bytes), chunks)
                   for item in chunk)
        for (article, sentences, error, notes), size in zip(results, sizes):
            for note in notes:
                warn(note)
            if article is None:
                skipped.append(error)
                warn(f"skipped {error}")
            else:
                articles.append(article)
                sentences_of.append(sentences)
            meter.update(size)
    return Corpus.from_parts(articles, sentences_of), skipped


def _read_and_split(files: list[tuple[str, Path]], max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
                    ) -> list[tuple[Article | None, list[Sentence], str, list[str]]]:
    """One worker's task: each file as (article, its sentences, "", warnings) or (None, [], why it was
    skipped, warnings)."""
    splitter = Splitter()
    out: list[tuple[Article | None, list[Sentence], str, list[str]]] = []
    for article_id, path in files:
        notes: list[str] = []
        try:
            article = read_article(path, article_id, max_bytes=max_file_bytes, warn=notes.append)
        except ArticleError as err:
            out.append((None, [], str(err), notes))
        else:
            out.append((article, article_sentences(article, splitter), "", notes))
    return out


@dataclass(frozen=True)
class Corpus:
    """Articles and their sentences, in one reading order; sentence positions index `sentences`.

    Built from articles, both are tuples; loaded from the cache, both are sequences read from
    memory-mapped files on access.
    """

    articles: Sequence[Article]
    sentences: Sequence[Sentence]
    article_of: np.ndarray  # int32: the article number of each sentence
    starts: np.ndarray  # int64: the first sentence position of each article, plus the total at the end

    def texts_and_speakers(self, positions: list[int]) -> tuple[list[str], list[str | None]]:
        """The texts and speakers of the sentences at these positions (without whole records when stored)."""
        reader = getattr(self.sentences, "text_and_speaker", None)
        pairs = [reader(p) for p in positions] if reader else \
            [(x.text, x.attributed_to) for x in (self.sentences[p] for p in positions)]
        return [t for t, _ in pairs], [w for _, w in pairs]

    @classmethod
    def from_articles(cls, articles: Iterable[Article], splitter: Splitter | None = None) -> "Corpus":
        splitter = splitter or Splitter()
        articles = tuple(articles)
        return cls.from_parts(articles, [article_sentences(article, splitter) for article in articles])

    @classmethod
    def from_parts(cls, articles: Sequence[Article], sentences_of: Sequence[list[Sentence]]) -> "Corpus":
        """A corpus from articles and each article's sentences, already split."""
        articles = tuple(articles)
        sentences: list[Sentence] = []
        starts = [0]
        for part in sentences_of:
            sentences.extend(part)
            starts.append(len(sentences))
        starts_arr = np.asarray(starts, np.int64)
        article_of = np.repeat(np.arange(len(articles), dtype=np.int32), np.diff(starts_arr))
        return cls(articles, tuple(sentences), article_of, starts_arr)

    def article_header(self, number: int) -> Article:
        """Article `number`'s headline and metadata; its paragraphs only when they are at hand anyway."""
        header = getattr(self.articles, "header", None)
        return header(number) if header else self.articles[number]

    @cached_property
    def article_ids(self) -> list[str]:
        ids = getattr(self.articles, "ids", None)
        return list(ids) if ids is not None else [a.id for a in self.articles]


class CorpusIndex:
    """A Corpus with its sentence index and headline vectors: questions in, ranked Hits out."""

    def __init__(self, corpus: Corpus, index: SentenceIndex, headlines: sp.csr_matrix,
                 settings: RankSettings | None = None, kinds: np.ndarray | None = None):
        self.corpus = corpus
        self.index = index
        self.headlines = headlines.tocsc()  # article x term, column access per question term
        self.settings = settings or RankSettings()
        self._article_numbers = {a: i for i, a in enumerate(corpus.article_ids)}
        self.from_cache = False  # set by load
        self.skipped: tuple[str, ...] = ()  # the files left out, "path: reason"
        self.fingerprint = ""  # of the corpus files it was made from, set by open_corpus
        first = np.zeros(len(corpus.sentences), np.int64)
        if len(corpus.sentences):
            first = corpus.starts[corpus.article_of]
        order = np.arange(len(corpus.sentences)) - first
        self._lead = (1.0 / (1.0 + order)).astype(np.float32)  # 1 for an article's first sentence, then 1/2 ...
        # True where a new article opens (and one past the end): no neighbour evidence across it.
        self._opens = np.r_[order == 0, True]
        # The kinds of thing each sentence holds (ranking.held_kinds), read once here, not per question.
        self.kinds = kinds if kinds is not None else _held_kinds(corpus)

    @classmethod
    def build(cls, corpus: Corpus, settings: RankSettings | None = None,
              index_settings: IndexSettings | None = None) -> "CorpusIndex":
        index = SentenceIndex.build([s.text for s in corpus.sentences], index_settings)
        headlines = index.vectorize([a.title for a in corpus.articles])
        return cls(corpus, index, headlines, settings)

    def article(self, article_id: str) -> Article | None:
        """The article with this id, or None."""
        number = self._article_numbers.get(article_id)
        return None if number is None else self.corpus.articles[number]

    def has_article(self, article_id: str) -> bool:
        return article_id in self._article_numbers

    def search(self, question: str, k: int = 10, article: str | None = None) -> list[Hit]:
        """The k best sentences for a question, best first. Unknown `article` ids find nothing."""
        evidence = self.evidence(question, article, k) if k > 0 else None
        if evidence is None:
            return []
        score = evidence.scores(self.settings)
        best = _top_k(score, k)
        return [self._hit(int(evidence.positions[i]), float(score[i]), float(evidence.coverage[i]), evidence.words)
                for i in best]

    def evidence(self, question: str, article: str | None = None, k: int | None = None) -> Evidence | None:
        """The evidence for the best `settings.candidates` (or `k`, if more) sentences sharing a word
        with the question.

        The cheap evidence (coverage, headline, neighbours, position, cosine) is weighed for every
        sentence sharing a term, from one walk over the postings that notes which query terms each
        sentence and its two neighbours hold (as bit sets, so that coverage and the rest are table
        look-ups); word order and answer type, which need the sentence's words, only for the
        shortlist. None when no sentence shares a term (or `article` is unknown).
        """
        within = None
        if article is not None:
            number = self._article_numbers.get(article)
            if number is None:
                return None
            within = (int(self.corpus.starts[number]), int(self.corpus.starts[number + 1]))
        query = self.index.query(question)
        cheap = self._cheap(query, within)
        if cheap is None:
            return None
        s = self.settings
        hopeful = cheap.score
        wanted = wanted_kinds(question)
        if wanted and s.answer_type_weight > 0:
            # A sentence that holds the kind of thing asked for may earn the answer-type weight: it is
            # shortlisted as if it did, so that a dated sentence among many alike is still read.
            hopeful = hopeful + np.float32(s.answer_type_weight) * ((self.kinds[cheap.positions] & wanted) != 0)
        shortlist = np.sort(_top_k(hopeful, max(s.candidates, k or 0)))
        return self._weigh(question, cheap, shortlist)

    def _cheap(self, query: QueryTerms, within: tuple[int, int] | None) -> "_Cheap | None":
        """The evidence that needs no sentence text, for every sentence sharing a term with the query."""
        walk = self.index.walk(query, within)
        if walk is None:  # too many ids for bit sets: the same evidence from a presence matrix
            return self._cheap_from_presence(query, within)
        positions = walk.positions
        if not len(positions):
            return None
        bits = walk.bits
        missing = ~bits
        before = np.where(self._opens[positions], 0, walk.before)
        after = np.where(self._opens[positions + 1], 0, walk.after)
        in_headline = self._headline_bits(query)[self.corpus.article_of[positions]]
        return self._weighed(positions, query.covered_bits(bits), walk.cosine,
                             query.share_bits(in_headline & missing),
                             np.maximum(query.share_bits(before & missing), query.share_bits(after & missing)),
                             query.words)

    def _cheap_from_presence(self, query: QueryTerms, within: tuple[int, int] | None) -> "_Cheap | None":
        positions, cosine, _, present = self.index.scores_and_presence(query, within)
        if not len(positions):
            return None
        articles = self.corpus.article_of[positions]
        headline = ((self._headline_presence(query, articles) * (1.0 - present)) @ query.coverage).astype(np.float32)
        neighbour = neighbour_gain(positions, present, query.coverage, self.corpus.article_of)
        return self._weighed(positions, query.covered(present), cosine, headline, neighbour, query.words)

    def _weighed(self, positions: np.ndarray, coverage: np.ndarray, cosine: np.ndarray, headline: np.ndarray,
                 neighbour: np.ndarray, words: tuple[str, ...]) -> "_Cheap":
        s = self.settings
        lead = self._lead[positions]
        score = (s.coverage_weight * coverage + s.headline_weight * headline + s.neighbour_weight * neighbour
                 + s.lead_weight * lead + s.cosine_weight * cosine)
        return _Cheap(positions, coverage, cosine, headline, neighbour, lead, score, words)

    def _weigh(self, question: str, cheap: "_Cheap", rows: np.ndarray) -> Evidence:
        """The whole evidence of the given rows (ascending) of `cheap`: word order and answer type added."""
        return Evidence(cheap.positions[rows], cheap.coverage[rows], cheap.cosine[rows], cheap.headline[rows],
                        cheap.neighbour[rows], cheap.lead[rows],
                        *self._word_evidence(question, cheap.positions[rows]), cheap.words)

    def _word_evidence(self, question: str, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(bigrams, proximity, answer type) of the sentences at the given positions."""
        texts, speakers = self.corpus.texts_and_speakers(positions.tolist())
        index = self.index
        asked = index.analyzer.terms(question)
        terms = index.sentence_terms(positions, as_ids=True)  # stored at build: no second analysis
        if terms is None:
            terms = [index.analyzer.terms(text) for text in texts]
        else:  # compared as term ids; each word the index lacks gets one id no sentence has
            ids, unknown = index.term_ids, {}
            asked = [ids[term] if term in ids else unknown.setdefault(term, -1 - len(unknown)) for term in asked]
        bigrams, proximity = word_order_evidence(asked, terms)
        return bigrams, proximity, answer_type_bonus(question, texts, speakers)

    def _headline_bits(self, query: QueryTerms) -> np.ndarray:
        """For every article, the bit set of the query ids its headline holds (at most 62 ids)."""
        h = self.headlines
        indptr, indices, data = h.indptr, h.indices, h.data
        bits = np.zeros(h.shape[0], np.int64)
        for column, (a, b) in enumerate(zip(indptr[query.ids].tolist(), indptr[query.ids + 1].tolist())):
            if a < b:
                bits[indices[a:b][data[a:b] != 0]] |= 1 << column
        return bits

    def _headline_presence(self, query: QueryTerms, articles: np.ndarray) -> np.ndarray:
        """Which query terms the headline of each given article holds: (articles x query terms) of 0.0 / 1.0."""
        if len(query.ids) > 62:
            columns = self.headlines[:, query.ids].tocsr()
            return (columns[articles].toarray() != 0).astype(np.float32)
        bits = self._headline_bits(query)
        return ((bits[articles][:, None] >> np.arange(len(query.ids), dtype=np.int64)) & 1).astype(np.float32)

    def _hit(self, position: int, score: float, coverage: float, words: tuple[str, ...]) -> Hit:
        sentence = self.corpus.sentences[position]
        wanted = set(words)
        analyzer = self.index.analyzer
        # A plain ASCII word analyses to its lower-cased term alone; only other words need the full analysis.
        matched = tuple(dict.fromkeys(
            word for word in _surface_words(sentence.text) if analyzer.term(word.lower()) in wanted
            or not (word.isascii() and word.isalnum()) and any(t in wanted for t in analyzer.terms(word))
        ))
        return Hit(position, score, sentence, coverage, matched)

    # -- the cache ------------------------------------------------------------------------------
    def save(self, folder: Path, stamp: dict) -> None:
        """Write the whole index as arrays, UTF-8 text and JSON (never pickle) into `folder`, replacing it
        atomically."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        try:
            self.index.save(tmp)
            sp.save_npz(tmp / "headlines.npz", self.headlines.tocsr(), compressed=False)
            write_corpus(tmp, self.corpus.articles, self.corpus.sentences)
            np.save(tmp / "starts.npy", np.asarray(self.corpus.starts, np.int64))
            np.save(tmp / "kinds.npy", np.asarray(self.kinds, np.uint8))
            (tmp / "manifest.json").write_text(json.dumps({**stamp, "format": CACHE_FORMAT}), encoding="utf-8")
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
            os.replace(tmp, folder)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path, stamp: dict, settings: RankSettings | None = None) -> "CorpusIndex":
        """Load a saved index; raises ValueError (or OSError) when it is stale, corrupt or missing.

        The postings, the sentences and the paragraphs stay on disk, memory-mapped: loading reads only
        the vocabulary, the article metadata and the headline vectors.
        """
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != CACHE_FORMAT \
                or any(manifest.get(k) != v for k, v in stamp.items()):
            raise ValueError("cache is stale")
        skipped = manifest.get("skipped", [])
        if not isinstance(skipped, list) or not all(isinstance(m, str) for m in skipped):
            raise ValueError("cache manifest is damaged")
        articles = StoredArticles(folder)
        starts = np.load(folder / "starts.npy", allow_pickle=False)
        if starts.shape != (len(articles) + 1,) or (len(starts) and starts[0] != 0) or np.any(np.diff(starts) < 0):
            raise ValueError("cache arrays do not match")
        article_of = np.repeat(np.arange(len(articles), dtype=np.int32), np.diff(starts))
        sentences = StoredSentences(folder, articles.ids, article_of)
        index = SentenceIndex.load(folder)
        headlines = sp.load_npz(folder / "headlines.npz")
        kinds = np.load(folder / "kinds.npy", mmap_mode="r", allow_pickle=False)
        if len(index) != len(sentences) or headlines.shape != (len(articles), len(index.vocabulary)) \
                or kinds.shape != (len(sentences),) or kinds.dtype != np.uint8:
            raise ValueError("cache arrays do not match")
        loaded = cls(Corpus(articles, sentences, article_of, starts), index, headlines, settings,
                     kinds=np.asarray(kinds))
        loaded.from_cache, loaded.skipped = True, tuple(skipped)
        return loaded


def _held_kinds(corpus: Corpus) -> np.ndarray:
    """`held_kinds` of every sentence of the corpus (uint8 bits)."""
    texts, speakers = corpus.texts_and_speakers(list(range(len(corpus.sentences))))
    return np.fromiter(map(held_kinds, texts, speakers), np.uint8, len(texts))


@dataclass(frozen=True)
class _Cheap:
    """The evidence that needs no sentence text, for candidates (rows align with `positions`)."""

    positions: np.ndarray  # ascending
    coverage: np.ndarray
    cosine: np.ndarray
    headline: np.ndarray
    neighbour: np.ndarray
    lead: np.ndarray
    score: np.ndarray  # their weighted sum
    words: tuple[str, ...]


def _surface_words(text: str) -> list[str]:
    return _WORD.findall(text)


def corpus_files(folder: Path, cache_root: Path | str | None = None, warn: Warn | None = None
                 ) -> list[tuple[str, Path]]:
    """The article files of a corpus folder, less any index cache kept inside it."""
    cache = Path(cache_root) if cache_root else default_cache_root()
    return [(i, p) for i, p in article_files(folder, warn) if not _inside(p, cache)]


def _inside(path: Path, folder: Path) -> bool:
    """True for a file in `folder` (a cache kept inside the corpus folder is not part of the corpus)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def default_cache_root() -> Path:
    env = os.environ.get("NEWSBOT_CACHE")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir
    return Path(user_cache_dir("newsbot", appauthor=False))


def open_corpus(folder: Path | str, cache_root: Path | str | None = None, warn: Warn | None = None,
                settings: RankSettings | None = None, use_cache: bool = True,
                progress: Progress | None = None, notice: Warn | None = None,
                max_file_bytes: int | None = None) -> CorpusIndex:
    """Load a corpus folder, from the cache when it is fresh, else by reading and indexing its files.

    Raises CorpusError when the folder is missing or holds no readable article. Broken files are
    skipped and named through `warn`, also when the index comes from the cache. `notice` is told, in
    one line, when the index has to be built and when this waits for another process building it
    (builds of one cache slot take turns: the second loads what the first saved); `progress` meters
    the reading. Files over `max_file_bytes` (default DEFAULT_MAX_FILE_BYTES) are skipped.
    """
    warn = warn or (lambda message: None)
    notice = notice or (lambda message: None)
    max_file_bytes = max_file_bytes or DEFAULT_MAX_FILE_BYTES
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    cache = Path(cache_root) if cache_root else default_cache_root()
    files = corpus_files(folder, cache, warn)
    if not files:
        raise CorpusError(f"no .txt or .md articles in {folder}")
    # The size limit is in the stamp: a file skipped as too large is read once the limit is raised.
    stamp = {"corpus": str(folder.resolve()), "files": fingerprint(files), "max_file_bytes": max_file_bytes}
    slot = cache / hashlib.sha256(stamp["corpus"].encode()).hexdigest()[:16]
    if not use_cache:
        return _build(folder, files, stamp, warn, notice, progress, settings, max_file_bytes)
    loaded = _load(slot, stamp, settings, warn)
    if loaded is not None:
        return loaded
    with build_lock(slot, on_wait=lambda: notice("waiting for another newsbot process building this index…")):
        loaded = _load(slot, stamp, settings, warn)  # built by the process this one waited for
        if loaded is not None:
            return loaded
        built = _build(folder, files, stamp, warn, notice, progress, settings, max_file_bytes)
        try:
            built.save(slot, {**stamp, "skipped": list(built.skipped)})
        except OSError as err:
            warn(f"could not write the index cache in {cache} ({err.strerror}); continuing without it")
    return built


def _load(slot: Path, stamp: dict, settings: RankSettings | None, warn: Warn) -> CorpusIndex | None:
    """The cached index when it is fresh (its skipped files named again), else None."""
    try:
        loaded = CorpusIndex.load(slot, stamp, settings)
    except Exception:  # noqa: BLE001 - missing, stale or corrupt in any way: rebuilt, never trusted
        return None
    for message in loaded.skipped:
        warn(f"skipped {message}")
    loaded.fingerprint = stamp["files"]
    return loaded


def _build(folder: Path, files: list[tuple[str, Path]], stamp: dict, warn: Warn, notice: Warn,
           progress: Progress | None, settings: RankSettings | None, max_file_bytes: int) -> CorpusIndex:
    notice(f"building the index for {len(files):,} article{'s' if len(files) != 1 else ''}…")
    corpus, skipped = ingest(files, warn, progress, max_file_bytes=max_file_bytes)
    if not corpus.articles:
        raise CorpusError(f"no readable articles in {folder} ({len(skipped)} skipped)")
    built = CorpusIndex.build(corpus, settings)
    built.skipped, built.fingerprint = tuple(skipped), stamp["files"]
    return built
