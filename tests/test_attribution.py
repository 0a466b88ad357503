"""A sentence's source is whom it names as making the claim, in its own words; never a bare pronoun."""

from __future__ import annotations

import pytest

from retrieval.attribution import attribute, is_pronoun, refers_back, speaker_phrase


@pytest.mark.parametrize("text, speaker", [
    ("Police said the man was arrested on Monday.", "Police"),
    ('"We will win," said John Smith.', "John Smith"),
    ("The storm killed three people, according to local officials.", "local officials"),
    ("Police said two men fled.", "Police"),
    ("Russia says Ukraine attacked first.", "Russia"),
    ("In a statement, the ministry said 12 people died.", "the ministry"),
    ("Two men fled, said police.", "police"),
    ("Syrian regime amassing for renewed Idlib offensive say rebels", "rebels"),
])
def test_the_usual_forms(text, speaker):
    assert attribute(text) == speaker


@pytest.mark.parametrize("text, speaker", [
    ('Citylink managing director Joanna Hale said the strike would "punish passengers".',
     "Citylink managing director Joanna Hale"),  # an -ing word of a title
    ("Acting mayor Ruth Calder said the town would recover.", "Acting mayor Ruth Calder"),
    ("The minister promised that the hospital would open in 2027.", "the minister"),
    ("The union vowed to fight on.", "the union"),
    ("The company admitted that the figures were wrong.", "the company"),
    ('"We will rebuild the bridge," the mayor vowed.', "the mayor"),  # closing a quotation
    ("The mayor vowed on Monday to rebuild the bridge.", "the mayor"),  # when, between the verb and "to"
    ("The hospital admitted 12 patients overnight.", None),  # no claim: nothing follows that reports one
    ("The budget promises 300 new homes by 2026.", None),
    ('In a letter to the prime minister, Mr Lind wrote that he could not "defend" it.', "Mr Lind"),
    ("Protesters chanting slogans said they would return.", None),  # a clause, not a title
])
def test_titles_with_ing_words_promises_and_what_was_written(text, speaker):
    assert attribute(text) == speaker


@pytest.mark.parametrize("text, speaker", [
    ("The inquiry said 15 people died in the floods.", "the inquiry"),
    ("A spokesman said the talks had failed.", "a spokesman"),
    ("An official told reporters the road was shut.", "an official"),
    ("A BBC reporter said the town was empty.", "a BBC reporter"),
    ("The Times said the vote was rigged.", "The Times"),
    ('"We will win," said The Guardian.', "The Guardian"),
])
def test_a_speaker_opening_the_sentence_reads_as_it_would_after_according_to(text, speaker):
    # "according to The inquiry" is how the reply would read with the sentence's capital kept
    assert attribute(text) == speaker


@pytest.mark.parametrize("text, speaker", [
    ('"We have no food left," said Marta Ionescu, who runs the shelter.', "Marta Ionescu"),
    # when and where it was said closes the title, and is no part of it
    ('"We have 300 crews out," said Mary Quinn, the operator\'s director, on Sunday.',
     "Mary Quinn, the operator's director"),
    ('"Go," said Jo Smith, the harbour master, in a statement on Monday.', "Jo Smith, the harbour master"),
    ('"We have no food left," said Marta Ionescu, who runs the shelter, adding that aid was late.',
     "Marta Ionescu"),
    ('"It is a disaster," said Maj. Gen. Ali Hassan, whose unit was hit.', "Maj. Gen. Ali Hassan"),
    ('"We will rebuild," says the mayor, who was elected in May.', "the mayor"),
    ("Aid was late, said Marta Ionescu, who runs the shelter.", "Marta Ionescu"),
])
def test_speaker_after_a_quotation_without_the_relative_clause_that_follows(text, speaker):
    assert attribute(text) == speaker


@pytest.mark.parametrize("text, speaker", [
    ('"We have no food left," said Marta Ionescu, director of the Red Cross shelter.',
     "Marta Ionescu, director of the Red Cross shelter"),
    ('"The talks failed," said Sergei Lavrov, the Russian foreign minister.',
     "Sergei Lavrov, the Russian foreign minister"),
    ('"The talks failed," said Lavrov, adding that he would try again.', "Lavrov"),
])
def test_speaker_after_a_quotation_keeps_the_title_that_follows(text, speaker):
    assert attribute(text) == speaker


