"""Hostile and damaged input: symbolic links, terminal escapes, text a parser would drop, batch lines that break."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import PYTHON, ROOT, SEEDS, run_env, write

STORY = "# Harbour reopens\n\nThe harbour master said the port reopened on Monday after the storm.\n"


def newsbot(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "bot", *args], cwd=ROOT, env=run_env(**env), input=stdin,
                          capture_output=True, text=True, timeout=120)


# -- symbolic links ---------------------------------------------------------------------------------


def test_a_loop_of_file_links_is_named_and_skipped_and_the_rest_answered(tmp_path):
    write(tmp_path, "harbour.txt", STORY)
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    result = newsbot("ask", "--corpus", str(tmp_path), "When did the port reopen?")
    assert result.returncode == 0, result.stderr
    assert "reopened on Monday" in result.stdout
    assert "Traceback" not in result.stderr and "a.txt" in result.stderr and "loop" in result.stderr


def test_a_link_to_a_file_outside_the_corpus_is_not_served_without_follow_links(tmp_path):
    corpus, outside = tmp_path / "corpus", tmp_path / "private"
    write(corpus, "harbour.txt", STORY)
    write(outside, "secret.txt", "# Payroll\n\nThe director earns forty thousand pounds a month in salary.\n")
    (corpus / "secret.txt").symlink_to(outside / "secret.txt")
    (corpus / "passwd.txt").symlink_to("/etc/passwd")
    result = newsbot("sources", "--json", "--corpus", str(corpus))
    assert result.returncode == 0, result.stderr
    assert [s["id"] for s in json.loads(result.stdout)] == ["harbour"]
    assert "secret.txt" in result.stderr and "passwd.txt" in result.stderr and "outside" in result.stderr
    followed = newsbot("sources", "--json", "--follow-links", "--corpus", str(corpus))
    assert "secret" in [s["id"] for s in json.loads(followed.stdout)]


def test_a_link_to_a_file_inside_the_corpus_is_read(tmp_path):
    write(tmp_path, "harbour.txt", STORY)
    (tmp_path / "latest.txt").symlink_to(tmp_path / "harbour.txt")
    result = newsbot("sources", "--json", "--corpus", str(tmp_path))
    assert sorted(s["id"] for s in json.loads(result.stdout)) == ["harbour", "latest"]
