"""Answer quality on public answer-selection sets (WikiQA, TrecQA): newsbot against plain TF-IDF and bm25s.

    python benchmarks/quality.py [--data DIR] [--limit N] [--no-peers] [--ablation]

Reads the sets from ../shared/data/ beside the repository (or --data, or $NEWSBOT_QA_DATA), turns them
into article folders in a temporary directory (one article per WikiQA document, its title as headline,
its sentences in order, one per line; one article per TrecQA question pool) and loads them the way the
bot loads any corpus. Nothing of the data is written into the repository.

Protocols: tests/answer_sets.py's docstring (train is only used to pick the peers' decline thresholds).

The idf is the one a real corpus would have: every protocol loads all articles of the split as one
corpus (all dev WikiQA articles, all dev TrecQA pools) and restricts the search to one article where
the protocol asks for it. The peers index the same sentences the same way.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from retrieval import IndexSettings, RankSettings  # noqa: E402
from retrieval.corpus import CorpusIndex  # noqa: E402

from bot.service import AnswerSettings  # noqa: E402
from tests.answer_sets import (  # noqa: E402  (the readers and protocols, shared with the tests)
    AnswerSet, Newsbot, Question, Ranked, Ranker, bot_accepts, data_folder, per_article, pooled, read_trecqa,
    read_wikiqa, triggering,
)


# Published figures from ../shared/data/README.md (WikiQA: test split, MAP / MRR; answer triggering F1).
PUBLISHED = [
    ("word count (Yang et al. 2015, test)", {"wikiqa MAP": 0.489, "wikiqa MRR": 0.492}),
    ("IDF-weighted word count (test)", {"wikiqa MAP": 0.510, "wikiqa MRR": 0.513}),
    ("LCLR (test)", {"wikiqa MAP": 0.599, "wikiqa MRR": 0.609}),
    ("CNN (test)", {"wikiqa MAP": 0.619, "wikiqa MRR": 0.628}),
    ("CNN + word count (test)", {"wikiqa MAP": 0.652, "wikiqa MRR": 0.665, "triggering F1": 0.32}),
]


# -- peers: (question, document or None for all, k) -> [(document, sentence number, score, coverage)]
class _FlatRanker:
    """A peer scoring every sentence of the set as one flat list; subclasses give `_scores`."""

    def __init__(self, answer_set: AnswerSet):
        self.where = [(d.id, i) for d in answer_set.documents for i in range(len(d.sentences))]
        self.texts = [s for d in answer_set.documents for s in d.sentences]
        self.span = {}
        start = 0
        for d in answer_set.documents:
            self.span[d.id] = (start, start + len(d.sentences))
            start += len(d.sentences)

    def _scores(self, question: str) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, question: str, document: str | None, k: int) -> Ranked:
        scores = self._scores(question)
        lo, hi = self.span[document] if document is not None else (0, len(scores))
        part = scores[lo:hi]
        order = np.lexsort((np.arange(len(part)), -part))[:k]
        return [(*self.where[lo + i], float(part[i]), 0.0) for i in order if part[i] > 0]


class PlainTfidf(_FlatRanker):
    """scikit-learn's TfidfVectorizer with its defaults and English stop words; cosine similarity."""

    def __init__(self, answer_set: AnswerSet):
        super().__init__(answer_set)
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer = TfidfVectorizer(stop_words="english")
        self.matrix = self.vectorizer.fit_transform(self.texts).T.tocsr()

    def _scores(self, question: str) -> np.ndarray:
        q = self.vectorizer.transform([question])
        return np.asarray((q @ self.matrix).todense()).ravel()


class Bm25s(_FlatRanker):
    """bm25s (Lucene BM25, k1 = 1.5, b = 0.75) with its English stop words and the Snowball stemmer."""

    def __init__(self, answer_set: AnswerSet):
        super().__init__(answer_set)
        import bm25s
        import Stemmer

        self._bm25s = bm25s
        self.stemmer = Stemmer.Stemmer("english")
        tokens = bm25s.tokenize(self.texts, stopwords="en", stemmer=self.stemmer, show_progress=False)
        self.retriever = bm25s.BM25()
        self.retriever.index(tokens, show_progress=False)

    def _scores(self, question: str) -> np.ndarray:
        words = self._bm25s.tokenize([question], stopwords="en", stemmer=self.stemmer, return_ids=False,
                                     show_progress=False)[0]
        known = [w for w in words if w in self.retriever.vocab_dict]
        if not known:
            return np.zeros(len(self.texts), np.float32)
        return np.asarray(self.retriever.get_scores(known), np.float32)


def best_threshold(ranker: Ranker, questions: Sequence[Question]) -> float:
    """The top-score threshold with the best answer-triggering F1 (chosen on train for the peers)."""
    tops = []
    for q in questions:
        ranked = ranker(q.text, q.document, 1)
        if ranked:
            tops.append((ranked[0][2], bool(q.labels[ranked[0][1]])))
    return best_f1_threshold(tops, sum(q.answerable for q in questions))


