"""The README's examples, run: each block after an `<!-- example: COMMAND -->` line is what COMMAND prints.

COMMAND is a bash command line run from the repository root with `newsbot` meaning this checkout's
`python -m bot` (a line that is nothing but a `newsbot` command is run in this process instead,
tests/in_process.py), the bundled seeds as the corpus and a warm index cache (so no "building the index"
line). A block's lines starting with `you> ` are what a reader types: they are fed to the command's
stdin and are not part of what it prints. A `json` block holds one JSON value per output line, laid
out as the README likes (compared as values); any other block is compared as text, exactly.

`python -m tests.readme_examples --update` rewrites the blocks with what the commands print now.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
_EXAMPLE = re.compile(r"^<!-- example: (?P<command>.+?) -->\n```(?P<lang>\w*)\n(?P<block>.*?)^```$",
                      re.MULTILINE | re.DOTALL)
PROMPT = "you> "


@dataclass(frozen=True)
class Example:
    command: str
    lang: str
    block: str  # the block's text, its closing newline included
    span: tuple[int, int]  # of the block's text in the README

    @property
    def typed(self) -> str:
        return "".join(line[len(PROMPT):] + "\n" for line in self.block.splitlines() if line.startswith(PROMPT))

    @property
    def shown(self) -> str:
        """What the block says the command prints."""
        return "".join(line + "\n" for line in self.block.splitlines() if not line.startswith(PROMPT))


def examples(text: str) -> list[Example]:
    return [Example(m["command"], m["lang"], m["block"], m.span("block")) for m in _EXAMPLE.finditer(text)]


class Runner:
    """Runs README commands as a reader would, in a scratch folder holding the `newsbot` shim."""

    def __init__(self, scratch: Path):
        self.scratch = scratch
        shim = scratch / "bin" / "newsbot"
        shim.parent.mkdir(parents=True, exist_ok=True)
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m bot "$@"\n')
        shim.chmod(0o755)
        self.env = dict(os.environ)
        self.env.pop("NEWSBOT_CORPUS", None)
        self.env.pop("NEWSBOT_MAX_FILE_MB", None)
        self.env.update(PATH=f"{shim.parent}{os.pathsep}{self.env.get('PATH', '')}",
                        PYTHONPATH=f"{ROOT}{os.pathsep}{self.env.get('PYTHONPATH', '')}",
                        NEWSBOT_CACHE=str(scratch / "cache"), NO_COLOR="1", COLUMNS="100")
        from tests import in_process

        in_process.newsbot("index", env=self.env, cwd=ROOT)  # warm: the examples show no "building the index" line

    def run(self, command: str, stdin: str = "") -> str:
        words = shlex.split(command)
        if words[0] == "newsbot" and not set(command) & set("|;&<>$`\\"):
            # A plain `newsbot ...` line: the same command line, run in this process (tests/in_process.py).
            from tests import in_process

            return in_process.newsbot(*words[1:], stdin=stdin, env=self.env, cwd=ROOT).stdout
        done = subprocess.run(["bash", "-c", command], input=stdin, capture_output=True, text=True,
                              cwd=ROOT, env=self.env, timeout=300)
        return done.stdout


def json_values(text: str) -> list:
    """The JSON values in a text, one after another (laid out over any number of lines)."""
    decoder, values, at = json.JSONDecoder(), [], 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return values
        value, at = decoder.raw_decode(text, at)
        values.append(value)


def matches(example: Example, printed: str) -> bool:
    if example.lang == "json":
        return json_values(example.shown) == json_values(printed)
    return example.shown == printed


def layout(value) -> str:
    """A JSON value as the README shows it: one key a line at the top, a list's items a line each."""
    if not isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)

    def item(v) -> str:
        if isinstance(v, list) and v:
            return "[\n" + ",\n".join(f"    {json.dumps(x, ensure_ascii=False)}" for x in v) + "\n  ]"
        return json.dumps(v, ensure_ascii=False)

    lines = [f"  {json.dumps(k, ensure_ascii=False)}: {item(v)}" for k, v in value.items()]
    return "{\n" + ",\n".join(lines) + "\n}"


def updated(text: str, runner: Runner) -> str:
    """The README with every example block replaced by what its command prints now."""
    for example in reversed(examples(text)):
        printed = runner.run(example.command, example.typed)
        if example.lang == "json":
            block = "\n".join(layout(v) for v in json_values(printed)) + "\n"
        else:
            typed = "".join(PROMPT + line + "\n" for line in example.typed.splitlines())
            block = typed + printed
        text = text[:example.span[0]] + block + text[example.span[1]:]
    return text


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        raise SystemExit("usage: python -m tests.readme_examples --update")
    with tempfile.TemporaryDirectory() as scratch:
        README.write_text(updated(README.read_text(encoding="utf-8"), Runner(Path(scratch))), encoding="utf-8")
