"""triage.stories: which story a mention is in once people merged and split."""

from __future__ import annotations

import random

from triage.stories import Stories, compared_with


def rec(mid: str, group: str, other: str | None = None) -> dict:
    extra = {"grouped": {"rule": "ratio", "score": 90.0, "with": other}} if other else {}
    return {"id": mid, "group_id": group, "extra": extra}


RECORDS = {
    "a": rec("a", "a"),
    "b": rec("b", "a", "a"),
    "c": rec("c", "a", "b"),  # a copy of b
    "d": rec("d", "a", "a"),
    "e": rec("e", "e"),
    "f": rec("f", "e", "e"),
}


def story(records, merged=None, split=()):
    s = Stories(records.get, merged or {}, set(split))
    return {m: s.story_of(m) for m in records}


def test_no_correction_is_the_pipeline_grouping():
    assert story(RECORDS) == {m: r["group_id"] for m, r in RECORDS.items()}
    assert not Stories(RECORDS.get, {}, set()).active


def test_a_split_copy_takes_the_copies_grouped_because_of_it():
    got = story(RECORDS, split={"b"})
    assert got == {"a": "a", "b": "b", "c": "b", "d": "a", "e": "e", "f": "e"}
    # splitting c out of b's story too
    assert story(RECORDS, split={"b", "c"})["c"] == "c"


def test_merges_chain_and_a_later_copy_follows_its_compared_post():
    got = story(RECORDS, merged={"e": "a"})
    assert {got[m] for m in RECORDS} == {"a"}
    records = {**RECORDS, "g": rec("g", "a", "c")}  # arrives later, compared with c
    assert story(records, split={"b"})["g"] == "b"
    assert story(records, merged={"b": "e"}, split={"b"})["g"] == "e"


def test_damaged_links_do_not_loop_or_crash():
    records = {"x": rec("x", "y", "y"), "y": rec("y", "x", "x"), "z": rec("z", "q", "missing")}
    s = Stories(records.get, {"p": "q", "q": "p"}, {"x"})
    assert s.story_of("x") == "x"
    assert s.story_of("z") in ("p", "q")
    assert compared_with({"id": "x", "extra": {"grouped": {"with": "x"}}}) is None


def test_the_whole_store_pass_agrees_with_one_by_one():
    rng = random.Random(17)
    for _ in range(200):
        records: dict[str, dict] = {}
        for n in range(rng.randint(1, 40)):
            mid = f"m{n}"
            if not records or rng.random() < 0.3:
                records[mid] = rec(mid, mid)
            else:
                other = rng.choice(list(records))
                records[mid] = rec(mid, records[other]["group_id"], other)
        non_leaders = [m for m, r in records.items() if r["group_id"] != m]
        split = set(rng.sample(non_leaders, min(len(non_leaders), rng.randint(0, 3))))
        one = Stories(records.get, {}, split)
        bulk = Stories(records.get, {}, split).moved(records)
        for mid, r in records.items():
            assert one.story_of(mid) == bulk.get(mid, r["group_id"]), (records, split, mid)


def test_from_states_alone_merges_and_splits_are_followed():
    from triage.model import TriageState
    from triage.stories import story_from_states

    states = {"e": TriageState("e", merged_into="a"), "b": TriageState("b", split_from="a")}

    def state_of(t: str) -> TriageState:
        return states.get(t) or TriageState(t)

    assert story_from_states("f", "e", state_of) == "a"
    assert story_from_states("b", "a", state_of) == "b"
    assert story_from_states("d", "a", state_of) == "a"
