"""Answer quality on a news archive (NewsQA stories among BBC articles): newsbot beside bm25s and scikit-learn TF-IDF.

    python benchmarks/news.py [--data DIR] [--questions N] [--seed S] [--quick] [--ablation]

One corpus like a newsroom's archive (benchmarks/news_archive.py): every NewsQA story of the shared
half but a seeded 30, which are left out, and 800 seeded BBC articles, written as article files into a
temporary folder and opened as the bot opens any corpus (`AnsweringService.open`). A NewsQA story's
headline is its lede's first sentence (the release has none). The questions are a seeded sample of
those whose answer span lies inside one sentence as newsbot splits the story; a sentence is right when
it holds the answer span, in the question's own article.

Each question is asked of its own article (`article=`) and of the whole archive: P@1 and MRR@10 both
ways, whether the first answer is from the right article, and the share the bot answers (does not
decline). Answer triggering is over the questions and every question about a left-out story, asked of
the whole archive: precision = right answers / answers given, recall = right answers / questions with
an answer in the archive. Newsbot declines by its own AnswerSettings; a peer answers when its top score
reaches a threshold picked for the best F1 on the other of two seeded folds of the questions (split by
story), so no question is scored with a threshold picked on it.

The peers rank the very sentences newsbot made (bm25s as benchmarks/quality.py runs it, k1 1.5,
b 0.75, Snowball stems; scikit-learn's TfidfVectorizer, cosine), over the whole archive or one article.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

if __package__ in (None, ""):  # run as a script: the repository root, for `benchmarks` itself
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import news_archive as archive_files  # noqa: E402
from benchmarks.news_archive import Archive, NewsQuestion  # noqa: E402
from benchmarks.quality import Bm25s, PlainTfidf, ablation_steps, best_f1_threshold, use_settings  # noqa: E402
from bot.service import AnswerSettings, AnsweringService  # noqa: E402
from retrieval import IndexSettings, RankSettings  # noqa: E402
from tests.answer_sets import AnswerSet, Document, data_folder  # noqa: E402


@dataclass(frozen=True)
class Plan:
    """How big an archive and how many questions; the defaults are the benchmark's."""

    left_out: int = 30
    distractors: int = 800
    questions: int = 1200
    seed: int = 11
    stories: int | None = None  # a seeded subset of the NewsQA stories (None: all)


# The small archive of `--quick` and of tests/test_news_subset.py.
QUICK = Plan(left_out=4, distractors=100, questions=150, stories=24)


@dataclass(frozen=True)
class Setup:
    """An opened archive and its questions, each with the corpus positions of its right sentences."""

    service: AnsweringService
    sentences: list[tuple[str, int, str]]  # by corpus position: (article id, paragraph, text)
    questions: tuple[NewsQuestion, ...]  # answerable, each asked of its own article and of the whole
    unanswerable: tuple[NewsQuestion, ...]  # about the left-out stories
    right: dict[str, tuple[int, ...]]
    eligible: int  # questions about archive stories whose answer lies inside one sentence
    lost: int  # sentences that could not be placed in their story's text (0 expected)


def open_archive(data: Path, plan: Plan, work: Path) -> Setup:
    stories, questions = archive_files.read_newsqa(data / archive_files.NEWSQA_FILE)
    bbc = archive_files.read_bbc(data / archive_files.BBC_FILE)
    archive: Archive = archive_files.choose(stories, bbc, plan.left_out, plan.distractors, plan.seed, plan.stories)
    folder = work / "archive"
    archive.write(folder)
    service = AnsweringService.open(folder, work / "cache")
    sentences = corpus_sentences(service)
    right, lost = archive_files.answer_sentences(archive.articles, questions, sentences)
    eligible = [q for q in questions if right.get(q.id)]
    rng = random.Random(plan.seed)
    sample = sorted(rng.sample(eligible, min(plan.questions, len(eligible))), key=lambda q: q.id)
    held = set(archive.left_out)
    return Setup(service, sentences, tuple(sample), tuple(q for q in questions if q.story in held), right,
                 len(eligible), lost)


def corpus_sentences(service: AnsweringService) -> list[tuple[str, int, str]]:
    """(article id, paragraph, text) of every sentence newsbot made, by corpus position: the one place
    this benchmark reads the corpus' insides."""
    corpus = service.index.corpus
    ids = corpus.article_ids
    return [(ids[a], s.paragraph, s.text) for a, s in zip(corpus.article_of.tolist(), corpus.sentences)]


