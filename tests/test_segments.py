"""Updates as deltas over a base build: only the delta is written, answers equal a cold build's, merges fold it in."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from bot.service import AnsweringService
from retrieval import merge as merging
from retrieval import open_corpus
from retrieval.cache import cache_slot

from . import forked
from .conftest import PYTHON, run_env, write
from .test_incremental import _assert_answers_same, _assert_same

_WORDS = ("harbour council river bridge tariff vaccine drought glacier senate festival orchestra mining "
          "railway satellite election refinery vineyard typhoon museum lottery copper wheat airline "
          "ferry pension reactor canal monsoon quarry lagoon tramway brewery census turbine marathon "
          "pipeline avalanche parliament embassy harvest cathedral stadium tunnel wildfire").split()
_NAMES = "Amara Boris Chen Dalia Emeka Farid Greta Hiro Ines Jonas Kofi Lena".split()


def _article(rng: random.Random, n: int) -> str:
    """A made-up article of distinct sentences (no two alike, so no two score alike)."""
    paragraphs = []
    for p in range(rng.randint(2, 4)):
        sentences = []
        for _ in range(rng.randint(1, 3)):
            words = rng.sample(_WORDS, rng.randint(4, 9))
            sentences.append(f"The {' '.join(words)} rose by {rng.randint(2, 999)} percent, {rng.choice(_NAMES)} said.")
        paragraphs.append(" ".join(sentences))
    title = " ".join(rng.sample(_WORDS, 3)).capitalize()
    return f"# {title} {n}\n\n" + "\n\n".join(paragraphs) + "\n"


def _corpus(folder: Path, count: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        write(folder, f"story-{n:03d}.md", _article(rng, n))
    return folder


def _questions() -> list[str]:
    rng = random.Random(3)
    return [" ".join(rng.sample(_WORDS, rng.randint(2, 4))) for _ in range(40)] + \
        [f"What did {name} say about the {word}?" for name, word in zip(_NAMES, _WORDS)]


def _ranked(index) -> list:
    out = []
    for question in _questions():
        out.append([((h.sentence.article_id, h.sentence.paragraph, h.sentence.sentence), h.score, h.margin)
                    for h in index.search(question, k=8, margins=True)])
    return out


def _assert_ranked_same(a, expected: list) -> None:
    """`a` ranks as `expected` (another index's _ranked): the same sentences in the same order for every
    question, scores and leads over another story (Hit.margin) equal to float32 rounding."""
    for x, y in zip(_ranked(a), expected):
        assert [key for key, _, _ in x] == [key for key, _, _ in y]
        assert max((abs(s - t) for (_, s, _), (_, t, _) in zip(x, y)), default=0) < 1e-6
        assert all(m == n or abs(m - n) < 1e-5 for (_, _, m), (_, _, n) in zip(x, y))


def _assert_stories_same(a, b) -> None:
    """Every article's vectors as documents.same_story compares them, by term, equal to rounding."""
    def by_term(index, number):
        story, vocabulary = index._story(number), index.index.vocabulary
        return ({vocabulary[t]: w for t, w in story.headline.items()},
                {vocabulary[t]: w for t, w in zip(story.text[0].tolist(), story.text[1].tolist())})
    theirs = {article: number for number, article in enumerate(b.corpus.article_ids)}  # a delta numbers them apart
    assert sorted(a.corpus.article_ids) == sorted(theirs)
    for number, article in enumerate(a.corpus.article_ids):
        for x, y in zip(by_term(a, number), by_term(b, theirs[article])):
            assert x.keys() == y.keys() and all(abs(x[t] - y[t]) < 1e-6 for t in x), article


def _files(folder: Path) -> dict:
    """Every file of a build folder: its bytes' digest, modification time and inode."""
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns, p.stat().st_ino)
            for p in folder.iterdir()}


def _slot(folder: Path, cache: Path) -> Path:
    return cache_slot(cache, str(folder.resolve()))


def test_an_update_writes_only_a_delta_and_leaves_the_base_untouched(tmp_path):
    folder = _corpus(tmp_path / "articles", 40)
    cache = tmp_path / "cache"
    open_corpus(folder, cache)
    base = open_corpus(folder, cache).saved_in  # the build as loaded from the cache
    before = _files(base)
    write(folder, "story-900.md", "# Lisbon zoo\n\nThe Lisbon zoo counted 4217 penguins this spring, the keeper said.\n")
    write(folder, "story-003.md", "# Ferry strike\n\nThe ferry strike ended on Monday, the union said.\n")
    (folder / "story-010.md").unlink()
    updated = open_corpus(folder, cache, merge=False)
    assert updated.generation is not None and updated.reread == 2
    assert updated.generation.base.folder == base and _files(base) == before  # not a byte, not a time
    delta = updated.saved_in
    assert delta != base and os.path.realpath(_slot(folder, cache)) == str(delta)
    assert list(updated.generation.delta.articles.ids) == ["story-003", "story-900"]  # only what changed
    assert sorted(p.name for p in cache.iterdir() if ".gen-" in p.name) == sorted([base.name, delta.name])
    assert updated.search("How many penguins did the Lisbon zoo count?")[0].sentence.article_id == "story-900"
    assert not updated.has_article("story-010")
    assert "Ferry strike" in [a.title for a, _ in updated.article_list()]


