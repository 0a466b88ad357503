"""Ingest and the cache's life: cold builds beside bm25s, one-article changes, start-up and load, at growing corpus sizes.

    python benchmarks/ingest.py                      # 2,225 BBC articles, then 4x and 10x that
    python benchmarks/ingest.py --copies 1 5 22      # sizes as copies of the BBC set (22: ~49,000 articles)
    python benchmarks/ingest.py --quick              # one copy only
    python benchmarks/ingest.py --load-at 25         # ~1M sentences: cold build, then the cache load warm and cold

The BBC news articles (../shared/data/bbc, `--data DIR`) are written as Markdown files into a temporary
folder, repeated with varied ids and headlines for the larger sizes. For each size, in forked children
(so each build's peak memory is its own):

- cold: newsbot files -> saved cache (`open_corpus`, both cores), against bm25s indexing the same
  sentences pre-split (its own tokenizer, the same PyStemmer English stemmer, English stop words) and
  saving its index: sentences per second and peak memory above the child's start;
- add, change, delete one article and `touch` another: the next build (`open_corpus`), against the cold build;
- the running bot: `AnsweringService.refresh()` after adding an article (a child process writes a
  delta, the service opens the result) until the new article is answerable; the command line:
  `newsbot ask` answering an article written just before it (the command takes the change in);
- the merge of the deltas into a new base (what a background child does when they grow past their share);
- warm start: the change check (`corpus_fingerprint`), a cache load with its checksums, and
  `newsbot ask` on a warm cache as a whole command, beside `python -c pass`.

`--load-at COPIES` measures only the cold build and then the load at one (large) size: the cache load
(`CorpusIndex.load`, every checksum checked) with the page cache warm and cold (each cache file dropped
from the page cache with posix_fadvise DONTNEED first, its resident share checked with mincore), the
checksums alone, `open_corpus` as `newsbot ask` calls it (the change check plus the load), and
`newsbot ask` as a whole command.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.measure import best_of, drop_from_page_cache, in_child, resident_share  # noqa: E402
from retrieval import CorpusIndex, corpus_fingerprint, open_corpus  # noqa: E402
from retrieval.cache import cache_slot  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
NEW = "# Lisbon zoo counts its penguins\n\nThe Lisbon zoo counted 4217 penguins this spring, the keeper said.\n"
QUESTION = "How many penguins did the Lisbon zoo count?"


def write_bbc(folder: Path, data: Path, copies: int) -> int:
    """The BBC articles as Markdown files, `copies` times (copy n's ids and headlines marked n)."""
    rows = [json.loads(line) for line in (data / "bbc" / "bbc-news.jsonl").read_text(encoding="utf-8").splitlines()]
    count = 0
    for n in range(copies):
        for row in rows:
            path = folder / f"copy{n:02d}" / f"{row['id']}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            title = row["title"] if n == 0 else f"{row['title']} ({n})"
            text = f"# {title}\n\n" + "\n\n".join(row["paragraphs"]) + "\n"
            try:  # a folder kept from an earlier run (--work) keeps its unchanged files as they are
                same = path.read_text(encoding="utf-8") == text
            except OSError:
                same = False
            if not same:
                path.write_text(text, encoding="utf-8")
            count += 1
    for extra in folder.glob("zoo*.md"):  # what an earlier run's changes added
        extra.unlink()
    return count


def newsbot_build(folder: Path, cache: Path) -> dict:
    index = open_corpus(folder, cache)
    return {"sentences": len(index.corpus.sentences), "reread": index.reread, "from_cache": index.from_cache}


def bm25s_build(texts_file: Path, out: Path) -> dict:
    import bm25s
    import Stemmer

    texts = texts_file.read_text(encoding="utf-8").split("\n")
    tokens = bm25s.tokenize(texts, stopwords="en", stemmer=Stemmer.Stemmer("english"), show_progress=False)
    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)
    retriever.save(str(out), show_progress=False)
    return {"sentences": len(texts)}


