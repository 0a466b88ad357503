"""Picking RankSettings' weights on the WikiQA and TrecQA train splits by coordinate search.

    python benchmarks/tune_quality.py [--split train|dev] [--rounds 2]

Gathers each question's evidence once (retrieval.ranking.Evidence), then tries each weight over a
small grid, keeping a change when the sum of WikiQA per-article MAP, WikiQA pooled P@1 and TrecQA MAP
grows. Prints the weights and the figures they reach on both splits; the chosen constants are copied
by hand into RankSettings. Nothing is saved.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval.ranking import RankSettings  # noqa: E402
from tests.answer_sets import Newsbot, average_precision, data_folder, read_trecqa, read_wikiqa  # noqa: E402

GRID = [0.0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5]
WEIGHTS = ["headline_weight", "neighbour_weight", "lead_weight", "bigram_weight", "proximity_weight",
           "answer_type_weight", "cosine_weight"]


def gather(bot: Newsbot, questions, pooled: bool):
    """(evidence, labels per candidate, document, question) for each question; labels from the set."""
    out = []
    for q in questions:
        ev = bot.index.evidence(q.text, None if pooled else q.document)
        if ev is None:
            out.append((None, None, q))
            continue
        labels = np.array([bot.origin[p][0] == q.document and q.labels[bot.origin[p][1]] for p in ev.positions])
        sentence = np.array([bot.origin[p][1] if bot.origin[p][0] == q.document else -1 for p in ev.positions])
        out.append((ev, (labels, sentence), q))
    return out


def per_article_map(gathered, settings: RankSettings) -> float:
    aps = []
    for ev, extra, q in gathered:
        if ev is None:
            ranking = list(range(len(q.labels)))
        else:
            score = ev.scores(settings)
            order = np.lexsort((ev.positions, -score))
            ranking = list(dict.fromkeys(int(i) for i in extra[1][order]))
            ranking += [i for i in range(len(q.labels)) if i not in set(ranking)]
        aps.append(average_precision(ranking, q.labels))
    return float(np.mean(aps))


def pooled_p1(gathered, settings: RankSettings) -> float:
    right = 0
    for ev, extra, q in gathered:
        if ev is not None:
            score = ev.scores(settings)
            right += bool(extra[0][int(np.lexsort((ev.positions, -score))[0])])
    return right / len(gathered)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    data = data_folder(args.data)
    wide = RankSettings(candidates=1000)  # gather beyond the shortlist so the search can reorder it
    splits = {}
    with tempfile.TemporaryDirectory(prefix="newsbot-tune-") as tmp:
        for split, wiki_file, trec_file in [("train", "WikiQA-train.tsv", "train.csv"), ("dev", "WikiQA-dev.tsv", "dev.csv")]:
            wiki = Newsbot(read_wikiqa(data / "wikiqa" / wiki_file), Path(tmp) / f"w{split}")
            trec = Newsbot(read_trecqa(data / "trecqa" / trec_file), Path(tmp) / f"t{split}")
            wiki.index.settings = trec.index.settings = wide
            answerable = [q for q in wiki.answer_set.questions if q.answerable]
            splits[split] = (gather(wiki, answerable, False), gather(wiki, answerable, True),
                             gather(trec, [q for q in trec.answer_set.questions if q.mixed], False))

    def figures(split: str, settings: RankSettings) -> tuple[float, float, float]:
        article, pooled, trec = splits[split]
        return per_article_map(article, settings), pooled_p1(pooled, settings), per_article_map(trec, settings)

    settings = RankSettings()
    best = sum(figures("train", settings))
    print("start  train %.3f %.3f %.3f  dev %.3f %.3f %.3f" % (*figures("train", settings), *figures("dev", settings)))
    for round_ in range(args.rounds):
        for name in WEIGHTS:
            for value in GRID:
                trial = replace(settings, **{name: value})
                total = sum(figures("train", trial))
                if total > best + 1e-4:
                    best, settings = total, trial
        print(f"round {round_ + 1}  train %.3f %.3f %.3f  dev %.3f %.3f %.3f"
              % (*figures("train", settings), *figures("dev", settings)))
    print("(figures: WikiQA per-article MAP, WikiQA pooled P@1, TrecQA MAP)")
    print(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
