"""triage.sentiment's own pass over VADER's rules (`_scores`) gives exactly VADER's
`polarity_scores`: on texts drawn to hit every rule (lexicon words, boosters and
dampeners, negations, "no", "least", "never so", "without doubt", "kind of", idioms,
"but", capitals, punctuation, emoticons, emoji) and on the real tweets sample."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.realdata import real_texts
from triage.sentiment import _analyser, _compound, _scores, tone_of

WORDS = [
    # lexicon words, some also negations / idiom parts / emoticons
    "good", "bad", "love", "hate", "worst", "great", "no", "ok", "lol", "sux", "shit",
    "bomb", "ass", "badass", "die", "death", "kiss", "heart", "beating", "doubt", "fun",
    "funny", "smart", "compelling", "excellent", "horrible", "problem", "help", "thanks",
    ":(", ":-)", "</3", ":)", ":D", "LOVE", "BAD", "GOOD", "Great",
    # boosters, dampeners, negations, rule words
    "very", "VERY", "extremely", "kind", "of", "sort", "kinda", "just", "enough", "so",
    "this", "never", "not", "isn't", "don't", "without", "least", "at", "or", "nor",
    "but", "BUT", "the", "yeah", "right", "to", "for", "bus", "stop", "cut", "mustard",
    "uber", "FRIGGIN", "aint", "nope", "rarely", "despite", "n't",
    # plain words
    "lumio", "order", "zanrelo", "lamp", "a", "I", "it", "is", "LUMIO",
]  # fmt: skip
PUNCT = ["", "!", "!!!", "?", "??", "????", ".", ",", "...", "'", '"', "(", ")", ":"]
EMOJI = ["", "😡", "💘", "😁", "👍", "é", "—", "\u00a0"]


def _vader(text: str) -> dict[str, float]:
    return dict(_analyser().polarity_scores(text))


def _text(parts: list[tuple[str, str, str, str]]) -> str:
    return " ".join(a + w + b + e for a, w, b, e in parts)


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(PUNCT), st.sampled_from(WORDS), st.sampled_from(PUNCT),
            st.sampled_from(EMOJI),
        ),
        max_size=16,
    )
)  # fmt: skip
def test_same_scores_as_vader_on_drawn_texts(parts: list[tuple[str, str, str, str]]) -> None:
    text = _text(parts)
    assert _scores(text) == _vader(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_same_scores_as_vader_on_any_text(text: str) -> None:
    assert _scores(text) == _vader(text)


def test_no_emoji_is_ascii() -> None:
    """What lets an ASCII text skip VADER's emoji pass."""
    assert not any(len(e) == 1 and e.isascii() for e in _analyser().emojis)


def test_the_readme_examples_and_the_tone_of_a_post() -> None:
    for text in (
        "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
        "The plot was good, but the characters are uncompelling and the dialog is not great.",
        "Today only kinda sux! But I'll get by, lol",
        "Catch utf-8 emoji such as 💘 and 💋 and 😁",
        "Roger Dodger is one of the least compelling variations on this theme.",
        "Without a doubt, an excellent idea.",
        "Sentiment analysis has never been this good!",
    ):
        assert _scores(text) == _vader(text)
    assert tone_of("this is the worst!!!") == _compound("this is the worst!!!") < -0.5


def test_same_scores_as_vader_on_the_real_tweets() -> None:
    texts = real_texts()
    assert len(texts) > 1000
    differ = [t for t in texts if _scores(t) != _vader(t)]
    assert differ == []
