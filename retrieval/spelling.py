"""Close spellings of a word among the index terms: a deletion index finds candidates, an edit distance decides."""

from __future__ import annotations

import math

import numpy as np

from .walk import union


class Spellings:
    """Close spellings through a deletion index: each term is listed under itself and under every string
    one deletion away from it (hashed).

    A question's word looks up itself, its one-deletion strings and, when the similarity asked for
    allows two edits, its two-deletion strings. Two words one edit apart (an insertion, deletion,
    substitution or swap of neighbours) always meet under a shared string, and so do most pairs two
    edits apart; the edit distance then decides.
    """

    def __init__(self, vocabulary: list[str]):
        self.vocabulary = vocabulary
        keys: list[int] = []
        owners: list[int] = []
        for tid, term in enumerate(vocabulary):
            # Questions' words have at least 4 letters, and 0.7 * 4 > 2; "\0..." stands for a term no
            # live sentence holds any more (segments.py).
            if len(term) < 3 or term[0] == "\0":
                continue
            variants = {term, *(term[:i] + term[i + 1:] for i in range(len(term)))}
            keys.extend(map(hash, variants))
            owners.extend([tid] * len(variants))
        order = np.argsort(np.asarray(keys, np.int64), kind="stable")
        self.keys = np.asarray(keys, np.int64)[order]
        self.owners = np.asarray(owners, np.int32)[order]

    def close(self, term: str, min_similarity: float, limit: int) -> list[tuple[int, float]]:
        """Terms with 1 - distance / longer length >= min_similarity: most similar first, then alphabetical."""
        longest = math.floor(len(term) / min_similarity + 1e-9)  # no longer term can be similar enough
        edits = math.floor((1 - min_similarity) * longest + 1e-9)
        variants = {term, *(term[:i] + term[i + 1:] for i in range(len(term)))}
        if edits >= 2:
            variants.update(v[:i] + v[i + 1:] for v in list(variants) for i in range(len(v)))
        hashes = np.fromiter(map(hash, variants), np.int64, len(variants))
        lo = np.searchsorted(self.keys, hashes, "left")
        hi = np.searchsorted(self.keys, hashes, "right")
        found = [self.owners[a:b] for a, b in zip(lo.tolist(), hi.tolist()) if a < b]
        if not found:
            return []
        out = []
        for tid in union(found).tolist():
            candidate = self.vocabulary[tid]
            bigger = max(len(term), len(candidate))
            allowed = math.floor((1 - min_similarity) * bigger + 1e-9)
            if abs(len(candidate) - len(term)) > allowed:
                continue
            similarity = 1 - edit_distance(term, candidate) / bigger
            if similarity >= min_similarity:
                out.append((tid, similarity))
        # Alphabetical among equals (by the terms: a delta's terms are numbered after the base's).
        out.sort(key=lambda pair: (-pair[1], self.vocabulary[pair[0]]))
        return out[:limit]


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]
