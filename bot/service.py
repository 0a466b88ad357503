"""The answering service: a question in, an Answer with sourced passages out. Every adapter calls it."""

from __future__ import annotations

import math
import os
import re
import sys
import threading
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable

import numpy as np

from retrieval import (Article, CorpusIndex, Hit, corpus_fingerprint, is_stop_word, mentions, open_corpus,
                       parse_time, published_day, question_day)
from retrieval.prefetch import Prefetch
from retrieval.corpus import Progress

from . import archive
from .about import about_question
from .answers import Answer, AnswerSettings, Confidence, Context, Passage, Source
from .filters import Filters
from .folders import default_corpus
from .followup import Reading, leaning_pronoun
from .reindex import Builds

MAX_QUESTION_CHARS = 2000  # longer questions are searched on their first 2,000 characters

_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|howdy|yo|hallo|good (?:morning|afternoon|evening|day)|greetings|"
    r"help|\?+|start|menu|thanks|thank you|cheers|ok|okay)\s*(?:there|bot|newsbot)?\s*[!.?]*\s*$",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
# A terminal escape sequence pasted with a question (a colour, a title): blanked whole, so that its
# parameters ("[31m") are not searched as a word. CSI (ESC [ or U+009B), OSC (ESC ] … BEL or ESC \),
# or ESC and one character.
_ESCAPE = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]")
_NEEDS_PREVIOUS = re.compile(
    r"^(?:he|she|it|they|this|that|these|those|but|however|also|his|her|their|its)\b", re.IGNORECASE)