def best_f1_threshold(tops: Sequence[tuple[float, bool]], answerable: int) -> float:
    """The threshold on the top score that gives the best answer-triggering F1, from each question's
    (top score, whether the top sentence is right); `answerable` questions have a right sentence."""
    best, best_f1 = float("inf"), -1.0
    for threshold in sorted({t for t, _ in tops}):
        given = [r for t, r in tops if t >= threshold]
        right = sum(given)
        if not right:
            continue
        p, r = right / len(given), right / answerable
        f1 = 2 * p * r / (p + r)
        if f1 > best_f1:
            best, best_f1 = threshold, f1
    return best


# -- the table -------------------------------------------------------------------------------------
COLUMNS = ["wikiqa MAP", "wikiqa MRR", "pooled P@1", "pooled MRR@10", "triggering P", "triggering R",
           "triggering F1", "trecqa MAP", "trecqa MRR"]


def measure(wiki_dev: AnswerSet, trec_dev: AnswerSet, wiki_train: AnswerSet | None, work: Path,
            peers: bool = True) -> dict[str, dict[str, float]]:
    """Every figure of the table, for newsbot and (with `peers`) plain TF-IDF and bm25s."""
    rows: dict[str, dict[str, float]] = {}
    makers: list[tuple[str, Callable[[AnswerSet, Path], Ranker]]] = [("newsbot", Newsbot)]
    if peers:
        makers += [("plain TF-IDF (scikit-learn)", lambda s, f: PlainTfidf(s)),
                   ("bm25s", lambda s, f: Bm25s(s))]
    for name, make in makers:
        wiki = make(wiki_dev, work / f"{name[:4]}-wikiqa-dev")
        trec = make(trec_dev, work / f"{name[:4]}-trecqa-dev")
        if name == "newsbot":
            accept = bot_accepts(AnswerSettings())
        elif wiki_train is not None:
            threshold = best_threshold(make(wiki_train, work / f"{name[:4]}-wikiqa-train"), wiki_train.questions)
            accept = (lambda t: lambda top: top[2] >= t)(threshold)
        else:
            accept = lambda top: True  # noqa: E731
        answerable = [q for q in wiki_dev.questions if q.answerable]
        a = per_article(wiki, answerable)
        p = pooled(wiki, answerable)
        t = triggering(wiki, wiki_dev.questions, accept)
        r = per_article(trec, [q for q in trec_dev.questions if q.mixed])
        rows[name] = {
            "wikiqa MAP": a["MAP"], "wikiqa MRR": a["MRR"], "pooled P@1": p["P@1"], "pooled MRR@10": p["MRR@10"],
            "triggering P": t["precision"], "triggering R": t["recall"], "triggering F1": t["F1"],
            "trecqa MAP": r["MAP"], "trecqa MRR": r["MRR"],
        }
        if name == "newsbot":
            rows[name].update(tiers(wiki, wiki_dev.questions, AnswerSettings()))
    return rows


TIER_COLUMNS = [f"{t} {what}" for t in ("answer", "maybe", "none") for what in ("share", "P")]


def tiers(ranker: Ranker, questions: Sequence[Question], settings: AnswerSettings) -> dict[str, float]:
    """The share of the questions (asked of their own article) in each confidence tier of the bot's
    decline (AnswerSettings.confidence; a question with no match is "none"), and the share of each
    tier whose top sentence is right."""
    found: dict[str, list[bool]] = {"answer": [], "maybe": [], "none": []}
    for q in questions:
        ranked = ranker(q.text, q.document, 1)
        tier = settings.confidence(ranked[0][2], ranked[0][3]) if ranked else "none"
        found[tier].append(bool(ranked) and bool(q.labels[ranked[0][1]]))
    out = {}
    for tier, right in found.items():
        out[f"{tier} share"] = len(right) / max(len(questions), 1)
        out[f"{tier} P"] = sum(right) / len(right) if right else float("nan")
    return out


def ablation(wiki_dev: AnswerSet, trec_dev: AnswerSet, work: Path) -> str:
    """Newsbot's dev figures as the evidence is added one piece at a time, then with each piece taken out."""
    wiki, trec = Newsbot(wiki_dev, work / "ablation-wikiqa"), Newsbot(trec_dev, work / "ablation-trecqa")
    steps = ablation_steps()
    cols = ["wikiqa MAP", "wikiqa MRR", "pooled P@1", "triggering F1", "trecqa MAP", "trecqa MRR"]
    width = max(len(name) for name, *_ in steps)
    lines = [f"{'':{width}}" + "".join(c.rjust(15) for c in cols)]
    answerable = [q for q in wiki_dev.questions if q.answerable]
    mixed = [q for q in trec_dev.questions if q.mixed]
    for name, rank, index_settings, answer_settings in steps:
        for bot in (wiki, trec):
            use_settings(bot.index, rank, index_settings)
        a, t, r = per_article(wiki, answerable), triggering(wiki, wiki_dev.questions, bot_accepts(answer_settings)), per_article(trec, mixed)
        figures = [a["MAP"], a["MRR"], pooled(wiki, answerable)["P@1"], t["F1"], r["MAP"], r["MRR"]]
        lines.append(f"{name:{width}}" + "".join(f"{x:.3f}".rjust(15) for x in figures))
    return "\n".join(lines)