# -- rankers: (question, article id or None for the whole archive)
#    -> (positions, top score, answered or None, confidence tier or None)
Ranked = tuple[list[int], float, "bool | None", "str | None"]
Ranker = Callable[[str, "str | None"], Ranked]


def newsbot(service: AnsweringService) -> Ranker:
    def ask(question: str, article: str | None) -> Ranked:
        answer = service.ask(question, 10, article=article)
        passages = answer.passages
        return ([p.position for p in passages], passages[0].score if passages else 0.0, answer.answered,
                answer.confidence)
    return ask


def peer(kind: type, sentences: Sequence[tuple[str, int, str]]) -> Ranker:
    """A quality.py peer (PlainTfidf or Bm25s) over newsbot's sentences, one document per article."""
    texts: dict[str, list[str]] = {}
    first: dict[str, int] = {}
    for position, (article, _, text) in enumerate(sentences):
        first.setdefault(article, position)
        texts.setdefault(article, []).append(text)
    ranker = kind(AnswerSet("news archive", tuple(Document(a, a, tuple(t)) for a, t in texts.items()), ()))

    def ask(question: str, article: str | None) -> Ranked:
        ranked = ranker(question, article, 10)
        return [first[d] + i for d, i, *_ in ranked], ranked[0][2] if ranked else 0.0, None, None
    return ask


# -- scoring --------------------------------------------------------------------------------------
COLUMNS = ["own P@1", "own MRR@10", "whole P@1", "whole MRR@10", "right article", "answered",
           "left-out answered", "trigger P", "trigger R", "trigger F1"]


def measure(setup: Setup, ranker: Ranker, seed: int = 11) -> dict[str, float]:
    """Every figure of the table for one ranker."""
    article_of = [a for a, _, _ in setup.sentences]
    own_p1, own_rr, p1, rr, article_first = [], [], [], [], []
    tops: list[tuple[str, float, bool, bool | None]] = []  # story, top score, top right, answered
    tiers: list[str | None] = []
    for q in setup.questions:
        right = set(setup.right[q.id])
        own = ranker(q.text, q.story)[0]
        whole, top, answered, tier = ranker(q.text, None)
        tiers.append(tier)
        own_p1.append(bool(own) and own[0] in right)
        own_rr.append(_reciprocal_rank(own, right))
        p1.append(bool(whole) and whole[0] in right)
        rr.append(_reciprocal_rank(whole, right))
        article_first.append(bool(whole) and article_of[whole[0]] == q.story)
        tops.append((q.story, top, p1[-1], answered))
    for q in setup.unanswerable:
        whole, top, answered, tier = ranker(q.text, None)
        tops.append((q.story, top, False, answered))
        tiers.append(tier)
    answered = _decisions(tops, len(setup.questions), seed)
    n = len(setup.questions)
    given = sum(answered)
    right = sum(a and r for a, (_, _, r, _) in zip(answered, tops))
    precision, recall = right / given if given else 0.0, right / n
    return {
        **tier_figures(tiers, [r for _, _, r, _ in tops]),
        "own P@1": _mean(own_p1), "own MRR@10": _mean(own_rr), "whole P@1": _mean(p1), "whole MRR@10": _mean(rr),
        "right article": _mean(article_first), "answered": _mean(answered[:n]),
        "left-out answered": _mean(answered[n:]), "trigger P": precision, "trigger R": recall,
        "trigger F1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
    }


TIERS = ("answer", "maybe", "none")
TIER_COLUMNS = [f"{t} {what}" for t in TIERS for what in ("share", "P")]


def tier_figures(tiers: Sequence[str | None], right: Sequence[bool]) -> dict[str, float]:
    """The share of all questions (answerable and left-out) in each confidence tier, and the share of
    those whose top sentence is right (nan for a ranker without tiers)."""
    out = {}
    for t in TIERS:
        mine = [r for tier, r in zip(tiers, right) if tier == t]
        known = all(tier is not None for tier in tiers)
        out[f"{t} share"] = len(mine) / len(tiers) if known and tiers else float("nan")
        out[f"{t} P"] = _mean(mine) if known and mine else float("nan")
    return out


def _decisions(tops: list[tuple[str, float, bool, bool | None]], answerable: int, seed: int) -> list[bool]:
    """Whether each question is answered: the ranker's own decision, else a threshold on the top score
    picked for the best F1 on the other fold (two seeded folds of the stories)."""
    if all(a is not None for *_, a in tops):
        return [bool(a) for *_, a in tops]
    stories = sorted({s for s, *_ in tops})
    fold = {s: i % 2 for i, s in enumerate(random.Random(seed).sample(stories, len(stories)))}
    threshold = {}
    for f in (0, 1):
        other = [(i, top, r) for i, (s, top, r, _) in enumerate(tops) if fold[s] != f]
        threshold[f] = best_f1_threshold([(top, r) for _, top, r in other],
                                         sum(1 for i, *_ in other if i < answerable))
    return [top > 0 and top >= threshold[fold[s]] for s, top, _, _ in tops]