@pytest.mark.parametrize("first, then", [("absolute", "relative"), ("relative", "absolute")])
def test_the_folder_spelt_another_way_rereads_only_what_changed(tmp_path, monkeypatch, first, then):
    """The bot names the folder by its absolute path, a shell user often by a relative one: an update by
    one after the other's reads the changed file only, whether by a delta or by a whole build."""
    folder = _corpus(tmp_path / "articles", 30)
    cache = tmp_path / "cache"
    monkeypatch.chdir(tmp_path)
    spelt = {"absolute": folder.resolve(), "relative": Path("articles")}
    open_corpus(spelt[first], cache)
    write(folder, "story-900.md", "# Lisbon zoo\n\nThe Lisbon zoo counted 4217 penguins this spring, the keeper said.\n")
    updated = open_corpus(spelt[then], cache, merge=False)
    assert updated.reread == 1 and updated.generation is not None
    write(folder, "story-901.md", "# Porto zoo\n\nThe Porto zoo counted 88 lions, the keeper said.\n")
    again = open_corpus(spelt[first], cache, merge=False)
    assert again.reread == 1
    assert again.search("How many lions did the Porto zoo count?")[0].sentence.article_id == "story-901"


def test_answers_through_deltas_equal_a_cold_build_after_adds_changes_and_deletes(tmp_path):
    folder = _corpus(tmp_path / "articles", 40)
    cache = tmp_path / "cache"
    open_corpus(folder, cache)
    rng = random.Random(11)
    steps = [
        lambda: write(folder, "new-1.md", _article(rng, 101)),  # add
        lambda: write(folder, "story-005.md", _article(rng, 102)),  # change a base article
        lambda: (folder / "story-020.md").unlink(),  # delete a base article
        lambda: write(folder, "new-1.md", _article(rng, 103)),  # change an article of the delta
        lambda: (folder / "new-1.md").unlink(),  # delete it again
        lambda: write(folder, "a-first.md", _article(rng, 104)),  # one that sorts before all the others
    ]
    for number, step in enumerate(steps):
        step()
        updated = open_corpus(folder, cache, merge=False)
        assert updated.generation is not None
        cold = open_corpus(folder, tmp_path / f"cold-{number}")
        cold_ranked = _ranked(cold)  # worked out once for both comparisons below
        _assert_answers_same(updated, cold)
        _assert_ranked_same(updated, cold_ranked)
        _assert_stories_same(updated, cold)
        loaded = open_corpus(folder, cache)  # as loaded by the next command
        assert loaded.from_cache and loaded.generation is not None
        _assert_ranked_same(loaded, cold_ranked)
    # Merged, it is the cold build itself, array for array, and the delta and old base are gone.
    old = {p.name for p in cache.iterdir() if ".gen-" in p.name}
    assert merging.merge(folder, cache)
    merged = open_corpus(folder, cache)
    assert merged.generation is None
    _assert_same(merged, cold)
    assert not old & {p.name for p in cache.iterdir() if ".gen-" in p.name}


def test_a_delta_past_its_share_is_merged(tmp_path):
    folder = _corpus(tmp_path / "articles", 40)
    cache = tmp_path / "cache"
    open_corpus(folder, cache)
    write(folder, "new-1.md", _article(random.Random(5), 200))
    small = open_corpus(folder, cache)
    assert small.generation is not None  # a small delta stays a delta
    for n in range(6):  # past MERGE_SHARE of the base: merged (here, as the corpus is small)
        write(folder, f"new-{n + 2}.md", _article(random.Random(n), 300 + n))
    merged = open_corpus(folder, cache)
    assert merged.generation is None and merged.has_article("new-6")
    _assert_same(merged, open_corpus(folder, tmp_path / "cold"))


def test_a_damaged_base_under_a_delta_is_rebuilt(tmp_path):
    folder = _corpus(tmp_path / "articles", 20)
    cache = tmp_path / "cache"
    open_corpus(folder, cache)
    base = open_corpus(folder, cache).saved_in
    write(folder, "new-1.md", _article(random.Random(5), 200))
    assert open_corpus(folder, cache, merge=False).generation is not None
    with open(base / "postings_data.npy", "r+b") as handle:  # a flipped byte in the base's weights
        handle.seek(-3, 2)
        handle.write(b"\x13")
    warnings: list[str] = []
    rebuilt = open_corpus(folder, cache, warnings.append)
    assert any("damaged" in w for w in warnings)
    assert rebuilt.generation is None and rebuilt.has_article("new-1")


