"""Latent semantic evidence on the shared NewsQA half, measured offline (issue 11): evidence gathered once, then grids.

    python benchmarks/tune_semantic.py dump --seed 5            # -> /tmp/semantic-5.pkl (about 30 s)
    python benchmarks/tune_semantic.py articles /tmp/semantic-5.pkl [--dims 100,300]
    python benchmarks/tune_semantic.py sentences /tmp/semantic-5.pkl [--dims 100,300]
    python benchmarks/tune_semantic.py expansion /tmp/semantic-5.pkl

`dump` opens news.py's archive (sample seed 5 unless `--seed`; 11 is held out), gathers each question's
evidence (retrieval.ranking.Evidence, `--candidates` sentences, asked of the whole archive and of its own
article) with today's RankSettings, and saves it, with what a latent model is learned from (the articles'
term counts and their headlines', the sentence TF-IDF postings, the document ranker's BM25 vectors), into
one pickle outside the repository. Nothing is tuned on the result by hand: the other commands print
figures only.

`articles`: latent semantic indexing of the archive's articles (scikit-learn's TruncatedSVD over the
article x term TF-IDF matrix, (1 + ln tf) idf or log-entropy weights, unit rows, `--dims` dimensions) and
the question folded into that space (its query weights times the term basis); each article's cosine with
it, alone and added to the document ranker's score (documents.py) at a few weights: right article first,
and how many questions the latent score alone gets right that the document ranker gets wrong (rescues)
and the other way round (loses).

`sentences`: the latent cosine added to today's sentence score at weight `wa` for the sentence's article
(its context) and `ws` for the sentence itself (its TF-IDF row folded into a basis learned over the
articles or over the sentences): whole-archive P@1, own-article P@1, right article first, over the
gathered candidates. With `--all`, own-article P@1 over every sentence of the story, including those that
share no word with the question (not candidates today: they get the score a sentence without the
question's words would have, its lead, lede, headline and article parts).

`expansion`: the question expanded with the terms that co-occur with its terms across the archive
(normalised PMI over articles or over sentences, the `--top` best per term from terms in at least
`--min-df` of them), as extra document-ranker evidence and as extra sentence evidence (the expanded
weight a sentence holds).
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.news import QUICK, Plan, open_archive  # noqa: E402
from retrieval import RankSettings  # noqa: E402
from retrieval.documents import _headline_counts, article_scores  # noqa: E402
from retrieval.query import QueryTerms  # noqa: E402
from tests.answer_sets import data_folder  # noqa: E402


# -- gathering ----------------------------------------------------------------------------------------------
def dump(args) -> int:
    with tempfile.TemporaryDirectory(prefix="newsbot-semantic-") as tmp:
        t0 = time.perf_counter()
        setup = open_archive(data_folder(None), replace(QUICK if args.quick else Plan(), seed=args.seed), Path(tmp))
        t_open = time.perf_counter()
        ci = setup.service.index
        index, corpus = ci.index, ci.corpus
        settings = ci.settings
        numbers = {a: i for i, a in enumerate(corpus.article_ids)}
        rows = []
        for q in setup.questions:
            query = index.query(q.text)
            item = {"id": q.id, "story": numbers[q.story], "right": sorted(setup.right[q.id]),
                    "ids": np.asarray(query.ids, np.int64), "weights": np.asarray(query.weights, np.float64)}
            for name, article in (("whole", None), ("own", q.story)):
                ev = ci.evidence(q.text, article, k=args.candidates)
                item[name] = None if ev is None else (ev.positions.copy(), ev.scores(settings).copy())
            rows.append(item)
        t1 = time.perf_counter()
        data = {"rows": rows, "article_of": np.asarray(corpus.article_of), "idf": np.asarray(index.idf),
                "starts": np.asarray(corpus.starts),
                "counts": index.term_counts(corpus.article_of, len(corpus.article_ids)).tocsr(),
                "headline_counts": _headline_counts(index, [a.title for a in corpus.articles]).tocsr(),
                "postings": index.postings.tocsr(), "articles": ci.articles.tocsr(), "seed": args.seed,
                "settings": settings}
        with open(args.out, "wb") as f:
            pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
        print(f"seed {args.seed}: {len(rows)} questions, {len(corpus.article_ids)} articles, "
              f"{len(data['article_of'])} sentences; archive {t_open - t0:.0f} s, gathering {t1 - t_open:.0f} s "
              f"-> {args.out}")
    return 0


# -- latent models ------------------------------------------------------------------------------------------
def unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


def _unit_rows(x):
    import scipy.sparse as sp

    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return sp.diags(1 / np.maximum(norms, 1e-12)) @ x


def article_matrix(data, weighting: str = "tfidf"):
    """Articles x terms: each article's term counts with its headline's, (1 + ln tf) idf or log-entropy."""
    counts = (data["counts"] + data["headline_counts"]).tocsr().astype(np.float64)
    counts.sum_duplicates()
    articles, terms = counts.shape
    x = counts.copy()
    if weighting == "tfidf":
        df = np.bincount(counts.indices, minlength=terms)
        x.data = (1 + np.log(x.data)) * (np.log((1 + articles) / (1 + df)) + 1)[x.indices]
    else:  # log-entropy, the classic LSI weighting
        total = np.asarray(counts.sum(axis=0)).ravel()
        p = counts.data / total[counts.indices]
        entropy = np.zeros(terms)
        np.add.at(entropy, counts.indices, p * np.log(p))
        x.data = np.log1p(x.data) * (1 + entropy / np.log(max(articles, 2)))[x.indices]
    return _unit_rows(x).tocsr()


def fit(matrix, dims: int):
    """(term basis: dims x terms, the rows' unit latent vectors, seconds taken)."""
    from sklearn.decomposition import TruncatedSVD

    t = time.perf_counter()
    svd = TruncatedSVD(n_components=dims, algorithm="randomized", n_iter=5, random_state=0)
    z = unit(svd.fit_transform(matrix))
    return svd.components_, z, time.perf_counter() - t


def fold_in(basis: np.ndarray, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """A question (or any sparse vector) in the latent space, unit length: its weights times the basis."""
    if not len(ids):
        return np.zeros(basis.shape[0])
    return unit(weights @ basis[:, ids].T)


def lexical(data, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return article_scores(data["articles"], QueryTerms(ids.astype(np.int32), weights.astype(np.float32),
                                                       weights.astype(np.float32), ()))


# -- articles -----------------------------------------------------------------------------------------------
def articles(args) -> int:
    data = _load(args.dump)
    rows = data["rows"]
    story = np.array([r["story"] for r in rows])
    lex = np.array([lexical(data, r["ids"], r["weights"]) for r in rows])
    lex_right = np.argmax(lex, axis=1) == story
    print(f"seed {data['seed']}: {len(rows)} questions; document ranker alone: right article first "
          f"{lex_right.mean():.3f}, in the top 10 {_top_k(lex, story, 10):.3f}")
    for weighting in args.weighting.split(","):
        matrix = article_matrix(data, weighting)
        for dims in _ints(args.dims):
            basis, z, took = fit(matrix, dims)
            latent = np.array([z @ fold_in(basis, r["ids"], r["weights"]) for r in rows])
            alone = np.argmax(latent, axis=1) == story
            line = (f"{weighting} {dims} dims (fit {took:.1f} s): alone {alone.mean():.3f} (rescues "
                    f"{int(np.sum(alone & ~lex_right))}, loses {int(np.sum(~alone & lex_right))})")
            for w in _floats(args.weights):
                combined = lex + w * latent
                line += f" | +{w} {np.mean(np.argmax(combined, axis=1) == story):.3f}"
            print(line, flush=True)
    return 0


def _top_k(scores: np.ndarray, story: np.ndarray, k: int) -> float:
    rank = (scores > scores[np.arange(len(scores)), story][:, None]).sum(axis=1)
    return float(np.mean(rank < k))


# -- sentences ----------------------------------------------------------------------------------------------
def sentences(args) -> int:
    data = _load(args.dump)
    rows = data["rows"]
    by_sentence = data["postings"].T.tocsr().astype(np.float64)  # sentences x terms, unit TF-IDF rows
    article_of = data["article_of"]
    pairs = [(wa, ws) for wa in _floats(args.wa) for ws in _floats(args.ws)]
    for basis_of in args.basis.split(","):
        for dims in _ints(args.dims):
            if basis_of == "articles":
                basis, z, took = fit(article_matrix(data), dims)
            else:
                basis, _, took = fit(by_sentence, dims)
                z = unit(np.asarray(article_matrix(data) @ basis.T))
            feats = []
            for r in rows:
                q = fold_in(basis, r["ids"], r["weights"])
                f = {}
                for name in ("whole", "own"):
                    if r[name] is None:
                        continue
                    pos = r[name][0]
                    f[name] = (np.clip(z[article_of[pos]] @ q, 0, None),
                               np.clip(unit(np.asarray(by_sentence[pos] @ basis.T)) @ q, 0, None))
                if args.all:
                    pos, base = _every_sentence(data, r)
                    f["all"] = (pos, base, np.clip(unit(np.asarray(by_sentence[pos] @ basis.T)) @ q, 0, None))
                feats.append(f)
            print(f"basis over {basis_of}, {dims} dims (fit {took:.1f} s):", flush=True)
            for wa, ws in pairs:
                print(f"  wa {wa:4.2f} ws {ws:4.2f}: " + "  ".join(
                    f"{k} {v:.3f}" for k, v in _sentence_figures(data, rows, feats, wa, ws, args.all).items()),
                    flush=True)
    return 0


def _every_sentence(data, row) -> tuple[np.ndarray, np.ndarray]:
    """Every sentence of the question's story with today's score: the gathered candidates' own, and for
    the others (which hold none of the question's words) what such a sentence scores: its lead and lede,
    the headline's share of the question and the article part (1: asked of its own story, it is the
    archive's best for its questions nearly always; a constant within the story either way). No novelty
    penalty (such a sentence says more than 6 terms beyond the question as a rule) and no answer type
    (not read here)."""
    s: RankSettings = data["settings"]
    a = row["story"]
    lo, hi = int(data["starts"][a]), int(data["starts"][a + 1])
    pos = np.arange(lo, hi)
    ids, w = row["ids"], row["weights"]
    in_headline = np.asarray(data["headline_counts"][a, ids].toarray()).ravel() > 0 if len(ids) else np.zeros(0, bool)
    share = float(w[in_headline].sum() / w.sum()) if len(ids) and w.sum() > 0 else 0.0
    i = pos - lo
    base = s.lead_weight / (1 + i) + s.lede_weight * (i == 0) + s.headline_weight * share + s.article_weight
    if row["own"] is not None:
        cp, cb = row["own"]
        base[cp - lo] = cb
    return pos, base


def _sentence_figures(data, rows, feats, wa: float, ws: float, every: bool) -> dict[str, float]:
    article_of = data["article_of"]
    whole = own = art = own_all = 0
    for r, f in zip(rows, feats):
        right = set(r["right"])
        if "whole" in f:
            pos, base = r["whole"]
            top = int(pos[int(np.argmax(base + wa * f["whole"][0] + ws * f["whole"][1]))])
            whole += top in right
            art += int(article_of[top]) == r["story"]
        if "own" in f:
            pos, base = r["own"]
            own += int(pos[int(np.argmax(base + ws * f["own"][1]))]) in right
        if every:
            pos, base, sent = f["all"]
            own_all += int(pos[int(np.argmax(base + ws * sent))]) in right
    n = len(rows)
    out = {"whole P@1": whole / n, "own P@1": own / n, "right article": art / n}
    if every:
        out["own P@1 (every sentence)"] = own_all / n
    return out


# -- expansion by co-occurrence -----------------------------------------------------------------------------
def expansion(args) -> int:
    data = _load(args.dump)
    rows = data["rows"]
    story = np.array([r["story"] for r in rows])
    lex = np.array([lexical(data, r["ids"], r["weights"]) for r in rows])
    by_sentence = data["postings"].T.tocsr()
    held = by_sentence.astype(bool).astype(np.float32).tocsr()
    article_of = data["article_of"]
    print(f"seed {data['seed']}: document ranker alone {np.mean(np.argmax(lex, 1) == story):.3f}")
    for level in args.level.split(","):
        units = (data["counts"] + data["headline_counts"]) if level == "articles" else by_sentence
        x = units.astype(bool).astype(np.float32).tocsc()
        n = x.shape[0]
        df = np.asarray(x.sum(axis=0)).ravel()
        xt = x.T.tocsr()
        for top in _ints(args.top):
            for min_df in _ints(args.min_df):
                expanded = [_expanded(xt, x, df, n, r["ids"], r["weights"], top, min_df) for r in rows]
                docs = np.array([lexical(data, e[0], e[1]) if len(e[0]) else np.zeros(lex.shape[1], np.float32)
                                 for e in expanded])
                line = f"over {level}, top {top}, min df {min_df}: documents alone {np.mean(np.argmax(docs, 1) == story):.3f}"
                for w in _floats(args.weights):
                    line += f" | +{w} {np.mean(np.argmax(lex + w * docs, 1) == story):.3f}"
                print(line, flush=True)
                terms = len(data["idf"])
                feats = []
                for r, (ids, w) in zip(rows, expanded):
                    acc = np.zeros(terms)
                    acc[ids] = w
                    total = float(r["weights"].sum()) or 1.0
                    feats.append({name: np.asarray(held[r[name][0]] @ acc).ravel() / total
                                  for name in ("whole", "own") if r[name] is not None})
                line = "    as sentence evidence:"
                for w in _floats(args.weights):
                    whole = own = art = 0
                    for r, f in zip(rows, feats):
                        right = set(r["right"])
                        if "whole" in f:
                            pos, base = r["whole"]
                            t = int(pos[int(np.argmax(base + w * f["whole"]))])
                            whole += t in right
                            art += int(article_of[t]) == r["story"]
                        if "own" in f:
                            pos, base = r["own"]
                            own += int(pos[int(np.argmax(base + w * f["own"]))]) in right
                    k = len(rows)
                    line += f" | +{w} whole {whole / k:.3f} own {own / k:.3f} article {art / k:.3f}"
                print(line, flush=True)
    return 0


def _expanded(xt, x, df, n, ids, weights, top: int, min_df: int) -> tuple[np.ndarray, np.ndarray]:
    """The terms that co-occur most with each question term (normalised PMI over the units of `x`), each
    weighted by its question term's weight times the PMI, the best over the question's terms."""
    if not len(ids):
        return np.zeros(0, np.int64), np.zeros(0)
    together = (xt[ids] @ x).toarray()
    with np.errstate(divide="ignore", invalid="ignore"):
        npmi = np.log(together * n / (df[ids][:, None] * df[None, :])) / -np.log(together / n)
    npmi = np.nan_to_num(npmi, nan=0.0, posinf=0.0, neginf=0.0)
    npmi[(together < 2) | (df[None, :] < min_df)] = 0
    npmi[:, ids] = 0
    npmi[npmi < 0] = 0
    acc: dict[int, float] = {}
    for i in range(len(ids)):
        for u in np.argsort(-npmi[i])[:top].tolist():
            if npmi[i, u] > 0:
                acc[u] = max(acc.get(u, 0.0), float(weights[i] * npmi[i, u]))
    return np.fromiter(acc, np.int64, len(acc)), np.fromiter(acc.values(), np.float64, len(acc))


# -- plumbing -----------------------------------------------------------------------------------------------
def _load(path: str):
    with open(path, "rb") as f:
        return pickle.load(f)


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",")]


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",")]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--seed", type=int, default=5, help="news.py's sample seed (5; 11 is held out)")
    d.add_argument("--quick", action="store_true")
    d.add_argument("--candidates", type=int, default=150)
    d.add_argument("--out", default=None)
    a = sub.add_parser("articles")
    a.add_argument("dump")
    a.add_argument("--dims", default="100,300")
    a.add_argument("--weighting", default="tfidf,log-entropy")
    a.add_argument("--weights", default="0.02,0.05,0.1,0.2,0.5")
    s = sub.add_parser("sentences")
    s.add_argument("dump")
    s.add_argument("--dims", default="100,300")
    s.add_argument("--basis", default="articles,sentences")
    s.add_argument("--wa", default="0,0.05,0.1,0.2")
    s.add_argument("--ws", default="0,0.05,0.1,0.2")
    s.add_argument("--all", action="store_true", help="also own-article P@1 over every sentence of the story")
    e = sub.add_parser("expansion")
    e.add_argument("dump")
    e.add_argument("--level", default="articles,sentences")
    e.add_argument("--top", default="5,10")
    e.add_argument("--min-df", default="3,10")
    e.add_argument("--weights", default="0.05,0.1,0.2,0.3")
    args = parser.parse_args(argv)
    if args.command == "dump":
        args.out = args.out or f"/tmp/semantic-{args.seed}{'-quick' if args.quick else ''}.pkl"
        return dump(args)
    return {"articles": articles, "sentences": sentences, "expansion": expansion}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
