"""Reading what real dumps hold: other encodings, captions without a full stop, large files metered."""

from __future__ import annotations

import contextlib
import sys

import pytest

from retrieval import parse_article
from retrieval.articles import ArticleError, read_article
from retrieval.corpus import ingest
from retrieval.encodings import decode

from . import forked
from .conftest import write

FRENCH = "Le président a déclaré que l'économie française va mieux, selon le ministère."
RUSSIAN = "Президент заявил, что экономика растёт, сообщили в министерстве."
GREEK = "Ο πρόεδρος δήλωσε ότι η οικονομία αναπτύσσεται, ανέφερε το υπουργείο."


@pytest.mark.parametrize("text, encoding, read_as", [
    (FRENCH, "latin-1", "cp1252"),
    ("Prices rose 5 € — “too much”, the café owners said.", "cp1252", "cp1252"),
    (RUSSIAN * 3, "cp1251", "cp1251"),
    (GREEK * 3, "iso-8859-7", "cp1253"),
])
def test_files_that_are_not_utf8_are_read_in_their_encoding(text, encoding, read_as):
    assert decode(text.encode(encoding)) == (text, read_as)


def test_utf8_is_read_as_utf8_with_no_encoding_named():
    assert decode(RUSSIAN.encode("utf-8")) == (RUSSIAN, None)
    assert decode("\ufeffCafé".encode("utf-8")) == ("Café", None)


def test_reading_another_encoding_is_said_naming_the_file(tmp_path):
    path = write(tmp_path, "fr.txt", f"Économie\n{FRENCH}\n".encode("latin-1"))
    said: list[str] = []
    article = read_article(path, "fr", warn=said.append)
    assert article.paragraphs[0].text == FRENCH
    assert said == [f"{path}: not UTF-8; read as cp1252"]


def test_a_file_over_the_size_limit_is_skipped_naming_the_limit(tmp_path):
    path = write(tmp_path, "big.txt", "Headline\n" + "A sentence here.\n" * 100)
    assert read_article(path, "big").title == "Headline"
    with pytest.raises(ArticleError, match="the limit is 1,000"):
        read_article(path, "big", max_bytes=1000)


def test_a_bracketed_photo_credit_without_a_full_stop_before_it_is_a_caption():
    article = parse_article("Clinic reopens\nThe clinic reopened on Monday, doctors said.\n"
                            "Nurses treat patients in Idlib (Photo: Jane Doe / Health Wire)\n", "clinic")
    caption = article.paragraphs[1]
    assert caption.kind == "caption"
    assert caption.text == "Nurses treat patients in Idlib" and caption.credit == "Jane Doe / Health Wire"
    # A slash credit still needs the caption's full stop before it: "and/or" is no credit.
    assert parse_article("T\nIt rose 5 / Reuters / Jo Bloggs\n", "x").paragraphs[0].kind != "caption"


def test_one_large_file_is_metered_paragraph_by_paragraph_in_bytes(tmp_path):
    path = write(tmp_path, "dump.txt", "A dump\n" + "".join(f"Line {i} says the river rose, officials said.\n"
                                                          for i in range(400)))
    updates: list[int] = []
    totals: list[int] = []

    class Meter:
        def update(self, n: int) -> None:
            updates.append(n)

    @contextlib.contextmanager
    def progress(what: str, total: int):
        totals.append(total)
        yield Meter()

    corpus, skipped = ingest([("dump", path)], print, progress, workers=1)
    assert len(corpus.sentences) == 400 and not skipped
    assert totals == [path.stat().st_size]
    assert len(updates) == 400 and sum(updates) == path.stat().st_size  # one step a paragraph, all the bytes
    assert all(n > 0 for n in updates)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_index_shows_a_byte_progress_bar_for_one_large_file_on_a_terminal(tmp_path):
    import os
    import subprocess

    from bot.cli import PROGRESS_MIN_BYTES

    from .conftest import PYTHON, run_env

    # One file over the bar's threshold (1 MB: bot.cli.PROGRESS_MIN_BYTES), of one-sentence lines, which
    # split fast; long ones, as the bar counts bytes and the build's cost grows with the sentences.
    write(tmp_path / "corpus", "dump.txt", "A dump\n" + "".join(
        f"Gauge {i} at the northern river station read {i % 97} centimetres of water after the rain.\n"
        for i in range(12_500)))
    import fcntl
    import struct
    import termios

    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal has a size
    try:
        process = forked.Popen([PYTHON, "-m", "bot", "index", "--corpus", str(tmp_path / "corpus")],
                                   env=run_env(NEWSBOT_CACHE=str(tmp_path / "cache")),
                                   stdout=subprocess.PIPE, stderr=follower, text=True)
        os.close(follower)
        follower = -1
        screen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            screen += chunk
        stdout = process.communicate(timeout=120)[0]
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    text = screen.decode("utf-8", "replace")
    assert process.returncode == 0 and "12,500 sentences" in stdout
    assert text.startswith("newsbot: building the index for 1 article…")
    size = (tmp_path / "corpus" / "dump.txt").stat().st_size
    assert size > PROGRESS_MIN_BYTES
    # tqdm's bar, counting the file's bytes (a bar counting files would say 0/1).
    assert "reading:" in text and f"/{size / 1e6:.2f}M" in text and "B/s" in text
