"""What the Telegram bot remembers: each chat's conversation, each reader's question rate, what a button acts on."""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..answers import Answer
from ..conversation import Conversation
from ..service import AnsweringService
from .settings import TelegramSettings


@dataclass(frozen=True)
class MoreButton:
    """The More button's callback data: the answer it is under, so it continues that answer's question."""

    answer: Answer


@dataclass(frozen=True)
class ContextButton:
    """The Context button's callback data: the answer whose paragraph it shows."""

    answer: Answer


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
    """One chat's conversation (what /more and /context continue) and a lock so its questions are answered in order."""

    def __init__(self, service: AnsweringService):
        self.conversation = Conversation(service)
        self.lock = asyncio.Lock()


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


@dataclass
class Newsbot:
    """Everything the handlers share, kept in the Application's bot_data."""

    service: AnsweringService
    settings: TelegramSettings
    chats: ChatStates = field(init=False)
    limiter: QuestionLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.chats = ChatStates(self.service, self.settings.max_chats)
        self.limiter = QuestionLimiter(self.settings.questions_per_minute)
