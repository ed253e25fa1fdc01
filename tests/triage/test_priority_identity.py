"""The priority and signals of every mention are those of the code before its shortcuts.

The oracle is `tests/triage/priority_reference.py` (triage/priority.py as main had it):
on the real tweets sample, on every entry of bench/feedfarm.py's three farms (small
vocabulary, real tweets, Zipf), and on drawn posts mixing the lexicons' words with
hostile text (Rich markup, ANSI escapes, controls, emoji, RTL, capitals, handles, links,
phone numbers and long posts).
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.feedfarm import build
from sources.rss import parse_feed
from tests.realdata import twcs_sample
from tests.triage import priority_reference as reference
from triage import priority
from triage.lexicon import COMPLAINT, CRISIS, NEGATIVE, PRAISE, REQUEST
from triage.model import Author, Mention

AT = datetime(2026, 1, 1, tzinfo=UTC)


def _mention(text: str, title: str = "", reach: int | None = None, lang: str | None = None):
    return Mention(
        id="x:1",
        platform="rss",
        source="s",
        url="https://example.org/1",
        author=Author(name="someone", reach=reach),
        text=text,
        title=title,
        lang=lang,
        created_at=AT,
        fetched_at=AT,
    )


def _same(mention: Mention, comparison: bool = False) -> None:
    assert priority.score_mention(mention, comparison) == reference.score_mention(
        mention, comparison
    ), (mention.title, mention.text)


def test_the_real_tweets() -> None:
    sample = twcs_sample()
    if sample is None:
        pytest.skip("../shared/data/twcs-sample.csv is absent")
    with sample.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get("text")]
    assert len(rows) > 1000
    for i, row in enumerate(rows):
        _same(_mention(row["text"], reach=(0, 50, 5000, 2_000_000)[i % 4]), i % 5 == 0)


@pytest.mark.parametrize("shape", ["onehost", "tweets", "zipf"])
def test_every_entry_of_the_bench_farms(shape: str, tmp_path: Path) -> None:
    farm = build(shape, tmp_path, 12, 50)
    if farm is None:
        pytest.skip("the real tweets are absent")
    headers = {"content-type": "application/rss+xml; charset=utf-8"}
    count = 0
    for name in farm.names:
        body = (tmp_path / name).read_bytes()
        for m in parse_feed(body, headers, f"http://h/{name}", name, "rss", AT)[0]:
            _same(m)
            count += 1
    assert count >= 500


LEXICON_WORDS = sorted(
    {w.strip() for lex in (CRISIS, COMPLAINT, REQUEST, PRAISE) for w in lex} | set(NEGATIVE)
)
WORDS = [
    *LEXICON_WORDS,
    "not", "never", "can't", "won't", "isn't", "working", "received", "told", "still",
    "again", "3 days", "45minutes", "6 hours", "yesterday", "called", "twice", "solved",
    "resolved", "not resolved", "no problem", "problem", "#lumiogate", "@support",
    "https://t.co/x", "__email__", "jo@example.org", "+33 6 12 34 56 78", "0612345678",
    "REFUND NOW PLEASE", "WORST", "SERVICE", "!!!", "???", "?", "how", "why", "thanks",
]  # fmt: skip
HOSTILE = [
    "[bold red]", "[/]", "\x1b[31m", "\x1b]8;;http://x\x07", "\x00", "\r", "\n", "\t",
    "\u202e", "\u2066", "\u200f", "\ufeff", "\u0301", "שלום", "مرحبا", "😡", "👍🏽",
    "\u2019", "\u2018", "é", "É", "ç", "—", "\u00a0", " ", "  ",
]  # fmt: skip
PIECES = st.one_of(st.sampled_from(WORDS), st.sampled_from(HOSTILE), st.text(max_size=4))


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(PIECES, max_size=40).map(" ".join),
    st.lists(PIECES, max_size=6).map(" ".join),
    st.sampled_from([None, 0, 999, 1000, 25_000, 10**7]),
    st.sampled_from([None, "en", "fr", "en-GB"]),
    st.booleans(),
    st.booleans(),
)
def test_drawn_posts(text, title, reach, lang, comparison, upper) -> None:
    if upper:
        text = text.upper()
    _same(_mention(text, title, reach, lang), comparison)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=60, max_size=400).map(" ".join))
def test_long_posts(text: str) -> None:
    """Past the few hundred characters where counting words stops early."""
    _same(_mention(text))


FILLER = [
    "https://t.co/abcdefghij",
    "@someone_long_handle",
    "#tag",
    "1234567",
    "!!!",
    "—",
    "😡",
    "--",
    "42",
]


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=15, max_value=24),
    st.lists(st.sampled_from(FILLER), min_size=60, max_size=200),
    st.randoms(use_true_random=False),
)
def test_long_posts_near_the_detailed_count(words: int, filler: list[str], rng) -> None:
    """Around DETAILED_WORDS words, in posts made long by what is not a word (links,
    handles, numbers, marks): where counting stops early, it must stop right."""
    parts = ["refund", *(["lamp"] * (words - 1)), *filler]
    rng.shuffle(parts)
    _same(_mention(" ".join(parts)))
