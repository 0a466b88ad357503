"""Close spellings: the deletion index finds every term one edit away, and only close enough ones."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from retrieval.spelling import Spellings, edit_distance

WORDS = st.text("abcd", min_size=1, max_size=8)  # a small alphabet: many terms an edit or two apart


@st.composite
def one_edit(draw, word: str) -> str:
    """`word` with one insertion, deletion, substitution or swap of neighbours."""
    at = draw(st.integers(0, len(word)))
    letter = draw(st.sampled_from("abcd"))
    kind = draw(st.sampled_from(["insert", "delete", "substitute", "swap"]))
    if kind == "insert" or at == len(word):
        return word[:at] + letter + word[at:]
    if kind == "delete":
        return word[:at] + word[at + 1:]
    if kind == "substitute" or at + 1 == len(word):
        return word[:at] + letter + word[at + 1:]
    return word[:at] + word[at + 1] + word[at] + word[at + 2:]


@st.composite
def vocabularies(draw) -> tuple[list[str], str]:
    """A question's word and a vocabulary holding some of its one-edit neighbours among other terms."""
    word = draw(WORDS)
    neighbours = draw(st.lists(one_edit(word), max_size=8))
    others = draw(st.lists(WORDS, max_size=30))
    return sorted(set(neighbours + others) or {word}), word


@settings(max_examples=80, deadline=None)
@given(vocabularies(), st.sampled_from([0.6, 0.7, 0.8, 0.9]))
def test_close_finds_every_term_one_edit_away_and_none_too_far(drawn, min_similarity):
    vocabulary, word = drawn
    vocabulary = vocabulary + ["\0" + vocabulary[0]]  # a term no sentence holds any more
    found = Spellings(vocabulary).close(word, min_similarity, limit=len(vocabulary))
    similarity = {tid: 1 - edit_distance(word, term) / max(len(word), len(term))
                  for tid, term in enumerate(vocabulary)}
    assert all(abs(s - similarity[tid]) < 1e-9 and s >= min_similarity for tid, s in found)
    assert all(len(vocabulary[tid]) >= 3 and vocabulary[tid][0] != "\0" for tid, _ in found)
    assert found == sorted(found, key=lambda pair: (-pair[1], vocabulary[pair[0]]))
    one_edit_away = {tid for tid, term in enumerate(vocabulary)
                     if len(term) >= 3 and term[0] != "\0" and edit_distance(word, term) <= 1
                     and similarity[tid] >= min_similarity}
    assert one_edit_away <= {tid for tid, _ in found}


def test_a_doubled_letter_and_a_swap_are_one_edit():
    vocabulary = ["letter", "leter", "lettre", "ladder"]
    found = dict(Spellings(vocabulary).close("letter", 0.8, limit=10))
    assert found.keys() == {0, 1, 2}
    assert found[0] == 1.0 and found[1] == found[2] == 1 - 1 / 6
