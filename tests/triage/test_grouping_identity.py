"""The fast grouper decides exactly what the grouper before issue 16's speed work decided
(tests/triage/grouping_reference.py, main 6e59840 verbatim): for every post the same
group, rule, score and post compared with - on the real tweets, on one product's small
vocabulary (bench/feedfarm.py's words) with copies of every kind (cut, reworded, typos,
numbers changed), on bench/ingest.py's onehost texts, and on drawn pairs for the screen
that skips the join rule (`grouping_bounds.Columns.screen`)."""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.feedfarm import SMALL, SMALL_ZIPF
from tests.realdata import twcs_sample
from tests.triage import grouping_reference as reference
from triage import grouping
from triage.grouping import TOKEN_SET_MIN, join_rule
from triage.grouping_bounds import Columns, Row
from triage.normalize import grouping_norm

T0 = datetime(2026, 1, 1, tzinfo=UTC)
Post = tuple[str, str, datetime, tuple[str, ...]]


def _decisions(module, posts: list[Post]) -> dict[str, tuple[str, str, float, str]]:
    """Every post placed in order into one grouper of `module`, as the pipeline does."""
    g = module.Grouper()
    out = {}
    for pid, text, at, brands in posts:
        m = g.place(pid, text, at, brands=brands)
        out[pid] = (m.group_id, m.rule, m.score, m.other_id)
    return out


def _same(posts: list[Post]) -> dict[str, tuple[str, str, float, str]]:
    fast = _decisions(grouping, posts)
    assert fast == _decisions(reference, posts)
    return fast


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word) + 1)
    kind = rng.randrange(3)
    if kind == 0 and len(word) > 1:
        return word[: i - 1] + word[i:] if i else word[1:]  # a letter dropped
    if kind == 1:
        return word[:i] + rng.choice("aeiourst") + word[i:]  # a letter added
    return word + "s"


def _copy(text: str, rng: random.Random) -> str:
    """A copy as feeds have them, or a near-copy built to sit at the thresholds."""
    words = text.split()
    kind = rng.randrange(7)
    if kind == 0:  # cut, as an alert feed cuts a long post
        return " ".join(words[: max(5, int(len(words) * rng.uniform(0.5, 1)))]) + "…"
    if kind == 1:  # a few words changed
        for _ in range(rng.randint(1, 4)):
            words[rng.randrange(len(words))] = rng.choice(SMALL)
        return " ".join(words)
    if kind == 2:  # typos in some words (the ratio rule's case: few common words)
        share = rng.uniform(0.05, 0.6)
        return " ".join(_typo(w, rng) if rng.random() < share else w for w in words)
    if kind == 3:  # numbers changed: a templated alert
        return " ".join(str(rng.randrange(10**5)) if rng.random() < 0.2 else w for w in words)
    if kind == 4:  # reordered, words added: the token-set rule's case
        rng.shuffle(words)
        return " ".join(words + rng.choices(SMALL, k=rng.randint(0, 3)))
    if kind == 5:
        return f"RT @user{rng.randrange(99)}: {text} https://t.co/{rng.randrange(10**6)}"
    return " ".join(words[rng.randint(0, 3) :] + rng.choices(SMALL, k=rng.randint(1, 6)))


def small_vocabulary_posts(n: int, seed: int, copies: float = 0.35) -> list[Post]:
    """One product's complaints (bench/feedfarm.py's ~230 words, Zipf-weighted), a third
    of them copies of a recent post, under one or two brands."""
    rng = random.Random(seed)
    posts: list[Post] = []
    at = T0
    for i in range(n):
        at += timedelta(seconds=rng.expovariate(1 / 30))
        if posts and rng.random() < copies:
            text = _copy(posts[max(0, len(posts) - 1 - int(rng.expovariate(1 / 40)))][1], rng)
        else:
            words = rng.choices(SMALL, cum_weights=SMALL_ZIPF, k=rng.randint(4, 70))
            text = " ".join(words)
        posts.append((f"p{i}", text, at, ("Lumio",) if rng.random() < 0.9 else ("Brightly",)))
    return posts


def test_same_decisions_on_one_products_small_vocabulary() -> None:
    decided = _same(small_vocabulary_posts(4000, seed=16))
    rules = [rule for _, rule, _, _ in decided.values()]
    # every rule was exercised, and most posts were compared with many candidates
    assert {"exact", "prefix", "ratio", "token_set", "new"} <= set(rules)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**9), st.integers(20, 160), st.floats(0.2, 0.8))
def test_same_decisions_on_drawn_small_vocabularies(seed: int, n: int, copies: float) -> None:
    _same(small_vocabulary_posts(n, seed, copies))