_SLOW_MERGE = """
import sys, time
import retrieval.incremental as incremental
real = incremental.update
def slow(*args, **kwargs):
    print("merging", flush=True)
    time.sleep(float(sys.argv[1]))
    return real(*args, **kwargs)
incremental.update = slow
from retrieval.merge import main
raise SystemExit(main(sys.argv[2:]))
"""


def test_a_merge_killed_midway_leaves_the_delta_serving(tmp_path):
    folder = _corpus(tmp_path / "articles", 20)
    cache = tmp_path / "cache"
    open_corpus(folder, cache)
    write(folder, "new-1.md", "# Lisbon zoo\n\nThe Lisbon zoo counted 4217 penguins this spring, the keeper said.\n")
    open_corpus(folder, cache, merge=False)
    child = forked.Popen([PYTHON, "-c", _SLOW_MERGE, "60", str(folder), "--cache-dir", str(cache)],
                             env=run_env(), stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "merging"
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    index = open_corpus(folder, cache, build=False)
    assert index.from_cache and index.generation is not None
    assert index.search("How many penguins did the Lisbon zoo count?")[0].sentence.article_id == "new-1"
    assert merging.merge(folder, cache)  # the next merge is not held up by the killed one's lock
    assert open_corpus(folder, cache, build=False).generation is None


def test_a_merge_does_not_replace_an_update_published_while_it_ran(tmp_path, monkeypatch):
    folder = _corpus(tmp_path / "articles", 20)
    cache = tmp_path / "cache"
    open_corpus(folder, cache)
    write(folder, "new-1.md", _article(random.Random(5), 200))
    open_corpus(folder, cache, merge=False)
    import retrieval.incremental as incremental

    real = incremental.update

    def update_meanwhile(*args, **kwargs):  # another process publishes a delta while the merge works
        write(folder, "new-2.md", "# Lisbon zoo\n\nThe Lisbon zoo counted 4217 penguins this spring.\n")
        open_corpus(folder, cache, merge=False)
        return real(*args, **kwargs)

    monkeypatch.setattr(incremental, "update", update_meanwhile)
    assert not merging.merge(folder, cache)
    latest = open_corpus(folder, cache, build=False)
    assert latest.generation is not None and latest.has_article("new-2")
    assert latest.fingerprint == open_corpus(folder, cache).fingerprint  # fresh: nothing to rebuild


_SLOW_COMMAND = [PYTHON, "-c", """
import sys, time
time.sleep(float(sys.argv[1]))
from retrieval.merge import main
raise SystemExit(main(sys.argv[2:]))
""", "2"]


def test_the_bot_keeps_answering_during_a_merge_and_then_serves_the_merged_base(tmp_path, monkeypatch):
    folder = _corpus(tmp_path / "articles", 40)
    cache = tmp_path / "cache"
    open_corpus(folder, cache)
    service = AnsweringService.open(folder, cache)
    question = "How many penguins did the Lisbon zoo count?"
    write(folder, "new-1.md", "# Lisbon zoo\n\nThe Lisbon zoo counted 4217 penguins this spring, the keeper said.\n")
    for n in range(6):  # enough for the delta to be past its share
        write(folder, f"new-{n + 2}.md", _article(random.Random(n), 300 + n))
    monkeypatch.setattr(merging, "COMMAND", _SLOW_COMMAND)
    monkeypatch.setenv("PYTHONPATH", run_env()["PYTHONPATH"])
    assert service.refresh()
    assert service.index.generation is not None and service._builds.merging()  # the merge runs meanwhile
    answers = 0
    while service._builds.merging():
        answer = service.ask(question)
        assert answer.answered and "4217" in answer.passages[0].text
        answers += 1
        time.sleep(0.05)
    assert answers > 3
    assert service.refresh()  # the merged base, same files
    assert service.index.generation is None
    answer = service.ask(question)
    assert answer.answered and "4217" in answer.passages[0].text
    assert not service.refresh()
    service.stop_building()


def test_the_console_says_nothing_when_a_merge_reopens_the_same_articles(tmp_path):
    import io

    from bot.console import Console

    folder = _corpus(tmp_path / "articles", 40)
    cache = tmp_path / "cache"
    open_corpus(folder, cache)
    service = AnsweringService.open(folder, cache)
    now, out = [0.0], io.StringIO()
    console = Console(service, out, colour=False, clock=lambda: now[0])
    for n in range(7):  # enough for the delta to be past its share: a merge follows the update
        write(folder, f"new-{n}.md", _article(random.Random(n), 300 + n))
    now[0] += 3
    console.follow_folder()
    assert out.getvalue() == "(The articles changed: now answering from 47 articles.)\n"
    assert service.index.generation is not None
    deadline = time.monotonic() + 60
    while service._builds.merging() and time.monotonic() < deadline:
        time.sleep(0.05)
    now[0] += 3
    console.follow_folder()  # opens the merged base of the same files
    assert service.index.generation is None
    assert out.getvalue() == "(The articles changed: now answering from 47 articles.)\n"
    service.stop_building()
