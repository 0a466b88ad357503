"""Sentence search at news-archive scale: newsbot's index against bm25s, rank-bm25 and scikit-learn.

    python benchmarks/scale.py                      # 10k, 100k, 200k and 1M sentences, both corpora
    python benchmarks/scale.py --quick              # 10k and 100k, fewer questions
    python benchmarks/scale.py --sizes 10k,200k --corpora real --data ../shared/data

Every engine indexes the same sentences and answers the same questions in this one process. Each build
runs in a forked child, which saves the index to disk; the child's peak memory above what it started
with is the build's peak memory. The parent then loads the saved index (the cache load time) and times
single-threaded questions, the engine's own tokenising of the question included. The table goes to
stdout, the figures to benchmarks/out/scale.json, and a plot of p50 latency against corpus size to
benchmarks/scale.png.
"""

from __future__ import annotations

import os

# One thread everywhere: the latencies are single-threaded by design (set before numpy loads).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import gc
import json
import pickle
import platform
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from corpora import DATA, WIKIQA_FILES, draw_questions, real_sentences, synthetic_sentences  # noqa: E402
from measure import drop_from_page_cache, in_child, resident_share  # noqa: E402

from retrieval.corpus import CorpusIndex  # noqa: E402
from retrieval.tfidf import SentenceIndex  # noqa: E402
from tests.synthetic_text import as_corpus  # noqa: E402

SIZES = (10_000, 100_000, 200_000, 1_000_000)
RANK_BM25_MAX = 100_000  # rank-bm25 scores every sentence in Python: too slow beyond this
K = 10


# -- the engines ------------------------------------------------------------------------------------
class Newsbot:
    name = "newsbot"

    def build(self, texts, folder):
        SentenceIndex.build(texts).save(folder)

    def load(self, folder):
        return SentenceIndex.load(folder)

    def search(self, index, question):
        return [p for p, _ in index.search(question, K)]


class Bm25s:
    name = "bm25s"

    def __init__(self):
        import Stemmer
        self.stemmer = Stemmer.Stemmer("english")

    def build(self, texts, folder):
        import bm25s
        tokens = bm25s.tokenize(texts, stopwords="en", stemmer=self.stemmer, show_progress=False)
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        retriever.save(str(folder), show_progress=False)

    def load(self, folder):
        import bm25s
        return bm25s.BM25.load(str(folder), mmap=True, show_progress=False)

    def search(self, retriever, question):
        import bm25s
        tokens = bm25s.tokenize([question], stopwords="en", stemmer=self.stemmer, show_progress=False)
        if not tokens.vocab:
            return []
        found, _ = retriever.retrieve(tokens, k=K, show_progress=False, n_threads=0)
        return found[0].tolist()


class RankBm25:
    name = "rank-bm25"
    _token = re.compile(r"(?u)\b\w\w+\b")

    def __init__(self):
        import Stemmer
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
        self.stemmer = Stemmer.Stemmer("english")
        self.stop = ENGLISH_STOP_WORDS

    def tokens(self, text):
        return self.stemmer.stemWords([t for t in self._token.findall(text.lower()) if t not in self.stop])

    def build(self, texts, folder):
        from rank_bm25 import BM25Okapi
        model = BM25Okapi([self.tokens(t) for t in texts])
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "bm25.pickle", "wb") as handle:
            pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)

    def load(self, folder):
        with open(folder / "bm25.pickle", "rb") as handle:
            return pickle.load(handle)

    def search(self, model, question):
        scores = model.get_scores(self.tokens(question))
        top = np.argpartition(-scores, K - 1)[:K]
        return top[np.argsort(-scores[top])].tolist()


