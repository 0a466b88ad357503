"""Hostile and damaged input: symbolic links, terminal escapes, text a parser would drop, batch lines that break."""

from __future__ import annotations

import json

from tests import in_process
from tests.conftest import PYTHON, ROOT, SEEDS, run_env, warm, write

STORY = "# Harbour reopens\n\nThe harbour master said the port reopened on Monday after the storm.\n"


def newsbot(*args: str, stdin: str | None = None, **env: str):
    """The command line, in this process (tests/in_process.py); the terminal tests below start real ones."""
    return in_process.newsbot(*args, stdin=stdin, env=run_env(**env), cwd=ROOT)


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


# -- terminal escapes and long metadata ---------------------------------------------------------------


def on_a_terminal(*args: str) -> "Terminal":
    from tests.terminal import Terminal

    return Terminal([PYTHON, "-m", "bot", *args], run_env(), cwd=str(ROOT), columns=200, lines=40)


HOSTILE_NAME = "evil\x1b]0;PWNED\x07\x1b[2J.txt"
HOSTILE_TEXT = ("# Harbour \x1b]0;OWNED\x07reopens\n\n"
                "The harbour master said the port reopened on Monday \u009b2J after the storm.\n")


def test_escapes_in_file_names_and_text_reach_a_real_terminal_only_as_visible_text(tmp_path):
    write(tmp_path, HOSTILE_NAME, HOSTILE_TEXT)
    (tmp_path / "loop\x1b]0;LOOP\x07.txt").symlink_to(tmp_path / "loop\x1b]0;LOOP\x07.txt")  # a warning naming it
    warm(tmp_path)  # a loaded cache still names the skipped files
    for args in (["sources"], ["ask", "When did the port reopen?"]):
        terminal = on_a_terminal(*args, "--corpus", str(tmp_path))
        try:
            assert terminal.wait_for_exit(60) == 0, terminal.text()
            shown = terminal.flow()
            assert terminal.screen.title == ""  # no OSC 0 got through to retitle the window
            assert "\\x1b" in shown  # the escapes are shown, not obeyed
            assert "Harbour" in shown and "newsbot" in shown  # and the screen was not cleared
        finally:
            terminal.close()
    asked = newsbot("ask", "--corpus", str(tmp_path), "When did the port reopen?")
    assert "\u009b" not in asked.stdout and "\x1b" not in asked.stdout + asked.stderr and "\\x9b" in asked.stdout


def test_an_article_id_with_escapes_in_an_ask_line_is_not_echoed_raw(tmp_path):
    write(tmp_path, "harbour.txt", STORY)
    line = json.dumps({"question": "When did the port reopen?", "article": "x\x1b]0;PWNED\x07"}) + "\n"
    plain = newsbot("ask", "-", "--corpus", str(tmp_path), stdin=line)
    as_json = newsbot("ask", "-", "--json", "--corpus", str(tmp_path), stdin=line)
    assert "\x1b" not in plain.stdout + plain.stderr and "\\x1b" in plain.stdout
    assert "\x1b" not in as_json.stdout + as_json.stderr


def test_bytes_in_a_question_argument_that_are_not_utf8_are_replacement_characters_in_json(tmp_path):
    write(tmp_path, "harbour.txt", STORY)
    undecodable = b"When did the port reopen\x9b?".decode("utf-8", "surrogateescape")  # as Python reads argv
    result = newsbot("ask", "--json", "--corpus", str(tmp_path), undecodable)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["question"] == "When did the port reopen\ufffd?" and "reopened on Monday" in data["reply"]
    assert "\\udc9b" not in result.stdout


def test_a_10_mb_headline_is_clipped_in_every_answer(tmp_path):
    write(tmp_path, "huge.txt", "# " + "headline " * 1_100_000 + "\n\n" + STORY.split("\n\n", 1)[1])
    result = newsbot("ask", "--corpus", str(tmp_path), "When did the port reopen?")
    assert "reopened on Monday" in result.stdout
    assert len(result.stdout) < 2000


def test_an_answer_from_a_file_that_is_one_huge_line_is_clipped_in_the_reply_and_whole_in_the_json(tmp_path):
    write(tmp_path, "dump.txt", "Dump\n" + "The harbour of Skarn reopened on Monday after the storm " + "and more words " * 2000 + "\n")
    result = newsbot("ask", "--json", "--corpus", str(tmp_path), "When did the harbour of Skarn reopen?")
    data = json.loads(result.stdout)
    first = data["reply"].splitlines()[0]
    assert first.startswith("The harbour of Skarn reopened on Monday") and first.endswith("…") and len(first) <= 1500
    assert len(data["answers"][0]["text"]) > 4000  # the sentence itself, as split (at most 5,000 characters)


def test_c1_controls_in_article_text_are_shown_not_obeyed_by_the_console(tmp_path):
    write(tmp_path, "harbour.txt", HOSTILE_TEXT)
    warm(tmp_path)
    terminal = on_a_terminal("console", "--corpus", str(tmp_path))
    try:
        terminal.wait_until(lambda: terminal.cursor_line() == "you> ", "the prompt")
        terminal.type(b"when did the port reopen?\r")
        terminal.wait_until(lambda: "after the storm" in terminal.flow(), "the answer")
        shown = terminal.flow()
        assert "\\x9b2J" in shown and "newsbot" in shown  # shown as text; the greeting was not cleared
        assert terminal.screen.title == ""
    finally:
        terminal.close()


# -- index --------------------------------------------------------------------------------------------


def test_index_fails_with_one_line_when_the_cache_cannot_be_written(tmp_path):
    write(tmp_path / "corpus", "harbour.txt", STORY)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be\n")
    result = newsbot("index", "--corpus", str(tmp_path / "corpus"), "--cache-dir", str(blocked / "cache"))
    assert result.returncode != 0
    problems = [line for line in result.stderr.splitlines() if "error" in line or "warning" in line]
    assert len(problems) == 1 and "could not write the index cache" in problems[0]
    assert "Traceback" not in result.stderr


# -- batch lines ----------------------------------------------------------------------------------------

NESTED = '{"q": ' * 50_000 + "1" + "}" * 50_000


def test_a_deeply_nested_json_line_is_one_bad_line_and_the_next_is_still_answered():
    lines = f'{NESTED}\n{{"question": "\\ud800"}}\nWho denied conducting the first strikes?\n'
    result = newsbot("ask", "-", "--json", "--corpus", str(SEEDS), stdin=lines)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-500:]
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == 3
    assert "nested too deeply" in answers[0]["reply"]
    assert answers[1]["question"] == "\ud800"  # the lone surrogate given back as JSON's own escape
    assert answers[2]["answered"] is True


def test_a_deeply_nested_line_in_an_eval_file_is_one_clear_error(tmp_path):
    questions = write(tmp_path, "questions.jsonl", NESTED + "\n")
    result = newsbot("eval", str(questions), "--corpus", str(SEEDS))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "not valid JSON" in result.stderr and result.stderr.count("\n") == 1
