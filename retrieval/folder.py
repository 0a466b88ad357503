"""A folder of article files read into a Corpus: finding the files, reading and splitting them in parallel."""

from __future__ import annotations

import errno
import os
import time
from stat import S_ISDIR, S_ISLNK
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from contextlib import nullcontext
from typing import TYPE_CHECKING, Callable, ContextManager, Iterable, Protocol, Sequence

from .articles import ARTICLE_SUFFIXES, DEFAULT_MAX_FILE_BYTES
from .records import Article, Sentence

if TYPE_CHECKING:  # imported where articles are read and split: answering from the cache never does
    import numpy as np

    from .parts import Analysis
    from .sentences import Splitter

Warn = Callable[[str], None]


def article_files(folder: Path, warn: Warn | None = None, follow_links: bool | None = None,
                  keys: list | None = None) -> list[tuple[str, str]]:
    """(id, path) of every .txt and .md file under the folder; id is the relative path without suffix
    and path a plain string (os.path.join of the folder and that relative path).

    Names starting with a dot are left out. Symbolic links to folders are followed, after the folders
    themselves: a file keeps the id of its own path when it is also reachable through a link, and a
    folder reached twice is read once. A link to a folder that holds the corpus folder is not
    followed (it would read the corpus again and more). Two files that would share an id (`a.txt`,
    `a.md`) keep their suffix in it; a file whose name is not UTF-8 is skipped. Both are said
    through `warn`.

    A file that is a symbolic link is skipped, and named, when the links loop or lead nowhere, and
    when it leads to a file outside the corpus folder (or outside the linked folder it was found in),
    unless `follow_links` (default: $NEWSBOT_FOLLOW_LINKS set to 1, which `--follow-links` sets).

    With `keys` (a list), each file's (size, mtime_ns, ctime_ns, inode) is appended to it in the same
    order, or () when it cannot be read: one directory listing and one stat a file, so checking
    50,000 files for changes costs a fraction of a second.
    """
    warn = warn or (lambda message: None)
    if follow_links is None:
        follow_links = os.environ.get("NEWSBOT_FOLLOW_LINKS", "") not in ("", "0")
    found: list[tuple[str, str | Path]] = []
    stats: list[tuple] = []
    seen: set[tuple[int, int]] = set()
    links: list[Path] = []
    top = os.path.realpath(folder)

    base = os.fspath(folder)

    def walk(start: Path) -> None:
        inside = os.path.realpath(start)
        pending = [os.fspath(start)]
        while pending:  # depth first, each folder's files before its subfolders, by name (as os.walk goes)
            root = pending.pop()
            opened = _open_folder(root)
            if opened is None:  # gone or unreadable since it was listed
                continue
            st, names, fd = opened
            try:
                if (st.st_dev, st.st_ino) not in seen:
                    seen.add((st.st_dev, st.st_ino))
                    pending.extend(reversed(list_folder(root, names, fd, inside)))
            finally:
                if fd is not None:
                    os.close(fd)

    def list_folder(root: str, names: list[str], fd: int | None, inside: str) -> list[str]:
        """Note the folder's article files (and links to folders); its subfolders, in order."""
        names.sort()
        prefix = root[len(base):].lstrip(os.sep).replace(os.sep, "/")
        prefix = f"{prefix}/" if prefix else ""
        under = root if root.endswith(os.sep) else root + os.sep
        folders = []
        # One lstat a name (relative to the open folder), plain strings: 50,000 files are listed and
        # keyed in a fraction of a second, mostly the system calls'.
        for name in names:
            if name[0] == ".":
                continue
            path = under + name
            try:
                st = os.lstat(path) if fd is None else os.stat(name, dir_fd=fd, follow_symlinks=False)
            except OSError:  # gone since it was listed
                continue
            if S_ISDIR(st.st_mode):
                folders.append(path)
                continue
            linked = S_ISLNK(st.st_mode)
            if linked and os.path.isdir(path):
                links.append(Path(path))
                continue
            dot = name.rfind(".")
            if dot <= 0 or name[dot:].lower() not in ARTICLE_SUFFIXES:
                continue
            if linked:
                if not _safe_link(path, inside, follow_links, warn):
                    continue
                try:
                    st = os.stat(path)
                except OSError:
                    st = None
            if not name.isascii():
                try:
                    name.encode("utf-8")
                except UnicodeEncodeError:
                    warn(f"skipped {os.fsencode(path)!r}: file name is not UTF-8")
                    continue
            found.append((prefix + name[:dot], path))
            if keys is not None:
                stats.append((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) if st else ())
        return folders

    walk(folder)
    while links:  # the linked folders, in the order found, each one's own links after it
        link = links.pop(0)
        target = os.path.realpath(link)
        if top == target or top.startswith(target.rstrip(os.sep) + os.sep):
            warn(f"{link}: links to a folder that holds the corpus; not followed")
            continue
        walk(link)
    if keys is not None:
        keys.extend(stats)
    counts: dict[str, int] = {}
    for article_id, _ in found:
        counts[article_id] = counts.get(article_id, 0) + 1
    if len(counts) == len(found):
        return found
    named = []
    for article_id, path in found:
        if counts[article_id] > 1:
            article_id += os.path.splitext(path)[1]
            warn(f"{path}: another file has the same name; its id is {article_id}")
        named.append((article_id, path))
    return named


