"""Date expressions read against the day an article was published (retrieval/dates.py)."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.dates import mentions, parse_time, question_day

MONDAY_17_JUNE = date(2024, 6, 17)


def resolved(text: str, reference: date | None = MONDAY_17_JUNE) -> list[tuple[str, str]]:
    return [(m.text, m.day.isoformat()) for m in mentions(text, reference)]


@pytest.mark.parametrize("text, expected", [
    ("The river burst its banks on Sunday, the coastguard said.", [("on Sunday", "2024-06-16")]),
    ("Cars were swept into the harbour yesterday.", [("yesterday", "2024-06-16")]),
    ("The bridge fell the day before yesterday.", [("the day before yesterday", "2024-06-15")]),
    ("It reopens on the day after tomorrow.", [("on the day after tomorrow", "2024-06-19")]),
    ("The ferry resumes tomorrow.", [("tomorrow", "2024-06-18")]),
    ("The mayor spoke today.", [("today", "2024-06-17")]),
    ("The minister arrived on Monday.", [("on Monday", "2024-06-17")]),  # the article's own day
    ("Talks were held last Monday.", [("last Monday", "2024-06-10")]),
    ("Forecasters expect more rain on Wednesday.", [("on Wednesday", "2024-06-19")]),  # ahead: "expect"
    ("Schools will stay closed until Friday.", [("until Friday", "2024-06-21")]),
    ("The road is closed until Friday.", [("until Friday", "2024-06-21")]),
    # days ahead in one sentence come in order: this Monday is the one after that Wednesday
    ("The strike is due to begin on Wednesday and last until Monday.",
     [("on Wednesday", "2024-06-19"), ("until Monday", "2024-06-24")]),
    ("The strike will run from Wednesday to Monday.", [("from Wednesday", "2024-06-19"), ("Monday", "2024-06-24")]),
    ("The road will be closed between Wednesday and Monday.", [("Wednesday", "2024-06-19"), ("Monday", "2024-06-24")]),
    ("The road will close on Wednesday and reopen on Monday.", [("on Wednesday", "2024-06-19"), ("on Monday", "2024-06-24")]),
    # ... only a span's end: the earlier day named last stays where it is
    ("The bridge will reopen on Friday, after repairs that are due to finish on Wednesday.",
     [("on Friday", "2024-06-21"), ("on Wednesday", "2024-06-19")]),
    ("A landslide buried the line on Sunday night.", [("on Sunday night", "2024-06-16")]),
    ("Police arrived yesterday morning.", [("yesterday morning", "2024-06-16")]),
    # the tense of the weekday's own clause, not of the sentence's other clauses
    ("The council approved the budget on Wednesday, with more going to schools.", [("on Wednesday", "2024-06-12")]),
    ("Fares will rise, the operator announced on Friday.", [("on Friday", "2024-06-14")]),
    ("Police said on Sunday the suspect was expected in court.", [("on Sunday", "2024-06-16")]),
    ("The vote, expected on Friday, was delayed.", [("on Friday", "2024-06-21")]),
    ("The ferry will, on Tuesday, resume sailing.", [("on Tuesday", "2024-06-18")]),  # set off by commas
    ("The strike, which starts on Tuesday, will last a week.", [("on Tuesday", "2024-06-18")]),
    ("The mayor, speaking on Tuesday, said she will resign.", [("on Tuesday", "2024-06-11")]),
    ("The vote is next Monday.", [("next Monday", "2024-06-24")]),
    ("It opened on June 16.", [("on June 16", "2024-06-16")]),
    ("It opened on 16 June.", [("on 16 June", "2024-06-16")]),
    ("It opened on the 16th of June 2023.", [("on the 16th of June 2023", "2023-06-16")]),
    ("It opened on 16/6.", [("on 16/6", "2024-06-16")]),
    ("Results due 2024-07-01.", [("2024-07-01", "2024-07-01")]),
    ("It closed on December 30.", [("on December 30", "2023-12-30")]),  # the nearest December 30
])
def test_a_date_expression_names_the_day_it_means_for_the_article(text, expected):
    assert resolved(text) == expected


def test_a_week_names_its_monday_to_sunday():
    [week] = mentions("Councillors voted the budget down last week.", date(2024, 6, 20))
    assert (week.text, week.day.isoformat(), week.last.isoformat()) == ("last week", "2024-06-10", "2024-06-16")


@pytest.mark.parametrize("text", [
    "Three quarters, or 3/4 of them, agreed.",  # a fraction, not 3 April
    "As many as 3 may have died.",  # a verb, not May
    "Some 16,000 people marched.",
    "He had been mayor since 2019.",  # a year is not a day
])
def test_numbers_that_are_not_days_are_left_alone(text):
    assert resolved(text) == []


def test_without_a_published_day_only_dates_with_their_year_resolve():
    assert resolved("It happened on Saturday, on 16 June and on 3 May 2024.", None) == [("on 3 May 2024", "2024-05-03")]


def test_parse_time_takes_a_day_or_an_iso_time_and_nothing_else():
    assert parse_time("2024-06-01").isoformat() == "2024-06-01T00:00:00+00:00"
    assert parse_time("2024-06-01", end_of_day=True).isoformat() == "2024-06-01T23:59:59.999999+00:00"
    assert parse_time("2024-06-01T12:30+02:00").isoformat() == "2024-06-01T12:30:00+02:00"
    for bad in ("June 1", "2024-13-01", "2024-06-01T25:00", "yesterday", ""):
        with pytest.raises(ValueError):
            parse_time(bad)


@pytest.mark.parametrize("question, day", [
    ("What happened on 16 June 2024?", "2024-06-16"),
    ("What happened last Sunday?", "2024-06-16"),
    ("what happened on sunday?", "2024-06-16"),
    ("What happened yesterday?", "2024-06-19"),
    ("What happened the day before yesterday?", "2024-06-18"),
    ("What happens tomorrow?", "2024-06-21"),
    ("What happened 4 days ago?", "2024-06-16"),
    ("What will happen on Wednesday?", "2024-06-26"),
])
def test_a_question_names_a_day_relative_to_today(question, day):
    found = question_day(question, date(2024, 6, 20))
    assert found is not None and found.day.isoformat() == day


@pytest.mark.parametrize("question", ["What happened in June?", "What happened last week?", "Who won in 2019?",
                                      "How many people were killed?"])
def test_a_question_naming_no_single_day_names_none(question):
    assert question_day(question, date(2024, 6, 20)) is None
