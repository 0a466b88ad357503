"""A small Bot API server on loopback that behaves like Telegram for the methods newsbot uses.

The real python-telegram-bot ``Application`` talks HTTP to it through ``base_url``
(``http://127.0.0.1:PORT/bot``), so tests exercise the same code paths as production.

What it imitates, because the bot must cope with it:

- ``getUpdates`` with offsets and long polling; updates are confirmed by the next offset.
- ``sendMessage`` / ``editMessageText`` parse ``parse_mode=HTML`` strictly, the way Telegram
  does: an unknown tag, an unclosed or mismatched tag, or a bare ``<``, ``>`` or ``&`` is refused
  with ``400 Bad Request: can't parse entities: ...``; a text longer than 4,096 UTF-16 code
  units after parsing is refused with ``400 Bad Request: message is too long``.
- Faults to inject per method (``inject_fault``): ``429`` with ``retry_after``, any HTTP status
  such as ``502``, a connection dropped before any answer is written, a ``200`` whose body is not
  the Bot API's JSON, and a delay before the call is handled (a slow or timing-out Telegram).
- A wrong token is answered ``401 Unauthorized``; an unknown method ``404 Not Found``.

HTTP itself (keep-alive, chunked and multipart bodies) is ``aiohttp.web``'s. Use the server in the
test's own event loop (``await api.start()``), or in a background thread (``ThreadedFakeBotApi``)
when the bot runs in another process. Run it by hand with ``python tests/fake_bot_api.py --port
8081`` to try the bot without Telegram; ``POST /_fake/say`` then plays a reader (see ``main``).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import itertools
import json
import os
import re
import signal
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

import aiohttp
from aiohttp import web

try:
    from tests.telegram_html import ParseEntitiesError, parse_html, reader_entities, utf16_length
except ModuleNotFoundError:  # run as a script: python tests/fake_bot_api.py
    from telegram_html import ParseEntitiesError, parse_html, reader_entities, utf16_length

__all__ = ["FakeBotApi", "ThreadedFakeBotApi", "SentMessage", "Call", "Fault", "ParseEntitiesError", "parse_html",
           "utf16_length", "MAX_MESSAGE_LENGTH", "TEST_TOKEN", "GARBAGE_BODY"]

MAX_MESSAGE_LENGTH = 4096
TEST_TOKEN = "123456789:fake-token-for-tests-0123456789abcdef"

# What a ``garbage`` fault answers with ``200 OK``: a proxy's error page, not the Bot API's JSON.
GARBAGE_BODY = "<html><head><title>Service Unavailable</title></head><body>try again later</body></html>"


@dataclasses.dataclass
class Fault:
    """One injected failure of one call of ``method``, after waiting ``delay`` seconds.

    ``kind`` is ``"status"`` (answer ``status``, with ``retry_after`` for a 429), ``"drop"`` (close
    the connection without answering; the call is not processed), ``"garbage"`` (answer ``200 OK``
    with ``GARBAGE_BODY``; not processed) or ``"slow"`` (only the delay: then the call is processed
    and answered as usual, even if the bot stopped waiting, as Telegram would).
    """

    method: str
    kind: str
    status: int = 500
    description: str = ""
    retry_after: int | None = None
    delay: float = 0.0


@dataclasses.dataclass

@dataclasses.dataclass
class SentMessage:
    """A message the bot sent (or later edited), as the fake server stored it."""

    message_id: int
    chat_id: int
    markup: str  # the text as the bot sent it
    text: str  # the visible text after parsing
    entities: list[dict[str, Any]]
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    reply_to_message_id: int | None
    sent_at: float
    edited: bool = False

    @property
    def bold(self) -> list[str]:
        return [entity["text"] for entity in self.entities if entity["type"] == "bold"]

    @property
    def italic(self) -> list[str]:
        return [entity["text"] for entity in self.entities if entity["type"] == "italic"]

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback data) of every inline button."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(button["text"], button.get("callback_data", "")) for row in rows for button in row]



@dataclasses.dataclass
class Call:
    """One Bot API request: recorded when it arrives, ``status`` set once answered (0: dropped).

    ``fault`` is the kind of injected fault that answered it, None for a real answer.
    """

    method: str
    params: dict[str, Any]
    status: int | None
    at: float
    fault: str | None = None


class FakeBotApi:
    """State and HTTP front of the fake Bot API. Thread-safe: tests may drive it from any thread."""

    def __init__(self, token: str = TEST_TOKEN, bot_username: str = "newsbot_test_bot", bot_id: int | None = None):
        self.token = token
        self.bot_username = bot_username
        self.bot_id = bot_id if bot_id is not None else int(token.split(":", 1)[0])
        self.calls: list[Call] = []
        self.messages: list[SentMessage] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.commands: list[dict[str, str]] | None = None
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        # Where to push updates while a webhook is set: the bot's plain-HTTP listener behind the
        # HTTPS URL it registered (Telegram itself would call that URL). None: hold them for getUpdates.
        self.webhook_delivery_url: str | None = None
        self.webhook_deliveries: list[tuple[int, int]] = []  # (update id, HTTP status)
        self.injected_at: dict[tuple[int, int], float] = {}  # (chat id, message id) -> time
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._open_callbacks: set[str] = set()
        self._chats: dict[int, dict[str, Any]] = {}
        self._faults: list[Fault] = []
        self._lasting_faults: list[Fault] = []  # injected with times=None: until clear_faults()
        self._lock = threading.RLock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._new_update: asyncio.Event | None = None
        self._closing = False
        self._deliveries: set[asyncio.Future] = set()
        self.port = 0

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeBotApi:
        self._loop = asyncio.get_running_loop()
        self._new_update = asyncio.Event()
        self._closing = False
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method:[A-Za-z]+}", self._bot_api)
        app.router.add_route("*", "/_fake/{name}", self._control)
        app.router.add_route("*", "/{anything:.*}", _not_found)
        app.on_shutdown.append(self._end_long_polls)
        # No access log: request paths hold the token. A handler still running one second into
        # stop() (an injected delay) is cancelled.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, backlog=1024)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            self._runner = None
            raise
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            for delivery in list(self._deliveries):
                delivery.cancel()
            await self._runner.cleanup()
            self._runner = None

    async def _end_long_polls(self, app: web.Application) -> None:
        self._closing = True
        if self._new_update is not None:
            self._new_update.set()

    @property
    def base_url(self) -> str:
        """What python-telegram-bot takes as ``base_url`` (and newsbot as ``--api-url``)."""
        return f"http://127.0.0.1:{self.port}/bot"

    # --- playing readers ------------------------------------------------------------------

    def private_chat(self, user_id: int, first_name: str = "Reader") -> dict[str, Any]:
        chat = {"id": user_id, "type": "private", "first_name": first_name}
        self._chats[user_id] = chat
        return chat

    def group_chat(self, chat_id: int, title: str = "Newsroom") -> dict[str, Any]:
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = {"id": chat_id, "type": "supergroup", "title": title}
        self._chats[chat_id] = chat
        return chat

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        reply_to: int | None = None,
    ) -> int:
        """A reader writes ``text`` in ``chat_id``; returns the new message's id.

        Commands at the start and ``@mentions`` get their entities as Telegram would add them.
        ``reply_to`` is the id of a message (the bot's, usually) that this one answers.
        """
        user_id = user_id if user_id is not None else abs(chat_id)
        with self._lock:
            chat = self._chats.get(chat_id) or (
                self.private_chat(chat_id) if chat_id > 0 else self.group_chat(chat_id)
            )
            message_id = next(self._message_ids)
            message: dict[str, Any] = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": chat,
                "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
                "text": text,
            }
            entities = reader_entities(text)
            if entities:
                message["entities"] = entities
            if reply_to is not None:
                replied = self._find_message(chat_id, reply_to)
                message["reply_to_message"] = replied or {
                    "message_id": reply_to,
                    "date": int(time.time()),
                    "chat": chat,
                    "text": "",
                }
            self.injected_at[(chat_id, message_id)] = time.monotonic()
            self._push_update({"message": message})
        return message_id

    def press_button(self, message: SentMessage, data: str, *, user_id: int | None = None) -> str:
        """A reader presses the inline button carrying ``data`` under ``message``; returns the query id."""
        user_id = user_id if user_id is not None else abs(message.chat_id)
        with self._lock:
            query_id = str(next(self._callback_ids))
            self._open_callbacks.add(query_id)
            self._push_update(
                {
                    "callback_query": {
                        "id": query_id,
                        "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
                        "message": self._message_json(message),
                        "chat_instance": str(message.chat_id),
                        "data": data,
                    }
                }
            )
        return query_id

    def inject_fault(
        self,
        method: str,
        *,
        status: int | None = None,
        retry_after: int | None = None,
        drop: bool = False,
        garbage: bool = False,
        delay: float = 0.0,
        description: str = "",
        times: int | None = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (see ``Fault``); ``times=None``: every call.

        ``retry_after`` answers 429 with it; ``status`` (500 when nothing else is asked) answers that
        status; ``drop`` closes the connection unanswered; ``garbage`` answers 200 with a body that is
        not JSON. ``delay`` waits that many seconds first; alone, it only slows the call down.
        Faults of one method are used in the order injected; lasting ones after the counted ones.
        """
        if retry_after is not None:
            kind, status = "status", 429
            description = description or f"Too Many Requests: retry after {retry_after}"
        elif drop:
            kind = "drop"
        elif garbage:
            kind = "garbage"
        elif status is None and delay > 0:
            kind = "slow"
        else:
            kind, status = "status", status or 500
        status = status or 200
        description = description or {502: "Bad Gateway", 500: "Internal Server Error"}.get(status, "Error")
        fault = Fault(method, kind, status, description, retry_after, delay)
        with self._lock:
            if times is None:
                self._lasting_faults.append(fault)
            else:
                self._faults.extend(dataclasses.replace(fault) for _ in range(times))

    def clear_faults(self, method: str | None = None) -> None:
        """Forget the injected faults not yet used, of ``method`` or of every method."""
        with self._lock:
            for faults in (self._faults, self._lasting_faults):
                faults[:] = [f for f in faults if method is not None and f.method.lower() != method.lower()]

    def _take_fault(self, method: str) -> Fault | None:
        with self._lock:
            fault = next((f for f in self._faults if f.method.lower() == method.lower()), None)
            if fault is not None:
                self._faults.remove(fault)
                return fault
            return next((f for f in self._lasting_faults if f.method.lower() == method.lower()), None)

    # --- looking at what the bot did --------------------------------------------------------

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        with self._lock:
            return [message for message in self.messages if message.chat_id == chat_id]

    def replies_to(self, chat_id: int, message_id: int) -> list[SentMessage]:
        with self._lock:
            return [
                message
                for message in self.messages
                if message.chat_id == chat_id and message.reply_to_message_id == message_id
            ]

    def calls_of(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    @property
    def pending_updates(self) -> int:
        with self._lock:
            return len(self._updates)

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait (without blocking the event loop) until ``condition()`` is truthy, and return it."""
        deadline = time.monotonic() + timeout
        while (result := self._check(condition, deadline, timeout)) is None:
            await asyncio.sleep(0.01)
        return result

    def wait_for_sync(self, condition: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Like ``wait_for`` for a caller that is not in an event loop (server in a thread)."""
        deadline = time.monotonic() + timeout
        while (result := self._check(condition, deadline, timeout)) is None:
            time.sleep(0.01)
        return result

    def _check(self, condition: Callable[[], Any], deadline: float, timeout: float) -> Any:
        """``condition()`` when truthy, None to go on waiting; TimeoutError past the deadline."""
        with self._lock:
            result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        return None


    # --- the Bot API --------------------------------------------------------------------------

    def _push_update(self, body: dict[str, Any]) -> None:
        body["update_id"] = next(self._update_ids)
        if self.webhook_url and self.webhook_delivery_url:
            assert self._loop is not None
            delivery = asyncio.run_coroutine_threadsafe(self._deliver(body), self._loop)
            self._deliveries.add(delivery)
            delivery.add_done_callback(self._deliveries.discard)
            return
        self._updates.append(body)
        self._wake_pollers()

    async def _deliver(self, update: dict[str, Any]) -> None:
        """Push one update to the bot's webhook as Telegram does, retrying while it is not listening."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret} if self.webhook_secret else {}
        async with aiohttp.ClientSession() as session:
            for _ in range(50):
                try:
                    async with session.post(self.webhook_delivery_url, json=update, headers=headers) as response:
                        status = response.status
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
                    continue
                with self._lock:
                    self.webhook_deliveries.append((update["update_id"], status))
                return

    def _wake_pollers(self) -> None:
        if self._loop is None or self._new_update is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._new_update.set()
        else:
            self._loop.call_soon_threadsafe(self._new_update.set)

    def _find_message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        for message in reversed(self.messages):
            if message.chat_id == chat_id and message.message_id == message_id:
                return self._message_json(message)
        return None

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Newsbot",
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _message_json(self, message: SentMessage) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": self._chats.get(message.chat_id) or {"id": message.chat_id, "type": "private"},
            "from": self._bot_user(),
            "text": message.text,
        }
        visible_entities = [
            {key: value for key, value in entity.items() if key != "text"} for entity in message.entities
        ]
        if visible_entities:
            body["entities"] = visible_entities
        if message.reply_markup:
            body["reply_markup"] = message.reply_markup
        if message.edited:
            body["edit_date"] = int(time.time())
        return body

    async def _get_updates(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.webhook_url:
            return _error(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if offset:
                    self._updates = [update for update in self._updates if update["update_id"] >= offset]
                ready = self._updates[:limit]
                if ready or self._closing or time.monotonic() >= deadline:
                    return 200, {"ok": True, "result": ready}
                assert self._new_update is not None
                self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                pass

    def _send_message(self, params: dict[str, Any], *, edit: bool = False) -> tuple[int, dict[str, Any]]:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, ValueError):
            return _error(400, "Bad Request: chat not found")
        markup = params.get("text")
        if not isinstance(markup, str) or not markup.strip():
            return _error(400, "Bad Request: message text is empty")
        parse_mode = params.get("parse_mode")
        if parse_mode is not None and parse_mode.lower() not in ("html", ""):
            return _error(400, f"Bad Request: unsupported parse_mode {parse_mode!r} in this fake")
        if parse_mode and parse_mode.lower() == "html":
            try:
                text, entities = parse_html(markup)
            except ParseEntitiesError as error:
                return _error(400, f"Bad Request: can't parse entities: {error}")
        else:
            text, entities = markup, []
        if not text.strip():
            return _error(400, "Bad Request: message text is empty")
        if utf16_length(text) > MAX_MESSAGE_LENGTH:
            return _error(400, "Bad Request: message is too long")
        reply_markup = params.get("reply_markup")
        if isinstance(reply_markup, str):
            reply_markup = json.loads(reply_markup)
        if reply_markup is not None:
            problem = _check_reply_markup(reply_markup)
            if problem:
                return _error(400, f"Bad Request: {problem}")
        with self._lock:
            if edit:
                message_id = int(params.get("message_id") or 0)
                for index, old in enumerate(self.messages):
                    if old.chat_id == chat_id and old.message_id == message_id:
                        break
                else:
                    return _error(400, "Bad Request: message to edit not found")
                if old.markup == markup and old.reply_markup == reply_markup:
                    return _error(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
                message = dataclasses.replace(
                    old, markup=markup, text=text, entities=entities, reply_markup=reply_markup,
                    parse_mode=parse_mode, edited=True,
                )
                self.messages[index] = message
            else:
                reply_to = None
                reply_parameters = params.get("reply_parameters")
                if isinstance(reply_parameters, str):
                    reply_parameters = json.loads(reply_parameters)
                if reply_parameters:
                    reply_to = int(reply_parameters["message_id"])
                elif params.get("reply_to_message_id"):
                    reply_to = int(params["reply_to_message_id"])
                message = SentMessage(
                    message_id=next(self._message_ids),
                    chat_id=chat_id,
                    markup=markup,
                    text=text,
                    entities=entities,
                    parse_mode=parse_mode,
                    reply_markup=reply_markup,
                    reply_to_message_id=reply_to,
                    sent_at=time.monotonic(),
                )
                self.messages.append(message)
            return 200, {"ok": True, "result": self._message_json(message)}

    def _answer_callback_query(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        query_id = str(params.get("callback_query_id", ""))
        with self._lock:
            if query_id not in self._open_callbacks:
                return _error(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
            self._open_callbacks.discard(query_id)
            self.callback_answers.append(params)
        return 200, {"ok": True, "result": True}

    def _set_my_commands(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        commands = params.get("commands")
        if isinstance(commands, str):
            commands = json.loads(commands)
        if not isinstance(commands, list) or len(commands) > 100:
            return _error(400, "Bad Request: commands must be a list of at most 100 commands")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                return _error(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                return _error(400, "Bad Request: command description is empty or too long")
        with self._lock:
            self.commands = commands
        return 200, {"ok": True, "result": True}

    async def _dispatch(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        name = method.lower()
        if name == "getme":
            return 200, {"ok": True, "result": self._bot_user()}
        if name == "getupdates":
            return await self._get_updates(params)
        if name == "sendmessage":
            return self._send_message(params)
        if name == "editmessagetext":
            return self._send_message(params, edit=True)
        if name == "sendchataction":
            with self._lock:
                self.chat_actions.append((int(params["chat_id"]), str(params.get("action"))))
            return 200, {"ok": True, "result": True}
        if name == "answercallbackquery":
            return self._answer_callback_query(params)
        if name == "setmycommands":
            return self._set_my_commands(params)
        if name == "getmycommands":
            return 200, {"ok": True, "result": self.commands or []}
        if name == "deletemycommands":
            self.commands = None
            return 200, {"ok": True, "result": True}
        if name == "deletewebhook":
            with self._lock:
                self.webhook_url = ""
                if str(params.get("drop_pending_updates", "")).lower() == "true":
                    self._updates.clear()
            return 200, {"ok": True, "result": True}
        if name == "setwebhook":
            url = str(params.get("url", ""))
            if url and not url.startswith("https://"):
                return _error(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
            with self._lock:
                self.webhook_url = url
                self.webhook_secret = params.get("secret_token")
            return 200, {"ok": True, "result": True}
        if name == "getwebhookinfo":
            return 200, {"ok": True, "result": {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": self.pending_updates}}
        if name in ("close", "logout"):
            return 200, {"ok": True, "result": True}
        return _error(404, "Not Found: method not found")


    # --- HTTP -----------------------------------------------------------------------------

    async def _bot_api(self, request: web.Request) -> web.StreamResponse:
        token, method = request.match_info["token"], request.match_info["method"]
        try:
            params: dict[str, Any] | None = await _request_params(request)
        except ValueError:
            params = None
        call = self._record(method, params or {})
        if token != self.token:
            call.status, payload = _error(401, "Unauthorized")
            return web.json_response(payload, status=call.status)
        if params is None:
            call.status, payload = _error(400, "Bad Request: can't parse the request parameters")
            return web.json_response(payload, status=call.status)
        fault = self._take_fault(method)
        if fault is not None:
            call.fault = fault.kind
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.kind == "drop":
                call.status = 0
                if request.transport is not None:
                    request.transport.abort()
                return web.Response()  # never written: the connection is gone
            if fault.kind == "garbage":
                call.status = 200
                return web.Response(text=GARBAGE_BODY, content_type="text/html")
            if fault.kind == "status":
                call.status, payload = _error(fault.status, fault.description, retry_after=fault.retry_after)
                return web.json_response(payload, status=call.status)
        call.status, payload = await self._dispatch(method, params)
        return web.json_response(payload, status=call.status)

    def _record(self, method: str, params: dict[str, Any]) -> Call:
        call = Call(method, params, None, time.monotonic())
        with self._lock:
            self.calls.append(call)
        return call

    async def _control(self, request: web.Request) -> web.StreamResponse:
        """A reader's side for trying the bot by hand: ``/_fake/say``, ``/_fake/press``, ``/_fake/messages``,
        ``/_fake/fault``."""
        name = request.match_info["name"]
        if name == "messages":
            with self._lock:
                return web.json_response({"ok": True, "messages": [dataclasses.asdict(m) for m in self.messages]})
        if name not in ("say", "press", "fault"):
            return _not_found_json()
        try:  # the body is JSON whatever the Content-Type (``curl -d`` says it is a form)
            asked = json.loads(await request.read() or b"{}")
            if not isinstance(asked, dict):
                raise ValueError("not an object")
        except ValueError:
            return web.Response(status=400, text="The body must be a JSON object.\n")
        if name == "fault":
            options = dict(asked)
            method = str(options.pop("method", "sendMessage"))
            try:
                self.inject_fault(method, **options)
            except (TypeError, ValueError) as error:
                return web.Response(status=400, text=f"Cannot inject that fault: {error}\n")
            return web.Response(text="Injected.\n")
        chat_id, timeout = int(asked.get("chat_id", 1)), float(asked.get("timeout", 10))
        if name == "press":
            return await self._press(chat_id, asked, timeout)
        try:  # a reader in a group ("user_id"), answering one of the bot's messages ("reply_to")
            who = {key: int(asked[key]) for key in ("user_id", "reply_to") if asked.get(key) is not None}
        except (TypeError, ValueError):
            return web.Response(status=400, text="user_id and reply_to must be whole numbers.\n")
        message_id = self.send_text(chat_id, str(asked.get("text", "")), **who)
        try:
            replies = await self.wait_for(lambda: self.replies_to(chat_id, message_id), timeout)
        except TimeoutError:
            return web.Response(status=504, text="The bot did not answer within the timeout.\n")
        return web.Response(text="\n\n".join(map(_as_seen, replies)) + "\n")

    async def _press(self, chat_id: int, asked: dict[str, Any], timeout: float) -> web.Response:
        """``/_fake/press``: the reader presses the button labelled ``"button"`` (any case) under the
        message ``"message_id"`` (by default the bot's latest in the chat that has one); the messages the
        bot sends or edits in reply, as ``say`` prints them."""
        label = str(asked.get("button", "")).casefold()
        with self._lock:
            under = [m for m in self.messages if m.chat_id == chat_id and m.buttons
                     and ("message_id" not in asked or m.message_id == asked["message_id"])]
            known = {(m.message_id, m.text) for m in self.messages if m.chat_id == chat_id}
        if not under:
            return web.Response(status=404, text="No message with buttons there.\n")
        message = under[-1]
        data = [d for text, d in message.buttons if text.casefold() == label or (label and text.casefold().startswith(label))]
        if not data:
            labels = ", ".join(text for text, _ in message.buttons)
            return web.Response(status=404, text=f"Message {message.message_id} has no such button; it has: {labels}.\n")
        query_id = self.press_button(message, data[0])
        try:
            await self.wait_for(lambda: query_id not in self._open_callbacks, timeout)
        except TimeoutError:
            return web.Response(status=504, text="The bot did not answer the press within the timeout.\n")
        await asyncio.sleep(0.3)  # what it sends just after answering the press
        with self._lock:
            sent = [m for m in self.messages if m.chat_id == chat_id and (m.message_id, m.text) not in known]
            popup = next((str(a.get("text")) for a in self.callback_answers
                          if str(a.get("callback_query_id")) == query_id and a.get("text")), None)
        shown = [f"(the bot answered the press with a note: {popup})"] if popup else []
        shown += map(_as_seen, sent)
        return web.Response(text="\n\n".join(shown) + "\n" if shown else "(nothing new: the bot only answered the press)\n")


class ThreadedFakeBotApi:
    """Runs a ``FakeBotApi`` in its own thread and event loop, for bots in another process."""

    def __init__(self, api: FakeBotApi | None = None, host: str = "127.0.0.1", port: int = 0):
        self.api = api or FakeBotApi()
        self._host, self._port = host, port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-bot-api", daemon=True)

    def __enter__(self) -> FakeBotApi:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.api.start(self._host, self._port), self._loop).result(10)
        return self.api

    def __exit__(self, *exc_info: object) -> None:
        asyncio.run_coroutine_threadsafe(self.api.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


def _as_seen(message: SentMessage) -> str:
    """A message as a reader sees it, with its message id and the labels of its buttons."""
    buttons = "".join(f" [{text}]" for text, _ in message.buttons)
    return f"{message.text}\n(message {message.message_id}{': buttons' + buttons if buttons else ''})"


async def _not_found(request: web.Request) -> web.Response:
    return _not_found_json()


def _not_found_json() -> web.Response:
    return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)


def _error(status: int, description: str, *, retry_after: int | None = None) -> tuple[int, dict[str, Any]]:
    payload: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        payload["parameters"] = {"retry_after": retry_after}
    return status, payload


def _check_reply_markup(markup: Any) -> str | None:
    keyboard = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if keyboard is None:
        return None
    for row in keyboard:
        for button in row:
            if not button.get("text"):
                return "BUTTON_TEXT_EMPTY"
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                return "BUTTON_DATA_INVALID"
    return None



async def _request_params(request: web.Request) -> dict[str, Any]:
    """The call's parameters from the query string and the body: JSON, a form, or multipart fields.

    Raises ValueError for a body that does not parse. Uploaded files are left out.
    """
    params: dict[str, Any] = dict(request.query)
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        body = json.loads(await request.read())
        if not isinstance(body, dict):
            raise ValueError("a JSON body must be an object")
        params.update(body)
    elif request.content_type == "application/x-www-form-urlencoded":  # the common case: parse_qsl is quicker
        try:
            params.update(urllib.parse.parse_qsl((await request.read()).decode(), keep_blank_values=True))
        except UnicodeDecodeError as error:
            raise ValueError(str(error)) from None
    elif request.content_type == "multipart/form-data":
        try:
            form = await request.post()
        except (aiohttp.web.HTTPException, aiohttp.ClientError, UnicodeDecodeError) as error:
            raise ValueError(str(error)) from None
        params.update((name, value) for name, value in form.items() if isinstance(value, str))
    return params


def main(argv: Iterable[str] | None = None) -> None:
    """Serve the fake Bot API until interrupted, to try ``newsbot telegram --api-url`` by hand.

    Then play a reader: ``curl -s -d '{"text": "who denied the strikes?"}' http://127.0.0.1:PORT/_fake/say``
    prints the bot's reply as a reader sees it (``"chat_id"`` picks the chat; negative ids are
    groups, where ``"user_id"`` picks the reader and ``"reply_to"`` a message of the bot's to answer),
    with its message id and buttons; ``/_fake/press`` with ``{"button": "More"}`` (and
    ``"message_id"``, else the latest message with buttons) presses one; ``/_fake/messages`` lists
    everything the bot sent, as JSON; ``/_fake/fault`` takes ``inject_fault``'s arguments as JSON,
    e.g. ``{"method": "sendMessage", "delay": 3}``.
    """
    parser = argparse.ArgumentParser(description=main.__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=TEST_TOKEN, help="the token the bot must present")
    args = parser.parse_args(list(argv) if argv is not None else None)

    async def serve() -> None:
        stop = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
        api = await FakeBotApi(token=args.token).start(args.host, args.port)
        print(f"fake Bot API on {api.base_url} (newsbot telegram --api-url {api.base_url})", flush=True)
        await stop.wait()
        await api.stop()

    try:
        asyncio.run(serve())
    except OSError as err:
        reason = os.strerror(err.errno) if err.errno else str(err)
        raise SystemExit(f"fake Bot API: cannot listen on {args.host}:{args.port}: {reason}") from None


if __name__ == "__main__":
    main()