@dataclass
class AnsweringService:
    """Answers questions from one corpus folder, and picks up changes to it on `refresh()`."""

    index: CorpusIndex
    folder: Path | None = None
    cache_dir: Path | None = None
    settings: AnswerSettings = field(default_factory=AnswerSettings)
    warn: Callable[[str], None] | None = None
    max_file_bytes: int | None = None  # article files larger than this are skipped (None: the default)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _masks: dict = field(default_factory=dict, repr=False)  # (index, filters) -> the sentences searched
    _builds: Builds = field(default_factory=Builds, repr=False)

    @classmethod
    def open(cls, corpus_dir: Path | str | None = None, cache_dir: Path | str | None = None,
             on_warning: Callable[[str], None] | None = None,
             settings: AnswerSettings | None = None, progress: Progress | None = None,
             notice: Callable[[str], None] | None = None, max_file_bytes: int | None = None,
             prefetch: Prefetch | None = None) -> "AnsweringService":
        """Load a corpus folder (default: the bundled seeds). Raises retrieval.CorpusError.

        `notice` is told in one line when the index has to be built, `progress` meters it, `prefetch`
        is the folder's change check begun beforehand (see open_corpus).
        """
        folder = Path(corpus_dir) if corpus_dir else default_corpus()
        cache = Path(cache_dir) if cache_dir else None
        index = open_corpus(folder, cache, on_warning, progress=progress, notice=notice,
                            max_file_bytes=max_file_bytes, prefetch=prefetch)
        return cls(index, folder, cache, settings or AnswerSettings(), on_warning, max_file_bytes)

    # -- questions ------------------------------------------------------------------------------
    def ask(self, question: str, top_k: int = 3, article: str | None = None, skip: int = 0,
            filters: Filters | None = None, reading: Reading | None = None) -> Answer:
        """Answer a question with up to `top_k` ranked answers, after skipping the `skip` best; only the
        articles within `filters` are searched. A sentence that several articles carry is one answer.

        With a `reading` (a follow-up, bot/followup.py) its words are searched instead, the passages it
        leaves out are left out, and passages about its names come first.
        """
        filters = filters or None
        if reading is not None and reading.unresolved:
            return Answer(question, False, (), "declined", skip, article, filters, reading=reading,
                          unresolved=reading.unresolved)
        if reading is not None:
            return self._ask_read(question, reading, top_k, article, skip, filters)
        question = question if isinstance(question, str) else str(question)
        text = clean_question(question)
        if not re.search(r"[^\W_]", text) or _GREETING.match(text):
            return Answer(question, False, (), "help", skip, article, filters)
        index = self.index
        if article is not None and not index.has_article(article):
            return Answer(question, False, (), "unknown_article", skip, article, filters)
        top_k = max(1, min(int(top_k), 50))
        allowed = self._allowed(index, filters)
        if allowed is not None and not allowed.any():
            return Answer(question, False, (), "filtered_out", skip, article, filters)
        about = about_question(text)
        if about is not None:
            passages = self._about(index, about, allowed, article)
            shown = tuple(passages[skip:skip + (50 if about.asks == "source" else top_k)])
            kind = "answer" if shown else ("no_more" if skip else "declined")
            return Answer(question, bool(shown), shown, kind, skip, article, filters,
                          "answer" if shown else "none")
        passages, searched, missed = self._ranked(index, text, skip + top_k, article, allowed)
        passages = passages[skip:skip + top_k]
        if not passages and not skip:
            pronoun = leaning_pronoun(text)
            if pronoun:  # "What else did she say?" with nothing before it: whom it means is not known
                return Answer(question, False, (), "declined", skip, article, filters, unresolved=pronoun)
        if missed is not None:  # "What happened yesterday?" and no sentence is about that day: not an answer
            return Answer(question, False, tuple(passages), "no_more" if skip and not passages else "declined",
                          skip, article, filters, missed_day=missed)
        if not passages:
            return Answer(question, False, (), "no_more" if skip else "declined", skip, article, filters)
        # More (skip > 0) is judged by its own evidence: its lead over other stories would be measured
        # against the answers already shown, which it follows by construction.
        first = replace(passages[0], margin=math.inf) if skip else passages[0]
        confidence = self._confidence(index, searched, first)
        answered = confidence == "answer"
        close_call = confidence == "none" and first.margin < math.inf and \
            self._confidence(index, searched, replace(first, margin=math.inf)) != "none"
        return Answer(question, answered, tuple(_without_repeats(passages)), "answer" if answered else "declined",
                      skip, article, filters, confidence, close_call=close_call)

    def _ranked(self, index: CorpusIndex, text: str, wanted: int, article: str | None,
                allowed: np.ndarray | None) -> tuple[list[Passage], str, date | None]:
        """At least `wanted` distinct answers when there are as many (copies folded), best first, the
        question as searched, and the day it names that no sentence searched is about (else None).

        A question naming a day searches only the sentences about that day, when there are any, with
        the rest of its words. When none of them is about it, or none holds the rest of its words, a day
        named from today ("yesterday", "the day before yesterday") is left out of the search and named
        as missed: the rest of the question gives the closest matches from any day, never an answer.
        Any other day ("on Sunday", "on November 2", "a week ago") is searched as words, as a question
        naming none: in an archive, a question's Sunday is as often the articles' own."""
        searched, missed, anywhere, ledes = text, None, allowed, False
        named = question_day(text, today())
        if named is not None:
            on_day = np.zeros(len(index), bool)
            on_day[index.sentences_on(named.day)] = True
            if allowed is not None:
                on_day &= allowed
            rest = (text[:named.start] + " " + text[named.end:]).strip()
            if on_day.any():
                allowed, searched = on_day, rest
            elif named.from_reference:
                # no sentence names the day: the articles published on it are its news ("What happened
                # yesterday?" gives yesterday's articles' opening sentences), else it is missed
                day = named.day.isoformat()
                published = self._allowed(index, Filters.read(since=day, until=day))
                if allowed is not None:
                    published = published & allowed
                if published.any():
                    allowed, searched, ledes = published, rest, True
                else:
                    missed, searched = named.day, rest
        # More than wanted, for the copies folded away; more again while copies fill it. The postings
        # are walked once (CorpusIndex.ranked): a larger k only weighs more of the same candidates.
        found = index.ranked(searched, article=article, allowed=allowed, margins=self.settings.weighs_margins)
        if allowed is not anywhere and index.terms(searched) and \
                (found is None or not found.hits(1, matched=False, margins=False)):
            # The rest of the question ("how many were killed") matches none of that day's sentences.
            allowed = anywhere
            if named.from_reference:
                missed = named.day
            else:
                searched = text
            found = index.ranked(searched, article=article, allowed=allowed, margins=self.settings.weighs_margins)
        made: dict[tuple, Passage] = {}  # a hit's passage, made once however often the loop below asks
        k = wanted + 5
        while True:
            # Their margins (the lead over other stories) are worked out below for those that can be shown.
            hits = found.hits(k, matched=False, margins=False) if found is not None else []
            words = found.words if hits else None
            ranked = bool(hits)
            if searched != text and not hits and missed is None:  # "What happened on 16 June?"
                hits = self._day_hits(index, allowed, article, k, ledes)
            unfolded = [self._made(made, index, hit) for hit in hits]
            texts = {hit.position: hit.sentence.text for hit in hits}  # the sentences' own texts (`_complete`)
            groups = archive.copy_groups(unfolded)
            passages = [archive.folded([unfolded[i] for i in group]) for group in groups]
            if len(hits) < k or k >= 800:
                break
            # Enough answers, unless the last match fetched joined the copies of one to be shown: then
            # more copies may follow, and `also_in` would name only those fetched so far.
            if len(passages) >= wanted and not any(len(g) > 1 and g[-1] == len(hits) - 1 for g in groups[:wanted]):
                break
            k *= 2
        best_copy = {id(p): group[0] for p, group in zip(passages, groups)}  # whose margin each one has
        passages = archive.newer_first(passages)
        # Only the passages that can be shown (or give a figure) get their margins, dates and matched words.
        shown = max(wanted, archive.FIGURE_DEPTH) if archive.asks_figure(text) else wanted
        leads = found.margins_of([best_copy[id(p)] for p in passages[:shown]]) if ranked and found.margins else None
        passages[:shown] = [self._complete(index, p, words, texts[p.position], None if leads is None else leads[n])
                            for n, p in enumerate(passages[:shown])]
        passages = archive.newest_figure_first(text, passages, lambda p: self._acceptable(index, searched, p),
                                               lambda p: not _missing_names(index, searched, p))
        return passages, searched, missed

    def _made(self, made: dict, index: CorpusIndex, hit: Hit) -> Passage:
        key = (hit.position, hit.score, hit.coverage, hit.margin)
        passage = made.get(key)
        if passage is None:
            passage = made[key] = self._passage(index, hit, complete=False)
        return passage

    def _complete(self, index: CorpusIndex, passage: Passage, words: tuple[str, ...] | None, text: str,
                  margin: float | None = None) -> Passage:
        """A passage made with `complete=False` given its dates, (with `words`, the searched terms) the
        words of its sentence (`text`, without the one before it) that matched, and its `margin` if given."""
        matched = index.matched(text, words) if words is not None else ()
        dates = tuple(mentions(passage.text, published_day(passage.article.published)))
        changed = {"margin": margin} if margin is not None else {}
        if matched or dates:
            changed.update(matched=matched, dates=dates)
        return replace(passage, **changed) if changed else passage

    def _day_hits(self, index: CorpusIndex, allowed: np.ndarray, article: str | None, k: int,
                  ledes: bool = False) -> list[Hit]:
        """The sentences of the day a question names, when the rest of it ("What happened on ...?") has no
        word to rank them by: each answers it fully; newest articles first, then in reading order.
        `ledes`: only each article's first sentence (the articles published that day, each one's news)."""
        positions = np.flatnonzero(allowed)
        if article is not None:
            start, end = index.article_span(article)
            positions = positions[(positions >= start) & (positions < end)]
        if ledes:  # (each article published that day is whole in `allowed`: its first sentence is its lede)
            positions = np.intersect1d(positions, index.article_starts())
        return [Hit(int(p), 1.0, index.sentence(int(p)), 1.0, ()) for p in positions[:k].tolist()]

    def _acceptable(self, index: CorpusIndex, text: str, passage: Passage) -> bool:
        """The decline rule for a newer report's figure: good enough evidence, and every name the question
        gives is in the passage; its lead over other articles is not asked for, since the reports it
        updates are its rivals."""
        return self._confidence(index, text, replace(passage, margin=math.inf)) == "answer"

    def _confidence(self, index: CorpusIndex, text: str, passage: Passage) -> Confidence:
        """The passage's tier: the evidence's (AnswerSettings.confidence), or "none" when it is about
        someone or somewhere else than the question names. A passage carrying the earlier figures it
        replaces needs no lead over those reports."""
        margin = math.inf if passage.earlier else passage.margin
        tier = self.settings.confidence(passage.score, passage.coverage, margin)
        if tier != "none" and _missing_names(index, text, passage):
            return "none"
        return tier

    def _allowed(self, index: CorpusIndex, filters: Filters | None) -> np.ndarray | None:
        """Which sentences the filters let be searched (a mask over the corpus), or None for all."""
        if not filters:
            return None
        key = (id(index), filters)
        mask = self._masks.get(key)
        if mask is None:
            articles = index.article_list()
            admitted = np.fromiter((filters.admits(a.published, a.source) for a, _ in articles), bool, len(articles))
            mask = np.repeat(admitted, [n for _, n in articles])
            if len(self._masks) >= 32:  # a few filters in use at once; old indexes' masks go too
                self._masks.clear()
            self._masks[key] = mask
        return mask

    def _about(self, index: CorpusIndex, about, allowed: np.ndarray | None, article: str | None) -> list[Passage]:
        """Answers from the front matter of the articles about the question's subject: the most relevant
        first (newer first among equally relevant); for "which outlets", one answer per outlet."""
        found = index.ranked(about.subject, article=article, allowed=allowed)
        hits = found.hits(200, matched=False) if found is not None else []  # their words are not shown
        wanted = set(index.terms(about.subject))
        if not wanted:
            return []
        # "Which outlets covered X?": an article covered it when its headline or its opening holds it, or
        # two of its sentences do, not a budget report that names the bridge in one line among others.
        # ("Who wrote the article about refunded ferry tickets?" may name the article by a detail.)
        holding: dict[str, list] = {}
        for hit in hits:
            header = index.header(hit.position)
            held = set(index.terms(f"{header.title} {hit.sentence.text}"))
            share = len(wanted & held) / len(wanted)
            if share >= self.settings.min_coverage:
                holding.setdefault(header.id, []).append((hit, header, share))
        found = []
        for hits_of in holding.values():
            hit, header, share = hits_of[0]
            in_headline = len(wanted & set(index.terms(header.title))) >= self.settings.min_coverage * len(wanted)
            if about.asks == "source" and not (in_headline or hit.sentence.paragraph <= 2 or len(hits_of) >= 2):
                continue
            value = {"author": header.author, "published": header.published, "source": header.source}[about.asks]
            found.append(Passage(value or "", hit.score, source_of(header), 0, 0, None, position=hit.position,
                                 coverage=share, about=about.asks))
        found = archive.newer_first(found)
        if about.asks == "source":
            outlets, unique = set(), []
            for p in found:
                key = (p.text or p.article.id).casefold()
                if key not in outlets:
                    outlets.add(key)
                    unique.append(p)
            found = unique
        return found

    def _ask_read(self, question: str, reading: Reading, top_k: int, article: str | None, skip: int,
                  filters: Filters | None = None) -> Answer:
        """A follow-up: the reading's words searched (and the question's own words, when it has some)
        within the filters, as a question alone is; passages about what its pronouns stand for first;
        the passages it leaves out left out."""
        text = clean_question(question)
        if not re.search(r"[^\W_]", text) or _GREETING.match(text):
            return Answer(question, False, (), "help", skip, article, filters)
        index = self.index
        if article is not None and not index.has_article(article):
            return Answer(question, False, (), "unknown_article", skip, article, filters, reading=reading)
        allowed = self._allowed(index, filters)
        if allowed is not None and not allowed.any():
            return Answer(question, False, (), "filtered_out", skip, article, filters, reading=reading)
        top_k = max(1, min(int(top_k), 50))
        search = clean_question(reading.search)
        best: dict[int, Hit] = {}
        accepted: dict[int, bool] = {}  # position: would this search give it as the answer (True: the reading's)
        # (positions from an index since replaced may be past its end: those are no sentence of it)
        # what was given: the passages' own sentences, and those shown before them ("..., said Tomas Berg.
        # He said ..." shows Berg's sentence too), which an "else" leaves out as well
        shown = {p for p in reading.exclude if 0 <= p < len(index)}
        shown |= {p - 1 for p in shown if p > 0 and _shown_before(index, p, index.sentence(p)) is not None}
        given = index.texts(sorted(shown)) if reading.exclude else []
        # The question's own words ("What did he promise?") are searched too; a passage found by them
        # alone must still be about what the pronoun stands for (checked below).
        for own, words in ((False, search), (True, reading.own_words)):
            ranked = index.search(words, k=skip + top_k + len(reading.exclude) + 10, article=article,
                                  allowed=allowed, margins=self.settings.weighs_margins) if words else []
            for hit in ranked:
                if hit.position in reading.exclude or (given and archive.copy_of_any(hit.sentence.text, given)):
                    continue  # given already, or a wire copy of one given
                if hit.score > getattr(best.get(hit.position), "score", -1):
                    best[hit.position] = hit
                if self.settings.accepts(hit.score, hit.coverage, math.inf if skip else hit.margin):
                    accepted[hit.position] = accepted.get(hit.position, False) or not own
        # whose words "What did she say?" asks for, as a speaker names her
        whose = re.compile(rf"\b{re.escape(reading.quoting)}\b") if reading.quoting else None
        if whose:
            self._add_quotes(index, reading, whose, best, accepted, given)
        hits = sorted(best.values(), key=lambda h: -h.score)
        unfolded = [self._passage(index, hit) for hit in hits]
        passages = []  # wire copies folded into one passage, as a question alone has them (_ranked)
        for group in archive.copy_groups(unfolded):
            passage = archive.folded([unfolded[n] for n in group])
            verdicts = [accepted[unfolded[n].position] for n in group if unfolded[n].position in accepted]
            accepted.pop(passage.position, None)
            if verdicts:
                accepted[passage.position] = any(verdicts)
            passages.append(passage)
        held = {p.position: self._held_terms(index, p) for p in passages}
        if reading.about:  # what the pronoun stands for: passages about it first, in their order
            about = [p for p in passages if not _names_not_held(index, reading.about, held[p.position])]
            passages = about + [p for p in passages if p not in about]
        if whose:  # "What did she say?": her own words first, in their order
            quoted = [p for p in passages if p.speaker and whose.search(p.speaker)]
            passages = quoted + [p for p in passages if p not in quoted]
        passages = passages[skip:skip + top_k]
        if not passages:
            kind = "no_more" if skip or reading.exclude else "declined"
            return Answer(question, False, (), kind, skip, article, filters, reading=reading)
        first = passages[0]
        # Found by the question's own words alone, it must hold a word of what a nameless pronoun stands for.
        about_topic = not reading.topic or \
            len(_names_not_held(index, reading.topic, held[first.position])) < len(reading.topic)
        found = bool(accepted.get(first.position)) or (first.position in accepted and about_topic)
        names = _question_names(search) + list(reading.about)
        if whose and first.speaker and whose.search(first.speaker):
            # her own words: the article gives them to her, so her name ("Aiko Tanaka" for a '"...,"
            # Tanaka said') is held by the attribution, however much of it the sentence repeats
            person = {w for name in reading.about if reading.quoting in name for w in name.split()} | {reading.quoting}
            names = [n for n in names if not set(n.split()) <= person]
        answered = found and not _names_not_held(index, names, held[first.position])
        top = first  # a folded copy carries its best copy's evidence
        confidence = "answer" if answered else \
            self.settings.confidence(top.score, top.coverage, math.inf if skip else top.margin)
        if confidence == "answer" and not answered:
            confidence = "none"  # as good as an answer, but about something else
        return Answer(question, answered, tuple(passages), "answer" if answered else "declined", skip, article,
                      filters, confidence=confidence, reading=reading)

    def _add_quotes(self, index: CorpusIndex, reading: Reading, whose: re.Pattern, best: dict[int, Hit],
                    accepted: dict[int, bool], given: list[str]) -> None:
        """"What else did she say?": her other sentences in the articles where the search found her
        quoted, though they share no word with the question ("She added that ..."). Each is an answer
        (the article says she said it), after the sentences the search found."""
        found = sorted(best.values(), key=lambda h: -h.score)
        floor = (found[-1].score, found[-1].coverage) if found else (1.0, 1.0)
        # where she is quoted: the best sentences found that are hers, and those already shown; the search
        # found hers are answers too
        anchors = [h.position for h in found if h.sentence.attributed_to and whose.search(h.sentence.attributed_to)][:3]
        anchors += [p for p in sorted(reading.exclude)
                    if 0 <= p < len(index) and whose.search(index.sentence(p).attributed_to or "")]
        seen_articles: set[str] = set()
        for anchor in anchors:
            article = index.header(anchor).id
            if article in seen_articles:
                continue  # an article's sentences are added once
            seen_articles.add(article)
            for position, speaker in index.article_attributions(anchor):
                if position in reading.exclude or not whose.search(speaker):
                    continue
                if position in best:  # found by the search too: hers, so an answer however it scored
                    accepted[position] = True
                    continue
                sentence = index.sentence(position)
                if given and archive.copy_of_any(sentence.text, given):
                    continue
                best[position] = Hit(position, floor[0] / 2, sentence, floor[1] / 2, ())
                accepted[position] = True

    def _held_terms(self, index: CorpusIndex, passage: Passage) -> set[str]:
        """The terms a passage is about: its own and its headline's, and the sentence before it when it
        opens with a pronoun ("He promised 40 million crowns" after "... Tomas Berg told reporters ..."),
        and whom it is attributed to (a '"...," he said' the article gives to Samir Haddad names him)."""
        text = f"{passage.text} {passage.article.title} {passage.speaker or ''}"
        before = index.text_before(passage.position) if _NEEDS_PREVIOUS.match(passage.text) else None
        return set(index.terms(f"{text} {before}" if before else text))

    def _passage(self, index: CorpusIndex, hit: Hit, complete: bool = True) -> Passage:
        """The passage of a hit; without `complete`, without its dates (and with the hit's matched
        words, none when it was asked for without): `_complete` adds them to the passages shown."""
        s = hit.sentence
        text, matched = s.text, hit.matched
        position = hit.position
        before = _shown_before(index, position, s)
        if before is not None:
            text = f"{before.text} {s.text}"
        a = index.header(position)
        return Passage(text, hit.score, source_of(a), s.paragraph, s.sentence, s.attributed_to, s.kind, s.credit,
                       matched, position, coverage=hit.coverage, margin=hit.margin,
                       dates=tuple(mentions(text, published_day(a.published))) if complete else ())

    def context(self, passage: Passage) -> Context | None:
        """The paragraph a passage comes from (with the ones either side when it holds nothing more than
        the passage), or None when the article is gone or no longer holds the passage. After an edit the
        paragraph is found by its text, not its old number."""
        article = self.index.article(passage.article.id)
        shown = " ".join(passage.text.split())
        tail = (self._own_sentence(passage) or shown)[-80:]  # the passage's own sentence, or its end
        if article is None or passage.about or passage.paragraph < 1 or not tail:
            return None  # (an answer from front matter has no paragraph)
        paragraphs = [" ".join(p.text.split()) for p in article.paragraphs]
        if 0 < passage.paragraph <= len(paragraphs) and tail in paragraphs[passage.paragraph - 1]:
            n = passage.paragraph - 1
        else:
            moved = [n for n, text in enumerate(paragraphs) if tail in text]
            if not moved:
                return None
            n = moved[0]
        first = last = n
        if paragraphs[n] in shown:  # the paragraph is no more than the answer
            first, last = max(0, n - 1), min(len(paragraphs) - 1, n + 1)
        text = "\n\n".join(p.text for p in article.paragraphs[first:last + 1])
        return Context(text, first + 1, last + 1)

    def still_holds(self, answer: Answer) -> bool:
        """Whether the index still has each of an answer's sentences where the answer found it (not so
        after a reload that moved them)."""
        return all(p.about or self._own_sentence(p) and self.index.header(p.position).id == p.article.id
                   for p in answer.passages)

    def _own_sentence(self, passage: Passage) -> str | None:
        """The sentence at the passage's position (spacing folded) when it ends the passage, as the
        passage's own sentence does (not the one shown before it); None when it does not (an index
        since changed) or the position is out of range."""
        sentences = self.index.corpus.sentences
        if not 0 <= passage.position < len(sentences):
            return None
        own = " ".join(sentences[passage.position].text.split())
        return own if own and " ".join(passage.text.split()).endswith(own) else None

    def article_count(self) -> int:
        return len(self.index.corpus.articles)

    def speakers(self, passage: Passage) -> tuple[str, ...]:
        """Whom the sentences of a passage's article are attributed to, in its order (for fuller names)."""
        if not 0 <= passage.position < len(self.index.corpus.sentences):
            return ()
        return tuple(dict.fromkeys(self.index.article_speakers(passage.position)))

    def sources(self) -> list[Source]:
        """The articles, newest first (an archive that grows shows what came in last at the top), then
        the undated; each group by id, so an edit does not move an article."""
        listed = [source_of(a, n) for a, n in self.index.article_list()]

        def order(source: Source) -> tuple:
            try:
                return 0, -parse_time(source.published or "").timestamp(), source.id
            except ValueError:
                return 1, 0.0, source.id

        return sorted(listed, key=order)

    def newest_source(self) -> Source | None:
        """The most recently published article (the first listed when none is dated), or None."""
        listed = self.sources()
        dated = [(day, n) for n, s in enumerate(listed) if (day := published_day(s.published)) is not None]
        return listed[max(dated)[1]] if dated else (listed[0] if listed else None)

    # -- the corpus changing under us -----------------------------------------------------------
    def refresh(self) -> bool:
        """Reload the corpus when its files changed since the last load. True when it reloaded.

        The changed files are read and the index updated in a child process (bot/reindex.py); this one
        answers from the old index until it opens the new one, memory-mapped. Raises
        retrieval.CorpusError when the folder no longer serves; the old index stays in use.
        """
        if self.folder is None:
            return False
        with self._lock:
            if corpus_fingerprint(self.folder, self.cache_dir) == self.index.fingerprint:
                if not self._merged():
                    return False
                # A merge published a new base for the same files: opened, so the old one's space is freed.
                self.index = open_corpus(self.folder, self.cache_dir, build=False, max_file_bytes=self.max_file_bytes)
            else:
                self.index = self._builds.build(self.folder, self.cache_dir, self.warn, self.max_file_bytes)
            self._masks.clear()
            return True

    def _merged(self) -> bool:
        """True when the cache now holds another build of the same files than the one being served."""
        saved_in = self.index.saved_in
        if saved_in is None or self._builds.merging():
            return False
        try:
            return os.path.realpath(saved_in.with_name(saved_in.name.split(".gen-")[0].lstrip("."))) != str(saved_in)
        except OSError:
            return False

    def stop_building(self) -> None:
        """Stop a refresh's build in progress (at shutdown); later refreshes fail with CorpusError."""
        self._builds.stop()


