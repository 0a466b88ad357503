"""Splitting an article's paragraphs into Sentence records with their attribution."""

from __future__ import annotations

import re
from typing import Callable

import sentencex

from .attribution import is_pronoun, refers_back, speaker_phrase
from .records import CAPTION, Article, Sentence

# A sentence that is a quotation from its start ("We heard a roar," ... or “We heard …”).
_QUOTED = re.compile(r'^\s*["“]')

# No real news sentence is this long (the longest of 46,757 in NewsQA dev and BBC News has 1,345
# characters, 99.99% have under 600); a longer run of text, such as a dump that is one unpunctuated
# line, is cut into pieces of at most this many characters so every later step works on bounded text.
MAX_SENTENCE_CHARS = 5000
# Where a piece is best cut: after a clause's punctuation, else at a space.
_CLAUSE_END = re.compile(r"[,;:)\]—–]\s")
# Three fix-ups to sentencex, each for a difference benchmarks/splitters.py measured:
# - it ends a sentence at "..." before a capital but not at the one-character ellipsis "…" of typeset
#   web copy, so both spellings split alike here;
# - a quotation mark after a space opens the next sentence (`...in Iraq. "We will stay," he said.`,
#   as the BBC's copy runs quoted paragraphs together), where sentencex leaves it at the end of the one
#   before; it is moved to the sentence it opens;
# - it ends a sentence at a list's number or an interview's "Q." (`1. Be vigilant`), which belongs with
#   the words after it.
_ELLIPSIS_END = re.compile(r"…[\"”’]?(?=\s+[A-Z\"“‘])")
_OPENING_QUOTE_AT_END = re.compile(r"\s([\"“])$")
_LIST_MARK = re.compile(r"^\(?(?:\d{1,2}|[A-Z])[.)]$")


class Splitter:
    """Sentence segmentation with sentencex: rule-based, linear in the text's length, maintained.

    benchmarks/splitters.py compares it with pysbd (what newsbot used before), blingfire, syntok and
    punkt on news text: it finds 97-98% of pysbd's boundaries (most of the rest are pysbd's
    mistakes) and more of the hard cases, hundreds of times faster.
    """

    def __init__(self, max_chars: int = MAX_SENTENCE_CHARS) -> None:
        self.max_chars = max_chars

    def split(self, text: str) -> list[str]:
        out: list[str] = []
        opening = ""
        for sentence in sentencex.segment("en", text):
            for part in _at_ellipses(sentence) if "…" in sentence else (sentence,):
                part = opening + part.strip()
                opening = ""
                quote = _OPENING_QUOTE_AT_END.search(part)
                if quote:
                    opening, part = quote.group(1), part[: quote.start()].rstrip()
                if len(part) <= 4 and _LIST_MARK.match(part):
                    opening = part + " " + opening
                elif len(part) <= self.max_chars:  # what bounded_pieces gives a sentence of this length
                    part = part.strip()
                    if part:
                        out.append(part)
                else:
                    out.extend(bounded_pieces(part, self.max_chars))
        if opening.strip():  # a mark ending the paragraph stays where it was
            if out:
                out[-1] += " " + opening.strip()
            else:
                out.append(opening.strip())
        return out


def _at_ellipses(sentence: str) -> list[str]:
    cuts = [m.end() for m in _ELLIPSIS_END.finditer(sentence)]
    return [sentence[a:b] for a, b in zip([0] + cuts, cuts + [len(sentence)])]


def bounded_pieces(sentence: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[str]:
    """A sentence as it is, or cut into pieces of at most `max_chars`: after a clause, at a space, or hard."""
    pieces, start = [], 0
    while len(sentence) - start > max_chars:
        window_start, window_end = start + max_chars // 2, start + max_chars
        end = -1
        for match in _CLAUSE_END.finditer(sentence, window_start, window_end):
            end = match.start() + 1
        if end < 0:
            space = sentence.rfind(" ", window_start, window_end)
            end = space if space > 0 else window_end
        pieces.append(sentence[start:end].strip())
        start = end
    pieces.append(sentence[start:].strip())
    return [p for p in pieces if p]


def article_sentences(article: Article, splitter: Splitter | None = None,
                      on_paragraph: Callable[[int], None] | None = None) -> list[Sentence]:
    """Every sentence of an article in reading order, with paragraph and sentence numbers from 1.

    `on_paragraph(number)` is called as each paragraph is done (a progress meter for large files).
    """
    paragraphs = article.paragraphs
    out: list[Sentence] = []
    for p_no, s_no, text, speaker in split_article(article, splitter, on_paragraph):
        paragraph = paragraphs[p_no - 1]
        out.append(Sentence(
            article_id=article.id,
            paragraph=p_no,
            sentence=s_no,
            text=text,
            kind=paragraph.kind,
            attributed_to=speaker,
            credit=paragraph.credit if paragraph.kind == CAPTION else None,
        ))
    return out


def split_article(article: Article, splitter: Splitter | None = None,
                  on_paragraph: Callable[[int], None] | None = None) -> list[tuple[int, int, str, str | None]]:
    """`article_sentences` as rows (paragraph number, sentence number, text, speaker), no records made."""
    splitter = splitter or Splitter()
    split = splitter.split
    out: list[tuple[int, int, str, str | None]] = []
    previous_speaker: str | None = None
    previous_quoted = False  # the sentence before quotes someone: a quotation after it may go on with theirs
    for p_no, paragraph in enumerate(article.paragraphs, start=1):
        for s_no, text in enumerate(split(paragraph.text), start=1):
            speaker = speaker_phrase(text)
            # "..., she said." / "..., the spokesman added." name the speaker of the sentence before;
            # with none there, a bare pronoun is no source at all.
            if speaker and refers_back(speaker):
                speaker = previous_speaker or (None if is_pronoun(speaker) else speaker)
            elif speaker is None and s_no > 1 and previous_speaker and previous_quoted and _QUOTED.match(text):
                # '"The hillside gave way," said Ingrid Solberg. "We heard a roar."': the quote goes on
                # in her words, so a "She added ..." after it is hers too
                speaker = previous_speaker
            previous_speaker = speaker
            previous_quoted = bool(_QUOTED.match(text)) or '"' in text or "”" in text
            out.append((p_no, s_no, text, speaker))
        if on_paragraph:
            on_paragraph(p_no)
    return out