class Sklearn:
    """Plain scikit-learn: TfidfVectorizer, then X @ q over the whole corpus."""

    name = "scikit-learn"

    def build(self, texts, folder):
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import TfidfVectorizer
        vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", dtype=np.float32)
        matrix = vectorizer.fit_transform(texts)
        folder.mkdir(parents=True, exist_ok=True)
        sp.save_npz(folder / "matrix.npz", matrix, compressed=False)
        np.save(folder / "idf.npy", vectorizer.idf_)
        vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
        (folder / "vocabulary.json").write_text(json.dumps(vocabulary), encoding="utf-8")

    def load(self, folder):
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import TfidfVectorizer
        vocabulary = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
        vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", dtype=np.float32,
                                     vocabulary={t: i for i, t in enumerate(vocabulary)})
        vectorizer.idf_ = np.load(folder / "idf.npy")
        return vectorizer, sp.load_npz(folder / "matrix.npz").tocsr()

    def search(self, loaded, question):
        vectorizer, matrix = loaded
        q = vectorizer.transform([question]).toarray().ravel()
        scores = matrix @ q
        top = np.argpartition(-scores, K - 1)[:K]
        return top[np.argsort(-scores[top])].tolist()


# -- measuring --------------------------------------------------------------------------------------
def build_in_child(engine, texts, folder: Path) -> dict:
    """Build and save in a forked child: (build seconds, peak memory above its start, size on disk)."""
    out = in_child(engine.build, texts, folder)
    return {"build_s": out["seconds"], "peak_mb": out["peak_mb"],
            "disk_mb": sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20}


def latencies(run, questions: list[str], budget_s: float) -> np.ndarray:
    """Milliseconds per question, after a warm-up; stops early when the time budget is spent."""
    for q in questions[:20]:
        run(q)
    times = []
    spent = 0.0
    for q in questions:
        began = time.perf_counter_ns()
        run(q)
        elapsed = (time.perf_counter_ns() - began) / 1e6
        times.append(elapsed)
        spent += elapsed / 1e3
        if spent > budget_s and len(times) >= 50:
            break
    return np.asarray(times)


def summary(times: np.ndarray) -> dict:
    return {"p50_ms": float(np.percentile(times, 50)), "p99_ms": float(np.percentile(times, 99)),
            "queries": int(len(times))}


def answer_path(texts, questions, index: SentenceIndex, work: Path, budget_s: float) -> dict:
    """The whole path, question -> Answer, through the answering service over a saved and reloaded cache."""
    from bot.service import AnsweringService

    corpus = as_corpus(texts)
    began = time.perf_counter()  # the ranking's own data: headline vectors, the kinds each sentence holds
    built = CorpusIndex(corpus, index, index.vectorize([a.title for a in corpus.articles]))
    ranking_s = time.perf_counter() - began
    folder = work / "corpus-cache"
    built.save(folder, {"corpus": "benchmark"})
    del built, corpus
    gc.collect()
    began = time.perf_counter()
    loaded = CorpusIndex.load(folder, {"corpus": "benchmark"})
    load_s = time.perf_counter() - began
    del loaded
    gc.collect()
    files = sorted(Path(os.path.realpath(folder)).iterdir())
    drop_from_page_cache(files)  # then loaded again cold: every file read from disk for its checksum
    cold = resident_share(files)
    began = time.perf_counter()
    loaded = CorpusIndex.load(folder, {"corpus": "benchmark"})
    cold_load_s = time.perf_counter() - began
    gc.freeze()  # the loaded corpus is long-lived: keep it out of the collector's full passes
    service = AnsweringService(loaded)
    search = summary(latencies(lambda q: loaded.index.search(q, K), questions, budget_s))
    ask = summary(latencies(lambda q: service.ask(q), questions, budget_s))
    hits = latencies(lambda q: loaded.search(q, 3), questions, budget_s)
    gc.unfreeze()
    return {"ranking_build_s": ranking_s, "cache_load_s": load_s, "cache_cold_load_s": cold_load_s,
            "resident_before_cold": cold,
            "cache_mb": sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20,
            "search": search, "corpus_search": summary(hits), "ask": ask,
            "overhead_p50_ms": ask["p50_ms"] - search["p50_ms"]}


