"""Ingest's fast paths give what the plain ways give: plain Markdown, answer kinds, clean lines, and what workers find."""

import unicodedata
from datetime import date

import numpy as np
import pytest

import retrieval.articles as articles
from retrieval.answer_type import (DEFINITION, NUMBER, PERSON, PLACE, TIME, _HAS_DEFINITION, _HAS_NAME, _HAS_NUMBER,
                                   _HAS_PLACE, _HAS_TIME, held_kinds)
from retrieval.articles import clean_text
from retrieval.dates import DayIndex
from retrieval.folder import article_files, ingest
from retrieval.text import Analyzer
from retrieval.tfidf import analyse

PLAIN = [
    "# Storm hits coast\n\nA storm hit the coast on Monday, officials said.\nIt was the worst in 20 years.\n\n"
    "## Damage\n\nRoofs were torn off.  Two  people were hurt.\t\n",
    "One paragraph\nover three\nlines.",
    "#\n\nEmpty heading above.\n\n \t \nA line after a blank one of spaces.",
    "# Title #\n\nA closing hash sequence is not plain.",
    "AT&T and M&S shares rose 3% (to $1.13bn); 4.5 x 2 = 9.",
    "Caf\u00e9 au lait\u00a0and\u2003spaces.\n\n\u00a0\n\nAfter a no-break space line.",
]
MARKUP = [
    "Some *emphasis* here.", "A [link](http://x) here.", "Code `x`.", "An &amp; entity.", "<b>html</b>",
    "- a list\n- of items", "1. first\n2. second", "2016. A year opens a list.", "> a quote", "    indented code",
    "Title\n=====", "Title\n-----", "| a | b |\n|---|---|\n| 1 | 2 |", "~~~\nfence\n~~~", "#hashtag is text",
    "####### seven", "A line\\\nwith a backslash break.", "snake_case word",
]


def _markdown_it_blocks(body: str, monkeypatch) -> list:
    with monkeypatch.context() as patched:
        patched.setattr(articles, "_plain_markdown_blocks", lambda body: None)
        return articles._markdown_blocks(body)


@pytest.mark.parametrize("body", PLAIN + MARKUP)
def test_plain_markdown_is_read_as_markdown_it_reads_it(body, monkeypatch):
    assert articles._markdown_blocks(body) == _markdown_it_blocks(body, monkeypatch)


@pytest.mark.parametrize("body", MARKUP + ["# Title #\n\nText."])
def test_markdown_that_may_hold_markup_goes_to_markdown_it(body):
    assert articles._plain_markdown_blocks(body) is None


SENTENCES = [
    "Forty people died in 1998, the mayor said.", "The 1990s were calm.", "It rained on 16 June.",
    "Prices rose by half since <num> .", "He came in <num> years.", "A truce is a pause in fighting.",
    "The term refers to a gas.", "She was known as Ada.", "They met in Paris last May.",
    "Nothing here at all.", "no capitals, no numbers.", ". Ab starts after a stop", "x.Ab", "\u00e9 Ab",
    "Growth of 2020s firms", "the 20th century", "١٩٩٩ was a year", "twenty-one hundreds", "On Monday it rained.",
]


@pytest.mark.parametrize("text", SENTENCES)
@pytest.mark.parametrize("speaker", [None, "the mayor"])
def test_answer_kinds_are_what_their_expressions_find(text, speaker):
    low = text.lower()
    expected = (NUMBER * bool(_HAS_NUMBER.search(low)) | TIME * bool(_HAS_TIME.search(low))
                | PERSON * (speaker is not None or bool(_HAS_NAME.search(text)))
                | PLACE * bool(_HAS_PLACE.search(text)) | DEFINITION * bool(_HAS_DEFINITION.search(low)))
    assert held_kinds(text, speaker) == expected


@pytest.mark.parametrize("line", ["  plain   ascii\tline  ", "a\x01b\x0bc\x7f", "tab\there", "caf\u00e9\u200b  x",
                                  "e\u0301 combined", "\u00a0no-break\u2003em\u00a0", "", "\n"])
def test_clean_text_is_nfc_without_invisibles_and_single_spaces(line):
    expected = unicodedata.normalize("NFC", line).translate(articles._INVISIBLE)
    expected = articles._SPACES.sub(" ", articles._CONTROL.sub(" ", expected)).strip()
    assert clean_text(line) == expected


def test_ingest_finds_the_terms_kinds_and_days_that_the_plain_functions_find(tmp_path):
    bodies = {
        "a.md": "---\ntitle: Flood in Leeds\npublished: 2024-06-16\n---\n\nThe river rose on Sunday, police said. "
                "About 300 homes were flooded.\n\nIt will peak on Tuesday, the Environment Agency warned.\n",
        "b.txt": "Talks resume\nTalks resumed yesterday in Geneva, according to diplomats.\nA deal is expected by 20 June.\n",
        "c.md": "# Empty\n",  # skipped: no text under the headline
        "d.txt": "Harbour reopens\nThe harbour reopened after 2 weeks. \u201cWe are glad,\u201d said Jo Smith, the harbour master.\n",
    }
    for name, text in bodies.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    files = article_files(tmp_path)
    serial, skipped = ingest(files, lambda message: None, workers=1)
    parallel, _ = ingest(files, lambda message: None, workers=2)
    texts = [s.text for s in serial.sentences]
    terms, tokens, offsets = analyse(texts, Analyzer())
    for corpus in (serial, parallel):
        found = corpus.analysis
        numbered = found.numbered({})
        assert numbered[0] == terms and np.array_equal(numbered[1], tokens) and np.array_equal(numbered[2], offsets)
        assert found.kinds.tolist() == [held_kinds(s.text, s.attributed_to) for s in corpus.sentences]
        days = DayIndex.build(texts, corpus.article_of, [a.published for a in corpus.articles])
        assert found.days.days.tolist() == days.days.tolist() and found.days.positions.tolist() == days.positions.tolist()
    assert len(skipped) == 1 and date(2024, 6, 16).toordinal() in serial.analysis.days.days.tolist()