def _bump(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def run_size(copies: int, data: Path, work: Path, reuse: bool = False, cold_only: bool = False) -> dict:
    folder, cache = work / f"corpus-{copies}", work / f"cache-{copies}"
    articles = write_bbc(folder, data, copies)
    row: dict = {"articles": articles}
    kept = work / f"cold-{copies}.json"
    if reuse and kept.exists():  # the cold figures of an earlier run on this folder (--work)
        row.update(json.loads(kept.read_text()))
        cold = {"seconds": row["newsbot"]["seconds"]}
        index = open_corpus(folder, cache)  # the corpus restored: only the earlier run's changes are read again
        del index
    else:
        cold = in_child(newsbot_build, folder, cache)
        row["sentences"] = cold["sentences"]
        row["newsbot"] = {"seconds": cold["seconds"], "rate": cold["sentences"] / cold["seconds"],
                          "peak_mb": cold["peak_mb"], "workers_peak_mb": cold["children_peak_mb"],
                          "tree_peak_mb": cold["tree_peak_mb"]}
        index = open_corpus(folder, cache)
        texts_file = work / f"texts-{copies}.txt"
        texts, _ = index.corpus.texts_and_speakers(list(range(len(index.corpus.sentences))))
        texts_file.write_text("\n".join(t.replace("\n", " ") for t in texts), encoding="utf-8")
        del index
        peer = in_child(bm25s_build, texts_file, work / f"bm25s-{copies}")
        row["bm25s"] = {"seconds": peer["seconds"], "rate": peer["sentences"] / peer["seconds"],
                        "peak_mb": peer["peak_mb"], "tree_peak_mb": peer["tree_peak_mb"]}
        kept.write_text(json.dumps({k: row[k] for k in ("sentences", "newsbot", "bm25s")}))
    if cold_only:
        return row

    changes = {}
    some = sorted(folder.glob("copy00/business/*.md"))
    for what, change in (("add", lambda: (folder / "zoo.md").write_text(NEW, encoding="utf-8")),
                         ("change", lambda: some[3].write_text(NEW.replace("4217", "5120"), encoding="utf-8")),
                         ("delete", lambda: some[4].unlink()),
                         ("touch", lambda: _bump(some[5]))):
        change()
        result = in_child(newsbot_build, folder, cache)
        changes[what] = {"seconds": result["seconds"], "ratio": result["seconds"] / cold["seconds"],
                         "reread": result["reread"], "peak_mb": result["peak_mb"]}
    row["changes"] = changes

    # The running bot: a new article written, then refresh() until it answers it.
    from bot.service import AnsweringService

    service = AnsweringService.open(folder, cache)
    (folder / "zoo2.md").write_text(NEW.replace("Lisbon", "Porto"), encoding="utf-8")
    began = time.perf_counter()
    service.refresh()
    answer = service.ask(QUESTION.replace("Lisbon", "Porto"))
    row["bot_answerable_s"] = time.perf_counter() - began
    row["bot_answered"] = answer.answered and "Porto" in answer.passages[0].text
    service.stop_building()
    del service

    # The command line: an article changed, then `newsbot ask` (which takes the change in) answers it.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    (folder / "zoo2.md").write_text(NEW.replace("Lisbon", "Faro"), encoding="utf-8")
    command = [sys.executable, "-m", "bot", "ask", "--json", QUESTION.replace("Lisbon", "Faro"), "--corpus",
               str(folder), "--cache-dir", str(cache)]
    began = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, check=True, text=True)
    row["cli_answerable_s"] = time.perf_counter() - began
    row["cli_answered"] = "Faro" in json.loads(done.stdout)["answers"][0]["text"]

    # The merge that folds the deltas into a new base (a background child in use), timed here.
    from retrieval.merge import merge

    merged = in_child(lambda: {"merged": merge(folder, cache)})
    row["merge_s"] = merged["seconds"] if merged["merged"] else float("nan")

    slot = cache_slot(cache, str(folder.resolve()))
    stamp = {"corpus": str(folder.resolve())}
    row["check_s"] = best_of(3, lambda: corpus_fingerprint(folder, cache))
    row["load_s"] = best_of(3, lambda: CorpusIndex.load(slot, stamp))
    row["cache_mb"] = sum(p.stat().st_size for p in Path(os.path.realpath(slot)).iterdir()) / 2**20
    command = [sys.executable, "-m", "bot", "ask", QUESTION, "--corpus", str(folder), "--cache-dir", str(cache)]
    subprocess.run(command, env=env, capture_output=True, check=True)  # the cache is warm, the files read once
    row["ask_s"] = best_of(3, lambda: subprocess.run(command, env=env, capture_output=True, check=True))
    row["python_s"] = best_of(3, lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))
    return row


def _cache_files(slot: Path) -> list[Path]:
    return sorted(Path(os.path.realpath(slot)).iterdir())