def source_of(article: Article, sentences: int = 0) -> Source:
    """An article's headline and front matter as an answer cites it."""
    tags = next((v for k, v in article.metadata if k.lower() in ("tags", "keywords")), "")
    return Source(article.id, article.title, article.source, article.url, article.published, sentences,
                  article.author, tuple(t.strip() for t in tags.split(",") if t.strip()))


def _without_repeats(passages: list[Passage]) -> list[Passage]:
    """The passages shown, none but the first showing a sentence another shows: a lower passage that
    carries the sentence before it ('"Cities need storage," Tanaka said. She added ...') leaves that
    sentence out when it is shown as a passage of its own (its attribution still says whose it is). The
    first passage, the answer, is always shown whole (its confidence was judged on all of it)."""
    alone: dict[str, set[str]] = {}
    for p in passages:
        alone.setdefault(p.article.id, set()).add(p.text)
    out = passages[:1]
    for p in passages[1:]:
        mine = alone[p.article.id]
        before = next((t for t in mine if t != p.text and p.text.startswith(t + " ")), None) if len(mine) > 1 else None
        if before is not None:
            rest = p.text[len(before):].strip()
            p = replace(p, text=rest, dates=tuple(mentions(rest, published_day(p.article.published))))
        out.append(p)
    return out


