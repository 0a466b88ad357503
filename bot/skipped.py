"""The article files left out of the index, as the person running newsbot is told of them.

Opening a corpus names every file it leaves out ("skipped notes.txt: not UTF-8 …"), and so does opening
it again from the cache. A person who runs `newsbot ask` from a script, or a console or bot that reopens
the folder whenever another file changes, would read the same lines over and over. So:

- a skipped file is named once in a process: a reload for other files' changes does not name it again
  (it is named again when its reason changes; one that was read, then broke again for the same
  reason, is not named a second time);
- when the index comes from the cache unchanged, the files skipped when it was built are one line,
  `4 files skipped, as when the index was built (newsbot index names them)`. (`newsbot index`, which
  names each every time, does not use this.)
"""

from __future__ import annotations

from typing import Callable


class SkipNotes:
    """A warning callback for `AnsweringService.open` and its reloads that says skipped files as above."""

    def __init__(self, say: Callable[[str], None]):
        self.say = say
        self.named: set[str] = set()
        self.held: list[str] | None = None

    def __call__(self, message: str) -> None:
        if not message.startswith("skipped "):
            self.say(message)
        elif self.held is not None:
            self.held.append(message)
        elif message not in self.named:
            self.named.add(message)
            self.say(message)

    def hold(self) -> None:
        """Keep the skipped files' lines until `opened` says whether the index came from the cache."""
        self.held = []

    def opened(self, from_cache: bool) -> None:
        held, self.held = self.held or [], None
        if from_cache and len(held) > 1:
            self.named.update(held)
            self.say(f"{len(held):,} files skipped, as when the index was built (newsbot index names them)")
            return
        for message in held:
            self(message)