def run_size(kind: str, size: int, args, work: Path) -> dict:
    began = time.perf_counter()
    texts = synthetic_sentences(size) if kind == "synthetic" else real_sentences(size, data=args.data)
    questions = draw_questions(texts, args.questions)
    made = time.perf_counter() - began
    print(f"\n{kind} {size:,} sentences (made in {made:.1f} s), {len(questions)} questions", file=sys.stderr)
    engines = [Newsbot(), Bm25s(), Sklearn()]
    if size <= RANK_BM25_MAX and not args.no_rank_bm25:
        engines.append(RankBm25())
    out: dict = {"engines": {}}
    ours = None
    for engine in engines:
        folder = work / f"{kind}-{size}-{engine.name}"
        measured = build_in_child(engine, texts, folder)
        began = time.perf_counter()
        loaded = engine.load(folder)
        measured["load_s"] = time.perf_counter() - began
        budget = args.budget if engine.name != "rank-bm25" else args.budget / 2
        measured.update(summary(latencies(lambda q: engine.search(loaded, q), questions, budget)))
        out["engines"][engine.name] = measured
        print(f"  {engine.name:13s} build {measured['build_s']:7.2f} s  peak {measured['peak_mb']:7.0f} MB  "
              f"load {measured['load_s']:6.3f} s  p50 {measured['p50_ms']:8.3f} ms  "
              f"p99 {measured['p99_ms']:8.3f} ms", file=sys.stderr)
        if engine.name == "newsbot":
            ours = loaded
        else:
            del loaded
        gc.collect()
    if not args.no_answer:
        out["answer"] = answer_path(texts, questions, ours, work / f"{kind}-{size}", args.budget)
        a = out["answer"]
        print(f"  answer path   ask p50 {a['ask']['p50_ms']:.3f} ms (search {a['search']['p50_ms']:.3f} ms, "
              f"+{a['overhead_p50_ms']:.3f}), corpus cache load {a['cache_load_s']:.3f} s warm, "
              f"{a['cache_cold_load_s']:.3f} s cold", file=sys.stderr)
    del ours
    for folder in work.glob(f"{kind}-{size}*"):
        shutil.rmtree(folder, ignore_errors=True) if folder.is_dir() else folder.unlink()
    return out


# -- reporting --------------------------------------------------------------------------------------
def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                  if line.startswith("model name")), platform.processor())
    memory = _meminfo_gb()
    import bm25s
    import scipy
    import sklearn
    return {"cpu": model, "cores": os.cpu_count(), "memory_gb": memory, "python": platform.python_version(),
            "numpy": np.__version__, "scipy": scipy.__version__, "scikit-learn": sklearn.__version__,
            "bm25s": bm25s.__version__, "system": f"{platform.system()} {platform.release()}"}


def _meminfo_gb() -> float:
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    return 0.0


