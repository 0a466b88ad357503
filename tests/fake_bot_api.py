"""A small Bot API server on loopback that behaves like Telegram for the methods newsbot uses.

The real python-telegram-bot ``Application`` talks HTTP to it through ``base_url``
(``http://127.0.0.1:PORT/bot``), so tests exercise the same code paths as production.

What it imitates, because the bot must cope with it:

- ``getUpdates`` with offsets and long polling; updates are confirmed by the next offset.
- ``sendMessage`` / ``editMessageText`` parse ``parse_mode=HTML`` strictly, the way Telegram
  does: an unknown tag, an unclosed or mismatched tag, or a bare ``<``, ``>`` or ``&`` is refused
  with ``400 Bad Request: can't parse entities: ...``; a text longer than 4,096 UTF-16 code
  units after parsing is refused with ``400 Bad Request: message is too long``.
- Faults to inject per method: ``429`` with ``retry_after``, any HTTP status such as ``502``,
  and a connection dropped before any answer is written (the request is then not processed).
- A wrong token is answered ``401 Unauthorized``; an unknown method ``404 Not Found``.

It is written on plain ``asyncio`` streams (HTTP/1.1 with keep-alive) so it needs no web
framework. Use it in the test's own event loop (``await api.start()``), or in a background
thread (``ThreadedFakeBotApi``) when the bot runs in another process. Run it by hand with
``python tests/fake_bot_api.py --port 8081`` to try the bot without Telegram; ``POST
/_fake/say`` then plays a reader (see ``main``).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import html
import itertools
import json
import re
import signal
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

MAX_MESSAGE_LENGTH = 4096
TEST_TOKEN = "123456789:fake-token-for-tests-0123456789abcdef"

# Tags Telegram's HTML mode accepts, and the name each one gives to its entity.
_ENTITY_OF_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))*)\s*>")
_ATTRIBUTE = re.compile(r"([a-zA-Z-]+)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)")
_CHARACTER_REFERENCE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_COMMAND_AT_START = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION = re.compile(r"(?<![A-Za-z0-9_])@[A-Za-z0-9_]{3,32}")


class ParseEntitiesError(ValueError):
    """A text that Telegram's HTML parser would refuse."""


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(markup: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML into visible text and entities, refusing what Telegram refuses.

    Entity offsets and lengths are in UTF-16 code units, as in the Bot API; each entity also
    carries its ``text`` for the convenience of tests.
    """
    text_parts: list[str] = []
    visible_length = 0  # in UTF-16 code units
    open_tags: list[tuple[str, int, dict[str, str]]] = []
    entities: list[dict[str, Any]] = []
    position = 0
    while position < len(markup):
        char = markup[position]
        offset = len(markup[:position].encode("utf-8"))
        if char == "<":
            match = _TAG.match(markup, position)
            if not match:
                raise ParseEntitiesError(f"Unclosed start tag at byte offset {offset}")
            closing, name, raw_attributes = match.group(1), match.group(2).lower(), match.group(3)
            if closing:
                if not open_tags:
                    raise ParseEntitiesError(f'Unexpected end tag "{name}" at byte offset {offset}')
                open_name, start, attributes = open_tags.pop()
                if open_name != name:
                    raise ParseEntitiesError(
                        f'Unmatched end tag at byte offset {offset}, expected "</{open_name}>", found "</{name}>"'
                    )
                entity = {"type": _ENTITY_OF_TAG[name], "offset": start, "length": visible_length - start}
                if name == "a":
                    entity["url"] = attributes["href"]
                entities.append(entity)
            else:
                if name not in _ENTITY_OF_TAG:
                    raise ParseEntitiesError(f'Unsupported start tag "{name}" at byte offset {offset}')
                attributes = {
                    key.lower(): html.unescape(value.strip("\"'"))
                    for key, value in _ATTRIBUTE.findall(raw_attributes)
                }
                if name == "a" and not attributes.get("href"):
                    raise ParseEntitiesError(f"Can't find href for a link at byte offset {offset}")
                if name == "span" and attributes.get("class") != "tg-spoiler":
                    raise ParseEntitiesError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
                open_tags.append((name, visible_length, attributes))
            position = match.end()
            continue
        if char == ">":
            raise ParseEntitiesError(f"Character '>' must be escaped at byte offset {offset}")
        if char == "&":
            match = _CHARACTER_REFERENCE.match(markup, position)
            if not match:
                raise ParseEntitiesError(f"Character '&' must be escaped at byte offset {offset}")
            named, decimal, hexadecimal = match.groups()
            if named:
                decoded = _NAMED_ENTITIES[named]
            else:
                code_point = int(decimal) if decimal else int(hexadecimal, 16)
                if code_point > 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
                    raise ParseEntitiesError(f"Invalid character reference at byte offset {offset}")
                decoded = chr(code_point)
            text_parts.append(decoded)
            visible_length += utf16_length(decoded)
            position = match.end()
            continue
        text_parts.append(char)
        visible_length += utf16_length(char)
        position += 1
    if open_tags:
        raise ParseEntitiesError(f'Can\'t find end tag corresponding to start tag "{open_tags[-1][0]}"')
    text = "".join(text_parts)
    encoded = text.encode("utf-16-le")
    for entity in entities:
        start, end = entity["offset"] * 2, (entity["offset"] + entity["length"]) * 2
        entity["text"] = encoded[start:end].decode("utf-16-le")
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return text, entities


@dataclasses.dataclass
class Fault:
    """One injected failure: ``kind`` is ``"status"`` (answer ``status``) or ``"drop"``."""

    method: str
    kind: str
    status: int = 500
    description: str = ""
    retry_after: int | None = None


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
    """One Bot API request: recorded when it arrives, ``status`` set once answered (0: dropped)."""

    method: str
    params: dict[str, Any]
    status: int | None
    at: float


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
        self._lock = threading.RLock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._new_update: asyncio.Event | None = None
        self._connections: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task] = set()
        self.port = 0

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeBotApi:
        self._loop = asyncio.get_running_loop()
        self._new_update = asyncio.Event()
        self._server = await asyncio.start_server(self._serve_connection, host, port, backlog=1024)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._connections):
                writer.transport.abort()
            for handler in list(self._handlers):
                handler.cancel()
            await asyncio.gather(*self._handlers, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None

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
            entities = _entities_in(text)
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
        status: int = 500,
        retry_after: int | None = None,
        drop: bool = False,
        description: str = "",
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail: with ``status`` (and ``retry_after``), or dropped."""
        if retry_after is not None:
            status = 429
            description = description or f"Too Many Requests: retry after {retry_after}"
        description = description or {502: "Bad Gateway", 500: "Internal Server Error"}.get(status, "Error")
        with self._lock:
            for _ in range(times):
                self._faults.append(
                    Fault(method, "drop" if drop else "status", status, description, retry_after)
                )

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
            asyncio.run_coroutine_threadsafe(self._deliver(body), self._loop)
            return
        self._updates.append(body)
        self._wake_pollers()

    async def _deliver(self, update: dict[str, Any]) -> None:
        """Push one update to the bot's webhook as Telegram does, retrying while it is not listening."""
        import httpx  # python-telegram-bot's own HTTP client, so always there

        headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret} if self.webhook_secret else {}
        async with httpx.AsyncClient() as client:
            for _ in range(50):
                try:
                    response = await client.post(self.webhook_delivery_url, json=update, headers=headers)
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
                    continue
                with self._lock:
                    self.webhook_deliveries.append((update["update_id"], response.status_code))
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
                if ready or time.monotonic() >= deadline:
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

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)
        handler = asyncio.current_task()
        self._handlers.add(handler)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                http_method, target, headers, body = request
                status, payload, keep_alive = await self._handle(http_method, target, headers, body)
                if status is None:  # an injected dropped connection
                    writer.transport.abort()
                    return
                if isinstance(payload, str):  # the reader's side for people: plain text
                    data, content_type = payload.encode(), b"text/plain; charset=utf-8"
                else:
                    data, content_type = json.dumps(payload).encode(), b"application/json"
                writer.write(
                    b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n"
                    % (status, _REASONS.get(status, b"Status"), content_type, len(data),
                       b"" if keep_alive else b"Connection: close\r\n")
                    + data
                )
                await writer.drain()
                if not keep_alive:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return
        except asyncio.CancelledError:  # the server is stopping
            return
        finally:
            self._handlers.discard(handler)
            self._connections.discard(writer)
            if not writer.transport.is_closing():
                writer.close()

    async def _handle(self, http_method: str, target: str, headers: dict[str, str], body: bytes):
        keep_alive = headers.get("connection", "").lower() != "close"
        url = urllib.parse.urlsplit(target)
        if url.path.startswith("/_fake/"):
            status, payload = await self._control(url.path, body)
            return status, payload, keep_alive
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", url.path)
        if not match:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}, keep_alive
        token, method = match.groups()
        params = _parse_params(url.query, headers.get("content-type", ""), body)
        call = self._record(method, params)
        if token != self.token:
            call.status, payload = _error(401, "Unauthorized")
            return call.status, payload, keep_alive
        with self._lock:
            fault = next((f for f in self._faults if f.method.lower() == method.lower()), None)
            if fault is not None:
                self._faults.remove(fault)
        if fault is not None:
            if fault.kind == "drop":
                call.status = 0
                return None, None, False
            call.status, payload = _error(fault.status, fault.description, retry_after=fault.retry_after)
        else:
            call.status, payload = await self._dispatch(method, params)
        return call.status, payload, keep_alive

    def _record(self, method: str, params: dict[str, Any]) -> Call:
        call = Call(method, params, None, time.monotonic())
        with self._lock:
            self.calls.append(call)
        return call

    async def _control(self, path: str, body: bytes) -> tuple[int, dict[str, Any] | str]:
        """A reader's side for trying the bot by hand: ``/_fake/say`` and ``/_fake/messages``."""
        if path == "/_fake/say":
            request = json.loads(body or b"{}")
            chat_id = int(request.get("chat_id", 1))
            message_id = self.send_text(chat_id, str(request.get("text", "")))
            try:
                replies = await self.wait_for(lambda: self.replies_to(chat_id, message_id), float(request.get("timeout", 10)))
            except TimeoutError:
                return 504, "The bot did not answer within the timeout.\n"
            return 200, "\n\n".join(reply.text for reply in replies) + "\n"
        if path == "/_fake/messages":
            with self._lock:
                return 200, {"ok": True, "messages": [dataclasses.asdict(m) for m in self.messages]}
        return 404, {"ok": False, "description": "Not Found"}


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


