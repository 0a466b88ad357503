"""Every Answer's repr over scale.py's questions, one a line: to tell that a speed change left the answers alone.

    python benchmarks/answer_reprs.py out.txt                 # 200k real sentences, 1,000 questions
    python benchmarks/answer_reprs.py out.txt --size 10k      # smaller, quicker
    cmp main.txt branch.txt                                   # run once in each tree, then compare

The corpus and questions are scale.py's answer path's (the same seed): the real-text sentences as articles
of 20, indexed, saved to a corpus cache and loaded again, then each question asked (top 3), and the first
300 asked again for More (skip 3, top 5). Reprs hold every score, margin and matched word, so any change in
ranking or in what a passage carries shows as a differing line.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from corpora import DATA, draw_questions, real_sentences  # noqa: E402
from scale import parse_sizes  # noqa: E402

from bot.service import AnsweringService  # noqa: E402
from retrieval.corpus import CorpusIndex  # noqa: E402
from retrieval.tfidf import SentenceIndex  # noqa: E402
from tests.synthetic_text import as_corpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", type=lambda s: parse_sizes(s)[0], default=200_000)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args(argv)
    texts = real_sentences(args.size, data=args.data)
    questions = draw_questions(texts, args.questions)
    index = SentenceIndex.build(texts)
    corpus = as_corpus(texts)
    with tempfile.TemporaryDirectory(prefix="newsbot-reprs-") as tmp:
        CorpusIndex(corpus, index, index.vectorize([a.title for a in corpus.articles])).save(
            Path(tmp) / "cache", {"corpus": "benchmark"})
        service = AnsweringService(CorpusIndex.load(Path(tmp) / "cache", {"corpus": "benchmark"}))
        with open(args.out, "w", encoding="utf-8") as out:
            for q in questions:
                out.write(repr(service.ask(q)) + "\n")
            for q in questions[:300]:
                out.write(repr(service.ask(q, top_k=5, skip=3)) + "\n")
    print(f"wrote {len(questions) + min(300, len(questions))} answers to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
