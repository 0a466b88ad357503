"""Where the corpus is when no folder is given: light to import, so the command line can begin its
change check (retrieval.prefetch.Prefetch) before it imports the index code."""

from __future__ import annotations

import os
from pathlib import Path


def default_corpus() -> Path:
    env = os.environ.get("NEWSBOT_CORPUS")
    if env:
        return Path(env)
    import seeds

    return seeds.folder()


def folder_path(value: str) -> Path:
    """A folder option's value (argparse type); an empty one (`--corpus "$UNSET"`) is an error, not the
    current folder."""
    import argparse

    if not value.strip():
        raise argparse.ArgumentTypeError("an empty path (is the variable it came from unset?)")
    return Path(value)
