"""The tone of a post, from a maintained sentiment lexicon: VADER for English.

VADER (`vaderSentiment`, MIT, lexicon and rules inside the package, no download) scores
a text from -1 (most negative) to +1 and knows what word lists miss: negation ("not
good"), intensifiers, capitals, punctuation, emoticons and slang. Priority uses it next
to its own lexicons (`triage.lexicon`) and keeps both as signals; bench/real_eval.py
measures the ranking with it and without (`--no-tone`).

French: `vaderSentiment-fr` exists on PyPI but is unmaintained (2021, source only) and
depends on fuzzywuzzy (GPL); French tone comes from our own lexicons only.

Pure: the analyser is built once per process on first use (its lexicon is a data file of
the package, ~60 ms to load). A post in another language (by `lang`) gets 0.0.
"""

from __future__ import annotations

import string
from functools import cache
from typing import Any

NEGATIVE_TONE = -0.5  # compound score at or below which a post reads as negative
ENABLED = True  # bench/real_eval.py --no-tone turns it off to measure what it adds


@cache
def _analyser() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@cache
def _lexicon() -> frozenset[str]:
    return frozenset(_analyser().lexicon)


def _no_lexicon_word(text: str) -> bool:
    """True when VADER would find nothing to score: an ASCII text (no emoji, which VADER
    turns into words) none of whose tokens, whole or without their punctuation (VADER's own
    tokenising), is in its lexicon. Its compound is then exactly 0.0: only lexicon words
    carry valence, and the rules (negation, boosters, "but", punctuation) only scale them.
    Most posts without an emotional word skip VADER's ~1 ms per 400 characters."""
    if not text.isascii():
        return False
    lexicon = _lexicon()
    for token in text.lower().split():
        if token in lexicon or token.strip(string.punctuation) in lexicon:
            return False
    return True


def tone_of(text: str, lang: str | None = None) -> float:
    """VADER's compound score of an English (or unknown-language) text, else 0.0.
    Give it a bounded text: its rules cost more than linear time on long inputs."""
    if not ENABLED or not text.strip() or (lang and not lang.lower().startswith("en")):
        return 0.0
    if _no_lexicon_word(text):
        return 0.0
    return float(_analyser().polarity_scores(text)["compound"])
