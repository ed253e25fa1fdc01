"""The filter's column scan (store.textscan) keeps exactly what `Filter.matches` keeps,
group by group, for what the text index cannot judge: one or two letters, punctuation,
negated words, quoted phrases, words found only in the signals, expansions, beside
fielded terms; on hostile text (Rich markup, ANSI escapes, emoji, accents, bidi) and on
real tweets (../shared/data/twcs-sample.csv, skipped if absent)."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import timedelta

import pytest

from store.inbox import Inbox
from tests.realdata import twcs_sample
from triage import query
from triage.filter import parse_filter
from triage.model import Author, Mention
from tui.filtering import FilterRun

from .conftest import HOSTILE, NOW, mention

TEXTS = [
    *HOSTILE,
    "Éclair à la crème — ÇA MARCHE pas ! Œuvre naïve",
    "emoji 👩‍👩‍👧 family, flag 🇫🇷 and ❤️ heart; e-mail: a-b@c.d",
    "[bold]lampe[/bold] cassée #lumio @support 50% off?!",
    "quote \"help please\" and l'appli plante",
    "tabs\tand\nnewlines  and   spaces",
    "zero\u200bwidth and combining e\u0301 accents",
    "remboursement svp, rembourser, remboursé",
    "battery batteries batterie",
    "-dash -- and ::colons:: and a/b\\c",
]
SIGNALS = [("crisis: injury",), ("refund ask", "competitor: Brightly"), ()]

FILTERS = [
    "l", "la", "e", "-", "-s", "--", ":", "::", "?!", "%", "é", "e", "œ", "👩", "❤", "🇫🇷",
    "[", "[bold]", "\x1b", "31m", "\u202e", "a-b", "e-mail:", "brand:", "injury",
    "crisis:", "-injury", "-crisis:", "ask", "-e", "-la -e", '"help please"', '"and a"',
    "rembours", "remboursement", "batery", "battery", "-battery", "la tag:x", "-la is:urgent",
    "l -: author:user3", "zz", "-zz", "ca", "ça", "oeuvre", "naive", "a/b", "\\c",
]  # fmt: skip


def hostile_mentions(count: int = 240) -> list[Mention]:
    found = []
    for n in range(count):
        base = mention(
            n + 1, f"{TEXTS[n % len(TEXTS)]} n{n}", author=f"user{n % 7}",
            priority=float((n * 37) % 100), minutes_ago=n,
        )  # fmt: skip
        found.append(replace(base, signals=SIGNALS[n % len(SIGNALS)]))
    return found


def scanned(box: Inbox, text: str, ranked: list[str]) -> list[str]:
    """What a plain test of every group keeps (the filter's meaning)."""
    flt = parse_filter(text).with_vocabulary(box.vocabulary())
    ctx = query.context(box, NOW)
    return [g for g in ranked if flt.matches(box.view(g), ctx)]


def runs(box: Inbox, text: str, ranked: list[str], source: list[str] | None = None) -> FilterRun:
    run = FilterRun(
        parse_filter(text), source if source is not None else ranked, box.view,
        query.context(box, NOW), vocabulary=box.vocabulary(), ranked=ranked,
    )  # fmt: skip
    assert run.finish()
    return run


@pytest.fixture
def hostile_store(tmp_path):
    path = tmp_path / "store"
    with Inbox.open(path, user="tester") as box:
        box.ingest(hostile_mentions())
    return path


def test_the_columns_keep_what_matches_keeps_on_hostile_text(hostile_store):
    with Inbox.open(hostile_store, user="tester") as box:
        ranked = box.ranked_ids(now=NOW)
        assert any(box.view(g).signals for g in ranked)  # the signals are part of the test
        columns = 0
        for text in FILTERS:
            run = runs(box, text, ranked)
            assert run.found == scanned(box, text, ranked), text
            columns += run.columns is not None
        assert columns >= len(FILTERS) - 10  # the columns did the work, not the old scan


def test_a_narrowed_source_keeps_the_rank_order(hostile_store):
    """A longer word scans the last result (a subset of the ranking, in its order)."""
    with Inbox.open(hostile_store, user="tester") as box:
        ranked = box.ranked_ids(now=NOW)
        first = runs(box, "e", ranked).found
        for text in ("e-", "e-m", "e-mail"):
            run = runs(box, text, ranked, source=first)
            assert run.found == scanned(box, text, ranked), text
            first = run.found


def test_the_first_screenful_is_the_top_of_the_complete_answer(hostile_store):
    with Inbox.open(hostile_store, user="tester") as box:
        ranked = box.ranked_ids(now=NOW)
        for text in ("l", "-e", "-", "[bold]", "é"):
            run = FilterRun(parse_filter(text), ranked, box.view, query.context(box, NOW),
                            vocabulary=box.vocabulary(), ranked=ranked)  # fmt: skip
            run.run_for(1.0, 10)
            first = list(run.found)
            assert run.finish()
            assert first == run.found[: len(first)], text
            assert len(first) >= min(10, len(run.found)), text


def test_a_cancelled_run_stops_and_wakes_its_waiter(hostile_store):
    with Inbox.open(hostile_store, user="tester") as box:
        ranked = box.ranked_ids(now=NOW)
        run = FilterRun(parse_filter("-zz"), ranked, box.view, query.context(box, NOW),
                        vocabulary=box.vocabulary(), ranked=ranked)  # fmt: skip
        run.run_for(1.0, 3)
        run.cancel()
        assert run.painted.wait(0)  # the worker waiting for the first paint goes on
        assert not run.finish()


@pytest.fixture(scope="module")
def tweets(tmp_path_factory):
    sample = twcs_sample()
    if sample is None:
        pytest.skip("../shared/data/twcs-sample.csv is absent")
    with sample.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get("text")][:3000]
    path = tmp_path_factory.mktemp("tweets") / "store"
    with Inbox.open(path, user="tester") as box:
        box.ingest(
            Mention(
                id=f"twitter:{r['tweet_id']}", platform="rss", source="twcs",
                url=f"https://twitter.example/{r['author_id']}/{r['tweet_id']}",
                author=Author(name=r["author_id"], handle="@" + r["author_id"]),
                text=r["text"], created_at=NOW - timedelta(minutes=i), fetched_at=NOW,
                brands=("Lumio",), priority=float((i * 37) % 100),
            )
            for i, r in enumerate(rows)
        )  # fmt: skip
    return path


