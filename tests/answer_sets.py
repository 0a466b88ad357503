"""WikiQA and TrecQA as article folders the bot loads, and the protocols that score a ranker on them.

Shared by tests/test_quality_subset.py (floors on newsbot's dev figures) and benchmarks/quality.py
(the whole table, with the peers). Protocols, all on the dev splits:

- WikiQA per article: rank the sentences of the question's own article; MAP and MRR over questions with
  a correct sentence (the WikiQA paper's protocol). Sentences the ranker does not score follow, in
  article order.
- WikiQA pooled: one search over all dev articles; P@1 and MRR@10 over questions with a correct sentence.
- WikiQA answer triggering: over all questions, answer from the own article or decline; precision =
  right answers / answers given, recall = right answers / questions with a correct sentence, F1.
- TrecQA per pool: each question's candidates are one article; MAP and MRR over questions with at
  least one right and one wrong candidate.
"""

from __future__ import annotations

import csv
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from bot.service import AnswerSettings
from retrieval import CorpusIndex, open_corpus
from retrieval.articles import clean_text, is_boilerplate

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


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


def bot_accepts(settings: AnswerSettings) -> Callable[[tuple[str, int, float, float]], bool]:
    """The bot's own decline rule (bot.service.AnswerSettings) on a top-ranked sentence."""
    return lambda top: settings.accepts(top[2], top[3])
