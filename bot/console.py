"""The console adapter: a chat in the terminal, with line editing and history when on one."""

from __future__ import annotations

import os
import re
import sys
import time
from typing import Callable, TextIO

from . import render
from .answers import Answer
from .conversation import Conversation
from .filters import FilterError, Filters, split_prefix
from .service import AnsweringService

BOLD, DIM, ITALIC, CYAN, YELLOW, RESET = "\033[1m", "\033[2m", "\033[3m", "\033[36m", "\033[33m", "\033[0m"


CHECK_EVERY = 2.0  # seconds: the articles folder is checked for changes before a line, at most this often
_LEAVE = ("quit", "exit", "bye", ":q")
_COMMANDS = (*_LEAVE, "more", "context", "new", "sources", "help")  # also taken with a "/", as in Telegram


class Console:
    """Reads lines, writes replies; knows the console's own commands, not how answers are found."""

    def __init__(self, service: AnsweringService, out: TextIO, colour: bool, filters: Filters | None = None,
                 check_every: float = CHECK_EVERY, clock: Callable[[], float] = time.monotonic):
        self.conversation = Conversation(service, filters=filters)
        self.service = service
        self.out = out
        self.colour = colour
        self.check_every = check_every
        self._clock = clock
        self._checked = clock()

    def style(self, text: str, *codes: str) -> str:
        return "".join(codes) + text + RESET if self.colour else text

    def say(self, text: str) -> None:
        print(render.terminal_safe(text, keep=(BOLD, DIM, ITALIC, CYAN, YELLOW, RESET) if self.colour else ()),
              file=self.out, flush=True)

    def handle(self, line: str) -> bool:
        """Answer one line; False when the reader asked to leave."""
        command = line.strip().lower().rstrip("!.")
        if command.startswith("/") and command[1:] in _COMMANDS:
            command = line = command[1:]
        elif re.fullmatch(r"/\w+", command):
            self.say(render.unknown_command(command))
            return True
        if command in _LEAVE:
            return False
        self.follow_folder()
        if command == "more":
            self.show(self.conversation.more())
        elif command == "context":
            around = self.conversation.context()
            passage = self.conversation.context_passage()
            if around and passage:
                text, _, where = render.context(around, passage).rpartition("\n")
                self.say(text)
                self.say(self.style(where, DIM, ITALIC))
            else:
                self.say(render.ASK_FIRST_FOR_CONTEXT if passage is None else
                         render.NO_PARAGRAPH if passage.about else render.CONTEXT_GONE)
        elif command == "new":
            self.conversation.new()
            self.say(render.STARTED_AFRESH)
        elif command == "sources":
            for s in self.service.sources():
                self.say(f"{self.style(s.id, CYAN)}  {s.title}{render.source_details(s)}  "
                         f"{self.style(render.sentence_count(s), DIM)}")
        else:
            try:  # "since:2024-06-01 source:Northwire How many …?" searches within those for this question
                filters, question = split_prefix(line)
            except FilterError as err:
                self.say(str(err))
                return True
            self.show(self.conversation.ask(question, filters=filters))
        return True

    def follow_folder(self) -> None:
        """Pick up articles added, changed or removed since the last look (at most every `check_every`
        seconds), as the Telegram bot does while it runs, saying so in one line."""
        now = self._clock()
        if now - self._checked < self.check_every:
            return
        from retrieval import CorpusError

        before = self.service.index.fingerprint
        try:
            reopened = self.service.refresh()
        except CorpusError as err:
            self.say(self.style(render.not_reloaded(err), DIM))
        else:  # (reopened for the same files when a background merge published their new base: not news)
            if reopened and self.service.index.fingerprint != before:
                self.say(self.style(render.reloaded(self.service.article_count()), DIM))
        self._checked = self._clock()

    def show(self, answer: Answer) -> None:
        if answer.kind == "help":
            self.say(render.reply(answer))
            newest = render.newest_article(self.service.newest_source())
            if newest:
                self.say(self.style(newest, DIM))
            return
        if not self.colour or not answer.passages:
            self.say(render.reply(answer))
            return
        if answer.read_as and not answer.skip:
            self.say(self.style(render.reading_line(answer), DIM))
        best = answer.passages[0]
        if answer.confidence == "maybe":
            self.say(self.style(render.MAYBE_HEADING, YELLOW))
        elif not answer.answered:
            self.say(self.style(render.refusal_heading(answer), YELLOW))
            for i, p in enumerate(answer.passages, 1):
                self.say(f"  {i}. {render.dated_text(p)}\n     {self.style(render.attribution_line(p), DIM, ITALIC)}")
            return
        if best.about:
            self.say(render.reply(answer))
            return
        self.say(self.highlight(render.dated_text(best), best.matched))
        self.say(self.style("— " + render.attribution_line(best), DIM, ITALIC))
        for line in render.story_lines(best):
            self.say(self.style(line, DIM))

    def highlight(self, text: str, words: tuple[str, ...]) -> str:
        if not words:
            return text
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")\b")
        return pattern.sub(lambda m: self.style(m.group(1), BOLD), text)


def run(service: AnsweringService, plain: bool = False, filters: Filters | None = None) -> int:
    interactive = sys.stdin.isatty() and sys.stdout.isatty() and not plain
    colour = interactive and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    console = Console(service, sys.stdout, colour, filters)
    if interactive:
        console.say(console.style(render.greeting(len(service.sources())), BOLD))
    for line in _lines(interactive):
        if not console.handle(line):
            break
    return 0


def _lines(interactive: bool):
    """Lines the reader types: prompt_toolkit (editing, history) on a terminal, plain stdin otherwise."""
    if not interactive:
        yield from (line.rstrip("\n") for line in sys.stdin)
        return
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    history: FileHistory | InMemoryHistory
    try:
        from platformdirs import user_state_dir

        folder = user_state_dir("newsbot", appauthor=False)
        os.makedirs(folder, exist_ok=True)
        history = FileHistory(os.path.join(folder, "history"))
    except OSError:
        history = InMemoryHistory()
    session: PromptSession = PromptSession(history=history, key_bindings=_ignore_mouse())
    ask: Callable[[], str] = lambda: session.prompt("you> ")
    while True:
        try:
            yield ask()
        except KeyboardInterrupt:
            continue  # Ctrl-C clears the line, as shells do
        except EOFError:
            return


def _ignore_mouse():
    """Key bindings that drop what the terminal reports as a mouse event. The console asks for no mouse
    reports, so one is a stray escape sequence (a colour code typed or pasted: ESC [ 3 1 m), which
    prompt_toolkit's own mouse handler cannot parse and answers with a traceback."""
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.keys import Keys

    bindings = KeyBindings()
    bindings.add(Keys.Vt100MouseEvent, eager=True)(lambda event: None)  # eager: before the built-in one
    return bindings
