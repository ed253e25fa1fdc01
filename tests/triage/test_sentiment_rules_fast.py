"""`triage.sentiment`'s shortcuts give VADER's own scores, exactly.

`_sentiments` keeps what it learnt of each token (word, lowered, capitals, valence, rule
word) and gives a lexicon word its plain value when no rule's word stands among the three
before it (idiom words only count where an idiom is written out whole); `_but_check`
reruns VADER's quirky "but" loop on the non-zero values alone. The oracle is VADER's
`polarity_scores` itself: on texts drawn to put every rule's words at every distance from
a lexicon word, on hostile text (markup, escapes, controls, bidi, emoji), on the small
vocabulary of one product's complaints (bench/feedfarm.py's `onehost` shape) and on the
real tweets sample.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.feedfarm import SMALL
from tests.realdata import real_texts
from triage import sentiment
from triage.sentiment import _analyser, _scores, tone_of


def _vader(text: str) -> dict[str, float]:
    return dict(_analyser().polarity_scores(text))


LEXICON = ["good", "bad", "love", "hate", "worst", "great", "fun", "death", "heart", "help"]
RULES = [
    # boosters and dampeners, negations, "no"/"or"/"nor", "least"/"at"/"very", "never
    # so"/"this", "without doubt", "kind of", "but"
    "very", "extremely", "so", "this", "just", "enough", "kind", "of", "sort", "not",
    "isn't", "don't", "aint", "never", "without", "doubt", "no", "or", "nor", "least",
    "at", "but", "BUT", "nope", "n't",
    # idioms' words, whole or apart
    "the", "shit", "bomb", "bad", "ass", "bus", "stop", "yeah", "right", "kiss", "to",
    "die", "for", "beating",
]  # fmt: skip
PLAIN = ["lamp", "it", "my", "a", "I", "order", "LUMIO", "Lumio", "x", "42"]
MARKS = ["", "!", "!!!", "?", "??", ".", ",", "...", "'", ":)", ":(", "😡", "💘", "😁"]


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(LEXICON + RULES + PLAIN),
            st.sampled_from(MARKS),
            st.booleans(),  # in capitals
        ),
        max_size=14,
    )
)
def test_rule_words_at_every_distance(parts: list[tuple[str, str, bool]]) -> None:
    text = " ".join((w.upper() if up else w) + mark for w, mark, up in parts)
    assert _scores(text) == _vader(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([3.0, 1.5, 0.75, -3.0, -1.5, 2.0, 1.0, 0.5]), st.booleans()),
        max_size=10,
    )
)
def test_but_with_values_that_halve_into_each_other(values: list[tuple[float, bool]]) -> None:
    """VADER's "but" loop finds a value where it first occurs in the list as it changes:
    a halved 3.0 is the next 1.5. Lexicon words whose values halve into each other."""
    by_value: dict[float, list[str]] = {}
    for word, value in _analyser().lexicon.items():
        if word.isalpha():
            by_value.setdefault(value, []).append(word)
    words = [by_value[v][0] if v in by_value else "lamp" for v, _ in values]
    cut = len(words) // 2
    text = " ".join([*words[:cut], "but", *words[cut:]])
    assert _scores(text) == _vader(text)


HOSTILE = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "[bold red]", "[/]", "[link=https://x]", "\x1b[31m", "\x1b]8;;http://x\x07",
                "\x00", "\x08", "\r", "\n", "\t", "\u202e", "\u2066", "\u200f", "\u200b",
                "\ufeff", "\u0301", "שלום", "مرحبا", "😡", "💘", "👍🏽", "🏳️‍🌈", "é", "—",
                "\u00a0", " ", " good", " bad", " not", " but", " the", " very", " kind of",
            ]
        ),
        st.characters(),
    ),
    max_size=30,
).map("".join)  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(HOSTILE)
def test_hostile_text(text: str) -> None:
    assert _scores(text) == _vader(text)


def test_one_products_small_vocabulary() -> None:
    """bench/feedfarm.py's `onehost` words: every post has rule words near lexicon words."""
    rng = random.Random(16)
    words = [*SMALL, "not", "so", "very", "but", "no", "the", "shit", "kind", "of"]
    for _ in range(3000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 40)))
        if rng.random() < 0.3:
            text = text.upper()
        assert _scores(text) == _vader(text), text


def test_the_real_tweets_tone() -> None:
    texts = real_texts()
    assert len(texts) > 1000
    assert [t for t in texts if tone_of(t) != _vader(t)["compound"]] == []


def test_what_it_remembers_of_tokens_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sentiment, "_MAX_TOKENS", 50)
    for n in range(400):
        text = f"good w{n} bad x{n}"
        assert _scores(text) == _vader(text)
        assert len(sentiment._TOKENS) <= 50