def table(results: dict) -> str:
    head = ("| corpus | sentences | engine | build s | peak MB | disk MB | load s | p50 ms | p99 ms "
            "| p50 vs newsbot |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for kind, sizes in results["runs"].items():
        for size, run in sizes.items():
            ours = run["engines"]["newsbot"]["p50_ms"]
            for name, m in run["engines"].items():
                times = m["p50_ms"] / ours
                ratio = "1" if name == "newsbot" else f"{times:.0f}× slower" if times >= 10 else f"{times:.1f}× slower"
                lines.append(f"| {kind} | {int(size):,} | {name} | {m['build_s']:.1f} | {m['peak_mb']:.0f} | "
                             f"{m['disk_mb']:.0f} | {m['load_s']:.3f} | {m['p50_ms']:.3f} | {m['p99_ms']:.3f} "
                             f"| {ratio} |")
    lines.append("")
    lines.append("| corpus | sentences | search p50 ms | answer (ask) p50 ms | ask p99 ms | ask − search p50 ms "
                 "| ranking data build s | corpus cache load s, warm / cold | cache MB |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for kind, sizes in results["runs"].items():
        for size, run in sizes.items():
            a = run.get("answer")
            if a:
                lines.append(f"| {kind} | {int(size):,} | {a['search']['p50_ms']:.3f} | {a['ask']['p50_ms']:.3f} | "
                             f"{a['ask']['p99_ms']:.3f} | {a['overhead_p50_ms']:.3f} | "
                             f"{a.get('ranking_build_s', float('nan')):.1f} | {a['cache_load_s']:.3f} / "
                             f"{a.get('cache_cold_load_s', float('nan')):.3f} | "
                             f"{a['cache_mb']:.0f} |")
    return "\n".join(lines)


def plot(results: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = list(results["runs"])
    fig, axes = plt.subplots(1, len(kinds), figsize=(6 * len(kinds), 4.5), squeeze=False)
    for ax, kind in zip(axes[0], kinds):
        runs = results["runs"][kind]
        sizes = sorted(int(s) for s in runs)
        names = [n for n in ("newsbot", "bm25s", "scikit-learn", "rank-bm25")
                 if any(n in runs[str(s)]["engines"] for s in sizes)]
        for name in names:
            xs = [s for s in sizes if name in runs[str(s)]["engines"]]
            ys = [runs[str(s)]["engines"][name]["p50_ms"] for s in xs]
            ax.plot(xs, ys, marker="o", label=f"{name} p50")
            if name == "newsbot":
                p99 = [runs[str(s)]["engines"][name]["p99_ms"] for s in xs]
                ax.plot(xs, p99, marker=".", linestyle=":", color=ax.lines[-1].get_color(), label="newsbot p99")
                answered = [s for s in xs if "answer" in runs[str(s)]]
                if answered:
                    ax.plot(answered, [runs[str(s)]["answer"]["ask"]["p50_ms"] for s in answered], marker="s",
                            linestyle="-.", color=ax.lines[-1].get_color(), label="newsbot whole answer p50")
                ax.plot(xs, [ys[0] * x / xs[0] for x in xs], linestyle="--", color="grey",
                        label="linear growth from newsbot's first point")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("sentences")
        ax.set_ylabel("query latency, ms (single thread)")
        ax.set_title(f"{kind} corpus")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def parse_sizes(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        part = part.strip().lower()
        scale = 1_000_000 if part.endswith("m") else 1_000 if part.endswith("k") else 1
        out.append(int(float(part.rstrip("mk")) * scale))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, default=None, help="e.g. 10k,200k,1m")
    parser.add_argument("--corpora", default="synthetic,real", help="synthetic, real or both")
    parser.add_argument("--quick", action="store_true", help="10k and 100k sentences, 200 questions")
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds of questions per engine and size")
    parser.add_argument("--no-rank-bm25", action="store_true")
    parser.add_argument("--no-answer", action="store_true", help="skip the answering-service measurement")
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("NEWSBOT_QA_DATA", DATA)),
                        help="folder with wikiqa/ (default ../shared/data beside the repository)")
    parser.add_argument("--json", type=Path, default=HERE / "out" / "scale.json")
    parser.add_argument("--plot", type=Path, default=HERE / "scale.png")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = args.sizes or [10_000, 100_000]
        args.questions = min(args.questions, 200)
        args.budget = min(args.budget, 5.0)
    sizes = args.sizes or list(SIZES)
    kinds = [k.strip() for k in args.corpora.split(",") if k.strip()]
    if "real" in kinds and not all((args.data / name).is_file() for name in WIKIQA_FILES):
        print(f"scale: no WikiQA files in {args.data} (see --data); the real-text corpus is skipped",
              file=sys.stderr)
        kinds.remove("real")
    results = {"machine": machine(), "command": " ".join(["python benchmarks/scale.py", *(argv or sys.argv[1:])]),
               "runs": {}}
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsbot-scale-") as tmp:
        for kind in kinds:
            results["runs"][kind] = {}
            for size in sizes:
                results["runs"][kind][str(size)] = run_size(kind, size, args, Path(tmp))
    results["seconds"] = time.perf_counter() - began
    m = results["machine"]
    print(f"\nMachine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; Python {m['python']}, "
          f"numpy {m['numpy']}, scipy {m['scipy']}, scikit-learn {m['scikit-learn']}, bm25s {m['bm25s']}")
    print(table(results))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1))
    plot(results, args.plot)
    print(f"\n{results['seconds']:.0f} s; wrote {args.json} and {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
