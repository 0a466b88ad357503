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
        # Questions' words have at least 4 letters, and 0.7 * 4 > 2; "\0..." stands for a term no live
        # sentence holds any more (segments.py).
        tids = [tid for tid, term in enumerate(vocabulary) if len(term) >= 3 and term[0] != "\0"]
        terms = [vocabulary[tid] for tid in tids]
        # All variants in one list and hashed in one call (a set per term took 25% longer); a term
        # with a doubled letter lists a variant twice, and the sort below drops the repeats.
        variants = [term[:i] + term[i + 1:] for term in terms for i in range(len(term))]
        variants += terms
        keys = np.fromiter(map(hash, variants), np.int64, len(variants))
        owned = np.asarray(tids, np.int32)
        owners = np.concatenate([np.repeat(owned, np.fromiter(map(len, terms), np.int64, len(terms))), owned])
        order = np.lexsort((owners, keys))  # by key, then term: each key's owners ascending
        keys, owners = keys[order], owners[order]
        keep = np.ones(len(keys), bool)
        keep[1:] = (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])
        self.keys, self.owners = keys[keep], owners[keep]

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
