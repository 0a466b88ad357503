"""A corpus as one searchable index: questions in, ranked Hits out; made from a folder, through the cache."""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import date
from pathlib import Path

from typing import TYPE_CHECKING, Sequence

import numpy as np

from .answer_type import held_kinds
from .articles import DEFAULT_MAX_FILE_BYTES
from .dates import DayIndex
from .cache import (CacheDamaged, cache_slot, corpus_files, default_cache_root, fingerprint, new_build,
                    publish, read_manifest, write_manifest)
from .documents import SAME_REPORT, Story, article_vectors, leaders, rival_margins, same_story
from .folder import Corpus, Progress, Warn, article_files, ingest  # noqa: F401 - also importable from here
from .lock import build_lock
from .query import IndexSettings
from .ranking import Evidence, Ranker, Ranking, RankSettings
from .records import Article, Hit, Sentence
from .store import write_corpus
from .tfidf import SentenceIndex
from .walk import top_k

if TYPE_CHECKING:
    from .prefetch import Prefetch
    import scipy.sparse as sp

FILES = "files.json"  # what each article of a saved index was read from (incremental.py)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


class CorpusError(Exception):
    """The corpus as a whole cannot serve: the folder is missing or holds no readable article."""


class CorpusIndex:
    """A Corpus with its sentence index and headline vectors: questions in, ranked Hits out."""

    def __init__(self, corpus: Corpus, index: SentenceIndex, headlines: "sp.spmatrix",
                 settings: RankSettings | None = None, kinds: np.ndarray | None = None,
                 days: DayIndex | None = None, articles: "sp.csr_matrix | None" = None,
                 ranker: type[Ranker] = Ranker):
        self.corpus = corpus
        self._days = days  # which sentences name which day (dates.py); made on first use when not given
        self.index = index
        # article x term, column access per question term (scipy's, or segments.Columns when loaded)
        self.headlines = headlines.tocsc() if hasattr(headlines, "tocsc") else headlines
        # The kinds of thing each sentence holds (answer_type.held_kinds), read once here, not per question.
        self.kinds = kinds if kinds is not None else _held_kinds(corpus)
        # Each article as one document (documents.py), term-major: made once, at build time.
        self.articles = articles if articles is not None else article_vectors(
            index, corpus.article_of, [a.title for a in corpus.articles])
        self.ranker = ranker(index, corpus, self.headlines, self.kinds, settings or RankSettings(), self.articles)
        self.generation = None  # a base and a delta joined (segments.py), when loaded as one
        self._article_numbers = {a: i for i, a in enumerate(corpus.article_ids)}
        self._stories: dict[int, Story] = {}  # article number: documents.Story, made when first compared
        self.from_cache = False  # set by load
        self.cache_error: str | None = None  # why the index could not be saved to the cache, when it could not
        self.skipped: tuple[str, ...] = ()  # the files left out, "path: reason"
        self.fingerprint = ""  # of the corpus files it was made from, set by open_corpus
        self.saved_in: Path | None = None  # the cache build it was loaded from
        self.reread = 0  # how many article files were read to make it (0 when loaded as it was)
        # The unpublished build folder its corpus files were written into as they were read, when they
        # were (incremental.update with a store): `save` writes the rest there and publishes it.
        self.building: Path | None = None
        self._word_terms: dict[str, frozenset[str]] = {}  # a sentence's word -> the terms it matches (`matched`)

    @classmethod
    def build(cls, corpus: Corpus, settings: RankSettings | None = None,
              index_settings: IndexSettings | None = None) -> "CorpusIndex":
        index = SentenceIndex.build([s.text for s in corpus.sentences], index_settings)
        headlines = index.vectorize([a.title for a in corpus.articles])
        return cls(corpus, index, headlines, settings)

    @property
    def settings(self) -> RankSettings:
        """The ranking's weights (the ranker's own: setting them here ranks by the new ones)."""
        return self.ranker.settings

    @settings.setter
    def settings(self, settings: RankSettings) -> None:
        self.ranker.settings = settings

    # -- questions ------------------------------------------------------------------------------
    def search(self, question: str, k: int = 10, article: str | None = None,
               allowed: np.ndarray | None = None, margins: bool = False) -> list[Hit]:
        """The k best sentences for a question, best first. Unknown `article` ids find nothing. With
        `allowed` (a boolean per sentence), only those sentences are ranked. With `margins`, each Hit's
        lead over other articles (Hit.margin) is worked out; else it is left infinite (no rival)."""
        found = self.ranked(question, article, allowed, margins) if k > 0 else None
        return [] if found is None else found.hits(k)

    def ranked(self, question: str, article: str | None = None, allowed: np.ndarray | None = None,
               margins: bool = False) -> "Ranked | None":
        """The question's ranking, to take as many best hits from as wanted (`Ranked.hits`): what
        `search` gives for any k, the postings walked once however many are taken. None when no
        sentence (of `article`, among the `allowed`) shares a term with the question."""
        within = None
        if article is not None:
            within = self.article_span(article)
            if within is None:
                return None
        ranking = self.ranker.ranking(question, within, allowed)
        return None if ranking is None else Ranked(self, ranking, margins)

    def _margins(self, positions: np.ndarray, score: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Each chosen candidate's lead over the best candidate of an article that tells another story
        (documents.rival_margins)."""
        article = self.corpus.article_of[positions]
        if len(rows) == 0 or (article == article[0]).all():
            return np.full(len(rows), np.inf, np.float32)
        # The terms of the rows and of the first articles' best candidates, read in one gather.
        best = leaders(score, article)
        wanted = np.unique(np.concatenate([rows, best[:4]]))
        terms = dict(zip(wanted.tolist(), map(frozenset, self._sentence_terms(positions[wanted]))))

        def same_report(i: int, j: int) -> bool:
            for n in (i, j):
                if n not in terms:
                    terms[n] = frozenset(self._sentence_terms(positions[n:n + 1])[0])
            mine, theirs = terms[i], terms[j]
            union = len(mine | theirs)
            return bool(union) and len(mine & theirs) >= SAME_REPORT * union

        return rival_margins(score, article, rows, same_report,
                             lambda a, b: same_story(self._story(a), self._story(b)), best)

    def _sentence_terms(self, positions: np.ndarray) -> list:
        """The index terms (ids, or the terms themselves when the index keeps no ids) of these sentences."""
        stored = self.index.sentence_terms(positions, as_ids=True)
        if stored is not None:
            return stored
        return [self.index.analyzer.terms(t) for t in self.corpus.texts_and_speakers(positions.tolist())[0]]

    def _story(self, number: int) -> Story:
        """Article `number` as documents.same_story compares it (kept for the next questions: an
        archive's few stories that match many questions are the ones asked about again)."""
        story = self._stories.get(number)
        if story is None:
            if len(self._stories) >= 4096:
                self._stories.clear()
            index, corpus = self.index, self.corpus
            start, end = int(corpus.starts[number]), int(corpus.starts[number + 1])
            term_ids = index.term_ids
            # The article's sentences are one run of the stored term ids (of one part, when joined: read
            # a sentence at a time, that took 7 times as long, 444 against 62 us an article).
            text = index.term_run(start, end)
            if text is None:
                stored = self._sentence_terms(np.arange(start, end))
                text = np.fromiter((term_ids[t] if isinstance(t, str) else t for sentence in stored for t in sentence
                                    if not isinstance(t, str) or t in term_ids), np.int64)
            title = [term_ids[t] for t in index.analyzer.terms(corpus.article_header(number).title) if t in term_ids]
            story = self._stories[number] = Story.of(np.asarray(title, np.int64), text, index.idf)
        return story

    def evidence(self, question: str, article: str | None = None, k: int | None = None,
                 allowed: np.ndarray | None = None) -> Evidence | None:
        """The evidence for the best `settings.candidates` (or `k`, if more) sentences sharing a word
        with the question (ranking.py), among the `allowed` ones if given; None when none does (or
        `article` is unknown)."""
        within = None
        if article is not None:
            within = self.article_span(article)
            if within is None:
                return None
        return self.ranker.evidence(question, within, k, allowed)

    def sentences_on(self, day: date) -> np.ndarray:
        """The positions of the sentences that name this day (resolved against their article's date)."""
        return self.days.on(day)

    @property
    def days(self) -> DayIndex:
        if self._days is None:
            corpus = self.corpus
            texts, _ = corpus.texts_and_speakers(list(range(len(corpus.sentences))))
            self._days = DayIndex.build(texts, corpus.article_of, [a.published for a, _ in self.article_list()])
        return self._days

    def __len__(self) -> int:
        """How many sentences the corpus has."""
        return len(self.corpus.sentences)

    def sentence(self, position: int) -> Sentence:
        return self.corpus.sentences[position]

    def article_span(self, article_id: str) -> tuple[int, int] | None:
        """The positions [start, end) of an article's sentences, or None for an unknown id."""
        number = self._article_numbers.get(article_id)
        return None if number is None else (int(self.corpus.starts[number]), int(self.corpus.starts[number + 1]))

    def terms(self, text: str) -> list[str]:
        """The index terms of a text, in order (stemmed, stop words left out)."""
        return self.index.analyzer.terms(text)

    def searched_terms(self, question: str) -> tuple[str, ...]:
        """The index terms a question is searched with: its own, their synonyms and close spellings."""
        return self.index.query(question).words

    def _hit(self, position: int, score: float, coverage: float, words: tuple[str, ...] | None,
             margin: float = float("inf")) -> Hit:
        """A Hit; its matched words only with `words` (else none: see `matched`)."""
        sentence = self.corpus.sentences[position]
        matched = self.matched(sentence.text, words) if words is not None else ()
        return Hit(position, score, sentence, coverage, matched, margin)

    def matched(self, text: str, words: tuple[str, ...]) -> tuple[str, ...]:
        """The words of a sentence's text whose index terms are among `words` (a question's searched
        terms), each once, in order: what an answer shows in bold."""
        wanted = set(words)
        known = self._word_terms
        out: dict[str, None] = {}
        for word in _WORD.findall(text):
            terms = known.get(word)
            if terms is None:
                terms = self._terms_of_word(word)
            if not wanted.isdisjoint(terms):
                out[word] = None
        return tuple(out)

    def _terms_of_word(self, word: str) -> frozenset[str]:
        """The terms a word of a sentence matches: its lower-cased term (a plain ASCII word has no
        other), and for any other word every term its full analysis gives."""
        analyzer = self.index.analyzer
        terms = {analyzer.term(word.lower())} - {None}
        if not (word.isascii() and word.isalnum()):
            terms.update(analyzer.terms(word))
        found = frozenset(terms)
        if len(self._word_terms) >= 500_000:  # a bound, far above a corpus's distinct words in use
            self._word_terms.clear()
        self._word_terms[word] = found
        return found

    # -- articles and sentences -----------------------------------------------------------------
    def article(self, article_id: str) -> Article | None:
        """The article with this id, or None."""
        number = self._article_numbers.get(article_id)
        return None if number is None else self.corpus.articles[number]

    def has_article(self, article_id: str) -> bool:
        return article_id in self._article_numbers

    def header(self, position: int) -> Article:
        """The headline and metadata (no paragraphs) of the article the sentence at `position` is in."""
        return self.corpus.article_header(int(self.corpus.article_of[position]))

    def sentence_before(self, position: int, sentence: Sentence | None = None,
                        any_paragraph: bool = False) -> Sentence | None:
        """The sentence before the one at `position` in the same paragraph (with `any_paragraph`, the
        same article), or None. `sentence`, when given, is the one at `position` (so it is not read again)."""
        corpus = self.corpus
        if position <= 0 or corpus.article_of[position - 1] != corpus.article_of[position]:
            return None
        before = corpus.sentences[position - 1]
        if any_paragraph:
            return before
        paragraph = (sentence or corpus.sentences[position]).paragraph
        return before if before.paragraph == paragraph else None

    def texts(self, positions: list[int]) -> list[str]:
        """The texts of the sentences at these positions."""
        return self.corpus.texts_and_speakers(list(positions))[0]

    def text_before(self, position: int) -> str | None:
        """The text of the sentence before the one at `position` in the same article (any paragraph), or None."""
        corpus = self.corpus
        if position <= 0 or corpus.article_of[position - 1] != corpus.article_of[position]:
            return None
        return corpus.texts_and_speakers([position - 1])[0][0]

    def article_speakers(self, position: int) -> list[str]:
        """Whom the sentences of the article the sentence at `position` is in are attributed to, in order."""
        return [s for _, s in self.article_attributions(position)]

    def article_starts(self) -> np.ndarray:
        """Each article's first sentence position, in corpus order."""
        return self.corpus.starts[:-1]

    def article_attributions(self, position: int) -> list[tuple[int, str]]:
        """The sentences of the article the sentence at `position` is in that it attributes to someone:
        (position, speaker), in order."""
        corpus = self.corpus
        number = int(corpus.article_of[position])
        positions = list(range(int(corpus.starts[number]), int(corpus.starts[number + 1])))
        return [(p, s) for p, s in zip(positions, corpus.texts_and_speakers(positions)[1]) if s]

    def article_list(self) -> list[tuple[Article, int]]:
        """Every article's headline and metadata (no paragraphs), with its number of sentences."""
        corpus = self.corpus
        counts = (corpus.starts[1:] - corpus.starts[:-1]).tolist()
        return [(corpus.article_header(number), n) for number, n in enumerate(counts)]

    # -- on disk --------------------------------------------------------------------------------
    def save(self, slot: Path, stamp: dict, files: dict | None = None, expect: str | None = None) -> bool:
        """Write the whole index as arrays, UTF-8 text and JSON (never pickle) as a new build, checksummed,
        and make it the cache at `slot` (cache.py: a build stopped at any point leaves the previous one).
        `stamp` goes into its manifest; `files` (what each article was read from) into files.json. With
        `expect`, it is published only if the slot still leads to that build (False when it did not)."""
        build = self.building or new_build(slot)
        try:
            self.index.save(build)
            import scipy.sparse as sp

            sp.save_npz(build / "headlines.npz", self.headlines, compressed=False)  # CSC: read as it is
            sp.save_npz(build / "articles.npz", self.articles, compressed=False)
            if self.building is None:
                write_corpus(build, self.corpus.articles, self.corpus.sentences)
            np.save(build / "starts.npy", np.asarray(self.corpus.starts, np.int64))
            np.save(build / "kinds.npy", np.asarray(self.kinds, np.uint8))
            (build / FILES).write_text(json.dumps(files or {"articles": [], "skipped": []}), encoding="utf-8")
            self.days.save(build)
            write_manifest(build, stamp)
            return publish(build, slot, expect=expect)
        finally:
            self.building = None  # published (renamed) or removed: its files stay readable while mapped
            if build.exists():
                shutil.rmtree(build, ignore_errors=True)

    @classmethod
    def load(cls, slot: Path, stamp: dict, settings: RankSettings | None = None) -> "CorpusIndex":
        """Load a saved index after checking its checksums; raises CacheDamaged, CacheStale, ValueError
        or OSError when it is damaged, stale or missing.

        The postings, the sentences and the paragraphs stay on disk, memory-mapped: loading reads only
        the vocabulary, the article metadata and the headline vectors.
        """
        from .segments import load_part, open_generation

        folder = Path(os.path.realpath(slot))  # this build, even if another one is swapped in meanwhile
        manifest = read_manifest(folder, stamp)
        if manifest.get("base"):  # a delta over a base build (segments.py, delta.py)
            base = folder.with_name(str(manifest["base"]))
            if os.sep in str(manifest["base"]) or not base.is_dir():
                raise CacheDamaged("the base build of this delta is missing")
            base_manifest = read_manifest(base, stamp)
            if base_manifest.get("files") != manifest.get("base_files"):
                raise CacheDamaged("the base build is not the one this delta was made over")
            loaded = open_generation(base, folder)
            if settings is not None:
                loaded.settings = settings
        else:
            part = load_part(folder)
            if part.headlines.shape[1] != len(part.index.vocabulary):
                raise ValueError("cache arrays do not match")
            loaded = cls(Corpus(part.articles, part.sentences, part.sentences._article_of, part.starts), part.index,
                         part.headlines, settings, kinds=part.kinds, days=part.days, articles=part.documents)
        loaded.from_cache, loaded.skipped = True, tuple(manifest.get("skipped", []))
        loaded.fingerprint = str(manifest.get("files", ""))
        loaded.saved_in = folder
        return loaded


class Ranked:
    """One question's ranking over a corpus (CorpusIndex.ranked): its best hits, as many as asked."""

    def __init__(self, index: CorpusIndex, ranking: "Ranking", margins: bool):
        self.index, self.ranking, self.margins = index, ranking, margins
        self._chosen: tuple | None = None  # (positions, scores, rows) of the last `hits` call's choice

    @property
    def words(self) -> tuple[str, ...]:
        """The index terms the question was searched with (for `CorpusIndex.matched`)."""
        return self.ranking.words

    def hits(self, k: int, matched: bool = True, margins: bool | None = None) -> list[Hit]:
        """The k best sentences, best first: `CorpusIndex.search`'s hits for this k. Without `matched`,
        the Hits name no matched words (`CorpusIndex.matched` works them out for those shown). With
        `margins` False (default: as the ranking was asked for), each Hit's margin is left infinite:
        `margins_of` works out those wanted, as this call would have."""
        if k <= 0:
            self._chosen = None
            return []
        index = self.index
        evidence = self.ranking.evidence(k)
        score = evidence.scores(self.ranking.settings)
        best = top_k(score, k)
        self._chosen = (evidence.positions, score, best)
        weigh = self.margins if margins is None else margins and self.margins
        leads = index._margins(evidence.positions, score, best) if weigh else np.full(len(best), np.inf)
        words = evidence.words if matched else None
        return [index._hit(int(evidence.positions[i]), float(score[i]), float(evidence.coverage[i]), words,
                           float(m)) for i, m in zip(best, leads)]

    def margins_of(self, taken: Sequence[int]) -> list[float]:
        """The margins (Hit.margin) of some of the hits the last `hits` call gave (by their place in its
        list), as that call would have given them with `margins`: each hit's own lead over the other
        stories (documents.rival_margins), worked out only for the hits asked about."""
        if not self.margins or not self._chosen or not len(taken):
            return [float("inf")] * len(taken)
        positions, score, best = self._chosen
        return [float(m) for m in self.index._margins(positions, score, best[np.asarray(taken, np.int64)])]


def update(*args, **kwargs):
    """incremental.update, imported when an index is built or updated (not when a fresh one is loaded)."""
    from .incremental import update as updated

    return updated(*args, **kwargs)


def _held_kinds(corpus: Corpus) -> np.ndarray:
    """`held_kinds` of every sentence of the corpus (uint8 bits)."""
    texts, speakers = corpus.texts_and_speakers(list(range(len(corpus.sentences))))
    return np.fromiter(map(held_kinds, texts, speakers), np.uint8, len(texts))


def open_corpus(folder: Path | str, cache_root: Path | str | None = None, warn: Warn | None = None,
                settings: RankSettings | None = None, use_cache: bool = True,
                progress: Progress | None = None, notice: Warn | None = None,
                max_file_bytes: int | None = None, build: bool = True, merge: bool | str = True,
                prefetch: Prefetch | None = None) -> CorpusIndex:
    """Load a corpus folder from the cache when it is fresh; else update the cache, reading only the
    article files added or changed since it was made (incremental.py), or all of them when there is
    no sound cache.

    Raises CorpusError when the folder is missing or holds no readable article. Broken files are
    skipped and named through `warn`, also when the index comes from the cache; a damaged cache is
    named too. `notice` is told, in one line, when the index has to be built or updated and when this
    waits for another process building it (builds of one cache slot take turns: the second loads or
    updates what the first saved); `progress` meters the reading. Files over `max_file_bytes` (default
    DEFAULT_MAX_FILE_BYTES) are skipped. With `build=False` a sound cache is loaded even when files
    changed since it was made (its `fingerprint` then differs from the folder's), and CorpusError
    raised when there is none.

    A few changed files over a saved index are written as a delta (delta.py); when the delta has
    grown past its share of the base, it is merged (merge.py): `merge=True` here for a small corpus
    and in a background process for a large one, "here" always here, False not at all (the bot's
    builder starts merges itself). With `prefetch` (prefetch.Prefetch: the folder's change check begun
    in a child process), a fresh cache is loaded without listing the folder here.
    """
    warn = warn or (lambda message: None)
    notice = notice or (lambda message: None)
    max_file_bytes = max_file_bytes or DEFAULT_MAX_FILE_BYTES
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    cache = Path(cache_root) if cache_root else default_cache_root()
    # The size limit is in the stamp: a file skipped as too large is read once the limit is raised.
    stamp = {"corpus": str(folder.resolve()), "max_file_bytes": max_file_bytes}
    slot = cache_slot(cache, stamp["corpus"])
    loaded: list = []  # [the saved index or None, the load's warnings] when loaded before the listing
    if prefetch is not None and use_cache:
        held: list[str] = []  # said after the listing's warnings, as without a prefetch
        previous = _load(slot, stamp, settings, folder, held.append)
        listed: list[str] = []
        files = prefetch.fingerprint(folder, cache, listed.append)
        if files and previous is not None and previous.fingerprint == files:
            for message in listed + held:
                warn(message)
            return _named(previous, warn)
        loaded = [previous, held]  # something changed (or the child could not tell): listed again here
    keys: list = []
    found = corpus_files(folder, cache, warn, keys=keys)
    if not found:
        raise CorpusError(f"no .txt or .md articles in {folder}")
    files = fingerprint(found, keys)
    if not use_cache:
        return _build(None, folder, found, keys, files, warn, notice, progress, settings, max_file_bytes)[0]
    if loaded:
        previous, held = loaded
        for message in held:
            warn(message)
    else:
        previous = _load(slot, stamp, settings, folder, warn)
    if previous is not None and (previous.fingerprint == files or not build):
        return _named(previous, warn)
    if not build:
        raise CorpusError(f"no usable index cache for {folder}")
    with build_lock(slot, on_wait=lambda: notice("waiting for another newsbot process building this index…")):
        if previous is not None and previous.saved_in is not None \
                and os.path.realpath(slot) == str(previous.saved_in):
            latest = previous  # nothing was published since it was loaded
        else:
            latest = _load(slot, stamp, settings, folder, None)  # built by the process this one waited for
        if latest is not None and latest.fingerprint == files:
            return _named(latest, warn)
        built = _by_delta(latest or previous, folder, found, keys, files, slot, stamp, warn, notice, progress,
                          settings, max_file_bytes)
        if built is None:
            built, table = _build_to_save(latest or previous, folder, found, keys, files, slot, warn, notice,
                                          progress, settings, max_file_bytes)
            try:
                built.save(slot, {**stamp, "files": files, "skipped": list(built.skipped)}, table)
            except OSError as err:
                built.cache_error = f"could not write the index cache in {cache} ({err.strerror or err})"
                warn(f"{built.cache_error}; continuing without it")
    from .delta import needs_merge  # here: a fresh cache, loaded and returned above, needs neither

    if merge and needs_merge(built):  # after the lock: a merge takes it only to publish
        return _merge_after(built, folder, cache, slot, stamp, settings, max_file_bytes, merge)
    return built


def _by_delta(previous: CorpusIndex | None, folder: Path, found: list, keys: list, files: str, slot: Path,
              stamp: dict, warn: Warn, notice: Warn, progress: Progress | None, settings: RankSettings | None,
              max_file_bytes: int) -> CorpusIndex | None:
    """The index updated by writing a delta over `previous` (delta.py) and opening the result; None when
    no delta can be made from it, or it cannot be written (the whole is built instead)."""
    if previous is None:
        return None
    from .delta import update_by_delta

    try:
        done = update_by_delta(previous, found, keys, slot, {**stamp, "files": files}, warn, notice, progress,
                               max_file_bytes)
    except OSError:
        return None
    if done is None:
        return None
    built = CorpusIndex.load(slot, stamp, settings)
    built.from_cache, built.reread = False, done[0]
    return built


def _merge_after(index: CorpusIndex, folder: Path, cache: Path, slot: Path, stamp: dict,
                 settings: RankSettings | None, max_file_bytes: int, merge: bool | str) -> CorpusIndex:
    """Fold a grown delta into a new base: here and now when the base is small (a merge of it costs
    about what an update does; the merged index is returned), else in a child process of its own
    that this one does not wait for (the index with its delta is returned)."""
    from . import merge as merging

    if merge != "here" and len(index.generation.base.sentences) >= merging.BACKGROUND_SENTENCES:
        merging.start(folder, cache, max_file_bytes)
        return index
    if merging.merge(folder, cache, max_file_bytes):
        try:
            merged = CorpusIndex.load(slot, stamp, settings)
        except Exception:  # noqa: BLE001 - the delta still serves
            return index
        if merged.fingerprint == index.fingerprint:
            merged.from_cache, merged.reread = False, index.reread
            return merged
    return index


def _load(slot: Path, stamp: dict, settings: RankSettings | None, folder: Path, warn: Warn | None
          ) -> CorpusIndex | None:
    """The cached index when it is sound and made with `stamp` (fresh or not), else None; damage is
    named through `warn`."""
    try:
        return CorpusIndex.load(slot, stamp, settings)
    except CacheDamaged as err:
        if warn:
            warn(f"the index cache of {folder} was damaged ({err}); rebuilding it")
    except Exception:  # noqa: BLE001 - missing, stale or unreadable in any way: rebuilt, never trusted
        pass
    return None


def _named(loaded: CorpusIndex, warn: Warn) -> CorpusIndex:
    """A loaded index, its skipped files named again."""
    for message in loaded.skipped:
        warn(f"skipped {message}")
    return loaded


def _build_to_save(previous: CorpusIndex | None, folder: Path, found: list, keys: list, files: str, slot: Path,
                   warn: Warn, notice: Warn, progress: Progress | None, settings: RankSettings | None,
                   max_file_bytes: int) -> tuple[CorpusIndex, dict]:
    """`_build`, for the cache at `slot`: a whole build writes its corpus into a new build folder there
    as it reads the files (not holding their texts); the index's `save` adds the rest and publishes it.
    When that folder cannot be made or written, the index is built in memory (`save` then says why)."""
    try:
        store = new_build(slot)
    except OSError:
        store = None
    try:
        built, table = _build(previous, folder, found, keys, files, warn, notice, progress, settings, max_file_bytes,
                              store)
    except OSError:
        if store is None:
            raise
        shutil.rmtree(store, ignore_errors=True)  # could not be written (a full disk): built in memory instead
        return _build(previous, folder, found, keys, files, warn, notice, progress, settings, max_file_bytes)
    except BaseException:
        if store is not None:
            shutil.rmtree(store, ignore_errors=True)
        raise
    if store is not None and built.building is None:  # not used: an update reusing the previous index
        shutil.rmtree(store, ignore_errors=True)
    return built, table


def _build(previous: CorpusIndex | None, folder: Path, found: list, keys: list, files: str, warn: Warn,
           notice: Warn, progress: Progress | None, settings: RankSettings | None, max_file_bytes: int,
           store: Path | None = None) -> tuple[CorpusIndex, dict]:
    """The index of the files, updated from `previous` (incremental.py) or built whole, and its files table
    (`store`: incremental.update's)."""
    built, table = update(previous, found, keys, warn, progress, settings, notice, max_file_bytes, store)
    if not built.corpus.articles:
        raise CorpusError(f"no readable articles in {folder} ({len(built.skipped)} skipped)")
    built.fingerprint = files
    return built, table
