"""`newsbot telegram`: its options, the settings and token they give, logging that hides the token, and the run."""

from __future__ import annotations

import argparse
import logging
import os
import re
import secrets
import signal
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from ..web_cli import add_telegram_options as add_feed_options, feeds_in_background
from .settings import PUBLIC_API_URL, SECRET_PATTERN, TelegramSettings, TokenError, read_token

if TYPE_CHECKING:  # imported where the bot starts: building the parser for `newsbot ask` needs neither
    from ..service import AnsweringService

logger = logging.getLogger("newsbot.telegram")


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
        reload_every=args.reload_every, journal=_journal_path(args.cache_dir, token),
    )


def _journal_path(cache_dir: Path | None, token: str) -> Path:
    """The answered-updates journal (polling.py), one per bot: named by the bot's id, never by its token."""
    from retrieval.cache import default_cache_root

    return (cache_dir or default_cache_root()) / "telegram" / f"bot{token.split(':', 1)[0]}-answered.journal"


def run(args: argparse.Namespace) -> int:
    """`newsbot telegram`: check the token and settings, load the corpus, serve until SIGTERM or Ctrl-C."""
    try:
        settings = settings_from(args)
    except (TokenError, ValueError, OSError) as err:
        print(f"newsbot: error: {err}", file=sys.stderr, flush=True)
        return 2
    configure_logging(settings, logging.DEBUG if args.verbose else logging.INFO)
    from ..service import AnsweringService

    from ..skipped import SkipNotes

    notes = SkipNotes(lambda message: logger.warning("%s", message))  # a reload does not name them again
    notes.hold()
    service = AnsweringService.open(args.corpus, args.cache_dir, max_file_bytes=getattr(args, "max_file_bytes", None),
                                    on_warning=notes)
    notes.opened(service.index.from_cache)
    import asyncio  # here, not with the module: the other commands start without it

    with feeds_in_background(args, logger):  # --feed: a thread saving new feed items into the corpus
        return asyncio.run(_run(service, settings))


async def _run(service: AnsweringService, settings: TelegramSettings) -> int:
    # python-telegram-bot is imported only here, so the other newsbot commands start without it.
    from telegram.error import InvalidToken

    import asyncio

    from .app import build_application, serve

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


class RedactingFormatter(logging.Formatter):
    """A log formatter that replaces the bot token wherever it appears, tracebacks included."""

    def __init__(self, secrets_to_hide: list[str], fmt: str):
        super().__init__(fmt)
        self._secrets = [s for s in secrets_to_hide if s]

    def format(self, record: logging.LogRecord) -> str:
        from ..render import terminal_safe

        text = terminal_safe(super().format(record))  # file names and questions can hold escapes
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
    from telegram.warnings import PTBDeprecationWarning

    # python-telegram-bot warns about its own future API each time Telegram sends a 429; not ours to fix.
    warnings.filterwarnings("ignore", message=".*retry_after.*", category=PTBDeprecationWarning)
    # httpx logs every request URL, and the URL holds the token.
    for chatty in ("httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    handler.addFilter(_OneLineBadReply(verbose=level <= logging.DEBUG))  # (a logger's own filter misses its children's)


class _OneLineBadReply(logging.Filter):
    """python-telegram-bot logs a reply that is not JSON as an ERROR with the parser's traceback, before
    newsbot's own one-line warning says what it does about it: kept to a line under --verbose, else left
    to that warning."""

    def __init__(self, verbose: bool):
        super().__init__()
        self.verbose = verbose

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("telegram.request") or \
                not record.getMessage().startswith("Can not load invalid JSON data"):
            return True
        record.exc_info = record.exc_text = None
        record.msg, record.args = record.getMessage()[:200], ()
        return self.verbose
