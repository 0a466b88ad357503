"""Decoding an article file's bytes: UTF-8, else cp1252 when it reads as Western text, else what a detector finds.

Older news dumps are often cp1252 or Latin-1 (cp1252 holds every printable Latin-1 character plus the
curly quotes and dashes Windows editors write). Read as cp1252, Western text has few letters outside
ASCII (French or German a few in a hundred), while Cyrillic or Greek in their own code pages turn
into nearly nothing else: above MAX_FOREIGN_SHARE the bytes go to charset-normalizer, which tells
those scripts apart well. It is not asked first because among the Western code pages it guesses at
random on short texts ("Café" as cp1006, French Latin-1 as cp1250, both mojibake).
"""

from __future__ import annotations

# Code pages (charset-normalizer's names) read as cp1252: Latin-1 and its kin, which it confuses.
_WESTERN = {"cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "mac_roman", "cp850", "cp437", "ascii"}


MAX_FOREIGN_SHARE = 0.3  # of a text's letters outside ASCII, read as cp1252, for it to be Western text


class UndecodableError(ValueError):
    """Bytes that are neither UTF-8 nor text in an encoding the detector recognises."""


def decode(raw: bytes) -> tuple[str, str | None]:
    """The text of a file's bytes and the encoding it was read in when that was not UTF-8 (else None)."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        pass
    else:
        letters = [c for c in text if c.isalpha()]
        if sum(not c.isascii() for c in letters) <= MAX_FOREIGN_SHARE * len(letters):
            return text, "cp1252"
    from charset_normalizer import from_bytes  # only for the rare file that is not UTF-8

    best = from_bytes(raw).best()
    if best is None:
        raise UndecodableError("not UTF-8, and not text in an encoding newsbot recognises")
    encoding = "cp1252" if best.encoding in _WESTERN else best.encoding
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined: Latin-1 reads them all
        return raw.decode("latin-1"), "latin-1"
