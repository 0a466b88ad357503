"""What a sentence's own words and place say about whether it can answer: does it add anything beyond
the question's words, is it a news story's lede (it opens with a dateline), and how near the top of a
news article it stands."""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

def novelty(question_terms: Sequence, sentence_terms: Sequence[Sequence], enough: int = 6) -> np.ndarray:
    """How much each sentence says beyond the question: its distinct terms the question lacks, as a
    share of `enough` (capped at 1). A sentence that only restates the question scores near 0."""
    asked = set(question_terms)
    return np.array([min(len(set(terms) - asked), enough) / enough for terms in sentence_terms], np.float32)


# A wire story's lede opens with its dateline: "LONDON, England (CNN) -- ", "(PEOPLE.com) -- ",
# "MADRID, Spain -- ". Such a first sentence carries the story (who, what, where, when) in news writing.
_DATELINE = re.compile(r"^(?:[^()\n]{0,60}\([^()\n]{1,40}\)|[A-Z][A-Z.' ]*[A-Z.](?:[,.] [A-Z][\w.' ]*)?)\s*(?:--|—|–)\s*")


def is_dateline_lede(text: str) -> bool:
    """True for a sentence that opens with a news dateline (see `_DATELINE`)."""
    return bool(_DATELINE.match(text))


def is_news_article(first_sentence: str, published: str | None, source: str | None) -> bool:
    """True for a news article: its first sentence opens with a dateline, or its front matter gives a
    publication day or an outlet. Reference texts (an encyclopedia's article, a pool of candidate
    sentences) have neither, and for them a sentence's place says less (see `news_position`)."""
    return bool(published or source) or is_dateline_lede(first_sentence)


def news_position(order: np.ndarray, span: int) -> np.ndarray:
    """The place of each sentence in its news article (`order`: 0 for the first), falling in a straight
    line from +0.5 at the first sentence to -0.5 at the `span`-th and after: news is written with the
    story at the top, and answers to readers' questions lie in the first dozen sentences far more often
    than further down (on the shared NewsQA half, a sentence sharing a question word holds the answer
    38% of the time as the first sentence, 25% as the second or third, 10% around the eighth, 4% past
    the fifteenth), a slower fall than the 1 / (1 + i) every article gets. Centred on the middle of the
    span, so that a news article as a whole gains nothing over an article that is not news (an archive
    may hold both), and its best sentence's score, which the decline's bars read, moves by at most half
    the weight."""
    return (0.5 - np.minimum(order / span, 1.0)).astype(np.float32)
