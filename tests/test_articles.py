"""Article files become Articles: front matter, headlines, paragraphs, captions, boilerplate, bad files."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings, strategies as st

from retrieval.articles import ArticleError, parse_article, read_article
from retrieval.records import BODY, CAPTION, STANDFIRST

from .conftest import SEEDS, write


@pytest.fixture(scope="module")
def seed():
    return read_article(SEEDS / "idlib.txt", "idlib")


def test_seed_headline_comes_from_front_matter(seed):
    assert seed.title == "Syrian regime amassing for renewed Idlib offensive say rebels"
    assert seed.source is None and seed.published is None and seed.url is None


def test_seed_standfirst_is_marked(seed):
    assert seed.paragraphs[0].kind == STANDFIRST
    assert seed.paragraphs[0].text.startswith("After an 11-day pause")


def test_seed_caption_keeps_text_and_moves_credit_to_attribution(seed):
    caption = seed.paragraphs[1]
    assert caption.kind == CAPTION
    assert caption.credit == "AFP / Omar HAJ KADOUR"
    assert caption.text.endswith("a war monitor said.")
    assert "AFP" not in caption.text


def test_seed_boilerplate_is_never_a_paragraph(seed):
    assert not any("automated translation" in p.text for p in seed.paragraphs)


def test_non_breaking_spaces_become_plain_spaces(seed):
    assert all("\u00a0" not in p.text for p in seed.paragraphs)
    assert any(p.text.startswith("Syrian rebel fighters say that Syrian forces") for p in seed.paragraphs)


def test_front_matter_keys_and_other_metadata():
    article = parse_article(
        b"---\ntitle: \"Storm hits coast\"\nsource: Daily Planet\nurl: https://example.org/a\n"
        b"published: 2024-05-01\nauthor: Lois Lane\nsection: weather\n---\nWinds reached 100 km/h.\n",
        "storm",
    )
    assert (article.title, article.source, article.url, article.published, article.author) == (
        "Storm hits coast", "Daily Planet", "https://example.org/a", "2024-05-01", "Lois Lane")
    assert article.metadata == (("section", "weather"),)
    assert [p.text for p in article.paragraphs] == ["Winds reached 100 km/h."]


def test_date_and_byline_as_other_tools_write_them_are_the_date_published_and_the_author():
    article = parse_article(b"---\ntitle: Orla\ndate: 2026-11-28\nbyline: Jo Smith\n---\nPower was cut.\n", "orla")
    assert (article.published, article.author, article.metadata) == ("2026-11-28", "Jo Smith", ())
    both = parse_article(b"---\ntitle: Orla\npublished: 2026-11-29\nDate: 2026-11-28\n---\nPower was cut.\n", "orla")
    assert both.published == "2026-11-29" and both.metadata == (("date", "2026-11-28"),)
    for key in ("outlet", "publisher"):  # the outlet, under the names other tools give it
        named = parse_article(f"---\ntitle: Orla\n{key}: Harbour Times\n---\nPower was cut.\n".encode(), "orla")
        assert (named.source, named.metadata) == ("Harbour Times", ())


def test_a_header_of_key_lines_without_dashes_is_front_matter():
    # As Pelican, MultiMarkdown and e-mail-style dumps write it: key lines, then a blank line.
    plain = parse_article(b"title: Ferry service resumes\nSource: Harbour Times\nDate: 2026-11-29\n\n"
                          b"The ferry resumed on Sunday, the operator said.\n", "ferry")
    assert (plain.title, plain.source, plain.published) == ("Ferry service resumes", "Harbour Times", "2026-11-29")
    assert [p.text for p in plain.paragraphs] == ["The ferry resumed on Sunday, the operator said."]
    pelican = parse_article(b"Title: Storm cuts power\nDate: 2026-11-28 10:20\nCategory: Weather\nTags: storm, power\n\n"
                            b"About *4,000* homes lost power.\n\nSupplies return on Monday.\n", "storm", markdown=True)
    assert (pelican.title, pelican.published) == ("Storm cuts power", "2026-11-28 10:20")
    assert pelican.metadata == (("category", "Weather"), ("tags", "storm, power"))
    assert [p.text for p in pelican.paragraphs] == ["About 4,000 homes lost power.", "Supplies return on Monday."]
    # Two key lines, or a title, run straight into the text (a .txt dump without blank lines).
    run_on = parse_article(b"Title: Storm cuts power\nAbout 4,000 homes lost power.\n", "storm")
    assert (run_on.title, [p.text for p in run_on.paragraphs]) == ("Storm cuts power", ["About 4,000 homes lost power."])
    untitled = parse_article(b"Source: Island News\nDate: 2026-11-28\nStorm cuts power\nHomes lost power.\n", "storm")
    assert (untitled.title, untitled.source, untitled.published) == ("Storm cuts power", "Island News", "2026-11-28")


@pytest.mark.parametrize("text, title, first", [
    ("Update: the ferry is running again.\n\nIt left at noon.\n", "Update: the ferry is running again.",
     "It left at noon."),  # not a key newsbot knows
    ("Source: a council report said the road would close.\nIt closed on Monday.\n",
     "Source: a council report said the road would close.", "It closed on Monday."),  # one line, into the text
    ("Source: Reuters\n\nThe ferry resumed.\n", "Source: Reuters", "The ferry resumed."),  # else no text is left
    ("Source: Reuters\nhttps://example.org/ferry\nFerry resumes\nThe ferry resumed.\n", "Source: Reuters",
     "https://example.org/ferry"),  # a link is no `key: value` line
])
def test_a_key_line_that_is_not_a_header_stays_text(text, title, first):
    article = parse_article(text, "a")
    assert (article.title, article.paragraphs[0].text, article.source) == (title, first, None)


def test_front_matter_multi_line_values_and_lists():
    article = parse_article(
        "---\ntitle: >\n  Storm floods\n  coastal towns\nsource: |\n  The Daily\n  Planet\n"
        "author:\n  - Lois Lane\n  - Clark Kent\npublished: 2024-05-01\ntags: [weather, coast]\n"
        "extra:\n  nested: skipped\n---\nWinds reached 100 km/h.\n", "storm")
    assert (article.title, article.source, article.author, article.published) == (
        "Storm floods coastal towns", "The Daily Planet", "Lois Lane, Clark Kent", "2024-05-01")
    assert article.metadata == (("tags", "weather, coast"),)


@pytest.mark.parametrize("lines, title", [
    ("title: Syria: rebels regroup", "Syria: rebels regroup"),  # everything after the first colon
    ("title: #1 story of the day", "#1 story of the day"),  # not a YAML comment
    ("title: Storm hits #Gaza", "Storm hits #Gaza"),
    ("title: 'It's here'", "It's here"),
    ("title: NO", "NO"),  # not YAML's false
    ("title: 12:30", "12:30"),  # nor its base-60 number
    ("title: 007", "007"),
    ("title: Storm floods\n  coastal towns\nsource: AFP", "Storm floods coastal towns"),  # run on
    ("\ttitle: Syria: rebels regroup\n\tsource: AFP", "Syria: rebels regroup"),  # indented throughout
    ("title: |\n  Storm\n\n  floods", "Storm floods"),
])
def test_front_matter_values_mean_what_they_say(lines, title):
    article = parse_article(f"---\n{lines}\n---\nWinds reached 100 km/h.\n", "storm")
    assert article.title == title
    assert article.source == ("AFP" if "source" in lines else None)


def test_markdown_table_rows_become_lines_named_by_their_headers(tmp_path):
    text = ("# Thousands flee Idlib\n\nAid groups counted the displaced.\n\n"
            "| Town | Displaced | Note |\n|---|---:|---|\n| Idlib | 500,000 | |\n| Maarat al-Numan | 80,000 | *estimate* |\n\n"
            "The count goes on.\n")
    article = parse_article(text, "idlib", markdown=True)
    assert [p.text for p in article.paragraphs] == [
        "Aid groups counted the displaced.", "Town: Idlib; Displaced: 500,000.",
        "Town: Maarat al-Numan; Displaced: 80,000; Note: estimate.", "The count goes on."]
    write(tmp_path, "idlib.md", text)
    from retrieval import open_corpus
    hit = open_corpus(tmp_path, tmp_path / ".cache").search("How many were displaced in Maarat al-Numan?", 1)[0]
    assert hit.sentence.text == "Town: Maarat al-Numan; Displaced: 80,000; Note: estimate."


def test_txt_without_title_uses_first_non_empty_line_and_each_line_is_a_paragraph():
    article = parse_article("\n\nHeadline here\nFirst paragraph.\nSecond paragraph.\n", "a")
    assert article.title == "Headline here"
    assert [p.text for p in article.paragraphs] == ["First paragraph.", "Second paragraph."]
    assert all(p.kind == BODY for p in article.paragraphs)


def test_markdown_heading_is_headline_and_markup_is_reduced_to_text():
    text = (
        "# Council *approves* budget\n\n"
        "The council voted **7 to 2** on\nTuesday, [the mayor](https://x.org) said.\n\n"
        "## Reactions\n\n"
        "- Residents cheered `loudly`.\n"
    )
    article = parse_article(text, "budget", markdown=True)
    assert article.title == "Council approves budget"
    assert [p.text for p in article.paragraphs] == [
        "The council voted 7 to 2 on Tuesday, the mayor said.",
        "Residents cheered loudly.",
    ]


@pytest.mark.parametrize("content, reason", [
    (b"", "empty"),
    (b"   \n\n  \n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
])
def test_bad_files_raise_article_error_naming_the_file(tmp_path, content, reason):
    path = write(tmp_path, "bad.txt", content)
    with pytest.raises(ArticleError) as err:
        read_article(path)
    assert reason in str(err.value) and "bad.txt" in str(err.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_raises_article_error(tmp_path):
    path = write(tmp_path, "locked.txt", "Title\nText.")
    path.chmod(0)
    with pytest.raises(ArticleError, match="unreadable"):
        read_article(path)


def test_directory_named_like_an_article_is_not_read(tmp_path):
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(ArticleError, match="not a regular file"):
        read_article(tmp_path / "folder.txt")


def test_fifo_and_device_files_are_not_read(tmp_path):
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    with pytest.raises(ArticleError, match="not a regular file"):
        read_article(fifo)  # would block forever if opened
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    with pytest.raises(ArticleError, match="not a regular file"):
        read_article(tmp_path / "zero.txt")


def test_title_without_text_is_not_an_article():
    with pytest.raises(ArticleError, match="no text"):
        parse_article(b"---\ntitle: Only a title\n---\n", "t")


def test_front_matter_without_closing_line_is_named_and_the_article_still_read():
    warnings: list[str] = []
    article = parse_article(b"---\ntitle: Storm\nsource: Northwire\n\nThe storm came.\n", "t", warn=warnings.append)
    assert (article.title, article.source, article.paragraphs[0].text) == ("Storm", "Northwire", "The storm came.")
    assert warnings == ["t: front matter has no closing --- line; read as a header of `key: value` lines, then text"]
    # an opening rule with no header under it: the text
    assert parse_article(b"---\nStorm hits coast\nThe storm came.\n", "u").title == "Storm hits coast"


def test_crlf_and_byte_order_mark_are_read():
    article = parse_article(b"\xef\xbb\xbfStorm hits coast\r\nThe storm came.\r\nIt left.\r\n", "t")
    assert article.title == "Storm hits coast"
    assert [p.text for p in article.paragraphs] == ["The storm came.", "It left."]


@pytest.mark.parametrize("line", [
    "Talks between the EU/UK and Norway/Iceland ended without a deal.",
    "Prices of cars/trucks and buses/coaches rose.",
    "The report is at https://example.org/a/b/c today.",
])
def test_slashes_in_ordinary_sentences_are_not_photo_credits(line):
    article = parse_article(f"Title\n{line}", "t")
    assert article.paragraphs[0].text == line and article.paragraphs[0].kind != CAPTION


def test_long_line_mentioning_copyright_is_kept():
    line = ("Copyright law was the subject of a long debate in parliament on Tuesday, where members "
            "argued for hours about whether all rights reserved by publishers should expire sooner.")
    assert parse_article(f"Title\n{line}", "t").paragraphs[0].text == line


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600), st.booleans())
def test_any_bytes_parse_or_raise_article_error(raw, markdown):
    try:
        article = parse_article(raw, "x", markdown=markdown)
    except ArticleError:
        return
    assert article.title.strip()
    assert all(p.text.strip() for p in article.paragraphs)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600), st.booleans())
def test_any_text_parses_or_raises_article_error(text, markdown):
    try:
        article = parse_article(text, "x", markdown=markdown)
    except ArticleError:
        return
    assert "\x00" not in article.title and "\u00a0" not in article.title


def test_a_markdown_list_nested_10_deep_keeps_the_text_after_it():
    nested = "".join("  " * depth + f"- point at depth {depth}\n" for depth in range(10))
    article = parse_article(f"# Budget\n\nThe plan has parts.\n\n{nested}\nAfter the list the minister resigned.\n",
                            "budget", markdown=True)
    texts = [p.text for p in article.paragraphs]
    assert "point at depth 9" in texts and texts[-1] == "After the list the minister resigned."


def test_markdown_nested_past_what_can_be_parsed_is_read_as_plain_text_with_a_warning():
    nested = "".join("  " * depth + f"- point at depth {depth}\n" for depth in range(80))
    warnings: list[str] = []
    article = parse_article(f"# Budget\n\n{nested}\nAfter the list the minister resigned.\n", "budget",
                            markdown=True, warn=warnings.append)
    texts = [p.text for p in article.paragraphs]
    assert article.title == "Budget" and "point at depth 79" in texts
    assert texts[-1] == "After the list the minister resigned."
    assert len(warnings) == 1 and "nested too deeply" in warnings[0]


@pytest.mark.parametrize("written, read", [
    ("2024-05-03", "2024-05-03"), ("2024-05-03T10:00:00Z", "2024-05-03T10:00:00Z"),
    ("Tue, 14 May 2024 10:00:00 GMT", "2024-05-14T10:00:00+00:00"),  # as RSS and e-mail write it
    ("May 3, 2024", "2024-05-03"), ("Friday, 3 May 2024", "2024-05-03"), ("2024/05/03", "2024-05-03"),
])
def test_published_is_read_from_the_forms_feeds_and_exporters_write(written, read):
    assert parse_article(f"---\ntitle: T\npublished: {written}\n---\nText here.\n", "x").published == read


def test_a_published_value_that_is_not_a_date_is_named_and_the_article_counts_as_undated():
    warnings = []
    article = parse_article("---\ntitle: T\npublished: 12:30\n---\nText here.\n", "x", warn=warnings.append)
    assert article.published is None
    assert warnings == ["x: published '12:30' is not a date newsbot reads (2024-05-03, 3 May 2024, "
                        "Tue, 14 May 2024 10:00:00 GMT); the article counts as undated"]


@pytest.mark.parametrize("text, title", [
    ("The ferry to Skarn resumed on Sunday after a strike, the operator said. Tickets will be refunded.\n",
     "The ferry to Skarn resumed on Sunday after a strike, the operator said"),
    ("word " * 100 + "\n", ("word " * 100)[:119].rstrip() + "…"),  # one long run with no full stop
    ("Council leader Mr. Hale resigned on Tuesday after 12 years. He will stay until June.\n",
     "Council leader Mr. Hale resigned on Tuesday after 12 years"),  # not cut at "Mr."
])
def test_a_one_paragraph_brief_is_an_article_headed_by_its_first_sentence(text, title):
    article = parse_article(text, "brief")
    assert article.title == title and article.paragraphs[0].text == text.strip()


@pytest.mark.parametrize("line", ["Council meeting tonight", "Ferry strike called off!", 'Mayor: "We will rebuild"'])
def test_a_lone_headline_line_is_still_no_article(line):
    with pytest.raises(ArticleError, match="no text under the headline"):
        parse_article(line + "\n", "x")