def _reciprocal_rank(ranked: list[int], right: set[int]) -> float:
    return next((1 / rank for rank, p in enumerate(ranked[:10], 1) if p in right), 0.0)


def _mean(values: Sequence[float | bool]) -> float:
    return sum(values) / len(values) if values else 0.0


def table(rows: dict[str, dict[str, float]], columns: Sequence[str] = COLUMNS) -> str:
    width = max(len(name) for name in rows)
    lines = [f"{'':{width}}" + "".join(c.rjust(12 if len(c) < 12 else len(c) + 2) for c in columns)]
    for name, figures in rows.items():
        lines.append(f"{name:{width}}" + "".join(f"{figures[c]:.3f}".rjust(12 if len(c) < 12 else len(c) + 2)
                                               for c in columns))
    return "\n".join(lines)


def ablation(setup: Setup) -> str:
    """Newsbot's figures as quality.py's ablation steps set its evidence (benchmarks/quality.py)."""
    service, rows = setup.service, {}
    try:
        for name, rank, index_settings, answer in ablation_steps():
            use_settings(service.index, rank, index_settings)
            service.settings = answer
            rows[name] = measure(setup, newsbot(service))
    finally:  # back to the defaults the archive was opened with
        use_settings(service.index, RankSettings(), IndexSettings())
        service.settings = AnswerSettings()
    return table(rows, ["own P@1", "whole P@1", "whole MRR@10", "right article", "trigger F1"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="folder with newsqa/ and bbc/ (../shared/data)")
    parser.add_argument("--questions", type=int, default=None, help="how many questions to sample (1200)")
    parser.add_argument("--seed", type=int, default=None, help="seed of every sample (11)")
    parser.add_argument("--quick", action="store_true",
                        help="the CI test's small archive: 24 stories (4 left out), 100 BBC, up to 150 questions")
    parser.add_argument("--ablation", action="store_true",
                        help="newsbot's figures with each piece of evidence on and off")
    args = parser.parse_args(argv)
    data = data_folder(args.data)
    missing = [f for f in (archive_files.NEWSQA_FILE, archive_files.BBC_FILE) if not (data / f).is_file()]
    if missing:
        print(f"news: {', '.join(map(str, missing))} not found in {data} (see --data)", file=sys.stderr)
        return 1
    plan = QUICK if args.quick else Plan()
    if args.questions is not None or args.seed is not None:
        from dataclasses import replace
        plan = replace(plan, **{k: v for k, v in (("questions", args.questions), ("seed", args.seed)) if v is not None})
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsbot-news-") as tmp:
        setup = open_archive(data, plan, Path(tmp))
        built = time.perf_counter() - started
        print(f"archive: {len(setup.service.sources())} articles ({len(setup.service.sources()) - plan.distractors} "
              f"NewsQA stories, {plan.distractors} BBC), {len(setup.sentences):,} sentences, built in {built:.1f} s; "
              f"{len(setup.questions)} questions of {setup.eligible} with the answer inside one sentence, "
              f"{len(setup.unanswerable)} about {plan.left_out} left-out stories; seed {plan.seed}"
              + (f"; {setup.lost} sentences not placed in their story" if setup.lost else ""))
        if args.ablation:
            print(ablation(setup))
        else:
            rows, seconds = {}, {}
            for name, make in (("newsbot", lambda: newsbot(setup.service)),
                               ("bm25s (k1 1.5, b 0.75)", lambda: peer(Bm25s, setup.sentences)),
                               ("scikit-learn TF-IDF", lambda: peer(PlainTfidf, setup.sentences))):
                start = time.perf_counter()
                rows[name] = measure(setup, make(), plan.seed)
                seconds[name] = time.perf_counter() - start
            print(table(rows))
            print("confidence tiers over every question asked of the whole archive (share; P: top sentence right):")
            print(table({"newsbot": rows["newsbot"]}, TIER_COLUMNS))
            print("seconds (index for the peers, then every question twice): "
                  + ", ".join(f"{n} {s:.1f}" for n, s in seconds.items()))
        print("NewsQA headlines are each story's lede's first sentence (the release has none). Newsbot declines by "
              "its AnswerSettings; the peers by a top-score threshold picked on the other fold of the questions.")
    print(f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
