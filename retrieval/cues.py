"""What a sentence's own words say about whether it can answer: does it lean on the sentence before
("He said ...", "The company ...", "In fact ..."), and does it add anything beyond the question's words."""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

# A sentence that opens with a pronoun, a determiner pointing back, or a connective continues the one
# before: "She owns three ...", "The president, speaking ...", "In fact, ...". Its subject is named there.
_REFERS_BACK = re.compile(
    r"^\W*(?:he|she|it|they|his|her|its|their|them|this|that|these|those|such|there|"
    r"but|and|also|however|still|yet|instead|meanwhile|in fact|in addition|indeed|then)\b", re.I)
_THE_THING = re.compile(r"^\W*the\s+[a-z]")  # "The president ..." (a lower-case noun, not "The Hague")


def refers_back(texts: Sequence[str]) -> np.ndarray:
    """1.0 for each sentence that opens by pointing back to the one before (see `_REFERS_BACK`)."""
    return np.array([float(bool(_REFERS_BACK.match(t) or _THE_THING.match(t))) for t in texts], np.float32)


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
