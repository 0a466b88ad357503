"""The Telegram adapter end to end: the real python-telegram-bot Application against the fake Bot API."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from pathlib import Path

import pytest
import pytest_asyncio

from bot.render import reply as plain_reply
from bot.service import AnsweringService
from bot.telegram.app import build_application, serve
from bot.telegram.render import BUTTON_EXPIRED, COMMANDS, SLOW_DOWN, SOMETHING_WRONG
from bot.telegram.settings import TelegramSettings
from tests.conftest import SEEDS, cache_for, write
from tests.fake_bot_api import FakeBotApi, SentMessage

pytestmark = pytest.mark.asyncio

QUESTION = "Who denied conducting the first strikes?"
UNANSWERABLE = "What is the recipe for banana bread?"


@pytest_asyncio.fixture
async def api():
    server = await FakeBotApi().start()
    yield server
    await server.stop()


@dataclasses.dataclass
class Bot:
    """A running bot and what a test needs to talk to it."""

    api: FakeBotApi
    service: AnsweringService
    settings: TelegramSettings

    async def ask(self, chat_id: int, text: str, **kwargs) -> SentMessage:
        """Write `text` in `chat_id` and return the bot's one reply to it."""
        message_id = self.api.send_text(chat_id, text, **kwargs)
        return (await self.replies(chat_id, message_id))[0]

    async def replies(self, chat_id: int, message_id: int, count: int = 1) -> list[SentMessage]:
        return await self.api.wait_for(lambda: len(self.api.replies_to(chat_id, message_id)) >= count
                                       and self.api.replies_to(chat_id, message_id))

    async def press(self, message: SentMessage, label: str) -> SentMessage:
        """Press the button labelled `label` under `message` and return the bot's reply to that message."""
        before = len(self.api.replies_to(message.chat_id, message.message_id))
        query_id = self.api.press_button(message, dict(message.buttons)[label])
        replies = await self.replies(message.chat_id, message.message_id, before + 1)
        await self.note(query_id)
        return replies[-1]

    async def note(self, query_id: str) -> str | None:
        """The text the bot answered a button press with (the reader's client shows it briefly)."""
        answers = await self.api.wait_for(lambda: [a for a in self.api.callback_answers
                                                   if a["callback_query_id"] == query_id])
        return answers[0].get("text")


@contextlib.asynccontextmanager
async def running_bot(api: FakeBotApi, corpus: Path | None = None, cache: Path | None = None, **overrides):
    """The real Application, built as `newsbot telegram` builds it, polling the fake Bot API."""
    service = AnsweringService.open(corpus or SEEDS, cache or cache_for(corpus))
    options = dict(token=api.token, api_url=api.base_url, throttle=False, first_backoff=0.05, poll_timeout=5)
    options.update(overrides)
    settings = TelegramSettings(**options)
    application = build_application(service, settings)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(application, settings, service, stop))
    try:
        if settings.webhook_url:
            await api.wait_for(lambda: api.webhook_url or task.done())
        else:
            await api.wait_for(lambda: api.calls_of("getUpdates") or task.done())
        if task.done():
            task.result()
        yield Bot(api, service, settings)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


def best_passage(service: AnsweringService, question: str):
    return service.ask(question, top_k=1).passages[0]


# -- commands --------------------------------------------------------------------------------


async def test_every_command_is_registered_with_telegram(api):
    async with running_bot(api):
        await api.wait_for(lambda: api.commands)
    assert [c["command"] for c in api.commands] == [name for name, _ in COMMANDS]
    assert {"start", "help", "ask", "sources", "more", "context", "about"} <= {c["command"] for c in api.commands}


async def test_start_greets_and_says_how_to_ask(api):
    async with running_bot(api) as bot:
        reply = await bot.ask(7, "/start")
    assert "Hello" in reply.text
    assert "question" in reply.text and "/help" in reply.text


async def test_start_and_help_name_the_newest_article_of_the_corpus_not_an_example_from_elsewhere(api, tmp_path):
    write(tmp_path, "old.md", "---\ntitle: Mill closes\nsource: Valley Post\npublished: 2024-05-01\n---\nThe mill closed.\n")
    write(tmp_path, "new.md", "---\ntitle: Ferry back\nsource: Northwire\npublished: 2024-06-14\n---\nThe ferry resumed.\n")
    async with running_bot(api, corpus=tmp_path) as bot:
        replies = [await bot.ask(7, "/start"), await bot.ask(7, "/help")]
    for reply in replies:
        assert "The newest article: “Ferry back” (Northwire, 14 June 2024). The /sources command lists them all." in reply.text
        assert "Idlib" not in reply.text and "first strikes" not in reply.text


