"""Answer quality on public answer-selection sets (WikiQA, TrecQA): newsbot against plain TF-IDF and bm25s.

    python benchmarks/quality.py [--data DIR] [--limit N] [--no-peers] [--ablation]

Reads the sets from ../shared/data/ beside the repository (or --data, or $NEWSBOT_QA_DATA), turns them
into article folders in a temporary directory (one article per WikiQA document, its title as headline,
its sentences in order, one per line; one article per TrecQA question pool) and loads them the way the
bot loads any corpus. Nothing of the data is written into the repository.

Protocols, all on the dev splits (train is only used to pick the peers' decline thresholds):

- WikiQA per article: rank the sentences of the question's own article; MAP and MRR over questions with
  a correct sentence (the WikiQA paper's protocol). Sentences the ranker does not score follow, in
  article order.
- WikiQA pooled: one search over all dev articles; P@1 and MRR@10 over questions with a correct sentence.
- WikiQA answer triggering: over all questions, answer from the own article or decline; precision =
  right answers / answers given, recall = right answers / questions with a correct sentence, F1.
- TrecQA per pool: each question's candidates are one article; MAP and MRR over questions with at
  least one right and one wrong candidate.

The idf is the one a real corpus would have: every protocol loads all articles of the split as one
corpus (all dev WikiQA articles, all dev TrecQA pools) and restricts the search to one article where
the protocol asks for it. The peers index the same sentences the same way.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from retrieval import IndexSettings, RankSettings  # noqa: E402
from retrieval.articles import clean_text, is_boilerplate  # noqa: E402
from retrieval.corpus import CorpusIndex, open_corpus  # noqa: E402

from bot.service import AnswerSettings  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"

# Published figures from ../shared/data/README.md (WikiQA: test split, MAP / MRR; answer triggering F1).
PUBLISHED = [
    ("word count (Yang et al. 2015, test)", {"wikiqa MAP": 0.489, "wikiqa MRR": 0.492}),
    ("IDF-weighted word count (test)", {"wikiqa MAP": 0.510, "wikiqa MRR": 0.513}),
    ("LCLR (test)", {"wikiqa MAP": 0.599, "wikiqa MRR": 0.609}),
    ("CNN (test)", {"wikiqa MAP": 0.619, "wikiqa MRR": 0.628}),
    ("CNN + word count (test)", {"wikiqa MAP": 0.652, "wikiqa MRR": 0.665, "triggering F1": 0.32}),
]


# -- the data --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Document:
    id: str
    title: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    document: str
    labels: tuple[int, ...]  # 1 for each sentence of the document that answers it

    @property
    def answerable(self) -> bool:
        return any(self.labels)

    @property
    def mixed(self) -> bool:
        """At least one right and one wrong candidate (the TrecQA protocol's questions)."""
        return any(self.labels) and not all(self.labels)


@dataclass(frozen=True)
class AnswerSet:
    name: str
    documents: tuple[Document, ...]
    questions: tuple[Question, ...]


def data_folder(given: Path | str | None = None) -> Path:
    if given:
        return Path(given)
    env = os.environ.get("NEWSBOT_QA_DATA")
    return Path(env) if env else DEFAULT_DATA


def read_wikiqa(path: Path, limit: int | None = None) -> AnswerSet:
    """WikiQA's TSV: one row per (question, sentence of the question's document), in document order."""
    documents: dict[str, Document] = {}
    rows_of: dict[str, list[dict]] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            rows_of.setdefault(row["QuestionID"], []).append(row)
    questions = []
    for qid, rows in rows_of.items():
        if limit is not None and len(questions) >= limit:
            break
        doc = rows[0]["DocumentID"]
        order = sorted(rows, key=lambda r: int(r["SentenceID"].rsplit("-", 1)[1]))
        if doc not in documents:
            documents[doc] = Document(doc, rows[0]["DocumentTitle"], tuple(r["Sentence"] for r in order))
        questions.append(Question(qid, rows[0]["Question"], doc, tuple(int(r["Label"]) for r in order)))
    return AnswerSet(f"WikiQA {path.stem}", tuple(documents.values()), tuple(questions))


def read_trecqa(path: Path, limit: int | None = None) -> AnswerSet:
    """TrecQA's CSV (qtext, label, atext): a question's rows in a block; each block becomes one article.

    The file lists each question's right candidates first, so a pool's order would give its labels away
    to any position or neighbour evidence (and to tie-breaking): each pool is shuffled, with a seed
    fixed per pool so every run sees the same order.
    """
    pools: dict[str, list[tuple[str, int]]] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            pools.setdefault(row["qtext"], []).append((row["atext"], int(row["label"])))
    documents, questions = [], []
    for number, (question, rows) in enumerate(pools.items(), 1):
        if limit is not None and len(questions) >= limit:
            break
        doc = f"pool{number:04d}"
        rows = list(rows)
        random.Random(number).shuffle(rows)
        # The pool has no headline; its id stands in (no word of it is in any sentence).
        documents.append(Document(doc, doc, tuple(text for text, _ in rows)))
        questions.append(Question(f"T{number}", question, doc, tuple(label for _, label in rows)))
    return AnswerSet(f"TrecQA {path.stem}", tuple(documents), tuple(questions))


def write_articles(answer_set: AnswerSet, folder: Path) -> None:
    """One .txt article per document: the title in front matter, then one sentence per line."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc in answer_set.documents:
        lines = ["---", f"title: {clean_text(doc.title) or doc.id}", "---", *doc.sentences]
        (folder / f"{doc.id}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- rankers: (question, document or None for all, k) -> [(document, sentence number, score, coverage)]
Ranked = list[tuple[str, int, float, float]]
Ranker = Callable[[str, "str | None", int], Ranked]


class Newsbot:
    """The bot's own retrieval over the articles written from an answer set."""

    def __init__(self, answer_set: AnswerSet, folder: Path):
        self.answer_set = answer_set
        write_articles(answer_set, folder)
        self.index: CorpusIndex = open_corpus(folder, use_cache=False)
        by_id = {d.id: d for d in answer_set.documents}
        # Each corpus sentence back to (document, sentence number): lines map to paragraphs one to one,
        # except the boilerplate lines the parser drops; pysbd may split a line into several sentences.
        kept = {}
        for doc in answer_set.documents:
            kept[doc.id] = [i for i, s in enumerate(doc.sentences) if clean_text(s) and not is_boilerplate(clean_text(s))]
        self.origin = [(s.article_id, kept[s.article_id][s.paragraph - 1]) for s in self.index.corpus.sentences]
        assert all(d in by_id for d, _ in self.origin)

    def __call__(self, question: str, document: str | None, k: int) -> Ranked:
        hits = self.index.search(question, k=k, article=document)
        return _dedup([(*self.origin[h.position], h.score, h.coverage) for h in hits])

    def hits(self, question: str, document: str | None, k: int):
        return self.index.search(question, k=k, article=document)


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


def _dedup(ranked: Ranked) -> Ranked:
    """Keep each (document, sentence) once, at its best rank (a line pysbd split counts once)."""
    seen, out = set(), []
    for item in ranked:
        if item[:2] not in seen:
            seen.add(item[:2])
            out.append(item)
    return out


# -- protocols -------------------------------------------------------------------------------------
def _full_ranking(ranked: Ranked, question: Question) -> list[int]:
    """Sentence numbers of the question's document, ranked; those not scored follow in article order."""
    order = [i for d, i, *_ in ranked if d == question.document]
    rest = [i for i in range(len(question.labels)) if i not in set(order)]
    return order + rest


def average_precision(ranking: Sequence[int], labels: Sequence[int]) -> float:
    hits, total = 0, 0.0
    for rank, i in enumerate(ranking, 1):
        if labels[i]:
            hits += 1
            total += hits / rank
    return total / max(1, sum(labels))


def reciprocal_rank(ranking: Sequence[int], labels: Sequence[int]) -> float:
    return next((1 / rank for rank, i in enumerate(ranking, 1) if labels[i]), 0.0)


def per_article(ranker: Ranker, questions: Iterable[Question]) -> dict[str, float]:
    aps, rrs = [], []
    for q in questions:
        ranking = _full_ranking(ranker(q.text, q.document, len(q.labels) + 5), q)
        aps.append(average_precision(ranking, q.labels))
        rrs.append(reciprocal_rank(ranking, q.labels))
    return {"MAP": float(np.mean(aps)), "MRR": float(np.mean(rrs)), "questions": len(aps)}


def pooled(ranker: Ranker, questions: Iterable[Question]) -> dict[str, float]:
    p1, rrs = [], []
    for q in questions:
        ranked = ranker(q.text, None, 10)
        ranks = [r for r, (d, i, *_) in enumerate(ranked, 1) if d == q.document and q.labels[i]]
        p1.append(float(bool(ranks) and ranks[0] == 1))
        rrs.append(1 / ranks[0] if ranks else 0.0)
    return {"P@1": float(np.mean(p1)), "MRR@10": float(np.mean(rrs)), "questions": len(p1)}


def triggering(ranker: Ranker, questions: Iterable[Question],
               accept: Callable[[tuple[str, int, float, float]], bool]) -> dict[str, float]:
    """Answer triggering as in the WikiQA paper: answer from the own article or decline."""
    answered = right = answerable = 0
    for q in questions:
        answerable += q.answerable
        ranked = ranker(q.text, q.document, 1)
        if ranked and accept(ranked[0]):
            answered += 1
            right += bool(q.labels[ranked[0][1]])
    precision = right / answered if answered else 0.0
    recall = right / answerable if answerable else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "F1": f1, "questions": answered}


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


def bot_accepts(settings: AnswerSettings) -> Callable[[tuple[str, int, float, float]], bool]:
    """The bot's own decline rule (bot.service.AnswerSettings) on a top-ranked sentence."""
    return lambda top: settings.accepts(top[2], top[3])


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
    return rows


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
    pieces = ["headline_weight", "neighbour_weight", "lead_weight", "bigram_weight", "proximity_weight",
              "answer_type_weight", "cosine_weight"]
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
    print("peers' decline threshold: the top score with the best answer-triggering F1 on WikiQA train; "
          "newsbot's: its own AnswerSettings. Published figures are on WikiQA test.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
