"""Every example block in README.md shows exactly what its command prints (tests/readme_examples.py)."""

from __future__ import annotations

import pytest

from .readme_examples import README, Runner, examples, matches

EXAMPLES = examples(README.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    return Runner(tmp_path_factory.mktemp("readme"))


def test_the_readme_has_its_examples():
    commands = " ".join(e.command for e in EXAMPLES)
    for shown in ("newsbot console", "newsbot ask --json", "newsbot ask -", "--article nope", "newsbot eval"):
        assert shown in commands


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.command[:60] for e in EXAMPLES])
def test_a_readme_example_shows_what_its_command_prints(example, runner):
    printed = runner.run(example.command, example.typed)
    assert matches(example, printed), (
        f"README.md's example of `{example.command}` is out of date; it prints:\n{printed}\n"
        "(python -m tests.readme_examples --update rewrites the examples)")