_BY_FOLDER = os.stat in os.supports_dir_fd and os.listdir in os.supports_fd and hasattr(os, "O_DIRECTORY")


def _open_folder(root: str) -> tuple[os.stat_result, list[str], int | None] | None:
    """A folder's own stat (links followed), its names, and a descriptor of it open to stat its names
    by (None where the system cannot: by their paths then); None when it is gone or cannot be read.

    A name's lstat relative to the open folder has the kernel resolve one name, not the whole path:
    a fifth less time at 50,000 files."""
    if not _BY_FOLDER:
        try:
            return os.stat(root), os.listdir(root), None
        except OSError:
            return None
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        return os.fstat(fd), os.listdir(fd), fd
    except OSError:
        os.close(fd)
        return None


def _safe_link(path: Path, inside: str, follow_links: bool, warn: Warn) -> bool:
    """Whether the file link `path` may be read as an article; if not, `warn` says why."""
    try:
        os.stat(path)
    except OSError as err:
        why = "its symbolic links loop" if err.errno == errno.ELOOP else "its link leads to no file"
        warn(f"skipped {path}: {why}")
        return False
    target = os.path.realpath(path)
    if follow_links or target.startswith(inside.rstrip(os.sep) + os.sep):
        return True
    warn(f"skipped {path}: it links to {target}, outside the corpus folder (--follow-links reads it)")
    return False


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