def test_same_decisions_on_the_real_tweets() -> None:
    sample = twcs_sample()
    if sample is None:
        pytest.skip("../shared/data/twcs-sample.csv is absent")
    with sample.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get("text")]
    rng = random.Random(4)
    posts: list[Post] = []
    for i, r in enumerate(rows):
        at = T0 + timedelta(seconds=30 * i)
        text = r["text"]
        scope = grouping.scope((), text)  # the accounts addressed, as for unbranded posts
        posts.append((f"t{i}", text, at, scope))
        if i % 3 == 0:  # copies of real text: retweets, cuts, typos, reworded
            later = at + timedelta(minutes=rng.randint(1, 600))
            posts.append((f"c{i}", _copy(text, rng), later, scope))
    posts.sort(key=lambda p: (p[2], p[0]))
    decided = _same(posts)
    assert sum(rule != "new" for _, rule, _, _ in decided.values()) > 500


_words = st.lists(st.sampled_from(SMALL[:60]), min_size=1, max_size=40)


def _screened(a: str, others: list[str]) -> set[int]:
    """Which of `others` the screen keeps as candidates of `a` (entry numbers)."""
    cols = Columns()
    for k, b in enumerate(others):
        row = Row(
            b, T0, b.count(" ") + 1, len(grouping.informative_tokens(b)), frozenset(b.split())
        )
        cols.append(row.prepare() if k % 2 else row)  # made at once, or when needed
    me = Row(a, T0, a.count(" ") + 1, len(grouping.informative_tokens(a)), frozenset(a.split()))
    kept = cols.screen(
        me,
        list(range(len(others))),
        ratio_min=grouping.RATIO_MIN,
        token_set_min=TOKEN_SET_MIN,
        token_set_min_tokens=grouping.TOKEN_SET_MIN_TOKENS,
        head=grouping.prefix_head(grouping.PREFIX_MIN_INFO),
    )
    return set(kept)


@settings(max_examples=1500, deadline=None)
@given(_words, st.randoms(use_true_random=False), st.integers(0, 6))
def test_the_screen_drops_only_pairs_the_join_rule_rejects(words, rng, kind) -> None:
    """A candidate screened out (the join rule not even called) only where it says None."""
    a = grouping_norm("", " ".join(words))
    others = []
    for k in range(8):
        source = " ".join(words)
        drawn = " ".join(rng.choices(SMALL, k=len(words)))
        b = grouping_norm("", _copy(source, rng) if (kind + k) % 7 < 6 else drawn)
        if b:
            others.append(b)
    if not a or not others or len(grouping.informative_tokens(a)) < grouping.SHORT_TOKENS:
        return  # the grouper never screens such a text
    kept = _screened(a, others)
    for j, b in enumerate(others):
        if j not in kept and len(grouping.informative_tokens(b)) >= grouping.SHORT_TOKENS:
            assert join_rule(a, b) is None, (a, b)


def test_the_screen_keeps_each_rule_at_its_threshold() -> None:
    """Pairs built to pass each rule are all kept."""
    base = "lumio lamp broke after the update and support never answered my refund request"
    a = grouping_norm("", base)
    cases = [
        base,  # exact
        base + " again today",  # prefix
        base.replace("broke", "brok").replace("never", "nevr"),  # ratio, typos
        " ".join(reversed(base.split())),  # token set: the same words
        base + " lumio lamp",  # token set: a subset
    ]
    others = [grouping_norm("", c) for c in cases]
    assert all(join_rule(a, b) is not None for b in others)
    assert _screened(a, others) == set(range(len(others)))


def test_same_decisions_on_the_onehost_fetch_with_copies() -> None:
    """bench/ingest.py's onehost first fetch as grouping sees it (10,000 posts of one
    product's complaints, each with ~16 candidates), with edited copies of a tenth."""
    from bench.grouping_shapes import ingest_items

    items = ingest_items("onehost")
    assert items is not None
    rng = random.Random(17)
    placed = []
    for n, it in enumerate(items):
        placed.append((it.id, it.norm, it.at, it.brands, it.keys))
        if n % 10 == 0:
            norm = grouping_norm("", _copy(it.norm, rng))
            later = it.at + timedelta(minutes=rng.randint(1, 300))
            placed.append((f"copy{n}", norm, later, it.brands, grouping.blocking_keys(norm)))
    placed.sort(key=lambda p: (p[2], p[0]))
    decided = []
    for module in (grouping, reference):
        g = module.Grouper()
        decided.append(
            [
                (m.group_id, m.rule, m.score, m.other_id)
                for pid, norm, at, brands, keys in placed
                for m in [g.place(pid, "", at, norm=norm, keys=keys, brands=brands)]
            ]
        )
    assert decided[0] == decided[1]


def test_same_decisions_across_prunes() -> None:
    """Posts over a month with a tiny prune threshold: forgetting old posts (and making
    the screen's fields again after) decides as the grouper before does."""
    posts = small_vocabulary_posts(1500, seed=3)
    spread = [(pid, text, T0 + (at - T0) * 60, brands) for pid, text, at, brands in posts]
    decided = []
    for module in (grouping, reference):
        g = module.Grouper(prune_min=200)
        decided.append([g.place(p, t, at, brands=b) for p, t, at, b in spread])
    assert [(m.group_id, m.rule, m.score, m.other_id) for m in decided[0]] == [
        (m.group_id, m.rule, m.score, m.other_id) for m in decided[1]
    ]