async def test_help_names_every_command(api):
    async with running_bot(api) as bot:
        reply = await bot.ask(7, "/help")
    for name, _ in COMMANDS[2:]:
        assert f"/{name}" in reply.text


async def test_sources_lists_each_article_headline(api):
    async with running_bot(api) as bot:
        reply = await bot.ask(7, "/sources")
        sources = bot.service.sources()
    assert f"{len(sources)} article" in reply.text
    for source in sources:
        assert source.title in reply.text


async def test_about_says_how_many_articles_and_sentences(api):
    async with running_bot(api) as bot:
        reply = await bot.ask(7, "/about")
        sources = bot.service.sources()
    assert f"{len(sources)} article" in reply.text
    assert f"{sum(s.sentences for s in sources)} sentences" in reply.text


async def test_ask_command_answers_the_question_after_it(api):
    async with running_bot(api) as bot:
        reply = await bot.ask(7, f"/ask {QUESTION}")
        passage = best_passage(bot.service, QUESTION)
    assert passage.text in reply.text


async def test_ask_command_without_a_question_says_how_to_use_it(api):
    async with running_bot(api) as bot:
        reply = await bot.ask(7, "/ask")
    assert "/ask" in reply.text and not reply.buttons


async def test_unknown_command_in_a_private_chat_gets_help(api):
    async with running_bot(api) as bot:
        reply = await bot.ask(7, "/frobnicate")
    assert "do not know that command" in reply.text


# -- questions and answers in a private chat ------------------------------------------------------


async def test_private_question_gets_the_sentence_with_matched_words_bold_and_attribution_italic(api):
    async with running_bot(api) as bot:
        reply = await bot.ask(7, QUESTION)
        passage = best_passage(bot.service, QUESTION)
    assert reply.parse_mode == "HTML"
    sentence, attribution = reply.text.split("\n", 1)
    assert sentence == passage.text
    assert reply.bold and set(reply.bold) <= set(passage.matched)
    assert reply.italic == [attribution]
    assert passage.article.title in attribution
    assert passage.speaker and f"according to {passage.speaker}" in attribution
    assert [label for label, _ in reply.buttons] == ["More", "Context"]
    more, context = (data for _, data in reply.buttons)
    assert more != context  # each button carries its own callback data


async def test_a_typing_indicator_is_shown_before_the_answer(api):
    async with running_bot(api) as bot:
        reply = await bot.ask(7, QUESTION)
    actions = api.calls_of("sendChatAction")
    assert (7, "typing") in api.chat_actions
    assert actions[0].at <= reply.sent_at


async def test_a_question_the_articles_do_not_answer_gets_the_refusal(api):
    async with running_bot(api) as bot:
        reply = await bot.ask(7, UNANSWERABLE)
        answer = bot.service.ask(UNANSWERABLE, top_k=1)
    assert not answer.answered
    refusal = plain_reply(answer).split("\n", 1)[0].split(".")[0]
    assert reply.text.startswith(refusal + ".")
    assert answer.passages[0].text in reply.text  # the closest match, shown as such


async def test_a_greeting_gets_help_not_an_answer(api):
    async with running_bot(api) as bot:
        reply = await bot.ask(7, "hello")
    assert "Ask a question" in reply.text and not reply.buttons


async def test_more_gives_the_next_best_answer_to_the_last_question(api):
    async with running_bot(api) as bot:
        await bot.ask(7, QUESTION)
        reply = await bot.ask(7, "/more")
        second = bot.service.ask(QUESTION, top_k=1, skip=1).passages[0]
    assert second.text in reply.text


async def test_more_before_any_question_asks_for_one(api):
    async with running_bot(api) as bot:
        more = await bot.ask(7, "/more")
        context = await bot.ask(7, "/context")
    assert "Ask a question first" in more.text
    assert "Ask a question first" in context.text


