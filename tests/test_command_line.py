"""The command line as a careful CLI behaves: options anywhere, exit codes, errors a script can read."""

from __future__ import annotations

import json

import pytest

from .conftest import SEEDS, run_env, write
from .test_cli import HEADLINE, newsbot

STORM = "Storm hits coast\nThe storm flooded 300 homes, officials said.\n"


def test_global_options_work_before_the_command(tmp_path):
    write(tmp_path / "corpus", "storm.txt", STORM)
    before = newsbot("--corpus", str(tmp_path / "corpus"), "--cache-dir", str(tmp_path / "c"), "sources")
    after = newsbot("sources", "--corpus", str(tmp_path / "corpus"), "--cache-dir", str(tmp_path / "c"))
    assert before.returncode == 0, before.stderr
    assert "storm" in before.stdout and "idlib" not in before.stdout
    assert before.stdout == after.stdout
    assert any((tmp_path / "c").iterdir())  # --cache-dir given before the command was used


def test_an_option_after_the_command_wins_over_one_before(tmp_path):
    write(tmp_path / "corpus", "storm.txt", STORM)
    result = newsbot("--corpus", str(tmp_path / "nowhere"), "sources", "--corpus", str(tmp_path / "corpus"))
    assert result.returncode == 0 and "storm" in result.stdout


def test_version_prints_the_installed_version():
    from importlib import metadata

    result = newsbot("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"newsbot {metadata.version('newsbot')}"


@pytest.mark.parametrize("args", [(), ("--corpus", str(SEEDS))])
def test_no_command_prints_the_help_on_stderr_and_exits_2(args):
    result = newsbot(*args, stdin="Who denied conducting the first strikes?\n")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("usage: newsbot") and "console" in result.stderr and "eval" in result.stderr


def test_ask_for_an_unknown_article_is_one_line_and_exit_1():
    for args in (("ask", "--article", "nope", "Who denied conducting the first strikes?"),
                 ("ask", "--article", "nope", "--json", "-")):
        result = newsbot(*args, stdin="Who denied conducting the first strikes?\n")
        assert result.returncode == 1
        assert result.stdout == ""
        errors = [line for line in result.stderr.splitlines() if "building the index" not in line]
        assert errors == ["newsbot: error: there is no article with the id “nope” (`newsbot sources` lists them)"]


def test_eval_for_an_unknown_article_says_so_once_and_exits_1():
    result = newsbot("eval", "--article", "nope")
    assert result.returncode == 1 and result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if "building the index" not in line]
    assert len(errors) == 1 and "nope" in errors[0]


def test_eval_rejects_a_line_without_expected_naming_the_line(tmp_path):
    qa = write(tmp_path, "qa.jsonl", '{"question": "Who denied conducting the first strikes?", "expected": null}\n'
                                     '{"question": "Who won the World Cup?"}\n')
    result = newsbot("eval", str(qa))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == (f'newsbot: error: {qa}:2: no "expected" field '
                                     "(null for a question the articles do not answer)")


@pytest.mark.parametrize("content", ["", "\n\n", "{\"question\": 3, \"expected\": null}\n", "[1, 2]\n"])
def test_eval_fails_with_exit_1_on_a_file_it_cannot_use(tmp_path, content):
    qa = write(tmp_path, "qa.jsonl", content)
    result = newsbot("eval", str(qa))
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1 and str(qa) in result.stderr and "Traceback" not in result.stderr


def test_eval_of_a_missing_file_exits_1(tmp_path):
    result = newsbot("eval", str(tmp_path / "none.jsonl"))
    assert result.returncode == 1 and "cannot read" in result.stderr


