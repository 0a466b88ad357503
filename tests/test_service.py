"""The answering service: sourced answers, honest refusals, help, and questions of any shape."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest
from hypothesis import given, settings, strategies as st

from bot.answers import Answer
from bot.conversation import Conversation
from bot.render import reply
from bot.evaluate import evaluate, read_items
from bot.service import AnsweringService

from .conftest import SEEDS, write

HEADLINE = "Syrian regime amassing for renewed Idlib offensive say rebels"


def test_seed_question_set_on_topic_and_off_topic(seed_service):
    items = read_items(SEEDS / "questions.jsonl")
    assert sum(i.expected is not None for i in items) >= 30
    assert sum(i.expected is None for i in items) >= 10
    report = evaluate(seed_service, items)
    print(report.table(), *report.misses, sep="\n")
    assert report.on_topic_right >= 0.95, report.misses
    assert report.declined_share >= 0.90, report.misses


def test_answer_carries_sentence_and_attribution(seed_service):
    answer = seed_service.ask("Who denied conducting the first strikes?")
    assert answer.answered and answer.kind == "answer"
    best = answer.passages[0]
    assert best.text == "Moscow denied conducting the first strikes."
    assert best.article.title == HEADLINE and best.article.id == "idlib"
    assert best.speaker == "Moscow"
    assert "Moscow denied conducting the first strikes." in reply(answer) and HEADLINE in reply(answer)


def test_who_said_what_names_the_speaker(seed_service):
    best = seed_service.ask("What did Mohammad Rashid say about the shelling?").passages[0]
    assert best.attributed_to == "Mohammad Rashid, spokesman for the Jaish Al Nasr rebel group"
    assert "according to Mohammad Rashid" in reply(seed_service.ask("What did Mohammad Rashid say?"))


def test_caption_answer_is_marked_and_credited(seed_service):
    answer = seed_service.ask("Where was the sheep pen destroyed?")
    best = answer.passages[0]
    assert best.kind == "caption"
    assert "photo caption" in best.attributed_to and "AFP / Omar HAJ KADOUR" in best.attributed_to
    assert "photo caption" in reply(answer)


def test_off_topic_question_is_declined_with_closest_matches(seed_service):
    answer = seed_service.ask("What did the Russian football team do at the stadium?")
    assert not answer.answered and answer.kind == "declined"
    assert reply(answer).startswith("The articles don't seem to cover that.")
    assert answer.passages  # the closest matches are still offered


@pytest.mark.parametrize("question", [
    "Did Iran deny the strikes?",
    "Did Ankara deny the strikes?",
    "What did Trump say about Syria?",
    "Who is the president of the United States?",
])
def test_a_question_about_a_name_the_passage_lacks_is_declined(seed_service, question):
    answer = seed_service.ask(question)
    assert not answer.answered and answer.passages


@pytest.mark.parametrize("question", ["What time is it?", "Is it true?", "Who said that?", "What's new?", "say"])
def test_questions_about_nothing_in_particular_are_not_answered(seed_service, question):
    assert not seed_service.ask(question).answered


def test_a_misspelt_name_still_counts_as_named(seed_service):
    answer = seed_service.ask("What did Mohamad Rashid say about the shelling?")
    assert answer.answered and "Mohammad Rashid" in answer.passages[0].text


def test_each_tier_has_its_own_reply_and_json_confidence():
    from bot.answers import Passage, Source

    best = Passage("Moscow denied conducting the first strikes.", 0.5, Source("idlib", "Idlib"), 6, 2, None)
    for confidence, opening in (("maybe", "I'm not sure, but this may answer it:\nMoscow denied"),
                                ("none", "The articles don't seem to cover that. The closest matches:")):
        answer = Answer("q", False, (best,), "declined", confidence=confidence)
        assert reply(answer).startswith(opening)
        assert answer.to_json(reply(answer))["confidence"] == confidence


def test_an_answer_is_the_answer_tier_and_a_declined_one_is_not(seed_service):
    answered = seed_service.ask("Who denied conducting the first strikes?")
    assert answered.answered and answered.confidence == "answer"
    declined = seed_service.ask("What did the Russian football team do at the stadium?")
    assert not declined.answered and declined.confidence in ("maybe", "none")


def test_question_sharing_no_word_is_declined_without_passages(seed_service):
    answer = seed_service.ask("Xylophones for quokkas?")
    assert not answer.answered and answer.passages == ()


@pytest.mark.parametrize("text", ["", "   ", "hello", "Hi!", "help", "?", "👋", "thanks"])
def test_greetings_help_and_empty_input_get_help(seed_service, text):
    answer = seed_service.ask(text)
    assert answer.kind == "help" and not answer.answered and not answer.passages
    assert "Ask me a question" in reply(answer)


def test_top_k_and_article_filter(seed_service):
    assert len(seed_service.ask("Idlib strikes", top_k=5).passages) == 5
    unknown = seed_service.ask("Idlib strikes", article="nope")
    assert unknown.kind == "unknown_article" and "nope" in reply(unknown)


def test_skip_gives_the_next_best(seed_service):
    first = seed_service.ask("air strikes Idlib", top_k=2).passages
    second = seed_service.ask("air strikes Idlib", top_k=1, skip=1).passages
    assert second[0].text == first[1].text


def test_json_has_exactly_the_documented_keys(seed_service):
    answer = seed_service.ask("Who denied conducting the first strikes?")
    data = json.loads(json.dumps(answer.to_json(reply(answer))))
    assert set(data) == {"question", "read_as", "answered", "confidence", "close_call", "reply", "answers"}
    assert data["read_as"] is None  # a question read alone
    assert set(data["answers"][0]) == {"text", "score", "article", "paragraph", "sentence", "attributed_to",
                                       "also_in", "earlier", "later", "dates"}
    assert set(data["answers"][0]["article"]) == {"id", "title", "source", "url", "published", "author", "tags"}
    assert isinstance(data["answers"][0]["score"], float)
    assert data["answers"][0]["paragraph"] >= 1 and data["answers"][0]["sentence"] >= 1


def test_a_sentence_opening_with_a_pronoun_comes_with_the_one_before(tmp_path):
    write(tmp_path, "a.txt", "Mayor resigns\nThe mayor of Springfield resigned on Monday. "
                             "She cited a lack of funding for the new library.")
    service = AnsweringService.open(tmp_path, tmp_path / ".cache")
    best = service.ask("Why was funding for the library a problem?").passages[0]
    assert best.text.startswith("The mayor of Springfield resigned") and best.text.endswith("new library.")


def test_conversation_more_and_context(seed_service):
    chat = Conversation(seed_service)
    first = chat.ask("Who denied conducting the first strikes?")
    nxt = chat.more()
    assert nxt.passages and nxt.passages[0].text != first.passages[0].text
    assert chat.context() == seed_service.context(nxt.passages[0])
    assert nxt.passages[0].text in chat.context().text


def test_more_before_any_question_says_so(seed_service):
    answer = Conversation(seed_service).more()
    assert not answer.passages and "Ask a question first" in reply(answer)


def test_an_answer_says_what_it_continues(seed_service):
    first = seed_service.ask("air strikes Idlib", top_k=2)
    nxt = seed_service.ask("air strikes Idlib", top_k=1, skip=first.next_skip)
    assert (first.skip, first.next_skip, nxt.skip, nxt.next_skip) == (0, 2, 2, 3)
    beyond = seed_service.ask("air strikes Idlib", top_k=1, skip=10_000)
    assert beyond.kind == "no_more" and not beyond.passages and beyond.skip == 10_000


def test_more_after_an_older_answer_continues_that_answer(seed_service):
    chat = Conversation(seed_service)
    older = chat.ask("Who denied conducting the first strikes?")
    chat.ask("What did Lavrov say?")
    nxt = chat.more(after=older)
    assert nxt.question == older.question and nxt.skip == 1
    assert nxt.passages[0].text == seed_service.ask(older.question, top_k=1, skip=1).passages[0].text
    assert chat.more().skip == 2  # what was shown last is what "more" continues


def test_the_plain_reply_leads_a_next_best_answer_and_lists_the_others(seed_service):
    nxt = seed_service.ask("air strikes Idlib", top_k=2, skip=1)
    assert nxt.kind == "answer", "the seed set has a second answer to this"
    text = reply(nxt)
    assert text.startswith("Next best match:\n" + nxt.passages[0].text)
    assert "\nOther matches:\n  2. " in text


def test_refresh_picks_up_new_articles(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", "Storm hits coast\nThe storm flooded 300 homes.")
    service = AnsweringService.open(corpus, tmp_path / ".cache")
    assert not service.refresh()
    write(corpus, "b.txt", "Quake shakes city\nA quake of magnitude 6 shook the city of Lima.")
    assert service.refresh()
    assert service.ask("What shook Lima?").passages[0].article.id == "b"


HOSTILE = [
    "x" * 100_000,
    "Who denied " * 10_000,
    "\x00\x01\x02\x1b[31mWho denied the strikes?\x07",
    "🔥💥 Who denied conducting the first strikes? 🚀",
    "מי הכחיש את התקיפות הראשונות? من نفى الضربات",
    "<script>alert(1)</script><b>Who</b> denied &amp; the strikes?",
    "\u202eWho denied the strikes?\u202c",
    "Who\u0000 denied",
    "Who denied \ud800 the strikes?",
]


@pytest.mark.parametrize("question", HOSTILE, ids=range(len(HOSTILE)))
def test_any_question_gets_an_answer_or_a_refusal_quickly(seed_service, question):
    started = time.perf_counter()
    answer = seed_service.ask(question)
    took = time.perf_counter() - started
    assert answer.kind in {"answer", "declined", "help"}
    assert reply(answer)
    assert took < 5  # generous: a hang, not a timing target (see benchmarks/)


@pytest.mark.parametrize("pasted", ["\x1b[31m{}\x1b[0m", "\x1b]0;title\x07{}", "\x9b1;31m{}", "{}\x1b[2J"])
def test_a_terminal_escape_pasted_with_a_question_is_not_searched(seed_service, pasted):
    question = "Who denied conducting the first strikes?"
    plain, escaped = seed_service.ask(question), seed_service.ask(pasted.format(question))
    assert escaped.answered == plain.answered and escaped.confidence == plain.confidence
    assert [(p.position, p.score) for p in escaped.passages] == [(p.position, p.score) for p in plain.passages]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.integers(min_value=-5, max_value=100))
def test_property_any_text_any_top_k(seed_service, question, top_k):
    answer = seed_service.ask(question, top_k=top_k)
    assert answer.kind in {"answer", "declined", "help"}
    assert len(answer.passages) <= max(1, min(top_k, 50))
    assert answer.answered == (answer.kind == "answer")
    json.dumps(answer.to_json(reply(answer)))


def test_more_is_judged_by_its_own_evidence_not_its_lead_over_the_answer_shown(tmp_path):
    # Two stories answer the question equally well. The first answer's lead over the other story is
    # nil, so it is not given as an answer; More then shows the other story, whose lead over the
    # answer already shown is negative by construction: it is judged by its own evidence.
    write(tmp_path, "a.txt", "Skarnvik harbour celebrates\nFunded by fishing guilds and the county council, "
                             "Skarnvik's harbour museum opened a whaling wing beside the old lighthouse.\n"
                             "Visitors queued along the quay for ferry tickets.")
    write(tmp_path, "b.txt", "Orrmo volunteers finish restoration\nAfter a decade of volunteer carpentry, "
                             "the lakeside museum in Orrmo opened a whaling wing with a restored skeleton.\n"
                             "Schoolchildren sang during the ribbon cutting.")
    service = AnsweringService.open(tmp_path, tmp_path / ".cache")
    question = "Which museum opened a whaling wing?"
    first = service.ask(question, top_k=1)
    assert first.passages and first.passages[0].margin < service.settings.min_margin
    nxt = service.ask(question, top_k=1, skip=first.next_skip)
    assert nxt.passages and nxt.passages[0].article.id != first.passages[0].article.id
    assert nxt.passages[0].margin < 0  # behind the answer shown
    assert nxt.confidence == "answer" and nxt.answered


def test_two_stories_matching_equally_are_a_close_call_in_every_reply(tmp_path):
    # Both stories hold every word of the question: the lead of either over the other is nil, so the
    # service gives neither as the answer, and the replies say it cannot tell which story is meant
    # rather than that the articles don't cover it.
    from bot.telegram.render import answer_message

    write(tmp_path, "a.txt", "Skarnvik harbour celebrates\nFunded by fishing guilds and the county council, "
                             "Skarnvik's harbour museum opened a whaling wing beside the old lighthouse.\n")
    write(tmp_path, "b.txt", "Orrmo volunteers finish restoration\nAfter a decade of volunteer carpentry, "
                             "the lakeside museum in Orrmo opened a whaling wing with a restored skeleton.\n")
    service = AnsweringService.open(tmp_path, tmp_path / ".cache")
    answer = service.ask("Which museum opened a whaling wing?")
    assert answer.confidence == "none" and answer.close_call and not answer.answered
    assert {p.article.id for p in answer.passages} == {"a", "b"}
    assert reply(answer).startswith("Not sure which story this is about: more than one matches it about as well.")
    assert "Not sure which story this is about" in answer_message(answer, "help")
    assert answer.to_json(reply(answer))["close_call"] is True
    # One story alone answers it: no close call.
    (tmp_path / "b.txt").unlink()
    alone = AnsweringService.open(tmp_path, tmp_path / ".cache").ask("Which museum opened a whaling wing?")
    assert alone.answered and not alone.close_call
    assert alone.to_json(reply(alone))["close_call"] is False


def test_a_feed_time_is_shown_to_the_minute_with_its_zone_and_kept_whole_in_json(tmp_path):
    from bot.render import sources_table
    from bot.telegram.render import answer_message, sources_message

    write(tmp_path, "ferry.txt", "title: Ferry back\nsource: Northwire\npublished: Tue, 14 May 2024 10:00:00 GMT\n\n"
                                 "The ferry to Skarn resumed service on Sunday, the operator said.\n")
    write(tmp_path, "bridge.txt", "title: Bridge shut\npublished: 2024-05-15T08:30:00+02:00\n\n"
                                  "The bridge closed after cracks were found, engineers said.\n")
    service = AnsweringService.open(tmp_path, tmp_path / "cache")
    ferry = service.ask("When did the ferry resume service?")
    assert "— “Ferry back”, Northwire, 2024-05-14 10:00 UTC, paragraph 1" in reply(ferry)
    assert "Northwire, 2024-05-14 10:00 UTC" in answer_message(ferry, "help")
    assert ferry.to_json(reply(ferry))["answers"][0]["article"]["published"] == "2024-05-14T10:00:00+00:00"
    bridge = service.ask("Why did the bridge close?")
    assert "“Bridge shut”, 2024-05-15 08:30 +02:00, paragraph 1" in reply(bridge)
    listed = service.sources()
    assert "Bridge shut (2024-05-15 08:30 +02:00)" in sources_table(listed)
    assert "2024-05-15 08:30 +02:00" in sources_message(listed) and "T08:30" not in sources_message(listed)
    published = service.ask("When was the article about the bridge published?")
    assert reply(published).startswith("Published 2024-05-15 08:30 +02:00.")


def _toll_and_strike(folder):
    write(folder, "gazette/toll-nine.txt", "title: Ardle flood death toll rises to nine\nsource: Valley Gazette\n"
          "published: 2025-03-12\n\nThe death toll from the Ardle floods in Brennock rose to nine on Wednesday after divers "
          "found five more bodies, police said.\nSearch teams used boats to reach homes that are still cut off.\n")
    write(folder, "herald/toll-fourteen.txt", "title: Last missing found in Ardle\nsource: Northgate Herald\n"
          "published: 2025-03-14\n\nThe number of people killed in the Ardle floods has risen to 14, the latest police toll shows, "
          "after the two missing residents were found downstream.\nThe search operation has ended.\n")
    write(folder, "courier/strike.txt", "title: Bus drivers to strike\nsource: Coastline Courier\npublished: 2025-03-13\n\n"
          "The union said 1,200 drivers employed by Citylink would strike for five days.\n"
          "Drivers turned down a pay offer of 4% last month.\n")
    write(folder, "gazette/strike-schools.txt", "title: Parents warned before bus strike\nsource: Valley Gazette\n"
          "published: 2025-03-14\n\nCitylink said it would run a service on its two busiest routes with managers "
          "as drivers.\nThe driver of the school coach, a 52-year-old man, was not hurt.\n")
    return AnsweringService.open(folder, folder / "cache")


def test_a_later_figure_too_weak_to_lead_is_named_under_the_answer(tmp_path):
    service = _toll_and_strike(tmp_path / "news")
    answer = service.ask("What is the latest death toll from the Ardle floods in Brennock?")
    first = answer.passages[0]
    assert first.text.startswith("The death toll from the Ardle floods in Brennock rose to nine")
    assert [(e.figure, e.article.source) for e in first.later] == [("14", "Northgate Herald")]
    assert "A later report gives 14: Northgate Herald, 14 March 2025 (“Last missing found in Ardle”)" in reply(answer)
    assert answer.to_json(reply(answer))["answers"][0]["later"][0]["figure"] == "14"
    from bot.telegram.render import answer_message
    assert "A later report gives <b>14</b>: Northgate Herald, 14 March 2025" in answer_message(answer, "help")


def test_a_figure_question_weighs_only_figures_of_what_it_counts(tmp_path):
    """"How many drivers?": not the "two busiest routes" of a newer report, nor its "52-year-old" or "4%"."""
    service = _toll_and_strike(tmp_path / "news")
    answer = service.ask("How many drivers are going on strike?", top_k=3)
    first = answer.passages[0]
    assert "1,200 drivers" in first.text
    assert not first.earlier and not first.later
    assert "Earlier" not in reply(answer)


def test_a_paragraph_opening_with_he_comes_with_the_paragraph_before_that_names_him(tmp_path):
    """News copy runs a sentence or two a paragraph: "He said ..." leans on the paragraph before."""
    write(tmp_path, "lind.txt", "title: Lind quits committee post\nsource: Northgate Herald\npublished: 2025-03-15\n\n"
          "Hugo Lind resigned from the health committee on Saturday.\n\n"
          "In a letter to the prime minister, Mr Lind wrote that he had never been consulted.\n\n"
          "He said he would go on voting with the government on the budget.\n")
    answer = AnsweringService.open(tmp_path, tmp_path / "cache").ask("Will he keep voting with the government?")
    first = answer.passages[0]
    assert first.text == ("In a letter to the prime minister, Mr Lind wrote that he had never been consulted. "
                          "He said he would go on voting with the government on the budget.")
    assert first.speaker == "Mr Lind" and first.paragraph == 3


def test_earlier_figures_are_the_latest_first_and_leave_out_a_part_of_the_whole(tmp_path):
    reports = [("valley/fire.txt", "2025-03-11", "Three people were injured when a fire broke out at a warehouse in "
                "Dunmore on Monday night, the fire service said."),
               ("valley/fire-update.txt", "2025-03-12", "The number of people injured in the Dunmore warehouse fire "
                "rose to 7 on Tuesday, the fire service said."),
               ("valley/fire-crews.txt", "2025-03-12", "The fire chief said four firefighters were among the people "
                "injured in the Dunmore warehouse fire."),
               ("civic/fire-latest.txt", "2025-03-13", "The number of people injured in the Dunmore warehouse fire "
                "rose to 11 on Wednesday, the fire service said.")]
    for name, day, text in reports:
        write(tmp_path / "news", name, f"title: Dunmore fire\nsource: {name.split('/')[0]}\npublished: {day}\n\n{text}\n")
    answer = AnsweringService.open(tmp_path / "news", tmp_path / "cache").ask("How many were injured in the Dunmore fire?")
    first = answer.passages[0]
    assert "rose to 11" in first.text
    assert [e.figure for e in first.earlier] == ["7", "Three"]  # not "four" firefighters, a part of the injured


def test_sources_are_newest_first_then_the_undated_and_an_edit_does_not_move_one(tmp_path):
    folder = tmp_path / "news"
    for name, published in (("a-old", "2025-03-01"), ("b-undated", None), ("c-new", "2025-03-05T08:00:00+01:00"),
                            ("d-mid", "Tue, 04 Mar 2025 10:00:00 GMT"), ("a-undated", None)):
        front = f"published: {published}\n" if published else ""
        write(folder, f"{name}.txt", f"title: {name}\n{front}\nThe {name} story happened here, officials said.\n")
    service = AnsweringService.open(folder, tmp_path / "cache")
    order = ["c-new", "d-mid", "a-old", "a-undated", "b-undated"]
    assert [s.id for s in service.sources()] == order
    write(folder, "a-old.txt", "title: a-old\npublished: 2025-03-01\n\nThe a-old story changed, officials said.\n")
    service.refresh()
    assert [s.id for s in service.sources()] == order


@pytest.mark.parametrize("text, shown", [
    ("Last week's flood closed the road.", "Last week's (3–9 March 2025) flood closed the road."),
    ("Next week’s strike will go ahead.", "Next week’s (17–23 March 2025) strike will go ahead."),
    ("The vote is on 4 April.", "The vote is on 4 April (2025)."),  # day and month as written: the year only
    ("The river burst its banks on Sunday, police said.", "The river burst its banks on Sunday (9 March 2025), police said."),
])
def test_a_days_gloss_goes_after_its_possessive_and_adds_only_what_is_not_written(text, shown):
    from datetime import date

    from bot.answers import Passage, Source
    from bot.render import dated_text
    from retrieval import mentions

    passage = Passage(text, 1.0, Source("a", "A"), 1, 1, None, dates=tuple(mentions(text, date(2025, 3, 14))))
    assert dated_text(passage) == shown


def test_an_article_naming_a_story_in_one_line_among_others_did_not_cover_it(tmp_path):
    folder = tmp_path / "news"
    write(folder, "northwire/bridge.txt", "title: Kestrel Bridge closed after crack found\nsource: Northwire\n\n"
          "The Kestrel Bridge was closed on Sunday after engineers found a crack.\n\nTraffic was sent north.\n")
    write(folder, "harbour/bridge.txt", "title: Engineers find crack\nsource: Harbour Times\n\n"
          "Engineers found a crack in a pier on Sunday.\n\nThe Kestrel Bridge will stay shut for weeks, the council said.\n\n"
          "Repairs to the Kestrel Bridge could cost 2 million crowns.\n")
    write(folder, "civic/budget.txt", "title: Council approves record budget\nsource: Civic Chronicle\n\n"
          "The council approved a budget of 90 million crowns on Monday.\n\nSchools get 30 million.\n\n"
          "Libraries get 4 million.\n\nThe roads budget includes repairs to the Kestrel Bridge.\n")
    answer = AnsweringService.open(folder, tmp_path / "cache").ask("Which outlets covered the Kestrel Bridge?")
    assert sorted(p.text for p in answer.passages) == ["Harbour Times", "Northwire"]  # not the budget report


def test_context_of_a_one_sentence_paragraph_gives_the_paragraphs_either_side(tmp_path):
    from bot.render import context

    write(tmp_path, "fares.txt", "Ferry fares rise\nFares on the island ferry will rise by 8 percent.\n"
                                 "The operator blamed higher fuel prices for the rise.\nPassengers said it was unfair.\n")
    service = AnsweringService.open(tmp_path, tmp_path / "cache")
    passage = service.ask("Who blamed higher fuel prices?").passages[0]
    around = service.context(passage)
    assert (around.first, around.last) == (1, 3)
    assert around.text == ("Fares on the island ferry will rise by 8 percent.\n\nThe operator blamed higher fuel "
                           "prices for the rise.\n\nPassengers said it was unfair.")
    assert context(around, passage).endswith("— “Ferry fares rise”, paragraphs 1–3")


def test_how_many_did_asks_for_the_figure_not_a_unit_called_did(tmp_path):
    for name, day, text in (("a", "2024-06-01", "Police arrested 12 protesters outside the Dunmore parliament on Saturday."),
                            ("b", "2024-06-03", "Police have now arrested 20 protesters outside the Dunmore parliament.")):
        write(tmp_path / "news", f"{name}.txt", f"title: Protest {name}\nsource: {name.upper()}\npublished: {day}\n\n{text}\n")
    service = AnsweringService.open(tmp_path / "news", tmp_path / "cache")
    first = service.ask("How many did police arrest outside the Dunmore parliament?").passages[0]
    assert "20 protesters" in first.text and [e.figure for e in first.earlier] == ["12"]


def test_a_later_report_names_its_figure_of_the_same_thing_not_its_first_number(tmp_path):
    for name, day, text in (("a", "2024-06-01", "The death toll from the Ardle floods in Brennock stood at 12 on Sunday, "
                                                "police said."),
                            ("b", "2024-06-03", "Two days on, the number killed by the Ardle floods has risen to 14, "
                                                "the latest toll shows.")):
        write(tmp_path / "news", f"{name}.txt", f"title: Floods {name}\nsource: {name.upper()}\npublished: {day}\n\n{text}\n")
    service = AnsweringService.open(tmp_path / "news", tmp_path / "cache")
    first = service.ask("What is the latest death toll from the Ardle floods in Brennock?").passages[0]
    assert "stood at 12" in first.text and [e.figure for e in first.later] == ["14"]


def test_a_newer_figure_among_the_next_answers_is_named_under_the_best_one():
    """Scoring under the 75% that would let it lead, over 60%: a note, the order kept (bot/archive.py)."""
    from bot.answers import Passage, Source
    from bot.archive import newest_figure_first

    def report(text, score, day, outlet):
        return Passage(text, score, Source(f"{outlet}/{day}", "Flood", outlet, None, day), 1, 1, None)

    passages = [report("At least 7 people were killed when the Dunmore river burst its banks, police said.", 1.4,
                       "2025-04-01", "northwire"),
                report("Police revised the death toll from the Dunmore flood to 10 on Thursday.", 1.0, "2025-04-04",
                       "northwire"),
                report("The death toll from last week's flood has risen to 11, police said.", 0.94, "2025-04-07",
                       "valley"),  # names no Dunmore: not taken as the same toll
                report("Crews evacuated 300 residents from the Dunmore district.", 0.9, "2025-04-08", "valley")]
    out = newest_figure_first("How many people died in the Dunmore flood?", passages, acceptable=lambda p: False,
                              about=lambda p: "Dunmore" in p.text)
    assert [p.text for p in out] == [p.text for p in passages]
    assert [(e.figure, e.article.source) for e in out[0].later] == [("10", "northwire")]
    # under 60% of the best: nothing is said
    low = [passages[0], replace(passages[1], score=0.8)]
    assert newest_figure_first("How many people died in the Dunmore flood?", low, lambda p: False)[0].later == ()


def test_a_later_report_that_repeats_the_answers_figure_is_no_update():
    from bot.answers import Passage, Source
    from bot.archive import newest_figure_first

    first = Passage("At least 7 people were killed when the Dunmore river burst its banks, police said.", 1.4,
                    Source("a", "Flood", "Northwire", None, "2025-04-01"), 1, 1, None)
    later = Passage("Seven people died and 3 people were injured in Dunmore after the river burst its banks.", 1.0,
                    Source("b", "Flood", "Valley Post", None, "2025-04-04"), 1, 1, None)
    out = newest_figure_first("How many people were killed in Dunmore?", [first, later], lambda p: False)
    assert out[0].later == () and out[0].earlier == ()
