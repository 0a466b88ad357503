"""Calibrating the decline's three tiers (bot.answers.AnswerSettings) on the shared NewsQA half and WikiQA train together.

    python benchmarks/tune_tiers.py [--quick] [--seed S]

Each question's best match is found once: NewsQA questions (and those about the left-out stories)
asked of news.py's whole archive, WikiQA train questions asked of their own article, as
benchmarks/quality.py asks them (news.py's archive with seed 5 unless `--seed`: seed 11 is the held-out
figure news.py reports). Then a grid: the answer tier is the (min_coverage, min_score, min_margin) with
the best sum of the two sets' answer-triggering F1 among those that keep the seed set right (every
answerable seed question answered, 90% of the others declined), and of those within TIE of that sum
the one with the best summed precision (F1 on news is flat in the margin from 0.05 to 0.15 while
precision climbs); the maybe tier keeps the answer's score bar and is the lower (coverage, margin)
whose band (maybe, not answer) is widest while its precision stays at least SEPARATION times the
"none" tier's on both sets. Nothing is saved; the constants are copied by hand into AnswerSettings.
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
from bot.service import _missing_names  # noqa: E402
from tests.answer_sets import Newsbot, data_folder, read_wikiqa  # noqa: E402

COVERAGE = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7]
SCORE = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2]
MARGIN = [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]
SEPARATION = 1.5  # the maybe band's precision over the none tier's, on both sets, at least
TIE = 0.002  # answer tiers whose summed F1 is this close to the best (a tenth of its standard error) are told apart by precision
NO_RIVAL = 1e9  # Hit.margin when no other article competes (infinite), as the arrays hold it


def news_tops(setup) -> tuple[np.ndarray, int]:
    """(score, coverage, names missing, right, margin) of each question's best match; and how many are answerable."""
    service, index = setup.service, setup.service.index
    rows = []
    for q, answerable in [(q, True) for q in setup.questions] + [(q, False) for q in setup.unanswerable]:
        hits = index.search(q.text, k=1, margins=True)
        if not hits:
            rows.append((0, 0, 1, 0, 0))
            continue
        missing = bool(_missing_names(index, q.text, service._passage(index, hits[0])))
        rows.append((hits[0].score, hits[0].coverage, missing, answerable and hits[0].position in setup.right[q.id],
                     min(hits[0].margin, NO_RIVAL)))
    return np.array(rows, float), len(setup.questions)


def wiki_tops(bot: Newsbot, questions) -> tuple[np.ndarray, int]:
    rows = []
    for q in questions:
        hits = bot.hits(q.text, q.document, 1)
        if not hits:
            rows.append((0, 0, 0, 0, 0))
            continue
        rows.append((hits[0].score, hits[0].coverage, 0, bool(q.labels[bot.origin[hits[0].position][1]]),
                     min(hits[0].margin, NO_RIVAL)))
    return np.array(rows, float), sum(q.answerable for q in questions)


def seed_tops() -> np.ndarray:
    """(score, coverage, names missing, answerable, margin) of the seed set's best matches (bot/evaluate.py's items)."""
    import seeds
    from bot.evaluate import read_items
    from bot.service import AnsweringService

    with tempfile.TemporaryDirectory(prefix="newsbot-seeds-") as tmp:
        service = AnsweringService.open(None, tmp)
        rows = []
        for item in read_items(seeds.folder() / "questions.jsonl"):
            hits = service.index.search(item.question, 1, margins=True)
            if not hits:
                rows.append((0, 0, 1, item.expected is not None, 0))
                continue
            missing = bool(_missing_names(service.index, item.question, service._passage(service.index, hits[0])))
            rows.append((hits[0].score, hits[0].coverage, missing, item.expected is not None,
                         min(hits[0].margin, NO_RIVAL)))
    return np.array(rows, float)


def given(tops: np.ndarray, coverage: float, score: float, margin: float = 0.0) -> np.ndarray:
    """Which best matches the tier (coverage, score, margin) gives as the answer (none where a name is missing)."""
    return (tops[:, 1] >= coverage - 1e-6) & (tops[:, 0] >= score - 1e-6) & (tops[:, 2] == 0) \
        & (tops[:, 4] >= margin - 1e-6)


