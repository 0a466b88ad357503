"""Many articles about one story through the Telegram adapter: the real Application against the fake Bot API,
answering from the invented archive in tests/data/archive."""

from __future__ import annotations

import pytest

from tests.fake_bot_api import FakeBotApi
from tests.test_telegram import api, running_bot  # noqa: F401 - `api` is the fake Bot API fixture

from .conftest import ROOT

pytestmark = pytest.mark.asyncio

ARCHIVE = ROOT / "tests" / "data" / "archive"


@pytest.fixture(autouse=True)
def _as_of(monkeypatch):
    monkeypatch.setenv("NEWSBOT_TODAY", "2024-06-20")


async def test_a_wire_copy_is_one_answer_naming_the_other_outlet_and_more_skips_it(api: FakeBotApi, tmp_path):
    async with running_bot(api, ARCHIVE, tmp_path) as bot:
        reply = await bot.ask(1, "How many homes were flooded in the lower town?")
        assert "More than 3,000" in reply.text and "Also carried by:" in reply.text
        assert "17 June 2024" in reply.text.split("Also carried by:")[1]
        later = [await bot.press(reply, "More")]
        later.append(await bot.press(later[0], "More"))
        assert all("More than 3,000 homes" not in r.text for r in later)


async def test_the_newest_figure_comes_first_with_the_earlier_report(api: FakeBotApi, tmp_path):
    async with running_bot(api, ARCHIVE, tmp_path) as bot:
        reply = await bot.ask(1, "How many people were killed in the Port Elling floods?")
        assert reply.text.startswith("The death toll from the Port Elling floods rose to 15")
        assert "Earlier report: At least 12 — " in reply.text and "At least 12" in reply.bold


async def test_dates_are_spelt_out_and_a_day_can_be_asked_about(api: FakeBotApi, tmp_path):
    async with running_bot(api, ARCHIVE, tmp_path) as bot:
        reply = await bot.ask(1, "When did the Elling river burst its banks?")
        assert "on Sunday (16 June 2024)" in reply.text
        day = await bot.ask(1, "What happened last Sunday?")
        assert "(16 June 2024)" in day.text


async def test_questions_about_the_articles_are_answered_from_front_matter(api: FakeBotApi, tmp_path):
    async with running_bot(api, ARCHIVE, tmp_path) as bot:
        author = await bot.ask(1, "Who wrote the report about the mayor's resignation?")
        assert author.text.startswith("Written by Dev Patel.") and "Mayor Ana Ruiz resigns" in author.text
        outlets = await bot.ask(1, "Which outlets covered the Port Elling floods?")
        assert outlets.text.startswith("3 outlets covered it:")
        assert all(name in outlets.text for name in ("Northwire", "The Daily Planet", "Harbour Times"))
        listing = await bot.ask(1, "/sources")
        assert "by Ines Calloway" in listing.text and "tags: floods, Port Elling, weather" in listing.text


async def test_filters_before_a_question_restrict_the_search(api: FakeBotApi, tmp_path):
    async with running_bot(api, ARCHIVE, tmp_path) as bot:
        reply = await bot.ask(1, '/ask until:2024-06-17 source:"northwire" How many people were killed in the floods?')
        assert reply.text.startswith("At least 12 people were killed") and "Northwire" in reply.text
        assert "Earlier" not in reply.text
        more = await bot.press(reply, "More")
        assert "Harbour Times" not in more.text and "The Daily Planet" not in more.text.split("Also carried by")[0]
        plain = await bot.ask(1, "source:harbour How many people were killed in the floods?")
        assert "rose to 15" in plain.text


async def test_a_bad_filter_date_gets_one_line_naming_the_format(api: FakeBotApi, tmp_path):
    async with running_bot(api, ARCHIVE, tmp_path) as bot:
        reply = await bot.ask(1, "since:2024-02-30 How many people were killed?")
        assert "since: not a date" in reply.text and "YYYY-MM-DD" in reply.text and "\n" not in reply.text
        nothing = await bot.ask(1, "since:2024-06-01")
        assert "Write the question after the filters" in nothing.text


async def test_the_speaker_after_a_quote_with_a_relative_clause_is_named(api: FakeBotApi, tmp_path):
    async with running_bot(api, ARCHIVE, tmp_path) as bot:
        reply = await bot.ask(1, "Who runs the city's budget office?")
        assert "according to Marta Ionescu" in reply.text and "who runs" not in reply.text.split("according to")[1]
