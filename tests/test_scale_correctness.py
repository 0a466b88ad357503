"""The fast sentence search finds what a brute-force scikit-learn scoring of the same weights finds."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.tfidf import SentenceIndex
from retrieval.text import Analyzer
from tests.synthetic_text import as_corpus, draw_questions, synthetic_sentences

K = 10


@pytest.fixture(scope="module")
def corpus():
    # Imported here, not with the module: every test worker collects this module, and importing all of
    # scikit-learn (with SciPy's statistics, which the index's own import of it leaves out) costs each
    # of them about a CPU-second, though only the worker that runs these tests uses it.
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = synthetic_sentences(10_000, seed=7)
    index = SentenceIndex.build(texts)
    vectorizer = TfidfVectorizer(analyzer=Analyzer().terms, sublinear_tf=True, smooth_idf=True, norm="l2",
                                 dtype=np.float32)
    matrix = vectorizer.fit_transform(texts).tocsr().astype(np.float64)  # float32's values, exactly
    questions = draw_questions(texts, 300, seed=3) + ["", "the of and", "zzzzqqq", texts[17], texts[4242]]
    return texts, index, vectorizer, matrix, questions


@pytest.fixture(scope="module")
def ranked(corpus):
    """The first 4,000 sentences as articles, ranked as the bot ranks them (read, never changed, by the tests)."""
    from retrieval.corpus import CorpusIndex

    texts = corpus[0]
    articles = as_corpus(texts[:4_000])
    sentences = SentenceIndex.build(texts[:4_000])
    return articles, sentences, CorpusIndex(articles, sentences, sentences.vectorize([a.title for a in articles.articles]))


def brute_force(index: SentenceIndex, vectorizer, matrix, question: str) -> np.ndarray:
    """Every sentence's score: the whole sentence matrix times the question's weight vector."""
    terms = index.query(question)
    q = np.zeros(matrix.shape[1], np.float64)
    for term_id, weight in zip(terms.ids.tolist(), terms.weights.tolist()):
        q[vectorizer.vocabulary_[index.vocabulary[term_id]]] = weight
    return matrix @ q  # (the fixture's matrix is float64 already: converting it each question cost seconds)


def test_the_vocabulary_and_weights_are_scikit_learns(corpus):
    _, index, vectorizer, matrix, _ = corpus
    assert index.vocabulary == vectorizer.get_feature_names_out().tolist()
    assert np.allclose(index.idf, vectorizer.idf_, rtol=0, atol=1e-6)
    difference = abs(index.postings.T.tocsr() - matrix)
    assert difference.max() <= 1e-7


def test_top_hits_equal_brute_force_scoring(corpus):
    _, index, vectorizer, matrix, questions = corpus
    compared = 0
    for question in questions:
        found = index.search(question, K)
        scores = brute_force(index, vectorizer, matrix, question)
        expected = np.sort(scores[scores > 0])[::-1][:K]
        assert len(found) == len(expected), question
        got = np.array([score for _, score in found])
        assert np.allclose(got, expected, rtol=0, atol=1e-5), question
        for position, score in found:  # each hit is scored as brute force scores it
            assert abs(scores[position] - score) <= 1e-5, question
        compared += bool(found)
    assert compared >= 290


def test_hits_come_best_first_with_ties_in_position_order(corpus):
    _, index, _, _, questions = corpus
    for question in questions:
        found = index.search(question, K)
        for (p1, s1), (p2, s2) in zip(found, found[1:]):
            assert s1 > s2 or (s1 == s2 and p1 < p2)


def test_scores_lists_every_sentence_sharing_a_term_in_position_order(corpus):
    _, index, vectorizer, matrix, questions = corpus
    for question in questions[:60]:
        positions, cosine, coverage = index.scores(index.query(question))
        scores = brute_force(index, vectorizer, matrix, question)
        assert positions.tolist() == np.flatnonzero(scores > 0).tolist()
        assert np.allclose(cosine, scores[positions], rtol=0, atol=1e-5)
        assert np.all((coverage > 0) & (coverage <= 1 + 1e-6))


def test_search_within_a_range_equals_filtering_the_full_scores(corpus):
    _, index, _, _, questions = corpus
    for question in questions[:60]:
        full = index.scores(index.query(question))
        part = index.scores(index.query(question), within=(2_000, 5_000))
        keep = (full[0] >= 2_000) & (full[0] < 5_000)
        assert part[0].tolist() == full[0][keep].tolist()
        assert np.array_equal(part[1], full[1][keep]) and np.array_equal(part[2], full[2][keep])
        hits = index.search(question, K, within=(2_000, 5_000))
        assert all(2_000 <= p < 5_000 for p, _ in hits)


def test_questions_leave_no_trace_in_the_next_answer(corpus):
    _, index, _, _, questions = corpus
    first = [index.search(q, K) for q in questions[:40]]
    index.scores(index.query(questions[40]))
    assert [index.search(q, K) for q in questions[:40]] == first


def test_the_saved_index_answers_as_the_built_one(corpus, tmp_path):
    _, index, _, _, questions = corpus
    index.save(tmp_path)
    loaded = SentenceIndex.load(tmp_path)
    assert isinstance(loaded._postings.indices.base, np.memmap)  # a view of the file mapping
    for question in questions[:100]:
        assert loaded.search(question, K) == index.search(question, K)


def test_search_gives_the_best_k_of_the_weighed_evidence(corpus, ranked):
    from retrieval.walk import top_k as _top_k

    questions = corpus[4]
    _, _, ranked = ranked
    for question in questions[:80] + ["how many people were displaced", "who said it"]:
        full = ranked.evidence(question)  # every shortlisted sentence, weighed in full
        for k in (1, 3, 10):
            hits = ranked.search(question, k)
            if full is None:
                assert hits == []
                continue
            scores = full.scores(ranked.settings)
            best = _top_k(scores, k)
            assert [h.position for h in hits] == full.positions[best].tolist(), question
            assert [h.score for h in hits] == [float(s) for s in scores[best]], question


def test_the_bit_set_evidence_equals_the_presence_matrix_evidence(corpus, ranked):
    # The answer path weighs coverage, headline and neighbours from bit sets and look-up tables; the
    # plain way (a sentences x terms presence matrix) must give the same figures.
    from retrieval.cues import is_dateline_lede, is_news_article, news_position
    from retrieval.ranking import neighbour_gain, weighted_sum

    questions = corpus[4]
    articles, sentences, ranked = ranked
    by_sentence = sentences.postings.T.tocsr()  # sentences x terms
    headlines = ranked.headlines.tocsr()
    compared = 0
    for question in questions[:80] + ["how many people were displaced", "who said it"]:
        query = sentences.query(question)
        fast = ranked.ranker.cheap_evidence(query, None)
        present_all = (by_sentence[:, query.ids].toarray() != 0).astype(np.float32)
        positions = np.flatnonzero(present_all.any(axis=1))
        if not len(positions):
            assert fast is None
            continue
        present = present_all[positions]
        credit = present * query.coverage
        starts = np.flatnonzero(np.r_[True, np.diff(query.group) != 0])
        coverage = np.maximum.reduceat(credit, starts, axis=1).sum(axis=1)
        article_of = articles.article_of
        in_headline = (headlines[article_of[positions]][:, query.ids].toarray() != 0).astype(np.float32)
        headline = (in_headline * (1.0 - present)) @ query.coverage
        neighbour = neighbour_gain(positions, present, query.coverage, article_of)
        first = articles.starts[article_of[positions]]
        lead = (1.0 / (1.0 + (positions - first))).astype(np.float32)
        cosine = (by_sentence[positions][:, query.ids] @ query.weights).astype(np.float32)
        # Each article's score as one document, over the best article's (documents.py), stated plainly.
        by_article = np.asarray(ranked.articles.T.tocsr()[:, query.ids] @ query.weights).ravel()
        article = (by_article / by_article.max())[article_of[positions]].astype(np.float32)
        lede = np.array([p == f and is_dateline_lede(articles.sentences[p].text) for p, f in zip(positions, first)],
                        np.float32)
        news = np.array([is_news_article(articles.sentences[f].text, articles.articles[a].published,
                                         articles.articles[a].source) for f, a in zip(first, article_of[positions])])
        position = np.where(news, news_position(positions - first, ranked.settings.news_position_span), 0)
        plain = {"coverage": coverage, "cosine": cosine, "headline": headline, "neighbour": neighbour, "lead": lead,
                 "article": article, "lede": lede, "position": position}
        plain["score"] = weighted_sum(ranked.settings, coverage, headline, neighbour, lead, cosine, article=article,
                                      lede=lede, position=position)
        assert fast.positions.tolist() == positions.tolist()
        for name, value in plain.items():
            np.testing.assert_allclose(getattr(fast, name), value, rtol=1e-5, atol=1e-6, err_msg=name)
        compared += int(neighbour.any() and headline.any())
    assert compared > 10  # the headline and neighbour evidence were exercised, not only zeros
