"""Picking the article weight (and the decline tiers) on the shared NewsQA half: evidence gathered once, then a grid.

    python benchmarks/tune_news.py [--quick] [--weights 0,0.1,...]

Opens news.py's archive, gathers each question's evidence (retrieval.ranking.Evidence, `--candidates`
sentences, asked of the whole archive and of its own article) once, then prints P@1 both ways and
right article first for each article weight, with the other weights as RankSettings has them.
Nothing is saved; chosen constants are copied by hand into RankSettings.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.news import QUICK, Plan, open_archive  # noqa: E402
from retrieval import RankSettings  # noqa: E402
from tests.answer_sets import data_folder  # noqa: E402


def gather(setup, candidates: int):
    index = setup.service.index
    index.settings = replace(index.settings, candidates=candidates)
    out = []
    for q in setup.questions:
        out.append((q, set(setup.right[q.id]), index.evidence(q.text, None), index.evidence(q.text, q.story)))
    return out


def figures(gathered, setup, settings: RankSettings) -> dict[str, float]:
    article_of = setup.service.index.corpus.article_of
    ids = setup.service.index.corpus.article_ids
    p1 = own = art = 0
    for q, right, whole, mine in gathered:
        if whole is not None:
            top = int(whole.positions[int(np.argmax(whole.scores(settings)))])
            p1 += top in right
            art += ids[int(article_of[top])] == q.story
        if mine is not None:
            own += int(mine.positions[int(np.argmax(mine.scores(settings)))]) in right
    n = len(gathered)
    return {"whole P@1": p1 / n, "own P@1": own / n, "right article": art / n}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--candidates", type=int, default=60)
    parser.add_argument("--weights", default="0,0.1,0.2,0.3,0.4,0.5,0.6,0.8,1.0")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsbot-tune-") as tmp:
        setup = open_archive(data_folder(None), QUICK if args.quick else Plan(), Path(tmp))
        gathered = gather(setup, args.candidates)
        base = RankSettings()
        raw = [(q, r, w, m, None if w is None else w.article) for q, r, w, m in gathered]
        for power in (1, 2):
            sharp = [(q, r, w if w is None else replace(w, article=a ** power), m) for q, r, w, m, a in raw]
            for h in (0.5, 0.3, 0.15):
                for w in [float(x) for x in args.weights.split(",")]:
                    f = figures(sharp, setup, replace(base, article_weight=w, headline_weight=h))
                    print(f"power {power} headline {h:4.2f} article_weight {w:5.2f}  "
                          + "  ".join(f"{k} {v:.3f}" for k, v in f.items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
