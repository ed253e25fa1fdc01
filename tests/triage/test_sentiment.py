"""The shortcut in triage.sentiment (no lexicon word: tone 0.0 without running VADER)
gives exactly what VADER gives, on texts built to hit its tokenising and its rules."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from triage.sentiment import _analyser, _no_lexicon_word, tone_of

WORDS = ["lumio", "the", "not", "no", "but", "kind", "of", "very", "order", "zanrelo", "bad",
         "good", "love", "hate", "worst", ":(", ":-)", "</3", "LOVE", "BAD", "never", "ok"]  # fmt: skip
PUNCT = ["", "!", "!!!", "?", ".", ",", "...", "'", '"', "(", ")"]


def _vader(text: str) -> float:
    return float(_analyser().polarity_scores(text)["compound"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PUNCT), st.sampled_from(WORDS), st.sampled_from(PUNCT)),
                max_size=12))  # fmt: skip
def test_tone_equals_vader_on_drawn_texts(parts):
    text = " ".join(a + w + b for a, w, b in parts)
    if text.strip():
        assert tone_of(text) == _vader(text)


def test_neutral_text_skips_vader_and_emotional_text_does_not():
    assert _no_lexicon_word("Order 4411 shipped to the depot on Monday")
    assert tone_of("Order 4411 shipped to the depot on Monday") == 0.0
    for text in ("this is the worst!!!", "not good", "I love it :)", "ok 😡", "bad."):
        assert not _no_lexicon_word(text)
        assert tone_of(text) == _vader(text)
    assert tone_of("this is the worst!!!") < -0.5
