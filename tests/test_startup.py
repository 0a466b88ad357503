"""What a warm `ask` leaves out at start-up, and the shortcuts it takes, still giving the same answers."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata

from retrieval import open_corpus
from retrieval.cache import _LIBRARIES, corpus_fingerprint, installed_versions
from retrieval.prefetch import Prefetch
from .conftest import warm, write


def test_installed_versions_agree_with_importlib_metadata():
    names = [*_LIBRARIES, "numpy", "newsbot"]
    assert installed_versions(names) == {name: metadata.version(name) for name in names}


def test_installed_versions_take_the_first_sys_path_entry_and_leave_out_missing(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    (first / "Made_Up.Lib-2.0.dist-info").mkdir(parents=True)
    (second / "made_up_lib-1.0.dist-info").mkdir(parents=True)
    # An .egg-info says no version in its name: importlib.metadata reads it (PKG-INFO).
    (second / "other_lib.egg-info").mkdir()
    (second / "other_lib.egg-info" / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: other-lib\nVersion: 3.1\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "missing"), str(first), str(second)])
    assert installed_versions(["made-up-lib", "other-lib", "not-installed"]) == {"made-up-lib": "2.0",
                                                                                 "other-lib": "3.1"}


def test_ask_imports_no_reading_splitting_or_metadata_modules(tmp_path):
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.md").write_text("# Storm\n\nThe storm hit Lima on Monday, officials said.\n")
    command = ["-m", "bot", "--corpus", str(tmp_path / "news"), "--cache-dir", str(tmp_path / "cache"), "ask",
               "What hit Lima?"]
    # The cache is built here (a fresh interpreter would spend a second of CPU importing what builds it);
    # the `ask` then checks its checksums once, as a warm `ask` has them noted.
    warm(tmp_path / "news", tmp_path / "cache")
    subprocess.run([sys.executable, *command], check=True, capture_output=True)
    probe = ("import runpy, sys\n"
             f"sys.argv = ['newsbot', *{command[2:]!r}]\n"
             "try:\n    runpy.run_module('bot', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "Lima" in done.stdout
    loaded = set(done.stderr.split())
    for module in ("retrieval.parts", "retrieval.sentences", "sentencex", "importlib.metadata", "subprocess",
                   "concurrent.futures", "tempfile"):
        assert module not in loaded, module


# -- the change check begun in a child process (retrieval.prefetch.Prefetch) --------------------------

def _story(n: int, fact: str) -> str:
    return f"# Story {n}\n\nThe council of town {n} said {fact} on Monday.\n\nIt met again in the evening.\n"


def _folder(tmp_path):
    folder = tmp_path / "news"
    for n in range(4):
        write(folder, f"s{n}.md", _story(n, f"it counted {100 + n} lamps"))
    return folder


def _opened(folder, cache, warnings=None):
    prefetch = Prefetch(folder, cache)
    assert prefetch._pid, "no child was started"  # the test runs in a process of one thread
    index = open_corpus(folder, cache, warnings.append if warnings is not None else None, prefetch=prefetch)
    return index


def _texts(index) -> str:
    return " ".join(s.text for s in index.corpus.sentences)


def test_a_prefetched_fingerprint_is_the_folders(tmp_path):
    folder = _folder(tmp_path)
    write(folder, "sub/deeper/s9.txt", _story(9, "nothing"))
    prefetch = Prefetch(folder, tmp_path / "cache")
    assert prefetch.fingerprint(folder, tmp_path / "cache", print) == corpus_fingerprint(folder, tmp_path / "cache")
    assert prefetch.fingerprint(folder, tmp_path / "cache", print) is None  # said once


def test_with_a_prefetch_every_kind_of_change_is_seen(tmp_path):
    folder, cache = _folder(tmp_path), tmp_path / "cache"
    assert not _opened(folder, cache).from_cache
    assert _opened(folder, cache).from_cache

    def changed(what: str, then: str | None = None, gone: str | None = None) -> None:
        index = _opened(folder, cache)
        assert not index.from_cache, what
        assert index.fingerprint == corpus_fingerprint(folder, cache), what
        if then:
            assert then in _texts(index), what
        if gone:
            assert gone not in _texts(index), what
        assert _opened(folder, cache).from_cache, what  # and then fresh again

    path = folder / "s1.md"
    # In place, the same size: the folder's modification time does not move; the file's times do.
    before = os.stat(folder).st_mtime_ns
    path.write_text(_story(1, "it counted 901 lamps"), encoding="utf-8")
    assert os.stat(folder).st_mtime_ns == before and path.stat().st_size == len(_story(1, "it counted 101 lamps"))
    changed("edited in place", "901 lamps", "101 lamps")
    write(folder, "s7.md", _story(7, "it counted 777 lamps"))
    changed("added", "777 lamps")
    (folder / "s7.md").unlink()
    changed("deleted", gone="777 lamps")
    (folder / "s2.md").rename(folder / "renamed.md")
    changed("renamed")
    assert _opened(folder, cache).has_article("renamed")
    os.utime(folder / "s3.md")
    changed("touched")
    write(folder, "deep/er/s8.md", _story(8, "it counted 888 lamps"))
    changed("in a subfolder", "888 lamps")
    (folder / "deep" / "er" / "s8.md").write_text(_story(8, "it counted 889 lamps"), encoding="utf-8")
    changed("edited in a subfolder", "889 lamps", "888 lamps")


def test_with_a_prefetch_the_listing_warnings_are_said_once_in_their_place(tmp_path):
    folder, cache = _folder(tmp_path), tmp_path / "cache"
    os.symlink(tmp_path / "nowhere.md", folder / "dangling.md")
    (folder / "broken.md").write_bytes(b"")  # no text: skipped with a warning of the load (from the cache)
    plain: list[str] = []
    open_corpus(folder, cache, plain.append)
    for _ in range(2):
        again: list[str] = []
        assert _opened(folder, cache, again).from_cache
        assert again == plain and sum("dangling.md" in m for m in again) == 1


def test_a_prefetch_of_another_folder_or_cache_is_not_used(tmp_path):
    folder, cache = _folder(tmp_path), tmp_path / "cache"
    other = tmp_path / "other"
    write(other, "o.md", _story(5, "it counted 555 lamps"))
    open_corpus(folder, cache)
    index = open_corpus(other, cache, prefetch=Prefetch(folder, cache))
    assert "555 lamps" in _texts(index) and not index.has_article("s1")
    (folder / "s1.md").write_text(_story(1, "it counted 901 lamps"), encoding="utf-8")
    prefetch = Prefetch(folder, tmp_path / "another-cache")  # made for another cache: not used
    index = open_corpus(folder, cache, prefetch=prefetch)
    assert not index.from_cache and "901 lamps" in _texts(index)
    assert prefetch.fingerprint(folder, tmp_path / "another-cache", print) is None  # its child is gone


def test_the_command_line_answers_after_an_edit_in_place(tmp_path):
    folder, cache = _folder(tmp_path), tmp_path / "cache"
    command = [sys.executable, "-m", "bot", "--corpus", str(folder), "--cache-dir", str(cache), "ask",
               "How many lamps did the council of town 2 count?"]
    warm(folder, cache)  # built here: the point is the edit the next runs see, not the first build
    assert "102 lamps" in subprocess.run(command, capture_output=True, text=True, check=True).stdout
    (folder / "s2.md").write_text(_story(2, "it counted 902 lamps"), encoding="utf-8")  # the same size
    assert "902 lamps" in subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_the_listing_by_open_folder_and_by_path_agree(tmp_path, monkeypatch):
    from retrieval import folder as folder_module

    news = _folder(tmp_path)
    write(news, "sub/a.txt", _story(10, "x"))
    write(news, "sub/.hidden.md", _story(11, "x"))
    write(news, "sub/deeper/b.MD", _story(12, "x"))
    write(news, "notes.csv", "a,b\n")
    os.symlink(news / "sub" / "a.txt", news / "inside-link.md")
    os.symlink(tmp_path / "nowhere", news / "dangling.md")
    os.symlink(news / "sub" / "deeper", news / "linked-folder")

    def listing():
        keys, warnings = [], []
        return folder_module.article_files(news, warnings.append, keys=keys), keys, warnings

    by_folder = listing()
    monkeypatch.setattr(folder_module, "_BY_FOLDER", False)
    assert listing() == by_folder
    found = dict(by_folder[0])
    assert {"sub/a", "sub/deeper/b", "inside-link", "s0"} <= set(found) and "sub/.hidden" not in found
    assert any("dangling.md" in w for w in by_folder[2])
