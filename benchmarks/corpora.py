"""Benchmark corpora: seeded synthetic Zipfian sentences, WikiQA's real sentences, and questions over them.

The synthetic text and the questions are tests/synthetic_text.py's, shared with the tests.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from tests.synthetic_text import draw_questions, synthetic_sentences

__all__ = ["DATA", "WIKIQA_FILES", "draw_questions", "real_sentences", "synthetic_sentences", "wikiqa_sentences"]

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
WIKIQA_FILES = ("wikiqa/WikiQA-train.tsv", "wikiqa/WikiQA-dev.tsv")


def wikiqa_sentences(data: Path = DATA) -> list[str]:
    """Every distinct candidate sentence of the WikiQA files, in file order."""
    seen: dict[str, None] = {}
    for name in WIKIQA_FILES:
        with open(data / name, encoding="utf-8", newline="") as handle:
            rows = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            next(rows)
            for row in rows:
                seen.setdefault(row[5].strip())
    return [s for s in seen if s]


def real_sentences(n: int, seed: int = 1, data: Path = DATA) -> list[str]:
    """`n` sentences with WikiQA's vocabulary: its own sentences first (a seeded sample when `n` is smaller),
    then new ones spliced from the head of one real sentence and the tail of another."""
    rng = np.random.default_rng(seed)
    real = wikiqa_sentences(data)
    if n <= len(real):
        return [real[i] for i in sorted(rng.choice(len(real), n, replace=False).tolist())]
    split = [s.split() for s in real]
    extra = n - len(real)
    heads = rng.integers(0, len(real), extra).tolist()
    tails = rng.integers(0, len(real), extra).tolist()
    cut_a = rng.random(extra).tolist()
    cut_b = rng.random(extra).tolist()
    out = list(real)
    for h, t, a, b in zip(heads, tails, cut_a, cut_b):
        head, tail = split[h], split[t]
        out.append(" ".join(head[: max(1, int(len(head) * a))] + tail[int(len(tail) * b):]))
    return out
