"""SentenceIndex: TF-IDF search over sentences, saved and loaded as plain arrays."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from retrieval import IndexSettings, SentenceIndex

TEXTS = [
    "Moscow denied conducting the first strikes.",
    "Air strikes were reported in Idlib province on Thursday.",
    "Hundreds of civilians have been killed in Idlib.",
    "The capture of Khan Sheikhoun brought Moscow closer to the highways.",
]


@pytest.fixture(scope="module")
def index():
    return SentenceIndex.build(TEXTS)


def test_best_sentence_first_with_positive_scores(index):
    hits = index.search("Who denied conducting the first strikes?")
    assert hits[0][0] == 0
    assert all(score > 0 for _, score in hits)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_k_limits_the_hits(index):
    assert len(index.search("Idlib Moscow strikes", k=2)) == 2
    assert index.search("Idlib", k=0) == []


def test_empty_and_stop_word_queries_find_nothing(index):
    assert index.search("") == []
    assert index.search("what is the of and?") == []
    assert index.search("zzzz qqqq") == []


def test_a_term_in_every_sentence_still_counts_on_a_one_article_corpus():
    one = SentenceIndex.build(["Idlib was shelled.", "Idlib was calm.", "Idlib voted."])
    assert one.idf.min() > 0
    hits = one.search("Idlib")
    assert len(hits) == 3 and all(score > 0 for _, score in hits)


def test_misspelt_name_still_finds_the_sentence(index):
    assert index.search("Mosco denied strikes")[0][0] == 0
    assert index.search("Khan Sheihkoun capture")[0][0] == 3


def test_stemming_matches_word_forms(index):
    assert index.search("denial of conducted strike")[0][0] == 0


@pytest.mark.parametrize("question, expected", [
    ("When will the bakery shut?", 0), ("How many people were hurt?", 1), ("Who was detained?", 2),
    ("How many homes lost electricity?", 3),
])
def test_a_reader_s_word_finds_the_report_s(question, expected):
    """News paraphrase (retrieval/text.py's synonym groups): "shut" for "close", "hurt" for "injured"."""
    texts = ["The bakery will close in September, the company said.", "Twelve people were injured in the crash.",
             "Police arrested two men after the match.", "Around 600 homes were without power on Monday.",
             "The council met on Tuesday to discuss the budget."]
    hits = SentenceIndex.build(texts).search(question)
    assert hits and hits[0][0] == expected


def test_a_fire_is_not_a_sacking():
    """"fired" stems to "fire": the sacking words are no synonyms of it."""
    hits = SentenceIndex.build(["Rovers sacked their manager on Monday.", "The storm closed the road."]).search(
        "When did the fire start?")
    assert hits == []


def test_search_within_a_range_only_returns_positions_in_it(index):
    hits = index.search("Idlib Moscow", within=(1, 3))
    assert hits and all(1 <= pos < 3 for pos, _ in hits)


def test_scores_are_cosines_of_the_documented_weights(index):
    """score = q . w(s) / |q| with w = (1 + ln tf) * idf, rows of length 1."""
    query = index.query("Idlib civilians killed")
    positions, cosine, _ = index.scores(query)
    dense = index.postings.toarray().T  # sentences x terms
    q = np.zeros(len(index.vocabulary), np.float32)
    q[query.ids] = query.weights
    expected = dense @ q
    assert np.allclose(cosine, expected[positions], atol=1e-6)
    assert set(positions.tolist()) == set(np.flatnonzero(expected).tolist())
    assert np.allclose(np.linalg.norm(dense, axis=1), 1.0, atol=1e-5)


def test_save_and_load_give_the_same_results(index, tmp_path):
    index.save(tmp_path)
    loaded = SentenceIndex.load(tmp_path)
    for question in ("Idlib", "Moscow strikes", "Mohamad civilians"):
        assert loaded.search(question) == index.search(question)
    assert not list(tmp_path.glob("*.pkl"))


def test_loading_another_format_version_fails(index, tmp_path):
    index.save(tmp_path)
    (tmp_path / "index.json").write_text('{"format": 0, "sentences": 4, "vocabulary": []}')
    with pytest.raises(ValueError):
        SentenceIndex.load(tmp_path)


def test_an_index_of_sentences_without_terms_finds_nothing():
    index = SentenceIndex.build(["the of", "!!!"])
    assert index.search("the") == [] and index.search("anything") == []


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_query_gives_sorted_positive_hits_in_range(index, query):
    hits = index.search(query, k=3)
    assert len(hits) <= 3
    assert all(0 <= pos < len(TEXTS) and score > 0 for pos, score in hits)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


@given(st.lists(st.integers(0, 4), max_size=60), st.integers(1, 70))
def test_top_k_takes_the_lowest_indexes_among_ties(values, k):
    from retrieval.walk import top_k as _top_k

    array = np.asarray(values, np.float32)
    expected = sorted(range(len(values)), key=lambda i: (-values[i], i))[:k]
    assert _top_k(array, k).tolist() == expected


def test_a_long_question_is_searched_on_its_first_62_terms():
    words = [f"word{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(100)]
    texts = [" ".join(words[i:i + 5]) for i in range(0, 100, 5)]
    alone = IndexSettings(variant_max_df=0, related_max_terms=0)  # each word one term, no stand-ins
    index = SentenceIndex.build(texts, alone)
    question = " ".join(words)
    first = tuple(dict.fromkeys(index.analyzer.terms(question)))[:62]
    assert index.query(question).words == first
    hits = index.search(question, k=20)
    assert {p for p, _ in hits} == {i for i, t in enumerate(texts) if set(index.analyzer.terms(t)) & set(first)}
    assert 0 < len(hits) < len(texts)


def test_the_learned_weights_follow_the_stated_formula():
    # README: idf = ln((1 + N) / (1 + df)) + 1, tf sublinear (1 + ln tf), each sentence's row of unit length.
    import numpy as np
    import scipy.sparse as sp

    from retrieval.tfidf import _learn_weights

    rng = np.random.default_rng(3)
    dense = rng.integers(0, 4, (300, 50)).astype(np.float32) * (rng.random((300, 50)) < 0.2)
    dense[7] = 0  # a sentence without index terms
    idf, got = _learn_weights(sp.csr_matrix(dense))
    df = (dense > 0).sum(axis=0)
    want_idf = np.log((1 + 300) / (1 + df)) + 1
    tf = np.where(dense > 0, 1 + np.log(np.where(dense > 0, dense, 1)), 0) * want_idf
    norms = np.linalg.norm(tf, axis=1, keepdims=True)
    want = tf / np.where(norms == 0, 1, norms)
    assert idf.dtype == np.float32 and got.dtype == np.float32
    assert np.allclose(idf, want_idf, rtol=1e-6)
    assert np.allclose(got.toarray(), want, rtol=1e-5, atol=1e-7)
    assert not got[7].nnz
