"""Ingest's fast paths give what the plain ways give: plain Markdown, answer kinds, clean lines, and what workers find."""

import unicodedata
from datetime import date

import numpy as np
import pytest

import retrieval.articles as articles
from retrieval.answer_type import (DEFINITION, NUMBER, PERSON, PLACE, QUOTE, TIME, _HAS_DEFINITION, _HAS_NAME, _HAS_NUMBER,
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
    "In 1999_x and 19999s", "The \u0661\u0669\u0669\u0660s and 1,950s", "x2020 20201 2020", "10s", "90S",
]


@pytest.mark.parametrize("text", SENTENCES)
@pytest.mark.parametrize("speaker", [None, "the mayor"])
def test_answer_kinds_are_what_their_expressions_find(text, speaker):
    low = text.lower()
    expected = (NUMBER * bool(_HAS_NUMBER.search(low)) | TIME * bool(_HAS_TIME.search(low))
                | PERSON * (speaker is not None or bool(_HAS_NAME.search(text)))
                | PLACE * bool(_HAS_PLACE.search(text)) | DEFINITION * bool(_HAS_DEFINITION.search(low))
                | QUOTE * (speaker is not None))
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


TERM_TEXTS = ["Syria's rebels took 1,000 homes.", "The the of and", "Caf\u00e9 au lait, na\u00efve r\u00e9sum\u00e9s",
              "It\u2019s the rebels\u2019 day: 3.5 and 10,500.", "", "O'Brien's dogs' bones", "twenty one hundred",
              "\u0130stanbul \u03a3\u039f\u03a3 \ufb01ne", "rebels again, Rebels"]


def test_term_ids_of_many_texts_are_what_analyse_finds_text_by_text():
    ids = {"rebel": 0}
    tokens, lengths = Analyzer().term_ids(TERM_TEXTS, ids)
    expected_ids = {"rebel": 0}
    terms, expected, offsets = analyse(TERM_TEXTS, Analyzer(), expected_ids)
    assert ids == expected_ids and tokens.tolist() == expected.tolist()
    assert np.concatenate([[0], np.cumsum(lengths)]).tolist() == offsets.tolist()


def test_term_counts_of_consecutive_groups_are_the_counts_of_their_sentences():
    from retrieval.tfidf import SentenceIndex

    index = SentenceIndex.build(["rebels took the town", "the town fell", "rebels rebels", "a quiet day"])
    grouped = index.term_counts(np.array([0, 0, 1, 2]), 3).toarray()
    scattered = index.term_counts(np.array([0, 1, 0, 2]), 3).toarray()  # not consecutive: the other way
    rows = [index.term_counts(np.array([0, 1, 2, 3]), 4).toarray()[i] for i in range(4)]
    assert grouped.tolist() == [(rows[0] + rows[1]).tolist(), rows[2].tolist(), rows[3].tolist()]
    assert scattered.tolist() == [(rows[0] + rows[2]).tolist(), rows[1].tolist(), rows[3].tolist()]
    assert grouped[1][index.term_ids["rebel"]] == 2


def test_a_build_checksums_what_it_wrote_as_a_load_checks_it(tmp_path):
    from retrieval.cache import _checksum, _checksum_read

    for size in (0, 5, (1 << 20) + 3):
        path = tmp_path / f"f{size}"
        path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
        assert _checksum_read(path) == _checksum(path)


def test_statistics_deferred_while_learning_weights_are_still_there_when_read():
    import subprocess
    import sys

    code = ("import sys; from retrieval.tfidf import _import_transformer; _import_transformer(); "
            "deferred = 'scipy.stats._stats_py' not in sys.modules; import scipy.stats; "
            "print(deferred, float(scipy.stats.norm.cdf(0.0)), 'scipy.stats._stats_py' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "0.5", "True"]


def test_workers_reading_many_runs_each_number_terms_as_one_reading_does(tmp_path, monkeypatch):
    import retrieval.folder as folder

    words = ["rebels", "town", "Syria's", "ceasefire", "talks", "Geneva", "river", "homes", "1,000", "caf\u00e9"]
    for n in range(12):
        picked = " ".join(words[(n * k) % len(words)] for k in range(1, 6))
        (tmp_path / f"a{n:02d}.txt").write_text(f"Story {n}\nThe {picked} said on Monday.\nAnd {words[n % 10]} again.\n",
                                                encoding="utf-8")
    monkeypatch.setattr(folder, "_CHUNK", 1)  # one file a run: each worker reads several
    files = article_files(tmp_path)
    serial, _ = ingest(files, lambda message: None, workers=1)
    parallel, _ = ingest(files, lambda message: None, workers=2)
    terms, tokens, offsets = analyse([s.text for s in serial.sentences], Analyzer())
    for corpus in (serial, parallel):
        numbered = corpus.analysis.numbered({})
        assert numbered[0] == terms and np.array_equal(numbered[1], tokens) and np.array_equal(numbered[2], offsets)