async def test_context_gives_the_paragraph_around_the_last_answer(api):
    async with running_bot(api) as bot:
        await bot.ask(7, QUESTION)
        reply = await bot.ask(7, "/context")
        passage = best_passage(bot.service, QUESTION)
        paragraph = bot.service.context(passage).text
    assert paragraph in reply.text
    assert passage.text in reply.bold


async def test_each_chat_keeps_its_own_last_question(api):
    async with running_bot(api) as bot:
        await bot.ask(7, QUESTION)
        await bot.ask(8, "What did Lavrov say?")
        more_7 = await bot.ask(7, "/more")
        expected = bot.service.ask(QUESTION, top_k=1, skip=1).passages[0]
    assert expected.text in more_7.text


# -- buttons -------------------------------------------------------------------------------------


async def test_more_button_sends_the_next_best_answer(api):
    async with running_bot(api) as bot:
        answer = await bot.ask(7, QUESTION)
        reply = await bot.press(answer, "More")
        second = bot.service.ask(QUESTION, top_k=1, skip=1).passages[0]
        third_reply = await bot.press(reply, "More")
        third = bot.service.ask(QUESTION, top_k=1, skip=2).passages[0]
    assert second.text in reply.text
    assert third.text in third_reply.text
    assert len(api.callback_answers) == 2


async def test_context_button_gives_the_paragraph_of_that_answer(api):
    async with running_bot(api) as bot:
        first = await bot.ask(7, QUESTION)
        await bot.ask(7, "What did Lavrov say?")  # a later answer must not change the first one's context
        reply = await bot.press(first, "Context")
        paragraph = bot.service.context(best_passage(bot.service, QUESTION)).text
    assert paragraph in reply.text


async def test_more_under_an_older_answer_continues_that_answers_question(api):
    async with running_bot(api) as bot:
        older = await bot.ask(7, QUESTION)
        await bot.ask(7, "What did Lavrov say?")
        reply = await bot.press(older, "More")
        second = bot.service.ask(QUESTION, top_k=1, skip=1).passages[0]
    assert second.text in reply.text
    assert "no more matches" not in reply.text


async def test_buttons_under_any_answer_act_on_that_answer(api):
    async with running_bot(api) as bot:
        first = await bot.ask(7, QUESTION)
        second = await bot.press(first, "More")
        await bot.ask(7, "What did Lavrov say?")
        context = await bot.press(second, "Context")
        third = await bot.press(second, "More")
        first_again = await bot.press(first, "More")
        first_thrice = await bot.press(first, "More")
        ranked = bot.service.ask(QUESTION, top_k=4).passages
    assert ranked[1].text in second.text and ranked[1].text in context.bold
    assert bot.service.context(ranked[1]).text in context.text
    assert ranked[2].text in third.text
    # pressed again, the More under the first answer goes on from the match it gave, as `more` does
    assert ranked[2].text in first_again.text and ranked[3].text in first_thrice.text


async def test_after_more_under_an_older_answer_the_more_command_continues_it(api):
    async with running_bot(api) as bot:
        older = await bot.ask(7, QUESTION)
        await bot.ask(7, "What did Lavrov say?")
        await bot.press(older, "More")
        reply = await bot.ask(7, "/more")
        third = bot.service.ask(QUESTION, top_k=1, skip=2).passages[0]
    assert third.text in reply.text


async def test_a_button_the_bot_does_not_know_is_answered_with_a_short_note(api):
    async with running_bot(api) as bot:
        answer = await bot.ask(7, QUESTION)
        sent_before = len(api.messages)
        # as the buttons of older newsbot versions, or of answers from before a restart
        note = await bot.note(api.press_button(answer, "more"))
        await asyncio.sleep(0.2)
    assert note == BUTTON_EXPIRED
    assert len(api.messages) == sent_before  # nothing sent to the chat


async def test_buttons_of_answers_past_the_remembered_number_expire(api):
    async with running_bot(api, answers_with_buttons=2) as bot:
        oldest = await bot.ask(7, QUESTION)
        await bot.ask(7, "What did Lavrov say?")
        newest = await bot.ask(7, "Where were air strikes reported?")
        note = await bot.note(api.press_button(oldest, dict(oldest.buttons)["More"]))
        reply = await bot.press(newest, "Context")
    assert note == BUTTON_EXPIRED
    assert api.replies_to(7, oldest.message_id) == []
    assert bot.service.context(best_passage(bot.service, "Where were air strikes reported?")).text in reply.text


