"""Telegram HTML rendering: always parseable by Telegram's rules, never over the size limit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answers import Answer, Context, Passage, Source
from bot.telegram.markup import MAX_MESSAGE_LENGTH, clip, highlighted, utf16_length, web_link
from bot.telegram.render import answer_message, context_message, passage_message, sources_message
from tests.fake_bot_api import ParseEntitiesError, parse_html

# Text with everything that could break markup: tags, entities, quotes, emoji (two UTF-16 units).
PIECES = [*"ab <>&\"';/=#x", "<b>", "</i>", "&amp;", "&#", "😀", "é", "\n", "strikes"]
nasty = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
long_nasty = st.builds(lambda part, times: part * times, nasty, st.integers(1, 400))


def passage(text="Moscow denied conducting the first strikes.", matched=("denied", "strikes"), **article) -> Passage:
    source = Source(**{"id": "idlib", "title": "Idlib offensive", **article})
    return Passage(text=text, score=1.0, article=source, paragraph=6, sentence=2, speaker="Moscow", matched=matched)


def test_matched_words_are_bold_and_only_whole_words():
    text, entities = parse_html(str(highlighted("Strikes struck; the strikes were denied.", ["strikes", "denied"])))
    assert text == "Strikes struck; the strikes were denied."
    assert [e["text"] for e in entities] == ["strikes", "denied"]


def test_attribution_is_one_italic_line_with_headline_link_outlet_date_and_speaker():
    markup = passage_message(passage(url="https://example.com/idlib", source="The National", published="2019-09-12"))
    text, entities = parse_html(markup)
    sentence, attribution = text.split("\n")
    assert sentence == "Moscow denied conducting the first strikes."
    assert attribution == "— “Idlib offensive”, The National, 2019-09-12; paragraph 6; according to Moscow"
    assert [e["text"] for e in entities if e["type"] == "italic"] == [attribution]
    assert [(e["type"], e["url"], e["text"]) for e in entities if e["type"] == "text_link"] == [
        ("text_link", "https://example.com/idlib", "Idlib offensive")]


def test_a_link_that_is_not_http_is_shown_as_plain_text():
    text, entities = parse_html(passage_message(passage(url="javascript:alert(1)")))
    assert not [e for e in entities if e["type"] == "text_link"]
    assert web_link("javascript:alert(1)") is None
    assert web_link('https://x.org/a b"<c>') == "https://x.org/a%20b%22%3Cc%3E"


def test_a_declined_answer_leads_with_the_refusal_then_the_closest_match():
    answer = Answer("q", False, (passage(),), "declined")
    text, _ = parse_html(answer_message(answer, "help"))
    assert text.startswith("The articles don't seem to cover that. The closest match:\nMoscow denied")


def test_a_maybe_answer_says_it_may_answer_above_the_best_match():
    answer = Answer("q", False, (passage(),), "declined", confidence="maybe")
    text, _ = parse_html(answer_message(answer, "help"))
    assert text.startswith("Not sure, but this may answer it:\nMoscow denied")


def test_clip_cuts_at_a_word_and_counts_emoji_as_two():
    assert clip("one two three four", 12) == "one two…"
    assert utf16_length("😀") == 2
    assert utf16_length(clip("😀" * 10, 7)) <= 7


@settings(max_examples=150, deadline=None)
@given(text=long_nasty, title=nasty, outlet=nasty, speaker=nasty, url=nasty, words=st.lists(nasty, max_size=4))
def test_any_passage_renders_to_html_telegram_accepts_within_the_limit(text, title, outlet, speaker, url, words):
    p = Passage(text=text or "x", score=1.0, article=Source("id", title or "t", outlet or None, "https://e.org/" + url),
                paragraph=1, sentence=1, speaker=speaker or None, matched=tuple(words))
    for markup in (
        passage_message(p),
        answer_message(Answer("q", True, (p,), "answer"), "help"),
        answer_message(Answer("q", False, (), "declined"), "help"),
        answer_message(Answer("q", False, (), "help"), text or "x"),
        context_message(Context(text + " " + (text or "x") + " tail", 1, 1), p),
        context_message(Context(text + "\n\n" + (text or "x") + "\n\ntail", 1, 3), p),
        sources_message([p.article] * 3),
    ):
        try:
            visible, _ = parse_html(markup)
        except ParseEntitiesError as err:  # pragma: no cover - the failure message is the point
            pytest.fail(f"Telegram would refuse {markup!r}: {err}")
        assert utf16_length(visible) <= MAX_MESSAGE_LENGTH


def test_a_huge_sentence_keeps_its_start_and_its_attribution():
    p = passage(text="Moscow denied " + "very " * 5000 + "much.")
    text, _ = parse_html(passage_message(p))
    assert utf16_length(text) <= MAX_MESSAGE_LENGTH
    assert text.startswith("Moscow denied very") and text.endswith("according to Moscow")


def test_context_of_a_long_paragraph_is_trimmed_around_the_answer():
    p = passage()
    paragraph = "Before. " * 800 + p.text + " After." * 800
    text, entities = parse_html(context_message(Context(paragraph, 1, 1), p))
    assert utf16_length(text) <= MAX_MESSAGE_LENGTH
    assert [e["text"] for e in entities if e["type"] == "bold"] == [p.text]
    assert "Before." in text and "After." in text


def test_many_sources_are_cut_with_a_count_of_the_rest():
    sources = [Source(f"a{i}", f"Headline number {i} " + "x" * 80, sentences=3) for i in range(200)]
    text, _ = parse_html(sources_message(sources))
    assert utf16_length(text) <= MAX_MESSAGE_LENGTH
    assert text.startswith("I answer from 200 articles:") and text.rstrip().endswith("more.")


# -- the fake server's parser refuses what Telegram refuses -----------------------------------------


@pytest.mark.parametrize("markup", ["a < b", "a > b", "fish & chips", "<script>x</script>", "<b>open",
                                    "<b>x</i>", "x</b>", '<a>no href</a>', "&bogus;"])
def test_the_fake_bot_api_refuses_malformed_html(markup):
    with pytest.raises(ParseEntitiesError):
        parse_html(markup)


def test_the_fake_bot_api_reads_entities_and_character_references():
    text, entities = parse_html('<b>bold</b> &lt;&amp;&gt; &#128512; <a href="https://e.org/?a=1&amp;b=2">link</a>')
    assert text == "bold <&> 😀 link"
    assert entities[0] == {"type": "bold", "offset": 0, "length": 4, "text": "bold"}
    assert entities[1]["url"] == "https://e.org/?a=1&b=2" and entities[1]["offset"] == 12  # the emoji counts two