@pytest.mark.parametrize("text, speaker", [
    ("Two people were killed, regional governor Vyacheslav Gladkov told reporters.",
     "regional governor Vyacheslav Gladkov"),
    ("Two people were killed, regional governor Vyacheslav Gladkov told reporters on Monday.",
     "regional governor Vyacheslav Gladkov"),
    ('"The strike hit a school," the regional governor told the BBC.', "the regional governor"),
    ("The dam will hold, the minister told a news conference in Kyiv.", "the minister"),
    ("The vote was rigged, opposition leader Ana Petrova told the BBC's Today programme.",
     "opposition leader Ana Petrova"),
    ("Regional governor Vyacheslav Gladkov told reporters that two people had died.",
     "Regional governor Vyacheslav Gladkov"),
    ("On Monday, regional governor Vyacheslav Gladkov told reporters that two people had died.",
     "regional governor Vyacheslav Gladkov"),
    ('"We are safe," Maria Bell told Reuters.', "Maria Bell"),
    # where it was said is no part of the speaker (was none, and "Ruiz said outside the town hall")
    ('"I take full responsibility for what happened," Ruiz told reporters outside the town hall.', "Ruiz"),
    ('"We are ready," Ana Ruiz said outside the town hall.', "Ana Ruiz"),
    ('"Stay indoors," the police chief told reporters near the scene on Monday.', "the police chief"),
])
def test_told_reporters_the_bbc_or_a_news_conference(text, speaker):
    assert attribute(text) == speaker


@pytest.mark.parametrize("text, speaker", [
    ('"We will respond," Volodymyr Zelensky wrote on X.', "Volodymyr Zelensky"),
    ("The drones were shot down, the air force wrote on Telegram.", "the air force"),
    ("Three drones hit the port, the governor said in a post on Telegram.", "the governor"),
    ("The ban is lifted, the minister wrote on Twitter on Sunday.", "the minister"),
    ("Zelensky wrote on X that the attack had failed.", "Zelensky"),
    ("The talks will resume, the company said in a statement.", "the company"),
])
def test_wrote_on_x_or_twitter_and_said_in_a_statement(text, speaker):
    assert attribute(text) == speaker


@pytest.mark.parametrize("text", [
    '"It is time," she said.',
    '"It is time," he told reporters.',
    "She said the shelter was full.",
    "They told the BBC the shelter was full.",
    '"We will win," they said on Monday.',
    '"We will win," said he.',
])
def test_a_bare_pronoun_is_never_a_speaker(text):
    assert attribute(text) is None
    assert is_pronoun(speaker_phrase(text))  # the words are kept for a caller that knows who came before


@pytest.mark.parametrize("text", [
    "It rained all week.",
    "The bridge was closed, which was reported widely.",
    "The plan, said to cost $5bn, was dropped.",
    "He posted a photo of the damage.",
    "The shelter, which Marta Ionescu runs, is full.",
    "Officials were told to leave the town.",
])
def test_sentences_that_name_no_source(text):
    assert attribute(text) is None


def test_the_spokesman_refers_back_but_is_still_a_speaker():
    assert refers_back("the spokesman") and not is_pronoun("the spokesman")
    assert attribute('"We will fight on," the spokesman said.') == "the spokesman"


@pytest.mark.parametrize("text, phrase", [
    ("She also said further strikes were possible if talks failed.", "She"),
    ("He also warned that the railway could stay closed for weeks.", "He"),
    ("The mayor later told reporters the town would recover.", "the mayor"),
    ("Police had said the road was closed.", "Police"),
])
def test_an_adverb_between_the_speaker_and_the_verb_is_no_part_of_the_speaker(text, phrase):
    assert speaker_phrase(text) == phrase


def test_a_quotation_that_goes_on_is_its_speakers_and_so_is_a_she_added_after_it():
    from retrieval.articles import parse_article
    from retrieval.sentences import split_article

    article = parse_article('Landslide hits Kelby\n"The hillside simply gave way," said Ingrid Solberg, the mayor. '
                            '"We heard a roar and then the lights went out."\n'
                            "She added that the school had been opened as a shelter.\n"
                            "Rail services were cut. \"We will rebuild,\" a resident said.\n"
                            '"It is terrible," she said.\n', "kelby")
    speakers = [(text[:22], speaker) for _, _, text, speaker in split_article(article)]
    assert speakers == [
        ('"The hillside simply g', "Ingrid Solberg, the mayor"),
        ('"We heard a roar and t', "Ingrid Solberg, the mayor"),  # the quotation goes on in her words
        ("She added that the sch", "Ingrid Solberg, the mayor"),
        ("Rail services were cut", None),  # (a quotation after it is no one's: this names no speaker)
        ('"We will rebuild," a r', "a resident"),
        ('"It is terrible," she ', "a resident"),
    ]


def test_a_quotation_after_a_sentence_that_quotes_no_one_is_not_given_to_its_source():
    from retrieval.articles import parse_article
    from retrieval.sentences import split_article

    article = parse_article('Prices\nPrices rose 5%, according to the ministry. "This is a disaster for families."\n', "p")
    assert [speaker for _, _, _, speaker in split_article(article)] == ["the ministry", None]
