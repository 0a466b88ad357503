"""A plain (not editable) `pip install .` gives a `newsbot` that answers from the bundled seeds anywhere."""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from .conftest import ROOT


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to copy the checkout")
def test_pip_install_then_ask_from_another_folder(tmp_path):
    source = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(source)], check=True)
    # Uncommitted work is what is under test: lay the working tree over the clone.
    shutil.copytree(ROOT, source, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", "build", ".venv"))
    venv = tmp_path / "venv"
    # No pip of its own (seeding one costs more than the rest of the test): this interpreter's pip
    # installs into it with --python.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    # The dependencies are those of the running interpreter (no network needed); newsbot itself is
    # installed for real from the copy.
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    outer = {sysconfig.get_paths()["purelib"], *site.getsitepackages()}
    Path(purelib, "outer.pth").write_text("\n".join(sorted(outer)) + "\n")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps",
                              "--no-build-isolation", str(source)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    shutil.rmtree(source)  # the installed copy must stand on its own

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run([str(venv / "bin" / "newsbot"), "ask", "Who denied conducting the first strikes?"],
                            capture_output=True, text=True, cwd=elsewhere, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NEWSBOT_CACHE": str(tmp_path / "c")})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Moscow denied conducting the first strikes.")
    assert "Syrian regime amassing for renewed Idlib offensive say rebels" in result.stdout
    telegram = subprocess.run([str(venv / "bin" / "newsbot"), "telegram", "--help"], capture_output=True, text=True,
                              cwd=elsewhere, timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert telegram.returncode == 0 and "--token-file" in telegram.stdout, telegram.stderr
