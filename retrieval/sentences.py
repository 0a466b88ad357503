"""Splitting an article's paragraphs into Sentence records with their attribution."""

from __future__ import annotations

import re
from typing import Callable

import pysbd

from .attribution import attribute
from .records import CAPTION, Article, Sentence

_PRONOUN_SPEAKER = re.compile(r"^(?:he|she|they|it|the spokesman|the spokeswoman|the official)$", re.IGNORECASE)
_NEEDS_SPLITTING = re.compile(r"[.!?…][\"'”’)\]]*\s")


class Splitter:
    """Sentence segmentation with pysbd, which keeps quotes with their speaker and knows abbreviations."""

    def __init__(self) -> None:
        self._segmenter = pysbd.Segmenter(language="en", clean=False)

    def split(self, text: str) -> list[str]:
        if not _NEEDS_SPLITTING.search(text):
            return [text.strip()] if text.strip() else []
        return [s.strip() for chunk in _chunks(text) for s in self._segmenter.segment(chunk) if s.strip()]


# pysbd takes time quadratic in a paragraph's length: a long line is cut first, at a sentence end
# followed by a capital, into pieces of about this many characters (or at a space if it has none).
_CHUNK = 1000
_CUT = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[A-Z\"“])")


def _chunks(text: str) -> list[str]:
    pieces, start = [], 0
    while len(text) - start > _CHUNK:
        cut = _CUT.search(text, start + _CHUNK // 2, start + 2 * _CHUNK)
        if cut:
            end = cut.end()
        else:
            space = text.rfind(" ", start + _CHUNK // 2, start + _CHUNK)
            end = space + 1 if space > 0 else start + _CHUNK
        pieces.append(text[start:end])
        start = end
    pieces.append(text[start:])
    return pieces


def article_sentences(article: Article, splitter: Splitter | None = None,
                      on_paragraph: Callable[[int], None] | None = None) -> list[Sentence]:
    """Every sentence of an article in reading order, with paragraph and sentence numbers from 1.

    `on_paragraph(number)` is called as each paragraph is done (a progress meter for large files).
    """
    splitter = splitter or Splitter()
    out: list[Sentence] = []
    last_speaker: str | None = None
    for p_no, paragraph in enumerate(article.paragraphs, start=1):
        for s_no, text in enumerate(splitter.split(paragraph.text), start=1):
            speaker = attribute(text)
            # "..., he said." names the speaker of the sentence before.
            if speaker and _PRONOUN_SPEAKER.match(speaker) and last_speaker:
                speaker = last_speaker
            if speaker:
                last_speaker = speaker
            out.append(Sentence(
                article_id=article.id,
                paragraph=p_no,
                sentence=s_no,
                text=text,
                kind=paragraph.kind,
                attributed_to=speaker,
                credit=paragraph.credit if paragraph.kind == CAPTION else None,
            ))
        if on_paragraph:
            on_paragraph(p_no)
    return out