BAD_LINES = [
    ("", "the line is empty; there is no question to answer"),
    ('{"q": "Who denied conducting the first strikes?"}', 'the "question" field is missing (the line has "q")'),
    ('{"question": "Who denied conducting the first strikes?", "top_k": "two"}', "top_k must be a whole number"),
    ('{"question": "Who denied conducting the first strikes?", "top_k": 2.5}', "top_k must be a whole number"),
    ('{"question": "Who denied conducting the first strikes?", "top_k": 99}', "top_k must be from 1 to 50"),
    ('{"question": ["Who"]}', "question must be a string"),
    ('{"question": "Who denied it?", "article": 7}', "article must be a string (an article id) or null"),
    ('{"question": "Who denied it?", "article": "nope"}',
     "there is no article with the id “nope” (`newsbot sources` lists them)"),
    ("[1, 2]", None),  # not an object: a plain-text question, answered or declined, not an error
]


def test_ask_stdin_json_gives_an_error_field_naming_what_is_wrong():
    lines = [line for line, _ in BAD_LINES] + ["Who denied conducting the first strikes?", "hello"]
    result = newsbot("ask", "-", "--json", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(lines)  # one result a line, blank lines too: they never shift
    for (line, error), got in zip(BAD_LINES, out):
        if error is None:
            assert "error" not in got
            continue
        assert got["error"] == error, line
        assert got["answered"] is False and got["answers"] == []
        assert error in got["reply"] and "quit" not in got["reply"]  # never the console's help
    answered, greeting = out[-2:]
    assert "error" not in answered and answered["answered"] is True
    assert "error" not in greeting and greeting["answers"] == [] and "quit" not in greeting["reply"]


def test_ask_stdin_plain_prints_the_same_error_message():
    lines = [line for line, error in BAD_LINES if error]
    result = newsbot("ask", "-", stdin="\n".join(lines) + "\n")
    out = result.stdout.splitlines()
    assert len(out) == len(lines)
    for (_, error), got in zip([b for b in BAD_LINES if b[1]], out):
        assert got == f"Could not read this line as a question: {error}"


@pytest.mark.parametrize("argv, named", [(["ask", "-x"], "-x"), (["ask", "--bogus=3"], "--bogus=3"),
                                         (["sources", "--nope"], "--nope")])
def test_an_unknown_option_is_named_before_a_missing_question(argv, named):
    result = newsbot(*argv)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].endswith(f"error: unrecognized arguments: {named}")


@pytest.mark.parametrize("argv", [["ask", "--top-k", "2"], ["ask", "--top", "2"], ["ask", "--"]])
def test_a_missing_question_alone_is_still_said_to_be_required(argv):
    result = newsbot(*argv)  # ("--top" is --top-k, as argparse takes a unique prefix)
    assert result.returncode == 2 and "the following arguments are required: question" in result.stderr


@pytest.mark.parametrize("argv", [["sources", "--corpus", ""], ["--corpus", " ", "ask", "hi"],
                                  ["ask", "--cache-dir", "", "hi"], ["add", "--corpus", "", "x.html"]])
def test_an_empty_folder_option_is_a_usage_error_not_the_current_folder(argv):
    """`--corpus "$UNSET"` in a service file: said, not the working folder's READMEs read as articles."""
    result = newsbot(*argv)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines()[-1].endswith("an empty path (is the variable it came from unset?)")


def test_an_empty_question_argument_is_a_usage_error(tmp_path):
    write(tmp_path / "corpus", "a.txt", "Ferry back\nThe ferry resumed on Sunday.\n")
    result = newsbot("ask", "--corpus", str(tmp_path / "corpus"), "--cache-dir", str(tmp_path / "cache"), "  ")
    # said before any index is built: one line, nothing else
    assert result.returncode == 2 and result.stderr == "newsbot: error: the question is empty\n"