def load_at(copies: int, data: Path, work: Path) -> dict:
    """One size: the cold build, then the cache load warm and cold, and `open_corpus` and `ask` as a whole."""
    folder, cache = work / f"corpus-{copies}", work / f"cache-{copies}"
    began = time.perf_counter()
    if folder.is_dir():  # kept from an earlier run (--work): built again only if its cache is not sound
        articles = sum(1 for _ in folder.rglob("*.md"))
    else:
        articles = write_bbc(folder, data, copies)
    print(f"{articles:,} articles in {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    cold = in_child(newsbot_build, folder, cache)
    if cold["from_cache"]:
        print("(the kept cache was sound: the build figures are a load's)", file=sys.stderr)
    row: dict = {"articles": articles, "sentences": cold["sentences"], "build_s": cold["seconds"],
                 "build_peak_mb": cold["peak_mb"],
                 "build_tree_peak_mb": cold["tree_peak_mb"], "load_average_build": os.getloadavg()[0]}
    print(f"built {cold['sentences']:,} sentences in {cold['seconds']:.0f} s", file=sys.stderr, flush=True)
    slot = cache_slot(cache, str(folder.resolve()))
    stamp = {"corpus": str(folder.resolve())}
    files = _cache_files(slot)
    row["cache_mb"] = sum(p.stat().st_size for p in files) / 2**20

    from retrieval.cache import read_manifest

    def load() -> None:
        loaded = CorpusIndex.load(slot, stamp)
        assert len(loaded.corpus.sentences) == row["sentences"]
        del loaded
        gc.collect()

    load()  # warm the page cache
    warm = [best_of(1, load) for _ in range(5)]
    row["load_warm_s"] = {"best": min(warm), "median": statistics.median(warm)}
    row["checksums_warm_s"] = best_of(3, lambda: read_manifest(Path(os.path.realpath(slot)), stamp))
    colds, residents = [], []
    for _ in range(3):
        drop_from_page_cache(files)
        residents.append(resident_share(files))
        colds.append(best_of(1, load))
    row["load_cold_s"] = {"best": min(colds), "median": statistics.median(colds)}
    row["resident_before_cold"] = max(residents)
    checks = []
    for _ in range(3):
        drop_from_page_cache(files)
        checks.append(best_of(1, lambda: read_manifest(Path(os.path.realpath(slot)), stamp)))
    row["checksums_cold_s"] = min(checks)
    load()
    row["open_corpus_warm_s"] = best_of(3, lambda: open_corpus(folder, cache))
    row["check_s"] = best_of(3, lambda: corpus_fingerprint(folder, cache))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bot", "ask", QUESTION, "--corpus", str(folder), "--cache-dir", str(cache)]
    subprocess.run(command, env=env, capture_output=True, check=True)
    row["ask_s"] = best_of(3, lambda: subprocess.run(command, env=env, capture_output=True, check=True))
    row["python_s"] = best_of(3, lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))
    row["load_average"] = os.getloadavg()[0]
    return row


def load_table(row: dict) -> str:
    return "\n".join([
        "| articles | sentences | cold build s (s/s) | build peak MB (process / with workers) | cache MB | cache load warm (best / median) "
        "| cache load cold (best / median) | checksums warm / cold | `open_corpus` warm | change check "
        "| `ask` warm | `python -c pass` |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {row['articles']:,} | {row['sentences']:,} | {row['build_s']:.0f} ({row['sentences'] / row['build_s']:,.0f}) "
        f"| {row['build_peak_mb']:,.0f} / {row.get('build_tree_peak_mb', float('nan')):,.0f} | {row['cache_mb']:,.0f} "
        f"| {row['load_warm_s']['best'] * 1000:,.0f} / {row['load_warm_s']['median'] * 1000:,.0f} ms "
        f"| {row['load_cold_s']['best'] * 1000:,.0f} / {row['load_cold_s']['median'] * 1000:,.0f} ms "
        f"| {row['checksums_warm_s'] * 1000:,.0f} / {row['checksums_cold_s'] * 1000:,.0f} ms "
        f"| {row['open_corpus_warm_s'] * 1000:,.0f} ms | {row['check_s'] * 1000:,.0f} ms "
        f"| {row['ask_s']:.2f} s | {row['python_s']:.2f} s |",
    ])


