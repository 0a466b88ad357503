"""Seeded synthetic text for tests and benchmarks: Zipfian sentences of pseudo-words, questions drawn from
texts, and sentences grouped into articles."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from retrieval import Article, Paragraph, Sentence
from retrieval.corpus import Corpus

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
    # Joined by numpy over arrays of strings (object arrays), not word by word: a quarter of the time, the same words.
    pairs = np.array([onset + vowel for onset in _ONSETS for vowel in _VOWELS], dtype=object)
    codas_of = np.array(_CODAS, dtype=object)
    words: dict[str, None] = {}
    while len(words) < size:
        count = size - len(words)
        syllables = rng.integers(1, 4, count)
        onsets = rng.integers(0, len(_ONSETS), (count, 4))
        vowels = rng.integers(0, len(_VOWELS), (count, 4))
        codas = rng.integers(0, len(_CODAS), count)
        syllable = pairs[onsets * len(_VOWELS) + vowels]  # (count, 4): each word's would-be syllables
        joined = syllable[:, 0] + np.where(syllables >= 2, syllable[:, 1], "") + \
            np.where(syllables >= 3, syllable[:, 2], "") + codas_of[codas]
        words.update(dict.fromkeys(joined.tolist()))  # the first of each word, in the order drawn
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


def as_corpus(texts: list[str], per_article: int = 20, per_paragraph: int = 4) -> Corpus:
    """The sentences as articles of 20 sentences in paragraphs of 4, headed by their first words."""
    articles, sentences = [], []
    starts = list(range(0, len(texts), per_article)) + [len(texts)]
    for number, (a, b) in enumerate(zip(starts[:-1], starts[1:])):
        article_id = f"article-{number:07d}"
        paragraphs = []
        for p_no, p in enumerate(range(a, b, per_paragraph), 1):
            chunk = texts[p: min(b, p + per_paragraph)]
            paragraphs.append(Paragraph(" ".join(chunk)))
            sentences.extend(Sentence(article_id, p_no, s_no, text) for s_no, text in enumerate(chunk, 1))
        title = " ".join(texts[a].split()[:8])
        articles.append(Article(article_id, title, tuple(paragraphs), source="benchmark"))
    starts_arr = np.asarray(starts, np.int64)
    article_of = np.repeat(np.arange(len(articles), dtype=np.int32), np.diff(starts_arr))
    return Corpus(tuple(articles), tuple(sentences), article_of, starts_arr)
