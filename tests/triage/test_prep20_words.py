"""`triage.normalize.words_only` on text beyond ASCII (its few non-word characters made
spaces by one regex, then the bytes translation ASCII text takes) gives what the regex
`_NON_WORD.sub(" ", text).strip()` gives: on any Unicode text (lone surrogates,
combining marks, emoji sequences, other scripts and spaces), and on the real tweets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.realdata import real_texts
from triage.normalize import _NON_WORD, grouping_norm, words_only
from triage.text import fold

_PIECES = ["lamp", "é", "e\u0301", "ß", "“", "—", "…", "\u00a0", "\u2028", "\u3000", "日本",
           "\ud800", "\udfff", "👍🏽", "👨\u200d👩", "\u200b", "_", "__x", "x_", "٣", "²", "ǅ",
           "Ｌｕｍｉｏ", "𝐋", " ", "\t", "\n", "'", "-", "#", "@", "€", "\x85", "\x00"]  # fmt: skip


def _plain(text: str) -> str:
    return _NON_WORD.sub(" ", text).strip()


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=25))
def test_mixed_pieces(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert words_only(text) == _plain(text), repr(text)


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=60))
def test_any_text(text: str) -> None:
    assert words_only(text) == _plain(text), repr(text)


def test_the_real_tweets() -> None:
    texts = real_texts()
    beyond = [t for t in texts if not fold(t).isascii()]
    assert len(beyond) > 200  # emoji, "…", typographic quotes: this path is exercised
    for text in beyond:
        assert words_only(fold(text)) == _plain(fold(text)), text
    assert grouping_norm("", "Ma lampe est cassée — encore 😡 #sav") == "ma lampe est cassee encore"
