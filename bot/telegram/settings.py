"""How the Telegram bot talks to Telegram and its readers, and the bot token, read without ever echoing it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

PUBLIC_API_URL = "https://api.telegram.org/bot"
TOKEN_PATTERN = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{30,100}$")
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


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
    answers_with_buttons: int = 10_000  # the most recent answers whose More and Context buttons still work
    poll_timeout: int = 30  # seconds a getUpdates long poll may wait
    send_timeout: float = 30.0  # seconds to wait for Telegram's answer to a send (a slow server is not a failed one)
    journal: Path | None = None  # where answered-but-unconfirmed update ids are kept (None: memory only)
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
