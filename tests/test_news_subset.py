"""Answer quality on a small news archive (NewsQA stories among BBC articles) stays above a floor a little
under what we measure.

The same code as `python benchmarks/news.py --quick` (benchmarks/news.py), newsbot only: 20 NewsQA stories
in the archive and 4 left out, 100 BBC articles. The data is read from ../shared/data/ beside the
repository (never part of it); without it the test is skipped. `benchmarks` is imported as a package
from the repository root, which pytest puts on the path (pyproject's `pythonpath`).
"""

from __future__ import annotations

import pytest

from benchmarks import news
from benchmarks.news_archive import BBC_FILE, NEWSQA_FILE
from tests.answer_sets import data_folder
from retrieval.articles import clean_text

DATA = data_folder()
pytestmark = pytest.mark.skipif(
    not (DATA / NEWSQA_FILE).is_file() or not (DATA / BBC_FILE).is_file(),
    reason=f"NewsQA / BBC not found in {DATA}",
)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    return news.open_archive(DATA, news.QUICK, tmp_path_factory.mktemp("news"))


@pytest.fixture(scope="module")
def figures(setup):
    return news.measure(setup, news.newsbot(setup.service), news.QUICK.seed)


def test_the_archive_holds_the_stories_but_the_left_out_ones_and_the_distractors(setup):
    ids = {s.id for s in setup.service.sources()}
    assert sum(i.startswith("bbc/") for i in ids) == 100
    assert sum(i.startswith("newsqa/") for i in ids) == 20
    assert setup.unanswerable and not {q.story for q in setup.unanswerable} & ids
    assert {q.story for q in setup.questions} <= ids


def test_every_right_sentence_holds_its_answer_in_its_own_story(setup):
    assert setup.lost == 0
    for q in setup.questions:
        assert setup.right[q.id], q
        for position in setup.right[q.id]:
            article, _, text = setup.sentences[position]
            assert article == q.story
            assert clean_text(q.answer) in text, (q, text)


def test_a_story_headline_is_its_ledes_first_sentence_without_the_dateline(setup):
    headlines = [s.title for s in setup.service.sources() if s.id.startswith("newsqa/")]
    assert headlines and not any("(CNN)" in h or h.endswith(".") for h in headlines)


def test_own_article_and_whole_archive(figures):  # measured 0.405 / 0.357 / 0.762 / 0.463
    assert figures["own P@1"] >= 0.37, figures
    assert figures["whole P@1"] >= 0.32, figures
    assert figures["right article"] >= 0.72, figures
    assert figures["whole MRR@10"] >= 0.42, figures


def test_answer_triggering(figures):  # measured F1 0.365; 0.683 of the answerable answered, 0.292 of the left-out
    assert figures["trigger F1"] >= 0.32, figures
    assert figures["left-out answered"] < figures["answered"] - 0.2, figures
