"""What a warm `ask` leaves out at start-up, and the shortcuts it takes, still giving the same answers."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

from retrieval.cache import _LIBRARIES, installed_versions


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
    for _ in range(2):  # builds the cache, then checks its checksums once (a warm `ask` has them noted)
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
