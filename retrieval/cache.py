"""Whether a saved index can be trusted: what it was made by and from, where it is kept, its manifest and checksums.

A cache is used only when its manifest says it was made by this cache format, with these library
versions, from this corpus folder holding these files as they are now (`fingerprint`), and every file
it holds still has the size and checksum (XXH3-64) written with it; anything else means it is rebuilt, never
trusted. `CACHE_FORMAT` is bumped by hand whenever what is stored, or how reading, splitting or
weighing makes it, changes.

A cache slot (`cache_slot`) is a symbolic link to one finished build (a hidden folder beside it). A
build writes a new folder, flushes it to disk, then swaps the link in one `os.replace`: a build
stopped at any point leaves the previous cache as it was.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import re
import shutil
import struct
import sys
import time
from functools import lru_cache
from itertools import starmap
from pathlib import Path
from typing import Iterable, Sequence

from .folder import Warn, article_files

# 6: "(Photo: ...)" credits without a full stop before them; other encodings read. 7: checksums, files.json.
# 8: the days each sentence names (days.npy, day_positions.npy)
# 9: article vectors (articles.npz, documents.py).
# 10: headlines and front matter clipped when read; each article's metadata a JSON row of its own
# (article_meta.utf8), decoded when asked for. 11: a speaker that opens its sentence ("The inquiry
# said") without the capital of its article ("the inquiry"). 12: where it was said ("told reporters
# outside the town hall") no part of the speaker; the kinds' QUOTE bit (a sentence with a speaker).
# 13: `date:` read as `published`; ", on Sunday" after a speaker's title no part of it. 14: `outlet:` and
# `publisher:` read as `source`. 15: a header of `Title: …` lines without `---` lines read as front matter.
# 16: a file that is a whole HTML page is skipped (named, with `newsbot add` to extract its article);
# "the day before yesterday" and "the day after tomorrow" are two days off, not one; "tomorrow" is read.
# 17: a quotation that goes on after its speaker's sentence in the paragraph is the speaker's too; an
# adverb between a speaker and the verb ("She also said") is no part of the speaker. 18: a weekday looks
# ahead only when its own clause is about what is to come; "Monday night", "yesterday morning" are one
# expression. 19: a weekday set off by commas takes the tense of the clause around it; a quotation goes
# on with the speaker before only after a sentence that quotes them. 20: `published` read from the
# forms feeds and exporters write ("Tue, 14 May 2024 10:00:00 GMT", "3 May 2024"), else left out.
# 21: a year-first `published` ("2024/05/03") is read too. 22: the days ahead a sentence names come in
# order ("begin on Monday and last until Friday": the Friday after that Monday). 23: "promised", "vowed",
# "admitted" and the like are reporting verbs; "managing director Joanna Hale said" names her;
# ", Mr Lind wrote that" names him. 24: a file of one paragraph is an article headed by its first sentence;
# front matter with no closing `---` is read as a header, not skipped. 25: "promised", "admitted" and the
# like report a claim only before "that", "to" or a quotation (or after he, she, they); only a span's end
# ("until Friday", "to Friday") is put after the day ahead before it; a brief's headline is its first
# sentence as sentences are split, and a lone line ending "!" is a headline.
# 26: a claim verb closing a quotation or followed by a when ("vowed on Monday to") reports again;
# "between Monday and Friday" and "close on Monday and reopen on Friday" are spans.
CACHE_FORMAT = 26
# The libraries whose versions change what is read, split, stemmed or weighed.
_LIBRARIES = ("markdown-it-py", "sentencex", "PyStemmer", "charset-normalizer")
MANIFEST = "manifest.json"
_CHECKSUM_THREADS = 4
_FSYNC_THREADS = 8

FileKey = tuple  # (size, mtime_ns, ctime_ns, inode) of an article file, or () when it cannot be read
_KEY_ROW = struct.Struct("=4q")  # a key as the fingerprint hashes it: four native int64 (as numpy's were)


class CacheDamaged(ValueError):
    """A saved index whose files are not what its manifest says they were when written."""


class CacheStale(ValueError):
    """A sound saved index made by another format or library version, or from another folder."""


@lru_cache(maxsize=1)
def cache_version() -> str:
    """What a cache must have been made by: the cache format and the libraries' versions."""
    versions = [f"format {CACHE_FORMAT}"]
    found = installed_versions(_LIBRARIES)
    versions.extend(f"{name} {found.get(name, '?')}" for name in _LIBRARIES)
    return "\n".join(versions)


