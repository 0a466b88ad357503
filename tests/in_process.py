"""The newsbot command line run inside the test process, the way a subprocess would see it.

`newsbot(*args, stdin=..., env=..., cwd=...)` calls `bot.cli.main(args)` with its own stdin, stdout and
stderr (pipes, not terminals: bytes in, text decoded out as `subprocess.run(text=True)` decodes it), the
given environment and working folder, and returns what `subprocess.run` would: `returncode`, `stdout`,
`stderr`. Everything it changes (the environment, the folder, the standard streams, the logging and
warnings set-up) is put back afterwards. It saves the interpreter's start-up and imports, about a second
of CPU per run; the tests whose point is a real process (signals, exit on a pipe, the terminal, the
installed script) still start one, and each command family keeps at least one such run.

An exception the command does not handle fails the test with its traceback, where a subprocess would
have printed it and exited 1: stricter, never looser.
"""

from __future__ import annotations

import contextlib
import io
import locale
import logging
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Ran:
    """What `subprocess.run(..., capture_output=True, text=True)` gives back, for an in-process run."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def newsbot(*args: str, stdin: str | bytes | None = None, env: dict[str, str] | None = None,
            cwd: str | Path | None = None) -> Ran:
    """Run `newsbot ARGS` in this process; `env` (when given) replaces the whole environment for the run."""
    from bot import cli

    encoding = locale.getpreferredencoding(False)
    data = stdin.encode(encoding) if isinstance(stdin, str) else (stdin or b"")
    # As Python sets its standard streams up on pipes: newlines split at "\n" and never translated.
    streams = {
        "stdin": io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="surrogateescape", newline="\n"),
        "stdout": io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="surrogateescape", newline="\n",
                                   write_through=True),
        "stderr": io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="backslashreplace", newline="\n",
                                   write_through=True),
    }
    saved_streams = {name: getattr(sys, name) for name in streams}
    saved_env = dict(os.environ)
    saved_cwd = os.getcwd()
    root = logging.getLogger()
    saved_logging = (root.handlers[:], root.level)
    code: int | str | None
    try:
        with warnings.catch_warnings():
            if env is not None:
                os.environ.clear()
                os.environ.update(env)
            if cwd is not None:
                os.chdir(cwd)
            for name, stream in streams.items():
                setattr(sys, name, stream)
            try:
                code = cli.main(list(args))
            except SystemExit as exit_:  # argparse's usage errors, --help and --version
                code = exit_.code
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
    finally:
        for name, stream in saved_streams.items():
            setattr(sys, name, stream)
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        root.handlers[:], level = saved_logging
        root.setLevel(level)
        logging.captureWarnings(False)
    stdout = streams["stdout"].buffer.getvalue().decode(encoding)  # strict, as subprocess.run decodes
    stderr = streams["stderr"].buffer.getvalue().decode(encoding)
    if isinstance(code, str):  # SystemExit("message"): Python prints it and exits 1
        stderr, code = stderr + code + "\n", 1
    with contextlib.suppress(Exception):
        for stream in streams.values():
            stream.close()
    return Ran(args, 0 if code is None else int(code), stdout, stderr)
