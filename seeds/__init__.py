"""The corpus bundled with newsbot: the articles a fresh install answers from."""

from pathlib import Path


def folder() -> Path:
    """Where the bundled article files are, installed or in a checkout."""
    return Path(__file__).resolve().parent
