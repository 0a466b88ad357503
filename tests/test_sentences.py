"""Sentences are split as readers read them, and carry who the article says made the claim."""

from __future__ import annotations

import pytest

from retrieval.articles import parse_article, read_article
from retrieval.attribution import attribute
from retrieval.sentences import Splitter, article_sentences

from .conftest import SEEDS


@pytest.fixture(scope="module")
def seed_sentences():
    return article_sentences(read_article(SEEDS / "idlib.txt", "idlib"))


def test_quote_stays_with_its_speaker(seed_sentences):
    quote = [s for s in seed_sentences if s.text.startswith('"The amassing of Iranian militias')]
    assert len(quote) == 1
    assert quote[0].text.endswith("a coalition of mainstream rebel factions.")


@pytest.mark.parametrize("text, parts", [
    ("Mr. Smith flew to the U.S. in Sept. last year. He came back.", 2),
    ("Maj. Hamoud said so. Then he left.", 2),
    ('"We will not stop," Gen. Ali said. "Never."', 2),
    ("Prices rose 3.5 per cent in Jan. and fell in Feb. to 2.1 per cent.", 1),
])
def test_abbreviations_and_decimals_do_not_split(text, parts):
    assert len(Splitter().split(text)) == parts


def test_a_very_long_line_is_split_in_linear_time_and_keeps_every_sentence():
    line = "Mr. Hamoud said the army advanced on Sept. 3 in the U.S. sense of the word. " * 3000
    sentences = Splitter().split(line)
    assert len(sentences) == 3000
    assert set(sentences) == {"Mr. Hamoud said the army advanced on Sept. 3 in the U.S. sense of the word."}


def test_sentences_are_numbered_from_one_within_paragraphs():
    article = parse_article("Title\nOne. Two.\nThree.", "t")
    sentences = article_sentences(article)
    assert [(s.paragraph, s.sentence, s.text) for s in sentences] == [(1, 1, "One."), (1, 2, "Two."), (2, 1, "Three.")]


@pytest.mark.parametrize("start, speaker", [
    ('"Artillery shelling', "Mohammad Rashid, spokesman for the Jaish Al Nasr rebel group"),
    ("Russia carried out", "a war monitor"),
    ("Jets flew", "two opposition sources and a resident in the area"),
    ("The overnight bombing", "activists and a monitor"),
    ("Moscow denied", "Moscow"),
    ("Russian Foreign Minister", "Russian Foreign Minister Sergei Lavrov"),
    ("The deployment of Russian", "Western intelligence sources"),
    ("Several attempts", "rebels"),
    ('"The amassing', "Maj Youssef Hamoud, a spokesman of the Turkey-backed National Army, "
                     "a coalition of mainstream rebel factions"),
    ('"The goals that Russia', "Mr Hamoud"),
    ("The Syrian army, aided", "the opposition"),
    ("After an 11-day pause", "opposition fighters"),
    ("Hundreds of civilians", None),
    ("Air strikes were reported", None),
])
def test_seed_attribution(seed_sentences, start, speaker):
    sentence = next(s for s in seed_sentences if s.text.startswith(start))
    assert sentence.attributed_to == speaker


def test_caption_sentences_carry_the_photo_credit(seed_sentences):
    captions = [s for s in seed_sentences if s.kind == "caption"]
    assert len(captions) == 2
    assert {s.credit for s in captions} == {"AFP / Omar HAJ KADOUR"}


def test_pronoun_speaker_is_resolved_to_the_last_named_one():
    article = parse_article('Title\nThe mayor, Jane Roe, said taxes would fall. "It is time," she said.', "m")
    sentences = article_sentences(article)
    assert sentences[1].attributed_to == sentences[0].attributed_to == "The mayor, Jane Roe"


@pytest.mark.parametrize("text, speaker", [
    ("Police said the man was arrested on Monday.", "Police"),
    ('"We will win," said John Smith.', "John Smith"),
    ("The storm killed three people, according to local officials.", "local officials"),
    ("It rained all week.", None),
    ("Police said two men fled.", "Police"),
    ("Russia says Ukraine attacked first.", "Russia"),
    ("In a statement, the ministry said 12 people died.", "the ministry"),
    ("Two men fled, said police.", "police"),
    ("Syrian regime amassing for renewed Idlib offensive say rebels", "rebels"),
    ("The bridge was closed, which was reported widely.", None),
])
def test_attribution_patterns(text, speaker):
    assert attribute(text) == speaker
