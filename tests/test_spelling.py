"""Close spellings: the deletion index finds every term one edit away, and only close enough ones."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from retrieval.spelling import Spellings, edit_distance

WORDS = st.text("abcd", min_size=1, max_size=7)  # a small alphabet: many terms an edit or two apart


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=60, unique=True), WORDS, st.sampled_from([0.6, 0.7, 0.8, 0.9]))
def test_close_finds_every_term_one_edit_away_and_none_too_far(vocabulary, word, min_similarity):
    vocabulary = sorted(vocabulary) + ["\0" + vocabulary[0]]  # a term no sentence holds any more
    found = Spellings(vocabulary).close(word, min_similarity, limit=len(vocabulary))
    similarity = {tid: 1 - edit_distance(word, term) / max(len(word), len(term))
                  for tid, term in enumerate(vocabulary)}
    assert all(abs(s - similarity[tid]) < 1e-9 and s >= min_similarity for tid, s in found)
    assert all(len(vocabulary[tid]) >= 3 and vocabulary[tid][0] != "\0" for tid, _ in found)
    assert found == sorted(found, key=lambda pair: (-pair[1], vocabulary[pair[0]]))
    one_edit = {tid for tid, term in enumerate(vocabulary)
                if len(term) >= 3 and term[0] != "\0" and edit_distance(word, term) <= 1
                and similarity[tid] >= min_similarity}
    assert one_edit <= {tid for tid, _ in found}


def test_a_doubled_letter_and_a_swap_are_one_edit():
    vocabulary = ["letter", "leter", "lettre", "ladder"]
    found = dict(Spellings(vocabulary).close("letter", 0.8, limit=10))
    assert found.keys() == {0, 1, 2}
    assert found[0] == 1.0 and found[1] == found[2] == 1 - 1 / 6
