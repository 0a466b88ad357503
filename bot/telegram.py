"""The Telegram adapter: newsbot's sourced answers in Telegram chats, through python-telegram-bot."""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import logging
import os
import re
import secrets
import signal
import sys
import time
import urllib.parse
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from retrieval import CorpusError

from .conversation import Conversation
from .service import AnsweringService, Passage
from .telegram_http import AiohttpRequest
from .telegram_render import answer_message, context_message, plain_message, sources_message
from .web_cli import add_telegram_options as add_feed_options, feeds_in_background

logger = logging.getLogger("newsbot.telegram")

PUBLIC_API_URL = "https://api.telegram.org/bot"
TOKEN_PATTERN = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{30,100}$")
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

GREETING = (
    "Hello! I answer questions about the news articles I have, with the sentence that says it and "
    "where it comes from.\n\n"
    "Just write your question{how}, for example: Who denied conducting the first strikes?\n"
    "/sources lists the articles; /help shows everything I understand."
)
HELP = (
    "Ask a question about the news articles in plain words{how}. I reply with the sentence that "
    "answers it, the matched words in bold, and below it the headline, outlet, date, link and who "
    "made the claim. When the articles do not answer, I say so.\n\n"
    "/ask question — ask (in groups, or mention me, or reply to one of my messages)\n"
    "/more — the next-best answer to the last question\n"
    "/context — the paragraph around the last answer\n"
    "/sources — the articles I answer from\n"
    "/about — what I am and how I work"
)
ABOUT = (
    "newsbot finds answers by TF-IDF sentence retrieval over {articles} article{plural} "
    "({sentences} sentences). It never writes answers of its own: every reply is a sentence quoted from "
    "an article, with where it comes from and whom the article says made the claim."
)
COMMANDS = [
    ("start", "How to ask me"),
    ("help", "What I understand"),
    ("ask", "Ask a question: /ask Who denied the strikes?"),
    ("sources", "The articles I answer from"),
    ("more", "The next-best answer to the last question"),
    ("context", "The paragraph around the last answer"),
    ("about", "What I am and how I work"),
]
SLOW_DOWN = "You are asking faster than I answer ({limit} questions a minute). Please wait a little and ask again."
SOMETHING_WRONG = "Sorry, something went wrong while answering that. Please try again in a moment."
ASK_FIRST = "Ask a question first; then /more shows the next-best answer and /context the paragraph around it."


class TokenError(ValueError):
    """A missing or malformed bot token; the message never contains the token."""


@dataclass(frozen=True)
class TelegramSettings:
    """How the bot talks to Telegram and to its readers."""

    token: str = field(repr=False)
    api_url: str = PUBLIC_API_URL
    webhook_url: str | None = None  # None: long polling
    listen: str = "127.0.0.1"
    port: int = 8443
    webhook_secret: str | None = field(default=None, repr=False)
    questions_per_minute: int = 20  # per reader; 0 = no limit
    allowed_chats: frozenset[int] | None = None  # None: every chat
    throttle: bool = True  # keep under Telegram's flood limits (30 messages/s, 20/min in a group)
    reload_every: float = 30.0  # seconds between looks at the corpus folder
    max_chats: int = 10_000  # chats whose conversation is kept in memory
    poll_timeout: int = 30  # seconds a getUpdates long poll may wait
    connections: int = 8  # keep-alive connections to the Bot API for sending (more costs CPU, not speed)
    network_retries: int = 5  # tries of a failed send after the first, with backoff
    first_backoff: float = 0.5  # seconds before the first retry; doubled each time


def read_token(token_file: Path | None, environ: dict[str, str] | None = None) -> str:
    """The bot token from `token_file` or $TELEGRAM_BOT_TOKEN; raises TokenError without echoing it."""
    environ = os.environ if environ is None else environ
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as err:
            raise TokenError(f"cannot read the token file {token_file}: {getattr(err, 'strerror', None) or err}") from None
        where = f"the token file {token_file}"
    else:
        token = environ.get("TELEGRAM_BOT_TOKEN", "").strip()
        where = "TELEGRAM_BOT_TOKEN"
        if not token:
            raise TokenError("no Telegram bot token: set TELEGRAM_BOT_TOKEN or pass --token-file PATH "
                             "(get a token from @BotFather)")
    if not TOKEN_PATTERN.match(token):
        raise TokenError(f"the Telegram bot token in {where} is malformed: expected digits, a colon and "
                         "about 35 letters, digits, - or _ (as @BotFather gives it)")
    return token


