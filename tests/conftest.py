"""Shared fixtures: the bundled corpus, throwaway corpora and cache folders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own index cache, so none sees another's."""
    monkeypatch.setenv("NEWSBOT_CACHE", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("NEWSBOT_CORPUS", raising=False)


@pytest.fixture(scope="session")
def seed_service(tmp_path_factory):
    from bot.service import AnsweringService

    return AnsweringService.open(SEEDS, tmp_path_factory.mktemp("seed-cache"))


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def run_env(**extra: str) -> dict[str, str]:
    """Environment for running the CLI as a subprocess from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


PYTHON = sys.executable
