"""A news archive from NewsQA's CNN stories among BBC articles: the article files, and each question's answer sentence.

NewsQA (the MRQA shared-task half in ../shared/data/newsqa/) gives each story as one context, its
paragraphs separated by blank lines, and each question one answer span in it. The release has no
headlines: a story's headline here is its lede's first sentence without the dateline ("LONDON, England
(CNN) -- "), as a real article has one above its text. BBC articles keep their own titles; the 98 that
repeat an earlier one are left out. Every article is written as a newsbot `.txt` file (front matter
with the title, then one paragraph a line) into a folder the caller gives, never into the repository.

A question's right sentences are the sentences newsbot made of its story that hold the whole answer
span, found by character offsets (not by the answer's words, which may occur elsewhere too).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence


from retrieval.articles import clean_text
from retrieval.sentences import Splitter

NEWSQA_FILE = Path("newsqa/newsqa-dev-shared.json")
BBC_FILE = Path("bbc/bbc-news.jsonl")

_BREAK = re.compile(r"\n{2,}")
# "LONDON, England (CNN) -- ", "(PEOPLE.com) -- ", "MADRID, Spain -- " opening a story.
_DATELINE = re.compile(r"^(?:[^()\n]{0,60}\([^()\n]{1,40}\)|[A-Z][A-Z.' ]*[A-Z.](?:[,.] [A-Z][\w.' ]*)?)\s*--\s*")
_EDITORS_NOTE = re.compile(r"^editor['’]?s['’]? note\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s")


@dataclass(frozen=True)
class Story:
    id: str  # the article id in the archive: newsqa/007 or bbc/business/001
    headline: str
    paragraphs: tuple[str, ...]  # each as clean_text makes it, one line of the article file


@dataclass(frozen=True)
class Span:
    """An answer's characters in one paragraph of its story: paragraph number from 0, [start, end)."""

    paragraph: int
    start: int
    end: int


@dataclass(frozen=True)
class NewsQuestion:
    id: str
    text: str
    story: str
    answer: str  # the answer span's words, as the data gives them
    span: Span | None  # None when the answer runs over a paragraph break


@dataclass(frozen=True)
class Archive:
    """What goes into one corpus folder, and the NewsQA stories held out of it."""

    articles: tuple[Story, ...]
    left_out: tuple[str, ...]  # ids of NewsQA stories that are not in the archive

    def write(self, folder: Path) -> None:
        for story in self.articles:
            path = folder / f"{story.id}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(["---", f"title: {story.headline}", "---", *story.paragraphs]) + "\n",
                            encoding="utf-8")


def headline_of(paragraphs: Sequence[str], splitter: Splitter) -> str:
    """The lede's first sentence without its dateline or closing full stop (an editor's note above
    the lede is not the lede)."""
    lede = next((p for p in paragraphs if not _EDITORS_NOTE.match(p)), paragraphs[0])
    text = _DATELINE.sub("", lede, count=1)
    first = text
    if _SENTENCE_END.search(text):  # most ledes are one sentence: the splitter only for the others
        first = next((s.strip() for s in splitter.split(text) if s.strip()), text)
    return first[:-1] if first.endswith(".") else first


def read_newsqa(path: Path) -> tuple[list[Story], list[NewsQuestion]]:
    """NewsQA's stories (ids newsqa/001 ... in file order) and questions, answer spans in clean paragraph text."""
    with open(path, encoding="utf-8") as handle:
        entries = json.load(handle)["data"]
    splitter = Splitter()
    stories, questions = [], []
    for number, entry in enumerate(entries, 1):
        story_id = f"newsqa/{number:03d}"
        for part in entry["paragraphs"]:
            context = part["context"]
            raw = _paragraphs(context)
            kept = [(start, text) for start, text in raw if clean_text(text)]
            paragraphs = tuple(clean_text(text) for _, text in kept)
            stories.append(Story(story_id, headline_of(paragraphs, splitter), paragraphs))
            for qa in part["qas"]:
                answer = qa["answers"][0]
                questions.append(NewsQuestion(qa["id"], qa["question"].strip(), story_id, answer["text"],
                                              _span(kept, answer["answer_start"], answer["text"])))
    return stories, questions