def clean_question(question: str) -> str:
    """A question as it is searched: control and direction characters blanked, its first 2,000 characters."""
    return _CONTROL.sub(" ", _ESCAPE.sub(" ", question))[:MAX_QUESTION_CHARS].strip()


def today() -> date:
    """Today, for questions that name a day relative to it; NEWSBOT_TODAY (YYYY-MM-DD) sets it, so that
    an archive can be asked as of a past day (and tests do not depend on the calendar)."""
    given = os.environ.get("NEWSBOT_TODAY", "").strip()
    if given:
        try:
            return date.fromisoformat(given)
        except ValueError:
            _warn_once(f"NEWSBOT_TODAY={given!r} is not a day (YYYY-MM-DD); asking as of today")
    return date.today()


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    """A one-line warning on stderr, once a process (a question a second must not repeat it)."""
    if message not in _warned:
        _warned.add(message)
        print(f"newsbot: warning: {message}", file=sys.stderr, flush=True)


def _shown_before(index: CorpusIndex, position: int, s) -> "Sentence | None":
    """The sentence shown before the one at `position` (`s`) in its passage, or None. It is, when this one
    opens with a pronoun or continues its quotation, or names no speaker while the one before does
    (`..., police said. The number of victims could rise.`): the reader then sees who said it, and the
    passage claims no more than the article does. A paragraph that opens with "He said ..." leans on
    the paragraph before, as news copy, one or two sentences a paragraph, often has it."""
    before = index.sentence_before(position, s)
    if before is not None:
        leans = _NEEDS_PREVIOUS.match(s.text) or _open_quote(before.text) or before.attributed_to and not s.attributed_to
        return before if leans else None
    if _NEEDS_PREVIOUS.match(s.text):
        before = index.sentence_before(position, s, any_paragraph=True)
        if before is not None and before.kind == s.kind:
            return before
    return None


