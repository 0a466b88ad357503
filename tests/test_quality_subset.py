"""Answer quality on the WikiQA and TrecQA dev splits stays above a floor a little under what we measure.

The sets are read from ../shared/data/ beside the repository (never part of it); without them the
test is skipped. Newsbot only, dev only: the whole table is `python benchmarks/quality.py`.
"""

from __future__ import annotations

import pytest

from bot.service import AnswerSettings
from tests import answer_sets

DATA = answer_sets.data_folder()
pytestmark = pytest.mark.skipif(
    not (DATA / "wikiqa" / "WikiQA-dev.tsv").is_file() or not (DATA / "trecqa" / "dev.csv").is_file(),
    reason=f"WikiQA / TrecQA not found in {DATA}",
)


@pytest.fixture(scope="module")
def wikiqa(tmp_path_factory):
    answer_set = answer_sets.read_wikiqa(DATA / "wikiqa" / "WikiQA-dev.tsv")
    return answer_set, answer_sets.Newsbot(answer_set, tmp_path_factory.mktemp("wikiqa"))


@pytest.fixture(scope="module")
def trecqa(tmp_path_factory):
    answer_set = answer_sets.read_trecqa(DATA / "trecqa" / "dev.csv")
    return answer_set, answer_sets.Newsbot(answer_set, tmp_path_factory.mktemp("trecqa"))


def test_every_wikiqa_sentence_maps_back_to_its_document(wikiqa):
    answer_set, bot = wikiqa
    documents = {d.id: d for d in answer_set.documents}
    assert {d for d, _ in bot.origin} == set(documents)
    for (document, number), sentence in zip(bot.origin, bot.index.corpus.sentences):
        assert sentence.text.split()[0] in documents[document].sentences[number]


def test_wikiqa_per_article_map_and_mrr(wikiqa):  # measured 0.730 / 0.741
    answer_set, bot = wikiqa
    figures = answer_sets.per_article(bot, [q for q in answer_set.questions if q.answerable])
    assert figures["questions"] == 126
    assert figures["MAP"] >= 0.70 and figures["MRR"] >= 0.71, figures


def test_wikiqa_pooled_precision_at_1(wikiqa):  # measured 0.579
    answer_set, bot = wikiqa
    figures = answer_sets.pooled(bot, [q for q in answer_set.questions if q.answerable])
    assert figures["P@1"] >= 0.54, figures


def test_wikiqa_answer_triggering_f1(wikiqa):  # measured 0.414
    answer_set, bot = wikiqa
    figures = answer_sets.triggering(bot, answer_set.questions, answer_sets.bot_accepts(AnswerSettings()))
    assert figures["F1"] >= 0.37, figures


def test_trecqa_map_and_mrr(trecqa):  # measured 0.769 / 0.858
    answer_set, bot = trecqa
    figures = answer_sets.per_article(bot, [q for q in answer_set.questions if q.mixed])
    assert figures["questions"] == 65
    assert figures["MAP"] >= 0.74 and figures["MRR"] >= 0.81, figures


def test_trecqa_pools_do_not_keep_the_files_order(trecqa):
    # The file lists right candidates first; a pool in that order would hand position evidence the labels.
    answer_set, _ = trecqa
    firsts = [q.labels[0] for q in answer_set.questions if q.mixed]
    assert sum(firsts) < 0.6 * len(firsts)
