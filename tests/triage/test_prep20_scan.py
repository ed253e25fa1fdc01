"""`triage.lexicon_scan.Scan` (the one pass score_mention reads) finds what each plain
pattern finds in the whole text: every lexicon's labels (`_lexicon_hits` without
places, which runs each lexicon's own regex over the text), whether `_BROKEN` and
`_NOT_DONE` match anywhere, and `_WAITED.findall`. On drawn texts of the patterns'
words glued every way, on the real tweets sample and on hostile text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.realdata import real_texts
from triage import priority as P
from triage.text import fold

_WAITING = re.findall(r"[a-z' ]+", P._WAITED_WORDS.split("|", 1)[1].replace("(?:", ""))
_PIECES = [
    *sorted({s.strip() for lex in P.LEXICONS for s in lex})[::4],
    "not", "isn't", "isnt", "aren't", "won't", "wont", "doesn't", "didnt", "don't", "dont",
    "can't", "cant", "cannot", "never", "couldn't", "wouldnt", "wasn't", "haven't",
    "hasn't", "werent", "working", "answer", "refund", "received", "work", "open", "log",
    *[w.strip() for w in _WAITING if w.strip()],
    "3", "45", "6 hours", "2days", "3 weeks of", "dm'd", "dmed", "last", "week", "all",
    "a", "x", "s", "é", "_", "0", "👍", "😡", "problem", "no problem", "solved", "sue", "suez",
    "@115712", "#lumiogate", "https://t.co/x", "ALL CAPS",
]  # fmt: skip
_GLUE = ["", " ", " ", "  ", "_", "-", "'", "\n", "#", "@", ".", "!", "\t", "/", "…"]


def _plain(text: str) -> tuple[list[list[str]], list[bool], list[str]]:
    return (
        P._lexicon_hits(text),
        [P._BROKEN.search(text) is not None, P._NOT_DONE.search(text) is not None],
        P._WAITED.findall(text),
    )


def _same(text: str) -> None:
    found = P._SCAN.read(text)
    assert (found.lexicons, found.denials, found.waited) == _plain(text), text


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_GLUE), st.sampled_from(_PIECES)), max_size=18))
def test_one_scan_finds_what_each_pattern_finds(parts) -> None:
    text = "".join(g + p for g, p in parts)
    _same(" " + text + " ")  # as score_mention pads it
    _same(text)  # and as it comes: a word at the very start


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_any_text(text: str) -> None:
    _same(fold(text))


def test_the_real_tweets() -> None:
    texts = real_texts()
    assert len(texts) > 1000
    hits = 0
    for text in texts:
        folded = f" \n{fold(text)} ".replace("\u2019", "'").replace("\u2018", "'")
        _same(folded)
        hits += any(P._SCAN.read(folded).lexicons)
    assert hits > len(texts) // 3  # the tweets do use the lexicons: the test reads something


def test_posts_that_use_every_pattern() -> None:
    for text in (
        " i called twice, still no refund 3 days ago and they don't answer \n ",
        " my order hasn't arrived since last week!! i've been told 2weeks. dmed you ",
        " the app won't open, never again. contacte plusieurs fois depuis hier ",
        " didn't\tanswer, can't log in, cannot sign in; not working, already tried ",
        "still waiting still waiting: on hold, no problem, no answer",
        "",
        " ",
    ):
        _same(text)
    found = P._SCAN.read(" i called twice, still no refund 3 days ago; they don't answer ")
    assert found.waited == ["called", "twice", "still", "3 days", "ago"]
    assert found.denials == [False, True]
    assert "refund" in found.lexicons[1]