def test_console_context_names_the_article_and_paragraph():
    result = newsbot("console", stdin="Who denied conducting the first strikes?\ncontext\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    where = lines.index(next(line for line in lines if "overnight bombing raid" in line))
    assert lines[where + 1] == f"— “{HEADLINE}”, paragraph 6"


def test_building_the_index_is_said_once_on_stderr_and_not_when_cached(tmp_path):
    write(tmp_path / "corpus", "storm.txt", STORM)
    write(tmp_path / "corpus", "fire.txt", "Fire in the hills\nThe fire burned 40 acres, firefighters said.\n")
    env = run_env(NEWSBOT_CACHE=str(tmp_path / "cache"))
    cold = newsbot("ask", "--corpus", str(tmp_path / "corpus"), "How many homes flooded?", env=env)
    assert cold.stderr == "newsbot: building the index for 2 articles…\n"
    warm = newsbot("ask", "--corpus", str(tmp_path / "corpus"), "How many homes flooded?", env=env)
    assert warm.stderr == "" and warm.stdout == cold.stdout


def test_the_file_size_limit_is_set_by_option_or_environment(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus, "storm.txt", STORM)
    write(corpus, "long.txt", "A long report\n" + "The river rose by 4 metres overnight, officials said.\n" * 3000)
    default = newsbot("sources", "--corpus", str(corpus))
    assert "long" in default.stdout
    for args, env in ((("--max-file-mb", "0.1"), run_env()), ((), run_env(NEWSBOT_MAX_FILE_MB="0.1"))):
        result = newsbot("--corpus", str(corpus), *args, "sources", env=env)
        assert result.returncode == 0 and "storm" in result.stdout and "long" not in result.stdout
        warnings = [line for line in result.stderr.splitlines() if "warning" in line]
        assert len(warnings) == 1 and "long.txt" in warnings[0] and "the limit is 100,000" in warnings[0]
    bad = newsbot("sources", "--corpus", str(corpus), env=run_env(NEWSBOT_MAX_FILE_MB="lots"))
    assert bad.returncode == 2 and bad.stderr.startswith("newsbot: error: NEWSBOT_MAX_FILE_MB")


def test_a_cp1252_file_is_read_with_a_warning_naming_file_and_encoding(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus, "cafe.txt", "Café owners protest\nThe café owners said prices rose by 5 € — “too much”.\n"
          .encode("cp1252"))
    result = newsbot("ask", "--corpus", str(corpus), "What did the café owners say?")
    assert result.returncode == 0
    assert "The café owners said prices rose by 5 € — “too much”." in result.stdout
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warnings == [f"newsbot: warning: {corpus / 'cafe.txt'}: not UTF-8; read as cp1252"]


BRIDGE = ("Bridge collapses in storm\n"
          "The bridge collapsed on Monday, killing 12 people, police said. The number of victims could rise.\n"
          "Rescue teams arrived overnight. The river is still rising.\n")


def test_a_sentence_without_a_speaker_comes_with_the_one_before_that_names_it(tmp_path):
    write(tmp_path, "bridge.txt", BRIDGE)
    result = newsbot("ask", "--json", "--top-k", "1", "--corpus", str(tmp_path), "Could the number of victims rise?")
    best = json.loads(result.stdout)["answers"][0]
    assert best["text"] == ("The bridge collapsed on Monday, killing 12 people, police said. "
                            "The number of victims could rise.")
    assert best["sentence"] == 2 and best["attributed_to"] is None  # the article attributes it to no one


def test_a_sentence_after_one_without_a_speaker_comes_alone(tmp_path):
    write(tmp_path, "bridge.txt", BRIDGE)
    result = newsbot("ask", "--json", "--top-k", "1", "--corpus", str(tmp_path), "Is the river still rising?")
    assert json.loads(result.stdout)["answers"][0]["text"] == "The river is still rising."


def test_a_newsbot_today_that_is_not_a_day_is_said_once_and_today_is_used():
    result = newsbot("ask", "-", stdin="What happened yesterday?\nWhat happened today?\n", env=run_env(NEWSBOT_TODAY="garbage"))
    assert result.returncode == 0
    warnings = [line for line in result.stderr.splitlines() if "NEWSBOT_TODAY" in line]
    assert warnings == ["newsbot: warning: NEWSBOT_TODAY='garbage' is not a day (YYYY-MM-DD); asking as of today"]