_REASONS = {200: b"OK", 400: b"Bad Request", 401: b"Unauthorized", 404: b"Not Found", 409: b"Conflict",
            429: b"Too Many Requests", 500: b"Internal Server Error", 502: b"Bad Gateway",
            503: b"Service Unavailable", 504: b"Gateway Timeout"}


def _error(status: int, description: str, *, retry_after: int | None = None) -> tuple[int, dict[str, Any]]:
    payload: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        payload["parameters"] = {"retry_after": retry_after}
    return status, payload


def _entities_in(text: str) -> list[dict[str, Any]]:
    entities = []
    command = _COMMAND_AT_START.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_length(command.group())})
    for mention in _MENTION.finditer(text):
        if command and mention.start() < command.end():
            continue
        entities.append(
            {"type": "mention", "offset": utf16_length(text[: mention.start()]), "length": utf16_length(mention.group())}
        )
    return entities


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


def _parse_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    params: dict[str, Any] = dict(urllib.parse.parse_qsl(query))
    if content_type.startswith("application/json") and body:
        params.update(json.loads(body))
    elif content_type.startswith("application/x-www-form-urlencoded") and body:
        params.update(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
    elif content_type.startswith("multipart/form-data") and body:
        params.update(_parse_multipart(content_type, body))
    return params


def _parse_multipart(content_type: str, body: bytes) -> dict[str, str]:
    boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
    fields = {}
    for part in body.split(b"--" + boundary):
        head, _, value = part.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]+)"', head)
        if name and not re.search(rb"filename=", head):
            fields[name.group(1).decode()] = value.rstrip(b"\r\n").decode()
    return fields


async def _read_request(reader: asyncio.StreamReader):
    request_line = await reader.readline()
    if not request_line:
        return None
    parts = request_line.decode("latin-1").split()
    if len(parts) != 3:
        return None
    headers: dict[str, str] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = bytearray()
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                break
            body += await reader.readexactly(size)
            await reader.readline()
        return parts[0], parts[1], headers, bytes(body)
    length = int(headers.get("content-length") or 0)
    body = await reader.readexactly(length) if length else b""
    return parts[0], parts[1], headers, body


def main(argv: Iterable[str] | None = None) -> None:
    """Serve the fake Bot API until interrupted, to try ``newsbot telegram --api-url`` by hand.

    Then play a reader: ``curl -s -d '{"text": "who denied the strikes?"}' http://127.0.0.1:PORT/_fake/say``
    prints the bot's reply as a reader sees it (``"chat_id"`` picks the chat; negative ids are
    groups); ``/_fake/messages`` lists everything the bot sent, as JSON.
    """
    parser = argparse.ArgumentParser(description=main.__doc__)
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
        raise SystemExit(f"fake Bot API: cannot listen on {args.host}:{args.port}: {err.strerror}") from None


if __name__ == "__main__":
    main()
