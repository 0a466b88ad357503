"""Which of a question's terms a sentence holds, as a bit set, and what that set is worth by table look-up.

The rule these tables encode. Bit i of a sentence's bit set says that it holds the query's i-th term
(`QueryTerms.ids[i]`). A question's terms come in word groups (a word with its synonyms, other forms
and close spellings; the ids of a group are a run), and each term has a coverage share::

    covered(bits) = sum over word groups of the largest share among the group's ids in `bits`
    share(bits)   = sum of the shares of the ids in `bits`        (no best-member rule)

`covered` is a sentence's coverage of the question (it earns a word once, by its best stand-in);
`share` is what a headline or a neighbour adds, counted over the ids the sentence lacks.

Both are look-ups, not loops: the ids are cut into chunks of whole groups, at most 12 bits a chunk
(16 for one wide group), each chunk with a table over its 2**width subsets, and a set's value is the
sum of its chunks' entries. A query holds at most MAX_TERMS ids (one int64) and a group at most
MAX_GROUP ids; `query.py` keeps every query within both.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

MAX_TERMS = 62  # ids a query may hold: one bit each in an int64, with room for the sign
MAX_GROUP = 16  # ids a word group may hold: its table has 2**16 entries
_CHUNK_BITS = 12  # the widest chunk of several groups


class BitTables:
    """`covered` and `share` of bit sets over one query's ids (see the module docstring)."""

    def __init__(self, shares: np.ndarray, group: np.ndarray):
        n = len(shares)
        if n > MAX_TERMS or np.any(np.diff(group) < 0):
            raise ValueError("bit tables need at most 62 ids, in runs of word groups")
        cuts = (np.flatnonzero(np.diff(group)) + 1).tolist()
        runs = list(zip([0, *cuts], [*cuts, n])) if n else []
        chunks: list[list[tuple[int, int]]] = [[]] if runs else []
        for a, b in runs:
            if b - a > MAX_GROUP:
                raise ValueError("a word group is wider than 16 ids")
            if chunks[-1] and b - chunks[-1][0][0] > _CHUNK_BITS:
                chunks.append([])
            chunks[-1].append((a, b))
        # (shift, mask, covered table, share table) a chunk; one chunk over all ids needs no mask.
        self._chunks = []
        for chunk in chunks:
            first, width = chunk[0][0], chunk[-1][1] - chunk[0][0]
            covered, summed = _subset_tables(shares, chunk)
            mask = -1 if first == 0 and len(chunks) == 1 else (1 << width) - 1
            self._chunks.append((first, mask, covered, summed))

    def covered(self, bits: np.ndarray) -> np.ndarray:
        """Each bit set's coverage: per word group, its best member's share."""
        return self._look_up(bits, 2)

    def share(self, bits: np.ndarray) -> np.ndarray:
        """Each bit set's summed share, every id counted."""
        return self._look_up(bits, 3)

    def _look_up(self, bits: np.ndarray, which: int) -> np.ndarray:
        out = None
        for chunk in self._chunks:
            shift, mask, table = chunk[0], chunk[1], chunk[which]
            value = table[(bits >> shift) & mask if shift or mask != -1 else bits]
            out = value if out is None else out + value
        return out if out is not None else np.zeros(len(bits), np.float32)


def bits_dtype(terms: int) -> type:
    """The narrowest integer that holds a bit for each of `terms` ids: fewer bytes to touch at random."""
    return np.uint8 if terms <= 8 else np.uint16 if terms <= 16 else np.uint32 if terms <= 32 else np.int64


def _subset_tables(share: np.ndarray, runs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """(covered, summed share) of every subset of the ids in these runs of word groups, indexed by
    the subset's bits (the first id of the first run is bit 0)."""
    first, width = runs[0][0], runs[-1][1] - runs[0][0]
    if width <= 8:  # a small table: all subsets at once
        credit = _bit_patterns(width) * share[first:first + width]
        summed = credit.sum(axis=1)
        if len(runs) == width:
            return summed, summed
        return np.maximum.reduceat(credit, [a - first for a, _ in runs], axis=1).sum(axis=1), summed
    # A large one by doubling: the table over one more id is the table, then the table with it added.
    covered = summed = np.zeros(1, np.float32)
    for a, b in runs:
        best = sums = np.zeros(1, np.float32)
        for c in share[a:b]:
            best = np.concatenate([best, np.maximum(best, c)])
            sums = np.concatenate([sums, sums + c])
        covered = (best[:, None] + covered[None, :]).ravel()  # this group's ids are the higher bits
        summed = (sums[:, None] + summed[None, :]).ravel()
    return covered, summed


@lru_cache(maxsize=None)
def _bit_patterns(width: int) -> np.ndarray:
    """(2**width x width) float32: row r holds the bits of r, lowest first."""
    patterns = (np.arange(1 << width)[:, None] >> np.arange(width)) & 1
    patterns = patterns.astype(np.float32)
    patterns.flags.writeable = False
    return patterns