def installed_versions(names: Sequence[str]) -> dict[str, str]:
    """The version of each named distribution that is installed, where `importlib.metadata` would find
    it: the first entry of sys.path that holds it wins.

    Read from the name of its `{name}-{version}.dist-info` folder (one listing per sys.path folder):
    importing importlib.metadata and parsing each METADATA file took 30-70 ms of every `ask`. A
    distribution recorded in any other way (an .egg-info, a zip on sys.path, a name spelt otherwise)
    is asked of importlib.metadata instead.
    """
    wanted = {_normal(name): name for name in names}
    found: dict[str, str] = {}
    ask: list[str] = []
    for entry in sys.path:
        if not wanted:
            break
        try:
            listed = os.listdir(entry or ".")
        except NotADirectoryError:  # a zip file: importlib.metadata reads inside it (below)
            break
        except OSError:
            continue
        for item in listed:
            stem, dot, kind = item.rpartition(".")
            if not dot or kind not in ("dist-info", "egg-info"):
                continue
            # name-version.dist-info (a version holds no "-"); name-version-py3.x.egg-info or name.egg-info
            name, _, version = stem.rpartition("-") if kind == "dist-info" else (stem.split("-", 1)[0], "", "")
            name = wanted.pop(_normal(name), None)
            if name is None:
                continue
            if version:
                found[name] = version
            else:
                ask.append(name)
    ask.extend(wanted.values())  # spelt in some other way, or not installed: importlib.metadata says which
    if ask:
        from importlib import metadata

        for name in ask:
            try:
                found[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                pass
    return found


def _normal(name: str) -> str:
    """A distribution name as its .dist-info folder spells it (PEP 503 normalized, "_" for separators)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def file_keys(files: Iterable[tuple[str, str | Path]]) -> list[FileKey]:
    """Size, modification time, change time and inode of each file: copying tools can restore a
    modification time, but a write always moves the change time."""
    keys: list[FileKey] = []
    for _, path in files:
        try:
            st = os.stat(path)
        except OSError:
            keys.append(())
        else:
            keys.append((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return keys


def fingerprint(files: Sequence[tuple[str, str | Path]], keys: Sequence[FileKey] | None = None) -> str:
    """Changes when any article file is added, removed, renamed or modified, or `cache_version` changes."""
    digest = hashlib.sha256(cache_version().encode())
    keys = file_keys(files) if keys is None else keys
    digest.update("\n".join(article_id for article_id, _ in files).encode("utf-8", "surrogateescape"))
    # The keys as one table of 64-bit numbers (-1 for a file that cannot be read): no text made per
    # file, and no numpy (a listing made before numpy is imported hashes them: prefetch.py).
    rows = keys if all(keys) else [key or (-1, -1, -1, -1) for key in keys]
    digest.update(b"".join(starmap(_KEY_ROW.pack, rows)))
    return digest.hexdigest()


def corpus_fingerprint(folder: Path | str, cache_root: Path | str | None = None) -> str:
    """The fingerprint of a corpus folder's article files as they are now ("" when the folder is gone):
    equal to a loaded index's `fingerprint` while nothing has changed."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        return ""
    keys: list[FileKey] = []
    found = corpus_files(folder, cache_root, keys=keys)
    return fingerprint(found, keys)


def corpus_files(folder: Path, cache_root: Path | str | None = None, warn: Warn | None = None,
                 keys: list | None = None) -> list[tuple[str, str | Path]]:
    """The article files of a corpus folder, less any index cache kept inside it; with `keys` (a
    list), each file's key (`file_keys`) is appended to it, from the same listing."""
    cache = Path(cache_root) if cache_root else default_cache_root()
    listed: list[FileKey] | None = [] if keys is not None else None
    found = article_files(folder, warn, keys=listed)
    try:  # resolved once: only a cache kept inside the corpus folder can hold any of its files
        inside = Path(os.path.realpath(cache)).is_relative_to(os.path.realpath(folder))
    except OSError:
        inside = False
    if not inside:
        if keys is not None:
            keys.extend(listed)
        return found
    kept = [n for n, (_, p) in enumerate(found) if not _inside(Path(p), cache)]
    if keys is not None:
        keys.extend(listed[n] for n in kept)
    return [found[n] for n in kept]


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
    """The link to the cache of one corpus folder (given as its resolved path)."""
    return cache_root / hashlib.sha256(corpus.encode()).hexdigest()[:16]


# -- writing: a new folder, checksummed, flushed, then swapped in --------------------------------
def new_build(slot: Path) -> Path:
    """An empty hidden folder beside `slot` to write a build into."""
    slot.parent.mkdir(parents=True, exist_ok=True)
    import tempfile

    return Path(tempfile.mkdtemp(prefix=f".{slot.name}.tmp-", dir=slot.parent))


def write_manifest(folder: Path, stamp: dict) -> None:
    """The manifest, with the size and checksum of every other file in `folder`."""
    checksums = {p.name: [p.stat().st_size, _checksum_read(p)] for p in sorted(folder.iterdir())
                 if p.name != MANIFEST}
    manifest = {**stamp, "format": CACHE_FORMAT, "version": cache_version(), "checksums": checksums}
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def publish(build: Path, slot: Path, keep: str | None = None, expect: str | None = None) -> bool:
    """Make a finished build the cache at `slot`: its files flushed to disk, then the link swapped
    atomically; the builds it replaces (and builds left half-written long ago) are removed, except
    `keep` (the base build a delta stands on). With `expect`, only when the slot still leads to that
    build (a merge made while another build was published is dropped): False when it was not published."""
    if expect is not None and _target(slot) != expect:
        shutil.rmtree(build, ignore_errors=True)
        return False
    files = list(build.iterdir())
    if files:  # flushed side by side: the disk takes them together (a quarter of the time on a busy one)
        from concurrent.futures import ThreadPoolExecutor  # here, not at the top: a build needs it, a load not

        with ThreadPoolExecutor(min(_FSYNC_THREADS, len(files))) as pool:
            list(pool.map(_fsync_file, files))
    _fsync_dir(build)
    final = build.with_name(f".{slot.name}.gen-{build.name.rsplit('-', 1)[-1]}")
    os.replace(build, final)
    link = slot.with_name(f".{slot.name}.link-{os.getpid()}-{time.monotonic_ns()}")
    os.symlink(final.name, link)
    if slot.is_dir() and not slot.is_symlink():  # a cache written by an older newsbot
        shutil.rmtree(slot, ignore_errors=True)
    os.replace(link, slot)
    _fsync_dir(slot.parent)
    old_enough = time.time() - 3600
    for other in slot.parent.glob(f".{slot.name}.*"):
        try:
            if other.name.startswith(f".{slot.name}.gen-") and other != final and other.name != keep \
                    or other.name.startswith(f".{slot.name}.tmp-") and other.stat().st_mtime < old_enough:
                shutil.rmtree(other, ignore_errors=True)
            elif other.name.startswith(f".{slot.name}.checked-") and not other.with_name(
                    other.name[:-len(".json")].replace(".checked-", ".gen-", 1)).exists():
                other.unlink()
        except OSError:
            pass
    return True


def _target(slot: Path) -> str | None:
    """The name of the build the slot leads to, or None."""
    try:
        return os.readlink(slot)
    except OSError:
        return None


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- reading: the manifest, then every file checked against it ------------------------------------
def read_manifest(folder: Path, stamp: dict) -> dict:
    """The manifest of a saved index, after checking every file it lists against its checksum.

    Raises OSError when there is none, CacheDamaged when it or any file is damaged, and CacheStale
    when it is sound but made by another format or version, or for other values of `stamp`.
    """
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CacheDamaged(f"{MANIFEST} is not readable") from None
    if not isinstance(manifest, dict):
        raise CacheDamaged(f"{MANIFEST} is not readable")
    if manifest.get("format") != CACHE_FORMAT or manifest.get("version") != cache_version():
        raise CacheStale("cache was made by another version")
    checksums = manifest.get("checksums")
    skipped = manifest.get("skipped", [])
    if not isinstance(checksums, dict) or not isinstance(skipped, list) \
            or not all(isinstance(m, str) for m in skipped):
        raise CacheDamaged(f"{MANIFEST} is damaged")
    verify(folder, checksums)
    if any(manifest.get(k) != v for k, v in stamp.items()):
        raise CacheStale("cache is stale")
    return manifest


def verify(folder: Path, checksums: dict) -> None:
    """Raise CacheDamaged unless every listed file (and no other) has its size and checksum.

    A file is hashed whole the first time a build is checked and again whenever it changed on disk
    since (its size, modification time, change time or inode differ from when it last matched, noted
    in a `.checked-` file beside the build): a write through the file system always moves the change
    time, so what could have altered it is caught, and a warm `ask` does not read the whole cache.
    """
    names = {p.name for p in folder.iterdir()} - {MANIFEST}
    if names != set(checksums):
        raise CacheDamaged(f"files missing or added: {', '.join(sorted(names ^ set(checksums)))}")
    memo_path = _memo_path(folder)
    memo = _read_memo(memo_path)
    checked: dict = {}
    unchecked: list[str] = []
    for name, expected in checksums.items():
        path = folder / name
        if not isinstance(expected, list) or len(expected) != 2:
            raise CacheDamaged(f"{name} has the wrong size")
        st = path.stat()
        if st.st_size != expected[0]:
            raise CacheDamaged(f"{name} has the wrong size")
        seen = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, expected[1]]
        checked[name] = seen
        if memo.get(name) != seen:
            unchecked.append(name)
    # Largest first, on a few threads: XXH3 releases the interpreter lock, so the files are read from
    # disk side by side and hashed on every core (a cold 1M-sentence cache: 0.67 s on one thread).
    largest_first = sorted(unchecked, key=lambda name: -checksums[name][0])
    if largest_first:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(_CHECKSUM_THREADS) as pool:
            for name, actual in zip(largest_first, pool.map(lambda name: _checksum(folder / name), largest_first)):
                if actual != checksums[name][1]:
                    raise CacheDamaged(f"{name} does not match its checksum")
        if memo_path is not None:
            _write_memo(memo_path, checked)


