"""The Telegram bot when things go wrong: restarts with a backlog, a slow or garbled Bot API, an unreachable one."""

from __future__ import annotations

import asyncio
import collections
import signal
import subprocess
import time

import pytest

from bot.telegram.render import SOMETHING_WRONG
from tests import forked
from tests.conftest import PYTHON, ROOT, SEEDS, run_env, warm
from tests.fake_bot_api import TEST_TOKEN, FakeBotApi, ThreadedFakeBotApi
from tests.test_telegram import QUESTION, api, best_passage, running_bot  # noqa: F401 - api is a fixture

# The backlog of 1,000 (ten getUpdates batches), answered across both ways of stopping (see
# test_a_backlog_of_1000_questions_is_answered_once_across_a_sigkill_a_sigterm_and_restarts).
BACKLOG = 1000
BATCH = 100  # bot.telegram.polling.BATCH: the most updates being answered at once


def start_bot(api: FakeBotApi, cache, *args: str) -> subprocess.Popen:
    environment = run_env(TELEGRAM_BOT_TOKEN=TEST_TOKEN)
    return forked.Popen(
        [PYTHON, "-m", "bot", "telegram", "--api-url", api.base_url, "--cache-dir", str(cache), "--no-throttle",
         "--questions-per-minute", "0", *args],
        cwd=ROOT, env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True)


def stop_bot(process: subprocess.Popen, how: signal.Signals) -> str:
    process.send_signal(how)
    try:
        return process.communicate(timeout=20)[1]
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def answered(api: FakeBotApi) -> int:
    """How many questions have a reply (cheap enough to ask every few milliseconds)."""
    return len({(m.chat_id, m.reply_to_message_id) for m in api.messages})


def replies_by_question(messages) -> collections.Counter:
    return collections.Counter((m.chat_id, m.reply_to_message_id) for m in messages)


