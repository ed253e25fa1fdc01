"""The storing path's grouping screen (`triage.grouping_bounds`) never drops a pair the
join rule would accept: its exact prefix test and its exact count of each side's own
words (`_sect_and_own`) checked against rapidfuzz itself, on real tweets and on copies
built to sit at the token-set threshold (own words added one at a time, so that the
score crosses 95 between two draws), at the prefix boundary (cut mid-word and at a
word's end) and with repeated words (the word SETS decide, not the texts)."""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from tests.realdata import twcs_sample
from triage import grouping
from triage.grouping import TOKEN_SET_MIN, informative_tokens, join_rule
from triage.grouping_bounds import Columns, Row, _sect_and_own
from triage.normalize import grouping_norm

T0 = datetime(2026, 1, 1, tzinfo=UTC)
FILLERS = ["a", "it", "the", "lamp", "again", "refund", "lumio", "wonderful", "x", "ok",
           "disappointing", "été", "über"]  # fmt: skip


@cache
def _tweets() -> list[str]:
    sample = twcs_sample()
    if sample is None:
        return []
    with sample.open(newline="", encoding="utf-8") as f:
        texts = [grouping_norm("", r["text"]) for r in csv.DictReader(f) if r.get("text")]
    return [t for t in texts if len(informative_tokens(t)) >= grouping.SHORT_TOKENS]


def _row(text: str) -> Row:
    return Row(
        text, T0, text.count(" ") + 1, len(informative_tokens(text)), frozenset(text.split())
    )


def _kept(a: str, others: list[str]) -> set[int]:
    cols = Columns()
    for k, b in enumerate(others):
        row = _row(b)
        cols.append(row.prepare() if k % 2 else row)  # made at once, or when screened
    return set(
        cols.screen(
            _row(a),
            list(range(len(others))),
            ratio_min=grouping.RATIO_MIN,
            token_set_min=TOKEN_SET_MIN,
            token_set_min_tokens=grouping.TOKEN_SET_MIN_TOKENS,
            head=grouping.prefix_head(grouping.PREFIX_MIN_INFO),
        )
    )


def _near_copies(text: str, rng: random.Random) -> list[str]:
    """Copies of `text` at each rule's edge."""
    words = text.split()
    out = []
    extra: list[str] = []
    for _ in range(6):  # own words one at a time: the token-set score walks down past 95
        extra.append(rng.choice(FILLERS))
        out.append(" ".join(words + extra))
        out.append(" ".join(words[len(extra) :] + extra))  # and some of its own dropped
    cut = rng.randrange(1, len(text))
    out.append(text[:cut])  # cut anywhere, mid-word included
    out.append(" ".join(words[: rng.randrange(1, len(words) + 1)]))  # cut at a word's end
    out.append(text + " " + " ".join(words[: rng.randrange(1, len(words) + 1)]))  # repeats
    shuffled = words[:]
    rng.shuffle(shuffled)
    out.append(" ".join(shuffled + rng.choices(FILLERS, k=rng.randint(0, 2))))
    return [grouping_norm("", o) for o in out if grouping_norm("", o)]


def _check(a: str, others: list[str]) -> None:
    kept = _kept(a, others)
    for j, b in enumerate(others):
        if j in kept:
            continue
        if len(informative_tokens(b)) >= grouping.SHORT_TOKENS:
            assert join_rule(a, b) is None, (a, b)
        # and whatever the rule's preconditions: rapidfuzz itself says no
        assert not (b.startswith(a) or a.startswith(b)), (a, b)
        assert fuzz.ratio(a, b) < grouping.RATIO_MIN, (a, b)
        na, nb = a.count(" ") + 1, b.count(" ") + 1
        if min(na, nb) >= grouping.TOKEN_SET_MIN_TOKENS and 2 * len(a) >= len(b) >= len(a) / 2:
            assert fuzz.token_set_ratio(a, b) < TOKEN_SET_MIN, (a, b)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**9))
def test_no_real_tweets_near_copy_is_dropped_that_the_rule_accepts(seed):
    tweets = _tweets()
    if not tweets:
        pytest.skip("../shared/data/twcs-sample.csv is absent")
    rng = random.Random(seed)
    a = rng.choice(tweets)
    others = _near_copies(a, rng) + rng.sample(tweets, 4)
    _check(a, others)


_words = st.lists(st.sampled_from([*FILLERS, "battery", "charger", "broken", "night"]),
                  min_size=5, max_size=40)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(_words, _words, st.randoms(use_true_random=False))
def test_no_drawn_near_copy_is_dropped_that_the_rule_accepts(a, b, rng):
    x = grouping_norm("", " ".join(a))
    if not x or len(informative_tokens(x)) < grouping.SHORT_TOKENS:
        return
    others = [grouping_norm("", " ".join(b)), *_near_copies(x, rng)]
    _check(x, [o for o in others if o])


def _sect_scores(a: str, b: str) -> tuple[float, float]:
    """rapidfuzz's "common words against common + own words" scores, from its definition."""
    wa, wb = set(a.split()), set(b.split())
    sect = " ".join(sorted(wa & wb))
    ab, ba = " ".join(sorted(wa - wb)), " ".join(sorted(wb - wa))
    return fuzz.ratio(sect, sect + " " + ab), fuzz.ratio(sect, sect + " " + ba)


@settings(max_examples=2000, deadline=None)
@given(
    _words,
    st.lists(st.sampled_from(FILLERS), max_size=6),
    st.lists(st.sampled_from(FILLERS), max_size=6),
)
def test_the_exact_own_word_count_keeps_every_pair_at_95_or_more(common, mine, theirs):  # fmt: skip
    a = grouping_norm("", " ".join(common + mine))
    b = grouping_norm("", " ".join(common[::-1] + theirs))
    if not a or not b:
        return
    me = _row(a).prepare()
    other = _row(b).prepare()
    kept = _sect_and_own(me, [b], [0], [other.full])
    wa, wb = set(a.split()), set(b.split())
    if kept:
        return
    # dropped: no word set holds the other, and neither side's score reaches 95
    assert wa - wb and wb - wa
    if wa & wb:
        assert max(_sect_scores(a, b)) < TOKEN_SET_MIN, (a, b)
