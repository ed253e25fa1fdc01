"""What the candidate screen reads of a post is made by the parse worker that prepared
it (`keys_and_counts` -> `Counts.screen`), in another process, and handed back pickled.
Placing posts with those counts decides exactly what the grouper before issue 16 decided
(tests/triage/grouping_reference.py), on one product's small vocabulary with copies of
every kind and on the real tweets, even when the workers run with another hash seed
(a signature made with `hash()` would then disagree with the main process's); the
worker-made fields are the ones the main process makes itself; and the screen keeps
every candidate the join rule accepts whether its rows were made here or there."""

from __future__ import annotations

import csv
import os
import pickle
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.feedfarm import SMALL
from tests.realdata import twcs_sample
from tests.triage import grouping_reference as reference
from tests.triage.test_grouping_identity import T0, Post, small_vocabulary_posts
from triage import grouping
from triage.grouping import TOKEN_SET_MIN, Counts, join_rule, keys_and_counts
from triage.grouping_bounds import Columns, Row, screen_fields
from triage.normalize import grouping_norm

ROOT = Path(__file__).resolve().parents[2]

_WORKER = """
import pickle, sys
from triage.grouping import keys_and_counts
from triage.normalize import grouping_norm
texts = pickle.load(sys.stdin.buffer)
sys.stdout.buffer.write(pickle.dumps([keys_and_counts(grouping_norm("", t), screen=True) for t in texts]))
"""


def _worker_counts(texts: list[str], seed: str) -> list[tuple[tuple[str, ...], tuple[int, int]]]:
    """`keys_and_counts` of each text, made in a fresh process with hash seed `seed`
    and pickled back, as a parse worker that was not forked would."""
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _WORKER],
        input=pickle.dumps(texts),
        capture_output=True,
        env=env,
        check=True,
    )
    return pickle.loads(done.stdout)  # type: ignore[no-any-return]


def _placed_with_worker_counts(posts: list[Post], seed: str) -> dict[str, tuple]:
    made = _worker_counts([text for _, text, _, _ in posts], seed)
    g, out = grouping.Grouper(), {}
    screened = 0
    for (pid, text, at, brands), (keys, counts) in zip(posts, made, strict=True):
        screened += isinstance(counts, Counts)
        norm = grouping_norm("", text)
        m = g.place(pid, "", at, norm=norm, keys=keys, counts=counts, brands=brands)
        out[pid] = (m.group_id, m.rule, m.score, m.other_id)
    assert screened > len(posts) // 3  # most came with their screen fields
    return out


def _reference(posts: list[Post]) -> dict[str, tuple]:
    g, out = reference.Grouper(), {}
    for pid, text, at, brands in posts:
        m = g.place(pid, text, at, brands=brands)
        out[pid] = (m.group_id, m.rule, m.score, m.other_id)
    return out


@pytest.mark.parametrize("seed", ["0", "12345"])
def test_worker_made_counts_decide_as_the_reference_on_a_small_vocabulary(seed: str) -> None:
    posts = small_vocabulary_posts(2500, seed=int(seed) % 97 + 20)
    decided = _placed_with_worker_counts(posts, seed)
    assert decided == _reference(posts)
    assert sum(rule != "new" for _, rule, _, _ in decided.values()) > 300


def test_worker_made_counts_decide_as_the_reference_on_the_real_tweets() -> None:
    sample = twcs_sample()
    if sample is None:
        pytest.skip("the real tweets (../shared/data/twcs-sample.csv) are not here")
    with sample.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get("text")][:4000]
    posts: list[Post] = []
    for k, r in enumerate(rows):
        at = T0 + timedelta(minutes=3 * k)
        posts.append((f"t{k}", r["text"], at, ()))
        if k % 9 == 0:  # a retweet-like copy a little later
            posts.append((f"t{k}c", "RT " + r["text"][: max(20, len(r["text"]) - 7)], at, ()))
    posts.sort(key=lambda p: (p[2], p[0]))
    decided = _placed_with_worker_counts(posts, "777")
    assert decided == _reference(posts)


def test_worker_fields_are_the_main_processs_own() -> None:
    texts = [" ".join(SMALL[k : k + 30]) for k in range(0, 150, 7)]
    texts += ["Ünïcode wörds, ÉTÉ 2026 ！ numbers 12 345 and café crème", "x" * 300 + " y z w v"]
    made = _worker_counts(texts, "99")
    for text, (_keys, counts) in zip(texts, made, strict=True):
        norm = grouping_norm("", text)
        if not isinstance(counts, Counts):
            continue
        # letter counts, their sum, the words' length, signature (the same bits in both
        # processes), the bound on own words and the projection
        assert counts.screen == screen_fields(norm, frozenset(norm.split())), text
        assert Row(norm, T0, *counts, None).prepare().signature == counts.screen[3]


def test_counts_compare_and_unpack_as_the_pair() -> None:
    norm = grouping_norm("", "the lumio lamp broke after the update and support never answered")
    _keys, counts = keys_and_counts(norm, screen=True)
    assert isinstance(counts, Counts)
    assert counts == grouping.norm_counts(norm) and tuple(counts) == grouping.norm_counts(norm)
    tokens, info = counts
    assert (tokens, info) == grouping.norm_counts(norm)
    again = pickle.loads(pickle.dumps(counts))
    assert again == counts and again.screen == counts.screen
    # never screened: short texts, and normal forms placed capped
    assert not isinstance(keys_and_counts("thanks a lot", screen=True)[1], Counts)
    assert not isinstance(keys_and_counts("word " * 900, screen=True)[1], Counts)


_words = st.lists(st.sampled_from(SMALL[:60]), min_size=5, max_size=40)


@settings(max_examples=400, deadline=None)
@given(_words, st.lists(_words, min_size=1, max_size=8), st.booleans())
def test_rows_made_by_workers_screen_as_rows_made_here(mine, theirs, worker_made) -> None:
    a = grouping_norm("", " ".join(mine))
    others = [grouping_norm("", " ".join(t)) for t in theirs]
    kept = {}
    for made_there in (False, True):
        cols = Columns()
        for b in others:
            _, counts = keys_and_counts(b, screen=True)
            tokens, info = counts
            screen = getattr(counts, "screen", None) if made_there else None
            cols.append(Row(b, T0, tokens, info, None, screen))
        _, counts = keys_and_counts(a, screen=True)
        tokens, info = counts
        screen = getattr(counts, "screen", None) if (made_there or worker_made) else None
        me = Row(a, T0, tokens, info, None, screen)
        kept[made_there] = set(
            cols.screen(
                me,
                list(range(len(others))),
                ratio_min=grouping.RATIO_MIN,
                token_set_min=TOKEN_SET_MIN,
                token_set_min_tokens=grouping.TOKEN_SET_MIN_TOKENS,
                head=grouping.prefix_head(grouping.PREFIX_MIN_INFO),
            )
        )
    assert kept[False] == kept[True]
    for j, b in enumerate(others):
        if j not in kept[True] and min(map(grouping._informative_count, (
            frozenset(a.split()), frozenset(b.split())
        ))) >= grouping.SHORT_TOKENS:  # fmt: skip
            assert join_rule(a, b) is None, (a, b)