def _size(path: str | Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


# Below this many files one process reads and splits faster than starting workers would allow.
PARALLEL_MIN_FILES = 2000
_CHUNK = 100  # files per task handed to a worker


def ingest(files: list[tuple[str, str | Path]], warn: Warn, progress: Progress | None = None,
           workers: int | None = None, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
           store: Path | None = None) -> tuple["Corpus", list[str]]:
    """Read, clean and split the files into a Corpus, naming (and skipping) the unreadable ones.

    With more than PARALLEL_MIN_FILES files (or `workers` > 1) the work is spread over all cores;
    the corpus is the same either way. `progress` counts the files' bytes: one process advances it
    paragraph by paragraph (so one large file shows progress), workers file by file.

    With `store` (an empty folder of a build being written), the articles and sentences are written
    there as the files are read (store.CorpusWriter) and the corpus reads them from there,
    memory-mapped: the texts are not held in memory (its analysis keeps the headlines).
    """
    if workers is None:
        workers = (os.cpu_count() or 1) if len(files) > PARALLEL_MIN_FILES else 1
    sizes = [_size(path) for _, path in files]
    with (progress or _no_progress)("reading", sum(sizes)) as meter:
        if workers <= 1:
            return _ingest_here(files, sizes, warn, meter, max_file_bytes, store)
        return _ingest_in_workers(files, sizes, warn, meter, workers, max_file_bytes, store)


def _ingest_here(files: list[tuple[str, str | Path]], sizes: list[int], warn: Warn, meter: Meter,
                 max_file_bytes: int, store: Path | None = None) -> tuple["Corpus", list[str]]:
    from .parts import read_part

    def on_file(i: int, article: Article | None) -> Callable[[int], None] | None:
        if article is None:
            meter.update(sizes[i])
            return None
        # The file's bytes, shared out over its paragraphs by their length, as each is split.
        return _paragraph_meter(meter, sizes[i], [len(p.text) for p in article.paragraphs])

    part = read_part(files, max_file_bytes, on_file)
    return _joined(iter([part]), warn, lambda: None, store)


def _joined(parts, warn: Warn, after_each: Callable[[], None], store: Path | None = None
            ) -> tuple["Corpus", list[str]]:
    """The corpus of the parts, in order; each file's warnings and skip said, `after_each()` per file.
    With `store`, the articles and sentences are written there as they come, and read from there."""
    from .parts import merge

    skipped: list[str] = []

    def on_file(outcome: tuple[bool, str, list[str]]) -> None:
        read, error, notes = outcome
        for note in notes:
            warn(note)
        if not read:
            skipped.append(error)
            warn(f"skipped {error}")
        after_each()

    if store is None:
        articles, sentences, starts, analysis = merge(parts, on_file)
        return Corpus(tuple(articles), sentences, sentences._article_of, starts, analysis), skipped
    import numpy as np

    from .store import CorpusWriter, StoredArticles, StoredSentences

    writer = CorpusWriter(store)
    _, _, starts, analysis = merge(parts, on_file, writer)
    writer.close()
    stored = StoredArticles(store)
    article_of = np.repeat(np.arange(len(stored), dtype=np.int32), np.diff(starts))
    return Corpus(stored, StoredSentences(store, stored.ids, article_of), article_of, starts, analysis), skipped


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


def _ingest_in_workers(files: list[tuple[str, str | Path]], sizes: list[int], warn: Warn, meter: Meter, workers: int,
                       max_file_bytes: int, store: Path | None = None) -> tuple["Corpus", list[str]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    from .parts import read_part, release_freed_memory
    from .tfidf import import_learning

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunks = [files[i:i + _CHUNK] for i in range(0, len(files), _CHUNK)]
    size_of = iter(sizes)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        # Each worker numbers the terms of all its runs in one vocabulary (for this build only).
        build = (os.getpid(), time.monotonic_ns())
        parts = pool.map(partial(read_part, max_file_bytes=max_file_bytes, build=build), chunks)
        # The workers are started (forked) by now: scikit-learn, which the weights need next, is
        # imported meanwhile, while this process mostly waits for them.
        learning = import_learning()
        built = _joined(_until_last(parts, len(chunks), pool.shutdown), warn, lambda: meter.update(next(size_of)),
                        store)
        learning.join()
    release_freed_memory()
    return built


def _until_last(parts: Iterable, count: int, done: Callable[[], None]) -> Iterable:
    """`parts`, with `done()` called as the last of `count` arrives: the workers, idle from then on,
    end before it is joined instead of holding their memory while the rest of the build runs."""
    for number, part in enumerate(parts, 1):
        if number == count:
            done()
        yield part


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
    # What the index needs of each sentence, when it was found as the files were read (ingest).
    analysis: Analysis | None = None

    def texts_and_speakers(self, positions: list[int]) -> tuple[list[str], list[str | None]]:
        """The texts and speakers of the sentences at these positions (without whole records when stored)."""
        reader = getattr(self.sentences, "text_and_speaker", None)
        pairs = [reader(p) for p in positions] if reader else \
            [(x.text, x.attributed_to) for x in (self.sentences[p] for p in positions)]
        return [t for t, _ in pairs], [w for _, w in pairs]

    @classmethod
    def from_articles(cls, articles: Iterable[Article], splitter: Splitter | None = None) -> "Corpus":
        from .sentences import Splitter, article_sentences

        splitter = splitter or Splitter()
        articles = tuple(articles)
        return cls.from_parts(articles, [article_sentences(article, splitter) for article in articles])

    @classmethod
    def from_parts(cls, articles: Sequence[Article], sentences_of: Sequence[list[Sentence]]) -> "Corpus":
        """A corpus from articles and each article's sentences, already split."""
        import numpy as np

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
