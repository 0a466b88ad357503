"""Ranking evidence: coverage over cosine, headline and neighbour context, position, word order, answer type."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bot.service import AnswerSettings
from retrieval import RankSettings, SentenceIndex, parse_article
from retrieval.corpus import Corpus, CorpusIndex
from retrieval.answer_type import QUOTE, answer_type_bonus, held_kinds, wanted_kinds
from retrieval.cues import is_dateline_lede, is_news_article, news_position, novelty
from retrieval.documents import SAME_TEXT, Story, cosine, rival_margins, same_story
from retrieval.ranking import neighbour_gain, word_figures, word_order_evidence


def corpus(*articles: tuple[str, list[str]], settings: RankSettings | None = None) -> CorpusIndex:
    """Articles given as (headline, sentences), one sentence per paragraph; ids a0, a1, ..."""
    parsed = [parse_article(f"---\ntitle: {title}\n---\n" + "\n".join(lines), f"a{i}")
              for i, (title, lines) in enumerate(articles)]
    return CorpusIndex.build(Corpus.from_articles(parsed), settings)


def texts(hits) -> list[str]:
    return [h.sentence.text for h in hits]


# -- answer type ----------------------------------------------------------------------------------
@pytest.mark.parametrize("question, sentences, wanted", [
    ("How many people fled?", ["Many people fled.", "About 3,000 people fled."], [0, 1]),
    ("When did the truce start?", ["The truce started quietly.", "The truce started on August 31."], [0, 1]),
    ("Where was Durst born?", ["Durst was born poor.", "Durst was born in Jacksonville."], [0, 1]),
    ("what is a prion", ["Prions cause disease.", "A prion is a misfolded protein."], [0, 1]),
    ("How much did it cost ?", ["It cost a lot .", "It cost $ <num> billion ."], [0, 1]),
    ("What was the score at Bremen?", ["Bremen drew with Schalke at home.", "The match at Bremen ended 3-3."], [0, 1]),
])
def test_answer_type_marks_sentences_holding_what_the_question_asks_for(question, sentences, wanted):
    assert answer_type_bonus(question, sentences, [None] * len(sentences)).tolist() == wanted


def test_answer_type_needs_a_name_the_question_does_not_already_give():
    sentences = ["Nirvana's lead singer galvanized a generation.", "Kurt Cobain was the lead singer of Nirvana."]
    assert answer_type_bonus("Who is the lead singer in Nirvana?", sentences, [None, None]).tolist() == [0, 1]


def test_what_someone_said_wants_the_words_attributed_to_them():
    sentences = ["The mayor of Port Elling, Ana Ruiz, resigned on Sunday.",
                 '"I take full responsibility," Ruiz told reporters.', '"The road is shut," police said.']
    speakers = [None, "Ruiz", "police"]
    assert answer_type_bonus("What did Ruiz say?", sentences, speakers).tolist() == [0, 1, 0]
    assert answer_type_bonus("What did Ana Ruiz say about the floods?", sentences, speakers).tolist() == [0, 1, 0]
    # naming no one ("she", after a follow-up is read alone), any sentence with a speaker gives words
    assert answer_type_bonus("What did she say?", sentences, speakers).tolist() == [0, 1, 1]
    assert held_kinds(sentences[1], "Ruiz") & QUOTE and not held_kinds(sentences[0], None) & QUOTE
    assert not wanted_kinds("What did the floods destroy?") & QUOTE


def test_a_question_without_a_type_gives_no_bonus():
    assert answer_type_bonus("Why did they leave?", ["They left in 2019."], [None]).tolist() == [0]


# -- word order -----------------------------------------------------------------------------------
def test_bigrams_are_the_share_of_question_pairs_found_side_by_side():
    bigrams, _ = word_order_evidence(["lead", "singer", "nirvana"],
                                     [["nirvana", "lead", "singer"], ["singer", "lead"], ["lead", "singer", "nirvana"]])
    assert bigrams.tolist() == [0.5, 0.0, 1.0]


def test_proximity_is_matched_words_over_the_shortest_span_holding_them():
    _, proximity = word_order_evidence(["capit", "franc"],
                                       [["capit", "franc"], ["capit", "x", "y", "franc"], ["franc"], ["capit", "x", "franc", "capit"]])
    assert proximity.tolist() == pytest.approx([1.0, 0.5, 0.0, 1.0])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-2, 6), max_size=8), st.lists(st.lists(st.integers(-2, 9), max_size=14), max_size=6))
def test_word_figures_in_one_pass_are_word_order_evidence_and_novelty(question, sentences):
    bigrams, proximity, novel = word_figures(question, sentences)
    expected_bigrams, expected_proximity = word_order_evidence(question, sentences)
    assert bigrams.tobytes() == expected_bigrams.tobytes() and proximity.tobytes() == expected_proximity.tobytes()
    assert novel.tobytes() == novelty(question, sentences).tobytes()


# -- context --------------------------------------------------------------------------------------
def test_neighbour_gain_counts_only_words_the_sentence_lacks_within_its_article():
    positions = np.array([0, 1, 2, 5])
    present = np.array([[1, 0], [1, 1], [0, 1], [1, 0]], np.float32)
    weights = np.array([0.25, 0.75], np.float32)
    article_of = np.array([0, 0, 1, 1, 1, 1])
    gain = neighbour_gain(positions, present, weights, article_of)
    # 0 gains "b" from 1; 1 lacks nothing; 2's neighbour 1 is another article; 5 has no scored neighbour.
    assert gain.tolist() == [0.75, 0.0, 0.0, 0.0]


def test_a_long_sentence_with_every_question_word_beats_a_short_one_with_few():
    index = corpus(("Notes", [
        "Epithelial cells are joined.",
        "Epithelial tissues are joined together by tight junctions, desmosomes and gap junctions between cells "
        "that sit on a basement membrane of collagen.",
    ]))
    hits = index.search("How are epithelial tissues joined together?")
    assert texts(hits)[0].startswith("Epithelial tissues are joined together")


def test_headline_words_count_for_the_sentences_of_their_article():
    index = corpus(("Durst", ["The singer was born in Jacksonville in 1970."]),
                   ("Elsewhere", ["A singer was born in a small town near the river."]))
    hits = index.search("Where was Durst born?")
    assert hits[0].sentence.article_id == "a0"
    assert hits[0].coverage < 1.0  # the sentence itself lacks "Durst"


def test_the_first_sentence_wins_when_the_rest_is_equal():
    index = corpus(("Tissue", ["Tissue is a group of cells.", "Tissue is a group of cells."]))
    assert index.search("what is tissue")[0].sentence.paragraph == 1


def test_other_forms_of_a_question_word_match_at_a_lower_weight():
    index = SentenceIndex.build(["Their discovery of prions changed medicine.", "The weather was fine."])
    query = index.query("Who discovered prions?")
    assert "discoveri" in query.words
    assert index.search("discovered")[0][0] == 0


def test_scores_are_the_documented_weighted_sum():
    settings = RankSettings()
    index = corpus(("Idlib", ["Jets struck the town on Monday.", "The town was hit again on Tuesday by jets."]),
                   settings=settings)
    evidence = index.evidence("When did jets strike the town?")
    expected = (settings.coverage_weight * evidence.coverage + settings.headline_weight * evidence.headline
                + settings.neighbour_weight * evidence.neighbour + settings.lead_weight * evidence.lead
                + settings.bigram_weight * evidence.bigrams + settings.proximity_weight * evidence.proximity
                + settings.answer_type_weight * evidence.answer_type + settings.cosine_weight * evidence.cosine
                + settings.article_weight * evidence.article + settings.lede_weight * evidence.lede
                + settings.novelty_weight * (evidence.novelty - 1))
    assert evidence.scores(settings) == pytest.approx(expected)
    hits = index.search("When did jets strike the town?")
    assert [h.score for h in hits] == pytest.approx(sorted(expected.tolist(), reverse=True))


def test_zero_weights_leave_coverage_alone():
    bare = RankSettings(headline_weight=0, article_weight=0, neighbour_weight=0, lead_weight=0, bigram_weight=0,
                        proximity_weight=0, answer_type_weight=0, cosine_weight=0, lede_weight=0, novelty_weight=0)
    index = corpus(("Storm", ["The storm flooded 300 homes.", "Officials said the storm was strong."]), settings=bare)
    for hit in index.search("How many homes did the storm flood?"):
        assert hit.score == pytest.approx(hit.coverage)


def test_a_sentence_holding_what_is_asked_is_read_however_many_rank_before_it():
    lines = [f"Report {i} about the harbour and the fleet." for i in range(300)] + ["The fleet left the harbour in 1905."]
    question = "When did the fleet leave the harbour?"
    wide = corpus(("Harbour", lines))
    assert texts(wide.search(question, 1)) == ["The fleet left the harbour in 1905."]  # the date wins
    narrow = corpus(("Harbour", lines), settings=replace(RankSettings(), candidates=5))
    hits = narrow.search(question, 10)
    # Equal coverage: the shortlist is the dated sentence (it holds a date, so it may earn the
    # answer-type weight) and then the first by position, up to the 10 asked for.
    assert texts(hits) == ["The fleet left the harbour in 1905."] + [
        f"Report {i} about the harbour and the fleet." for i in range(9)]
    # A search for more than the shortlist holds gets them all, ranked.
    assert len(narrow.search(question, 40)) == 40


def test_the_service_pages_past_the_shortlist():
    from bot.service import AnsweringService

    service = AnsweringService(corpus(("Harbour", [f"Report {i} about the harbour." for i in range(60)])))
    assert len(service.ask("harbour", top_k=50).passages) == 50
    later = service.ask("harbour", top_k=5, skip=20)
    assert later.kind != "no_more" and [p.text for p in later.passages] == [
        f"Report {i} about the harbour." for i in range(20, 25)]


def test_a_question_repeating_an_unknown_word_weighs_word_order_as_the_text_would():
    index = corpus(("Harbour news", ["Fleet harbour workers struck at dawn.", "Nothing else happened."]))
    question = "fleet harbour qwxz fleet harbour qwxz"
    from_ids = index.evidence(question).bigrams.tolist()
    index.index._tokens = None  # as an index without stored terms: the words analysed again
    assert from_ids == index.evidence(question).bigrams.tolist() == [pytest.approx(1 / 3)]


# -- declining ------------------------------------------------------------------------------------
def test_answer_settings_need_both_coverage_and_score():
    settings = AnswerSettings(min_coverage=0.5, min_score=0.6)
    assert settings.accepts(0.7, 0.5)
    assert not settings.accepts(0.7, 0.4)
    assert not settings.accepts(0.59, 0.9)


def test_confidence_has_three_tiers_and_the_first_is_accepts():
    settings = AnswerSettings(min_coverage=0.5, min_score=0.6, maybe_coverage=0.3, maybe_score=0.4)
    assert settings.confidence(0.7, 0.5) == "answer" and settings.accepts(0.7, 0.5)
    assert settings.confidence(0.5, 0.5) == "maybe" and not settings.accepts(0.5, 0.5)
    assert settings.confidence(0.7, 0.35) == "maybe"
    assert settings.confidence(0.39, 0.9) == "none" and settings.confidence(0.9, 0.2) == "none"


def test_an_answer_must_stand_clear_of_other_articles_and_a_close_call_is_maybe():
    settings = AnswerSettings(min_coverage=0.5, min_score=0.6, min_margin=0.15, maybe_coverage=0.3, maybe_score=0.4,
                              maybe_margin=0.05)
    assert settings.confidence(0.7, 0.5) == "answer"  # no rival: asked of one article, or no other shares a word
    assert settings.confidence(0.7, 0.5, 0.2) == "answer"
    assert settings.confidence(0.7, 0.5, 0.1) == "maybe" and not settings.accepts(0.7, 0.5, 0.1)
    assert settings.confidence(0.7, 0.5, 0.01) == "none"


def test_rival_margins_compare_with_the_best_article_of_another_story():
    score = np.array([1.0, 0.9, 0.8, 0.6, 0.5], np.float32)
    article = np.array([0, 0, 1, 3, 2])
    copies = {(0, 2)}  # article 1's best sentence rewrites the first sentence (not the second)
    stories = {(0, 3), (3, 0)}  # article 3 reports article 0's story
    margins = rival_margins(score, article, np.array([0, 1, 4]), lambda i, j: (i, j) in copies,
                            lambda a, b: (a, b) in stories)
    assert margins.tolist() == [pytest.approx(0.5), pytest.approx(0.1), pytest.approx(-0.5)]
    assert np.isinf(rival_margins(score[:2], article[:2], np.array([0]), lambda i, j: False,
                                  lambda a, b: False)).all()
    # Every other article reports the same story: no rival at all.
    assert np.isinf(rival_margins(score, article, np.array([0]), lambda i, j: False, lambda a, b: True)).all()


def test_same_story_by_headline_or_by_text_not_by_the_questions_words():
    idf = np.array([1.0, 1.0, 3.0, 3.0, 2.0, 2.0, 1.0, 1.0, 2.5, 2.5])
    def story(headline, text):
        return Story.of(np.array(headline), np.array(text), idf)
    floods = story([2, 3, 4], [0, 1, 6, 6])
    update = story([2, 3, 4, 5], [5, 7, 0, 1])  # a later toll: other words, the same headline's names
    rewrite = story([8, 5], [2, 3, 4, 0, 1, 6, 6, 7])  # another outlet's text under another headline
    other = story([8, 9], [4, 0, 1, 8, 9])  # shares a word of the question, about something else
    assert same_story(floods, update) and same_story(update, floods) and same_story(floods, rewrite)
    assert not same_story(floods, other) and not same_story(update, other)
    assert cosine(floods.text, floods.text) == pytest.approx(1.0)
    assert cosine(floods.text, other.text) < SAME_TEXT and sum(floods.headline.values()) > 0


def test_an_update_of_a_story_is_no_rival_but_another_story_is():
    index = corpus(("Port Elling floods: at least 12 dead",
                    ["At least 12 people were killed in the Port Elling floods, the coastguard said."]),
                   ("Port Elling flood toll rises to 15",
                    ["The death toll from the floods rose to 15 on Tuesday, the coastguard said."]),
                   ("Coastguard cuts its night patrols",
                    ["The coastguard said night patrols would end in May.", "Unions objected."]))
    hits = index.search("What did the coastguard say about the death toll?", 5, margins=True)
    by_article = {}
    for h in hits:
        by_article.setdefault(h.sentence.article_id, h)
    assert hits[0].sentence.article_id == "a1" and {"a0", "a2"} <= set(by_article)
    # The first report of the floods is no rival of the update; the patrols story is.
    assert hits[0].margin == pytest.approx(hits[0].score - by_article["a2"].score)
    assert by_article["a0"].margin == pytest.approx(by_article["a0"].score - by_article["a2"].score)
    assert by_article["a2"].margin == pytest.approx(by_article["a2"].score - hits[0].score)


def test_search_gives_each_hit_its_lead_over_other_articles():
    index = corpus(("Harbour strike", ["Dock workers at the harbour went on strike on Monday."]),
                   ("Weather", ["A storm hit the harbour town.", "Dock workers stayed home."]))
    hits = index.search("when did the dock workers strike at the harbour", 3, margins=True)
    assert hits[0].sentence.article_id == "a0"
    rival = max(h.score for h in hits if h.sentence.article_id != "a0")
    assert hits[0].margin == pytest.approx(hits[0].score - rival)
    one = index.search("when did the dock workers strike at the harbour", 3, article="a0", margins=True)
    assert np.isinf(one[0].margin)
    # Not asked for (no tier of the default settings weighs it): not worked out, the ranking the same.
    plain = index.search("when did the dock workers strike at the harbour", 3)
    assert all(np.isinf(h.margin) for h in plain) and [h.position for h in plain] == [h.position for h in hits]


def test_new_settings_set_on_an_index_rank_by_them():
    index = corpus(("Weather", ["Storm.", "The storm flooded homes, roads, farms, shops, schools, churches and bridges."]))
    assert index.search("storm homes", 1)[0].position == 1  # the default weights: coverage first
    index.settings = RankSettings(coverage_weight=0, headline_weight=0, article_weight=0, neighbour_weight=0, lead_weight=0,
                                  bigram_weight=0, proximity_weight=0, answer_type_weight=0, cosine_weight=1,
                                  candidates=1)
    assert index.evidence("storm homes").positions.tolist() == [0]  # one candidate: the best by cosine
    evidence = index.evidence("storm homes", k=10)
    best_cosine = int(evidence.positions[evidence.cosine.argmax()])
    assert best_cosine == 0 and index.search("storm homes", 1)[0].position == best_cosine


# -- sentence cues (cues.py) ------------------------------------------------------------------------
@pytest.mark.parametrize("text, lede", [
    ("LONDON, England (CNN) -- The iconic Abbey Road studios are not for sale.", True),
    ("(CNN) -- Bea Arthur has died of cancer.", True),
    ("MADRID, Spain -- The match was called off.", True),
    ("Washington (CNN) -- A new directive puts limits on raids.", True),
    ("The studios are not for sale, the label said.", False),
    ("He said (in a statement) that it was over -- for now.", False),
])
def test_a_dateline_marks_a_news_lede(text, lede):
    assert is_dateline_lede(text) is lede


@pytest.mark.parametrize("first, published, source, news", [
    ("ATHENS, Greece (CNN) -- Demonstrators rose up across Greece on Monday.", None, None, True),
    ("Demonstrators rose up across Greece on Monday.", "2008-12-08", None, True),
    ("Demonstrators rose up across Greece on Monday.", None, "Harbour Times", True),
    ("Greece is a country in southeastern Europe.", None, None, False),  # a reference text
])
def test_a_news_article_has_a_dateline_or_a_date_or_an_outlet(first, published, source, news):
    assert is_news_article(first, published, source) is news


def test_a_news_articles_place_falls_from_its_first_sentence_to_the_sixteenth():
    assert news_position(np.array([0, 4, 8, 16, 40]), 16).tolist() == [0.5, 0.25, 0.0, -0.5, -0.5]


def test_only_a_news_article_earns_the_place_prior():
    filler = [f"Officials gave update number {n} on the clean-up." for n in range(2, 20)]
    story = ["ATHENS, Greece (CNN) -- Riot police fired tear gas at protesters in Athens on Monday.",
             "The rioting began after police shot a 15-year-old boy in Exarchia on Saturday.", *filler,
             "Rioting also broke out in Thessaloniki, where students set fire to a bank."]
    reference = ["Athens is the capital of Greece.",
                 "The rioting began after police shot a 15-year-old boy in Exarchia on Saturday.", *filler,
                 "Rioting also broke out in Thessaloniki, where students set fire to a bank."]
    index = corpus(("Riots in Greece", story), ("Greece", reference))
    question = "Where did the rioting begin?"
    evidence = index.evidence(question, k=100)
    place = dict(zip(evidence.positions.tolist(), evidence.position.tolist()))
    second, last = 1, len(story) - 1  # the same two sentences in both articles
    assert place[second] == pytest.approx(0.5 - 1 / 16) and place[last] == pytest.approx(-0.5)
    assert place[len(story) + second] == 0.0 and place[len(story) + last] == 0.0  # not news: no prior
    gained = evidence.scores(index.settings) - evidence.scores(replace(index.settings, news_position_weight=0.0))
    assert gained == pytest.approx(index.settings.news_position_weight * evidence.position, abs=1e-6)
    assert index.search(question, article="a0")[0].sentence.text.startswith("The rioting began")


def test_novelty_is_what_a_sentence_says_beyond_the_question():
    asked = ["pilot", "tri"]
    scores = novelty(asked, [["pilot", "tri"], ["pilot", "fake", "death", "crash", "plane", "swamp", "florida"]])
    assert scores.tolist() == [0.0, 1.0]


def test_a_dateline_lede_earns_the_lede_weight_and_nothing_else_does():
    index = corpus(("Abbey Road", [
        "London, England (CNN) -- The Abbey Road studios are not for sale, the label that owns them said.",
        "Andrew Lloyd Webber is very interested in buying the Abbey Road studios.",
    ]), ("Abbey Road again", ["The Abbey Road studios were built in 1931.", "Buying them would cost millions."]))
    question = "Who is interested in buying the Abbey Road studios?"
    with_lede = index.evidence(question)
    assert with_lede.lede.tolist() == [1.0, 0.0, 0.0, 0.0]  # only the first sentence with a dateline
    gained = with_lede.scores(index.settings) - with_lede.scores(replace(index.settings, lede_weight=0.0))
    assert gained == pytest.approx(index.settings.lede_weight * with_lede.lede)