def table(rows: list[dict]) -> str:
    lines = [
        "| articles | sentences | newsbot cold s/s | bm25s s/s | ratio | newsbot peak MB (process / with workers) "
        "| bm25s peak MB (process / all) "
        "| add / change / delete / touch (s, × cold) | bot: new article answerable | CLI: new article answered "
        "| merge | change check | cache load | `ask` warm | `python -c pass` |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        c = r["changes"]
        changes = " / ".join(f"{c[k]['seconds']:.1f} ({c[k]['ratio']:.2f})" for k in ("add", "change", "delete", "touch"))
        lines.append(
            f"| {r['articles']:,} | {r['sentences']:,} | {r['newsbot']['rate']:,.0f} | {r['bm25s']['rate']:,.0f} "
            f"| {r['newsbot']['rate'] / r['bm25s']['rate']:.2f} | {r['newsbot']['peak_mb']:,.0f} / "
            f"{r['newsbot'].get('tree_peak_mb', float('nan')):,.0f} | {r['bm25s']['peak_mb']:,.0f} / "
            f"{r['bm25s'].get('tree_peak_mb', float('nan')):,.0f} | {changes} | {r['bot_answerable_s']:.1f} s "
            f"| {r['cli_answerable_s']:.1f} s | {r['merge_s']:.0f} s "
            f"| {r['check_s'] * 1000:,.0f} ms | {r['load_s'] * 1000:,.0f} ms | {r['ask_s']:.2f} s | {r['python_s']:.2f} s |")
    return "\n".join(lines)


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["sentences"] for r in rows]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    axes[0].plot(sizes, [r["newsbot"]["seconds"] for r in rows], "o-", label="newsbot cold build")
    axes[0].plot(sizes, [r["bm25s"]["seconds"] for r in rows], "s-", label="bm25s cold build (pre-split)")
    axes[0].plot(sizes, [r["changes"]["add"]["seconds"] for r in rows], "^-", label="newsbot: one article added")
    axes[0].set(xlabel="sentences", ylabel="seconds", title="Building the index")
    axes[1].plot(sizes, [r["ask_s"] for r in rows], "o-", label="newsbot ask, warm cache")
    axes[1].plot(sizes, [r["python_s"] for r in rows], "--", label="python -c pass")
    axes[1].set(xlabel="sentences", ylabel="seconds", title="Answering one question from the command line")
    for axis in axes:
        axis.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 4, 10], help="sizes, as copies of the BBC set")
    parser.add_argument("--quick", action="store_true", help="one copy only")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--plot", type=Path, default=ROOT / "benchmarks" / "ingest.png")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--load-at", type=int, metavar="COPIES", default=None,
                        help="only the cold build and the cache load (warm and cold) at this many copies")
    parser.add_argument("--work", type=Path, default=None,
                        help="keep the corpus folders, caches and cold figures here and reuse them in a later run "
                             "(a 50,000-article cold build takes many minutes)")
    parser.add_argument("--cold-only", action="store_true", help="with --work: only the cold builds, kept for later")
    args = parser.parse_args()
    if not (args.data / "bbc" / "bbc-news.jsonl").exists():
        print(f"no BBC data in {args.data}", file=sys.stderr)
        return 1
    if args.load_at:
        if args.work:
            args.work.mkdir(parents=True, exist_ok=True)
            row = load_at(args.load_at, args.data, args.work)
        else:
            with tempfile.TemporaryDirectory(prefix="newsbot-ingest-") as tmp:
                row = load_at(args.load_at, args.data, Path(tmp))
        print(load_table(row))
        print(f"\n{os.cpu_count()} cores; load average {row['load_average_build']:.1f} after the build, "
              f"{row['load_average']:.1f} at the end; page cache share of the cache files before a cold load: "
              f"{row['resident_before_cold']:.3f}")
        if args.json:
            args.json.write_text(json.dumps(row, indent=1))
        return 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="newsbot-ingest-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for copies in [1] if args.quick else args.copies:
            rows.append(run_size(copies, args.data, work, args.work is not None, args.cold_only))
            if args.cold_only:
                r = rows[-1]
                print(f"{copies} copies: {r['articles']:,} articles, {r['sentences']:,} sentences, cold "
                      f"{r['newsbot']['seconds']:.1f} s ({r['newsbot']['rate']:,.0f} s/s, bm25s {r['bm25s']['rate']:,.0f}: "
                      f"{r['newsbot']['rate'] / r['bm25s']['rate']:.2f}), peak MB newsbot {r['newsbot']['peak_mb']:,.0f} / "
                      f"{r['newsbot'].get('tree_peak_mb', float('nan')):,.0f} with workers, bm25s "
                      f"{r['bm25s']['peak_mb']:,.0f} / {r['bm25s'].get('tree_peak_mb', float('nan')):,.0f}; load "
                      f"{os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
                continue
            print(table(rows[-1:]).split("\n")[-1], file=sys.stderr, flush=True)
    if args.cold_only:
        return 0
    print(table(rows))
    print(f"\n{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; bot answered the new article: "
          f"{all(r['bot_answered'] for r in rows)}; the command line: {all(r['cli_answered'] for r in rows)}")
    print("Peak MB: the building process's own (its high-water mark above its start), then with its workers (the "
          "summed Pss of it and every process it started, sampled every 20 ms, above its start); bm25s, one process, "
          "the same two ways. The largest reading worker alone (its peak above the build's start, pages shared with "
          "the build included): "
          + " / ".join(f"{r['newsbot'].get('workers_peak_mb', float('nan')):,.0f}" for r in rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    if len(rows) > 1:
        try:
            plot(rows, args.plot)
            print(f"plot: {args.plot}")
        except ImportError:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
