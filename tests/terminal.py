"""A program on a real pseudo-terminal, watched through pyte's terminal emulator as a person sees the screen."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import termios
import time
from collections.abc import Callable

import pyte
from wcwidth import wcwidth

from tests import forked


class Screen(pyte.Screen):
    """pyte's screen, answering the terminal's reports (cursor position, status) to the program.

    Its `display` re-renders only the lines pyte marked dirty since the last look: a wait reads the
    screen after every chunk the program writes, and rendering all of a 200 x 80 screen each time was
    most of a console test's time.
    """

    def __init__(self, columns: int, lines: int, answer: Callable[[bytes], None]):
        super().__init__(columns, lines)
        self._answer = answer

    def write_process_input(self, data: str) -> None:
        self._answer(data.encode())

    @property
    def display(self) -> list[str]:
        rows = self.__dict__.setdefault("_rows", [])
        if len(rows) != self.lines:
            rows[:] = [""] * self.lines
            self.dirty.update(range(self.lines))
        for y in self.dirty:
            if y < self.lines:
                rows[y] = self._render(y)
        self.dirty.clear()
        return list(rows)

    def _render(self, y: int) -> str:
        """Line `y` as text, as pyte's own display gives it: a wide character's second cell left out."""
        row = self.buffer[y]
        if not row:
            return self.default_char.data * self.columns
        cells, wide = [], False
        for x in range(self.columns):
            if wide:
                wide = False
                continue
            data = row[x].data
            cells.append(data)
            wide = bool(data) and wcwidth(data[0]) == 2
        return "".join(cells)


class Terminal:
    """``argv`` started on a pty of ``columns`` x ``lines``; what it writes is fed to a pyte screen.

    Waits are driven by what reaches the screen, with a deadline that fails the test (showing the
    screen) rather than going on quietly.
    """

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str, columns: int = 100, lines: int = 30,
                 fresh: bool = False):
        """The program runs in a session of its own with the terminal as its controlling one, as a
        shell starts it. `fresh`: a new interpreter, exec'd (for the test of that); else a newsbot
        process forked from the tests' preloaded one (tests/forked.py)."""
        self.fd, follower = os.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))  # sized first
        try:
            self.process = forked.Popen(argv, env=env, cwd=cwd, stdin=follower, stdout=follower, stderr=follower,
                                        terminal=True, fresh=fresh)
        finally:
            os.close(follower)
        self.pid = self.process.pid
        self.screen = Screen(columns, lines, lambda data: os.write(self.fd, data))
        self.stream = pyte.ByteStream(self.screen)
        self.exit_code: int | None = None

    # -- what a person sees ------------------------------------------------------------------------

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    def text(self) -> str:
        return "\n".join(line for line in self.lines() if line)

    def flow(self) -> str:
        """The screen as running text: lines the terminal wrapped joined back, line ends as spaces."""
        return " ".join("".join(self.screen.display).split())

    def cursor_line(self) -> str:
        """The line the cursor is on, up to the cursor: what precedes the next character typed."""
        return self.screen.display[self.screen.cursor.y][: self.screen.cursor.x]

    def bold_words(self) -> set[str]:
        """Every run of bold characters on the screen, as words."""
        words: set[str] = set()
        for y in range(self.screen.lines):
            row = self.screen.buffer[y]
            run = "".join(row[x].data if row[x].bold else " " for x in range(self.screen.columns))
            words.update(run.split())
        return words

    # -- acting ------------------------------------------------------------------------------------

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def wait_until(self, condition: Callable[[], object], what: str, timeout: float = 30) -> None:
        """Read the program's output until ``condition()`` holds; AssertionError past ``timeout``."""
        deadline = time.monotonic() + timeout
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"not seen within {timeout} s: {what}\n--- the screen ---\n{self.text()}")
            if not self._read(min(left, 0.5)) and self.exited() and not condition():
                raise AssertionError(f"the program ended before {what}\n--- the screen ---\n{self.text()}")

    def wait_for_exit(self, timeout: float = 10) -> int:
        """The program's exit code once it has ended; AssertionError if it is still running then."""
        self.wait_until(self.exited, "the program ending", timeout)
        assert self.exit_code is not None
        return self.exit_code

    def exited(self) -> bool:
        if self.exit_code is None:
            self.exit_code = self.process.poll()
        return self.exit_code is not None

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the program closed the terminal
            data = b""
        if not data:
            time.sleep(0.01)  # nothing more will come; let the caller see the exit
            return False
        self.stream.feed(data)
        return True

    def close(self) -> None:
        if not self.exited():
            self.process.kill()
            self.process.wait()
        os.close(self.fd)