def _paragraphs(context: str) -> list[tuple[int, str]]:
    """(offset, text) of each paragraph of a context, split at blank lines."""
    out, start = [], 0
    for gap in _BREAK.finditer(context):
        out.append((start, context[start:gap.start()]))
        start = gap.end()
    out.append((start, context[start:]))
    return out


def _span(paragraphs: list[tuple[int, str]], start: int, text: str) -> Span | None:
    start += len(text) - len(text.lstrip())
    end = start + len(text.strip())
    for number, (offset, raw) in enumerate(paragraphs):
        if offset <= start and end <= offset + len(raw):
            # Offsets in the cleaned paragraph: clean_text of the prefix, kept from stripping by a sentinel.
            def clean_at(i: int) -> int:
                return len(clean_text(raw[: i - offset] + "x")) - 1
            return Span(number, clean_at(start), clean_at(end))
    return None


def read_bbc(path: Path) -> list[Story]:
    """BBC News articles (ids bbc/<section>/<number>), without those that repeat an earlier one."""
    stories = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            if item.get("duplicate_of_earlier"):
                continue
            paragraphs = tuple(p for p in map(clean_text, item["paragraphs"]) if p)
            if paragraphs:
                stories.append(Story(f"bbc/{item['id']}", clean_text(item["title"]), paragraphs))
    return stories


def choose(news: Sequence[Story], bbc: Sequence[Story], left_out: int, distractors: int, seed: int,
           stories: int | None = None) -> Archive:
    """A seeded archive: the NewsQA stories (or a seeded `stories` of them) but `left_out` of them,
    and `distractors` BBC articles."""
    rng = random.Random(seed)
    pool = sorted(rng.sample(list(news), stories), key=lambda s: s.id) if stories else list(news)
    held = set(rng.sample([s.id for s in pool], min(left_out, len(pool))))
    extra = sorted(rng.sample(list(bbc), min(distractors, len(bbc))), key=lambda s: s.id)
    return Archive(tuple(s for s in pool if s.id not in held) + tuple(extra), tuple(sorted(held)))


def answer_sentences(stories: Sequence[Story], questions: Sequence[NewsQuestion],
                     sentences: Sequence[tuple[str, int, str]]) -> tuple[dict[str, tuple[int, ...]], int]:
    """For each question about a story in the archive, the corpus positions of the sentences holding its
    whole answer span (empty when none does); and how many sentences could not be found in their story.

    `sentences` are newsbot's, by corpus position: (article id, paragraph number from 1, text).
    """
    by_story: dict[str, list[tuple[int, int, str]]] = {}
    for position, (article, paragraph, text) in enumerate(sentences):
        by_story.setdefault(article, []).append((position, paragraph, text))
    ranges: dict[str, list[tuple[int, int, int, int]]] = {}
    lost = 0
    for story in stories:
        if story.id in by_story:
            ranges[story.id], missing = _ranges(story, by_story[story.id])
            lost += missing
    right = {}
    for q in questions:
        if q.story in ranges:
            s = q.span
            right[q.id] = () if s is None else tuple(
                p for p, line, a, b in ranges[q.story] if line == s.paragraph and a <= s.start and s.end <= b)
    return right, lost


def _ranges(story: Story, sentences: list[tuple[int, int, str]]) -> tuple[list[tuple[int, int, int, int]], int]:
    """(position, line, start, end) of each sentence in the story's lines, in order; and how many were not found."""
    out, lost = [], 0
    line, cursor, current = -1, 0, None
    lines = story.paragraphs
    for position, paragraph, text in sentences:
        if paragraph != current:
            current, cursor = paragraph, 0
            line += 1
            while line < len(lines) and text not in lines[line]:  # a line the parser dropped
                line += 1
            if line >= len(lines):
                return out, len(sentences) - len(out)
        at = lines[line].find(text, cursor)
        if at < 0:
            lost += 1
            continue
        out.append((position, line, at, at + len(text)))
        cursor = at + len(text)
    return out, lost
