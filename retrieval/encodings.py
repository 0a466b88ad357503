"""Decoding an article file's bytes: UTF-8, else the encoding a detector (charset-normalizer) finds.

Older news dumps are often cp1252 or Latin-1. charset-normalizer tells Cyrillic, Greek, Japanese and
the rest apart reliably, but among the Western single-byte code pages it guesses at random on short
texts (French Latin-1 read as cp1250 is mojibake). So a guess in that family is read as cp1252, which
holds every printable Latin-1 character plus the curly quotes and dashes Windows editors write.
"""

from __future__ import annotations

# Code pages (charset-normalizer's names) read as cp1252: Latin-1 and its kin, which it confuses.
_WESTERN = {"cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "mac_roman", "cp850", "cp437", "ascii"}


class UndecodableError(ValueError):
    """Bytes that are neither UTF-8 nor text in an encoding the detector recognises."""


def decode(raw: bytes) -> tuple[str, str | None]:
    """The text of a file's bytes and the encoding it was read in when that was not UTF-8 (else None)."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only for the rare file that is not UTF-8

    best = from_bytes(raw).best()
    if best is None:
        raise UndecodableError("not UTF-8, and not text in an encoding newsbot recognises")
    encoding = "cp1252" if best.encoding in _WESTERN else best.encoding
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined: Latin-1 reads them all
        return raw.decode("latin-1"), "latin-1"
