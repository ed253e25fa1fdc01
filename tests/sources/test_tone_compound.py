"""The tone the poller's workers give each post (`triage.sentiment._compound`, VADER's
compound without the shares it never reads) is exactly VADER's, on texts drawn to hit
every rule and on the real tweets. (In tests/sources: the ingest pipeline's own checks.)"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.realdata import real_texts
from tests.triage.test_sentiment_fast import EMOJI, PUNCT, WORDS, _text, _vader
from triage.sentiment import _compound, tone_of

PARTS = st.tuples(
    st.sampled_from(PUNCT), st.sampled_from(WORDS), st.sampled_from(PUNCT), st.sampled_from(EMOJI)
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(PARTS, max_size=16))
def test_compound_is_vaders_on_drawn_texts(parts: list[tuple[str, str, str, str]]) -> None:
    text = _text(parts)
    assert _compound(text) == _vader(text)["compound"], text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_compound_is_vaders_on_any_text(text: str) -> None:
    assert _compound(text) == _vader(text)["compound"]


def test_but_moves_the_weight_to_what_follows() -> None:
    text = "The lamp is good but the app is bad"
    assert _compound(text) == _vader(text)["compound"] < 0
    assert tone_of("good good but good") == _vader("good good but good")["compound"]


def test_compound_is_vaders_on_the_real_tweets() -> None:
    texts = real_texts()
    assert len(texts) > 1000
    assert [t for t in texts if _compound(t) != _vader(t)["compound"]] == []
    assert [t for t in texts if tone_of(t) != _vader(t)["compound"]] == []
