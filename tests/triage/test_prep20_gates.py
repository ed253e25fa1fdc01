"""The faster forms of priority's smaller rules answer as the plain rule they replace:
`_detailed` (ASCII by bytes.translate) as `_words(text) >= DETAILED_WORDS`, the duration
search begun by a digit as `_DURATION.search`, `_personal` (an address searched from its
"@", a phone number from nine digits) as `_PERSONAL.search`. Drawn texts near each
rule's edges (19, 20, 21 words; one-letter words; handles and links; digits glued to
words and dots), hostile text, and the real tweets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.realdata import real_texts
from triage import priority as P
from triage.text import fold

_WORDS = ["a", "I", "x", "ok", "order", "Refund", "é", "à", "où", "l'app", "don't", "3",
          "45min", "a1", "_", "__", "@lumio", "#sav", "https://t.co/x", "http", "x@y.fr",
          "+33", "6", "12 34 56 78", "612345678", "٣", "²", "—", "…", "👍", "ŒUVRE", "\ud800",
          "日本語", "ǅ", "e\u0301", "𝐋𝐮𝐦𝐢𝐨", "٣٤", "\u00a0", "Straße"]  # fmt: skip
_GLUE = [" ", " ", "  ", "\n", ",", ".", "-", "_", "'", "/", "", "\t", "!", "@", "#"]


def _detailed_plain(text: str) -> bool:
    return P._words(text) >= P.DETAILED_WORDS


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_GLUE)), max_size=45))
def test_detailed_counts_the_words_the_regex_counts(parts) -> None:
    text = "".join(w + g for w, g in parts)
    assert P._detailed(text) == _detailed_plain(text), text


@pytest.mark.parametrize("words", [18, 19, 20, 21, 22])
def test_detailed_at_the_threshold(words: int) -> None:
    for glue in (" ", "  ", ", ", "-", "'", " a "):
        text = glue.join(["word"] * words)
        assert P._detailed(text) == _detailed_plain(text) == (words >= P.DETAILED_WORDS)
    text = " a ".join(["b"] * 40)  # one-letter words are not words
    assert not P._detailed(text) and not _detailed_plain(text)
    text = " ".join(["@handle"] * 30 + ["word"] * 19)  # handles are not words
    assert not P._detailed(text) and not _detailed_plain(text)


_DIGITS = ["3", "12", "0", "3.5", "v2", "a3", "_3", ".3", "٣", "²", "45", "100"]
_UNITS = ["days", "day", "hours", "hrs", "weeks", "mois", "jours", "mins", "minutes", "x"]
_AFTER = ["", " ", "  ", "\n", "s", " of", "of", ".", "!", "_"]


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(_GLUE), st.sampled_from(_DIGITS), st.sampled_from(_AFTER),
                  st.sampled_from(_UNITS), st.sampled_from(_AFTER)),
        max_size=6,
    )
)  # fmt: skip
def test_duration_from_its_first_digit_matches_where_the_pattern_does(parts) -> None:
    text = "".join("".join(p) for p in parts)
    for t in (text, " " + text + " ", fold(text)):
        assert (P._DURATION_FROM_DIGIT.search(t) is not None) == (
            P._DURATION.search(t) is not None
        ), t


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=120))
def test_every_rule_on_any_text(text: str) -> None:
    assert P._detailed(text) == _detailed_plain(text)
    assert (P._DURATION_FROM_DIGIT.search(text) is not None) == (
        P._DURATION.search(text) is not None
    )
    assert P._personal(text) == (P._PERSONAL.search(text) is not None)


def test_the_real_tweets() -> None:
    texts = real_texts()
    assert len(texts) > 1000
    detailed = durations = 0
    for text in texts:
        assert P._detailed(text) == _detailed_plain(text), text
        folded = f" {fold(text)} "
        found = P._DURATION_FROM_DIGIT.search(folded) is not None
        assert found == (P._DURATION.search(folded) is not None), text
        assert P._personal(text) == (P._PERSONAL.search(text) is not None), text
        detailed += P._detailed(text)
        durations += found
    assert detailed > 100 and durations > 20  # the rules do fire on real posts


_SHOUTY = ["LUMIO", "WHY", "IT", "NOT", "OK", "ÉTÉ", "ＡＢＣＤ", "ABCD", "AbCD", "ABC", "A",
           "lumio", "\ud800", "😡", "İSTANBUL", "ΣΣΣΣ", "_", "1234"]  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_SHOUTY), st.sampled_from(_GLUE)), max_size=12))
def test_shouting_is_found_where_the_pattern_finds_it(parts) -> None:
    text = "".join(w + g for w, g in parts)
    assert P._shouts(text) == (P._SHOUT.search(text) is not None), text
    capitals = b"AAAA" in text.encode(errors="surrogatepass").translate(P._CAPITALS_ONLY)
    assert capitals == (P._CAPITALS.search(text) is not None), text


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_shouting_on_any_text(text: str) -> None:
    assert P._shouts(text) == (P._SHOUT.search(text) is not None)
