"""Whether a saved index can be trusted: what it was made by and from, where it is kept, and its manifest.

A cache is used only when its manifest says it was made by this cache format, with these library
versions, from this corpus folder holding these files as they are now (`fingerprint`); anything
else, and any damage, means it is rebuilt, never trusted. `CACHE_FORMAT` is bumped by hand whenever
what is stored, or how reading, splitting or weighing makes it, changes.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Iterable

from .folder import Warn, article_files

CACHE_FORMAT = 7  # 7: article vectors (articles.npz); 6: "(Photo: ...)" credits without a full stop before them; other encodings read
# The libraries whose versions change what is read, split, stemmed or weighed.
_LIBRARIES = ("markdown-it-py", "sentencex", "PyStemmer", "scikit-learn", "charset-normalizer")


def cache_version() -> str:
    """What a cache must have been made by: the cache format and the libraries' versions."""
    from importlib import metadata

    versions = [f"format {CACHE_FORMAT}"]
    for name in _LIBRARIES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} ?")
    return "\n".join(versions)


def fingerprint(files: Iterable[tuple[str, Path]]) -> str:
    """Changes when any article file is added, removed, renamed or modified, or `cache_version` changes.

    Size, modification time, change time and inode: copying tools can restore a modification time,
    but a write always moves the change time.
    """
    digest = hashlib.sha256(cache_version().encode())
    for article_id, path in files:
        try:
            st = path.stat()
            digest.update(f"{article_id}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}\n".encode())
        except OSError:
            digest.update(f"{article_id}\0?\n".encode())
    return digest.hexdigest()


def corpus_fingerprint(folder: Path | str, cache_root: Path | str | None = None) -> str:
    """The fingerprint of a corpus folder's article files as they are now ("" when the folder is gone):
    equal to a loaded index's `fingerprint` while nothing has changed."""
    folder = Path(folder).expanduser()
    return fingerprint(corpus_files(folder, cache_root)) if folder.is_dir() else ""


def corpus_files(folder: Path, cache_root: Path | str | None = None, warn: Warn | None = None
                 ) -> list[tuple[str, Path]]:
    """The article files of a corpus folder, less any index cache kept inside it."""
    cache = Path(cache_root) if cache_root else default_cache_root()
    return [(i, p) for i, p in article_files(folder, warn) if not _inside(p, cache)]


def _inside(path: Path, folder: Path) -> bool:
    """True for a file in `folder` (a cache kept inside the corpus folder is not part of the corpus)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def default_cache_root() -> Path:
    env = os.environ.get("NEWSBOT_CACHE")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir
    return Path(user_cache_dir("newsbot", appauthor=False))


def cache_slot(cache_root: Path, corpus: str) -> Path:
    """The folder that holds the cache of one corpus folder (given as its resolved path)."""
    return cache_root / hashlib.sha256(corpus.encode()).hexdigest()[:16]


def write_manifest(folder: Path, stamp: dict) -> None:
    (folder / "manifest.json").write_text(json.dumps({**stamp, "format": CACHE_FORMAT}), encoding="utf-8")


def read_manifest(folder: Path, stamp: dict) -> dict:
    """The manifest of a saved index; raises ValueError unless it was made by this format with every
    value of `stamp` (OSError when there is none)."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if not isinstance(manifest, dict) or manifest.get("format") != CACHE_FORMAT \
            or any(manifest.get(k) != v for k, v in stamp.items()):
        raise ValueError("cache is stale")
    skipped = manifest.get("skipped", [])
    if not isinstance(skipped, list) or not all(isinstance(m, str) for m in skipped):
        raise ValueError("cache manifest is damaged")
    return manifest