def use_settings(index: CorpusIndex, rank: RankSettings, index_settings: IndexSettings) -> None:
    """Rank and read questions by these settings from now on (the one place the ablations reach inside)."""
    index.settings, index.index.settings = rank, index_settings


def ablation_steps() -> list[tuple[str, RankSettings, IndexSettings, AnswerSettings]]:
    """(name, rank settings, index settings, decline rule) of each ablation row: from the TF-IDF cosine
    alone, the evidence added one piece at a time up to newsbot's, then newsbot with each piece taken out."""
    from dataclasses import replace

    full, index_full, answer = RankSettings(), IndexSettings(), AnswerSettings()
    pieces = ["headline_weight", "article_weight", "neighbour_weight", "lead_weight", "bigram_weight",
              "proximity_weight", "answer_type_weight", "lede_weight", "novelty_weight", "news_position_weight",
              "cosine_weight"]
    bare = replace(full, coverage_weight=0.0, **{p: 0.0 for p in pieces})
    no_forms = replace(index_full, related_max_terms=0)
    steps = [("TF-IDF cosine alone", replace(bare, cosine_weight=1.0), no_forms, answer),
             ("idf-weighted coverage instead of cosine", replace(bare, coverage_weight=1.0), no_forms, answer)]
    settings = replace(bare, coverage_weight=1.0)
    for p in pieces:
        settings = replace(settings, **{p: getattr(full, p)})
        steps.append((f"+ {p.removesuffix('_weight').replace('_', ' ')} ({getattr(full, p)})", settings, no_forms, answer))
    steps.append(("+ other forms of question words (= newsbot)", full, index_full, answer))
    old = AnswerSettings(min_coverage=0.5, min_score=0.2)
    steps.append((f"  decline rule before calibration ({old.min_coverage}, {old.min_score})", full, index_full, old))
    for p in pieces:
        steps.append((f"newsbot without {p.removesuffix('_weight').replace('_', ' ')}", replace(full, **{p: 0.0}),
                      index_full, answer))
    return steps


def table(rows: dict[str, dict[str, float]]) -> str:
    allrows = dict(rows)
    for name, figures in PUBLISHED:
        allrows[name] = figures
    width = max(len(n) for n in allrows)
    head = "".join(c.rjust(15) for c in COLUMNS)
    lines = [f"{'':{width}}{head}"]
    for name, figures in allrows.items():
        cells = "".join((f"{figures[c]:.3f}" if c in figures else "-").rjust(15) for c in COLUMNS)
        lines.append(f"{name:{width}}{cells}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="folder with wikiqa/ and trecqa/")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions of each set")
    parser.add_argument("--no-peers", action="store_true", help="newsbot only")
    parser.add_argument("--ablation", action="store_true", help="newsbot's figures with each piece of evidence")
    args = parser.parse_args(argv)
    data = data_folder(args.data)
    if not (data / "wikiqa" / "WikiQA-dev.tsv").is_file() or not (data / "trecqa" / "dev.csv").is_file():
        print(f"quality: no WikiQA/TrecQA data in {data} (see --data)", file=sys.stderr)
        return 1
    wiki_dev = read_wikiqa(data / "wikiqa" / "WikiQA-dev.tsv", args.limit)
    trec_dev = read_trecqa(data / "trecqa" / "dev.csv", args.limit)
    wiki_train = None if args.no_peers else read_wikiqa(data / "wikiqa" / "WikiQA-train.tsv", args.limit)
    if args.ablation:
        with tempfile.TemporaryDirectory(prefix="newsbot-quality-") as tmp:
            print(ablation(wiki_dev, trec_dev, Path(tmp)))
        return 0
    with tempfile.TemporaryDirectory(prefix="newsbot-quality-") as tmp:
        rows = measure(wiki_dev, trec_dev, wiki_train, Path(tmp), peers=not args.no_peers)
    print(f"dev splits: WikiQA {sum(q.answerable for q in wiki_dev.questions)} questions with an answer "
          f"of {len(wiki_dev.questions)}; TrecQA {sum(q.mixed for q in trec_dev.questions)} pools scored")
    print(table(rows))
    print("newsbot's confidence tiers on WikiQA dev (share of all questions; P: top sentence right): "
          + ", ".join(f"{c} {rows['newsbot'][c]:.3f}" for c in TIER_COLUMNS))
    print("peers' decline threshold: the top score with the best answer-triggering F1 on WikiQA train; "
          "newsbot's: its own AnswerSettings. Published figures are on WikiQA test.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
