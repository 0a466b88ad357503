"""The scripted follow-up conversations in the console (a real terminal) and in Telegram (the real
Application against the fake Bot API): the same readings and answers as through `newsbot ask -`."""

from __future__ import annotations

import re
import sys

import pytest

from .conftest import PYTHON, ROOT, cache_for, run_env, warm
from .conversations import CORPORA, INTERLEAVED, Script, Turn, misses
from .terminal import Terminal
from .test_telegram import api, running_bot  # noqa: F401 - the fake Bot API fixture

_REFUSALS = ("do not answer", "don't seem to cover", "may answer it", "no more matches", "No further match",
             "I don't know who", "Nothing else:")


def reading_of(text: str) -> str | None:
    found = re.search(r"Reading this as: (.*)", text)
    return found.group(1).strip() if found else None


def wrong(turn: Turn, text: str) -> list[str]:
    """What is wrong with the reply `text` (as a reader sees it) to `turn`."""
    answered = not any(refusal in text for refusal in _REFUSALS)
    return misses(turn, answered, text, reading_of(text))


# -- the console, in a pseudo-terminal (pyte shows the screen as a person sees it) ------------------------
class Console:
    """`newsbot console` on a real terminal, with colours and line editing on."""

    def __init__(self, folder, home):
        env = run_env(TERM="xterm-256color", HOME=str(home), XDG_STATE_HOME=str(home / "state"))
        env.pop("NO_COLOR", None)
        warm(folder, cache_for(folder))
        self.terminal = Terminal([PYTHON, "-m", "bot", "console", "--corpus", str(folder),
                                  "--cache-dir", str(cache_for(folder))], env, cwd=str(ROOT),
                                 columns=200, lines=80)
        self.terminal.wait_until(self.prompted, "the prompt", 60)

    def prompted(self) -> bool:
        return self.terminal.cursor_line() == "you> "

    def say(self, line: str) -> str:
        """Type a line; what the console showed after it, up to its next prompt, as running text."""
        self.terminal.screen.reset()  # the screen from here on is this line's reply alone
        self.terminal.type(line.encode() + b"\r")
        typed = f"you> {line}"
        self.terminal.wait_until(lambda: self.prompted() and typed in self.terminal.flow(), f"the reply to {line!r}", 60)
        return self.terminal.flow().rsplit(typed, 1)[1].rsplit("you>", 1)[0]

    def close(self) -> None:
        self.terminal.close()


@pytest.fixture(scope="module")
def consoles(tmp_path_factory):
    """One console per corpus for the module, started when a test first needs it (each script begins
    with `new`, so what one test said does not carry into the next)."""
    started: dict[str, Console] = {}

    def console(corpus: str) -> Console:
        if corpus not in started:
            started[corpus] = Console(CORPORA[corpus][0], tmp_path_factory.mktemp(f"home-{corpus}"))
        return started[corpus]

    yield console
    for terminal in started.values():
        terminal.close()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize("corpus", list(CORPORA))
def test_scripted_conversations_in_the_console(corpus, consoles):
    terminal = consoles(corpus)
    for script in CORPORA[corpus][1]:
        assert "Starting afresh" in terminal.say("new")
        for turn in script.turns:
            text = terminal.say(turn.question)
            assert not wrong(turn, text), (script.name, turn.question, text)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_new_in_the_console_reads_the_next_question_alone(consoles):
    terminal = consoles("seed")
    terminal.say("new")  # whatever an earlier test left, this starts from nothing
    assert "Reading this as" not in terminal.say("Who said Russia's goals have not been achieved?")
    assert "Reading this as: who is Maj Youssef Hamoud?" in terminal.say("who is he?")
    terminal.say("new")
    after = terminal.say("who is he?")
    assert "Reading this as" not in after and "I don't know who “he” is here" in after


# -- Telegram --------------------------------------------------------------------------------------------


async def talk(bot, chat_id: int, script: Script, user_id: int | None = None) -> None:
    for turn in script.turns:
        reply = await bot.ask(chat_id, turn.question, user_id=user_id)
        assert not wrong(turn, reply.text), (script.name, turn.question, reply.text)


@pytest.mark.asyncio
@pytest.mark.parametrize("corpus", list(CORPORA))
async def test_scripted_conversations_in_private_telegram_chats(api, corpus):  # noqa: F811
    folder, scripts = CORPORA[corpus]
    async with running_bot(api, corpus=folder) as bot:
        for chat_id, script in enumerate(scripts, start=100):
            await talk(bot, chat_id, script)


@pytest.mark.asyncio
async def test_two_readers_in_a_group_keep_their_own_threads(api):  # noqa: F811
    readers = {"a": 11, "b": 12}
    async with running_bot(api) as bot:
        for key, turn in INTERLEAVED:
            reply = await bot.ask(-300, f"/ask {turn.question}", user_id=readers[key])
            assert not wrong(turn, reply.text), (key, turn.question, reply.text)


@pytest.mark.asyncio
async def test_two_private_chats_interleaved_do_not_mix(api):  # noqa: F811
    chats = {"a": 21, "b": 22}
    async with running_bot(api) as bot:
        for key, turn in INTERLEAVED:
            reply = await bot.ask(chats[key], turn.question)
            assert not wrong(turn, reply.text), (key, turn.question, reply.text)


@pytest.mark.asyncio
async def test_a_reply_to_an_earlier_answer_leans_on_that_answer_not_the_last_one(api):  # noqa: F811
    async with running_bot(api) as bot:
        # another reader's answer in a group: reader 12 replies to reader 11's
        hamoud = await bot.ask(-300, "/ask Who said Russia's goals have not been achieved?", user_id=11)
        await bot.ask(-300, "/ask What did Lavrov say?", user_id=12)
        reply = await bot.ask(-300, "who is he?", user_id=12, reply_to=hamoud.message_id)
        assert reading_of(reply.text) == "who is Maj Youssef Hamoud?"
        # a private chat's older answer, after a newer one
        first = await bot.ask(7, "Who said Russia's goals have not been achieved?")
        await bot.ask(7, "What did Lavrov say?")
        assert reading_of((await bot.ask(7, "who is he?", reply_to=first.message_id)).text) == "who is Maj Youssef Hamoud?"
        assert reading_of((await bot.ask(7, "who is he?")).text) == "who is Maj Youssef Hamoud?"  # the thread moved on


@pytest.mark.asyncio
async def test_new_in_telegram_reads_the_next_question_alone(api):  # noqa: F811
    async with running_bot(api) as bot:
        await bot.ask(7, "Who said Russia's goals have not been achieved?")
        assert reading_of((await bot.ask(7, "who is he?")).text) == "who is Maj Youssef Hamoud?"
        assert "afresh" in (await bot.ask(7, "/new")).text
        after = await bot.ask(7, "who is he?")
        assert reading_of(after.text) is None and "I don't know who “he” is here" in after.text
