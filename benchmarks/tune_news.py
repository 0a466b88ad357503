"""Picking the article weight (and the decline tiers) on the shared NewsQA half: evidence gathered once, then a grid.

    python benchmarks/tune_news.py [--quick] [--seed S] [--weights 0,0.1,...]

Opens news.py's archive (sample seed 5 unless `--seed`: news.py reports seed 11, held out), gathers each question's evidence (retrieval.ranking.Evidence, `--candidates`
sentences, asked of the whole archive and of its own article) once, then prints P@1 both ways and
right article first for each article weight, with the other weights as RankSettings has them (or,
with `--search`, a coordinate search over every weight for the sum of the three).
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


WEIGHTS = ["article_weight", "headline_weight", "lead_weight", "neighbour_weight", "bigram_weight",
           "proximity_weight", "answer_type_weight", "cosine_weight"]
GRID = [0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7]


def objective(f: dict[str, float]) -> float:
    return f["whole P@1"] + f["own P@1"] + f["right article"]


def report(label: str, f: dict[str, float]) -> None:
    print(f"{label:28}" + "  ".join(f"{k} {v:.3f}" for k, v in f.items()), flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=5, help="news.py's sample seed (5; 11 is held out)")
    parser.add_argument("--candidates", type=int, default=60)
    parser.add_argument("--weights", default="0,0.1,0.2,0.3,0.4,0.5,0.6,0.8,1.0")
    parser.add_argument("--search", action="store_true", help="coordinate search over every weight")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsbot-tune-") as tmp:
        setup = open_archive(data_folder(None), replace(QUICK if args.quick else Plan(), seed=args.seed), Path(tmp))
        gathered = gather(setup, args.candidates)
        settings = RankSettings()
        if not args.search:
            for w in [float(x) for x in args.weights.split(",")]:
                report(f"article_weight {w:5.2f}", figures(gathered, setup, replace(settings, article_weight=w)))
            return 0
        best = objective(figures(gathered, setup, settings))
        report("start", figures(gathered, setup, settings))
        for _ in range(args.rounds):
            for name in WEIGHTS:
                for value in GRID:
                    trial = replace(settings, **{name: value})
                    score = objective(figures(gathered, setup, trial))
                    if score > best + 1e-9:
                        best, settings = score, trial
                        report(f"{name} = {value}", figures(gathered, setup, settings))
        print(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
