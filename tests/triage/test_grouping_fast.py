"""The pieces of grouping's candidate screen (`triage.grouping_bounds`) against what they
stand for: the packed letter counts and their minima against counting letters, a
post's informative words against `informative_tokens`, the screen against rapidfuzz's
own scores on words built to be near each other (typos, one-letter words, accents), and
the blocking step against the grouper before issue 16's speed work."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from tests.triage import grouping_reference as reference
from triage import grouping, grouping_bounds
from triage.grouping import TOKEN_SET_MIN, informative_tokens, join_rule
from triage.grouping_bounds import Columns, Row
from triage.normalize import grouping_norm

T0 = datetime(2026, 1, 1, tzinfo=UTC)
VOCAB = ["lamp", "lumio", "glow", "refund", "broken", "charge", "charger", "colour", "color",
         "a", "ab", "abc", "abd", "x", "xy", "night", "nights", "mode", "app", "update",
         "ete", "été", "über", "uber", "9", "99", "the", "my", "is", "thanks"]  # fmt: skip
_words = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=30)


def _row(text: str) -> Row:
    info = len(informative_tokens(text))
    return Row(text, T0, text.count(" ") + 1, info, frozenset(text.split()))


@settings(max_examples=500, deadline=None)
@given(_words, _words)
def test_letter_counts_and_their_minimum_are_exact(a, b):
    x, y = _row(" ".join(a)).prepare(), _row(" ".join(b)).prepare()
    ca, cb = Counter("".join(set(a))), Counter("".join(set(b)))
    assert x.letters == sum(ca.values())
    assert x.full == len(" ".join(set(a)))
    assert (
        x.info
        == grouping._informative_count(frozenset(a))
        == len(set(informative_tokens(" ".join(a))))
    )
    common = sum((ca & cb).values())
    low = grouping_bounds._minimum(x.counts, y.counts) % grouping_bounds._ONES
    # letters merged into one field (not a-z) can only raise the minimum's sum
    assert low >= common
    if all(ch.isascii() and ch.isalpha() for ch in "".join(a + b)):
        assert low == common


def _screened(a: str, others: list[str]) -> set[int]:
    cols = Columns()
    for b in others:
        cols.append(_row(b))
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


@settings(max_examples=3000, deadline=None)
@given(_words, st.lists(_words, min_size=1, max_size=6))
def test_dropped_only_where_rapidfuzz_says_below_both_thresholds(a, others):
    x = grouping_norm("", " ".join(a))
    ys = [grouping_norm("", " ".join(o)) for o in others]
    ys = [y for y in ys if y]
    if not x or not ys:
        return
    kept = _screened(x, ys)
    for j, y in enumerate(ys):
        if j in kept:
            continue
        assert join_rule(x, y) is None, (x, y)
        assert fuzz.ratio(x, y) < grouping.RATIO_MIN or y == x
        nx, ny = x.count(" ") + 1, y.count(" ") + 1
        if min(nx, ny) >= grouping.TOKEN_SET_MIN_TOKENS and 2 * len(x) >= len(y) >= len(x) / 2:
            assert fuzz.token_set_ratio(x, y) < TOKEN_SET_MIN, (x, y)


def test_a_threshold_other_than_the_bounds_keeps_every_candidate():
    cols = Columns()
    for text in ("lumio lamp broken again", "refund please my lamp broken"):
        cols.append(_row(text))
    me = _row("nothing in common at all here")
    kept = cols.screen(
        me, [0, 1], ratio_min=80.0, token_set_min=95.0, token_set_min_tokens=8, head=14
    )
    assert kept == [0, 1]


def _reference_candidates(ref: reference.Grouper, keys: tuple[str, ...]) -> list[int]:
    """The blocking step as the grouper before wrote it (inside its `_find`)."""
    get = ref._postings.get
    rare = sorted([(len(p), t) for t in keys if (p := get(t))])[: reference.RARE_TOKENS]
    shared: Counter[int] = Counter()
    for _, tok in rare:
        shared.update(ref._postings[tok][-reference.POSTINGS_SCANNED :])
    need = 2 if len(rare) >= 3 else 1
    return sorted(i for i, n in shared.items() if n >= need)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**9), st.integers(2, 12))
def test_the_blocking_step_is_the_reference_one_ties_included(seed, vocab_size):
    """A tiny vocabulary makes many keys tie on their counts: the rarest keys, and so
    the candidates, are those of the grouper before (ties broken by the key)."""
    rng = random.Random(seed)
    words = [f"w{i:02d}x" for i in range(vocab_size)]
    fast, ref = grouping.Grouper(), reference.Grouper()
    for i in range(150):
        text = " ".join(rng.choices(words, k=rng.randint(1, 9)))
        at = T0 + timedelta(seconds=i)
        norm = grouping_norm("", text)
        keys = grouping.blocking_keys(norm)
        entry = grouping._Entry(f"p{i}", norm, at, "", 1, 1, "")
        assert fast._candidates(entry, keys) == _reference_candidates(ref, keys)
        fast.place(f"p{i}", text, at)
        ref.place(f"p{i}", text, at)


def test_grouping_norms_are_single_spaced_words():
    """What lets the word sets stand for rapidfuzz's own whitespace split."""
    for text in ("RT @a:  Lumio\tBRÛLE!!\n\n  https://t.co/x  ok\u00a0go", "a\u2003b  c"):
        norm = grouping_norm("", text)
        assert norm == " ".join(norm.split())