class RedactingFormatter(logging.Formatter):
    """A log formatter that replaces the bot token wherever it appears, tracebacks included."""

    def __init__(self, secrets_to_hide: list[str], fmt: str):
        super().__init__(fmt)
        self._secrets = [s for s in secrets_to_hide if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "<redacted>")
        return text


def configure_logging(settings: TelegramSettings, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter([settings.token, settings.webhook_secret or ""],
                                            "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)
    # python-telegram-bot warns about its own future API each time Telegram sends a 429; not ours to fix.
    warnings.filterwarnings("ignore", message=".*retry_after.*", category=PTBDeprecationWarning)
    # httpx logs every request URL, and the URL holds the token.
    for chatty in ("httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


class PatientRateLimiter(AIORateLimiter):
    """Flood control (waits out 429 retry_after) that also retries sends failing on the network.

    A 5xx, a timeout or a dropped connection is retried with doubling backoff; a Bad Request is
    not (sending the same text again would fail the same way). A timed-out send may have reached
    Telegram, so in that one case the reader may see a reply twice rather than not at all.
    """

    def __init__(self, throttle: bool, retries: int, first_backoff: float):
        if throttle:
            super().__init__(max_retries=retries)
        else:
            super().__init__(overall_max_rate=0, group_max_rate=0, max_retries=retries)
        self._retries = retries
        self._first_backoff = first_backoff

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        delay = self._first_backoff
        for attempt in range(self._retries + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except BadRequest:
                raise
            except NetworkError as err:
                if attempt == self._retries or endpoint == "sendChatAction":
                    raise  # a typing indicator is not worth delaying an answer for
                logger.warning("%s failed (%s); retry %d of %d in %.1f s", endpoint, err, attempt + 1,
                               self._retries, delay)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")


class QuestionLimiter:
    """At most `per_minute` questions per reader in any sliding minute; remembers `max_readers` readers."""

    def __init__(self, per_minute: int, max_readers: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self._max_readers = max_readers
        self._clock = clock
        self._asked: collections.OrderedDict[int, collections.deque[float]] = collections.OrderedDict()

    def allow(self, reader: int) -> bool:
        if self.per_minute <= 0:
            return True
        now = self._clock()
        times = self._asked.pop(reader, None) or collections.deque()
        while times and times[0] <= now - 60:
            times.popleft()
        self._asked[reader] = times
        if len(self._asked) > self._max_readers:
            self._asked.popitem(last=False)
        if len(times) >= self.per_minute:
            return False
        times.append(now)
        return True


class ChatState:
    """One chat's conversation, a lock so its questions are answered in order, and its recent answers."""

    RECENT_ANSWERS = 50

    def __init__(self, service: AnsweringService):
        self.conversation = Conversation(service)
        self.lock = asyncio.Lock()
        self.answers: collections.OrderedDict[int, Passage] = collections.OrderedDict()

    def remember(self, message_id: int, passage: Passage | None) -> None:
        if passage is None:
            return
        self.answers[message_id] = passage
        while len(self.answers) > self.RECENT_ANSWERS:
            self.answers.popitem(last=False)


class ChatStates:
    """Per-chat state, least recently used chats forgotten past `max_chats`."""

    def __init__(self, service: AnsweringService, max_chats: int):
        self._service = service
        self._max_chats = max_chats
        self._states: collections.OrderedDict[int, ChatState] = collections.OrderedDict()

    def __getitem__(self, chat_id: int) -> ChatState:
        state = self._states.pop(chat_id, None) or ChatState(self._service)
        self._states[chat_id] = state
        if len(self._states) > self._max_chats:
            self._states.popitem(last=False)
        return state

    def __len__(self) -> int:
        return len(self._states)


class TelegramBot:
    """The handlers: each translates between a Telegram update and the answering service."""

    def __init__(self, service: AnsweringService, settings: TelegramSettings):
        self.service = service
        self.settings = settings
        self.chats = ChatStates(service, settings.max_chats)
        self.limiter = QuestionLimiter(settings.questions_per_minute)

    # -- commands -------------------------------------------------------------------------------
    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._send(update.effective_message, plain_message(GREETING.format(how=_how_to_ask(update, context))))

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._send(update.effective_message, plain_message(HELP.format(how=_how_to_ask(update, context))))

    async def about(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sources = self.service.sources()
        text = ABOUT.format(articles=len(sources), plural="" if len(sources) == 1 else "s",
                            sentences=sum(s.sentences for s in sources))
        await self._send(update.effective_message, plain_message(text))

    async def sources(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._send(update.effective_message, sources_message(self.service.sources()))

    async def ask(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        parts = (message.text or "").split(maxsplit=1)
        question = parts[1].strip() if len(parts) > 1 else ""
        if not question:
            await self._send(message, plain_message("Write the question after the command, for example: "
                                                    "/ask Who denied conducting the first strikes?"))
            return
        await self._answer_question(message, update.effective_user.id if update.effective_user else 0, question)

    async def more(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        reader = update.effective_user.id if update.effective_user else 0
        await self._answer_more(update.effective_message, reader)

    async def context(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._answer_context(update.effective_message, None)

    # -- messages -------------------------------------------------------------------------------
    async def private_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        await self._answer_question(message, update.effective_user.id if update.effective_user else 0, message.text)

    async def group_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In a group: answer a mention of the bot or a reply to one of its messages; stay quiet otherwise."""
        message = update.effective_message
        question = _addressed_question(message, context.bot.id, context.bot.username)
        if question is None:
            return
        await self._answer_question(message, update.effective_user.id if update.effective_user else 0, question)

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._send(update.effective_message, plain_message("I do not know that command. " + HELP.format(how="")))

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._send(update.effective_message, plain_message("I can only read questions written as text."))

    # -- buttons --------------------------------------------------------------------------------
    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        message = query.message if isinstance(query.message, Message) else None
        if message is None:
            await query.answer("That message is too old; please ask again.")
            return
        await query.answer()
        if query.data == "more":
            await self._answer_more(message, query.from_user.id, reply_to=message)
        else:
            await self._answer_context(message, message.message_id)

    # -- answering ------------------------------------------------------------------------------
    async def _answer_question(self, message: Message, reader: int, question: str) -> None:
        if not self.limiter.allow(reader):
            await self._send(message, plain_message(SLOW_DOWN.format(limit=self.settings.questions_per_minute)))
            return
        state = self.chats[message.chat_id]
        async with state.lock:
            async with self._typing(message):
                answer = state.conversation.ask(question)
                text = answer_message(answer, HELP.format(how=""))
            sent = await self._send(message, text, buttons=bool(answer.passages))
            state.remember(sent.message_id, state.conversation.last if answer.passages else None)

    async def _answer_more(self, message: Message, reader: int, reply_to: Message | None = None) -> None:
        if not self.limiter.allow(reader):
            await self._send(message, plain_message(SLOW_DOWN.format(limit=self.settings.questions_per_minute)))
            return
        state = self.chats[message.chat_id]
        async with state.lock:
            if state.conversation.question is None:
                await self._send(message, plain_message(ASK_FIRST))
                return
            async with self._typing(message):
                answer = state.conversation.more()
                text = answer_message(answer, HELP.format(how=""))
            sent = await self._send(reply_to or message, text, buttons=bool(answer.passages))
            state.remember(sent.message_id, answer.passages[0] if answer.passages else None)

    async def _answer_context(self, message: Message, answer_message_id: int | None) -> None:
        state = self.chats[message.chat_id]
        async with state.lock:
            passage = state.answers.get(answer_message_id) if answer_message_id else None
            passage = passage or state.conversation.last
            if passage is None:
                await self._send(message, plain_message(ASK_FIRST))
                return
            paragraph = self.service.context(passage)
            if paragraph is None:
                await self._send(message, plain_message("That article is no longer among my sources."))
                return
            await self._send(message, context_message(paragraph, passage))

    @contextlib.asynccontextmanager
    async def _typing(self, message: Message):
        """Show "typing…" while the answer is found; a failure to show it never stops the answer."""
        action = asyncio.create_task(message.get_bot().send_chat_action(message.chat_id, ChatAction.TYPING))
        await asyncio.sleep(0)  # let the indicator go out before the (synchronous) search starts
        try:
            yield
        finally:
            try:
                await action
            except TelegramError as err:
                logger.info("typing indicator not shown in a chat: %s", err)

    async def _send(self, message: Message, html: str, buttons: bool = False) -> Message:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more"),
                                        InlineKeyboardButton("Context", callback_data="context")]]) if buttons else None
        return await message.get_bot().send_message(
            message.chat_id,
            html,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True),
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            message_thread_id=message.message_thread_id if message.is_topic_message else None,
        )

    # -- failures and strangers -----------------------------------------------------------------
    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log what failed and tell the reader, if there is one, that something went wrong."""
        error = context.error
        logger.error("answering an update failed: %s: %s", type(error).__name__, error,
                     exc_info=(type(error), error, error.__traceback__) if error else None)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        if isinstance(error, Forbidden):
            return  # the bot was blocked or removed: there is no one to tell
        try:
            await context.bot.send_message(update.effective_chat.id, SOMETHING_WRONG)
        except TelegramError as err:
            logger.error("could not tell the reader either: %s", err)

    async def gatekeeper(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """With an allow-list, let through only updates from the chats on it; ignore the rest quietly."""
        chat = update.effective_chat
        if chat is not None and chat.id in (self.settings.allowed_chats or ()):
            return
        logger.info("ignoring an update from chat %s, which is not on the allow-list", chat.id if chat else "?")
        if update.callback_query:
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer()
        raise ApplicationHandlerStop


def _how_to_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    chat = update.effective_chat
    if chat is not None and chat.type != "private":
        return f" after /ask, or mention me (@{context.bot.username}), or reply to one of my messages"
    return ""


def _addressed_question(message: Message, bot_id: int, bot_username: str | None) -> str | None:
    """The question in a group message addressed to the bot, or None when it is not for the bot."""
    text = message.text or ""
    replied = message.reply_to_message
    addressed = bool(replied and replied.from_user and replied.from_user.id == bot_id)
    spans = []
    for entity, value in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        mine = (entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id) or (
            entity.type == MessageEntity.MENTION and bot_username and value.lower() == f"@{bot_username.lower()}")
        if mine:
            addressed = True
            spans.append(value)
    if not addressed:
        return None
    for value in spans:
        text = text.replace(value, " ")
    return " ".join(text.split()).strip(" ,:") or ""


async def _keep_corpus_fresh(service: AnsweringService, every: float) -> None:
    """Reload the corpus when its files change, so articles added or removed show up without a restart."""
    while True:
        await asyncio.sleep(every)
        try:
            if await asyncio.to_thread(service.refresh):
                logger.info("corpus changed: now answering from %d articles", len(service.sources()))
        except CorpusError as err:
            logger.warning("corpus folder not reloaded, still answering from the previous one: %s", err)
        except Exception:  # noqa: BLE001 - a bad article must never stop the bot
            logger.exception("corpus folder not reloaded")


def build_application(service: AnsweringService, settings: TelegramSettings) -> Application:
    """The python-telegram-bot Application with every handler in place."""
    bot = TelegramBot(service, settings)
    requests = (AiohttpRequest(connections=settings.connections),
                AiohttpRequest(connections=1, read_timeout=settings.poll_timeout + 10))
    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_url)
        .rate_limiter(PatientRateLimiter(settings.throttle, settings.network_retries, settings.first_backoff))
        .concurrent_updates(256)
        .request(requests[0])
        .get_updates_request(requests[1])
        .build()
    )
    if settings.allowed_chats is not None:
        application.add_handler(TypeHandler(Update, bot.gatekeeper), group=-1)
    new_messages = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("start", bot.start, filters=new_messages))
    application.add_handler(CommandHandler("help", bot.help, filters=new_messages))
    application.add_handler(CommandHandler("ask", bot.ask, filters=new_messages))
    application.add_handler(CommandHandler("sources", bot.sources, filters=new_messages))
    application.add_handler(CommandHandler("more", bot.more, filters=new_messages))
    application.add_handler(CommandHandler("context", bot.context, filters=new_messages))
    application.add_handler(CommandHandler("about", bot.about, filters=new_messages))
    private, groups = filters.ChatType.PRIVATE & new_messages, filters.ChatType.GROUPS & new_messages
    application.add_handler(MessageHandler(private & filters.COMMAND, bot.unknown_command))
    application.add_handler(MessageHandler(private & filters.TEXT, bot.private_text))
    application.add_handler(MessageHandler(private & ~filters.TEXT, bot.not_text))
    application.add_handler(MessageHandler(groups & filters.TEXT & ~filters.COMMAND, bot.group_text))
    application.add_handler(CallbackQueryHandler(bot.button, pattern="^(more|context)$"))
    application.add_error_handler(bot.on_error)
    application.bot_data["newsbot"] = bot
    application.bot_data["newsbot.requests"] = requests  # to close them if connecting fails
    return application


async def _set_commands(application: Application) -> None:
    await application.bot.set_my_commands([BotCommand(name, description) for name, description in COMMANDS])


async def serve(application: Application, settings: TelegramSettings, service: AnsweringService,
                stop: asyncio.Event) -> None:
    """Run the bot until `stop` is set: connect (retrying), poll or serve the webhook, then stop cleanly."""
    delay = 1.0
    while not stop.is_set():
        try:
            await application.initialize()
            break
        except InvalidToken:
            for request in application.bot_data["newsbot.requests"]:
                await request.shutdown()
            raise
        except (NetworkError, TelegramError) as err:
            logger.warning("cannot reach the Bot API at %s (%s); retrying in %.0f s", settings.api_url, err, delay)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, 30)
    if stop.is_set():
        for request in application.bot_data["newsbot.requests"]:
            await request.shutdown()
        return
    refresher = asyncio.create_task(_keep_corpus_fresh(service, settings.reload_every))
    try:
        try:
            await _set_commands(application)
        except TelegramError as err:
            logger.warning("could not register the command list with Telegram: %s", err)
        await application.start()
        updates = ["message", "callback_query"]
        if settings.webhook_url:
            await application.updater.start_webhook(
                listen=settings.listen,
                port=settings.port,
                url_path=urllib.parse.urlsplit(settings.webhook_url).path.lstrip("/"),
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret,
                allowed_updates=updates,
                bootstrap_retries=-1,
            )
            how = f"webhook {settings.webhook_url}, listening on {settings.listen}:{settings.port}"
        else:
            await application.updater.start_polling(
                poll_interval=0,
                timeout=settings.poll_timeout,
                allowed_updates=updates,
                bootstrap_retries=-1,
                error_callback=lambda err: logger.warning("getting updates failed (%s); retrying", err),
            )
            how = "long polling"
        articles = len(service.sources())
        logger.info("@%s is answering from %d article%s (%s)", application.bot.username, articles,
                    "" if articles == 1 else "s", how)
        await stop.wait()
        logger.info("stopping")
    finally:
        refresher.cancel()
        try:
            await asyncio.wait_for(_stop(application), timeout=8)
        except asyncio.TimeoutError:
            logger.warning("answers still in progress after 8 s were abandoned at shutdown")
        await application.shutdown()


async def _stop(application: Application) -> None:
    if application.updater and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()


async def _run(service: AnsweringService, settings: TelegramSettings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    application = build_application(service, settings)
    try:
        await serve(application, settings, service, stop)
    except OSError as err:  # the webhook's port taken or not ours to bind
        print(f"newsbot: error: cannot listen on {settings.listen}:{settings.port}: {err.strerror or err}",
              file=sys.stderr, flush=True)
        return 1
    except InvalidToken as err:
        # python-telegram-bot's message quotes the token itself, so it is not repeated here.
        reason = "Not Found" if "not found" in str(err).lower() else "Unauthorized"
        print(f"newsbot: error: the Bot API at {settings.api_url} refused the token ({reason}); "
              "check TELEGRAM_BOT_TOKEN or --token-file, and --api-url", file=sys.stderr, flush=True)
        return 2
    return 0


# -- the command line -------------------------------------------------------------------------
def add_parser(commands: argparse._SubParsersAction, corpus: argparse.ArgumentParser) -> None:
    telegram = commands.add_parser(
        "telegram", parents=[corpus], help="answer in Telegram chats (token in $TELEGRAM_BOT_TOKEN)",
        description="Serve the answers in Telegram. The bot token comes from $TELEGRAM_BOT_TOKEN or --token-file.")
    telegram.add_argument("--token-file", type=Path, metavar="PATH", help="read the bot token from this file")
    telegram.add_argument("--api-url", default=os.environ.get("TELEGRAM_API_URL", PUBLIC_API_URL), metavar="URL",
                          help=f"Bot API server, e.g. http://127.0.0.1:8081/bot for a self-hosted one "
                               f"(default: $TELEGRAM_API_URL or {PUBLIC_API_URL})")
    telegram.add_argument("--webhook-url", metavar="URL",
                          help="receive updates by webhook at this public HTTPS URL instead of long polling")
    telegram.add_argument("--listen", default="127.0.0.1", metavar="ADDRESS",
                          help="address the webhook server listens on (default 127.0.0.1, behind a proxy)")
    telegram.add_argument("--port", type=int, default=8443, help="port the webhook server listens on (default 8443)")
    telegram.add_argument("--webhook-secret-file", type=Path, metavar="PATH",
                          help="secret Telegram sends with each webhook call (default: $TELEGRAM_WEBHOOK_SECRET, "
                               "else a random one per run)")
    telegram.add_argument("--questions-per-minute", type=int, default=20, metavar="N",
                          help="questions one reader may ask per minute; 0 for no limit (default 20)")
    telegram.add_argument("--allow-chat", type=int, action="append", metavar="CHAT_ID",
                          help="answer only in these chats (repeat; default: $NEWSBOT_TELEGRAM_CHATS, "
                               "comma-separated, else every chat)")
    telegram.add_argument("--reload-every", type=float, default=30.0, metavar="SECONDS",
                          help="how often to look for changed articles (default 30)")
    telegram.add_argument("--no-throttle", action="store_true",
                          help="do not pace sends to Telegram's flood limits (429 retry_after is still obeyed); "
                               "for local Bot API servers and benchmarks")
    telegram.add_argument("--verbose", action="store_true", help="log debugging detail")
    add_feed_options(telegram)  # --feed URL, --feed-every: feeds followed inside the bot (bot/web_cli.py)
    telegram.set_defaults(run=run)


def settings_from(args: argparse.Namespace, environ: dict[str, str] | None = None) -> TelegramSettings:
    """Settings from the command line and environment; raises TokenError or ValueError with one sentence."""
    environ = os.environ if environ is None else environ
    token = read_token(args.token_file, environ)
    api_url = args.api_url.rstrip("/")
    if "{token}" not in api_url and not api_url.endswith("/bot"):
        api_url += "/bot"  # a self-hosted server's root given: its methods live under /bot<token>/
    if not re.match(r"^https?://[^/\s]+", api_url):
        raise ValueError(f"--api-url must be an http:// or https:// URL, like {PUBLIC_API_URL}")
    secret = None
    if args.webhook_url:
        if not args.webhook_url.startswith("https://"):
            raise ValueError("--webhook-url must be an https:// URL (Telegram only calls HTTPS webhooks)")
        if args.webhook_secret_file:
            secret = args.webhook_secret_file.read_text(encoding="utf-8").strip()
        else:
            secret = environ.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or secrets.token_urlsafe(32)
        if not SECRET_PATTERN.match(secret):
            raise ValueError("the webhook secret must be 1 to 256 letters, digits, - or _")
    chats = args.allow_chat
    if chats is None and environ.get("NEWSBOT_TELEGRAM_CHATS", "").strip():
        try:
            chats = [int(x) for x in environ["NEWSBOT_TELEGRAM_CHATS"].split(",") if x.strip()]
        except ValueError:
            raise ValueError("NEWSBOT_TELEGRAM_CHATS must be chat ids separated by commas") from None
    if args.questions_per_minute < 0 or args.reload_every <= 0:
        raise ValueError("--questions-per-minute must be 0 or more and --reload-every more than 0")
    return TelegramSettings(
        token=token, api_url=api_url, webhook_url=args.webhook_url, listen=args.listen, port=args.port,
        webhook_secret=secret, questions_per_minute=args.questions_per_minute,
        allowed_chats=frozenset(chats) if chats is not None else None, throttle=not args.no_throttle,
        reload_every=args.reload_every,
    )


def run(args: argparse.Namespace) -> int:
    """`newsbot telegram`: check the token and settings, load the corpus, serve until SIGTERM or Ctrl-C."""
    try:
        settings = settings_from(args)
    except (TokenError, ValueError, OSError) as err:
        print(f"newsbot: error: {err}", file=sys.stderr, flush=True)
        return 2
    configure_logging(settings, logging.DEBUG if args.verbose else logging.INFO)
    service = AnsweringService.open(args.corpus, args.cache_dir,
                                    on_warning=lambda message: logger.warning("%s", message))
    with feeds_in_background(args, logger):  # --feed: a thread saving new feed items into the corpus
        return asyncio.run(_run(service, settings))
