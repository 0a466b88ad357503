"""`newsbot telegram` as an operator runs it: token checks, a real subprocess, signals, webhook mode.

The checks that end before the bot starts run the command line in this process (tests/in_process.py);
the bot that answers and stops on a signal is a real process.
"""

from __future__ import annotations

import contextlib
import re
import signal
import socket
import subprocess
import time

import httpx
import pytest

from bot.service import AnsweringService
from tests import forked, in_process
from tests.conftest import PYTHON, ROOT, SEEDS, cache_for, run_env, warm
from tests.fake_bot_api import TEST_TOKEN, FakeBotApi, ThreadedFakeBotApi
from tests.test_telegram import QUESTION, best_passage, running_bot

SECRET_PART = TEST_TOKEN.split(":", 1)[1]


def newsbot(*args: str, token: str | None = TEST_TOKEN, **env: str) -> subprocess.Popen:
    environment = run_env(**env)
    environment.pop("TELEGRAM_BOT_TOKEN", None)
    if token is not None:
        environment["TELEGRAM_BOT_TOKEN"] = token
    return forked.Popen([PYTHON, "-m", "bot", "telegram", *args], cwd=ROOT, env=environment,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen, timeout: float = 30) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def checked(*args: str, token: str | None = TEST_TOKEN) -> tuple[int, str, str]:
    """`newsbot telegram ARGS` in this process: its exit code, stdout and stderr."""
    environment = run_env()
    environment.pop("TELEGRAM_BOT_TOKEN", None)
    if token is not None:
        environment["TELEGRAM_BOT_TOKEN"] = token
    result = in_process.newsbot("telegram", *args, env=environment, cwd=ROOT)
    return result.returncode, result.stdout, result.stderr


def test_a_missing_token_is_one_line_and_exit_code_2():
    code, out, err = checked(token=None)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "TELEGRAM_BOT_TOKEN" in err and "--token-file" in err


def test_a_malformed_token_is_one_line_exit_code_2_and_not_echoed():
    code, out, err = checked(token="12345:too-short-secret-value")
    assert code == 2
    assert err.count("\n") == 1 and "malformed" in err
    assert "too-short-secret-value" not in err + out


