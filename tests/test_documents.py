"""Article-level evidence: each article as one BM25 document, and its score joining the sentence's."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval import RankSettings, parse_article
from retrieval.corpus import Corpus, CorpusIndex
from retrieval.documents import article_scores


def corpus(*articles: tuple[str, list[str]], settings: RankSettings | None = None) -> CorpusIndex:
    parsed = [parse_article(f"---\ntitle: {title}\n---\n" + "\n".join(lines), f"a{i}")
              for i, (title, lines) in enumerate(articles)]
    return CorpusIndex.build(Corpus.from_articles(parsed), settings)


ARCHIVE = (
    # The answer sentence names neither the court nor the verdict; its article is all about them.
    ("Trial opens", ["The jury heard the verdict on Friday.", "The court adjourned.", "The court will sit again.",
                     "Judges at the court said the verdict stands."]),
    # A sentence repeating the question's words, in an article about something else.
    ("Football results", ["City won the match.", "Fans said the verdict of the court of public opinion was harsh.",
                          "United lost at home."]),
)


def test_the_article_about_the_question_scores_one_and_others_less():
    index = corpus(*ARCHIVE)
    scores = article_scores(index.articles, index.index.query("What verdict did the court reach?"))
    assert scores[0] == 1.0 and 0 < scores[1] < 1.0


def test_a_question_sharing_no_word_with_any_article_scores_zero_everywhere():
    index = corpus(*ARCHIVE)
    assert np.all(article_scores(index.articles, index.index.query("zebra")) == 0)


def test_article_evidence_puts_the_sentence_of_the_right_article_first():
    question = "What verdict did the court reach?"
    without = corpus(*ARCHIVE, settings=RankSettings(article_weight=0.0))
    assert without.search(question, 1)[0].sentence.article_id == "a1"
    weighted = corpus(*ARCHIVE, settings=RankSettings(article_weight=1.0))
    assert weighted.search(question, 1)[0].sentence.article_id == "a0"


def test_article_evidence_is_the_same_when_one_article_is_searched():
    index = corpus(*ARCHIVE)
    question = "What verdict did the court reach?"
    whole = {int(p): float(a) for p, a in zip(index.evidence(question).positions, index.evidence(question).article)}
    one = index.evidence(question, "a1")
    assert [whole[int(p)] for p in one.positions] == pytest.approx(one.article.tolist())


def test_article_vectors_survive_the_cache(tmp_path):
    index = corpus(*ARCHIVE)
    index.save(tmp_path / "slot", {"corpus": "x"})
    loaded = CorpusIndex.load(tmp_path / "slot", {"corpus": "x"})
    # Loaded with numpy alone (segments.Columns: the CSR arrays as saved), built with scipy.
    for name in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(loaded.articles, name), getattr(index.articles, name)), name
    assert loaded.articles.shape == index.articles.shape
    question = "What verdict did the court reach?"
    assert [h.position for h in loaded.search(question)] == [h.position for h in index.search(question)]