def _open_quote(text: str) -> bool:
    """True when a sentence opens a quotation it does not close."""
    straight = text.count('"') % 2 == 1
    curly = text.count("“") > text.count("”")
    return straight or curly


def _missing_names(corpus_index: CorpusIndex, question: str, passage: Passage) -> list[str]:
    """Names the question gives ("Did Iran deny ...?") that neither the passage nor its headline holds.

    A sentence about someone else does not answer a question about a named person, place or
    group, however many other words it shares. A name counts as held when the passage has it,
    a synonym of it, or a close spelling of it.
    """
    names = _question_names(question)
    if not names:
        return []
    held = set(corpus_index.terms(f"{passage.text} {passage.article.title}"))
    return [name for name in names if not held.intersection(corpus_index.searched_terms(name))]


def _names_not_held(corpus_index: CorpusIndex, names, held: set[str]) -> list[str]:
    """The names whose terms (or a synonym's or a close spelling's) are not among `held`."""
    return [name for name in names if not held.intersection(corpus_index.searched_terms(name))]


_NAME = re.compile(r"(?<![\w'’])(?:[A-Z][\w'’-]*[a-z][\w'’-]*|[A-Z]{2,})(?![\w'’])")


def _question_names(question: str) -> list[str]:
    """Capitalised words after a question's first word: the names it asks about.

    A shouted question (no lower-case letters) names nothing this way.
    """
    if not re.search(r"[a-z]", question):
        return []
    first = re.match(r"\W*[\w'’-]+", question)
    rest = question[first.end():] if first else question
    return [m.group(0) for m in _NAME.finditer(rest) if not is_stop_word(m.group(0))]
