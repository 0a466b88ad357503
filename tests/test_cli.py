"""The newsbot command line, run as a user runs it: real files, a real terminal, a real process.

Most tests run the command line in this process (tests/in_process.py: the same argv, stdin, environment
and exit code, without a second of interpreter start-up each); one test per command runs it as the
user does, `python -m bot ...` in a process of its own, and so does every test whose point is the process.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from . import forked
from .conftest import PYTHON, ROOT, SEEDS, run_env, warm, write
from .in_process import newsbot
from .terminal import Terminal

HEADLINE = "Syrian regime amassing for renewed Idlib offensive say rebels"


def newsbot_process(*args: str, stdin: str | None = None, env: dict | None = None,
                    cwd=None) -> subprocess.CompletedProcess:
    """`python -m bot ARGS` in a process of its own."""
    return forked.run([PYTHON, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          env=env or run_env(), cwd=cwd, timeout=120)


def test_ask_prints_the_sentence_and_headline(tmp_path):
    result = newsbot_process("ask", "Who denied conducting the first strikes?", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Moscow denied conducting the first strikes."
    assert HEADLINE in result.stdout
    assert result.stderr == "newsbot: building the index for 1 article…\n"  # a cold cache: said, once


def test_ask_json_is_one_object_with_the_documented_keys():
    result = newsbot("ask", "--json", "--top-k", "2", "How many people were displaced?")
    data = json.loads(result.stdout)
    assert set(data) == {"question", "read_as", "answered", "confidence", "close_call", "reply", "answers"}
    assert data["answered"] is True and data["confidence"] == "answer" and len(data["answers"]) == 2
    assert "half a million people" in data["answers"][0]["text"]


def test_ask_stdin_answers_each_line_in_order_as_json_lines():
    lines = [
        "Who denied conducting the first strikes?",
        json.dumps({"question": "What did Sergei Lavrov say?", "top_k": 1}),
        "hello",
        "{not json",
        json.dumps({"question": "Where did jets strike?", "article": "idlib", "top_k": 2}),
        json.dumps({"question": "Where did jets strike?", "article": "missing"}),
        "What is the capital of France?",
    ]
    result = newsbot("ask", "-", "--json", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(lines)
    assert out[0]["answers"][0]["text"] == "Moscow denied conducting the first strikes."
    assert out[1]["question"] == "What did Sergei Lavrov say?" and len(out[1]["answers"]) == 1
    assert "Lavrov" in out[1]["answers"][0]["text"]
    assert out[2]["answered"] is False and "Ask a question" in out[2]["reply"] and "quit" not in out[2]["reply"]
    assert out[3]["answered"] is False and "Could not read" in out[3]["reply"]
    assert len(out[4]["answers"]) == 2
    assert out[5]["answered"] is False and "missing" in out[5]["reply"]
    assert out[6]["answered"] is False


def test_more_in_a_conversation_gives_the_next_best_answer_and_alone_asks_for_a_question_first():
    lines = [{"conversation": 1, "question": "Who denied conducting the first strikes?"},
             {"conversation": 1, "question": "more"}, {"conversation": 2, "question": "More."}, {"question": "more"}]
    result = newsbot("ask", "-", "--json", "--top-k", "1", stdin="".join(json.dumps(line) + "\n" for line in lines))
    assert result.returncode == 0, result.stderr
    first, more, fresh, alone = map(json.loads, result.stdout.splitlines())
    assert first["answers"][0]["text"] == "Moscow denied conducting the first strikes."
    assert more["answers"] and more["answers"][0]["text"] != first["answers"][0]["text"]
    for reply in (fresh, alone):  # nothing before it to continue: not searched as a question
        assert reply["answers"] == [] and reply["reply"] == "Ask a question first; then “more” shows the next-best answer."
    assert newsbot("ask", "more").stdout.strip() == alone["reply"]


def test_new_in_a_conversation_starts_it_afresh_as_in_the_console():
    lines = [{"conversation": "a", "question": "Who denied conducting the first strikes?"},
             {"conversation": "a", "question": "new"}, {"conversation": "a", "question": "What else did Moscow say?"},
             {"conversation": "a", "question": "more"}]
    result = newsbot("ask", "-", "--json", "--top-k", "1", stdin="".join(json.dumps(line) + "\n" for line in lines))
    first, new, after, more = map(json.loads, result.stdout.splitlines())
    assert new["answers"] == [] and new["reply"] == "Starting afresh: the next question is read on its own."
    # read alone: "else" leaves out nothing shown before "new"
    assert after["read_as"] is None and after["answers"][0]["text"] == first["answers"][0]["text"]
    assert more["answers"][0]["text"] != after["answers"][0]["text"]  # "more" goes on from the new thread


def test_ask_stdin_plain_writes_one_line_per_question():
    result = newsbot("ask", "-", stdin="Who denied conducting the first strikes?\nhello\n")
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith("Moscow denied conducting the first strikes.")


def test_sources_lists_the_bundled_article():
    warm(SEEDS)
    result = newsbot_process("sources")
    assert "idlib" in result.stdout and HEADLINE in result.stdout
    data = json.loads(newsbot("sources", "--json").stdout)
    assert data[0]["id"] == "idlib" and data[0]["sentences"] > 20


def test_corpus_option_and_environment_choose_the_folder(tmp_path):
    write(tmp_path, "storm.txt", "Storm hits coast\nThe storm flooded 300 homes, officials said.")
    by_option = newsbot("ask", "--corpus", str(tmp_path), "How many homes flooded?")
    by_env = newsbot("ask", "How many homes flooded?", env=run_env(NEWSBOT_CORPUS=str(tmp_path)))
    for result in (by_option, by_env):
        assert "The storm flooded 300 homes" in result.stdout and "Storm hits coast" in result.stdout


def test_broken_files_warn_on_stderr_and_the_rest_answers(tmp_path):
    write(tmp_path, "storm.txt", "Storm hits coast\nThe storm flooded 300 homes, officials said.")
    write(tmp_path, "broken.txt", b"\xff\xfe\x00\x00binary")
    result = newsbot("ask", "--corpus", str(tmp_path), "How many homes flooded?")
    assert result.returncode == 0
    warnings = [line for line in result.stderr.splitlines() if "building the index" not in line]
    assert len(warnings) == 1 and "broken.txt" in warnings[0] and warnings[0].startswith("newsbot: warning:")
    assert "300 homes" in result.stdout


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_missing_or_empty_corpus_is_one_line_and_non_zero(tmp_path, make):
    folder = tmp_path / "corpus"
    if make == "empty":
        folder.mkdir()
    result = newsbot("ask", "--corpus", str(folder), "anything")
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_index_builds_then_reuses_the_cache(tmp_path):
    write(tmp_path, "storm.txt", "Storm hits coast\nThe storm flooded 300 homes.")
    env = run_env(NEWSBOT_CACHE=str(tmp_path / "cache"))
    first = newsbot_process("index", "--corpus", str(tmp_path), env=env)
    assert first.returncode == 0 and "1 article, 1 sentence, " in first.stdout and "indexed in" in first.stdout
    assert any((tmp_path / "cache").iterdir())
    second = newsbot("index", "--corpus", str(tmp_path), env=env)
    assert second.returncode == 0 and "loaded from the cache" in second.stdout


def test_console_piped_answers_and_handles_commands():
    warm(SEEDS)
    script = "Who denied conducting the first strikes?\nmore\ncontext\nsources\nhelp\nquit\nnever read\n"
    result = newsbot_process("console", stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "\033[" not in out  # no colour codes when not on a terminal
    assert out.startswith("Moscow denied conducting the first strikes.")
    assert "overnight bombing raid" in out  # `more`: the next-best sentence
    assert "idlib" in out and "Ask me a question" in out
    assert "never read" not in out


class ClockedConsole:
    """A Console in this process on a folder of real files, with a clock the test moves (the console
    looks at the folder again before a line once 2 s have passed): `say` gives what a line printed."""

    def __init__(self, folder, articles: dict[str, str]):
        import io

        from bot.console import Console
        from bot.service import AnsweringService

        self.corpus = folder / "corpus"
        for name, text in articles.items():
            write(self.corpus, name, text)
        self.now, self.out = 0.0, io.StringIO()
        self.console = Console(AnsweringService.open(self.corpus, folder / "cache"), self.out, colour=False,
                               clock=lambda: self.now)

    def say(self, line: str) -> str:
        start = self.out.tell()
        self.console.handle(line)
        return self.out.getvalue()[start:]


def test_the_console_follows_articles_added_changed_and_removed_while_it_runs(tmp_path):
    chat = ClockedConsole(tmp_path, {"port.txt": "Harbour reopens\nThe harbour master said the port reopened on Monday.",
                                     "mill.txt": "Mill closes\nThe paper mill in Dunmore will close in May, its owner said."})
    corpus, ask = chat.corpus, chat.say
    assert "reopened on Monday" in ask("When did the port reopen?")
    write(corpus, "ferry.txt", "Ferry back\nThe island ferry resumed on Friday after the strike.")
    write(corpus, "port.txt", "Harbour reopens\nThe harbour master said the port reopened on Tuesday.")
    (corpus / "mill.txt").unlink()
    assert "Friday" not in ask("When did the ferry resume?")  # looked less than 2 s ago: not yet
    chat.now += 2.5
    reply = ask("When did the ferry resume?")
    assert reply.startswith("(The articles changed: now answering from 2 articles.)\n")
    assert "resumed on Friday" in reply
    assert "reopened on Tuesday" in ask("When did the port reopen?") and "changed" not in ask("sources")
    assert "mill" not in ask("sources")


def test_console_help_names_the_newest_article_and_no_example_from_elsewhere(tmp_path):
    write(tmp_path, "old.md", "---\ntitle: Mill closes\nsource: Valley Post\npublished: 2024-05-01\n---\nThe mill closed.\n")
    write(tmp_path, "new.md", "---\ntitle: Ferry back\nsource: Northwire\npublished: 2024-06-14\n---\nThe ferry resumed.\n")
    write(tmp_path, "undated.md", "---\ntitle: Festival draws crowds\n---\nThousands came.\n")
    result = newsbot("console", "--corpus", str(tmp_path), "--cache-dir", str(tmp_path / ".cache"), stdin="help\n")
    assert result.returncode == 0, result.stderr
    assert "The newest article: “Ferry back” (Northwire, 14 June 2024). The sources command lists them all." in result.stdout
    assert "first strikes" not in result.stdout and "Commands: more" in result.stdout


def test_context_finds_the_paragraph_after_an_edit_above_it_and_says_when_the_article_is_gone(tmp_path):
    chat = ClockedConsole(tmp_path, {"fares.txt": "Ferry fares rise\nFares on the island ferry will rise by 8 percent.\n"
                                                  "The operator blamed higher fuel prices for the rise.\n",
                                     "mill.txt": "Mill closes\nThe paper mill in Dunmore will close in May.\n"})
    corpus, say = chat.corpus, chat.say
    assert "fuel prices" in say("Who blamed higher fuel prices?")
    write(corpus, "fares.txt", "Ferry fares rise\nFares on the island ferry will rise by 8 percent.\n"
                               "Passengers said the rise was unfair.\nThe operator blamed higher fuel prices for the rise.\n")
    chat.now += 3  # the console reads the edit before the next line
    shown = say("context").splitlines()
    # its paragraph, now the third, is that sentence alone: it comes with the one before it (and none after)
    assert shown[1:4] == ["Passengers said the rise was unfair.", "", "The operator blamed higher fuel prices for the rise."]
    assert shown[4].endswith("paragraphs 2–3")
    (corpus / "fares.txt").unlink()
    chat.now += 3
    assert "has changed or is gone" in say("context")


def test_a_follow_up_after_the_articles_shrank_is_read_alone_not_a_crash(tmp_path):
    chat = ClockedConsole(tmp_path, {
        "budget.md": '# Budget row\n\n"We will not cut the libraries," said Marta Ionescu, the council leader. '
                     "She added that the budget would pass.\n\nMarta Ionescu said the budget was fair.\n",
        "mill.md": "# Mill closes\n\nThe paper mill in Dunmore will close in May.\n"})
    corpus = chat.corpus
    chat.say("What did Marta Ionescu say about the budget?")
    (corpus / "budget.md").unlink()
    chat.now += 3
    for line in ("Anything else?", "What else did she say?", "more"):
        assert chat.say(line)  # answered, with positions of the index before the reload forgotten
    assert "Traceback" not in chat.out.getvalue() and "Reading this as" not in chat.out.getvalue()


def test_context_after_an_answer_from_front_matter_has_no_paragraph_to_show(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: Lantern festival draws crowds\nauthor: Dev Patel\n---\nDev Patel wrote it.\n\n"
                           "About 20,000 visitors came to the lantern festival on Saturday.\n")
    write(tmp_path, "b.md", "# Mill closes\n\nThe paper mill in Dunmore will close in May.\n")
    script = "Who wrote the article about the lantern festival?\ncontext\n"
    result = newsbot("console", "--corpus", str(tmp_path), "--cache-dir", str(tmp_path / ".cache"), stdin=script)
    assert "Written by Dev Patel." in result.stdout and "paragraph 0" not in result.stdout
    assert "comes from the article's details" in result.stdout


def test_console_takes_telegrams_slash_commands_too():
    warm(SEEDS)
    script = "Who denied conducting the first strikes?\n/more\n/help\n/frobnicate\n/quit\nnever read\n"
    out = newsbot_process("console", stdin=script).stdout
    assert out.startswith("Moscow denied conducting the first strikes.")
    assert "overnight bombing raid" in out and "Ask me a question" in out
    # one it does not have is said to be none, not searched as a question
    assert "There is no /frobnicate command. Commands: more, context, new, sources, help, quit." in out
    assert "never read" not in out and "shares its words" not in out


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_console_in_a_real_terminal_colours_and_quits_on_ctrl_d(tmp_path):
    warm(SEEDS)
    env = run_env(TERM="xterm-256color", HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"))
    env.pop("NO_COLOR", None)
    terminal = Terminal([PYTHON, "-m", "bot", "console"], env, cwd=str(ROOT), columns=120, lines=40, fresh=True)
    prompt = lambda: terminal.cursor_line() == "you> "  # noqa: E731  (the cursor waits after the prompt)
    try:
        terminal.wait_until(prompt, "the prompt")
        assert "newsbot — ask about the news articles loaded (1 article)." in terminal.flow()
        terminal.type(b"who denied conducting the first strikes?\r")
        terminal.wait_until(lambda: f"{HEADLINE}”" in terminal.flow() and prompt(), "the answer, then the prompt")
        assert "Moscow denied conducting the first strikes." in terminal.flow()
        bold = terminal.bold_words()
        assert {"denied", "conducting", "first", "strikes"} <= bold and "Moscow" not in bold  # matched words
        terminal.type(b"context\r")
        terminal.wait_until(lambda: "overnight bombing raid" in terminal.flow() and prompt(), "the paragraph")
        # a colour code typed or pasted reads to prompt_toolkit as a mouse report it cannot parse
        terminal.type(b"\x1b[31mwho denied conducting the first strikes?\r")
        terminal.wait_until(lambda: terminal.flow().count("Moscow denied conducting") == 2 and prompt(),
                            "the answer after a stray escape sequence")
        assert "Unhandled exception" not in terminal.flow() and "Traceback" not in terminal.flow()
        terminal.type(b"\x04")  # Ctrl-D on an empty line
        assert terminal.wait_for_exit() == 0
    finally:
        terminal.close()


def test_ask_stdin_survives_odd_lines_and_keeps_the_order():
    lines = [
        b'{"question": "Who denied conducting the first strikes?", "top_k": 1e400}',
        b"\xff\xfe not utf-8 \xc3",
        b'{"question": "Who denied conducting the first strikes?", "top_k": 0}',
        b'{"question": 5}',
        b"Who denied conducting the first strikes?",
    ]
    warm(SEEDS)
    result = forked.run([PYTHON, "-m", "bot", "ask", "-", "--json"], input=b"\n".join(lines) + b"\n",
                            capture_output=True, env=run_env(PYTHONIOENCODING="utf-8:strict"), timeout=120)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(out) == len(lines)
    assert [o["answered"] for o in out] == [False, False, False, False, True]
    assert all("Could not read" in o["reply"] for o in (out[0], out[2], out[3]))


@pytest.mark.parametrize("value", ["0", "-1", "51", "three"])
def test_top_k_out_of_range_is_a_usage_error(value):
    result = newsbot("ask", "--top-k", value, "Who denied conducting the first strikes?")
    assert result.returncode == 2 and "--top-k" in result.stderr and "Traceback" not in result.stderr


def test_eval_reports_figures_and_rejects_a_bad_file(tmp_path):
    warm(SEEDS)
    qa = write(tmp_path, "qa.jsonl", '{"question": "Who denied conducting the first strikes?", '
                                     '"expected": ["Moscow denied"]}\n{"question": "Who won the World Cup?", "expected": null}\n')
    result = newsbot_process("eval", str(qa))
    assert result.returncode == 0
    assert "P@1 (right sentence ranked first)  1.000" in result.stdout and "declined" in result.stdout
    bad = write(tmp_path, "bad.jsonl", b"\xff\xfe")
    result = newsbot("eval", str(bad))
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1


def test_skipped_files_are_named_when_the_index_is_built_and_one_line_from_an_unchanged_cache(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus, "ferry.txt", "Ferry back\nThe ferry to Skarn resumed service on Sunday.\n")
    write(corpus, "empty.txt", "")
    write(corpus, "junk.txt", b"\x00\x01\x02\x03")
    args = ("--corpus", str(corpus), "--cache-dir", str(tmp_path / "cache"))
    built = newsbot("ask", *args, "When did the ferry resume?").stderr.splitlines()
    assert [line for line in built if "skipped" in line] == [
        f"newsbot: warning: skipped {corpus / 'empty.txt'}: empty article, no text",
        f"newsbot: warning: skipped {corpus / 'junk.txt'}: binary file, not text"]
    again = newsbot("ask", *args, "When did the ferry resume?")
    assert again.stderr == "newsbot: warning: 2 files skipped, as when the index was built (newsbot index names them)\n"
    assert again.stdout.startswith("The ferry to Skarn resumed service on Sunday")
    named = newsbot("index", *args).stderr
    assert "skipped" in named and "empty.txt" in named and "junk.txt" in named  # index names each, every time


def test_a_reload_for_another_files_change_does_not_name_a_skipped_file_again():
    from bot.skipped import SkipNotes

    said: list[str] = []
    notes = SkipNotes(said.append)
    notes("skipped a.txt: binary file, not text")
    notes("b.md: not UTF-8; read as cp1252")
    notes("skipped a.txt: binary file, not text")  # the console reopening the folder after c.txt changed
    notes("skipped a.txt: empty article, no text")  # a new reason is news
    assert said == ["skipped a.txt: binary file, not text", "b.md: not UTF-8; read as cp1252",
                    "skipped a.txt: empty article, no text"]