def f_beta(tops: np.ndarray, answerable: int, coverage: float, score: float, margin: float = 0.0, beta: float = 1.0):
    chosen = given(tops, coverage, score, margin)
    right = float((chosen & (tops[:, 3] == 1)).sum())
    p, r = (right / chosen.sum() if chosen.sum() else 0.0), right / answerable
    b2 = beta * beta
    return ((1 + b2) * p * r / (b2 * p + r) if p + r else 0.0), p, r, chosen.mean()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=5, help="news.py's sample seed (5; 11 is held out)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="an .npz file: the best matches are read from it when it exists, else written to it")
    args = parser.parse_args(argv)
    data = data_folder(None)
    if args.keep and args.keep.is_file():
        kept = np.load(args.keep)
        news, wiki = (kept["news"], int(kept["news_n"])), (kept["wiki"], int(kept["wiki_n"]))
    else:
        with tempfile.TemporaryDirectory(prefix="newsbot-tiers-") as tmp:
            setup = open_archive(data, replace(QUICK if args.quick else Plan(), seed=args.seed), Path(tmp) / "news")
            news = news_tops(setup)
            train = read_wikiqa(data / "wikiqa" / "WikiQA-train.tsv")
            wiki = wiki_tops(Newsbot(train, Path(tmp) / "wiki"), train.questions)
        if args.keep:
            np.savez(args.keep, news=news[0], news_n=news[1], wiki=wiki[0], wiki_n=wiki[1])
    sets = {"news": news, "wikiqa train": wiki}

    seed = seed_tops()

    def keeps_seeds(c: float, s: float, m: float) -> bool:
        g = given(seed, c, s, m)
        return bool(g[seed[:, 3] == 1].all()) and float((~g[seed[:, 3] == 0]).mean()) >= 0.9

    grid = [(c, s, m) for c in COVERAGE for s in SCORE for m in MARGIN]
    kept = [cs for cs in grid if keeps_seeds(*cs)]
    best_f1 = max(sum(f_beta(t, n, *cs)[0] for t, n in sets.values()) for cs in kept)
    # Tiers within TIE of the best F1 are the same within noise: the most precise of them is taken.
    answer = max((cs for cs in kept if sum(f_beta(t, n, *cs)[0] for t, n in sets.values()) >= best_f1 - TIE),
                 key=lambda cs: (sum(f_beta(t, n, *cs)[1] for t, n in sets.values()), cs))

    def band(t: np.ndarray, c: float, s: float, m: float) -> tuple[float, float, float]:
        """(share in the maybe band, its precision, the none tier's precision)."""
        top = given(t, *answer)
        maybe = given(t, c, s, m) & ~top
        none = ~top & ~maybe
        right = t[:, 3] == 1
        return maybe.mean(), (maybe & right).sum() / max(maybe.sum(), 1), (none & right).sum() / max(none.sum(), 1)

    # "maybe" is a match as strong as an answer (the same score bar) that holds less of the question
    # (coverage) or leads another story by less (margin).
    lower = [cs for cs in grid if cs[0] <= answer[0] and cs[1] == answer[1] and cs[2] <= answer[2]
             and all(band(t, *cs)[1] >= SEPARATION * band(t, *cs)[2] for t, _ in sets.values())]
    maybe = max(lower, key=lambda cs: (sum(band(t, *cs)[0] for t, _ in sets.values()), cs))
    print(f"answer tier: min coverage {answer[0]}, min score {answer[1]}, min margin {answer[2]}; "
          f"maybe tier: {maybe[0]}, {maybe[1]}, {maybe[2]}")
    for set_name, (t, n) in sets.items():
        f, p, r, share = f_beta(t, n, *answer)
        share_maybe, p_maybe, p_none = band(t, *maybe)
        share_none = 1 - share - share_maybe
        print(f"  {set_name}: answer F1 {f:.3f} P {p:.3f} R {r:.3f} share {share:.3f}; "
              f"maybe share {share_maybe:.3f} P {p_maybe:.3f}; none share {share_none:.3f} P {p_none:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