# -- groups --------------------------------------------------------------------------------------


async def test_group_mention_is_answered_without_the_mention(api):
    async with running_bot(api) as bot:
        reply = await bot.ask(-100, f"@{api.bot_username} {QUESTION}", user_id=5)
        passage = best_passage(bot.service, QUESTION)
    assert passage.text in reply.text


async def test_group_reply_to_the_bot_is_answered(api):
    async with running_bot(api) as bot:
        first = await bot.ask(-100, f"/ask {QUESTION}", user_id=5)
        reply = await bot.ask(-100, "What did Lavrov say?", user_id=6, reply_to=first.message_id)
        passage = best_passage(bot.service, "What did Lavrov say?")
    assert passage.text in reply.text


async def test_group_ask_addressed_to_this_bot_by_name_is_answered(api):
    async with running_bot(api) as bot:
        reply = await bot.ask(-100, f"/ask@{api.bot_username} {QUESTION}", user_id=5)
        passage = best_passage(bot.service, QUESTION)
    assert passage.text in reply.text


async def test_group_messages_not_for_the_bot_are_ignored(api):
    async with running_bot(api) as bot:
        chatter = [
            api.send_text(-100, QUESTION, user_id=5),
            api.send_text(-100, "@someone_else what do you think?", user_id=5),
            api.send_text(-100, "/start@some_other_bot", user_id=5),
        ]
        reader = api.send_text(-100, "nice", user_id=6)
        human = api.send_text(-100, "I agree", user_id=6, reply_to=reader)
        # A message the bot must answer, sent last: once it is answered, the others were seen.
        await bot.ask(-100, f"@{api.bot_username} {QUESTION}", user_id=5)
        await asyncio.sleep(0.2)
    for message_id in [*chatter, reader, human]:
        assert api.replies_to(-100, message_id) == []
    assert len(api.messages_to(-100)) == 1


# -- markup and size -------------------------------------------------------------------------------

MARKUP_ARTICLE = """---
title: <b>Tags</b> & "quotes" in <script>alert(1)</script> headlines
source: Bits & <Pieces>
url: https://example.com/a?b=1&c=<2>
---
The standfirst says a < b & c > d, in <i>italics</i> and </b> closing tags.

The council voted 5 < 7 & the mayor said "<b>no</b>" & left at 3 > 2 o'clock, according to the clerk &amp; the minutes.
"""


async def test_markup_in_articles_and_questions_never_breaks_a_reply(api, tmp_path):
    write(tmp_path / "corpus", "markup.txt", MARKUP_ARTICLE)
    async with running_bot(api, tmp_path / "corpus", tmp_path / "cache") as bot:
        question = 'What did the <b>mayor</b> say & </i> do when the council voted <a href="x">?</a>'
        reply = await bot.ask(7, question)
        context = await bot.ask(7, "/context")
        sources = await bot.ask(7, "/sources")
        passage = best_passage(bot.service, question)
    assert SOMETHING_WRONG not in reply.text
    assert passage.text in reply.text and "<b>no</b>" in reply.text
    assert '<b>Tags</b> & "quotes" in <script>alert(1)</script> headlines' in reply.text
    assert "Bits & <Pieces>" in reply.text
    assert bot.service.context(passage).text in context.text
    assert "<script>" in sources.text
    links = [e["url"] for e in reply.entities if e["type"] == "text_link"]
    assert links == ["https://example.com/a?b=1&c=%3C2%3E"]


async def test_a_20000_character_message_gets_a_reply_within_telegram_limits(api):
    async with running_bot(api) as bot:
        reply = await bot.ask(7, "Who denied the strikes? " + "x" * 20_000)
        huge = await bot.ask(7, "strikes " * 2500)
    for message in (reply, huge):
        assert SOMETHING_WRONG not in message.text
        assert len(message.text) <= 4096