def _memo_path(folder: Path) -> Path | None:
    """Where the note of a build's checked files is kept (beside it: the build itself is checksummed)."""
    if ".gen-" not in folder.name:
        return None
    return folder.with_name(folder.name.replace(".gen-", ".checked-", 1) + ".json")


def _read_memo(path: Path | None) -> dict:
    if path is None:
        return {}
    try:
        memo = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return memo if isinstance(memo, dict) else {}


def _write_memo(path: Path, checked: dict) -> None:
    """Written atomically; a cache folder this process cannot write to just goes without it."""
    try:
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(checked), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass


def _checksum(path: Path) -> str:
    """XXH3-64 of the file's bytes, read through a memory map: several times faster than zlib's CRC-32,
    which would put a 1M-sentence cache's load over a second."""
    import xxhash

    with open(path, "rb") as handle:
        if not os.fstat(handle.fileno()).st_size:
            return xxhash.xxh3_64_hexdigest(b"")
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
            return xxhash.xxh3_64_hexdigest(view)


def _checksum_read(path: Path) -> str:
    """`_checksum` of a file read a block at a time, as a build checks what it wrote: mapped whole,
    its largest file would count in the building process's memory on top of everything it holds."""
    import xxhash

    digest = xxhash.xxh3_64()
    block = bytearray(1 << 20)
    with open(path, "rb") as handle:
        while True:
            n = handle.readinto(block)
            if not n:
                return digest.hexdigest()
            digest.update(memoryview(block)[:n])