# A class of its own, so that pytest-xdist starts it first, beside the rest of the module (tests/conftest.py:
# LONGEST_FIRST).
class TestBacklogAcrossRestarts:
    def test_a_backlog_of_1000_questions_is_answered_once_across_a_sigkill_a_sigterm_and_restarts(self, tmp_path):
        """One backlog through both ways a bot is stopped, each leaving more than a batch unanswered:
        killed outright (SIGKILL) after 150 answers, restarted and stopped (SIGTERM) after 150 more, and
        restarted to answer the rest. Every question is answered. The kill repeats at most the sends under
        way when it came (made but not yet journalled): at most one batch, each once. The SIGTERM repeats
        nothing: no question answered before it is answered after it, nor twice after it (the repeats the
        kill left come first in the stopped bot's first batch, so they are made before it exits).
        One backlog for both stops rather than a backlog each: the same claims for about half the CPU
        (three bot starts and 1,000 answers, not four starts and 2,000 answers)."""
        warm(SEEDS, tmp_path)  # the first bot starts on a built index, as the others do
        with ThreadedFakeBotApi() as api:
            asked = [(chat, api.send_text(chat, QUESTION)) for chat in range(2000, 2100) for _ in range(BACKLOG // 100)]
            killed = start_bot(api, tmp_path)
            try:
                api.wait_for_sync(lambda: len(api.messages) >= 150 or killed.poll() is not None, timeout=120)
                assert killed.poll() is None
            finally:
                stop_bot(killed, signal.SIGKILL)
            at_kill = answered(api)
            assert BACKLOG - at_kill > BATCH, "the kill came too late to leave more than a batch"
            stopped = start_bot(api, tmp_path)
            try:
                api.wait_for_sync(lambda: answered(api) >= at_kill + 150 or stopped.poll() is not None, timeout=120)
                assert stopped.poll() is None
            finally:
                log = stop_bot(stopped, signal.SIGTERM)
            before_sigterm = list(api.messages)  # complete: the bot waited for every send's reply before exiting
            assert BACKLOG - answered(api) > BATCH, "the SIGTERM came too late to leave more than a batch"
            last = start_bot(api, tmp_path)
            try:
                api.wait_for_sync(lambda: answered(api) >= BACKLOG or last.poll() is not None, timeout=120)
                time.sleep(0.5)  # time for any duplicate to arrive
            finally:
                stop_bot(last, signal.SIGTERM)
            replies = replies_by_question(api.messages)
            after_sigterm = replies_by_question(api.messages[len(before_sigterm):])
        counts = collections.Counter(replies[question] for question in asked)
        assert counts[0] == 0, f"{counts[0]} questions never answered"
        again = [question for question in after_sigterm if question in replies_by_question(before_sigterm)]
        assert not again and set(after_sigterm.values()) == {1}, f"{len(again)} answered again after the SIGTERM\n{log}"
        assert set(counts) <= {1, 2} and counts[2] <= BATCH, counts


@pytest.mark.asyncio
async def test_a_slow_send_is_waited_for_not_repeated(api):
    async with running_bot(api) as bot:
        api.inject_fault("sendMessage", delay=6, times=None)  # slower than the old 5 s timeout
        asked = [api.send_text(chat, QUESTION) for chat in range(10, 15)]
        await api.wait_for(lambda: all(api.replies_to(chat, m) for chat, m in zip(range(10, 15), asked)), timeout=30)
        api.clear_faults()
        await asyncio.sleep(0.5)
        expected = best_passage(bot.service, QUESTION).text
    for chat, message_id in zip(range(10, 15), asked):
        replies = api.replies_to(chat, message_id)
        assert len(replies) == 1 and expected in replies[0].text
    assert not [m for m in api.messages if m.text == SOMETHING_WRONG]


@pytest.mark.asyncio
async def test_a_send_that_never_confirms_is_repeated_once_at_most_and_then_apologised_for(api):
    async with running_bot(api, send_timeout=0.5) as bot:
        api.inject_fault("sendMessage", delay=1.5, times=None)  # Telegram carries it out, too late to say so
        message_id = api.send_text(7, QUESTION)
        await api.wait_for(lambda: [m for m in api.messages_to(7) if m.text == SOMETHING_WRONG], timeout=30)
        api.clear_faults()
        await asyncio.sleep(2)
    assert 1 <= len(api.replies_to(7, message_id)) <= 2
    assert len([m for m in api.messages_to(7) if m.text == SOMETHING_WRONG]) <= 2


@pytest.mark.asyncio
async def test_a_bot_api_down_at_start_is_one_warning_a_round_not_one_per_retry(api, caplog):
    import logging

    caplog.set_level(logging.DEBUG, logger="newsbot.telegram")
    api.inject_fault("getMe", status=502, times=3)  # down for the start's first tries, then up
    async with running_bot(api) as bot:
        replies = await bot.replies(7, api.send_text(7, QUESTION))
    assert best_passage(bot.service, QUESTION).text in replies[0].text
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and "getMe" in r.getMessage()]
    assert warned == []  # (the retries that got through are DEBUG lines; a whole failed round says "cannot reach")
    assert len([r for r in caplog.records if "getMe failed" in r.getMessage()]) == 3


@pytest.mark.asyncio
async def test_a_garbage_200_to_a_send_is_retried_and_the_answer_arrives_once(api, caplog):
    async with running_bot(api) as bot:
        api.inject_fault("sendMessage", garbage=True)
        message_id = api.send_text(7, QUESTION)
        replies = await bot.replies(7, message_id)
        await asyncio.sleep(0.3)
    assert len(api.replies_to(7, message_id)) == 1
    assert best_passage(bot.service, QUESTION).text in replies[0].text
    assert not [m for m in api.messages_to(7) if m.text == SOMETHING_WRONG]
    # the log says it is sent once more at most, not "retry 1 of 5"
    [retried] = [r.getMessage() for r in caplog.records if "sendMessage" in r.getMessage()]
    assert "may have reached Telegram" in retried and "once more at most" in retried and " of 5" not in retried


def test_sigterm_while_the_bot_api_is_unreachable_at_start_stops_within_10_s(tmp_path):
    warm(SEEDS, tmp_path)
    with ThreadedFakeBotApi() as api:
        api.inject_fault("getMe", delay=30, times=None)  # the connection opens but nothing ever answers
        process = start_bot(api, tmp_path)
        api.wait_for_sync(lambda: api.calls_of("getMe") or process.poll() is not None, timeout=30)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
            process.communicate()
        took = time.monotonic() - started
    assert code == 0 and took < 10


@pytest.mark.asyncio
async def test_a_button_with_data_the_bot_never_makes_is_answered(api):
    from bot.telegram.render import BUTTON_EXPIRED

    async with running_bot(api) as bot:
        answer = await bot.ask(7, QUESTION)
        note = await bot.note(api.press_button(answer, "x" * 64))
    assert note == BUTTON_EXPIRED


@pytest.mark.asyncio
async def test_answered_updates_are_confirmed_to_the_bot_api_when_the_bot_stops(api):
    async with running_bot(api) as bot:
        await bot.ask(7, QUESTION)
    assert api.pending_updates == 0, "the answered update was left unconfirmed at shutdown"
    confirming = api.calls_of("getUpdates")[-1]
    assert confirming.params.get("timeout") == "0" and confirming.status == 200  # made, not timed out