async def test_a_very_long_sentence_is_trimmed_to_fit_one_message(api, tmp_path):
    long_sentence = "The ministry confirmed the convoy " + " ".join(f"passed village{i}" for i in range(1500)) + "."
    write(tmp_path / "corpus", "long.txt", f"Convoy report\n\n{long_sentence}\n")
    async with running_bot(api, tmp_path / "corpus", tmp_path / "cache") as bot:
        reply = await bot.ask(7, "What did the ministry confirm about the convoy?")
        context = await bot.ask(7, "/context")
    assert SOMETHING_WRONG not in reply.text
    assert len(reply.text) <= 4096 and len(context.text) <= 4096
    assert "The ministry confirmed the convoy passed village0" in reply.text
    assert "…" in reply.text and "Convoy report" in reply.italic[-1]


# -- Telegram misbehaving --------------------------------------------------------------------------


async def test_flood_control_429_is_waited_out_and_the_answer_sent_once(api):
    async with running_bot(api) as bot:
        api.inject_fault("sendMessage", retry_after=1)
        message_id = api.send_text(7, QUESTION)
        replies = await bot.replies(7, message_id)
        await asyncio.sleep(0.1)
    assert [c.status for c in api.calls_of("sendMessage")] == [429, 200]
    assert len(api.replies_to(7, message_id)) == 1
    assert best_passage(bot.service, QUESTION).text in replies[0].text


async def test_502_on_get_updates_does_not_stop_polling(api):
    async with running_bot(api) as bot:
        api.inject_fault("getUpdates", status=502, times=2)
        api.send_text(7, "/start")  # ends the pending long poll so the next ones fail
        await api.wait_for(lambda: [c for c in api.calls_of("getUpdates") if c.status == 502][1:])
        reply = await bot.ask(7, QUESTION)
    assert best_passage(bot.service, QUESTION).text in reply.text


@pytest.mark.parametrize("fault", [{"status": 502}, {"status": 500}, {"drop": True}])
async def test_a_failed_send_is_retried_and_the_answer_arrives_once(api, fault):
    async with running_bot(api) as bot:
        api.inject_fault("sendMessage", **fault)
        message_id = api.send_text(7, QUESTION)
        await bot.replies(7, message_id)
        await asyncio.sleep(0.2)
    assert len(api.replies_to(7, message_id)) == 1
    assert len(api.calls_of("sendMessage")) == 2


async def test_a_reply_telegram_refuses_is_logged_and_the_reader_told(api, caplog):
    async with running_bot(api) as bot:
        api.inject_fault("sendMessage", status=400, description="Bad Request: something unexpected")
        message_id = api.send_text(7, QUESTION)
        apology = await api.wait_for(lambda: [m for m in api.messages_to(7) if m.text == SOMETHING_WRONG])
    assert apology
    assert api.replies_to(7, message_id) == []
    assert any("something unexpected" in r.getMessage().lower() for r in caplog.records if r.levelname == "ERROR")


async def test_a_getme_failure_at_startup_is_retried(api):
    api.inject_fault("getMe", status=502)
    async with running_bot(api) as bot:
        reply = await bot.ask(7, QUESTION)
    assert [c.status for c in api.calls_of("getMe")][:2] == [502, 200]
    assert QUESTION and reply.text


# -- load, limits and chats ----------------------------------------------------------------------


