"""The tone's shortcuts of issue 16 give VADER's own scores: an idiom is looked for only
where all its words are (written whole, or its words apart), the emoji only among the
non-ASCII characters of a text, the token rows from the cache."""

from __future__ import annotations

import pytest

from triage.sentiment import _analyser, _compound, _has_idiom, _idioms, tone_of

FILLER = "the lumio lamp came in a café box — "


@pytest.mark.parametrize("idiom", _idioms())
def test_each_idiom_whole_apart_and_absent(idiom: str) -> None:
    words = idiom.split()
    whole = f"{FILLER}it was {idiom.strip()} and the bad lamp is great"
    apart = f"{FILLER}{' good '.join(words)} and the bad lamp is great"
    for text in (whole, apart, f"{FILLER}great lamp"):
        assert _compound(text) == _analyser().polarity_scores(text)["compound"], text
    assert _has_idiom(whole.lower().split())
    assert not _has_idiom(apart.lower().split()) or idiom.strip() in apart.lower()


@pytest.mark.parametrize(
    "text",
    [
        "I love it 😍😍 but the app crashed 😡",
        "café — great 👍 lamp, “quoted” terrible support",
        "naïve bad lamp 💘 " * 30,
        "no emoji here but é and — and terrible",
        "😡",
    ],
)
def test_emoji_among_other_non_ascii(text: str) -> None:
    assert tone_of(text) == _analyser().polarity_scores(text)["compound"]
    assert tone_of(text) == tone_of(text)  # cached token rows: same again