REAL = ["a", "ph", "-", "-e", "@", "#", ":)", "?", "'s", "dm", "-dm", "http", "https:",
        "don't", "-the", "i'm", "😡", "é", "us -a", '"thank you"', "-@", "pl", "x -o"]  # fmt: skip


def test_the_columns_keep_what_matches_keeps_on_real_tweets(tweets):
    with Inbox.open(tweets, user="tester") as box:
        ranked = box.ranked_ids(now=NOW)
        for text in REAL:
            assert runs(box, text, ranked).found == scanned(box, text, ranked), text


def test_a_mask_over_any_span_of_rows_is_the_test_of_each_row(hostile_store):
    """Blocks of joined texts skip what cannot match, at any start and end of a chunk."""
    import random

    from store.textscan import FreeWords
    from tui.filtering import _order

    with Inbox.open(hostile_store, user="tester") as box:
        ranked = box.ranked_ids(now=NOW)
        box.vocabulary()
        order = _order(box.index.text_index, ranked)
        rnd = random.Random(5)
        for text in ("-", "k", "-k", "œ", "[bold]", "zz", "injury"):
            terms = parse_filter(text).terms
            words = FreeWords(terms, order)
            flt = parse_filter(text)
            ctx = query.context(box, NOW)
            for _ in range(20):
                start = rnd.randrange(len(ranked))
                stop = rnd.randrange(start + 1, len(ranked) + 1)
                expect = bytes(flt.matches(box.view(g), ctx) for g in ranked[start:stop])
                assert words.mask(range(start, stop)) == expect, (text, start, stop)
