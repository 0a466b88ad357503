"""How the bot's calls reach the Bot API: HTTP requests made with aiohttp, and sends paced and retried.

python-telegram-bot lets an application bring its own `BaseRequest`. Its default, httpx, spends
most of a busy bot's CPU in connection-pool bookkeeping (measured in benchmarks/telegram_bench.py);
aiohttp's C HTTP parser does the same work several times faster. Errors map to the exceptions
python-telegram-bot expects, so retries, flood control and polling behave exactly as with httpx.
aiohttp does not log request URLs, which hold the bot token.
"""

from __future__ import annotations

import asyncio
import logging
import re

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter
from telegram.request import BaseRequest, RequestData

logger = logging.getLogger("newsbot.telegram")


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a bounded pool of keep-alive connections to the Bot API server."""

    def __init__(self, connections: int = 8, read_timeout: float | None = 5.0, connect_timeout: float = 5.0):
        self._connections = connections
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(self, url, method, request_data=None, read_timeout=BaseRequest.DEFAULT_NONE,
                         write_timeout=BaseRequest.DEFAULT_NONE, connect_timeout=BaseRequest.DEFAULT_NONE,
                         pool_timeout=BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = None if isinstance(pool_timeout, DefaultValue) else pool_timeout
        write = None if isinstance(write_timeout, DefaultValue) else write_timeout
        # aiohttp has no separate write timeout; the whole exchange may take read + write + connect.
        total = None if read is None else read + (write or 0) + (connect or 0) + (pool or 0)
        timeout = aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read)
        try:
            async with self._session.request(method, url, data=_body(request_data), timeout=timeout) as response:
                return response.status, await response.read()
        except asyncio.TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            # Some aiohttp messages quote the URL, and the URL holds the token.
            reason = re.sub(r"/bot[^/\s]+", "/bot<redacted>", str(err))
            raise NetworkError(f"aiohttp.{type(err).__name__}: {reason}") from None


def _body(request_data: RequestData | None):
    """Form fields as python-telegram-bot encodes them, or multipart when files are sent."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_parameters
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, part in request_data.multipart_data.items():
        filename, content, mimetype = part if len(part) == 3 else (*part, None)  # type: ignore[misc]
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form


class PatientRateLimiter(AIORateLimiter):
    """Flood control (waits out 429 retry_after) that also retries sends failing on the network.

    A call that certainly failed (a 5xx, a refused connection) is retried up to `retries` times with
    doubling backoff; a Bad Request is not (sending the same text again would fail the same way).
    A call whose outcome is unknown (a timeout, a dropped connection, a 200 that is not the Bot API's
    answer) may have reached Telegram: it is sent once more at most, so a reader sees a reply twice
    at worst, never five times. When that retry fails too the error goes to the error handler, which
    apologises to the reader.
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
        unknown = 0  # tries that may have reached Telegram
        for attempt in range(self._retries + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except (BadRequest, Forbidden, InvalidToken, RetryAfter):
                raise
            except TelegramError as err:
                if not isinstance(err, NetworkError) and "invalid server response" not in str(err).lower():
                    raise
                maybe_done = outcome_unknown(err)
                unknown += maybe_done
                if attempt == self._retries or endpoint == "sendChatAction" or unknown > 1:
                    raise  # a typing indicator is not worth delaying an answer for
                if maybe_done:
                    logger.warning("%s may have reached Telegram (%s); sending it once more at most, in %.1f s",
                                   endpoint, err, delay)
                else:
                    # getMe is the start's check: the start's own loop says once a round that it cannot
                    # reach the Bot API, so its retries are no warning each (a wrong --api-url was 6 a round)
                    level = logging.DEBUG if endpoint == "getMe" else logging.WARNING
                    logger.log(level, "%s failed (%s); retry %d of %d in %.1f s", endpoint, err, attempt + 1,
                               self._retries, delay)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")


def outcome_unknown(err: TelegramError) -> bool:
    """True when the failed call may still have been carried out by Telegram."""
    if isinstance(err, TimedOut) or not isinstance(err, NetworkError):
        return True  # timed out, or a 200 that was not the Bot API's answer
    text = str(err)
    return "Disconnected" in text or "ConnectionReset" in text or "ClientPayloadError" in text
