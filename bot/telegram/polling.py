"""Long polling that confirms an update to the Bot API only after it has been answered.

python-telegram-bot's Updater confirms updates (by the next getUpdates offset) as soon as they are
queued, so a bot stopped with a backlog loses every question it had taken but not yet answered. Here
the offset only ever moves past updates whose handling has finished, and the ids of updates answered
since the last confirmation are kept in an append-only journal, fsync'd per answer, so a bot killed
outright does not answer them again after a restart. The one duplicate left is a send whose outcome
was unknown when the process died (sent, but killed before its answer was journalled).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from pathlib import Path

from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

logger = logging.getLogger("newsbot.telegram")

BATCH = 100  # getUpdates' own maximum; also the most updates answered at once


class AnsweredJournal:
    """Ids of updates answered but perhaps not yet confirmed to the Bot API; None path: memory only."""

    def __init__(self, path: Path | None):
        self.path = path
        self._ids: set[int] = set()
        self._fd: int | None = None
        self._unwritten: list[int] = []
        self._writing = asyncio.Lock()
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            for line in path.read_text(encoding="ascii", errors="replace").splitlines():
                if line.strip().isdigit():  # a torn last line after a kill is skipped
                    self._ids.add(int(line))
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def __contains__(self, update_id: int) -> bool:
        return update_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    async def add(self, update_id: int) -> None:
        """Journal `update_id`, returning once it is on disk. Answers finished together share one fsync."""
        self._ids.add(update_id)
        if self._fd is None:
            return
        self._unwritten.append(update_id)
        async with self._writing:
            if not self._unwritten:
                return  # written with the batch before
            batch, self._unwritten = self._unwritten, []
            await asyncio.to_thread(self._write, b"".join(b"%d\n" % i for i in batch))

    def _write(self, lines: bytes) -> None:
        os.write(self._fd, lines)
        os.fsync(self._fd)

    def confirmed_below(self, offset: int) -> None:
        """The Bot API has confirmed every update below `offset`: forget those, emptying the file when it can."""
        self._ids = {i for i in self._ids if i >= offset}
        if self._fd is not None and not self._ids:
            os.ftruncate(self._fd, 0)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Poller:
    """Fetches updates and answers them concurrently, confirming each only once it is answered."""

    def __init__(self, application: Application, journal: AnsweredJournal, poll_timeout: int,
                 allowed_updates: list[str]):
        self._application = application
        self._journal = journal
        self._poll_timeout = poll_timeout
        self._allowed = allowed_updates
        self._answering: dict[int, asyncio.Task] = {}
        self._highest: int | None = None  # the newest update id seen

    @property
    def offset(self) -> int | None:
        """The next getUpdates offset: the oldest update still being answered, or past every one seen."""
        if self._answering:
            return min(self._answering)
        return None if self._highest is None else self._highest + 1

    def _refetched(self) -> int:
        """How many updates already taken the next getUpdates would return again: those from the oldest
        still being answered to the newest seen (ids are consecutive; a gap only makes this an over-count)."""
        if not self._answering or self._highest is None:
            return 0
        return self._highest - min(self._answering) + 1

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set (failures are retried with backoff; a refused token is raised)."""
        bot = self._application.bot
        webhook_cleared = False  # getUpdates is refused while a webhook is set
        delay = 1.0
        stopping = asyncio.ensure_future(stop.wait())
        fetch: asyncio.Future | None = None
        try:
            while not stop.is_set():
                if self._refetched() > BATCH // 2:
                    # A fetch now would bring back more than half a window of updates already taken (from
                    # the oldest still being answered on): let it drain rather than fetch it again and again.
                    await asyncio.wait({*self._answering.values(), stopping}, return_when=asyncio.FIRST_COMPLETED)
                    continue
                offset = self.offset
                fetch = asyncio.ensure_future(self._fetch(offset, webhook_cleared))
                await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not fetch.done():
                    fetch.cancel()
                    with contextlib.suppress(asyncio.CancelledError, TelegramError):
                        await fetch
                    break
                try:
                    updates = fetch.result()
                except InvalidToken:
                    raise
                except TelegramError as err:
                    logger.warning("getting updates failed (%s); retrying in %.0f s", err, delay)
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(stop.wait(), delay)
                    delay = min(delay * 2, 30)
                    continue
                delay, webhook_cleared = 1.0, True
                if offset is not None:
                    self._journal.confirmed_below(offset)
                if not self._take(updates) and self._answering:
                    # Every update in the window is being answered: wait for one to finish, not spin.
                    await asyncio.wait({*self._answering.values(), stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if fetch is not None and not fetch.done():
                # cancelled while the long poll was out (the bot stopping): it ends with the session,
                # and how it ended is read here rather than printed as "never retrieved"
                fetch.cancel()
                fetch.add_done_callback(_read_outcome)

    async def _fetch(self, offset: int | None, webhook_cleared: bool) -> list[Update]:
        bot = self._application.bot
        if not webhook_cleared:
            await bot.delete_webhook()
        return list(await bot.get_updates(offset=offset, limit=BATCH, timeout=self._poll_timeout,
                                          allowed_updates=self._allowed))

    def _take(self, updates: list[Update]) -> int:
        """Start answering the updates not seen before; how many were new."""
        new = 0
        for update in updates:
            update_id = update.update_id
            self._highest = update_id if self._highest is None else max(self._highest, update_id)
            if update_id in self._answering or update_id in self._journal:
                continue
            new += 1
            self._answering[update_id] = asyncio.create_task(self._answer(update))
        return new

    async def _answer(self, update: Update) -> None:
        try:
            await self._application.process_update(update)  # handler errors go to the error handler
        except Exception:  # noqa: BLE001 - one update must never stop the others
            logger.exception("answering update %d failed", update.update_id)
        await self._journal.add(update.update_id)
        del self._answering[update.update_id]

    async def finish(self, within: float) -> None:
        """Let answers in progress finish (abandoning, unconfirmed, those still running after `within`
        seconds, so they are answered after a restart), then confirm the answered ones to the Bot API."""
        if self._answering:
            _, late = await asyncio.wait(list(self._answering.values()), timeout=within)
            if late:
                logger.warning("%d answers still in progress at shutdown were left for the next start", len(late))
                for task in late:
                    task.cancel()
                await asyncio.gather(*late, return_exceptions=True)
                # A cancelled answer is not journalled; it stays unconfirmed and is answered again.
        offset = self.offset
        if offset is not None:
            try:
                await asyncio.wait_for(self._application.bot.get_updates(offset=offset, limit=1, timeout=0), 1.5)
                self._journal.confirmed_below(offset)
            except (TelegramError, asyncio.TimeoutError) as err:
                logger.info("could not confirm the answered updates (%s); the journal keeps them", err)
        self._journal.close()


def _read_outcome(task: asyncio.Future) -> None:
    """A task's exception marked as read (nothing waits for it any more)."""
    if not task.cancelled():
        task.exception()