async def test_100_chats_asking_3_questions_at_once_each_get_every_answer_exactly_once(api):
    questions = [QUESTION, "What did Lavrov say?", "Where were air strikes reported?"]
    async with running_bot(api) as bot:
        asked = [(chat, api.send_text(chat, q)) for q in questions for chat in range(1000, 1100)]
        await api.wait_for(lambda: len(api.messages) >= len(asked), timeout=30)
        await asyncio.sleep(0.2)
        expected = {q: best_passage(bot.service, q).text for q in questions}
    for index, (chat, message_id) in enumerate(asked):
        replies = api.replies_to(chat, message_id)
        assert len(replies) == 1
        assert expected[questions[index // 100]] in replies[0].text
    assert len(api.messages) == 300


async def test_answers_in_one_chat_come_in_the_order_asked(api):
    questions = [QUESTION, "What did Lavrov say?", "Where were air strikes reported?"]
    async with running_bot(api) as bot:
        ids = [api.send_text(9, q) for q in questions]
        await api.wait_for(lambda: len(api.messages_to(9)) == 3)
    assert [m.reply_to_message_id for m in api.messages_to(9)] == ids


async def test_a_reader_asking_too_fast_is_told_to_wait_once_per_window(api):
    async with running_bot(api, questions_per_minute=3) as bot:
        ids = [api.send_text(7, QUESTION) for _ in range(6)]
        await api.wait_for(lambda: len(api.messages_to(7)) == 4)
        other = await bot.ask(8, QUESTION)  # another reader is not slowed down
    texts = [reply.text for i in ids for reply in api.replies_to(7, i)]
    polite = SLOW_DOWN.format(limit=3)
    assert len(texts) == 4 and texts.count(polite) == 1  # three answers, one "please wait", then quiet
    assert other.text != polite


async def test_only_chats_on_the_allow_list_are_answered(api):
    async with running_bot(api, allowed_chats=frozenset({7, -100})) as bot:
        stranger = api.send_text(8, QUESTION)
        stranger_group = api.send_text(-200, f"/ask {QUESTION}")
        await bot.ask(7, QUESTION)
        await bot.ask(-100, f"/ask {QUESTION}")
        await asyncio.sleep(0.2)
    assert api.replies_to(8, stranger) == [] and api.replies_to(-200, stranger_group) == []
    assert api.messages_to(8) == [] and api.messages_to(-200) == []


async def test_articles_added_changed_and_removed_while_running_are_picked_up(api, tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus, "idlib.txt", (SEEDS / "idlib.txt").read_text(encoding="utf-8"))
    question = "How many penguins did the zoo in Lisbon count?"
    # Each change is built by a child process (bot/reindex.py): on a loaded machine that can take a while.
    async with running_bot(api, corpus, tmp_path / "cache", reload_every=0.1) as bot:
        before = await bot.ask(7, question)
        write(corpus, "zoo.txt", "Zoo count\n\nThe Lisbon zoo counted 42 penguins this spring, the keeper said.\n")
        await api.wait_for(lambda: "zoo" in {s.id for s in bot.service.sources()}, timeout=60)
        added = await bot.ask(7, question)
        write(corpus, "zoo.txt", "Zoo count\n\nThe Lisbon zoo counted 57 penguins this autumn, the keeper said.\n")
        await api.wait_for(lambda: "57" in plain_reply(bot.service.ask(question)), timeout=60)
        changed = await bot.ask(7, question)
        (corpus / "zoo.txt").unlink()
        await api.wait_for(lambda: "zoo" not in {s.id for s in bot.service.sources()}, timeout=60)
        removed = await bot.ask(7, question)
    assert "42 penguins" not in before.text
    assert "42 penguins" in added.text
    assert "57 penguins" in changed.text
    assert "penguins" not in removed.text.split("\n")[-1]


# -- the fake Bot API itself answers as Telegram does ----------------------------------------------


async def test_the_fake_bot_api_refuses_what_telegram_refuses(api):
    import httpx

    url = f"{api.base_url}{api.token}/sendMessage"
    async with httpx.AsyncClient() as client:
        too_long = await client.post(url, data={"chat_id": "7", "text": "x" * 4097})
        just_fits = await client.post(url, data={"chat_id": "7", "text": "😀" * 2048})
        broken = await client.post(url, data={"chat_id": "7", "text": "a <b>bold", "parse_mode": "HTML"})
        wrong_token = await client.post(f"{api.base_url}1:wrong/getMe")
    assert (too_long.status_code, too_long.json()["description"]) == (400, "Bad Request: message is too long")
    assert just_fits.status_code == 200  # 4,096 UTF-16 units
    assert broken.status_code == 400 and broken.json()["description"].startswith("Bad Request: can't parse entities")
    assert wrong_token.status_code == 401


async def test_the_fake_bot_api_confirms_updates_by_offset(api):
    import httpx

    first, second = api.send_text(7, "one"), api.send_text(7, "two")
    url = f"{api.base_url}{api.token}/getUpdates"
    async with httpx.AsyncClient() as client:
        both = (await client.post(url, data={"offset": "0"})).json()["result"]
        rest = (await client.post(url, data={"offset": str(both[0]["update_id"] + 1)})).json()["result"]
        again = (await client.post(url, data={"offset": str(both[0]["update_id"])})).json()["result"]
    assert [u["message"]["message_id"] for u in both] == [first, second]
    assert [u["message"]["message_id"] for u in rest] == [second]
    assert [u["message"]["message_id"] for u in again] == [second]  # a confirmed update is gone for good
