"""The pipeline as the store uses it: one call fills brands, keywords, group, priority
and signals; seeded history keeps group ids stable; same input, same output."""

from __future__ import annotations

import pickle
from dataclasses import replace

from tests.triage.conftest import make_mention
from triage.config import BrandConfig
from triage.pipeline import Pipeline

STORY = (
    "Ma lampe Lumio a pris feu cette nuit, brûlure à la main, je veux un remboursement,"
    " c'est dangereux"
)


def test_process_fills_every_field(brands) -> None:
    p = Pipeline(brands)
    m = p.process(make_mention(1, STORY, reach=120_000))
    assert m.brands == ("Lumio",) and m.keywords == ("lumio",)
    assert m.group_id == m.id
    assert m.priority >= p.urgent_threshold
    assert "crisis: brûlure" in m.signals and "reach: 120k" in m.signals
    assert "complaint: remboursement" in m.signals
    assert "grouped" not in m.extra


def test_copy_joins_and_records_why(brands) -> None:
    p = Pipeline(brands)
    first = p.process(make_mention(1, STORY))
    copy = p.process(make_mention(2, f"RT @bob: {STORY} https://t.co/x", minutes=5))
    assert copy.group_id == first.id
    assert copy.extra["grouped"] == {"rule": "exact", "score": 100.0, "with": first.id}


def test_seeded_history_gives_the_stored_group_id(brands) -> None:
    first = Pipeline(brands)
    leader = first.process(make_mention(1, STORY))
    copy = first.process(make_mention(2, f"{STORY} !!", minutes=1))
    assert copy.group_id == leader.id
    restarted = Pipeline(brands)  # a new process: only the stored records are known
    restarted.seed([copy, leader])
    late = restarted.process(make_mention(3, f"RT @x: {STORY}", minutes=30))
    assert late.group_id == leader.id


def test_competitor_comparison_and_exclusion(brands) -> None:
    p = Pipeline(brands)
    m = p.process(make_mention(1, "Lumio vs Phlips: which desk lamp?"))
    assert m.brands == ("Lumio", "Philips") and m.keywords == ("lumio", "~philips")
    assert "competitor comparison" in m.signals
    assert p.process(make_mention(2, "Lost my philips screwdriver")).brands == ()


def test_title_counts_for_articles(brands) -> None:
    m = Pipeline(brands).process(
        make_mention(1, "Un rappel massif.", title="Lumio rappelle ses lampes", platform="rss")
    )
    assert m.brands == ("Lumio",)


def test_deterministic(brands) -> None:
    texts = [STORY, "Lumio ?", f"RT @a: {STORY}", "lumio lumio", "Philips lamp broken"]
    batch = [make_mention(i, t, minutes=i) for i, t in enumerate(texts)]
    p1, p2 = Pipeline(brands), Pipeline(brands)
    out1 = [p1.process(m) for m in batch]
    out2 = [p2.process(replace(m)) for m in batch]
    assert [m.to_json() for m in out1] == [m.to_json() for m in out2]
    assert out1[2].group_id == out1[0].id
    assert batch[0].brands == ()  # the input is not modified


# ---- the two halves: prepared in the poller's workers or here, the same result

MIXED = [
    STORY,
    f"RT @bob: {STORY} https://t.co/x",
    "Lumio vs Phlips: which desk lamp? Anyone?",
    "ÉNORME scandale #LumioGate, la batterie a gonflé 😡",
    "Lost my philips screwdriver",
    "Un rappel massif des lampes Lumio…",
]


def _batch() -> list:
    return [
        make_mention(i, text, minutes=i, title="Lumio rappelle" if i == 5 else "")
        for i, text in enumerate(MIXED)
    ]


def test_prepared_in_a_worker_gives_what_process_alone_gives(brands) -> None:
    reference = Pipeline(brands)
    alone = [reference.process(m) for m in _batch()]
    assert alone[1].group_id == alone[0].id  # the batch has a copy to group
    pipeline = Pipeline(brands)
    prepare = pipeline.prepare_hook()
    # what the poller's worker sends back: a pickled, prepared copy
    shipped = pickle.loads(pickle.dumps(prepare(_batch())))
    assert all(m.prepared is not None for m in shipped)
    two_halves = [pipeline.process(m) for m in shipped]
    assert [m.to_json() for m in two_halves] == [m.to_json() for m in alone]
    assert all(m.prepared is None for m in two_halves)  # scratch never reaches the store


def test_mentions_prepared_under_other_brands_are_decided_again(brands) -> None:
    stale = Pipeline([BrandConfig(name="Other", keywords=("other",))]).prepare_hook()(_batch())
    assert all(m.brands == () for m in stale)
    pipeline, reference = Pipeline(brands), Pipeline(brands)
    redone = [pipeline.process(m) for m in stale]
    assert redone[0].brands == ("Lumio",)
    assert [m.to_json() for m in redone] == [reference.process(x).to_json() for x in _batch()]


def test_a_mention_survives_pickling_whole(brands) -> None:
    m = Pipeline(brands).prepare_hook()(_batch())[3]
    m.extra["nested"] = {"a": [1, 2]}
    back = pickle.loads(pickle.dumps(m))
    assert back == m and back.prepared == m.prepared and back.author == m.author
    assert back.created_at.tzinfo is not None


def test_two_one_megabyte_posts_are_prepared_grouped_and_ranked(brands) -> None:
    """Every step after parsing reads a bounded part of a post: two 1 MB posts that begin
    alike are one story, with their brand and their complaint found (bench/grouping.py
    prints how long it takes)."""
    filler = " ".join(f"mot{i % 997} lampe{i % 13}" for i in range(90_000))  # ~1.3 MB
    assert len(filler) > 1_000_000
    first = f"Lumio: my order never arrived, refund please. {filler}"
    p = Pipeline(brands)
    a = p.process(make_mention(1, first))
    b = p.process(make_mention(2, f"RT @x: {first[:700_000]} and a different end", minutes=1))
    assert a.brands == ("Lumio",) and "complaint: never arrived" in a.signals
    assert b.group_id == a.id and b.priority == a.priority
    c = p.process(make_mention(3, f"Lumio {filler[::-1]}", minutes=2))
    assert c.group_id == c.id
