"""The Telegram Application, put together in one place with python-telegram-bot's builder, and run until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import urllib.parse

from telegram import BotCommand, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from retrieval import CorpusError

from .. import render as plain
from ..service import AnsweringService
from . import handlers
from .render import COMMANDS
from .settings import TelegramSettings
from .polling import AnsweredJournal, Poller
from .state import Newsbot
from .transport import AiohttpRequest, PatientRateLimiter

logger = logging.getLogger("newsbot.telegram")


async def _keep_corpus_fresh(service: AnsweringService, every: float) -> None:
    """Reload the corpus when its files change, so articles added or removed show up without a restart."""
    while True:
        await asyncio.sleep(every)
        try:
            before = service.index.fingerprint
            if await asyncio.to_thread(service.refresh):
                if service.index.fingerprint != before:
                    logger.info("corpus changed: now answering from %d articles", service.article_count())
                else:
                    logger.debug("opened the merged index of the same articles")
        except CorpusError as err:
            logger.warning("corpus folder not reloaded, still answering from the previous one: %s", err)
        except Exception:  # noqa: BLE001 - a bad article must never stop the bot
            logger.exception("corpus folder not reloaded")


def file_url(api_url: str) -> str:
    """Where the same Bot API server serves files: `…/bot` → `…/file/bot`, as Telegram's own does (a
    local server's, not api.telegram.org's)."""
    if "bot{token}" in api_url:  # python-telegram-bot puts the token in place of {token}
        return api_url.replace("bot{token}", "file/bot{token}", 1)
    return api_url[: -len("bot")] + "file/bot" if api_url.endswith("/bot") else api_url.rstrip("/") + "/file/bot"


def build_application(service: AnsweringService, settings: TelegramSettings) -> Application:
    """The python-telegram-bot Application with every handler in place."""
    # Two connections for getUpdates: aiohttp frees a cancelled long poll's connection only after a while,
    # and the confirming call at shutdown (polling.py, Poller.finish) must not wait for it.
    requests = (AiohttpRequest(connections=settings.connections, read_timeout=settings.send_timeout),
                AiohttpRequest(connections=2, read_timeout=settings.poll_timeout + 10))
    builder = ApplicationBuilder()
    if not settings.webhook_url:
        builder = builder.updater(None)  # polling is newsbot's own (polling.py): it confirms only answered updates
    application = (
        builder
        .token(settings.token)
        .base_url(settings.api_url)
        .base_file_url(file_url(settings.api_url))
        .rate_limiter(PatientRateLimiter(settings.throttle, settings.network_retries, settings.first_backoff))
        .concurrent_updates(256)
        .request(requests[0])
        .get_updates_request(requests[1])
        .build()
    )
    if settings.allowed_chats is not None:
        application.add_handler(TypeHandler(Update, handlers.gatekeeper), group=-1)
    new_messages = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("start", handlers.start, filters=new_messages))
    application.add_handler(CommandHandler("help", handlers.help, filters=new_messages))
    application.add_handler(CommandHandler("ask", handlers.ask, filters=new_messages))
    application.add_handler(CommandHandler("sources", handlers.sources, filters=new_messages))
    application.add_handler(CommandHandler("more", handlers.more, filters=new_messages))
    application.add_handler(CommandHandler("context", handlers.paragraph, filters=new_messages))
    application.add_handler(CommandHandler("new", handlers.new, filters=new_messages))
    application.add_handler(CommandHandler("about", handlers.about, filters=new_messages))
    private, groups = filters.ChatType.PRIVATE & new_messages, filters.ChatType.GROUPS & new_messages
    application.add_handler(MessageHandler(private & filters.COMMAND, handlers.unknown_command))
    application.add_handler(MessageHandler(private & filters.TEXT, handlers.private_text))
    application.add_handler(MessageHandler(private & ~filters.TEXT, handlers.not_text))
    application.add_handler(MessageHandler(groups & filters.TEXT & ~filters.COMMAND, handlers.group_text))
    application.add_handler(CallbackQueryHandler(handlers.more_button, pattern=rf"^{handlers.MORE} \S+$"))
    application.add_handler(CallbackQueryHandler(handlers.context_button, pattern=rf"^{handlers.CONTEXT} \S+$"))
    application.add_handler(CallbackQueryHandler(handlers.unknown_button))
    application.add_error_handler(handlers.on_error)
    application.bot_data["newsbot"] = Newsbot(service, settings)
    application.bot_data["newsbot.requests"] = requests  # to close them if connecting fails
    return application


async def _set_commands(application: Application) -> None:
    await application.bot.set_my_commands([BotCommand(name, description) for name, description in COMMANDS])


async def serve(application: Application, settings: TelegramSettings, service: AnsweringService,
                stop: asyncio.Event) -> None:
    """Run the bot until `stop` is set: connect (retrying), poll or serve the webhook, then stop cleanly."""
    delay = 1.0
    stopping = asyncio.ensure_future(stop.wait())
    while not stop.is_set():
        # Raced against the stop signal: connecting may take a network timeout and its retries.
        connecting = asyncio.ensure_future(application.initialize())
        await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not connecting.done():
            connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await connecting
            break
        try:
            connecting.result()
            break
        except InvalidToken:
            stopping.cancel()
            for request in application.bot_data["newsbot.requests"]:
                await request.shutdown()
            raise
        except (NetworkError, TelegramError) as err:
            logger.warning("cannot reach the Bot API at %s (%s); retrying in %.0f s", settings.api_url, err, delay)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, 30)
    stopping.cancel()
    if stop.is_set():
        for request in application.bot_data["newsbot.requests"]:
            await request.shutdown()
        return
    refresher = asyncio.create_task(_keep_corpus_fresh(service, settings.reload_every))
    poller = polling = None
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
            poller = Poller(application, AnsweredJournal(settings.journal), settings.poll_timeout, updates)
            polling = asyncio.create_task(poller.run(stop))
            how = "long polling"
        articles = service.article_count()
        logger.info("@%s is answering from %s (%s)", application.bot.username, plain.counted(articles, "article"), how)
        if polling is not None:
            await asyncio.wait({polling, asyncio.ensure_future(stop.wait())}, return_when=asyncio.FIRST_COMPLETED)
            if polling.done():
                polling.result()  # a refused token, raised
        await stop.wait()
        logger.info("stopping")
    finally:
        refresher.cancel()
        if polling is not None:
            polling.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await polling
            await poller.finish(within=6)
        service.stop_building()
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
