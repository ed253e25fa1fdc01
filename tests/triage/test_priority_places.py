"""One scan for three patterns (issue 16): `triage.priority._places` finds every place a
lexicon stem, a negation or a waiting word starts (and a few more), and each pattern
matched at those places only finds what its own scan over the whole text finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from triage import priority as P

_WAITING = re.findall(r"[a-z' ]+", P._WAITED_WORDS.split("|", 1)[1].replace("(?:", ""))
_PIECES = [
    *sorted({s.strip() for lex in P.LEXICONS for s in lex})[::5],
    "not", "isn't", "isnt", "aren't", "won't", "wont", "doesn't", "didnt", "don't", "dont",
    "can't", "cant", "cannot", "never", "couldn't", "wouldnt", "wasn't", "haven't",
    "hasn't", "werent", "working", "answer", "refund", "received",
    *[w.strip() for w in _WAITING if w.strip()],
    "3", "45", "6 hours", "2days", "3 weeks of", "dm'd", "dmed", "last", "week", "all",
    "a", "x", "s", "é", "_", "0", "👍", "problem", "no problem", "solved",
]  # fmt: skip
_GLUE = ["", " ", " ", "_", "-", "'", "\n", "#", "@", ".", "!", "\t"]


def _check(text: str) -> None:
    places = P._places(text)
    assert P._lexicon_hits(text, places) == P._lexicon_hits(text)
    assert P._negations(text, places) == P._negations(text)
    assert P._waited(text, places) == P._WAITED.findall(text)
    stems = {m.start() for m in P._ANY_STEM_AT.finditer(text)}
    negations = {m.start() for m in P._NOT_AT.finditer(text)}
    waited = {m.start() for m in P._WAITED.finditer(text)}
    assert stems | negations | waited <= set(places)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_GLUE), st.sampled_from(_PIECES)), max_size=16))
def test_matched_at_the_places_as_in_the_whole_text(parts) -> None:
    _check(" " + "".join(g + p for g, p in parts) + " ")


def test_posts_that_use_every_pattern() -> None:
    for text in (
        " i called twice, still no refund 3 days ago and they don't answer \n ",
        " my order hasn't arrived since last week!! i've been told 2weeks. dmed you ",
        " the app won't open, never again. contacte plusieurs fois depuis hier ",
        " didn't\tanswer, can't log in, cannot sign in; not working, already tried ",
        " ",
    ):
        _check(text)
    folded = " i called twice, still no refund 3 days ago and they don't answer "
    assert P._waited(folded, P._places(folded)) == ["called", "twice", "still", "3 days", "ago"]
