"""What a sentence's own words say about whether it can answer: does it add anything beyond the
question's words, and is it a news story's lede (it opens with a dateline)."""

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
