"""How many sentences of NewsQA and BBC are carried by more than one article: exact and near wire copies.

Measures what bot/archive.py folds into one answer: two sentences of different articles are exact
copies when their words are the same (case, accents and punctuation aside), and near copies when
their word 3-shingles have a Jaccard of at least a threshold (0.8 is the one newsbot uses; 0.6,
0.7 and 0.9 beside it show how sensitive the count is), or when the shorter's shingles (6 or more, and
half the longer's) are 80% in the longer: an outlet's added clause. Candidate pairs are those sharing a shingle
that at most 50 sentences hold (a shared rarer run of three words), so the count is exact for
pairs of that kind and takes seconds, not an all-pairs comparison.

    python benchmarks/duplicates.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.news_archive import BBC_FILE, NEWSQA_FILE, read_newsqa  # noqa: E402
from bot.archive import CONTAINED, CONTAINED_MIN, COPY_SIMILARITY, copy_of_any, shingles, words  # noqa: E402
from retrieval.articles import clean_text  # noqa: E402
from retrieval.sentences import Splitter  # noqa: E402

THRESHOLDS = (0.6, 0.7, 0.8, 0.9)
RARE = 50  # a shingle held by more sentences than this does not make two sentences candidates
MIN_WORDS = 6  # shorter sentences ("He said.") repeat without being copies of one another


def sentences_of(data: Path, with_repeats: bool) -> list[tuple[str, str]]:
    """(article id, sentence) of every NewsQA story and BBC article."""
    splitter = Splitter()
    news, _ = read_newsqa(data / NEWSQA_FILE)
    out = [(s.id, text) for s in news for p in s.paragraphs for text in splitter.split(p)]
    with open(data / BBC_FILE, encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            if item.get("duplicate_of_earlier") and not with_repeats:
                continue
            for p in item["paragraphs"]:
                out.extend((f"bbc/{item['id']}", text) for text in splitter.split(clean_text(p)))
    return out


def count(items: list[tuple[str, str]]) -> dict[str, int]:
    kept = [(a, t) for a, t in items if len(words(t)) >= MIN_WORDS]
    exact: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for article, text in kept:
        exact[tuple(words(text))].add(article)
    exact_sentences = sum(len(v) for v in exact.values() if len(v) > 1)
    # Near copies among the distinct texts: candidates share a rare shingle.
    distinct = [(next(iter(v)), k) for k, v in exact.items()]
    grams = [shingles(" ".join(k)) for _, k in distinct]
    holders: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, g in enumerate(grams):
        for s in g:
            holders[s].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in holders.values():
        if 1 < len(members) <= RARE:
            pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1:])
    near = {t: 0 for t in THRESHOLDS}
    in_near = {t: set() for t in THRESHOLDS}
    updates = 0  # pairs near enough to fold that give other figures: not folded (an update, not a copy)
    contained = contained_updates = 0  # pairs folded for an added clause (bot/archive.py CONTAINED), not by Jaccard
    for a, b in pairs:
        if distinct[a][0] == distinct[b][0]:
            continue  # within one article
        x, y = grams[a], grams[b]
        shared = len(x & y)
        j = shared / len(x | y)
        for t in THRESHOLDS:
            if j >= t:
                near[t] += 1
                in_near[t].update((a, b))
        small, large = sorted((len(x), len(y)))
        held = j < COPY_SIMILARITY and small >= CONTAINED_MIN and small >= large / 2 and shared >= CONTAINED * small
        contained += held
        if (j >= COPY_SIMILARITY or held) and not copy_of_any(" ".join(distinct[a][1]), [" ".join(distinct[b][1])]):
            updates += j >= COPY_SIMILARITY
            contained_updates += held
    out = {"sentences (6+ words)": len(kept), "exact copies: sentences in 2+ articles": exact_sentences,
           "exact copies: distinct texts": sum(1 for v in exact.values() if len(v) > 1)}
    for t in THRESHOLDS:
        out[f"near copies (Jaccard >= {t}): pairs"] = near[t]
        out[f"near copies (Jaccard >= {t}): texts in a pair"] = len(in_near[t])
    out[f"of those at {COPY_SIMILARITY}, pairs giving a figure in place of another (not folded)"] = updates
    out[f"under {COPY_SIMILARITY}, the shorter's shingles {CONTAINED:.0%}+ in the longer (an added clause): pairs"] = \
        contained
    out["of those, pairs giving a figure in place of another (not folded)"] = contained_updates
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = {}
    for label, repeats in (("NewsQA + BBC (benchmark: repeats left out)", False), ("NewsQA + BBC (all)", True)):
        rows[label] = count(sentences_of(args.data, repeats))
    names = list(next(iter(rows.values())))
    width = max(map(len, names))
    print(f"{'':{width}}  " + "  ".join(f"{label:>44}" for label in rows))
    for name in names:
        print(f"{name:{width}}  " + "  ".join(f"{rows[label][name]:>44,}" for label in rows))
    print(f"\n({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
