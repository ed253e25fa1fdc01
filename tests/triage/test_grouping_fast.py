"""The shortcut in grouping's token-set test (`token_set_may_pass`) never changes a
decision: it says "cannot pass" only where rapidfuzz's token_set_ratio is below the
cutoff (drawn pairs, typos included), and grouping with it gives exactly the groups,
rules and scores of grouping without it, on the real tweets and on a small vocabulary."""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from tests.realdata import twcs_sample
from triage import grouping
from triage.grouping import TOKEN_SET_MIN, group_all, token_set_may_pass, word_set
from triage.normalize import grouping_norm

VOCAB = ["lamp", "lumio", "glow", "refund", "broken", "charge", "charger", "colour", "color",
         "a", "ab", "abc", "abd", "x", "xy", "night", "nights", "mode", "app", "update"]  # fmt: skip
_words = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=14)


@settings(max_examples=3000, deadline=None)
@given(_words, _words, st.sampled_from([TOKEN_SET_MIN, 85.0, 50.0]))
def test_cannot_pass_only_where_rapidfuzz_says_below_the_cutoff(a, b, cutoff):
    x, y = " ".join(a), " ".join(b)
    if not token_set_may_pass(word_set(x), word_set(y), cutoff):
        assert fuzz.token_set_ratio(x, y, score_cutoff=cutoff) == 0


def _decisions(posts, monkeypatch, shortcut: bool):
    with monkeypatch.context() as m:
        if not shortcut:
            m.setattr(grouping, "token_set_may_pass", lambda *a, **k: True)
        return {pid: (d.group_id, d.rule, d.score) for pid, d in group_all(posts).items()}


def test_same_decisions_on_the_real_tweets(monkeypatch):
    sample = twcs_sample()
    if sample is None:
        pytest.skip("../shared/data/twcs-sample.csv is absent")
    with sample.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get("text")]
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    # every tweet twice (a copy with a link and a retweet prefix): grouping has work to do
    posts = [(f"t{i}", r["text"], t0 + timedelta(seconds=30 * i)) for i, r in enumerate(rows)]
    posts += [(f"c{i}", f"RT @x: {text} https://t.co/{i}", at + timedelta(minutes=5))
              for i, (_, text, at) in enumerate(posts[::3])]  # fmt: skip
    assert _decisions(posts, monkeypatch, True) == _decisions(posts, monkeypatch, False)


def test_same_decisions_on_a_small_vocabulary(monkeypatch):
    rng = random.Random(5)
    words = [*VOCAB, "the", "my", "is", "not", "after", "week", "support", "order", "again"]
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    posts = []
    for i in range(1500):
        if posts and rng.random() < 0.3:
            text = posts[rng.randrange(len(posts))][1]
            cut = text.split()
            text = " ".join(cut[: max(5, int(len(cut) * rng.uniform(0.6, 1)))]) + " extra"
        else:
            text = " ".join(rng.choices(words, k=rng.randint(8, 40)))
        posts.append((f"p{i}", text, t0 + timedelta(minutes=i)))
    fast = _decisions(posts, monkeypatch, True)
    assert fast == _decisions(posts, monkeypatch, False)
    assert sum(rule == "token_set" for _, rule, _ in fast.values()) > 10  # the rule was used


def test_grouping_norms_are_single_spaced_words():
    """What lets the word sets stand for rapidfuzz's own whitespace split."""
    for text in ("RT @a:  Lumio\tBRÛLE!!\n\n  https://t.co/x  ok\u00a0go", "a\u2003b  c"):
        norm = grouping_norm("", text)
        assert norm == " ".join(norm.split())
