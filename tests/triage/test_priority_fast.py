"""The faster forms in triage.priority find exactly what the plain patterns find: the
trie-shaped scan for lexicon stems gives the same places as the plain alternation, and
`_personal` answers as `_PERSONAL.search`."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from triage import priority as P

_PLAIN = re.compile(
    r"(?<!\w)(?=" + "|".join(P._alternatives(list(lex)) for lex in P.LEXICONS) + ")"
)
_STEMS = sorted({s.strip() for lex in P.LEXICONS for s in lex})
_PIECES = [*_STEMS[::3], "a", "x", "s", "es", "é", "_", "0", "5", "👍", "sue", "suez"]
_GLUE = ["", " ", "_", "-", "'", "\n", "#", "@"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_GLUE), st.sampled_from(_PIECES)), max_size=12))
def test_trie_scan_finds_the_places_the_plain_alternation_finds(parts):
    text = " " + "".join(g + p for g, p in parts) + " "
    plain = [m.start() for m in _PLAIN.finditer(text)]
    assert [m.start() for m in P._ANY_STEM_AT.finditer(text)] == plain


_PERSONAL_PIECES = ["__email__", "a", "b.c", "@", "x@y.fr", "+33", "6", "12345678", "9",
                    " ", ".", "-", "/", "#", "_", "é", "+", "name.surname+tag@mail.example.org"]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PERSONAL_PIECES), max_size=14))
def test_personal_answers_as_the_one_pattern(parts):
    text = "".join(parts)
    assert P._personal(text) == (P._PERSONAL.search(text) is not None)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab@.+-_ 019#/", max_size=40))
def test_personal_answers_as_the_one_pattern_on_any_text(text):
    assert P._personal(text) == (P._PERSONAL.search(text) is not None)


_NEG_PIECES = ["not", "isn't", "isnt", "aren't", "won't", "wont", "doesn't", "didn't",
               "don't", "dont", "can't", "cant", "cannot", "never", "couldn't", "wouldn't",
               "wasn't", "haven't", "hasn't", "weren't", "no", "n", "t", "'", "work", "deliver",
               "open", "it", "5", "days", "3hours", "+33 6 12 34 56 78", "٣", "week", "a"]  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", " ", "  ", "_", "\n"]), st.sampled_from(_NEG_PIECES)),
                max_size=10))  # fmt: skip
def test_the_gates_only_skip_patterns_that_cannot_match(parts):
    text = " " + "".join(g + p for g, p in parts) + " "
    if not P._may_negate(text):
        assert P._BROKEN.search(text) is None and P._NOT_DONE.search(text) is None
    if not P._has_digit(text):
        assert P._DURATION.search(text) is None and P._PHONE.search(text) is None
