"""What the Telegram bot remembers: each chat's conversation, each reader's question rate, the answer each button acts on."""

from __future__ import annotations

import asyncio
import collections
import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..answers import Answer
from ..conversation import Conversation
from ..service import AnsweringService
from .settings import TelegramSettings


class AnswerButtons:
    """The answers whose More and Context buttons still work: the `size` most recently sent or pressed.

    Each answer is kept under a short id that its buttons carry in their callback_data, so a button
    always acts on the answer it is under, however many were asked since. Ids start with a random
    prefix per run: after a restart an old button finds nothing rather than someone else's answer.
    """

    def __init__(self, size: int):
        self._size = size
        self._answers: collections.OrderedDict[str, Answer] = collections.OrderedDict()
        self._given: dict[str, dict[object, Answer]] = {}  # the last answer a More button gave, by button, by reader
        self._run = secrets.token_hex(3)
        self._numbers = itertools.count()

    def keep(self, answer: Answer) -> str:
        """Remember `answer`; the id its buttons carry."""
        key = f"{self._run}{next(self._numbers):x}"
        self._answers[key] = answer
        if len(self._answers) > self._size:
            forgotten, _ = self._answers.popitem(last=False)
            self._given.pop(forgotten, None)
        return key

    def continued(self, key: str, conversation: object) -> Answer | None:
        """The answer the More button `key` gave last in `conversation` (a chat, or one reader of a group;
        pressed again, it goes on from there), or None."""
        return self._given.get(key, {}).get(conversation)

    def gave(self, key: str, conversation: object, answer: Answer) -> None:
        """The More button `key` gave `answer` in `conversation`."""
        if key in self._answers:
            self._given.setdefault(key, {})[conversation] = answer

    def find(self, key: str) -> Answer | None:
        """The answer kept under `key`, or None when it was forgotten (or never kept)."""
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer


class QuestionLimiter:
    """At most `per_minute` questions per reader in any sliding minute; remembers `max_readers` readers."""

    def __init__(self, per_minute: int, max_readers: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self._max_readers = max_readers
        self._clock = clock
        self._asked: collections.OrderedDict[int, collections.deque[float]] = collections.OrderedDict()
        self._told: set[int] = set()  # readers refused and told so since their last allowed question

    def allow(self, reader: int) -> bool:
        if self.per_minute <= 0:
            return True
        now = self._clock()
        times = self._asked.pop(reader, None) or collections.deque()
        while times and times[0] <= now - 60:
            times.popleft()
        self._asked[reader] = times
        if len(self._asked) > self._max_readers:
            self._told.discard(self._asked.popitem(last=False)[0])
        if len(times) >= self.per_minute:
            return False
        times.append(now)
        self._told.discard(reader)
        return True

    def first_refusal(self, reader: int) -> bool:
        """True the first time `reader` is refused since their last allowed question: tell them once, so one
        reader flooding the bot cannot spend the bot's whole send budget on "please wait"."""
        if reader in self._told:
            return False
        self._told.add(reader)
        return True


class ChatState:
    """One chat's conversation (what /more and /context continue) and a lock so its questions are answered in order."""

    def __init__(self, service: AnsweringService):
        self.conversation = Conversation(service)
        self.lock = asyncio.Lock()


class ChatStates:
    """Per-conversation state (a private chat, or one reader in a group), least recently used forgotten past `max_chats`."""

    def __init__(self, service: AnsweringService, max_chats: int):
        self._service = service
        self._max_chats = max_chats
        self._states: collections.OrderedDict[int | tuple[int, int], ChatState] = collections.OrderedDict()

    def __getitem__(self, chat_id: int | tuple[int, int]) -> ChatState:
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
    buttons: AnswerButtons = field(init=False)

    def __post_init__(self) -> None:
        self.chats = ChatStates(self.service, self.settings.max_chats)
        self.limiter = QuestionLimiter(self.settings.questions_per_minute)
        self.buttons = AnswerButtons(self.settings.answers_with_buttons)
