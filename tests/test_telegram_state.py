"""Per-reader limits and per-chat state stay bounded and behave as a sliding minute."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.telegram.settings import TokenError, read_token
from bot.answers import Answer
from bot.telegram.state import AnswerButtons, ChatStates, QuestionLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_question_limit_is_a_sliding_minute_per_reader():
    clock = Clock()
    limiter = QuestionLimiter(per_minute=2, clock=clock)
    assert [limiter.allow(1), limiter.allow(1), limiter.allow(1)] == [True, True, False]
    assert limiter.allow(2)  # another reader has their own minute
    clock.now += 59.9
    assert not limiter.allow(1)
    clock.now += 0.2
    assert limiter.allow(1)


def test_no_question_limit_when_it_is_zero():
    limiter = QuestionLimiter(per_minute=0)
    assert all(limiter.allow(1) for _ in range(1000))


def test_the_limiter_forgets_the_least_recent_readers_past_its_bound():
    limiter = QuestionLimiter(per_minute=1, max_readers=3)
    for reader in range(10):
        limiter.allow(reader)
    assert len(limiter._asked) == 3


def test_chat_state_is_kept_per_chat_and_bounded(seed_service):
    chats = ChatStates(seed_service, max_chats=2)
    first = chats[1]
    assert chats[1] is first
    chats[2], chats[3]
    assert len(chats) == 2
    assert chats[1] is not first  # the least recently used chat was forgotten


def test_answer_buttons_keep_the_most_recently_used_answers_under_short_ids():
    buttons = AnswerButtons(size=2)
    first, second, third = (Answer(q, True) for q in ("one", "two", "three"))
    keys = [buttons.keep(first), buttons.keep(second)]
    assert all(len(f"context {key}".encode()) <= 64 for key in keys)  # fits Telegram's callback_data
    assert buttons.find(keys[0]) is first  # pressing it makes it the most recently used
    keys.append(buttons.keep(third))
    assert buttons.find(keys[1]) is None  # the least recently used was forgotten
    assert buttons.find(keys[0]) is first and buttons.find(keys[2]) is third
    assert buttons.find("never-made") is None


def test_answer_buttons_of_another_run_find_nothing():
    before_restart, after_restart = AnswerButtons(size=10), AnswerButtons(size=10)
    key = before_restart.keep(Answer("one", True))
    after_restart.keep(Answer("other", True))
    assert after_restart.find(key) is None


def test_a_token_file_wins_over_the_environment(tmp_path: Path):
    token_file = tmp_path / "token"
    token_file.write_text("42:" + "a" * 35 + "\n")
    assert read_token(token_file, {"TELEGRAM_BOT_TOKEN": "1:" + "b" * 35}) == "42:" + "a" * 35
    assert read_token(None, {"TELEGRAM_BOT_TOKEN": " 1:" + "b" * 35 + " "}) == "1:" + "b" * 35
    with pytest.raises(TokenError, match="no Telegram bot token"):
        read_token(None, {})
