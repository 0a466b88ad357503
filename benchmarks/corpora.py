"""Benchmark corpora: seeded synthetic Zipfian sentences, WikiQA's real sentences, and questions over them."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
WIKIQA_FILES = ("wikiqa/WikiQA-train.tsv", "wikiqa/WikiQA-dev.tsv")
_ONSETS = "b c d f g h j k l m n p r s t v w z br ch cl dr fr gr kr pl pr sh st th tr".split()
_VOWELS = "a e i o u a e i o u ai ea ee io ou".split()
_CODAS = ["", "", "", "n", "r", "s", "l", "t", "nd", "st", "rk"]
_WORD = re.compile(r"[^\W\d_]{3,}")
# The head of a Zipfian vocabulary is function words, as in English text: the ranks above these are the
# pseudo-words. Both newsbot and the peers drop them as stop words.
FUNCTION_WORDS = ("the of and to a in is that for it as was with on by be at this from or an are his have "
                  "had not but which were they their has been he she its we our you would will there "
                  "if can all when who what so no than them into more other out up these some could").split()
_COMMON = frozenset("the of and to in is was for on as by with that from at an are be or his its this which "
                    "it he has were had also their not but after first one two new who".split())


def zipf_vocabulary(size: int, rng: np.random.Generator) -> list[str]:
    """`size` distinct pronounceable pseudo-words of one to three syllables."""
    words: dict[str, None] = {}
    while len(words) < size:
        count = size - len(words)
        syllables = rng.integers(1, 4, count)
        onsets = rng.integers(0, len(_ONSETS), (count, 4))
        vowels = rng.integers(0, len(_VOWELS), (count, 4))
        codas = rng.integers(0, len(_CODAS), count)
        for n, o, v, c in zip(syllables.tolist(), onsets.tolist(), vowels.tolist(), codas.tolist()):
            word = "".join(_ONSETS[o[i]] + _VOWELS[v[i]] for i in range(n)) + _CODAS[c]
            words.setdefault(word)
    return list(words)[:size]


def synthetic_sentences(n: int, seed: int = 1, vocabulary: int = 200_000, exponent: float = 1.07,
                        lengths: tuple[int, int] = (8, 30)) -> list[str]:
    """`n` sentences of 8-30 words drawn from a seeded Zipf-Mandelbrot law: function words, then pseudo-words."""
    rng = np.random.default_rng(seed)
    pseudo = [w for w in zipf_vocabulary(vocabulary, rng) if w not in FUNCTION_WORDS]
    words = np.array((FUNCTION_WORDS + pseudo)[:vocabulary], dtype=object)
    ranks = np.arange(1, vocabulary + 1, dtype=np.float64)
    cdf = np.cumsum(1.0 / (ranks + 2.7) ** exponent)
    cdf /= cdf[-1]
    sizes = rng.integers(lengths[0], lengths[1] + 1, n)
    tokens = words[np.minimum(np.searchsorted(cdf, rng.random(int(sizes.sum()))), vocabulary - 1)]
    cuts = np.concatenate(([0], np.cumsum(sizes))).tolist()
    tokens = tokens.tolist()
    return [" ".join(tokens[a:b]).capitalize() + "." for a, b in zip(cuts[:-1], cuts[1:])]


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


def draw_questions(texts: list[str], count: int, seed: int = 2) -> list[str]:
    """Questions of four to six words taken from random sentences: the sentence's rarest word, its two most
    common ones and one or two others, so that long and short postings lists are both walked."""
    rng = np.random.default_rng(seed)
    sample = rng.choice(len(texts), min(len(texts), 20_000), replace=False)
    frequency = Counter(w for i in sample.tolist() for w in _WORD.findall(texts[i].lower()))
    starts = ("what", "who", "when", "where", "how many", "which")
    questions = []
    while len(questions) < count:
        words = [w for w in dict.fromkeys(_WORD.findall(texts[int(rng.integers(len(texts)))].lower()))
                 if w not in _COMMON and w not in FUNCTION_WORDS]
        if len(words) < 4:
            continue
        words.sort(key=lambda w: frequency.get(w, 0))
        picked = [words[0], words[-1], words[-2]]
        middle = words[1:-2]
        picked += [middle[i] for i in rng.choice(len(middle), min(len(middle), int(rng.integers(1, 3))),
                                                 replace=False).tolist()]
        rng.shuffle(picked)
        questions.append(f"{starts[int(rng.integers(len(starts)))]} {' '.join(picked)}?")
    return questions