def test_a_token_file_is_read_and_checked(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("not a token at all: hunter2\n")
    code, _, err = checked("--token-file", str(token_file), token=None)
    assert code == 2 and "malformed" in err and "hunter2" not in err
    code, _, err = checked("--token-file", str(tmp_path / "missing"), token=None)
    assert code == 2 and err.count("\n") == 1 and "cannot read the token file" in err


def test_a_token_the_server_refuses_is_one_error_line_and_exit_code_2():
    with ThreadedFakeBotApi(FakeBotApi(token="999:another-token-the-server-expects-000000")) as api:
        code, out, err = checked("--api-url", api.base_url)
    assert code == 2
    assert "refused the token" in err.strip().splitlines()[-1]
    assert SECRET_PART not in out + err


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_the_bot_answers_then_stops_cleanly_on_a_signal_without_ever_printing_the_token(stop_signal):
    warm(SEEDS)
    with ThreadedFakeBotApi() as api:
        # --verbose: even debug logging, where python-telegram-bot writes request URLs, hides the token.
        process = newsbot("--api-url", api.base_url, "--verbose")
        try:
            api.wait_for_sync(lambda: api.calls_of("getUpdates") or process.poll() is not None, timeout=30)
            assert process.poll() is None
            message_id = api.send_text(7, QUESTION)
            reply = api.wait_for_sync(lambda: api.replies_to(7, message_id))[0]
            process.send_signal(stop_signal)
            started = time.monotonic()
            code, out, err = finished(process, timeout=10)
            took = time.monotonic() - started
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert best_passage(AnsweringService.open(SEEDS), QUESTION).text in reply.text
    assert code == 0 and took < 10
    assert "stopping" in err
    # the long poll in flight at the signal ends with the bot, not as "Task exception was never retrieved"
    assert "Traceback" not in err and "never retrieved" not in err
    assert TEST_TOKEN not in out + err and SECRET_PART not in out + err
    assert "<redacted>" in err  # there was something to hide, and it was hidden


# -- webhook mode ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.asyncio
async def test_webhook_mode_registers_the_url_and_secret_and_answers_pushed_updates():
    api = await FakeBotApi().start()
    port = free_port()
    try:
        async with running_bot(api, webhook_url="https://bot.example.org/newsbot/hook", listen="127.0.0.1",
                               port=port, webhook_secret="s3cret-value") as bot:
            api.webhook_delivery_url = f"http://127.0.0.1:{port}/newsbot/hook"
            reply = await bot.ask(7, QUESTION)
            async with httpx.AsyncClient() as client:
                forged = await client.post(api.webhook_delivery_url, json={"update_id": 99999},
                                           headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
        assert api.webhook_url == "https://bot.example.org/newsbot/hook"
        assert api.webhook_secret == "s3cret-value"
        assert best_passage(bot.service, QUESTION).text in reply.text
        assert forged.status_code == 403
        assert not api.calls_of("getUpdates")
    finally:
        await api.stop()


def test_webhook_url_must_be_https():
    code, _, err = checked("--webhook-url", "http://bot.example.org/hook")
    assert code == 2 and "https://" in err


def test_api_url_must_be_http(tmp_path):
    code, _, err = checked("--api-url", "ftp://127.0.0.1/bot")
    assert code == 2 and "--api-url" in err




@contextlib.asynccontextmanager
async def reader_endpoints():
    """The README's by-hand setup: the fake Bot API, the bot polling it, and an HTTP client for its
    `/_fake/` endpoints; yields (api, bot, client, the endpoints' base URL)."""
    api = await FakeBotApi().start()
    try:
        async with running_bot(api) as bot:
            async with httpx.AsyncClient() as client:
                yield api, bot, client, f"http://127.0.0.1:{api.port}/_fake"
    finally:
        await api.stop()


@pytest.mark.asyncio
async def test_the_readme_reader_endpoint_prints_the_reply_as_a_reader_sees_it():
    async with reader_endpoints() as (api, bot, client, base):
        response = await client.post(f"{base}/say", json={"text": QUESTION})
        expected = best_passage(bot.service, QUESTION)
    assert response.status_code == 200
    assert response.text.startswith(f"{expected.text}\n— “{expected.article.title}”")


@pytest.mark.asyncio
async def test_the_readme_reader_endpoints_show_the_buttons_and_press_them():
    async with reader_endpoints() as (api, _, client, base):
        said = await client.post(f"{base}/say", json={"text": QUESTION})
        more = await client.post(f"{base}/press", json={"button": "more"})
        answer = [m for m in api.messages_to(1) if m.buttons][0]
        context = await client.post(f"{base}/press", json={"button": "Context", "message_id": answer.message_id})
        missing = await client.post(f"{base}/press", json={"button": "Share"})
        sent = api.messages_to(1)
    assert said.status_code == 200 and f"(message {answer.message_id}: buttons [More] [Context])" in said.text
    # the press sent one new message, the next match, with buttons of its own
    assert more.status_code == 200 and more.text.count("(message ") == 1
    shown = re.search(r"\(message (\d+): buttons \[More\] \[Context\]\)", more.text)
    assert shown and int(shown.group(1)) > answer.message_id
    assert more.text.split("\n")[1] not in said.text
    assert context.status_code == 200 and context.text.strip() == sent[-1].text + f"\n(message {sent[-1].message_id})"
    assert missing.status_code == 404 and "it has: More, Context" in missing.text


@pytest.mark.asyncio
async def test_a_press_the_bot_answers_with_a_note_shows_the_note():
    """After a restart an old answer's buttons are forgotten: the bot's popup is what the reader sees."""
    import dataclasses

    async with reader_endpoints() as (api, _, client, base):
        await client.post(f"{base}/say", json={"text": QUESTION})
        answer = [m for m in api.messages_to(1) if m.buttons][0]
        forgotten = {"inline_keyboard": [[{"text": "More", "callback_data": "more 0ldrun1"}]]}
        api.messages.append(dataclasses.replace(answer, message_id=answer.message_id + 100, reply_markup=forgotten))
        pressed = await client.post(f"{base}/press", json={"button": "More", "message_id": answer.message_id + 100})
    assert pressed.status_code == 200
    assert pressed.text == "(the bot answered the press with a note: That answer is too old for its buttons; please ask again.)\n"


@pytest.mark.asyncio
async def test_the_readme_reader_endpoint_speaks_for_a_reader_in_a_group_and_replies_to_the_bot():
    async with reader_endpoints() as (api, _, client, base):
        say = f"{base}/say"
        ignored = await client.post(say, json={"chat_id": -100, "user_id": 5, "text": QUESTION, "timeout": 1})
        mentioned = await client.post(say, json={"chat_id": -100, "user_id": 5, "text": f"@{api.bot_username} {QUESTION}"})
        answer = api.messages_to(-100)[-1]
        replied = await client.post(say, json={"chat_id": -100, "user_id": 6, "reply_to": answer.message_id,
                                               "text": QUESTION})
        bad = await client.post(say, json={"chat_id": -100, "user_id": "five", "text": QUESTION})
    assert ignored.status_code == 504  # in a group the bot answers only a mention, a command or a reply
    assert mentioned.status_code == 200 and replied.status_code == 200 and bad.status_code == 400


def test_files_are_asked_of_the_same_bot_api_server_not_telegrams():
    from bot.telegram.app import build_application
    from bot.telegram.settings import TelegramSettings

    service = AnsweringService.open(SEEDS, cache_for(None))
    local = build_application(service, TelegramSettings(token=TEST_TOKEN, api_url="http://127.0.0.1:8081/bot"))
    public = build_application(service, TelegramSettings(token=TEST_TOKEN))
    assert local.bot.base_file_url == f"http://127.0.0.1:8081/file/bot{TEST_TOKEN}"
    assert public.bot.base_file_url == f"https://api.telegram.org/file/bot{TEST_TOKEN}"
    placed = build_application(service, TelegramSettings(token=TEST_TOKEN, api_url="http://127.0.0.1:8081/bot{token}/x"))
    assert placed.bot.base_file_url == f"http://127.0.0.1:8081/file/bot{TEST_TOKEN}/x"


@pytest.mark.parametrize("verbose", [False, True])
def test_a_reply_that_is_not_json_is_left_to_newsbots_own_warning_not_a_library_traceback(capsys, verbose):
    import logging

    from bot.telegram.cli import configure_logging
    from bot.telegram.settings import TelegramSettings

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(TelegramSettings(token=TEST_TOKEN), logging.DEBUG if verbose else logging.INFO)
        try:
            raise ValueError("Expecting value: line 1 column 1 (char 0)")
        except ValueError:
            logging.getLogger("telegram.request.BaseRequest").exception('Can not load invalid JSON data: "<html>"')
        logging.getLogger("telegram.request.BaseRequest").error("Another request problem")
    finally:
        root.handlers[:], _ = saved[0], root.setLevel(saved[1])
        logging.captureWarnings(False)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Another request problem" in err
    assert ("Can not load invalid JSON data" in err) is verbose and len(err.splitlines()) == (2 if verbose else 1)
